"""The packet-level fast path gives the same answers as the PGPy path."""

from datetime import datetime, timedelta

import pytest

from mailman_pgp.pgp import (
    Key, clear_key_cache, encrypt, generate_key, load_keys, parse_key_spec)
from mailman_pgp.pgp._keyparse import UTC
from mailman_pgp.pgp.crypto import _ciphers, _recipient
from mailman_pgp.pgp.usability import check_usability

LATER = [None, timedelta(days=3), timedelta(days=40), timedelta(days=800)]


def _same(armored, expect_fast=True):
    clear_key_cache()
    [lazy] = load_keys(armored)
    eager = Key.load(armored)
    assert (lazy._facts() is not None) == expect_fast
    for delta in LATER:
        now = None if delta is None else datetime.now(UTC) + delta
        fast = lazy.usability(now)
        slow = check_usability(eager._k, now)
        assert fast == slow, (delta, fast, slow)
    # The short answer of the delivery's key look-up, on both paths.
    assert lazy.can_encrypt() == eager.can_encrypt() == \
        lazy.usability().can_encrypt
    if lazy.usability().can_encrypt:
        assert _recipient(lazy).keyid == _recipient(eager).keyid
        assert _ciphers(lazy) == _ciphers(eager)
    return lazy


@pytest.mark.parametrize('p,s', [
    ('EdDSA:Ed25519', 'ECDH:Curve25519'), ('RSA:2048', 'RSA:2048'),
    ('ECDSA:nistp256', 'ECDH:nistp256'), ('ECDSA:nistp521', 'ECDH:nistp521'),
    ('ECDSA:brainpoolP256r1', 'ECDH:brainpoolP256r1')])
def test_facade_keys(p, s):
    for expires in (None, timedelta(days=30)):
        key = generate_key(parse_key_spec(p, 'primary'),
                           parse_key_spec(s, 'sub'),
                           [('A', 'a@example.org'), ('B', 'b@example.org')],
                           expires=expires)
        _same(key.public_armor())


def test_gpg_keys(gpg_keys, gpg_world):
    for fpr, _ in gpg_keys.values():
        _same(gpg_world.export(fpr))


def test_gpg_shapes(gpg):
    fpr = gpg.gen('Sub <sub@example.org>', 'ed25519', 'cert')
    gpg.run('--quick-add-key', fpr, 'ed25519', 'sign', '20d')
    gpg.run('--quick-add-key', fpr, 'cv25519', 'encr', '10d')
    gpg.run('--quick-add-key', fpr, 'rsa3072', 'encr', '1y')
    gpg.run('--quick-add-uid', fpr, 'Other <other@example.org>')
    gpg.run('--quick-set-primary-uid', fpr, 'Other <other@example.org>')
    _same(gpg.export(fpr))
    # Revocations take the PGPy path, with the same result.
    gpg.run('--quick-revoke-uid', fpr, 'Sub <sub@example.org>')
    _same(gpg.export(fpr), expect_fast=False)


def test_tampered_self_signature(gpg_keys, gpg_world):
    fpr, _ = gpg_keys['cv25519']
    raw = bytearray(bytes(Key.load(gpg_world.export(fpr))))
    raw[-3] ^= 0x40  # inside the last binding signature
    from mailman_pgp.pgp import armor
    lazy = _same(armor(bytes(raw), 'PUBLIC KEY BLOCK'))
    assert not lazy.usability().can_encrypt


def test_fast_recipient_interop(gpg_world, gpg_keys):
    for fpr, _ in gpg_keys.values():
        clear_key_cache()
        [lazy] = load_keys(gpg_world.export(fpr))
        assert lazy._facts() is not None
        proc = gpg_world.run('--decrypt', input=encrypt(b'fast', [lazy]))
        assert proc.stdout == b'fast'


def test_rsa_numbers_that_are_no_key_take_the_pgpy_path():
    """OpenSSL takes an RSA key with an even public exponent where
    cryptography refuses it: the fast path refuses it too, and the key is
    of no use either way (an attacker's edit of a member's key)."""
    key = generate_key(parse_key_spec('RSA:2048', 'primary'),
                       parse_key_spec('RSA:2048', 'sub'),
                       [('A', 'a@example.org')])
    raw = bytearray(bytes(key.public))
    e = raw.index(b'\x00\x11\x01\x00\x01')     # e = 65537, the primary's
    raw[e + 4] = 0x00                           # e = 65536
    from mailman_pgp.pgp import armor
    lazy = _same(armor(bytes(raw), 'PUBLIC KEY BLOCK'), expect_fast=False)
    assert not lazy.usability().can_encrypt
    assert not lazy.usability().can_sign
