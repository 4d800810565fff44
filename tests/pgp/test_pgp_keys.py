"""Key loading, generation, inspection and usability, checked against gpg."""

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from mailman_pgp.pgp import (
    ArmorError,
    Key,
    KeyImportError,
    PacketError,
    PGPError,
    UnsupportedError,
    armor,
    dearmor,
    generate_key,
    load_keys,
    parse_key_spec,
)
from mailman_pgp.pgp._keyparse import UTC

SPECS = [('EdDSA:Ed25519', 'ECDH:Curve25519',
          'EdDSA/Ed25519 + ECDH/Curve25519'),
         ('RSA:2048', 'RSA:2048', 'RSA-2048'),
         ('ECDSA:nistp256', 'ECDH:nistp256', 'ECDSA/nistp256 + ECDH/nistp256'),
         ('ECDSA:brainpoolP384r1', 'ECDH:brainpoolP384r1',
          'ECDSA/brainpoolP384r1 + ECDH/brainpoolP384r1')]


def _gen(p='EdDSA:Ed25519', s='ECDH:Curve25519', uids=None, **kw):
    return generate_key(parse_key_spec(p, 'primary'), parse_key_spec(s, 'sub'),
                        uids or [('A List', 'a@example.com')], **kw)


@pytest.mark.parametrize('p,s,name', SPECS)
def test_generate_and_gpg_uses_it(gpg, p, s, name):
    key = _gen(p, s, [('Test', 'test@example.com'), ('Req', 'r@example.com')])
    assert key.is_private and key.algorithm == name
    assert re.fullmatch('[0-9A-F]{40}', key.fingerprint)
    assert key.keyid == key.fingerprint[-16:]
    assert key.uids == [('Test', 'test@example.com'), ('Req', 'r@example.com')]
    u = key.usability()
    assert u.can_encrypt and u.can_sign and not u.reasons
    gpg.import_(key.armor())
    out = gpg.run('--with-colons', '--list-secret-keys',
                  key.fingerprint).stdout.decode()
    assert 'test@example.com' in out
    # Primary uid, usage flags and preferences as gpg sees them.
    lines = [ln.split(':') for ln in out.splitlines()]
    sec = next(ln for ln in lines if ln[0] == 'sec')
    ssb = next(ln for ln in lines if ln[0] == 'ssb')
    assert set(sec[11]) >= {'s', 'c'} and 'e' in ssb[11]
    packets = gpg.run('--list-packets',
                      input=gpg.export(key.fingerprint)).stdout.decode()
    assert 'pref-sym-algos: 9 8 7' in packets
    assert 'pref-hash-algos: 10 9 8' in packets
    assert 'pref-zip-algos: 0 2 1' in packets
    assert 'features: 01' in packets and 'primary user ID' in packets
    # gpg encrypts to it and signs with it.
    proc = gpg.run('--armor', '--encrypt', '--sign', '--local-user',
                   key.fingerprint, '--recipient', key.fingerprint,
                   input=b'hello')
    assert b'BEGIN PGP MESSAGE' in proc.stdout
    proc = gpg.run('--decrypt', input=proc.stdout)
    assert proc.stdout == b'hello'
    assert 'GOODSIG' in gpg.status(proc)


def test_generate_expiry(gpg):
    key = _gen(expires=timedelta(days=10))
    exp = key.expires_at
    assert exp is not None
    assert abs(exp - (key.created + timedelta(days=10))) < timedelta(
        seconds=2)
    later = datetime.now(UTC) + timedelta(days=11)
    u = key.usability(now=later)
    assert u.expired and not u.can_encrypt and not u.can_sign
    assert any('expired' in r for r in u.reasons)
    gpg.import_(key.public_armor())
    out = gpg.run('--with-colons', '--list-keys',
                  key.fingerprint).stdout.decode()
    pub = next(ln for ln in out.splitlines() if ln.startswith('pub'))
    assert pub.split(':')[6]  # gpg sees the expiry


def test_load_gpg_keys(gpg_keys, gpg_session):
    for fpr, secret in gpg_keys.values():
        assert secret.fingerprint == fpr and secret.is_private
        pub = Key.load(gpg_session.export(fpr))
        assert pub.fingerprint == fpr and not pub.is_private
        assert pub == secret.public
        u = pub.usability()
        assert u.can_encrypt and u.can_sign, u.reasons
    assert gpg_keys['rsa'][1].algorithm == 'RSA-3072'
    assert gpg_keys['cv25519'][1].algorithm == \
        'EdDSA/Ed25519 + ECDH/Curve25519'
    assert gpg_keys['rsa'][1].uids == [('RSA Sender', 'rsa@example.org')]


def test_binary_and_armor_roundtrip():
    key = _gen()
    assert Key.load(bytes(key)) == key
    assert Key.load(key.armor()) == key
    assert Key.load(key.armor().encode()) == key
    pub = Key.load(key.public_armor())
    assert not pub.is_private and pub.fingerprint == key.fingerprint
    assert 'PUBLIC KEY BLOCK' in pub.armor()
    assert 'PRIVATE KEY BLOCK' in key.armor()


