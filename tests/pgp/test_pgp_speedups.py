"""The PGPy hot-spot fixes: same results, checked with gpg, and faster."""

import base64
import os
import time

import pytest
from pgpy import PGPKey, PGPMessage
from pgpy.packet import fields
from pgpy.types import Armorable

from mailman_pgp.pgp import crc24, speedups
from mailman_pgp.pgp._quiet import quiet
from mailman_pgp.pgp._crc import _crc24_table, _fold


def _bitwise_crc24(data):
    crc = 0xB704CE
    for b in data:
        crc ^= b << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    return crc & 0xFFFFFF


@pytest.mark.parametrize('size', [0, 1, 3, 64, 255, 256, 257, 1000, 4099,
                                  70001])
def test_crc24_table_matches_bitwise(size):
    data = os.urandom(size)
    assert crc24(data) == _bitwise_crc24(data)
    assert crc24(data) == _crc24_table(data)
    assert crc24(bytearray(data)) == _bitwise_crc24(data)
    assert Armorable.crc24(bytearray(data)) == _bitwise_crc24(data)


def test_crc24_every_bit_length_folds_down():
    # The fold halves the number at a k picked near the middle (up to 255
    # bits past it): each fold must shorten it, whatever its length (an
    # armor's leading zero bytes give any length).  Past 5000 bits k is
    # far below the length; below, every length is checked, and each
    # length's CRC from random bits.
    for length in range(257, 5000):
        k, bits = _fold(length // 2 - 24)
        assert 24 < k and max(k, length - k + 24) < length, length
    for length in range(0, 5000, 7):
        value = int.from_bytes(os.urandom(length // 8 + 1), 'big') >> (
            7 - length % 8)
        data = value.to_bytes(700, 'big')
        assert crc24(data) == _crc24_table(data), length


def test_patches_installed():
    assert getattr(fields.RSAPriv.__privkey__, '_mmpgp', False)
    assert getattr(fields.ECDHPriv.__privkey__, '_mmpgp', False)
    assert Armorable.crc24 is not None
    speedups.install()  # idempotent
    assert len([p for p in speedups._PATCHED if p[1] == 'crc24']) == 1


def test_private_key_cached_and_invalidated(gpg_keys):
    _, secret = gpg_keys['rsa']
    km = secret._k._key.keymaterial
    first = km.__privkey__()
    assert km.__privkey__() is first
    # A changed key material rebuilds the object.
    saved = km.d
    try:
        km.d = fields.MPI(int(saved) + 2)
        # Rebuilt (and re-validated by cryptography), not served stale.
        with pytest.raises(ValueError):
            km.__privkey__()
    finally:
        km.d = saved
    assert km.__privkey__().private_numbers().d == int(saved)


def test_pgpy_sign_decrypt_with_cache_interop(gpg_world, gpg_keys,
                                              list_keys, tmp_path):
    """PGPy's own API, running on the patched key objects, still makes
    output gpg verifies and reads gpg's output."""
    lst = list_keys['rsa']
    with quiet():
        for _ in range(2):
            msg = PGPMessage.new(b'cached \xe2\x9c\x93', format='b')
            msg |= lst._k.sign(msg)
            proc = gpg_world.run('--decrypt', input=str(msg))
            assert 'GOODSIG' in gpg_world.status(proc)
        ct = gpg_world.run('--armor', '--encrypt', '--recipient',
                           lst.fingerprint, input=b'to pgpy').stdout
        for _ in range(2):
            plain = lst._k.decrypt(PGPMessage.from_blob(ct))
            assert bytes(plain.message) == b'to pgpy'
        # Armor made with the patched CRC24 imports in gpg.
        armored = str(lst._k.pubkey)
    assert 'GOODSIG' in gpg_world.status(proc)
    gpg_world.import_(armored)


def test_cache_makes_rsa_fast(list_keys):
    lst = list_keys['rsa']
    km = lst._k._key.keymaterial
    km.__privkey__()
    start = time.perf_counter()
    for _ in range(20):
        km.__privkey__()
    cached = (time.perf_counter() - start) / 20
    start = time.perf_counter()
    type(km).__privkey__.__wrapped__(km)
    uncached = time.perf_counter() - start
    assert cached < uncached / 10


def test_uninstall_restores():
    speedups.uninstall()
    try:
        assert not getattr(fields.RSAPriv.__privkey__, '_mmpgp', False)
        key = PGPKey  # still usable
        assert key is not None
    finally:
        speedups.install()
    assert getattr(fields.RSAPriv.__privkey__, '_mmpgp', False)


def test_armor_lines_of_64_for_every_length():
    from mailman_pgp.pgp.armor import armor, dearmor
    for size in [*range(0, 200), 3071, 3072, 3073, 6144, 28000, 28001,
                 28047, 1 << 20]:
        data = os.urandom(size)
        text = armor(data)
        lines = text.split('\n')
        assert lines[0] == '-----BEGIN PGP MESSAGE-----' and lines[1] == ''
        body = lines[2:-3]
        assert all(len(line) == 64 for line in body[:-1]), size
        assert (0 < len(body[-1]) <= 64) if data else body == []
        assert lines[-3] == '=' + base64.b64encode(
            _bitwise_crc24(data).to_bytes(3, 'big')).decode()
        assert lines[-2:] == ['-----END PGP MESSAGE-----', '']
        assert not data or bytes(dearmor(text)) == data


def test_crc24_large_and_gpg_accepts_armor(gpg_world, list_keys):
    from mailman_pgp.pgp import encrypt
    data = os.urandom(2 * 1024 * 1024)
    assert crc24(data) == _crc24_table(data)
    lst = list_keys['cv25519']
    gpg_world.import_(lst.armor())
    proc = gpg_world.run('--decrypt', input=encrypt(data, [lst.public]))
    assert proc.stdout == data
    assert 'CRC error' not in gpg_world.status(proc)
