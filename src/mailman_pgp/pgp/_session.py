"""Session keys and integrity-protected encryption, directly on cryptography.

PGPy spends most of a bulk encryption in per-recipient Python work; building
the PKESK packets here (RSA PKCS#1 v1.5, or ECDH with the RFC 6637 KDF and
AES key wrap) and the SEIPD packet in one pass is what keeps bulk and
individual encryption below gpg's time.
"""

import hashlib
import os
import struct

from mailman_pgp.pgp import _ossl
from mailman_pgp.pgp import packets as P
from mailman_pgp.pgp.errors import DecryptionError, EncryptionError, UnsupportedError

# Symmetric algorithm IDs (RFC 4880 9.2) -> key bytes.  Encryption uses AES
# only (OUR_CIPHERS, on the system's libcrypto: _ossl); decryption reads
# the older ciphers too, with cryptography (imported on use: the outgoing
# runner never decrypts).
AES128, AES192, AES256 = 7, 8, 9
KEY_SIZES = {2: 24, 3: 16, AES128: 16, AES192: 24, AES256: 32, 11: 16,
             12: 24, 13: 32}
CIPHER_NAMES = {AES128: 'AES128', AES192: 'AES192', AES256: 'AES256'}
OUR_CIPHERS = (AES256, AES192, AES128)

RSA_ALGS = (1, 2)
ECDH_ALG = 18
_KDF_HASHES = {8: 'sha256', 9: 'sha384', 10: 'sha512'}
_X25519_OID = bytes.fromhex('2B060104019755010501')
_CURVE_OIDS = {  # dotted OID (as PGPy names it) -> DER content octets
    '1.3.6.1.4.1.3029.1.5.1': _X25519_OID,
    '1.2.840.10045.3.1.7': bytes.fromhex('2A8648CE3D030107'),
    '1.3.132.0.34': bytes.fromhex('2B81040022'),
    '1.3.132.0.35': bytes.fromhex('2B81040023'),
    '1.3.36.3.3.2.8.1.1.7': bytes.fromhex('2B2403030208010107'),
    '1.3.36.3.3.2.8.1.1.11': bytes.fromhex('2B240303020801010B'),
    '1.3.36.3.3.2.8.1.1.13': bytes.fromhex('2B240303020801010D'),
}


def _decrypting_ciphers() -> dict:
    """Cipher ID -> cryptography algorithm class, for decryption."""
    from cryptography.hazmat.primitives.ciphers import algorithms
    ciphers = {AES128: algorithms.AES, AES192: algorithms.AES,
               AES256: algorithms.AES}
    try:
        from cryptography.hazmat.decrepit.ciphers import algorithms as old
        ciphers.update({2: old.TripleDES, 3: old.CAST5, 11: old.Camellia,
                        12: old.Camellia, 13: old.Camellia})
    except (ImportError, AttributeError):  # pragma: no cover
        pass
    return ciphers


def _cfb():
    try:  # cryptography >= 43 keeps CFB only among the "decrepit" modes.
        from cryptography.hazmat.decrepit.ciphers.modes import CFB
    except ImportError:  # pragma: no cover
        from cryptography.hazmat.primitives.ciphers.modes import CFB
    return CFB


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
    """Precomputed PKESK material for one encryption (sub)key: plain
    numbers and bytes (a key object per member would cost megabytes in a
    process delivering to thousands)."""

    __slots__ = ('alg', 'curve', 'encalg', 'fpr', 'halg', 'pub')

    def __init__(self, pgpy_subkey):
        from mailman_pgp.pgp._quiet import quiet
        with quiet():
            km = pgpy_subkey._key.keymaterial
            fpr = bytes.fromhex(str(pgpy_subkey.fingerprint).replace(' ', ''))
            alg = int(pgpy_subkey.key_algorithm)
            if alg in RSA_ALGS:
                self._fill(fpr, alg, (int(km.n), int(km.e)))
                return
            if alg != ECDH_ALG:
                raise EncryptionError(
                    f'The recipient key uses an algorithm ({pgpy_subkey.key_algorithm.name}) that cannot '
                    'encrypt.')
            oid = _CURVE_OIDS.get(str(km.oid.value))
            if oid == _X25519_OID:
                point = b'\x40' + bytes(km.p.x)
            elif oid in _ossl.CURVES:
                size = _ossl.CURVES[oid][1]
                point = (b'\x04' + int(km.p.x).to_bytes(size, 'big')
                         + int(km.p.y).to_bytes(size, 'big'))
            else:
                point = b''     # refused by _fill
            self._fill(fpr, alg, point, oid, int(km.kdf.halg),
                       int(km.kdf.encalg))

    @classmethod
    def from_fields(cls, fpr: bytes, alg: int, pub, oid_der=None,
                    halg=None, encalg=None):
        """A Recipient from already parsed key fields: RSA (n, e), or the
        ECDH point as the key packet has it."""
        self = cls.__new__(cls)
        self._fill(fpr, alg, pub, oid_der, halg, encalg)
        return self

    def _fill(self, fpr, alg, pub, oid_der=None, halg=None, encalg=None):
        self.fpr = fpr
        self.alg = alg
        self.curve = self.halg = self.encalg = None
        if alg in RSA_ALGS:
            self.pub = pub
            return
        if oid_der == _X25519_OID and pub[:1] == b'\x40' and len(pub) == 33:
            self.curve, self.pub = 'x25519', pub[1:]
        elif oid_der in _ossl.CURVES:
            self.curve, self.pub = 'ec', (oid_der, pub)
        else:
            raise EncryptionError('The recipient key uses an unsupported '
                                  'curve.')
        if halg not in _KDF_HASHES or encalg not in OUR_CIPHERS:
            raise EncryptionError('The recipient key has unsupported ECDH '
                                  'parameters.')
        self.halg, self.encalg = halg, encalg

    # Derived on use: thousands of recipients are kept per process.
    @property
    def keyid(self) -> bytes:
        return self.fpr[-8:]

    @property
    def kdf_hash(self) -> str:
        return _KDF_HASHES[self.halg]

    @property
    def kek_len(self) -> int:
        return KEY_SIZES[self.encalg]

    @property
    def param(self) -> bytes:
        """The KDF parameters of RFC 6637 section 8."""
        oid = _X25519_OID if self.curve == 'x25519' else self.pub[0]
        return (bytes([len(oid)]) + oid + bytes([ECDH_ALG])
                + bytes([3, 1, self.halg, self.encalg])
                + b'Anonymous Sender    ' + self.fpr)

    def pkesk(self, cipher: int, session_key: bytes, hide: bool) -> bytes:
        """Return the framed PKESK packet for this recipient."""
        m = _checksummed(cipher, session_key)
        try:
            if self.curve is None:
                fields = mpi(_ossl.rsa_encrypt(_ossl.rsa_public(*self.pub),
                                               m))
            else:
                if self.curve == 'x25519':
                    eph, shared = _ossl.x25519_agree(
                        _ossl.x25519_public(self.pub))
                    v = b'\x40' + eph
                else:
                    oid, point = self.pub
                    v, shared = _ossl.ec_agree(oid, _ossl.ec_public(oid,
                                                                    point))
                kek = _kdf(self.kdf_hash, shared, self.param, self.kek_len)
                pad = 8 - len(m) % 8
                wrapped = _ossl.aes_key_wrap(kek, m + bytes([pad]) * pad)
                fields = mpi(v) + bytes([len(wrapped)]) + wrapped
        except ValueError:
            raise EncryptionError('The recipient key cannot be encrypted '
                                  'to (damaged key material).') from None
        keyid = b'\0' * 8 if hide else self.keyid
        return P.new_packet(P.PKESK, b'\x03' + keyid + bytes([self.alg])
                            + fields)


