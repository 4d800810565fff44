"""Key specifications of the [keypairs] configuration (e.g. 'EdDSA:Ed25519')."""

from dataclasses import dataclass

from public import public

from mailman_pgp.pgp._quiet import constants, lazy

_C = lazy('pgpy.constants.EllipticCurveOID')
# Our name of each curve -> the name of its EllipticCurveOID in PGPy.
CURVES = {
    'nistp256': 'NIST_P256',
    'nistp384': 'NIST_P384',
    'nistp521': 'NIST_P521',
    'brainpoolP256r1': 'Brainpool_P256',
    'brainpoolP384r1': 'Brainpool_P384',
    'brainpoolP512r1': 'Brainpool_P512',
}
RSA_MIN, RSA_MAX = 2048, 4096

_CURVE_LIST = ', '.join(CURVES)
ALLOWED_PRIMARY_SPECS = (
    'EdDSA:Ed25519, RSA:<2048..4096>, ECDSA:<curve> with <curve> one of '
    + _CURVE_LIST)
ALLOWED_SUB_SPECS = (
    'ECDH:Curve25519, RSA:<2048..4096>, ECDH:<curve> with <curve> one of '
    + _CURVE_LIST)
public(ALLOWED_PRIMARY_SPECS=ALLOWED_PRIMARY_SPECS,
       ALLOWED_SUB_SPECS=ALLOWED_SUB_SPECS)


@public
@dataclass(frozen=True)
class KeySpec:
    """A parsed key type: algorithm name and curve or RSA size."""
    algorithm: str          # 'EdDSA', 'ECDSA', 'ECDH' or 'RSA'
    curve: str | None = None
    size: int | None = None

    def __str__(self):
        return f'{self.algorithm}:{self.curve if self.curve else self.size}'

    def _pgpy(self):
        """Return (PubKeyAlgorithm, size-or-curve) for pgpy.PGPKey.new."""
        alg = constants.PubKeyAlgorithm
        if self.algorithm == 'RSA':
            return alg.RSAEncryptOrSign, self.size
        if self.algorithm == 'EdDSA':
            return alg.EdDSA, _C.Ed25519
        if self.curve == 'Curve25519':
            return alg.ECDH, _C.Curve25519
        pk = alg.ECDSA if self.algorithm == 'ECDSA' else alg.ECDH
        return pk, getattr(_C, CURVES[self.curve])


@public
def parse_key_spec(text: str, role: str) -> KeySpec:
    """Parse a [keypairs] key type; role is 'primary' or 'sub'.

    Raise ValueError naming what is allowed, so the admin can fix the file.
    """
    if role not in ('primary', 'sub'):
        raise ValueError(f"role must be 'primary' or 'sub', not {role!r}"
                         )
    allowed = ALLOWED_PRIMARY_SPECS if role == 'primary' else ALLOWED_SUB_SPECS
    bad = ValueError('invalid {} key type {!r}; allowed: {}'.format(
        'primary' if role == 'primary' else 'subkey', text, allowed))
    if not isinstance(text, str) or text.count(':') != 1:
        raise bad
    alg, _, param = (part.strip() for part in text.partition(':'))
    algs = {a.lower(): a for a in ('EdDSA', 'ECDSA', 'ECDH', 'RSA')}
    alg = algs.get(alg.lower())
    if alg == 'RSA':
        if not param.isdigit() or not RSA_MIN <= int(param) <= RSA_MAX:
            raise bad
        return KeySpec('RSA', size=int(param))
    curves = {c.lower(): c for c in CURVES}
    if role == 'primary':
        if alg == 'EdDSA' and param.lower() == 'ed25519':
            return KeySpec('EdDSA', curve='Ed25519')
        if alg == 'ECDSA' and param.lower() in curves:
            return KeySpec('ECDSA', curve=curves[param.lower()])
    else:
        if alg == 'ECDH' and param.lower() in ('curve25519', 'cv25519'):
            return KeySpec('ECDH', curve='Curve25519')
        if alg == 'ECDH' and param.lower() in curves:
            return KeySpec('ECDH', curve=curves[param.lower()])
    raise bad
