"""OpenPGP packets built by hand, for signatures no tool will make.

Just enough of RFC 4880/9580 to write v4 (and v3) keys, user IDs and
signatures of any type, hash, time and subpacket content, including
wrong ones: the corpus needs forged back-signatures, critical unknown
subpackets and SHA-1 self-signatures, which gpg and Sequoia refuse to make.
Ed25519 and ECDSA keys come from fixed seeds, RSA keys from the PEM files
next to this module, so the corpus is the same on every run.
"""

import hashlib
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, x25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    Prehashed, decode_dss_signature)

from mailman_pgp.pgp.packets import new_packet as packet

KEYS_DIR = Path(__file__).with_name('keys')
HALG = {'MD5': 1, 'SHA1': 2, 'RIPEMD160': 3, 'SHA256': 8, 'SHA384': 9,
        'SHA512': 10, 'SHA224': 11}
# EMSA-PKCS1-v1_5 DigestInfo prefixes (RFC 4880 5.2.2).
_DIGEST_INFO = {
    'MD5': '3020300c06082a864886f70d020505000410',
    'SHA1': '3021300906052b0e03021a05000414',
    'RIPEMD160': '3021300906052b2403020105000414',
    'SHA224': '302d300d06096086480165030402040500041c',
    'SHA256': '3031300d060960864801650304020105000420',
    'SHA384': '3041300d060960864801650304020205000430',
    'SHA512': '3051300d060960864801650304020305000440',
}
_ED25519_OID = bytes.fromhex('2B06010401DA470F01')
_CV25519_OID = bytes.fromhex('2B060104019755010501')
_P256_OID = bytes.fromhex('2A8648CE3D030107')
SIGN, CERTIFY, ENCRYPT = 0x02, 0x01, 0x0C
# Who made the last signature (hand_cases reads it to sign again now).
LAST_SIGNER = []


def digest(halg: str, data: bytes) -> bytes:
    return hashlib.new(halg.lower(), data).digest()


