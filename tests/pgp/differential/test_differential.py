"""The facade's verdict on each signature of an adversarial corpus equals
Sequoia's (sqv, sqop verify), on the fast path and on the PGPy path.

The corpus (hand_cases.py, tool_cases.py) holds keys and detached
signatures built by gpg, sq, sqop and by hand: back-signatures missing or
forged, subkeys that may not sign, revoked and expired keys, weak RSA,
weak hashes, every signature type, future and too early signatures,
critical unknown subpackets and notations, several signatures, text mode,
wrong issuers, v3 and garbled signatures. A verdict is the number of
distinct good signatures (verdicts.py). Sequoia judges a signature at its
creation time; the plugin also wants the key valid now (issue 15), so the
harness asks Sequoia that too: a signature made now by the same key must
verify as well. That second answer is also compared with Key.usability()
of the certificate. On a lazily loaded key of the usual shape both
verification and Key.usability() read the key with _fastkey (keys with
revocations or direct-key signatures go to PGPy). gpg's verdict is
printed where it differs from Sequoia's and is not used.
"""

import pytest

from .hand_cases import build
from .tool_cases import TOOL_CASES
from .verdicts import facade, facade_key

IDS = [case.id for case in build()] + list(TOOL_CASES)
MIN_CASES = 150


def test_corpus_size(corpus):
    print(f'differential corpus: {len(corpus)} cases')
    assert len(corpus) >= MIN_CASES


def test_fast_path_is_exercised(corpus):
    """On lazily loaded keys _fastkey really judges the keys of most cases,
    for signatures by the primary key and by subkeys (else the 'fast' runs
    would test the PGPy path twice): verify_raw finds the signing key
    part in the policy's view of the key (Key._cert), read from the
    packets while the key is still lazy."""
    fast = [cid for cid, (case, _) in corpus.items()
            if facade(case, 'fast').fast_path]
    for cid in ('base-primary-ed25519', 'base-primary-rsa2048a',
                'base-subkey-ed25519', 'base-subkey-rsa2048',
                'backsig-foreign-mallory-first'):
        assert cid in fast, cid
    print(f'_fastkey judged the keys of {len(fast)} cases')
    assert len(fast) >= len(corpus) // 2, fast


@pytest.mark.parametrize('path', ['fast', 'pgpy'])
@pytest.mark.parametrize('case_id', IDS)
def test_same_verdict_as_sequoia(corpus, case_id, path):
    """The signatures the facade finds good are those Sequoia finds good;
    and the key that made them may sign now for both or for neither."""
    if case_id not in corpus:
        pytest.skip(f'{case_id}: the tool that makes it is not installed')
    case, ref = corpus[case_id]
    wrong = []
    got = facade(case, path)
    if got.good != ref.good:
        wrong.append(
            f'Sequoia finds {ref.good} good signature(s) '
            f'({ref.detail or "ok"}), the facade {got.good} ({got.detail})'
            + (' [fast path judged the key]' if got.fast_path else ''))
    if ref.now_ok is not None:
        key = facade_key(case, path)
        if key.good != ref.now_ok:
            wrong.append(
                'the signing key may sign now: Sequoia says {} ({}), '
                'Key.usability() {} ({}){}'.format(
                    'yes' if ref.now_ok else 'no', ref.now_detail or 'ok',
                    'yes' if key.good else 'no', key.detail,
                    ' [fast path]' if key.fast_path else ''))
    assert not wrong, f'{case_id} [{path}]: ' + '; '.join(wrong)
