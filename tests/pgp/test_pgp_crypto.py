"""Encrypt, decrypt, sign and verify, in both directions with real gpg."""

import os

import pytest

from mailman_pgp.pgp import (
    DecompressionBombError,
    DecryptionError,
    Key,
    MessageFormatError,
    NoIntegrityError,
    PacketError,
    PGPError,
    UnsupportedError,
    WrongKeyError,
    armor,
    dearmor,
)
from mailman_pgp.pgp import packets as P
from mailman_pgp.pgp.crypto import (
    decrypt,
    encrypt,
    encrypt_each,
    sign_detached,
    sign_message,
)
from mailman_pgp.pgp.verify import verify_detached

KINDS = ['rsa', 'cv25519']
TEXT = 'Grüße aus Köln – ünïcödé ✓\nsecond line  \r\nthird\n'.encode()


def _pub(gpg, fpr):
    return Key.load(gpg.export(fpr))


@pytest.mark.parametrize('kind', KINDS)
@pytest.mark.parametrize('hide', [False, True])
@pytest.mark.parametrize('compress', [False, True])
def test_facade_to_gpg(gpg_world, gpg_keys, list_keys, kind, hide, compress):
    fpr, _ = gpg_keys[kind]
    lst = list_keys[kind]
    ct = encrypt(TEXT, [_pub(gpg_world, fpr), lst.public], sign_with=lst,
                 throw_keyids=hide, compress=compress)
    proc = gpg_world.run('--decrypt', input=ct)
    assert proc.stdout == TEXT
    status = gpg_world.status(proc)
    assert 'GOODSIG ' in status and lst.fingerprint in status
    assert 'DECRYPTION_OKAY' in status and 'GOODMDC' in status
    packets = gpg_world.run('--list-packets', input=ct).stdout.decode()
    assert ('keyid 0000000000000000' in packets) == hide
    assert 'mdc_method: 2' in packets
    assert 'format b' in packets or "raw data" in packets


def test_facade_large_to_gpg(gpg_world, gpg_keys, list_keys):
    data = os.urandom(1024 * 1024)
    fpr, _ = gpg_keys['cv25519']
    ct = encrypt(data, [_pub(gpg_world, fpr)], sign_with=list_keys['rsa'],
                 armored=False)
    proc = gpg_world.run('--decrypt', input=ct)
    assert proc.stdout == data and 'GOODSIG' in gpg_world.status(proc)


def test_encrypt_each_to_gpg(gpg_world, gpg_keys, list_keys):
    lst = list_keys['cv25519']
    groups = [[_pub(gpg_world, fpr), lst.public]
              for fpr, _ in gpg_keys.values()]
    copies = encrypt_each(TEXT, groups, sign_with=lst)
    assert len(copies) == 2 and copies[0] != copies[1]
    for ct in copies:
        proc = gpg_world.run('--decrypt', input=ct)
        assert proc.stdout == TEXT and 'GOODSIG' in gpg_world.status(proc)


@pytest.mark.parametrize('kind', KINDS)
def test_signatures_to_gpg(gpg_world, list_keys, tmp_path, kind):
    lst = list_keys[kind]
    data_file = tmp_path / 'data'
    data_file.write_bytes(TEXT)
    for text in (False, True):
        sig = tmp_path / 'sig.asc'
        sig.write_text(sign_detached(TEXT, lst, text=text))
        proc = gpg_world.run('--verify', str(sig), str(data_file))
        assert 'GOODSIG' in gpg_world.status(proc)
    proc = gpg_world.run('--decrypt', input=sign_message(TEXT, lst))
    assert proc.stdout == TEXT and 'GOODSIG' in gpg_world.status(proc)


def _gpg_encrypt(gpg, recipients, signer=None, extra=(), data=TEXT):
    args = ['--armor', '--encrypt']
    for r in recipients:
        args += ['--recipient', r]
    if signer:
        args += ['--sign', '--local-user', signer]
    return gpg.run(*args, *extra, input=data).stdout