def test_load_keys_several():
    a, b = _gen(), _gen()
    keys = load_keys(a.public_armor() + '\n' + b.public_armor())
    assert [k.fingerprint for k in keys] == [a.fingerprint, b.fingerprint]
    keys = load_keys(bytes(a.public) + bytes(b.public))
    assert [k.fingerprint for k in keys] == [a.fingerprint, b.fingerprint]
    with pytest.raises(KeyImportError):
        Key.load(a.public_armor() + b.public_armor())


def test_too_many_uids():
    key = _gen(uids=[(f'U{i}', f'u{i}@example.com')
                     for i in range(12)])
    with pytest.raises(KeyImportError) as info:
        Key.load(key.public_armor(), max_uids=10)
    assert '12 user IDs' in str(info.value)
    assert Key.load(key.public_armor(), max_uids=None) == key.public


def test_too_big():
    key = _gen()
    with pytest.raises(KeyImportError):
        Key.load(key.public_armor(), max_bytes=100)


@pytest.mark.parametrize('version', [5, 6, 3])
def test_newer_key_version(version):
    data = bytearray(bytes(_gen().public))
    # New-format header of two octets (tag, length < 192) for an ed25519 key.
    assert data[0] == 0xC6
    data[2] = version
    with pytest.raises(UnsupportedError):
        Key.load(bytes(data))
    with pytest.raises(UnsupportedError):
        Key.load(armor(bytes(data), 'PUBLIC KEY BLOCK'))


@pytest.mark.parametrize('data,error', [
    ('', ArmorError), ('hello world', ArmorError),
    (b'\x00\x01\x02', ArmorError), (b'\x99\xff', PacketError),
    ('-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n', ArmorError),
    ('-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n!!!\n'
     + '-----END PGP PUBLIC KEY BLOCK-----\n', ArmorError),
])
def test_garbage(data, error):
    with pytest.raises(error):
        Key.load(data)


def test_bad_crc_and_truncation():
    text = _gen().public_armor()
    lines = text.splitlines()
    crc_line = next(i for i, ln in enumerate(lines) if ln.startswith('='))
    lines[crc_line] = '=AAAA' if lines[crc_line] != '=AAAA' else '=BBBB'
    with pytest.raises(ArmorError):
        Key.load('\n'.join(lines))
    raw = bytes(_gen().public)
    for cut in (3, len(raw) // 2, len(raw) - 1):
        with pytest.raises(PGPError):
            Key.load(raw[:cut])


def test_dearmor_binary_passthrough():
    raw = bytes(_gen().public)
    assert dearmor(raw) == raw


def test_uid_revocation_and_key_revocation(gpg):
    fpr = gpg.gen('Alice <alice@example.org>', 'ed25519', 'sign',
                  sub='cv25519')
    gpg.run('--quick-add-uid', fpr, 'Alice Work <alice@work.example>')
    gpg.run('--quick-revoke-uid', fpr, 'Alice <alice@example.org>')
    key = Key.load(gpg.export(fpr))
    u = key.usability()
    assert u.can_encrypt and u.can_sign  # the other uid is still valid
    # Revoke the whole key with the revocation certificate gpg made.
    path = Path(gpg.home, 'openpgp-revocs.d', fpr + '.rev')
    rev = path.read_text().replace(':-----', '-----')
    gpg.import_(rev)
    key = Key.load(gpg.export(fpr))
    u = key.usability()
    assert u.revoked and not u.can_encrypt and not u.can_sign
    assert any('revoked' in r for r in u.reasons)


def test_subkey_expiry(gpg):
    fpr = gpg.gen('Bob <bob@example.org>', 'ed25519', 'sign', expire='never')
    gpg.run('--quick-add-key', fpr, 'cv25519', 'encr', '2d')
    key = Key.load(gpg.export(fpr))
    assert key.usability().can_encrypt
    u = key.usability(now=datetime.now(UTC) + timedelta(days=3))
    assert not u.can_encrypt and u.can_sign and not u.expired


def test_broken_self_signature():
    key = _gen()
    raw = bytearray(bytes(key.public))
    # Flip a bit near the end (inside the subkey binding signature MPI).
    raw[-5] ^= 0x01
    try:
        broken = Key.load(bytes(raw))
    except PGPError:
        return
    assert not broken.usability().can_encrypt


@pytest.mark.parametrize('p,s,name', SPECS)
def test_every_spec_facade_gpg_roundtrip(gpg, p, s, name):
    """The facade's own ECDH/RSA session-key code against gpg, per curve."""
    from mailman_pgp.pgp import decrypt, encrypt
    key = _gen(p, s)
    gpg.import_(key.armor())
    text = 'Grüße ✓'.encode()
    for hide in (False, True):
        ct = encrypt(text, [key.public], sign_with=key, throw_keyids=hide)
        proc = gpg.run('--decrypt', input=ct)
        assert proc.stdout == text and 'GOODSIG' in gpg.status(proc)
    ct = gpg.run('--armor', '--encrypt', '--sign', '--local-user',
                 key.fingerprint, '--recipient', key.fingerprint,
                 input=text).stdout
    result = decrypt(ct, key)
    assert result.data == text
    [v] = result.verify(key.public)
    assert v.good
