"""PGPy hot-spot fixes, applied once when PGPy is first used (_quiet).

PGPy rebuilds (and re-validates) the cryptography key object on every
private-key operation, about 110 ms for RSA-3072, and computes the armor
CRC24 bit by bit. Both are patched here, in one place, on the classes (no
installed file is edited). tests/pgp/test_speedups.py pins the behaviour.
"""

import warnings

with warnings.catch_warnings():
    warnings.simplefilter('ignore')
    from pgpy.packet import fields as _fields
    from pgpy.packet.packets import PubKeyV4
    from pgpy.types import Armorable

from mailman_pgp.pgp.armor import crc24

_PATCHED = []


def _cached(method, attrs):
    """Wrap a __privkey__/__pubkey__ method with a per-object cache that is
    keyed on the key material, so a changed field rebuilds it."""
    def wrapper(self):
        material = tuple(getattr(self, a, None) for a in attrs)
        cache = self.__dict__.get('_mmpgp_cache')
        if cache is not None and cache[0] == material:
            return cache[1]
        obj = method(self)
        self.__dict__['_mmpgp_cache'] = (material, obj)
        return obj
    wrapper.__wrapped__ = method
    wrapper._mmpgp = True
    return wrapper


def _install():
    if _PATCHED:
        return
    priv = [(_fields.RSAPriv, '__privkey__', ('n', 'e', 'd', 'p', 'q')),
            (_fields.ECDSAPriv, '__privkey__', ('s',)),
            (_fields.EdDSAPriv, '__privkey__', ('s',)),
            (_fields.ECDHPriv, '__privkey__', ('s',)),
            (_fields.RSAPub, '__pubkey__', ('n', 'e')),
            (_fields.ECDSAPub, '__pubkey__', ('p',)),
            (_fields.EdDSAPub, '__pubkey__', ('p',)),
            (_fields.ECDHPub, '__pubkey__', ('p',))]
    for cls, name, attrs in priv:
        method = cls.__dict__.get(name)
        if method is None or getattr(method, '_mmpgp', False):
            continue
        setattr(cls, name, _cached(method, attrs))
        _PATCHED.append((cls, name, method))
    _cache_fingerprint()
    original = Armorable.__dict__['crc24']
    Armorable.crc24 = staticmethod(crc24)
    _PATCHED.append((Armorable, 'crc24', original))


def _cache_fingerprint():
    """PGPy re-serializes and re-hashes a key packet for every fingerprint
    or key ID lookup (thousands per key check); cache it per packet, keyed
    on the material so a changed key recomputes it."""
    prop = PubKeyV4.__dict__['fingerprint']
    if getattr(prop.fget, '_mmpgp', False):
        return

    def fingerprint(self):
        km = self.keymaterial
        material = (self.created, self.pkalg, id(km), *(
            getattr(km, f, None) for f in getattr(km, '__pubfields__', ())))
        cache = self.__dict__.get('_mmpgp_fp')
        if cache is not None and cache[0] == material:
            return cache[1]
        value = prop.fget(self)
        self.__dict__['_mmpgp_fp'] = (material, value)
        return value
    fingerprint._mmpgp = True
    PubKeyV4.fingerprint = property(fingerprint)
    _PATCHED.append((PubKeyV4, 'fingerprint', prop))


def _fix_brainpool():
    """PGPy's own Brainpool curve classes lack group_order under current
    cryptography; point its curve OIDs at cryptography's classes."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from pgpy.constants import EllipticCurveOID as OID
    for member, curve in ((OID.Brainpool_P256, ec.BrainpoolP256R1),
                          (OID.Brainpool_P384, ec.BrainpoolP384R1),
                          (OID.Brainpool_P512, ec.BrainpoolP512R1)):
        member.curve = curve


class UnknownAlgorithm(int):
    """An algorithm number PGPy has no name for (e.g. SHA3-256 = 12 and
    SHA3-512 = 14, which OpenPGP.js 6 lists in its preferences)."""

    is_supported = False

    @property
    def name(self):
        return f'Unknown({int(self)})'

    def __repr__(self):
        return f'<UnknownAlgorithm {int(self)}>'


def _fix_flag_lists():
    """PGPy refuses a whole key when a preference list (preferred hash,
    cipher or compression algorithms) names an algorithm it does not know.
    Keep such values as plain numbers instead: they are only preferences,
    and they must be kept to re-serialize the self-signature exactly."""
    from pgpy.packet.subpackets.signature import FlagList
    if getattr(FlagList.parse, '_mmpgp', False):
        return

    def parse(self, packet):
        super(FlagList, self).parse(packet)
        for _ in range(0, self.header.length - 1):
            value = packet[0]
            del packet[:1]
            try:
                self._flags.append(self.__flags__(value))
            except ValueError:
                self._flags.append(UnknownAlgorithm(value))
    parse._mmpgp = True
    FlagList.parse = parse


def uninstall():
    """Restore PGPy's original methods (for tests and benchmarks)."""
    while _PATCHED:
        cls, name, method = _PATCHED.pop()
        setattr(cls, name, method)


def install():
    """(Re-)apply the patches."""
    _install()


_fix_brainpool()
_fix_flag_lists()
_install()
