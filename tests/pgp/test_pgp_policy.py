"""The key and signature policy (pgp/policy.py), attack by attack.

Each test builds the attack (by hand where no tool makes it) and checks
the facade refuses it on both key paths: the packet fast path (lazily
loaded keys) and the PGPy path (Key.load), with a reason naming the check.
"""

import time
from datetime import datetime, timedelta

import pytest

from mailman_pgp.pgp import Key, clear_key_cache, load_keys
from mailman_pgp.pgp import packets as P
from mailman_pgp.pgp._keyparse import UTC
from mailman_pgp.pgp._sigparse import subpackets
from mailman_pgp.pgp.verify import verify_detached
from tests.pgp import forge

DATA = b'Pay Mallory 1000 EUR.\n'


def both_paths(binary: bytes):
    """The same key as the fast path and the PGPy path read it."""
    clear_key_cache()
    [lazy] = load_keys(forge.armored(binary))
    eager = Key.load(forge.armored(binary))
    return lazy, eager


def verdicts(data, sig, binary):
    out = []
    for key in both_paths(binary):
        [v] = verify_detached(data, sig, [key])
        out.append(v)
    return out


@pytest.fixture(scope='module')
def victim(gpg_session):
    """A real gpg key with an Ed25519 signing subkey, and its signature."""
    gpg = gpg_session
    fpr = gpg.gen('Victim <victim@example.org>', 'ed25519', 'cert')
    gpg.run('--quick-add-key', fpr, 'ed25519', 'sign')
    gpg.run('--quick-add-key', fpr, 'cv25519', 'encr')
    packets = list(P.iter_packets(bytes(Key.load(gpg.export(fpr)))))
    sub, binding = next((p, packets[i + 1]) for i, p in enumerate(packets)
                        if p.tag == P.PUBLIC_SUBKEY and p.body[5] == 22)
    body = binding.body
    hlen = int.from_bytes(body[4:6], 'big')
    ulen = int.from_bytes(body[6 + hlen:8 + hlen], 'big')
    areas = subpackets(body[6:6 + hlen]) + subpackets(
        body[8 + hlen:8 + hlen + ulen])
    [embedded] = [d for k, _, d in areas if k == 32]
    sig = gpg.run('--detach-sign', '--local-user', fpr, input=DATA).stdout
    return dict(fpr=fpr, sub=sub.body, backsig=embedded, sig=sig,
                armored=gpg.export(fpr))


def test_victim_signature_is_good_with_the_victims_key(victim):
    for key in both_paths(bytes(Key.load(victim['armored']))):
        [v] = verify_detached(DATA, victim['sig'], [key])
        assert v.good, v.reason


@pytest.mark.parametrize('backsig', ['missing', 'foreign', 'forged',
                                     'by-attacker'])
def test_foreign_signing_subkey_refused(victim, backsig):
    """Mallory binds the victim's signing subkey to his own key; the
    victim's signatures must not verify as Mallory's."""
    mallory = forge.EdKey()
    uid = b'Mallory <victim@example.org>'
    embedded = {
        'missing': None,
        'foreign': victim['backsig'],
        'forged': victim['backsig'][:-5] + bytes(5),
        'by-attacker': forge.backsig(mallory, mallory.prefix, mallory.when),
    }[backsig]
    binding = forge.bind(mallory, victim['sub'], flags=0x02,
                         embedded=embedded,
                         when=int.from_bytes(victim['sub'][1:5], 'big'))
    key = forge.public_key(mallory, uid, [(victim['sub'], binding)],
                           flags=0x01)
    for v, key_obj in zip(verdicts(DATA, victim['sig'], key),
                          both_paths(key)):
        assert not v.good and v.status == 'invalid'
        assert 'back signature' in v.reason
        assert mallory.fingerprint in v.reason
        assert not key_obj.usability().can_sign
        assert any('back signature' in r for r in key_obj.usability().reasons)


def _own_key(sub_flags=0x02, **kw):
    """A hand-made key with an Ed25519 subkey properly cross-certified."""
    primary, sub = forge.EdKey(), forge.EdKey()
    back = forge.backsig(sub, primary.prefix, primary.when)
    binding = forge.bind(primary, sub.body, flags=sub_flags, embedded=back)
    binary = forge.public_key(primary, b'Own <own@example.org>',
                              [(sub.body, binding)], **kw)
    return primary, sub, binary


