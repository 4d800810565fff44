"""The libcrypto operations of delivery (_ossl), checked against cryptography
both ways: what one makes, the other reads; what one refuses, so does the
other."""

import hashlib
import os

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import (
    ec, ed25519, padding, rsa, x25519)
from cryptography.hazmat.primitives.asymmetric.utils import (
    Prehashed, encode_dss_signature)
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap

from mailman_pgp.pgp import _ossl
from mailman_pgp.pgp._session import _cfb

CURVES = [(ec.SECP256R1, '2A8648CE3D030107'), (ec.SECP384R1, '2B81040022'),
          (ec.SECP521R1, '2B81040023'),
          (ec.BrainpoolP256R1, '2B2403030208010107'),
          (ec.BrainpoolP384R1, '2B240303020801010B'),
          (ec.BrainpoolP512R1, '2B240303020801010D')]
HASHES = [(b'SHA1', hashes.SHA1), (b'SHA224', hashes.SHA224),
          (b'SHA256', hashes.SHA256), (b'SHA384', hashes.SHA384),
          (b'SHA512', hashes.SHA512)]


def _point(key) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.X962,
        serialization.PublicFormat.UncompressedPoint)


@pytest.fixture(scope='module')
def rsa_key():
    return rsa.generate_private_key(65537, 2048)


def _rsa_public(key):
    numbers = key.public_key().public_numbers()
    return _ossl.rsa_public(numbers.n, numbers.e)


@pytest.mark.parametrize('name,algo', HASHES)
def test_rsa_verify_agrees(rsa_key, name, algo):
    public = _rsa_public(rsa_key)
    signature = rsa_key.sign(b'data', padding.PKCS1v15(), algo())
    assert _ossl.verify(public, signature, b'data', name)
    assert not _ossl.verify(public, signature, b'datA', name)
    damaged = bytes([signature[0] ^ 1]) + signature[1:]
    assert not _ossl.verify(public, damaged, b'data', name)
    # Signed with one hash, checked as another: refused, as by cryptography.
    other = b'SHA256' if name != b'SHA256' else b'SHA512'
    assert not _ossl.verify(public, signature, b'data', other)


def test_rsa_verify_wants_the_modulus_length(rsa_key):
    public = _rsa_public(rsa_key)
    signature = rsa_key.sign(b'data', padding.PKCS1v15(), hashes.SHA256())
    assert not _ossl.verify(public, b'\0' + signature, b'data', b'SHA256')
    assert not _ossl.verify(public, signature[1:], b'data', b'SHA256')
    assert not _ossl.verify(public, signature, b'data', b'NO-SUCH-HASH')


def test_rsa_encrypt_decrypts_with_cryptography(rsa_key):
    message = os.urandom(35)
    ciphertext = _ossl.rsa_encrypt(_rsa_public(rsa_key), message)
    assert len(ciphertext) == 256
    assert rsa_key.decrypt(ciphertext, padding.PKCS1v15()) == message
    # Random padding: two encryptions differ.
    assert _ossl.rsa_encrypt(_rsa_public(rsa_key), message) != ciphertext


def test_rsa_private_signs_for_cryptography(rsa_key):
    numbers = rsa_key.private_numbers()
    public = numbers.public_numbers
    private = _ossl.rsa_private(public.n, public.e, numbers.d, numbers.p,
                                numbers.q)
    assert private.spki() == _rsa_public(rsa_key).spki()
    digest = hashlib.sha512(b'post').digest()
    signature = _ossl.sign_digest(private, 'rsa', digest, b'SHA512')
    rsa_key.public_key().verify(signature, digest, padding.PKCS1v15(),
                                Prehashed(hashes.SHA512()))
    # Deterministic padding: cryptography makes the same bytes.
    assert signature == rsa_key.sign(digest, padding.PKCS1v15(),
                                     Prehashed(hashes.SHA512()))


def test_rsa_private_numbers_must_belong_together(rsa_key):
    numbers = rsa_key.private_numbers()
    public = numbers.public_numbers
    with pytest.raises(ValueError):
        _ossl.rsa_private(public.n, public.e, numbers.d + 2, numbers.p,
                          numbers.q)
    other = rsa.generate_private_key(65537, 2048).private_numbers()
    with pytest.raises(ValueError):
        _ossl.rsa_private(public.n, public.e, numbers.d, other.p, other.q)


