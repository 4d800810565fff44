"""The public-key and cipher operations of delivery, on the system's libcrypto.

The outgoing runner reads member keys, checks their self-signatures, signs
with the list key and encrypts a copy per member.  With cryptography those
few calls load its compiled library, 8.7 MiB of resident memory in the
process that already holds every member's key.  Python's own hashlib
links the system's OpenSSL (3.0 or later) and has it loaded in every
Mailman process: these calls reach the same library through ctypes (which
Mailman's own delivery loads too) and cost that process next to nothing.

Keys are built per use from their numbers (RSA public keys set directly;
EC public keys and private keys in DER: RFC 5480, RFC 8017 A.1.2,
RFC 5915) or from raw bytes (RFC 8410), and freed with their Python
object.  Every
failure of OpenSSL is a ValueError; a signature that does not verify is
False.  tests/pgp/test_pgp_ossl.py checks each operation against
cryptography, both ways.
"""

import ctypes
import math
import os

from ctypes import byref, c_char_p, c_int, c_size_t, c_void_p

from mailman_pgp.pgp._libcrypto import check as _check, lib as _lib


_X25519, _ED25519, _RSA, _EC = 1034, 1087, 6, 408
_RSA_PKCS1_PADDING = 1
# OpenPGP hash algorithm IDs (RFC 4880 9.4) -> OpenSSL digest names.
HASH_NAMES = {2: b'SHA1', 8: b'SHA256', 9: b'SHA384', 10: b'SHA512',
              11: b'SHA224'}
# Named curves by the DER content octets of their OID -> (OpenSSL group
# name, bytes of a scalar).
CURVES = {
    bytes.fromhex('2A8648CE3D030107'): (b'prime256v1', 32),
    bytes.fromhex('2B81040022'): (b'secp384r1', 48),
    bytes.fromhex('2B81040023'): (b'secp521r1', 66),
    bytes.fromhex('2B2403030208010107'): (b'brainpoolP256r1', 32),
    bytes.fromhex('2B240303020801010B'): (b'brainpoolP384r1', 48),
    bytes.fromhex('2B240303020801010D'): (b'brainpoolP512r1', 64),
}


# -- DER ----------------------------------------------------------------------

