"""Session keys and integrity-protected encryption, directly on cryptography.

PGPy spends most of a bulk encryption in per-recipient Python work; building
the PKESK packets here (RSA PKCS#1 v1.5, or ECDH with the RFC 6637 KDF and
AES key wrap) and the SEIPD packet in one pass is what keeps bulk and
individual encryption below gpg's time.
"""

import hashlib
import os
import struct

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import (
    ec, ed25519, padding, rsa, x25519)
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
from cryptography.hazmat.primitives.keywrap import (
    InvalidUnwrap,
    aes_key_unwrap,
    aes_key_wrap,
)

from mailman_pgp.pgp import packets as P
from mailman_pgp.pgp.errors import DecryptionError, EncryptionError, UnsupportedError

try:  # cryptography >= 43 keeps CFB only among the "decrepit" modes.
    from cryptography.hazmat.decrepit.ciphers.modes import CFB
except ImportError:  # pragma: no cover
    from cryptography.hazmat.primitives.ciphers.modes import CFB

# Symmetric algorithm IDs (RFC 4880 9.2) -> (cryptography class, key bytes).
AES128, AES192, AES256 = 7, 8, 9
CIPHERS = {AES128: (algorithms.AES, 16), AES192: (algorithms.AES, 24),
           AES256: (algorithms.AES, 32)}
try:
    from cryptography.hazmat.decrepit.ciphers import algorithms as _old
    CIPHERS.update({2: (_old.TripleDES, 24), 3: (_old.CAST5, 16),
                    11: (_old.Camellia, 16), 12: (_old.Camellia, 24),
                    13: (_old.Camellia, 32)})
except (ImportError, AttributeError):  # pragma: no cover
    pass
# X25519 and Ed25519 keys made without cryptography's public classmethods:
# before cryptography 47 those import its legacy OpenSSL backend (2.3 MiB in
# every process that signs with or encrypts to a Curve25519 key) only to ask
# whether the curve is supported, which it always is in the OpenSSL
# cryptography ships with.
try:
    from cryptography.hazmat.bindings._rust import openssl as _rust_openssl
    x25519_public_key = _rust_openssl.x25519.from_public_bytes
    x25519_generate = _rust_openssl.x25519.generate_key
    ed25519_public_key = _rust_openssl.ed25519.from_public_bytes
    ed25519_private_key = _rust_openssl.ed25519.from_private_bytes
except (ImportError, AttributeError):  # pragma: no cover
    x25519_public_key = x25519.X25519PublicKey.from_public_bytes
    x25519_generate = x25519.X25519PrivateKey.generate
    ed25519_public_key = ed25519.Ed25519PublicKey.from_public_bytes
    ed25519_private_key = ed25519.Ed25519PrivateKey.from_private_bytes

CIPHER_NAMES = {AES128: 'AES128', AES192: 'AES192', AES256: 'AES256'}
OUR_CIPHERS = (AES256, AES192, AES128)

RSA_ALGS = (1, 2)
ECDH_ALG = 18
_HASHES = {8: hashes.SHA256, 9: hashes.SHA384, 10: hashes.SHA512}
_CURVE_OIDS = {  # dotted OID -> DER content octets
    '1.3.6.1.4.1.3029.1.5.1': bytes.fromhex('2B060104019755010501'),
    '1.2.840.10045.3.1.7': bytes.fromhex('2A8648CE3D030107'),
    '1.3.132.0.34': bytes.fromhex('2B81040022'),
    '1.3.132.0.35': bytes.fromhex('2B81040023'),
    '1.3.36.3.3.2.8.1.1.7': bytes.fromhex('2B2403030208010107'),
    '1.3.36.3.3.2.8.1.1.11': bytes.fromhex('2B240303020801010B'),
    '1.3.36.3.3.2.8.1.1.13': bytes.fromhex('2B240303020801010D'),
}


def _raw(public_key) -> bytes:
    """The raw bytes of an X25519 public key (``public_bytes_raw()`` needs
    cryptography 40; this spelling keeps older releases working)."""
    return public_key.public_bytes(serialization.Encoding.Raw,
                                   serialization.PublicFormat.Raw)


