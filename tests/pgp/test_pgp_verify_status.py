"""Verification results as data: signing subkeys, expiry, revocation,
cipher choice from recipient preferences."""

from datetime import datetime, timedelta

import pytest
from pathlib import Path

from mailman_pgp.pgp import Key, choose_cipher, decrypt, encrypt
from mailman_pgp.pgp._keyparse import UTC, _parse_one
from mailman_pgp.pgp._quiet import constants as C
from mailman_pgp.pgp._quiet import pgpy, quiet
from mailman_pgp.pgp.verify import verify_detached

DATA = 'signed ✓\n'.encode()


def test_signing_subkey(gpg):
    fpr = gpg.gen('Sub <sub@example.org>', 'ed25519', 'cert')
    gpg.run('--quick-add-key', fpr, 'ed25519', 'sign')
    gpg.run('--quick-add-key', fpr, 'cv25519', 'encr')
    key = Key.load(gpg.export(fpr))
    u = key.usability()
    assert u.can_sign and u.can_encrypt
    assert key.keyid not in u.signing_keyids
    sig = gpg.run('--detach-sign', '--local-user', fpr, input=DATA).stdout
    [v] = verify_detached(DATA, sig, [key])
    assert v.good and v.signer_fingerprint == fpr
    assert v.signer_keyid in u.signing_keyids


def test_expired_and_revoked_signer(gpg):
    fpr = gpg.gen('Exp <exp@example.org>', 'ed25519', 'sign', expire='2d')
    sig = gpg.run('--detach-sign', '--local-user', fpr, input=DATA).stdout
    key = Key.load(gpg.export(fpr))
    [v] = verify_detached(DATA, sig, [key])
    assert v.good
    later = datetime.now(UTC) + timedelta(days=3)
    # Made while the key was valid, judged after it expired: 'expired'
    # (valid then, not now), as Sequoia judges it.
    [v] = verify_detached(DATA, sig, [key], now=later)
    assert v.valid and v.expired and not v.good and v.status == 'expired'
    assert 'after the signature was made' in v.reason and fpr in v.reason
    # Made after it expired: 'expired' too, with the reason.
    secret = Key.load(gpg.export(fpr, secret=True))
    with quiet():
        late = bytes(secret._k.sign(DATA, created=later))
    [v] = verify_detached(DATA, late, [key], now=later)
    assert v.valid and v.expired and not v.good and v.status == 'expired'
    assert 'before the signature was made' in v.reason and fpr in v.reason
    rev = Path(gpg.home, 'openpgp-revocs.d', fpr + '.rev').read_text()
    gpg.import_(rev.replace(':-----', '-----'))
    [v] = verify_detached(DATA, sig, [Key.load(gpg.export(fpr))])
    assert v.valid and v.revoked and v.status == 'revoked'


def _key_with_ciphers(ciphers):
    with quiet():
        k = pgpy.PGPKey.new(C.PubKeyAlgorithm.EdDSA, C.EllipticCurveOID.Ed25519)
        k.add_uid(pgpy.PGPUID.new('C', email='c@example.org'),
                  usage={C.KeyFlags.Sign}, ciphers=ciphers,
                  hashes=[C.HashAlgorithm.SHA256])
        s = pgpy.PGPKey.new(C.PubKeyAlgorithm.ECDH,
                            C.EllipticCurveOID.Curve25519)
        k.add_subkey(s, usage={C.KeyFlags.EncryptCommunications})
        return Key(_parse_one(bytes(k)))


def test_cipher_from_preferences(gpg, list_keys):
    A = C.SymmetricKeyAlgorithm
    aes256 = list_keys['cv25519'].public
    only128 = _key_with_ciphers([A.AES128, A.CAST5])
    both = _key_with_ciphers([A.AES192, A.AES128])
    assert choose_cipher([aes256]) == 9
    assert choose_cipher([aes256, both]) == 8
    assert choose_cipher([aes256, both, only128]) == 7
    assert choose_cipher([_key_with_ciphers([A.CAST5])]) == 7
    ct = encrypt(DATA, [only128.public, aes256])
    gpg.import_(list_keys['cv25519'].armor())
    proc = gpg.run('--decrypt', input=ct)
    assert proc.stdout == DATA
    assert 'DECRYPTION_INFO 2 7' in gpg.status(proc)
    assert decrypt(ct, list_keys['cv25519']).data == DATA


def test_really_expired_key_is_expired_not_invalid(gpg):
    """PGPy's verify() fails every signature of an expired key; the facade
    reports it as expired, with the mathematics still checked."""
    import time
    start = time.monotonic()
    fpr = gpg.gen('Old <old@example.org>', 'ed25519', 'sign',
                  expire='seconds=5')
    gpg.run('--quick-add-key', fpr, 'cv25519', 'encr', 'seconds=5')
    sig = gpg.run('--detach-sign', '--local-user', fpr, input=DATA).stdout
    if time.monotonic() - start > 4:
        pytest.skip('gpg too slow to sign before the key expires')
    key = Key.load(gpg.export(fpr))
    assert key.usability().can_sign
    time.sleep(max(0.0, start + 6.5 - time.monotonic()))
    key = Key.load(gpg.export(fpr))
    u = key.usability()
    assert u.expired and not u.can_encrypt
    assert any('expired' in r for r in u.reasons)
    assert not any('user ID' in r for r in u.reasons)
    [v] = verify_detached(DATA, sig, [key])
    assert v.valid and v.expired and v.status == 'expired'
    [v] = verify_detached(DATA + b'x', sig, [key])
    assert not v.valid and v.status == 'invalid'


def test_weak_rsa_refused():
    with quiet():
        k = pgpy.PGPKey.new(C.PubKeyAlgorithm.RSAEncryptOrSign, 1024)
        k.add_uid(pgpy.PGPUID.new('W', email='w@example.org'),
                  usage={C.KeyFlags.Sign, C.KeyFlags.EncryptCommunications},
                  hashes=[C.HashAlgorithm.SHA256])
        key = Key(_parse_one(bytes(k)))
    u = key.usability()
    assert not u.can_encrypt and not u.can_sign
    assert any('too weak' in r for r in u.reasons)
