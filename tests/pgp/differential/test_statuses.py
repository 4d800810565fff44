"""The status and reason of the facade's verdict on some hand-made cases.

The differential tests compare only counts of good signatures with
Sequoia; the list also acts on why a signature is not good (expired and
revoked have their own actions), so these are pinned here, on both paths.
Needs no Sequoia.
"""

import pytest

from mailman_pgp.pgp import clear_key_cache, load_keys, verify_detached

from .hand_cases import build

NOW = 'judged now'
EXPECTED = {
    # Valid when made, not now: the status says why, and that it is now.
    'expired-primary-primary-signs-before': ('expired', NOW),
    'expired-primary-subkey-signs-before': ('expired', NOW),
    'expired-subkey-signs-before': ('expired', NOW),
    'expired-binding-sig-signs-before': ('expired', 'binding signature'),
    'direct-key-expiry-signs-before': ('expired', NOW),
    'revoked-primary-superseded-primary-signs-before': ('revoked', NOW),
    'revoked-primary-retired-subkey-signs-before': ('revoked', NOW),
    'revoked-subkey-superseded-signs-before': ('revoked', NOW),
    # Not valid when made.
    'expired-subkey-signs-after': ('expired', 'before the signature'),
    'direct-key-expiry-signs-after': ('expired', 'before the signature'),
    'revoked-primary-compromised-primary-signs-before': ('revoked', 'made'),
    'backsig-created-after-signature': ('invalid', 'back signature yet'),
    # A revocation made with MD5 is past Sequoia's tolerance: ignored.
    'revoked-primary-MD5-revocation': ('good', None),
    'revoked-subkey-MD5-revocation': ('good', None),
    'revoked-primary-SHA1-revocation': ('revoked', 'revoked'),
    'revoked-uid-signs-after': ('good', None),
    'issuer-fpr-only': ('good', None),
    'backsig-foreign-mallory-first': ('good', None),
}


@pytest.fixture(scope='module')
def cases():
    return {case.id: case for case in build() if case.id in EXPECTED}


@pytest.mark.parametrize('lazy', [True, False], ids=['fast', 'pgpy'])
@pytest.mark.parametrize('case_id', sorted(EXPECTED))
def test_status_and_reason(cases, case_id, lazy):
    case = cases[case_id]
    status, words = EXPECTED[case_id]
    clear_key_cache()
    keys = [k for blob in case.certs for k in load_keys(blob, lazy=lazy)]
    [v] = verify_detached(case.data, case.sig, keys)
    assert v.status == status, v.reason
    if words is None:
        assert v.reason is None
    else:
        assert words in v.reason and v.signer_fingerprint in v.reason


@pytest.mark.parametrize('lazy', [True, False], ids=['fast', 'pgpy'])
def test_foreign_claim_does_not_hide_the_owner(cases, lazy):
    """Mallory's certificate (first) claims Alice's signing subkey with a
    copied back-signature: the signature is Alice's, not Mallory's."""
    case = cases['backsig-foreign-mallory-first']
    clear_key_cache()
    mallory, alice = (load_keys(blob, lazy=lazy)[0] for blob in case.certs)
    [v] = verify_detached(case.data, case.sig, [mallory, alice])
    assert v.good and v.signer_fingerprint == alice.fingerprint
    [v] = verify_detached(case.data, case.sig, [mallory])
    assert v.status == 'invalid' and 'back signature' in v.reason
