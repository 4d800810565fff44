"""Property-based fuzzing of the parsers: only PGPError may escape."""

import email
import os
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailman_pgp.pgp import (
    Key, PGPError, armor, dearmor, decrypt, decrypt_message, find_blocks,
    find_keys, is_encrypted, is_signed, load_keys, strip_signature,
    verify_detached, verify_message)
from mailman_pgp.keystore.store import KeyStore, UnreadableKeyError
from mailman_pgp.pgp import clear_key_cache
from mailman_pgp.pgp import packets as P
from mailman_pgp.pgp._keyparse import UTC

# MMPGP_FUZZ_EXAMPLES=2000 for a long, randomized hunt; CI runs a few.
_EXAMPLES = int(os.environ.get('MMPGP_FUZZ_EXAMPLES', '40'))
SETTINGS = settings(max_examples=_EXAMPLES, deadline=None,
                    derandomize='MMPGP_FUZZ_EXAMPLES' not in os.environ,
                    suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope='module')
def corpus(gpg_world, gpg_keys, list_keys):
    fpr, secret = gpg_keys['rsa']
    lst = list_keys['cv25519']
    text = 'Grüße ✓\nline two\n'.encode()
    return {
        'lst': lst,
        'sender': secret.public,
        'senders': [s.public for _, s in gpg_keys.values()],
        'gpg_msg': dearmor(gpg_world.run(
            '--armor', '--encrypt', '--sign', '--local-user', fpr,
            '--recipient', lst.fingerprint, '--compress-algo', 'zlib',
            input=text).stdout),
        'gpg_sig': dearmor(gpg_world.run(
            '--armor', '--detach-sign', '--local-user', fpr,
            input=text).stdout),
        'clear': gpg_world.run('--clearsign', '--local-user', fpr,
                               input=text).stdout.decode(),
        'key': bytes(secret.public),
        'text': text,
    }


mutation = st.lists(st.tuples(st.sampled_from(['flip', 'cut', 'insert',
                                                'delete']),
                              st.integers(0, 10**6), st.integers(0, 255)),
                    min_size=1, max_size=4)


def _mutate(data: bytes, ops) -> bytes:
    data = bytearray(data)
    for op, pos, value in ops:
        if not data:
            break
        pos %= len(data)
        if op == 'flip':
            data[pos] ^= value or 1
        elif op == 'cut':
            del data[pos:]
        elif op == 'insert':
            data.insert(pos, value)
        else:
            del data[pos]
    return bytes(data)


def _only_pgp_errors(fn, *args, **kw):
    try:
        return fn(*args, **kw)
    except PGPError:
        return None


@SETTINGS
@given(ops=mutation)
def test_fuzz_decrypt(corpus, ops):
    data = _mutate(corpus['gpg_msg'], ops)
    result = _only_pgp_errors(decrypt, data, corpus['lst'])
    if result is not None:
        _only_pgp_errors(result.verify, corpus['sender'])
    _only_pgp_errors(decrypt, armor(data), corpus['lst'])


@SETTINGS
@given(ops=mutation)
def test_fuzz_key(corpus, ops):
    data = _mutate(corpus['key'], ops)
    key = _only_pgp_errors(Key.load, data)
    if key is not None:
        _only_pgp_errors(key.usability)
        _only_pgp_errors(lambda: (key.uids, key.algorithm, key.armor()))
    keys = _only_pgp_errors(load_keys, armor(data, 'PUBLIC KEY BLOCK'))
    for k in keys or []:
        _only_pgp_errors(k.usability)


@SETTINGS
@given(ops=mutation)
def test_fuzz_signature(corpus, ops):
    data = _mutate(corpus['gpg_sig'], ops)
    _only_pgp_errors(verify_detached, corpus['text'], data,
                     [corpus['sender']])


@SETTINGS
@given(ops=mutation)
def test_fuzz_armor_text(corpus, ops):
    text = _mutate(corpus['clear'].encode(), ops).decode('latin-1')
    _only_pgp_errors(find_blocks, text)
    msg = email.message_from_string(
        'From: a@example.org\nSubject: x\n\n' + text)
    for fn in (is_signed, is_encrypted, strip_signature):
        _only_pgp_errors(fn, msg)
    _only_pgp_errors(verify_message, msg, corpus['senders'])
    _only_pgp_errors(find_keys, msg)


@SETTINGS
@given(ops=mutation)
def test_fuzz_mime(corpus, ops):
    armored = armor(corpus['gpg_msg'])
    raw = ('From: a@example.org\nSubject: x\nMIME-Version: 1.0\n'
           'Content-Type: multipart/encrypted; '
           'protocol="application/pgp-encrypted"; boundary="E"\n\n'
           '--E\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n\n'
           '--E\nContent-Type: application/octet-stream\n\n'
           + armored + '\n--E--\n').encode()
    msg = email.message_from_bytes(_mutate(raw, ops))
    result = _only_pgp_errors(decrypt_message, msg, corpus['lst'])
    if result is not None:
        _only_pgp_errors(result.verify, corpus['sender'])


@SETTINGS
@given(data=st.binary(max_size=300))
def test_fuzz_random_bytes(corpus, data):
    _only_pgp_errors(decrypt, data, corpus['lst'])
    _only_pgp_errors(Key.load, data)
    _only_pgp_errors(verify_detached, b'x', data, [corpus['sender']])