def _kdf(hash_name: str, shared: bytes, param: bytes, length: int) -> bytes:
    return hashlib.new(hash_name, b'\0\0\0\1' + shared + param).digest()[
        :length]


def parse_pkesk(body: bytes):
    """Return (keyid bytes, algorithm) of a v3 PKESK or None if unknown."""
    if len(body) < 10 or body[0] != 3:
        return None
    return body[1:9], body[9]


def decrypt_session_key(body: bytes, pgpy_subkey):
    """Try to decrypt a PKESK with a private (sub)key: (cipher, key) or None.
    """
    from cryptography.hazmat.primitives.asymmetric import padding
    from cryptography.hazmat.primitives.keywrap import InvalidUnwrap

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
        except (ValueError, InvalidUnwrap, IndexError, struct.error,
                EncryptionError):
            return None
    if len(m) < 3:
        return None
    cipher, key, check = m[0], m[1:-2], m[-2:]
    if struct.pack('>H', sum(key) & 0xFFFF) != check:
        return None
    if cipher not in KEY_SIZES or KEY_SIZES[cipher] != len(key):
        return None
    return cipher, key


def _ecdh_unwrap(data, priv, recipient):
    from cryptography.hazmat.primitives.asymmetric import ec, x25519
    from cryptography.hazmat.primitives.keywrap import aes_key_unwrap
    bits = struct.unpack('>H', data[:2])[0]
    n = (bits + 7) // 8
    v = data[2:2 + n]
    rest = data[2 + n:]
    wrapped = rest[1:1 + rest[0]]
    if recipient.curve == 'x25519':
        if v[:1] != b'\x40':
            raise ValueError('bad point')
        shared = priv.exchange(
            x25519.X25519PublicKey.from_public_bytes(v[1:]))
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
    """Return a framed SEIPD v1 packet (AES-CFB with MDC) for plaintext."""
    if cipher not in OUR_CIPHERS or KEY_SIZES[cipher] != len(key):
        raise EncryptionError('The list encrypts with AES only.')
    prefix = os.urandom(16)
    prefix += prefix[-2:]
    body = prefix + plaintext + b'\xd3\x14'
    body += hashlib.sha1(body).digest()
    return P.new_packet(P.SEIPD, b'\x01' + _ossl.aes_cfb_encrypt(key, body))


def seipd_decrypt(cipher: int, key: bytes, body: bytes) -> bytes:
    """Decrypt a SEIPD v1 packet body and check its MDC."""
    ciphers = _decrypting_ciphers()
    if cipher not in ciphers:
        raise UnsupportedError(f'The message uses a cipher ({cipher}) this list '
                               'does not support.')
    from cryptography.hazmat.primitives.ciphers import Cipher
    cls = ciphers[cipher]
    bs = cls.block_size // 8
    if len(body) < 1 + bs + 2 + 22:
        raise DecryptionError('The encrypted data is too short; it was '
                              'damaged in transit.')
    dec = Cipher(cls(key), _cfb()(b'\0' * bs)).decryptor()
    plain = dec.update(body[1:]) + dec.finalize()
    digest = hashlib.sha1(plain[:-20]).digest()
    if plain[-22:-20] != b'\xd3\x14' or digest != plain[-20:]:
        raise DecryptionError(
            'The integrity check of the encrypted message failed: it was '
            'modified or damaged in transit, or a wrong key was used.')
    return plain[bs + 2:-22]


def new_session_key(cipher: int) -> bytes:
    return os.urandom(KEY_SIZES[cipher])