@pytest.mark.parametrize('kind', KINDS)
@pytest.mark.parametrize('extra', [
    (), ('--throw-keyids',), ('--compress-algo', 'zlib'),
    ('--compress-algo', 'zip'), ('--compress-algo', 'bzip2'),
    ('--cipher-algo', 'AES128'), ('--textmode',),
])
def test_gpg_to_facade(gpg_world, gpg_keys, list_keys, kind, extra):
    fpr, secret = gpg_keys[kind]
    lst = list_keys[kind]
    ct = _gpg_encrypt(gpg_world, [lst.fingerprint, fpr], fpr, extra)
    result = decrypt(ct, lst)
    assert result.data.replace(b'\r\n', b'\n') == TEXT.replace(b'\r\n',
                                                               b'\n')
    [v] = result.verify([secret.public])
    assert v.good and v.status == 'good', v
    assert v.signer_fingerprint == fpr
    assert len(v.digest) >= 32
    # Unknown signer: reported, not raised.
    [v] = result.verify([])
    assert v.unknown and not v.good and v.status == 'unknown'


def test_gpg_detached_and_clear(gpg_world, gpg_keys, tmp_path):
    fpr, secret = gpg_keys['cv25519']
    sig = gpg_world.run('--armor', '--detach-sign', '--local-user', fpr,
                        input=TEXT).stdout
    [v] = verify_detached(TEXT, sig, [secret.public])
    assert v.good
    [v] = verify_detached(TEXT + b'x', sig, [secret.public])
    assert not v.valid and v.status == 'invalid'


def test_replay_digest_differs_per_signature(list_keys):
    lst = list_keys['rsa']
    a = decrypt(encrypt(TEXT, [lst.public], sign_with=lst), lst)
    [va] = a.verify(lst)
    b = decrypt(encrypt(TEXT + b'!', [lst.public], sign_with=lst), lst)
    [vb] = b.verify(lst)
    assert va.digest != vb.digest


def test_wrong_key(gpg_world, gpg_keys, list_keys):
    fpr, _ = gpg_keys['rsa']
    ct = _gpg_encrypt(gpg_world, [fpr])
    with pytest.raises(WrongKeyError):
        decrypt(ct, list_keys['cv25519'])
    ct = _gpg_encrypt(gpg_world, [fpr], extra=('--throw-keyids',))
    with pytest.raises(WrongKeyError):
        decrypt(ct, list_keys['cv25519'])


def test_tampered(list_keys):
    lst = list_keys['cv25519']
    raw = bytearray(encrypt(TEXT, [lst.public], armored=False))
    raw[-10] ^= 0xFF
    with pytest.raises(DecryptionError):
        decrypt(bytes(raw), lst)


def test_sed_refused(list_keys):
    lst = list_keys['cv25519']
    raw = encrypt(TEXT, [lst.public], armored=False)
    pkesk = next(P.iter_packets(raw)).raw
    sed = P.new_packet(P.SED, os.urandom(60))
    with pytest.raises(NoIntegrityError):
        decrypt(armor(pkesk + sed), lst)


@pytest.mark.parametrize('packet,error', [
    (P.new_packet(P.AEAD, b'\x01\x09\x02\x10' + os.urandom(40)),
     UnsupportedError),
    (P.new_packet(P.SEIPD, b'\x02\x09\x02\x10' + os.urandom(60)),
     UnsupportedError),
], ids=['aead-packet', 'seipd-v2'])
def test_newer_formats(list_keys, packet, error):
    lst = list_keys['cv25519']
    raw = encrypt(TEXT, [lst.public], armored=False)
    pkesk = next(P.iter_packets(raw)).raw
    with pytest.raises(error):
        decrypt(pkesk + packet, lst)


def test_unknown_recipient_packet_skipped(list_keys):
    """An encrypt-to-self key of a newer kind must not stop decryption."""
    lst = list_keys['cv25519']
    raw = encrypt(TEXT, [lst.public], armored=False)
    v6 = P.new_packet(P.PKESK, b'\x06' + os.urandom(60))
    alg25 = P.new_packet(P.PKESK, b'\x03' + os.urandom(8) + b'\x19'
                         + os.urandom(40))
    assert decrypt(v6 + alg25 + raw, lst).data == TEXT
    with pytest.raises(UnsupportedError):
        decrypt(v6 + b''.join(p.raw for p in P.iter_packets(raw)
                              if p.tag == P.SEIPD), lst)


