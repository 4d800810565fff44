"""Minimal import, merging certifications, applying revocations (gpg)."""

from pathlib import Path

import pytest

from mailman_pgp.pgp import Key, KeyImportError, SignatureError
from mailman_pgp.pgp.keyops import (
    apply_revocation,
    import_key,
    merge_certifications,
    minimize,
)


def _sigs(gpg, fpr):
    out = gpg.run('--with-colons', '--check-sigs', fpr).stdout.decode()
    return [ln.split(':')[4] for ln in out.splitlines()
            if ln.startswith('sig:')]


def _rev(gpg, fpr):
    path = Path(gpg.home, 'openpgp-revocs.d', fpr + '.rev')
    return path.read_text().replace(':-----', '-----')


def test_import_drops_third_party(gpg, list_keys):
    alice = gpg.gen('Alice <alice@example.org>', 'ed25519', 'sign',
                    sub='cv25519')
    mallory = gpg.gen('Mallory <m@example.org>', 'ed25519', 'sign')
    gpg.run('--local-user', mallory, '--quick-sign-key', alice)
    exported = gpg.export(alice)
    assert mallory[-16:] in _sigs(gpg, alice)
    key = import_key(exported)
    assert key.fingerprint == alice
    assert key.usability().can_encrypt
    gpg2_input = key.public_armor()
    assert len(gpg2_input) < len(exported)
    with pytest.raises(KeyImportError):
        import_key(list_keys['cv25519'].armor())
    assert minimize(key) == key


def test_merge_certifications(gpg, list_keys):
    lst = list_keys['cv25519']
    gpg.import_(lst.armor())
    alice = gpg.gen('Alice <alice@example.org>', 'ed25519', 'sign',
                    sub='cv25519')
    mallory = gpg.gen('Mallory <m@example.org>', 'ed25519', 'sign')
    stored = import_key(gpg.export(alice))
    gpg.run('--local-user', lst.fingerprint, '--quick-sign-key', alice)
    signed = Key.load(gpg.export(alice))
    merged = merge_certifications(stored, signed, lst.public)
    assert merged.fingerprint == alice
    with pytest.raises(KeyImportError, match='No new certifications'):
        merge_certifications(merged, signed, lst.public)
    with pytest.raises(KeyImportError, match='No signed UIDs'):
        merge_certifications(stored, stored, lst.public)
    with pytest.raises(KeyImportError, match='wrong key'):
        merge_certifications(stored, Key.load(gpg.export(mallory)),
                             lst.public)
    # A certification by someone else does not count as the list's.
    gpg.run('--local-user', mallory, '--quick-sign-key', alice)
    with pytest.raises(KeyImportError):
        merge_certifications(merged, Key.load(gpg.export(alice)),
                             lst.public)


def test_merged_key_gpg_check(gpg, gpg2, list_keys):
    lst = list_keys['rsa']
    gpg.import_(lst.armor())
    alice = gpg.gen('Alice <alice@example.org>', 'ed25519', 'sign',
                    sub='cv25519')
    stored = import_key(gpg.export(alice))
    gpg.run('--local-user', lst.fingerprint, '--quick-sign-key', alice)
    merged = merge_certifications(stored, Key.load(gpg.export(alice)),
                                  lst.public)
    gpg2.import_(lst.public_armor())
    gpg2.import_(merged.public_armor())
    assert lst.keyid in _sigs(gpg2, alice)


def test_apply_revocation(gpg, gpg2):
    alice = gpg.gen('Alice <alice@example.org>', 'ed25519', 'sign',
                    sub='cv25519')
    bob = gpg.gen('Bob <bob@example.org>', 'ed25519', 'sign')
    key = import_key(gpg.export(alice))
    revoked = apply_revocation(key, _rev(gpg, alice))
    assert revoked.usability().revoked
    assert not key.usability().revoked
    gpg2.import_(revoked.public_armor())
    out = gpg2.run('--with-colons', '--list-keys', alice).stdout.decode()
    assert 'pub:r:' in out
    with pytest.raises(SignatureError):
        apply_revocation(key, _rev(gpg, bob))
