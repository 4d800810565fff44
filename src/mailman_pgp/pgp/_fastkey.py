"""A fast path for the common public key: usability and recipient material
straight from the packets, without building PGPy objects.

PGPy spends about a millisecond parsing and checking each key; a list
re-reading a thousand member keys pays a second for it. This module reads
the usual shape (v4 primary key, user IDs with self-certifications,
subkeys with binding signatures; RSA, EdDSA, ECDSA, ECDH) and verifies the
self-signatures with the system's libcrypto directly (_ossl); policy.py
judges them, as it does for the PGPy path. Anything else (revocations,
direct-key signatures, user attributes, weak or unknown algorithms, RSA
numbers that cannot be a key) returns None and the caller uses the PGPy
path, which gives the same answers (tests/pgp/test_pgp_fastkey.py compares
them).
"""

import hashlib
from datetime import datetime, timedelta

from mailman_pgp.pgp import _ossl
from mailman_pgp.pgp import packets as P
from mailman_pgp.pgp._keyparse import UTC, now_utc
from mailman_pgp.pgp._session import Recipient
from mailman_pgp.pgp import policy
from mailman_pgp.pgp._sigparse import BadSignaturePacket, read_sig
from mailman_pgp.pgp.policy import RSA_MIN_BITS, Cert, Part

_ED25519 = bytes.fromhex('2B06010401DA470F01')
_CV25519 = bytes.fromhex('2B060104019755010501')
_CURVE_NAMES = dict(zip(_ossl.CURVES, (
    'nistp256', 'nistp384', 'nistp521', 'brainpoolP256r1',
    'brainpoolP384r1', 'brainpoolP512r1')))
_CERTS = (0x10, 0x11, 0x12, 0x13)


class _Fallback(Exception):
    """The key is not of the simple shape this module handles."""


def _mpi(data, pos):
    if pos + 2 > len(data):
        raise _Fallback
    n = (int.from_bytes(data[pos:pos + 2], 'big') + 7) // 8
    if pos + 2 + n > len(data):
        raise _Fallback
    return data[pos + 2:pos + 2 + n], pos + 2 + n


def _oid(data, pos):
    n = data[pos]
    return data[pos + 1:pos + 1 + n], pos + 1 + n


class _KeyPart:
    """A v4 key packet: algorithm, creation, public key (``material``: RSA
    (n, e) or the point; ``pub``: the libcrypto key) and, for an
    unprotected secret key packet, its secret MPIs."""

    def __init__(self, body: bytes, secret: bool = False):
        if len(body) < 8 or body[0] != 4:
            raise _Fallback
        self.created = datetime.fromtimestamp(
            int.from_bytes(body[1:5], 'big'), UTC)
        self.alg = body[5]
        self.oid = self.halg = self.encalg = None
        pos = self._public_material(body)
        if not secret and pos != len(body):
            raise _Fallback
        self.secret = _secret_mpis(body, pos) if secret else None
        body = body[:pos]
        fpr = hashlib.sha1(b'\x99' + len(body).to_bytes(2, 'big')
                           + body).digest()
        self.fpr = fpr
        self.keyid = fpr[-8:].hex().upper()
        self.prefix = b'\x99' + len(body).to_bytes(2, 'big') + body

    def _public_material(self, body) -> int:
        """Read the public key fields; return where they end."""
        alg = self.alg
        if alg in (1, 2, 3):
            n, pos = _mpi(body, 6)
            e, pos = _mpi(body, pos)
            n, e = int.from_bytes(n, 'big'), int.from_bytes(e, 'big')
            if n.bit_length() < RSA_MIN_BITS or not (3 <= e < n and e & 1
                                                     and n & 1):
                raise _Fallback
            self.material = n, e
            self.pub = _ossl.rsa_public(n, e)
            return pos
        if alg in (18, 19, 22):
            self.oid, pos = _oid(body, 6)
            point, pos = _mpi(body, pos)
            if alg == 22:
                if self.oid != _ED25519 or point[:1] != b'\x40':
                    raise _Fallback
                self.pub = _ossl.ed25519_public(point[1:])
            elif alg == 18 and self.oid == _CV25519:
                if point[:1] != b'\x40':
                    raise _Fallback
                self.pub = _ossl.x25519_public(point[1:])
            elif self.oid in _ossl.CURVES:
                self.pub = _ossl.ec_public(self.oid, point)
            else:
                raise _Fallback
            self.material = point
            if alg == 18:
                if body[pos:pos + 2] != b'\x03\x01' or len(body) < pos + 4:
                    raise _Fallback
                self.halg, self.encalg = body[pos + 2], body[pos + 3]
                pos += 4
            return pos
        raise _Fallback

    def as_part(self) -> Part:
        """This key part as the policy sees it."""
        if self.alg in (1, 2, 3):
            size = self.material[0].bit_length()
        elif self.oid == _ED25519:
            size = 'ed25519'
        elif self.oid == _CV25519:
            size = 'cv25519'
        else:
            size = _CURVE_NAMES[self.oid]
        return Part(self.keyid, self.alg, size, self.created)

    def recipient(self):
        return Recipient.from_fields(self.fpr, self.alg, self.material,
                                     self.oid, self.halg, self.encalg)


