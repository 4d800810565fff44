"""List key generation from [keypairs] specs."""

from datetime import timedelta

from public import public

from mailman_pgp.pgp._keyparse import _parse_one
from mailman_pgp.pgp._quiet import constants, pgpy, quiet
from mailman_pgp.pgp.keys import Key
from mailman_pgp.pgp.spec import KeySpec

_C = constants


def _preferences() -> dict:
    """The algorithm preferences written into the list key."""
    return {'hashes': [_C.HashAlgorithm.SHA512, _C.HashAlgorithm.SHA384,
                       _C.HashAlgorithm.SHA256],
            'ciphers': [_C.SymmetricKeyAlgorithm.AES256,
                        _C.SymmetricKeyAlgorithm.AES192,
                        _C.SymmetricKeyAlgorithm.AES128],
            'compression': [_C.CompressionAlgorithm.Uncompressed,
                            _C.CompressionAlgorithm.ZLIB,
                            _C.CompressionAlgorithm.ZIP]}


def _rsa_p_below_q(key) -> None:
    """Store RSA secret primes with p < q, as GnuPG expects.

    OpenPGP keeps u = p^-1 mod q; libgcrypt's CRT assumes p < q.  PGPy
    keeps the primes in whatever order cryptography made them, so about
    half of its RSA keys, exported to gpg (a backup, reading the archive),
    make bad signatures and wrong decryptions there.
    """
    from cryptography.hazmat.primitives.asymmetric import rsa
    material = key._key.keymaterial
    if not hasattr(material, 'u') or int(material.p) < int(material.q):
        return
    p, q = int(material.q), int(material.p)
    mpi = type(material.p)
    material.p, material.q = mpi(p), mpi(q)
    material.u = mpi(rsa.rsa_crt_iqmp(q, p))      # p^-1 mod q
    material._compute_chksum()
    # The new u may be a byte shorter or longer (about one key in 150):
    # the packet's length must follow, or the key cannot be read back.
    key._key.update_hlen()


@public
def generate_key(primary: KeySpec, sub: KeySpec, uids: list,
                 expires: timedelta | None = None) -> Key:
    """Generate an unprotected private key: a Sign+Certify primary key and
    an encryption subkey, with uids [(name, email)], the first primary."""
    if not uids:
        raise ValueError('at least one user ID is needed')
    with quiet():
        alg, param = primary._pgpy()
        key = pgpy.PGPKey.new(alg, param)
        _rsa_p_below_q(key)
        for i, (name, email) in enumerate(uids):
            uid = pgpy.PGPUID.new(name, email=email)
            kwargs = {
                'usage': {_C.KeyFlags.Sign, _C.KeyFlags.Certify},
                **_preferences(),
                'features': {_C.Features.ModificationDetection},
                'primary': i == 0}
            if expires is not None:
                kwargs['key_expiration'] = expires
            key.add_uid(uid, **kwargs)
        salg, sparam = sub._pgpy()
        subkey = pgpy.PGPKey.new(salg, sparam)
        _rsa_p_below_q(subkey)
        skw = {'usage': {_C.KeyFlags.EncryptCommunications,
                         _C.KeyFlags.EncryptStorage}}
        if expires is not None:
            skw['key_expiration'] = expires
        key.add_subkey(subkey, **skw)
    # Round-trip through bytes so times are whole seconds, as gpg sees them.
    with quiet():
        return Key(_parse_one(bytes(key)))
