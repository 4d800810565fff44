"""A fast path for the common public key: usability and recipient material
straight from the packets, without building PGPy objects.

PGPy spends about a millisecond parsing and checking each key; a list
re-reading a thousand member keys pays a second for it. This module reads
the usual shape (v4 primary key, user IDs with self-certifications,
subkeys with binding signatures; RSA, EdDSA, ECDSA, ECDH) and verifies the
self-signatures with cryptography directly. Anything else (revocations,
direct-key signatures, user attributes, critical unknown subpackets, weak
or unknown algorithms) returns None and the caller uses the PGPy path,
which gives the same answers (tests/pgp/test_pgp_fastkey.py compares them).
"""

import hashlib
from datetime import datetime, timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import (
    ec, padding, rsa)
from cryptography.hazmat.primitives.asymmetric.utils import (
    encode_dss_signature)

from mailman_pgp.pgp import packets as P
from mailman_pgp.pgp._keyparse import UTC, now_utc
from mailman_pgp.pgp._session import (
    Recipient, ed25519_public_key, x25519_public_key)
from mailman_pgp.pgp.usability import RSA_MIN_BITS, Usability

_ED25519 = bytes.fromhex('2B06010401DA470F01')
_CV25519 = bytes.fromhex('2B060104019755010501')
_CURVES = {
    bytes.fromhex('2A8648CE3D030107'): ec.SECP256R1,
    bytes.fromhex('2B81040022'): ec.SECP384R1,
    bytes.fromhex('2B81040023'): ec.SECP521R1,
    bytes.fromhex('2B2403030208010107'): ec.BrainpoolP256R1,
    bytes.fromhex('2B240303020801010B'): ec.BrainpoolP384R1,
    bytes.fromhex('2B240303020801010D'): ec.BrainpoolP512R1,
}
_HASHES = {2: hashes.SHA1, 8: hashes.SHA256, 9: hashes.SHA384,
           10: hashes.SHA512, 11: hashes.SHA224}
_KNOWN_SUBPACKETS = {2, 3, 5, 6, 7, 9, 11, 16, 20, 21, 22, 23, 24, 25, 26,
                     27, 28, 29, 30, 31, 32, 33, 34, 35}
_SIGN_ALGS = {1, 3, 17, 19, 22}
_ENCRYPT_ALGS = {1, 2, 16, 18}
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
    """A v4 key packet: algorithm, creation, cryptography public key and,
    for an unprotected secret key packet, its secret MPIs."""

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
            if n.bit_length() < RSA_MIN_BITS:
                raise _Fallback
            self.pub = rsa.RSAPublicNumbers(e, n).public_key()
            return pos
        if alg in (18, 19, 22):
            self.oid, pos = _oid(body, 6)
            point, pos = _mpi(body, pos)
            if alg == 22:
                if self.oid != _ED25519 or point[:1] != b'\x40':
                    raise _Fallback
                self.pub = ed25519_public_key(point[1:])
            elif alg == 18 and self.oid == _CV25519:
                if point[:1] != b'\x40':
                    raise _Fallback
                self.pub = x25519_public_key(point[1:])
            elif self.oid in _CURVES:
                self.pub = ec.EllipticCurvePublicKey.from_encoded_point(
                    _CURVES[self.oid](), point)
            else:
                raise _Fallback
            if alg == 18:
                if body[pos:pos + 2] != b'\x03\x01' or len(body) < pos + 4:
                    raise _Fallback
                self.halg, self.encalg = body[pos + 2], body[pos + 3]
                pos += 4
            return pos
        raise _Fallback

    def recipient(self):
        return Recipient.from_fields(self.fpr, self.alg, self.pub, self.oid,
                                     self.halg, self.encalg)


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


def _subpackets(data):
    out, pos = [], 0
    while pos < len(data):
        o = data[pos]
        if o < 192:
            n, pos = o, pos + 1
        elif o < 255:
            if pos + 1 >= len(data):
                raise _Fallback
            n, pos = ((o - 192) << 8) + data[pos + 1] + 192, pos + 2
        else:
            n, pos = int.from_bytes(data[pos + 1:pos + 5], 'big'), pos + 5
        if n == 0 or pos + n > len(data):
            raise _Fallback
        out.append((data[pos] & 0x7F, data[pos] & 0x80, data[pos + 1:pos + n]))
        pos += n
    return out