@pytest.fixture(scope='module')
def signed_raw(gpg_world, gpg_keys):
    fpr, _ = gpg_keys['cv25519']
    inner = ('Content-Type: text/plain; charset="utf-8"\r\n'
             'Content-Transfer-Encoding: quoted-printable\r\n\r\n'
             'Gr=C3=BC=C3=9Fe\r\n')
    sig = gpg_world.run('--armor', '--detach-sign', '--local-user', fpr,
                        input=inner.encode()).stdout.decode()
    return ('From: a@example.org\r\nSubject: x\r\nMIME-Version: 1.0\r\n'
            'Content-Type: multipart/signed; micalg=pgp-sha256;\r\n'
            ' protocol="application/pgp-signature"; boundary="S"\r\n\r\n'
            '--S\r\n' + inner + '\r\n--S\r\n'
            'Content-Type: application/pgp-signature\r\n\r\n' + sig
            + '\r\n--S--\r\n').encode()


@SETTINGS
@given(ops=mutation)
def test_fuzz_mime_signed(corpus, signed_raw, ops):
    msg = email.message_from_bytes(_mutate(signed_raw, ops))
    for fn in (is_signed, strip_signature, find_keys):
        _only_pgp_errors(fn, msg)
    _only_pgp_errors(verify_message, msg, corpus['senders'])


# -- key packets: the fast path, the PGPy path and the key store ------------

_FUZZ_NOW = [None, datetime.now(UTC) + timedelta(days=400)]


def _use_key(key, corpus):
    """Everything the plugin asks of a member's key."""
    for now in _FUZZ_NOW:
        _only_pgp_errors(key.usability, now)
    _only_pgp_errors(verify_detached, corpus['text'], corpus['gpg_sig'],
                     [key])
    _only_pgp_errors(lambda: (key.uids, key.expires_at, key.algorithm))


@SETTINGS
@given(ops=mutation)
def test_fuzz_key_packets_fast_and_pgpy_paths(corpus, ops):
    data = _mutate(corpus['key'], ops)
    clear_key_cache()
    for lazy in (True, False):
        for key in _only_pgp_errors(load_keys, data, lazy=lazy) or []:
            _use_key(key, corpus)


@SETTINGS
@given(ops=mutation)
def test_fuzz_key_store_import(corpus, key_store_dirs, ops):
    store = KeyStore(*key_store_dirs)
    store.ensure_directories()
    path = store.address_key_path('fuzz@example.org')
    with open(path, 'w') as fp:
        fp.write(armor(_mutate(corpus['key'], ops), 'PUBLIC KEY BLOCK'))
    clear_key_cache()
    store._cache.clear()
    try:
        key = store.address_key('fuzz@example.org')
    except (PGPError, UnreadableKeyError):
        return
    if key is not None:
        _use_key(key, corpus)


@pytest.fixture(scope='module')
def key_store_dirs(tmp_path_factory):
    base = tmp_path_factory.mktemp('keystore')
    return [str(base / d) for d in ('lists', 'users', 'archive')]


@pytest.mark.parametrize('kind,length', [(2, 5), (2, 3), (9, 5), (3, 7),
                                         (9, 1)])
def test_odd_length_time_subpackets(corpus, kind, length):
    """A time subpacket of the wrong length (which once raised
    OverflowError from Key.usability() of a lazily loaded key) makes its
    signature unreadable, hence ignored: the key is refused with a reason.
    """
    from tests.pgp import forge
    primary = forge.EdKey()
    uid = b'Odd <odd@example.org>'
    binary = (P.new_packet(P.PUBLIC_KEY, primary.body)
              + forge.uid_packet(uid) + forge.certify(
                  primary, uid, extra=forge.subpacket(kind, b'\xff' * length)))
    clear_key_cache()
    for lazy in (True, False):
        try:
            [key] = load_keys(armor(binary, 'PUBLIC KEY BLOCK'), lazy=lazy)
        except PGPError:
            assert not lazy     # PGPy may refuse to read it at all
            continue
        for now in _FUZZ_NOW:
            u = key.usability(now)
            assert not u.can_sign and u.reasons
        _use_key(key, corpus)


_SUBPACKETS = st.lists(st.tuples(st.integers(0, 127), st.booleans(),
                                 st.binary(max_size=12)), max_size=4)


@SETTINGS
@given(uid_extra=_SUBPACKETS, doc_extra=_SUBPACKETS)
def test_fuzz_signature_subpackets(corpus, uid_extra, doc_extra):
    """Validly signed self-signatures and message signatures carrying any
    subpackets (wrong lengths, unknown kinds, critical bits): the key
    paths and verification answer with a verdict or a PGPError only."""
    from tests.pgp import forge

    def area(items):
        return b''.join(forge.subpacket(k, d, critical=c)
                        for k, c, d in items)
    primary = forge.EdKey()
    uid = b'Fuzz <fuzz@example.org>'
    binary = forge.public_key(primary, uid, extra=area(uid_extra))
    sig = forge.document_sig(primary, corpus['text'], extra=area(doc_extra))
    clear_key_cache()
    answers = []
    for lazy in (True, False):
        try:
            [key] = load_keys(armor(binary, 'PUBLIC KEY BLOCK'), lazy=lazy)
        except PGPError:
            continue
        for now in _FUZZ_NOW:
            _only_pgp_errors(key.usability, now)
        answers.append((_only_pgp_errors(key.usability),
                        _only_pgp_errors(verify_detached, corpus['text'],
                                         sig, [key])))
    if len(answers) == 2 and None not in answers[0] + answers[1] and \
            bytes(key) == binary:
        # The same policy on both paths: the same answers (when PGPy reads
        # the packets faithfully: it drops, say, an empty key flags
        # subpacket, and then checks a signature over other bytes).
        (fast, [vf]), (slow, [vs]) = answers
        assert fast == slow
        assert (vf.status, vf.reason) == (vs.status, vs.reason)
