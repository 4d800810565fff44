"""Signing from the packets of a stored list key, without PGPy.

A list key read from the key store loads lazily; signatures made from it
must verify in gpg exactly like the PGPy-made ones, for every key type the
site may configure.
"""

import subprocess
import sys
from datetime import timedelta

import pytest

from mailman_pgp.pgp import (
    Key,
    SignatureError,
    clear_key_cache,
    clearsign,
    encrypt,
    generate_key,
    load_keys,
    parse_key_spec,
    sign_detached,
    sign_message,
)
from mailman_pgp.pgp._fastsign import Signer

SPECS = [('EdDSA:Ed25519', 'ECDH:Curve25519'), ('RSA:2048', 'RSA:2048'),
         ('ECDSA:nistp256', 'ECDH:nistp256'),
         ('ECDSA:nistp521', 'ECDH:nistp521'),
         ('ECDSA:brainpoolP256r1', 'ECDH:brainpoolP256r1')]


def _stored(key):
    """key as the key store reads it back: lazily, from its armor."""
    clear_key_cache()
    [lazy] = load_keys(key.armor())
    assert lazy._pk is None and lazy.is_private
    assert lazy.fingerprint == key.fingerprint
    return lazy


@pytest.mark.parametrize('primary,sub', SPECS)
def test_signatures_verify_in_gpg(gpg, primary, sub):
    key = generate_key(parse_key_spec(primary, 'primary'),
                       parse_key_spec(sub, 'sub'),
                       [('Fast List', 'fast@lists.example.com')])
    gpg.import_(key.public_armor())
    lazy = _stored(key)
    assert isinstance(lazy._facts().signer, Signer)
    assert not lazy.is_protected
    data = b'line one\nline two\n'
    detached = sign_detached(data, lazy)
    with open(gpg.home + '/data', 'wb') as fp:
        fp.write(data)
    proc = gpg.run('--verify', '-', gpg.home + '/data', input=detached)
    assert '[GNUPG:] VALIDSIG ' + key.fingerprint in gpg.status(proc)
    proc = gpg.run('--decrypt', input=sign_message(data, lazy))
    assert proc.stdout == data
    assert '[GNUPG:] GOODSIG' in gpg.status(proc)
    proc = gpg.run('--verify', input=clearsign('Hello\nlist\n', lazy))
    assert '[GNUPG:] GOODSIG' in gpg.status(proc)
    assert lazy._pk is None, 'signing parsed the key with PGPy'


def test_signed_and_encrypted_to_a_member(gpg_world, gpg_keys, list_keys):
    lazy = _stored(list_keys['rsa'])
    fpr, member = gpg_keys['cv25519']
    out = encrypt(b'to the member', [member.public], sign_with=lazy)
    proc = gpg_world.run('--decrypt', input=out)
    assert proc.stdout == b'to the member'
    status = gpg_world.status(proc)
    assert '[GNUPG:] VALIDSIG ' + list_keys['rsa'].fingerprint in status


def test_gpg_made_secret_keys_load_lazily(gpg_world, gpg_keys):
    for fpr, key in gpg_keys.values():
        lazy = _stored(key)
        assert lazy.usability() == key.usability()
        proc = gpg_world.run('--decrypt', input=sign_message(b'x', lazy))
        assert '[GNUPG:] VALIDSIG ' + fpr in gpg_world.status(proc)


def test_protected_key_is_read_by_pgpy_and_refused(gpg):
    def run(*args):
        return subprocess.run(
            ['gpg', '--homedir', gpg.home, '--batch', '--pinentry-mode',
             'loopback', '--passphrase', 'secret', *args],
            capture_output=True, check=True).stdout
    run('--quick-gen-key', 'Locked <locked@example.org>', 'ed25519', 'sign',
        'never')
    armored = run('--armor', '--export-secret-keys', 'locked@example.org')
    [key] = load_keys(armored.decode())
    assert key.is_protected and key._facts() is None
    with pytest.raises(SignatureError, match='passphrase'):
        sign_detached(b'x', key)


def _damaged(key) -> str:
    """key's armor with one bit of its first secret MPI flipped and the
    checksum fixed: readable, but the secret no longer fits the public."""
    from mailman_pgp.pgp import armor, packets as P
    from mailman_pgp.pgp._fastkey import _KeyPart
    out = []
    for p in P.iter_packets(bytes(key)):
        if p.tag == P.SECRET_KEY:
            body = bytearray(p.body)
            start = len(_KeyPart(bytes(body), True).prefix) - 3 + 1
            first_len = (int.from_bytes(body[start:start + 2], 'big')
                         + 7) // 8
            body[start + 2 + first_len - 1] ^= 0x01
            checksum = sum(body[start:-2]) & 0xFFFF
            body[-2:] = checksum.to_bytes(2, 'big')
            out.append(P.new_packet(P.SECRET_KEY, bytes(body)))
        else:
            out.append(p.raw)
    return armor(b''.join(out), 'PRIVATE KEY BLOCK')


@pytest.mark.parametrize('primary,sub', SPECS[:3])
def test_damaged_secret_part_is_refused(primary, sub):
    key = generate_key(parse_key_spec(primary, 'primary'),
                       parse_key_spec(sub, 'sub'),
                       [('Broken', 'broken@lists.example.com')])
    clear_key_cache()
    [lazy] = load_keys(_damaged(key))
    assert lazy._facts().signer is not None
    with pytest.raises(SignatureError, match='damaged'):
        sign_detached(b'x', lazy)


def test_facts_hold_until_the_key_expires():
    key = generate_key(parse_key_spec('EdDSA:Ed25519', 'primary'),
                       parse_key_spec('ECDH:Curve25519', 'sub'),
                       [('Soon', 'soon@lists.example.com')],
                       expires=timedelta(days=30))
    lazy = _stored(key)
    facts = lazy._facts()
    assert facts.valid_until == pytest.approx(
        key.expires_at.timestamp(), abs=1)
    assert facts.current()
    # Once that instant has passed, the facts are derived again.
    facts.valid_until = 0
    assert lazy._facts() is not facts


@pytest.mark.parametrize('signer,member', [('cv25519', 'rsa'),
                                            ('rsa', 'cv25519')])
def test_delivery_path_imports_neither_pgpy_nor_cryptography(
        list_keys, tmp_path, signer, member):
    """The outgoing runner signs and encrypts without importing PGPy or
    cryptography (the system's libcrypto does it: _ossl)."""
    list_file = tmp_path / 'list.asc'
    list_file.write_text(list_keys[signer].armor())
    member_file = tmp_path / 'member.asc'
    member_file.write_text(list_keys[member].public_armor())
    script = (
        'import sys\n'
        'from mailman_pgp.pgp import load_keys, encrypt_each\n'
        f'[lst] = load_keys(open({str(list_file)!r}).read())\n'
        f'[member] = load_keys(open({str(member_file)!r}).read())\n'
        'assert encrypt_each(b"post", [[member]], sign_with=lst)\n'
        'print(sorted(m for m in ("pgpy", "cryptography") '
        'if m in sys.modules))\n')
    out = subprocess.run([sys.executable, '-c', script], check=True,
                         capture_output=True, text=True).stdout
    assert out.strip() == '[]'


def test_public_key_cannot_sign(list_keys):
    [public] = load_keys(list_keys['cv25519'].public_armor())
    with pytest.raises(SignatureError):
        sign_detached(b'x', public)
    assert Key.load(list_keys['cv25519'].armor()).is_private