def _secret_mpis(body, pos) -> list:
    """The secret MPIs after the public fields of an unprotected secret key
    packet (RFC 4880 5.5.3); a passphrase-protected one is for PGPy, which
    says why the list cannot use it."""
    if pos >= len(body) or body[pos] != 0:
        raise _Fallback
    start, pos, mpis = pos + 1, pos + 1, []
    while pos < len(body) - 2:
        value, pos = _mpi(body, pos)
        mpis.append(value)
    if pos != len(body) - 2 or \
            sum(body[start:pos]) & 0xFFFF != int.from_bytes(body[pos:], 'big'):
        raise _Fallback
    return mpis


def _verify(sig, key: _KeyPart, prefix: bytes) -> bool:
    """The mathematics of a key signature (a _sigparse.Sig) by key."""
    name = _ossl.HASH_NAMES.get(sig.halg)
    if name is None:
        return False
    data = (prefix + sig.hashed_part + b'\x04\xff'
            + len(sig.hashed_part).to_bytes(4, 'big'))
    if key.alg in (1, 2, 3) and len(sig.mpis) == 1:
        size = (key.material[0].bit_length() + 7) // 8
        return _ossl.verify(key.pub, sig.mpis[0].rjust(size, b'\0'), data,
                            name)
    if key.alg == 22 and len(sig.mpis) == 2:
        digest = hashlib.new(name.decode(), data).digest()
        return _ossl.verify(key.pub, sig.mpis[0].rjust(32, b'\0')
                            + sig.mpis[1].rjust(32, b'\0'), digest, None)
    if key.alg == 19 and len(sig.mpis) == 2:
        r, s = (int.from_bytes(m, 'big') for m in sig.mpis)
        return _ossl.verify(key.pub, _ossl.ecdsa_der(r, s), data, name)
    return False


def _checked(body, key, prefix):
    """A Sig whose mathematics is checked (once) against key over prefix;
    None if the packet cannot be read (such a signature never counts)."""
    try:
        sig = read_sig(body)
    except BadSignaturePacket:
        return None
    sig.math = lambda: _verify(sig, key, prefix)
    return sig