def _tlv(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    size = n.to_bytes((n.bit_length() + 7) // 8, 'big')
    return bytes([tag, 0x80 | len(size)]) + size + content


def _integer(value: int) -> bytes:
    return _tlv(0x02, value.to_bytes(value.bit_length() // 8 + 1, 'big'))


def _sequence(*items: bytes) -> bytes:
    return _tlv(0x30, b''.join(items))


def _spki(algorithm: bytes, key: bytes) -> bytes:
    return _sequence(algorithm, _tlv(0x03, b'\0' + key))


_EC_OID = _tlv(0x06, bytes.fromhex('2A8648CE3D0201'))


def _der_integers(der: bytes) -> list[int]:
    """The INTEGERs of a DER SEQUENCE of INTEGERs (an ECDSA signature)."""
    pos, out = 2 if der[1] < 0x80 else 2 + (der[1] & 0x7F), []
    while pos < len(der):
        n = der[pos + 1]
        start = pos + 2
        if n & 0x80:
            start, n = start + (n & 0x7F), int.from_bytes(
                der[start:start + (n & 0x7F)], 'big')
        out.append(int.from_bytes(der[start:start + n], 'big'))
        pos = start + n
    return out


# -- keys ---------------------------------------------------------------------

class Key:
    """An EVP_PKEY, freed with this object."""

    __slots__ = ('pointer',)

    def __init__(self, pointer):
        self.pointer = pointer
        if not pointer:
            _lib.ERR_clear_error()
            raise ValueError('libcrypto refused the key')

    def __del__(self, _free=_lib.EVP_PKEY_free):
        if self.pointer:
            _free(self.pointer)

    def spki(self) -> bytes:
        """The SubjectPublicKeyInfo (DER) of the key: to compare keys."""
        out = c_void_p()
        n = _lib.i2d_PUBKEY(self.pointer, byref(out))
        _check(n)
        try:
            return ctypes.string_at(out, n)
        finally:
            _lib.CRYPTO_free(out, b'', 0)

    def raw_public(self) -> bytes:
        """The raw public key of an X25519 or Ed25519 key."""
        buf, n = ctypes.create_string_buffer(32), c_size_t(32)
        _check(_lib.EVP_PKEY_get_raw_public_key(self.pointer, buf, byref(n)))
        return buf.raw[:n.value]


def _decode_public(der: bytes) -> Key:
    ptr = c_char_p(der)
    return Key(_lib.d2i_PUBKEY(None, byref(ptr), len(der)))


def _bignum(value: int):
    data = value.to_bytes((value.bit_length() + 7) // 8 or 1, 'big')
    return _lib.BN_bin2bn(data, len(data), None)


def rsa_public(n: int, e: int) -> Key:
    """An RSA public key from its numbers: set directly (2 microseconds;
    OpenSSL 3's DER decoders take 110, once per recipient)."""
    rsa, bn_n, bn_e = _lib.RSA_new(), _bignum(n), _bignum(e)
    if not (rsa and bn_n and bn_e) or \
            _lib.RSA_set0_key(rsa, bn_n, bn_e, None) != 1:
        _lib.BN_free(bn_n)
        _lib.BN_free(bn_e)
        _lib.RSA_free(rsa)
        raise ValueError('libcrypto refused the key')
    key = Key(_lib.EVP_PKEY_new())
    if _lib.EVP_PKEY_assign(key.pointer, _RSA, rsa) != 1:
        _lib.RSA_free(rsa)
        raise ValueError('libcrypto refused the key')
    return key


def ec_public(curve: bytes, point: bytes) -> Key:
    """A NIST or Brainpool public key; ValueError if the point is not on
    the curve."""
    if curve not in CURVES:
        raise ValueError('unknown curve')
    return _decode_public(_spki(_sequence(_EC_OID, _tlv(0x06, curve)),
                                point))


def x25519_public(raw: bytes) -> Key:
    return Key(_lib.EVP_PKEY_new_raw_public_key(_X25519, None, raw,
                                                len(raw)))


def ed25519_public(raw: bytes) -> Key:
    return Key(_lib.EVP_PKEY_new_raw_public_key(_ED25519, None, raw,
                                                len(raw)))


def ed25519_private(raw: bytes) -> Key:
    return Key(_lib.EVP_PKEY_new_raw_private_key(_ED25519, None, raw,
                                                 len(raw)))


def _decode_private(kind: int, der: bytes) -> Key:
    ptr = c_char_p(der)
    key = Key(_lib.d2i_PrivateKey(kind, None, byref(ptr), len(der)))
    ctx = _lib.EVP_PKEY_CTX_new(key.pointer, None)
    try:        # the numbers belong together (RSA_check_key and the like)
        _check(_lib.EVP_PKEY_check(ctx))
    finally:
        _lib.EVP_PKEY_CTX_free(ctx)
    return key


def rsa_private(n: int, e: int, d: int, p: int, q: int) -> Key:
    """An RSA private key, checked; ValueError if the numbers do not make
    one."""
    if p * q != n or (e * d) % math.lcm(p - 1, q - 1) != 1:
        raise ValueError('inconsistent RSA numbers')
    return _decode_private(_RSA, _sequence(
        _integer(0), _integer(n), _integer(e), _integer(d), _integer(p),
        _integer(q), _integer(d % (p - 1)), _integer(d % (q - 1)),
        _integer(pow(q, -1, p))))


def ec_private(curve: bytes, scalar: int) -> Key:
    """An ECDSA private key (RFC 5915), its public point computed."""
    _, size = CURVES[curve]
    return _decode_private(_EC, _sequence(
        _integer(1), _tlv(0x04, scalar.to_bytes(size, 'big')),
        _tlv(0xA0, _tlv(0x06, curve))))


# -- signatures ---------------------------------------------------------------

def verify(key: Key, signature: bytes, data: bytes,
           hash_name: bytes | None) -> bool:
    """Whether signature is key's over data (hashed with hash_name; None
    for Ed25519, which signs data itself).  RSA: PKCS #1 v1.5, the
    signature as long as the modulus; ECDSA: DER."""
    md = None
    if hash_name is not None:
        md = _lib.EVP_get_digestbyname(hash_name)
        if not md:
            return False
    ctx = _lib.EVP_MD_CTX_new()
    try:
        if _lib.EVP_DigestVerifyInit(ctx, None, md, None, key.pointer) != 1:
            return False
        return _lib.EVP_DigestVerify(ctx, signature, len(signature), data,
                                     len(data)) == 1
    finally:
        _lib.EVP_MD_CTX_free(ctx)
        _lib.ERR_clear_error()


def ecdsa_der(r: int, s: int) -> bytes:
    return _sequence(_integer(r), _integer(s))


def sign_digest(key: Key, kind: str, digest: bytes,
                hash_name: bytes = b'SHA512'):
    """A signature over a digest already made: RSA (PKCS #1 v1.5 with the
    DigestInfo of hash_name), 'ecdsa' (r, s), or 'ed25519' (the digest is
    the message, as OpenPGP's EdDSA signs it)."""
    if kind == 'ed25519':
        ctx = _lib.EVP_MD_CTX_new()
        try:
            _check(_lib.EVP_DigestSignInit(ctx, None, None, None,
                                           key.pointer))
            out, n = ctypes.create_string_buffer(64), c_size_t(64)
            _check(_lib.EVP_DigestSign(ctx, out, byref(n), digest,
                                       len(digest)))
            return out.raw[:n.value]
        finally:
            _lib.EVP_MD_CTX_free(ctx)
    ctx = _lib.EVP_PKEY_CTX_new(key.pointer, None)
    try:
        _check(_lib.EVP_PKEY_sign_init(ctx))
        if kind == 'rsa':
            _check(_lib.EVP_PKEY_CTX_set_rsa_padding(ctx, _RSA_PKCS1_PADDING))
            _check(_lib.EVP_PKEY_CTX_set_signature_md(
                ctx, _lib.EVP_get_digestbyname(hash_name)))
        n = c_size_t()
        _check(_lib.EVP_PKEY_sign(ctx, None, byref(n), digest, len(digest)))
        out = ctypes.create_string_buffer(n.value)
        _check(_lib.EVP_PKEY_sign(ctx, out, byref(n), digest, len(digest)))
        signature = out.raw[:n.value]
    finally:
        _lib.EVP_PKEY_CTX_free(ctx)
    return _der_integers(signature) if kind == 'ecdsa' else signature


# -- encryption ---------------------------------------------------------------

def rsa_encrypt(key: Key, message: bytes) -> bytes:
    """RSAES-PKCS1-v1_5 (RFC 8017 7.2), as OpenPGP's RSA PKESK uses it."""
    ctx = _lib.EVP_PKEY_CTX_new(key.pointer, None)
    try:
        _check(_lib.EVP_PKEY_encrypt_init(ctx))
        _check(_lib.EVP_PKEY_CTX_set_rsa_padding(ctx, _RSA_PKCS1_PADDING))
        n = c_size_t()
        _check(_lib.EVP_PKEY_encrypt(ctx, None, byref(n), message,
                                     len(message)))
        out = ctypes.create_string_buffer(n.value)
        _check(_lib.EVP_PKEY_encrypt(ctx, out, byref(n), message,
                                     len(message)))
        return out.raw[:n.value]
    finally:
        _lib.EVP_PKEY_CTX_free(ctx)


def _generate(ctx) -> Key:
    try:
        pointer = c_void_p()
        _check(_lib.EVP_PKEY_keygen(ctx, byref(pointer)))
        return Key(pointer.value)
    finally:
        _lib.EVP_PKEY_CTX_free(ctx)


def _derive(private: Key, peer: Key) -> bytes:
    ctx = _lib.EVP_PKEY_CTX_new(private.pointer, None)
    try:
        _check(_lib.EVP_PKEY_derive_init(ctx))
        _check(_lib.EVP_PKEY_derive_set_peer(ctx, peer.pointer))
        n = c_size_t()
        _check(_lib.EVP_PKEY_derive(ctx, None, byref(n)))
        out = ctypes.create_string_buffer(n.value)
        _check(_lib.EVP_PKEY_derive(ctx, out, byref(n)))
        return out.raw[:n.value]
    finally:
        _lib.EVP_PKEY_CTX_free(ctx)


def x25519_agree(peer: Key) -> tuple[bytes, bytes]:
    """(ephemeral public key, shared secret) with a fresh X25519 key (32
    random bytes, RFC 7748 section 6.1); ValueError for a peer of small
    order (an all-zero secret)."""
    secret = os.urandom(32)
    ephemeral = Key(_lib.EVP_PKEY_new_raw_private_key(_X25519, None, secret,
                                                      32))
    return ephemeral.raw_public(), _derive(ephemeral, peer)


def ec_agree(curve: bytes, peer: Key) -> tuple[bytes, bytes]:
    """(ephemeral uncompressed point, shared x coordinate) with a fresh key
    on curve."""
    ctx = _lib.EVP_PKEY_CTX_new_from_name(None, b'EC', None)
    _check(_lib.EVP_PKEY_keygen_init(ctx))
    _check(_lib.EVP_PKEY_CTX_set_group_name(ctx, CURVES[curve][0]))
    ephemeral = _generate(ctx)
    out = c_void_p()
    n = _lib.EVP_PKEY_get1_encoded_public_key(ephemeral.pointer, byref(out))
    _check(n)
    try:
        point = ctypes.string_at(out, n)
    finally:
        _lib.CRYPTO_free(out, b'', 0)
    return point, _derive(ephemeral, peer)


_AES = {16: b'AES-128', 24: b'AES-192', 32: b'AES-256'}
_FETCHED: dict[bytes, int] = {}


def _fetched(name: bytes) -> int:
    """The provider's implementation of a cipher, fetched once (OpenSSL 3
    fetches it on every use otherwise)."""
    cipher = _FETCHED.get(name)
    if cipher is None:
        cipher = _lib.EVP_CIPHER_fetch(None, name, None)
        if not cipher:
            _lib.ERR_clear_error()
            raise ValueError('unknown cipher')
        _FETCHED[name] = cipher
    return cipher


def aes_cfb_encrypt(key: bytes, data: bytes) -> bytes:
    """AES in CFB-128 mode from a zero IV, as OpenPGP's SEIPD v1 uses it
    (the random prefix is the first block of data)."""
    cipher = _fetched(_AES[len(key)] + b'-CFB')
    ctx = _lib.EVP_CIPHER_CTX_new()
    try:
        _check(_lib.EVP_CipherInit_ex(ctx, cipher, None, key, b'\0' * 16,
                                      1))
        out = ctypes.create_string_buffer(len(data) + 16)
        n, m = c_int(), c_int()
        _check(_lib.EVP_CipherUpdate(ctx, out, byref(n), data, len(data)))
        tail = ctypes.cast(ctypes.addressof(out) + n.value, c_char_p)
        _check(_lib.EVP_CipherFinal_ex(ctx, tail, byref(m)))
        return ctypes.string_at(out, n.value + m.value)
    finally:
        _lib.EVP_CIPHER_CTX_free(ctx)


def aes_key_wrap(kek: bytes, data: bytes) -> bytes:
    """RFC 3394 AES key wrap (with the block cipher's own key schedule, as
    cryptography does it: a tenth of the time of an EVP context)."""
    if len(kek) not in _AES or len(data) < 16 or len(data) % 8:
        raise ValueError('a key wrap takes 16, 24 or 32 bytes of key and '
                         'a multiple of 8 bytes, at least 16')
    schedule = ctypes.create_string_buffer(244)      # AES_KEY
    if _lib.AES_set_encrypt_key(kek, len(kek) * 8, schedule) != 0:
        raise ValueError('libcrypto refused the key')
    out = ctypes.create_string_buffer(len(data) + 8)
    n = _lib.AES_wrap_key(schedule, None, out, data, len(data))
    _check(n)
    return out.raw[:n]
