"""An older copy of a key is told from a newer one (pgp/freshness.py).

Each copy is a real gpg export of one key at two moments, a second apart
(gpg dates signatures to the second).
"""

import time

import pytest

from mailman_pgp.pgp import Key, StaleKeyError, dearmor, staleness
from mailman_pgp.pgp import packets as P

UID = 'Anne <anne@example.org>'


def _later(gpg, *args):
    time.sleep(1.1)
    gpg.run(*args)


@pytest.fixture
def anne(gpg):
    fpr = gpg.gen(UID, 'ed25519', 'sign,cert', sub='cv25519', expire='1y')
    return fpr


def _copy(gpg, fpr) -> Key:
    return Key.load(gpg.export(fpr))


def test_same_copy_and_newer_copy_pass(gpg, anne):
    old = _copy(gpg, anne)
    _later(gpg, '--quick-set-expire', anne, '2y')
    new = _copy(gpg, anne)
    assert staleness(old, old) == []
    assert staleness(old, new) == []


def test_older_self_signature(gpg, anne):
    old = _copy(gpg, anne)
    _later(gpg, '--quick-set-expire', anne, '2y')
    _later(gpg, '--quick-set-expire', anne, '2y', '*')
    reasons = staleness(_copy(gpg, anne), old)
    assert any(UID in r and 'is older' in r for r in reasons), reasons
    assert any('subkey' in r and 'is older' in r for r in reasons), reasons


def test_removed_expiry(gpg):
    fpr = gpg.gen(UID, 'ed25519', 'sign,cert', sub='cv25519')
    old = _copy(gpg, fpr)
    assert old.expires_at is None
    _later(gpg, '--quick-set-expire', fpr, '2y')
    new = _copy(gpg, fpr)
    assert new.expires_at is not None
    assert staleness(new, old)


def test_dropped_revocations(gpg, anne):
    gpg.run('--quick-add-uid', anne, 'Anne <anne@work.example.org>')
    gpg.run('--quick-add-key', anne, 'cv25519', 'encr', '1y')
    old = _copy(gpg, anne)
    _later(gpg, '--quick-revoke-uid', anne, 'Anne <anne@work.example.org>')
    gpg.run('--command-fd', '0', '--edit-key', anne,
            input='key 1\nrevkey\ny\n0\n\ny\nsave\n')
    reasons = staleness(_copy(gpg, anne), old)
    assert any('revocation of user ID "Anne <anne@work.example.org>"' in r
               for r in reasons), reasons
    assert any('revocation of subkey' in r for r in reasons), reasons


def test_dropped_key_revocation(gpg, anne):
    old = _copy(gpg, anne)
    gpg.import_(open('{}/openpgp-revocs.d/{}.rev'.format(gpg.home, anne))
                .read().replace(':-----', '-----'))
    assert staleness(_copy(gpg, anne), old) == [
        'it lacks the revocation of the key']


def test_forged_newer_self_signature_does_not_count(gpg, anne):
    # Eve appends to the old copy the newest self-signature with its
    # signature value damaged (she cannot make a valid one): the copy
    # does not become "newer".
    old = _copy(gpg, anne)
    _later(gpg, '--quick-set-expire', anne, '2y')
    new = _copy(gpg, anne)
    newest = [p for p in P.iter_packets(dearmor(new.public_armor()))
              if p.tag == P.SIGNATURE and p.body[1] == 0x13][-1].raw
    forged = newest[:-1] + bytes([newest[-1] ^ 1])
    packets = list(P.iter_packets(dearmor(old.public_armor())))
    at = next(i for i, p in enumerate(packets) if p.tag == P.USER_ID) + 2
    raw = b''.join(p.raw for p in packets[:at]) + forged + b''.join(
        p.raw for p in packets[at:])
    assert staleness(new, Key.load(raw))


def test_key_store_refuses_an_older_copy(gpg, anne, tmp_path):
    from mailman_pgp.keystore.store import KeyStore
    store = KeyStore(str(tmp_path / 'lists'), str(tmp_path / 'users'),
                     str(tmp_path / 'archive'))
    store.ensure_directories()
    old = _copy(gpg, anne)
    _later(gpg, '--quick-set-expire', anne, '2y')
    new = _copy(gpg, anne)
    store.set_address_key('anne@example.org', old)
    store.set_address_key('anne@example.org', new)
    with pytest.raises(StaleKeyError, match='older copy'):
        store.set_address_key('anne@example.org', old)
    assert bytes(store.address_key('anne@example.org')) == bytes(new)