def test_decompression_bomb(gpg_world, list_keys):
    lst = list_keys['cv25519']
    zeros = b'\0' * (4 * 1024 * 1024)
    ct = _gpg_encrypt(gpg_world, [lst.fingerprint],
                      extra=('--compress-algo', 'zlib'), data=zeros)
    assert len(ct) < 100_000
    with pytest.raises(DecompressionBombError):
        decrypt(ct, lst, max_size=1024 * 1024)
    assert decrypt(ct, lst, max_size=8 * 1024 * 1024).data == zeros
    ours = encrypt(zeros, [lst.public], compress=True)
    with pytest.raises(DecompressionBombError):
        decrypt(ours, lst, max_size=1024 * 1024)


def test_not_encrypted(list_keys):
    lst = list_keys['cv25519']
    with pytest.raises(MessageFormatError):
        decrypt(sign_message(TEXT, lst), lst)


@pytest.mark.parametrize('data', [
    b'', b'garbage', b'\xc1\x05abc', '-----BEGIN PGP MESSAGE-----\n\nxx\n',
    armor(b'\xd2\x03\x01ab'), armor(b'\xc1\x0c\x03' + b'\0' * 10),
])
def test_garbage(list_keys, data):
    with pytest.raises(PGPError):
        decrypt(data, list_keys['cv25519'])


def test_truncated(list_keys):
    lst = list_keys['rsa']
    raw = encrypt(TEXT, [lst.public], sign_with=lst, armored=False)
    for cut in (1, 5, len(raw) // 2, len(raw) - 1):
        with pytest.raises(PGPError):
            decrypt(raw[:cut], lst)


def test_dearmor_roundtrip():
    data = os.urandom(3000)
    assert dearmor(armor(data)) == data
    with pytest.raises(PacketError):
        decrypt(armor(b'\x80'), None)


def test_passphrase_protected_key_refused(gpg):
    from mailman_pgp.pgp import SignatureError
    proc = gpg.run('--passphrase', 'pw', '--quick-gen-key',
                   'P <p@example.org>', 'ed25519', 'sign', 'never')
    assert proc.returncode == 0
    fpr = gpg.fingerprint('p@example.org')
    gpg.run('--passphrase', 'pw', '--quick-add-key', fpr, 'cv25519', 'encr')
    key = Key.load(gpg.run('--passphrase', 'pw', '--armor',
                           '--export-secret-keys', fpr).stdout)
    assert key.is_private and key.is_protected
    assert not key.public.is_protected
    with pytest.raises(SignatureError, match='passphrase'):
        sign_detached(b'x', key)
    with pytest.raises(SignatureError, match='passphrase'):
        encrypt(b'x', [key.public], sign_with=key)
    ct = _gpg_encrypt(gpg, [fpr], data=b'x')
    with pytest.raises(DecryptionError, match='passphrase'):
        decrypt(ct, key)


@pytest.mark.parametrize('extra', [(), ('--compress-algo', 'zlib')])
def test_gpg_large_streamed(gpg_world, gpg_keys, list_keys, extra):
    """gpg streams stdin with partial body lengths."""
    fpr, secret = gpg_keys['rsa']
    lst = list_keys['rsa']
    data = os.urandom(3 * 1024 * 1024 + 17)
    ct = gpg_world.run('--encrypt', '--sign', '--local-user', fpr,
                       '--recipient', lst.fingerprint, *extra,
                       input=data).stdout
    packets = gpg_world.run('--list-packets', input=ct,
                            check=False).stdout.decode()
    assert 'partial' in packets or 'indeterminate' in packets
    result = decrypt(ct, lst)
    assert result.data == data
    [v] = result.verify(secret.public)
    assert v.good
