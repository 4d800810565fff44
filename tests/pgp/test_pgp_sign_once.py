"""One body, one signature: many encryptions of it share the list's
signature (individual delivery to a large list signs once, not per batch)."""

import time

from mailman_pgp.pgp import KeySpec, decrypt, encrypt, encrypt_each, generate_key


def _key(email):
    return generate_key(KeySpec('EdDSA', 'Ed25519'),
                        KeySpec('ECDH', 'Curve25519'), [('X', email)])


def test_same_body_same_signature():
    signer, alice, bob = _key('l@x.org'), _key('a@x.org'), _key('b@x.org')
    first = encrypt_each(b'body', [[alice.public]], sign_with=signer)
    # Signatures are deterministic within a second (Ed25519, RSA): wait,
    # so a new signature would differ in its creation time.
    time.sleep(1.1)
    second = encrypt_each(b'body', [[bob.public]], sign_with=signer)
    sig_first = decrypt(first[0], alice).signatures
    sig_second = decrypt(second[0], bob).signatures
    assert sig_first and sig_first == sig_second
    other = encrypt(b'another body', [alice.public], sign_with=signer)
    assert decrypt(other, alice).signatures != sig_first