class _Sig:
    """A v4 signature packet, its subpackets read."""

    def __init__(self, body: bytes):
        if len(body) < 10 or body[0] != 4:
            raise _Fallback
        self.type, self.pkalg, self.halg = body[1], body[2], body[3]
        hlen = int.from_bytes(body[4:6], 'big')
        self.hashed_part = body[:6 + hlen]
        ulen = int.from_bytes(body[6 + hlen:8 + hlen], 'big')
        rest = 8 + hlen + ulen
        if rest + 2 > len(body):
            raise _Fallback
        self.left16 = body[rest:rest + 2]
        self.mpis, pos = [], rest + 2
        while pos < len(body):
            value, pos = _mpi(body, pos)
            self.mpis.append(value)
        hashed = _subpackets(body[6:6 + hlen])
        unhashed = _subpackets(body[8 + hlen:rest])
        self.created = self.sig_exp = self.key_exp = None
        self.flags, self.prefs, self.primary = 0, (), False
        self.issuer, self.backsig = None, False
        for kind, critical, data in hashed:
            if kind not in _KNOWN_SUBPACKETS:
                if critical:
                    raise _Fallback
                continue
            if kind == 2:
                self.created = datetime.fromtimestamp(
                    int.from_bytes(data, 'big'), UTC)
            elif kind == 3:
                self.sig_exp = int.from_bytes(data, 'big')
            elif kind == 9:
                self.key_exp = int.from_bytes(data, 'big')
            elif kind == 11:
                self.prefs = tuple(data)
            elif kind == 27:
                self.flags = data[0] if data else 0
            elif kind == 25:
                self.primary = bool(data and data[0])
            elif kind == 32:
                self.backsig = True
            elif kind == 16:
                self.issuer = data.hex().upper()
            elif kind == 33 and len(data) == 21:
                self.issuer = data[-8:].hex().upper()
        for kind, _, data in unhashed:
            if kind == 32:
                self.backsig = True
            elif kind == 16 and self.issuer is None:
                self.issuer = data.hex().upper()
            elif kind == 33 and len(data) == 21 and self.issuer is None:
                self.issuer = data[-8:].hex().upper()
        if self.created is None or self.issuer is None:
            raise _Fallback

    def current(self, now) -> bool:
        if self.created > now:
            return False
        return not (self.sig_exp and
                    self.created + timedelta(seconds=self.sig_exp) <= now)

    def verify(self, key: _KeyPart, prefix: bytes) -> bool:
        algo = _HASHES.get(self.halg)
        if algo is None:
            return False
        data = (prefix + self.hashed_part + b'\x04\xff'
                + len(self.hashed_part).to_bytes(4, 'big'))
        try:
            if key.alg in (1, 2, 3) and len(self.mpis) == 1:
                size = (key.pub.key_size + 7) // 8
                key.pub.verify(self.mpis[0].rjust(size, b'\0'), data,
                               padding.PKCS1v15(), algo())
            elif key.alg == 22 and len(self.mpis) == 2:
                h = hashes.Hash(algo())
                h.update(data)
                key.pub.verify(self.mpis[0].rjust(32, b'\0')
                               + self.mpis[1].rjust(32, b'\0'), h.finalize())
            elif key.alg == 19 and len(self.mpis) == 2:
                r, s = (int.from_bytes(m, 'big') for m in self.mpis)
                key.pub.verify(encode_dss_signature(r, s), data,
                               ec.ECDSA(algo()))
            else:
                return False
        except (InvalidSignature, ValueError, TypeError):
            return False
        return True