class FastKey:
    """The parsed shape of a simple key, public or unprotected secret."""

    def __init__(self, raw: bytes):
        packets = list(P.iter_packets(raw))
        if not packets or packets[0].tag not in (P.PUBLIC_KEY, P.SECRET_KEY):
            raise _Fallback
        self.is_secret = packets[0].tag == P.SECRET_KEY
        subkey_tag = P.SECRET_SUBKEY if self.is_secret else P.PUBLIC_SUBKEY
        self.primary = primary = _KeyPart(packets[0].body, self.is_secret)
        self.parts = {primary.keyid: primary}
        self.cert = cert = Cert(primary.as_part(), reader='packets')
        sigs = prefix = subject = None
        for p in packets[1:]:
            if p.tag == P.USER_ID:
                sigs, subject = [], primary
                prefix = primary.prefix + b'\xb4' + \
                    len(p.body).to_bytes(4, 'big') + p.body
                cert.uids.append(sigs)
            elif p.tag == subkey_tag:
                subject = _KeyPart(p.body, self.is_secret)
                part = subject.as_part()
                sigs, prefix = part.sigs, primary.prefix + subject.prefix
                self.parts[subject.keyid] = subject
                cert.subkeys.append(part)
            elif p.tag == P.SIGNATURE:
                if sigs is None:
                    raise _Fallback  # direct-key signature or revocation
                if p.version != 4 or len(p.body) < 2 or \
                        p.body[1] not in _CERTS + (0x18,):
                    raise _Fallback  # revocations: the PGPy path
                sig = _checked(p.body, primary, prefix)
                if sig is None:
                    continue
                if subject is not primary:
                    sig.back_math = (lambda b, k=subject, x=prefix:
                                     _verify(b, k, x))
                sigs.append(sig)
            else:
                raise _Fallback  # user attribute, unknown packet

    def next_change(self, now=None):
        """The first instant after now when check() may answer otherwise
        (a signature or a key part comes into force or expires), or None.
        """
        now = now_utc(now)
        times = []
        cert = self.cert
        for part, sigs in ([(cert.primary, sigs) for sigs in cert.uids]
                           + [(sub, sub.sigs) for sub in cert.subkeys]):
            times.append(part.created)
            for sig in sigs:
                times.append(sig.created)
                if sig.expires:
                    times.append(sig.expires)
                if sig.key_expiry:
                    times.append(part.created
                                 + timedelta(seconds=sig.key_expiry))
                back = sig.flags and sig.flags & 0x02 and sig.backsig
                if back:
                    times.append(back.created)
                    if back.expires:
                        times.append(back.expires)
        return min((t for t in times if t > now), default=None)

    def check(self, now=None):
        """(Usability, selfsig, {keyid: _KeyPart}), as policy decides."""
        now = now_utc(now)
        report, selfsig = policy._evaluate(self.cert, now, now)
        return report, selfsig, self.parts


def fast_key(raw: bytes):
    """A FastKey for raw public key packets, or None for the PGPy path."""
    try:
        return FastKey(raw)
    except (_Fallback, ValueError, TypeError, IndexError):
        return None
    except Exception:  # noqa: BLE001 (damaged data: let PGPy judge it)
        return None


def secret_fingerprint(body: bytes) -> str | None:
    """The fingerprint of an unprotected v4 secret key packet of the usual
    shape (its public fields only are hashed), else None."""
    try:
        return _KeyPart(body, secret=True).fpr.hex().upper()
    except (_Fallback, ValueError, TypeError, IndexError):
        return None


def public_key_body(body: bytes) -> bytes | None:
    """The public fields of a v4 key packet body, public or secret (the
    body of the matching public key packet), else None."""
    try:
        if len(body) < 8 or body[0] != 4:
            return None
        part = object.__new__(_KeyPart)
        part.alg, part.oid, part.halg, part.encalg = body[5], None, None, None
        return body[:part._public_material(body)]
    except (_Fallback, ValueError, TypeError, IndexError):
        return None


def signature_issuer(body: bytes) -> str | None:
    """The issuer key ID of a v4 signature packet body, else None."""
    try:
        return read_sig(body).issuer
    except (BadSignaturePacket, _Fallback, ValueError, TypeError,
            IndexError):
        return None