def test_own_cross_certified_subkey_signs():
    primary, sub, binary = _own_key()
    sig = forge.document_sig(sub, DATA)
    for v in verdicts(DATA, sig, binary):
        assert v.good, v.reason


def test_encrypt_only_subkey_cannot_sign():
    primary, sub, binary = _own_key(sub_flags=0x0C)
    sig = forge.document_sig(sub, DATA)
    for v in verdicts(DATA, sig, binary):
        assert v.status == 'invalid'
        assert 'not a signing subkey' in v.reason


def test_primary_without_sign_flag_cannot_sign():
    primary, sub, binary = _own_key(flags=0x01)
    for v in verdicts(DATA, forge.document_sig(primary, DATA), binary):
        assert v.status == 'invalid' and 'not a signing key' in v.reason


@pytest.mark.parametrize('sigtype', [0x02, 0x40, 0x10, 0x18, 0x1F, 0x50])
def test_non_document_signature_types_refused(sigtype):
    """A standalone (0x02) or timestamp (0x40) signature hashes none of the
    message: it would verify over any body."""
    primary, sub, binary = _own_key()
    sig = forge.document_sig(sub, DATA, sigtype=sigtype)
    for body in (DATA, b'anything else'):
        for v in verdicts(body, sig, binary):
            assert v.status == 'invalid'
            assert f'type 0x{sigtype:02x}' in v.reason


@pytest.mark.parametrize('halg,name', [(2, 'SHA1'), (1, 'MD5')])
def test_weak_hash_document_signature_refused(halg, name):
    primary, sub, binary = _own_key()
    sig = forge.document_sig(sub, DATA, halg=halg)
    for v in verdicts(DATA, sig, binary):
        assert v.status == 'invalid' and name in v.reason


def test_future_signature_refused_small_skew_accepted():
    primary, sub, binary = _own_key()
    now = int(time.time())
    for v in verdicts(DATA, forge.document_sig(sub, DATA, when=now + 7200),
                      binary):
        assert v.status == 'invalid' and 'future' in v.reason
    for v in verdicts(DATA, forge.document_sig(sub, DATA, when=now + 300),
                      binary):
        assert v.good, v.reason


@pytest.mark.parametrize('extra,word', [
    (forge.subpacket(99, b'x', critical=True), 'unknown critical'),
    (forge.subpacket(20, b'\x80\0\0\0' + b'\0\x0b\0\x01'
                     + b'x@example.o' + b'1', critical=True),
     'critical notation'),
])
def test_critical_unknown_subpackets_refused(extra, word):
    primary, sub, binary = _own_key()
    sig = forge.document_sig(sub, DATA, extra=extra)
    for v in verdicts(DATA, sig, binary):
        assert v.status == 'invalid' and word in v.reason
    # Not critical: ignored.
    sig = forge.document_sig(sub, DATA, extra=forge.subpacket(99, b'x'))
    for v in verdicts(DATA, sig, binary):
        assert v.good, v.reason


def test_sha1_self_signatures_refused():
    """SHA-1 self-signatures: refused since 2023-02-01 (Sequoia)."""
    primary, sub = forge.EdKey(), forge.EdKey()
    back = forge.backsig(sub, primary.prefix, primary.when)
    binding = forge.bind(primary, sub.body, flags=0x02, embedded=back,
                         halg=2)
    binary = forge.public_key(primary, b'Old <old@example.org>',
                              [(sub.body, binding)], halg=2)
    for key in both_paths(binary):
        u = key.usability()
        assert not u.can_sign
        assert any('SHA1, refused since 2023-02-01' in r for r in u.reasons)
        # Judged at an earlier instant, SHA-1 self-signatures were fine.
        early = datetime(2022, 6, 1, tzinfo=UTC)
        assert not key.usability(early).reasons or \
            primary.when > early.timestamp()


def test_signature_before_the_subkey_existed_refused():
    primary, sub, binary = _own_key()
    sig = forge.document_sig(sub, DATA, when=sub.when - 86400)
    for v in verdicts(DATA, sig, binary):
        assert not v.good


