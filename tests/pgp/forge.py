"""Hand-made OpenPGP keys and signatures for the attacks no tool will make.

Ed25519 only: a key packet, self-signatures, bindings with or without a
back-signature, and document signatures of any type, hash, date and
subpackets. Every packet follows RFC 9580 (v4); only the choices differ.
"""

import hashlib
import time

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519

from mailman_pgp.pgp import armor
from mailman_pgp.pgp import packets as P

_ED25519_OID = bytes.fromhex('2B06010401DA470F01')
_HASHES = {1: hashes.MD5, 2: hashes.SHA1, 8: hashes.SHA256,
           10: hashes.SHA512}


def mpi(data: bytes) -> bytes:
    data = data.lstrip(b'\0') or b'\0'
    return int.from_bytes(data, 'big').bit_length().to_bytes(2, 'big') + data


def subpacket(kind: int, data: bytes, critical: bool = False) -> bytes:
    body = bytes([kind | (0x80 if critical else 0)]) + data
    assert len(body) < 192
    return bytes([len(body)]) + body


def created(t: int) -> bytes:
    return subpacket(2, t.to_bytes(4, 'big'))


class EdKey:
    """An Ed25519 key part whose secret the test holds."""

    def __init__(self, when: int | None = None, body: bytes | None = None):
        self.when = int(time.time()) - 3600 if when is None else when
        self.secret = ed25519.Ed25519PrivateKey.generate()
        point = b'\x40' + self.secret.public_key().public_bytes_raw()
        self.body = body or (b'\x04' + self.when.to_bytes(4, 'big') + b'\x16'
                             + bytes([len(_ED25519_OID)]) + _ED25519_OID
                             + mpi(point))
        self.prefix = b'\x99' + len(self.body).to_bytes(2, 'big') + self.body
        self.fpr = hashlib.sha1(self.prefix).digest()
        self.keyid = self.fpr[-8:]

    @property
    def fingerprint(self) -> str:
        return self.fpr.hex().upper()

    def issuer(self) -> bytes:
        return subpacket(33, b'\x04' + self.fpr)

    def sign(self, sigtype: int, data: bytes, hashed: bytes, *,
             halg: int = 8, unhashed: bytes = b'') -> bytes:
        """A v4 signature packet body by this key over data."""
        head = bytes([4, sigtype, 22, halg]) + len(hashed).to_bytes(
            2, 'big') + hashed
        h = hashes.Hash(_HASHES[halg]())
        h.update(data + head + b'\x04\xff' + len(head).to_bytes(4, 'big'))
        digest = h.finalize()
        raw = self.secret.sign(digest)
        unhashed = unhashed or subpacket(16, self.keyid)
        return (head + len(unhashed).to_bytes(2, 'big') + unhashed
                + digest[:2] + mpi(raw[:32]) + mpi(raw[32:]))


def uid_packet(uid: bytes) -> bytes:
    return P.new_packet(P.USER_ID, uid)


def certify(primary: EdKey, uid: bytes, *, flags: int = 0x03,
            halg: int = 8, when: int | None = None, extra=b'') -> bytes:
    when = when or primary.when
    data = primary.prefix + b'\xb4' + len(uid).to_bytes(4, 'big') + uid
    hashed = created(when) + subpacket(27, bytes([flags])) + \
        primary.issuer() + extra
    return P.new_packet(P.SIGNATURE, primary.sign(0x13, data, hashed,
                                                  halg=halg))


def backsig(sub: EdKey, primary_prefix: bytes, when: int) -> bytes:
    """A primary key binding (0x19) body by sub for primary_prefix."""
    return sub.sign(0x19, primary_prefix + sub.prefix,
                    created(when) + sub.issuer())


def bind(primary: EdKey, sub_body: bytes, *, flags: int,
         embedded: bytes | None = None, halg: int = 8,
         when: int | None = None) -> bytes:
    """A subkey binding (0x18) by primary, with embedded as back-sig."""
    when = when or primary.when
    sub_prefix = b'\x99' + len(sub_body).to_bytes(2, 'big') + sub_body
    hashed = created(when) + subpacket(27, bytes([flags])) + primary.issuer()
    if embedded is not None:
        hashed += bytes([len(embedded) + 1]) + b'\x20' + embedded \
            if len(embedded) + 1 < 192 else _long(32, embedded)
    return P.new_packet(P.SIGNATURE, primary.sign(
        0x18, primary.prefix + sub_prefix, hashed, halg=halg))


def _long(kind, data):
    n = len(data) + 1 - 192
    return bytes([(n >> 8) + 192, n & 0xFF, kind]) + data


def public_key(primary: EdKey, uid: bytes, parts=(), **certify_kw) -> bytes:
    """Binary key: primary, one user ID, then (subkey body, binding)."""
    out = P.new_packet(P.PUBLIC_KEY, primary.body) + uid_packet(uid) + \
        certify(primary, uid, **certify_kw)
    for body, binding in parts:
        out += P.new_packet(P.PUBLIC_SUBKEY, body) + binding
    return out


def armored(binary: bytes) -> str:
    return armor(binary, 'PUBLIC KEY BLOCK')


def document_sig(key: EdKey, data: bytes, *, sigtype: int = 0x00,
                 halg: int = 8, when: int | None = None,
                 extra: bytes = b'') -> bytes:
    """A detached signature packet by key over data (binary form)."""
    when = int(time.time()) - 60 if when is None else when
    hashed = created(when) + key.issuer() + extra
    body = data if sigtype in (0x00,) else (
        data.replace(b'\r\n', b'\n').replace(b'\n', b'\r\n')
        if sigtype == 0x01 else b'')
    return P.new_packet(P.SIGNATURE, key.sign(sigtype, body, hashed,
                                              halg=halg))