class FastKey:
    """The parsed shape of a simple key, public or unprotected secret."""

    def __init__(self, raw: bytes):
        packets = list(P.iter_packets(raw))
        if not packets or packets[0].tag not in (P.PUBLIC_KEY, P.SECRET_KEY):
            raise _Fallback
        self.is_secret = packets[0].tag == P.SECRET_KEY
        subkey_tag = P.SECRET_SUBKEY if self.is_secret else P.PUBLIC_SUBKEY
        self.primary = _KeyPart(packets[0].body, self.is_secret)
        self.uids, self.subkeys = [], []
        current = None
        for p in packets[1:]:
            if p.tag == P.USER_ID:
                current = (p.body, [])
                self.uids.append(current)
            elif p.tag == subkey_tag:
                current = (_KeyPart(p.body, self.is_secret), [])
                self.subkeys.append(current)
            elif p.tag == P.SIGNATURE:
                if current is None:
                    raise _Fallback  # direct-key signature or revocation
                sig = _Sig(p.body)
                if sig.type not in _CERTS + (0x18,):
                    raise _Fallback
                current[1].append(sig)
            else:
                raise _Fallback  # user attribute, unknown packet

    def next_change(self, now=None):
        """The first instant after now when check() may answer otherwise
        (a signature or a key part comes into force or expires), or None.
        """
        now = now_utc(now)
        times = []
        for part, sigs in ([(self.primary, sigs) for _, sigs in self.uids]
                           + self.subkeys):
            for sig in sigs:
                times.append(sig.created)
                if sig.sig_exp:
                    times.append(sig.created + timedelta(seconds=sig.sig_exp))
                if sig.key_exp:
                    times.append(part.created
                                 + timedelta(seconds=sig.key_exp))
        return min((t for t in times if t > now), default=None)

    def _valid(self, sig, prefix, now):
        return (sig.issuer == self.primary.keyid and sig.current(now)
                and sig.verify(self.primary, prefix))

    def check(self, now=None):
        """(Usability, selfsig, {keyid: _KeyPart}) like usability._check."""
        return self._check(now_utc(now))

    def _check(self, now):
        primary, reasons = self.primary, []
        best = None
        for uid, sigs in self.uids:
            prefix = primary.prefix + b'\xb4' + len(uid).to_bytes(4, 'big') \
                + uid
            certs = [s for s in sigs if s.type in _CERTS
                     and self._valid(s, prefix, now)]
            if not certs:
                continue
            cert = max(certs, key=lambda s: s.created)
            own = [s for s in sigs if s.issuer == primary.keyid]
            newest = max(own, key=lambda s: s.created)
            rank = (newest.primary, cert.created)
            if best is None or rank > best[0]:
                best = (rank, cert)
        if best is None:
            reasons.append('The key has no valid (self-signed, unrevoked) '
                           'user ID.')
        selfsig = best[1] if best else None
        expires_at = None
        if selfsig is not None and selfsig.key_exp:
            expires_at = primary.created + timedelta(seconds=selfsig.key_exp)
        expired = expires_at is not None and expires_at <= now
        if expired:
            reasons.append(f'The key expired on {expires_at:%Y-%m-%d}.')
        enc, sign, expired_ids, bound = [], [], [], []
        parts = {primary.keyid: primary}
        ok = selfsig is not None and not expired
        if ok:
            if selfsig.flags & 0x02 and primary.alg in _SIGN_ALGS:
                sign.append(primary.keyid)
            if selfsig.flags & 0x0C and primary.alg in _ENCRYPT_ALGS:
                enc.append(primary.keyid)
        for sub, sigs in self.subkeys:
            parts[sub.keyid] = sub
            prefix = primary.prefix + sub.prefix
            binds = [s for s in sigs if s.type == 0x18
                     and self._valid(s, prefix, now)]
            if not binds:
                continue
            bind = max(binds, key=lambda s: s.created)
            bound.append(sub.keyid)
            if bind.key_exp and \
                    sub.created + timedelta(seconds=bind.key_exp) <= now:
                expired_ids.append(sub.keyid)
                continue
            if not ok:
                continue
            if bind.flags & 0x0C and sub.alg in _ENCRYPT_ALGS:
                enc.append(sub.keyid)
            if bind.flags & 0x02 and sub.alg in _SIGN_ALGS:
                if bind.backsig:
                    sign.append(sub.keyid)
                else:
                    reasons.append(f'Signing subkey {sub.keyid} lacks its '
                                   'back signature.')
        if ok and not enc:
            reasons.append('The key has no usable encryption subkey.')
        if ok and not sign:
            reasons.append('The key has no usable signing key.')
        report = Usability(bool(enc), bool(sign), expired, False, reasons,
                           expires_at, enc, sign, [], expired_ids, bound)
        return report, selfsig, parts


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