def test_subkey_bound_after_signature_refused():
    """A binding made after the signature does not make it valid then."""
    primary, sub = forge.EdKey(), forge.EdKey()
    now = int(time.time())
    back = forge.backsig(sub, primary.prefix, now - 60)
    binding = forge.bind(primary, sub.body, flags=0x02, embedded=back,
                         when=now - 60)
    binary = forge.public_key(primary, b'Late <late@example.org>',
                              [(sub.body, binding)])
    sig = forge.document_sig(sub, DATA, when=now - 600)
    for v in verdicts(DATA, sig, binary):
        assert v.status == 'invalid' and 'not bound' in v.reason


def test_verdicts_agree_with_usability_now():
    primary, sub, binary = _own_key()
    for key in both_paths(binary):
        later = datetime.now(UTC) + timedelta(days=1)
        assert key.usability(later).signing_keyids == [
            primary.fingerprint[-16:], sub.fingerprint[-16:]]


def test_sha1_subkey_binding_named():
    """A SHA-1 binding (current self-certification): the subkey is not
    used, and the reasons say why."""
    primary, sub = forge.EdKey(), forge.EdKey()
    back = forge.backsig(sub, primary.prefix, primary.when)
    binding = forge.bind(primary, sub.body, flags=0x02, embedded=back,
                         halg=2)
    binary = forge.public_key(primary, b'Mix <mix@example.org>',
                              [(sub.body, binding)], flags=0x01)
    sig = forge.document_sig(sub, DATA)
    for key in both_paths(binary):
        u = key.usability()
        assert not u.can_sign
        assert any(f'Subkey {sub.fingerprint[-16:]} is not used' in r
                   and 'SHA1' in r for r in u.reasons)
        [v] = verify_detached(DATA, sig, [key])
        assert v.status == 'invalid' and 'SHA1' in v.reason


@pytest.mark.parametrize('reason,soft', [
    (b'\x01', True),        # superseded: soft, counts from its date
    (b'\x03', True),        # retired: soft
    (b'\x02', False),       # compromised: hard, whatever its date
    (None, False),          # no reason: hard
])
def test_subkey_revocation_hard_and_soft(reason, soft):
    """A soft revocation counts from its date, a hard one always (as for
    Sequoia): the subkey could sign before a soft one. A signature counts
    only if its key can sign now as well, so both are 'revoked'."""
    primary, sub, binary = _own_key()
    now = int(time.time())
    sig = forge.document_sig(sub, DATA, when=now - 600)
    extra = forge.subpacket(29, reason + b'gone') if reason else b''
    revocation = P.new_packet(P.SIGNATURE, primary.sign(
        0x28, primary.prefix + sub.prefix,
        forge.created(now - 60) + primary.issuer() + extra))
    revoked = binary + revocation
    before = datetime.fromtimestamp(now - 300, UTC)
    for key in both_paths(revoked):
        signers = key.usability(before).signing_keyids
        assert (sub.fingerprint[-16:] in signers) == soft
    for v in verdicts(DATA, sig, revoked):
        assert v.status == 'revoked', v.reason
        assert ('judged now' in v.reason) == soft, v.reason
    # Made after the revocation: never counts.
    late = forge.document_sig(sub, DATA, when=now - 30)
    for v in verdicts(DATA, late, revoked):
        assert v.status == 'revoked' and 'revoked' in v.reason


def test_revoked_user_id_still_binds_but_is_a_defect():
    """A key whose only user ID is revoked still signs (as for Sequoia:
    verification); key import refuses it, naming the user ID (defects)."""
    from tests.pgp.differential.case import DATA as SIGNED, doc_sig
    from tests.pgp.differential.certs import (
        DAY, T0, Sub, cert, enc_sub)
    from tests.pgp.differential.openpgp import KeyPart
    p = KeyPart('ed25519', 'alice', T0)
    s = KeyPart('ed25519', 'alice-sign', T0)
    binary = cert(p, [enc_sub(), Sub(s)], uid_revoked=(T0 + DAY, 0x20))
    sig = doc_sig(s, t=T0 + 2 * DAY)
    for key in both_paths(binary):
        u = key.usability()
        assert u.can_sign and u.can_encrypt
        assert u.defects == ['The key has no valid user ID: its user IDs '
                             'are revoked.']
        [v] = verify_detached(SIGNED, sig, [key])
        assert v.good