def mpi(value) -> bytes:
    if isinstance(value, bytes):
        value = int.from_bytes(value, 'big')
    return value.bit_length().to_bytes(2, 'big') + value.to_bytes(
        (value.bit_length() + 7) // 8, 'big')


def old_packet(tag: int, body: bytes) -> bytes:
    """An old-format packet (as v3 signatures were written)."""
    if len(body) < 256:
        return bytes([0x80 | tag << 2, len(body)]) + body
    return bytes([0x81 | tag << 2]) + len(body).to_bytes(2, 'big') + body


@cache
def _rsa(name):
    return serialization.load_pem_private_key(
        (KEYS_DIR / f'{name}.pem').read_bytes(), None)


def _seed(name) -> bytes:
    return hashlib.sha256(b'mailman-pgp differential ' + name.encode()).digest()


class KeyPart:
    """A primary key or subkey: its v4 packet body and how it signs."""

    def __init__(self, kind: str, name: str, created: int):
        self.kind, self.name, self.created = kind, name, created
        seed = _seed(name)
        if kind == 'ed25519':
            self.priv = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
            point = b'\x40' + self.priv.public_key().public_bytes_raw()
            self.alg, material = 22, bytes([9]) + _ED25519_OID + mpi(point)
        elif kind == 'cv25519':
            self.priv = x25519.X25519PrivateKey.from_private_bytes(seed)
            point = b'\x40' + self.priv.public_key().public_bytes_raw()
            self.alg = 18
            material = bytes([10]) + _CV25519_OID + mpi(point) + \
                b'\x03\x01\x08\x07'
        elif kind == 'p256':
            self.priv = ec.derive_private_key(
                int.from_bytes(seed, 'big') % (2 ** 255), ec.SECP256R1())
            point = self.priv.public_key().public_bytes(
                serialization.Encoding.X962,
                serialization.PublicFormat.UncompressedPoint)
            self.alg, material = 19, bytes([8]) + _P256_OID + mpi(point)
        elif kind.startswith('rsa'):
            self.priv = _rsa(kind)
            pub = self.priv.public_key().public_numbers()
            self.alg, material = 1, mpi(pub.n) + mpi(pub.e)
        else:
            raise ValueError(kind)
        self.body = bytes([4]) + created.to_bytes(4, 'big') + \
            bytes([self.alg]) + material
        self.prefix = b'\x99' + len(self.body).to_bytes(2, 'big') + self.body
        self.fpr = hashlib.sha1(self.prefix).digest()
        self.keyid = self.fpr[-8:]

    def packet(self, subkey=False) -> bytes:
        return packet(14 if subkey else 6, self.body)

    def sign_digest(self, halg: str, value: bytes) -> bytes:
        """The signature MPIs over a digest."""
        if self.kind == 'ed25519':
            sig = self.priv.sign(value)
            return mpi(sig[:32]) + mpi(sig[32:])
        if self.kind == 'p256':
            algo = {'SHA256': hashes.SHA256, 'SHA384': hashes.SHA384,
                    'SHA512': hashes.SHA512}[halg]()
            r, s = decode_dss_signature(self.priv.sign(
                value, ec.ECDSA(Prehashed(algo))))
            return mpi(r) + mpi(s)
        if self.kind.startswith('rsa'):
            numbers = self.priv.private_numbers()
            n, d = numbers.public_numbers.n, numbers.d
            size = (n.bit_length() + 7) // 8
            info = bytes.fromhex(_DIGEST_INFO[halg]) + value
            em = b'\x00\x01' + b'\xff' * (size - len(info) - 3) + b'\x00' \
                + info
            return mpi(pow(int.from_bytes(em, 'big'), d, n))
        raise ValueError(f'{self.kind} cannot sign')


# -- subpackets --------------------------------------------------------
def sp(kind: int, data: bytes, critical: bool = False) -> bytes:
    body = bytes([kind | (0x80 if critical else 0)]) + data
    n = len(body)
    if n < 192:
        return bytes([n]) + body
    n -= 192
    return bytes([(n >> 8) + 192, n & 0xFF]) + body


def created(t: int) -> bytes:
    return sp(2, t.to_bytes(4, 'big'))


def sig_expires(seconds: int) -> bytes:
    return sp(3, seconds.to_bytes(4, 'big'))


def key_expires(seconds: int) -> bytes:
    return sp(9, seconds.to_bytes(4, 'big'))


def issuer(k: KeyPart) -> bytes:
    return sp(16, k.keyid)


def issuer_fpr(k: KeyPart) -> bytes:
    return sp(33, b'\x04' + k.fpr)


def key_flags(flags: int, critical=False) -> bytes:
    return sp(27, bytes([flags]), critical)


def reason(code: int, text: bytes = b'') -> bytes:
    return sp(29, bytes([code]) + text)


def notation(name: bytes, value: bytes, critical=False) -> bytes:
    return sp(20, b'\x80\x00\x00\x00' + len(name).to_bytes(2, 'big')
              + len(value).to_bytes(2, 'big') + name + value, critical)


def embedded(sig_packet: bytes) -> bytes:
    """An Embedded Signature subpacket holding a signature packet's body."""
    return sp(32, sig_packet[3:] if sig_packet[1] >= 192 else sig_packet[2:])


# -- signatures ---------------------------------------------------------
def signature(signer: KeyPart, sigtype: int, hashed_prefix: bytes, *,
              hashed=None, unhashed=None, t=None, halg='SHA256',
              pkalg=None, tamper=False) -> bytes:
    """A v4 signature packet by signer over hashed_prefix.

    hashed defaults to creation time t and the issuer fingerprint,
    unhashed to the issuer key ID; tamper flips a bit of the signature
    after signing.
    """
    if hashed is None:
        hashed = [created(t), issuer_fpr(signer)]
    if unhashed is None:
        unhashed = [issuer(signer)]
    sub = b''.join(hashed)
    head = bytes([4, sigtype, pkalg or signer.alg, HALG[halg]]) + \
        len(sub).to_bytes(2, 'big') + sub
    value = digest(halg, hashed_prefix + head + b'\x04\xff'
                   + len(head).to_bytes(4, 'big'))
    mpis = signer.sign_digest(halg, value)
    LAST_SIGNER[:] = [signer]
    if tamper:
        mpis = mpis[:-1] + bytes([mpis[-1] ^ 0x01])
    un = b''.join(unhashed)
    return packet(2, head + len(un).to_bytes(2, 'big') + un + value[:2]
                  + mpis)


def v3_signature(signer: KeyPart, sigtype: int, data: bytes, t: int,
                 halg='SHA256') -> bytes:
    """A v3 signature packet (RFC 4880 5.2.2)."""
    value = digest(halg, data + bytes([sigtype]) + t.to_bytes(4, 'big'))
    LAST_SIGNER[:] = [signer]
    body = bytes([3, 5, sigtype]) + t.to_bytes(4, 'big') + signer.keyid + \
        bytes([signer.alg, HALG[halg]]) + value[:2] + \
        signer.sign_digest(halg, value)
    return old_packet(2, body)


def uid_prefix(primary: KeyPart, uid: bytes) -> bytes:
    return primary.prefix + b'\xb4' + len(uid).to_bytes(4, 'big') + uid


def text_canonical(data: bytes) -> bytes:
    """Line endings as CRLF, the canonical text of a 0x01 signature."""
    return data.replace(b'\r\n', b'\n').replace(b'\n', b'\r\n')