def test_ed25519_both_ways():
    key = ed25519.Ed25519PrivateKey.generate()
    raw_public = key.public_key().public_bytes_raw()
    public = _ossl.ed25519_public(raw_public)
    signature = key.sign(b'digest')
    assert _ossl.verify(public, signature, b'digest', None)
    assert not _ossl.verify(public, signature, b'digesT', None)
    assert not _ossl.verify(public, signature[:63] + bytes(
        [signature[63] ^ 0x40]), b'digest', None)
    private = _ossl.ed25519_private(key.private_bytes_raw())
    assert private.raw_public() == raw_public
    ours = _ossl.sign_digest(private, 'ed25519', b'digest')
    key.public_key().verify(ours, b'digest')
    assert ours == signature            # Ed25519 is deterministic
    with pytest.raises(ValueError):
        _ossl.ed25519_public(raw_public[:31])


@pytest.mark.parametrize('curve,oid', CURVES)
def test_ecdsa_and_ecdh_both_ways(curve, oid):
    oid = bytes.fromhex(oid)
    key = ec.generate_private_key(curve())
    public = _ossl.ec_public(oid, _point(key))
    for name, algo in HASHES[2:]:
        signature = key.sign(b'data', ec.ECDSA(algo()))
        assert _ossl.verify(public, signature, b'data', name)
        assert not _ossl.verify(public, signature, b'datA', name)
    private = _ossl.ec_private(oid, key.private_numbers().private_value)
    assert private.spki() == public.spki()
    digest = hashlib.sha512(b'post').digest()
    r, s = _ossl.sign_digest(private, 'ecdsa', digest)
    key.public_key().verify(encode_dss_signature(r, s), digest,
                            ec.ECDSA(Prehashed(hashes.SHA512())))
    with pytest.raises(InvalidSignature):
        key.public_key().verify(encode_dss_signature(r, s + 1), digest,
                                ec.ECDSA(Prehashed(hashes.SHA512())))
    point, shared = _ossl.ec_agree(oid, public)
    assert point[0] == 4 and len(point) == len(_point(key))  # RFC 6637
    peer = ec.EllipticCurvePublicKey.from_encoded_point(curve(), point)
    assert key.exchange(ec.ECDH(), peer) == shared


@pytest.mark.parametrize('curve,oid', CURVES[:2])
def test_points_off_the_curve_are_refused(curve, oid):
    point = bytearray(_point(ec.generate_private_key(curve())))
    point[-1] ^= 1
    with pytest.raises(ValueError):
        ec.EllipticCurvePublicKey.from_encoded_point(curve(), bytes(point))
    with pytest.raises(ValueError):
        _ossl.ec_public(bytes.fromhex(oid), bytes(point))


def test_x25519_agreement_and_small_order_points():
    key = x25519.X25519PrivateKey.generate()
    public = _ossl.x25519_public(key.public_key().public_bytes_raw())
    ephemeral, shared = _ossl.x25519_agree(public)
    assert key.exchange(
        x25519.X25519PublicKey.from_public_bytes(ephemeral)) == shared
    assert _ossl.x25519_agree(public)[0] != ephemeral
    # A point of small order gives an all-zero secret: both refuse it.
    for small in (b'\0' * 32, b'\1' + b'\0' * 31):
        with pytest.raises(ValueError):
            x25519.X25519PrivateKey.generate().exchange(
                x25519.X25519PublicKey.from_public_bytes(small))
        with pytest.raises(ValueError):
            _ossl.x25519_agree(_ossl.x25519_public(small))


@pytest.mark.parametrize('size', (16, 24, 32))
def test_aes_key_wrap_and_cfb(size):
    kek, data = os.urandom(size), os.urandom(40)
    assert aes_key_unwrap(kek, _ossl.aes_key_wrap(kek, data)) == data
    key, plain = os.urandom(size), os.urandom(100_003)
    ours = _ossl.aes_cfb_encrypt(key, plain)
    decryptor = Cipher(algorithms.AES(key), _cfb()(b'\0' * 16)).decryptor()
    assert decryptor.update(ours) + decryptor.finalize() == plain
    with pytest.raises(ValueError):
        _ossl.aes_key_wrap(kek, data[:12])      # not a multiple of 8