def mpi(value: int | bytes) -> bytes:
    """Encode an OpenPGP multiprecision integer."""
    if isinstance(value, int):
        value = value.to_bytes((value.bit_length() + 7) // 8 or 1, 'big')
    value = value.lstrip(b'\0') or b'\0'
    bits = (len(value) - 1) * 8 + value[0].bit_length()
    return struct.pack('>H', bits) + value


def _checksummed(cipher: int, key: bytes) -> bytes:
    return bytes([cipher]) + key + struct.pack('>H', sum(key) & 0xFFFF)


class Recipient:
    """Precomputed PKESK material for one encryption (sub)key."""

    __slots__ = (
        'alg',
        'curve',
        'kdf_hash',
        'kek_len',
        'keyid',
        'param',
        'pub',
    )

    def __init__(self, pgpy_subkey):
        from mailman_pgp.pgp._quiet import quiet
        with quiet():
            km = pgpy_subkey._key.keymaterial
            self.keyid = bytes.fromhex(
                str(pgpy_subkey.fingerprint).replace(' ', '')[-16:])
            self.alg = int(pgpy_subkey.key_algorithm)
            self.curve = None
            if self.alg in RSA_ALGS:
                self.pub = rsa.RSAPublicNumbers(int(km.e), int(km.n))
                return
            if self.alg != ECDH_ALG:
                raise EncryptionError(
                    f'The recipient key uses an algorithm ({pgpy_subkey.key_algorithm.name}) that cannot '
                    'encrypt.')
            oid = str(km.oid.value)
            if oid.endswith('3029.1.5.1'):
                self.curve = 'x25519'
                self.pub = bytes(km.p.x)
            else:
                self.curve = 'ec'
                self.pub = ec.EllipticCurvePublicNumbers(
                    int(km.p.x), int(km.p.y), km.oid.curve())
            halg = int(km.kdf.halg)
            encalg = int(km.kdf.encalg)
            if halg not in _HASHES or encalg not in CIPHERS:
                raise EncryptionError('The recipient key has unsupported '
                                      'ECDH parameters.')
            self.kdf_hash = _HASHES[halg]
            self.kek_len = CIPHERS[encalg][1]
            fpr = bytes.fromhex(str(pgpy_subkey.fingerprint).replace(' ', ''))
            der = _CURVE_OIDS[oid]
            self.param = (bytes([len(der)]) + der + bytes([ECDH_ALG])
                          + bytes([3, 1, halg, encalg])
                          + b'Anonymous Sender    ' + fpr)

    @classmethod
    def from_fields(cls, fpr: bytes, alg: int, pub, oid_der=None,
                    halg=None, encalg=None):
        """A Recipient from already parsed key fields (no pgpy object)."""
        self = cls.__new__(cls)
        self.keyid = fpr[-8:]
        self.alg = alg
        self.curve = None
        if alg in RSA_ALGS:
            self.pub = pub.public_numbers()
            return self
        if isinstance(pub, x25519.X25519PublicKey):
            self.curve, self.pub = 'x25519', _raw(pub)
        else:
            self.curve, self.pub = 'ec', pub.public_numbers()
        if halg not in _HASHES or encalg not in CIPHERS:
            raise EncryptionError('The recipient key has unsupported ECDH '
                                  'parameters.')
        self.kdf_hash = _HASHES[halg]
        self.kek_len = CIPHERS[encalg][1]
        self.param = (bytes([len(oid_der)]) + oid_der + bytes([ECDH_ALG])
                      + bytes([3, 1, halg, encalg])
                      + b'Anonymous Sender    ' + fpr)
        return self

    def _public_key(self):
        """The cryptography key, built per use (a few microseconds): a
        thousand keys kept in OpenSSL, with the tables it adds to RSA keys
        on first use, cost megabytes."""
        if self.curve == 'x25519':
            return x25519_public_key(self.pub)
        return self.pub.public_key()

    def pkesk(self, cipher: int, session_key: bytes, hide: bool) -> bytes:
        """Return the framed PKESK packet for this recipient."""
        m = _checksummed(cipher, session_key)
        pub = self._public_key()
        if self.curve is None:
            fields = mpi(pub.encrypt(m, padding.PKCS1v15()))
        else:
            if self.curve == 'x25519':
                eph = x25519_generate()
                shared = eph.exchange(pub)
                v = b'\x40' + _raw(eph.public_key())
            else:
                eph = ec.generate_private_key(pub.curve)
                shared = eph.exchange(ec.ECDH(), pub)
                v = eph.public_key().public_bytes(
                    serialization.Encoding.X962,
                    serialization.PublicFormat.UncompressedPoint)
            kek = _kdf(self.kdf_hash, shared, self.param, self.kek_len)
            pad = 8 - len(m) % 8
            wrapped = aes_key_wrap(kek, m + bytes([pad]) * pad)
            fields = mpi(v) + bytes([len(wrapped)]) + wrapped
        keyid = b'\0' * 8 if hide else self.keyid
        return P.new_packet(P.PKESK, b'\x03' + keyid + bytes([self.alg])
                            + fields)


def _kdf(hash_cls, shared: bytes, param: bytes, length: int) -> bytes:
    h = hashes.Hash(hash_cls())
    h.update(b'\0\0\0\1' + shared + param)
    return h.finalize()[:length]


def parse_pkesk(body: bytes):
    """Return (keyid bytes, algorithm) of a v3 PKESK or None if unknown."""
    if len(body) < 10 or body[0] != 3:
        return None
    return body[1:9], body[9]


def decrypt_session_key(body: bytes, pgpy_subkey):
    """Try to decrypt a PKESK with a private (sub)key: (cipher, key) or None.
    """
    from mailman_pgp.pgp._quiet import quiet
    with quiet():
        km = pgpy_subkey._key.keymaterial
        priv = km.__privkey__()
        alg = body[9]
        data = body[10:]
        try:
            if alg in RSA_ALGS:
                bits = struct.unpack('>H', data[:2])[0]
                c = data[2:2 + (bits + 7) // 8]
                size = (priv.key_size + 7) // 8
                m = priv.decrypt(c.rjust(size, b'\0'), padding.PKCS1v15())
            elif alg == ECDH_ALG:
                m = _ecdh_unwrap(data, priv, Recipient(pgpy_subkey))
            else:
                return None
        except (ValueError, InvalidUnwrap, IndexError, struct.error):
            return None
    if len(m) < 3:
        return None
    cipher, key, check = m[0], m[1:-2], m[-2:]
    if struct.pack('>H', sum(key) & 0xFFFF) != check:
        return None
    if cipher not in CIPHERS or CIPHERS[cipher][1] != len(key):
        return None
    return cipher, key


def _ecdh_unwrap(data, priv, recipient):
    bits = struct.unpack('>H', data[:2])[0]
    n = (bits + 7) // 8
    v = data[2:2 + n]
    rest = data[2 + n:]
    wrapped = rest[1:1 + rest[0]]
    if recipient.curve == 'x25519':
        if v[:1] != b'\x40':
            raise ValueError('bad point')
        shared = priv.exchange(x25519_public_key(v[1:]))
    else:
        pub = ec.EllipticCurvePublicKey.from_encoded_point(priv.curve, v)
        shared = priv.exchange(ec.ECDH(), pub)
    kek = _kdf(recipient.kdf_hash, shared, recipient.param, recipient.kek_len)
    m = aes_key_unwrap(kek, wrapped)
    pad = m[-1]
    if not 1 <= pad <= 8 or m[-pad:] != bytes([pad]) * pad:
        raise ValueError('bad padding')
    return m[:-pad]


def seipd_encrypt(cipher: int, key: bytes, plaintext: bytes) -> bytes:
    """Return a framed SEIPD v1 packet (CFB with MDC) for plaintext."""
    cls, _ = CIPHERS[cipher]
    bs = cls.block_size // 8
    prefix = os.urandom(bs)
    prefix += prefix[-2:]
    body = prefix + plaintext + b'\xd3\x14'
    body += hashlib.sha1(body).digest()
    enc = Cipher(cls(key), CFB(b'\0' * bs)).encryptor()
    return P.new_packet(P.SEIPD, b'\x01' + enc.update(body) + enc.finalize())


def seipd_decrypt(cipher: int, key: bytes, body: bytes) -> bytes:
    """Decrypt a SEIPD v1 packet body and check its MDC."""
    if cipher not in CIPHERS:
        raise UnsupportedError(f'The message uses a cipher ({cipher}) this list '
                               'does not support.')
    cls, _ = CIPHERS[cipher]
    bs = cls.block_size // 8
    if len(body) < 1 + bs + 2 + 22:
        raise DecryptionError('The encrypted data is too short; it was '
                              'damaged in transit.')
    dec = Cipher(cls(key), CFB(b'\0' * bs)).decryptor()
    plain = dec.update(body[1:]) + dec.finalize()
    digest = hashlib.sha1(plain[:-20]).digest()
    if plain[-22:-20] != b'\xd3\x14' or digest != plain[-20:]:
        raise DecryptionError(
            'The integrity check of the encrypted message failed: it was '
            'modified or damaged in transit, or a wrong key was used.')
    return plain[bs + 2:-22]


def new_session_key(cipher: int) -> bytes:
    return os.urandom(CIPHERS[cipher][1])
