"""pgp.lifecycle: certification and expiry, as GnuPG sees them."""

import time
import unittest

from datetime import datetime, timedelta, timezone

from mailman_pgp.pgp import Key, PGPError, generate_key, parse_key_spec
from mailman_pgp.pgp.lifecycle import certify, extend_expiry
from mailman_pgp.testing.gpg import Subscriber

UIDS = [('Ant', 'ant@example.com'), ('Ant', 'ant-request@example.com')]


def make_key(days=730, primary='EdDSA:Ed25519', sub='ECDH:Curve25519'):
    return generate_key(parse_key_spec(primary, 'primary'),
                        parse_key_spec(sub, 'sub'), UIDS,
                        expires=timedelta(days=days) if days else None)


def gpg_fields(who, fingerprint):
    listing = who.gpg('--with-colons', '--check-sigs', fingerprint)
    return [line.split(':') for line in listing.stdout.decode().splitlines()]


class TestCertify(unittest.TestCase):
    def setUp(self):
        self.reader = Subscriber('reader@example.com')
        self.addCleanup(self.reader.close)

    def test_gpg_verifies_the_certification(self):
        old, new = make_key(), make_key()
        certified = certify(new, old)
        self.assertTrue(certified.is_private)
        self.assertEqual(certified.fingerprint, new.fingerprint)
        self.reader.import_key(old.public_armor())
        self.reader.import_key(certified.public_armor())
        fields = gpg_fields(self.reader, new.fingerprint)
        # Each UID carries a good ('!') certification by the old key.
        certs = [f for f in fields if f[0] == 'sig' and f[4] == old.keyid]
        self.assertEqual(len(certs), len(UIDS))
        self.assertTrue(all(f[1] == '!' for f in certs))

    def test_public_signer_refused(self):
        with self.assertRaises(PGPError):
            certify(make_key(), make_key().public)


class TestExtendExpiry(unittest.TestCase):
    def setUp(self):
        self.reader = Subscriber('reader@example.com')
        self.addCleanup(self.reader.close)

    def check_in_gpg(self, key, when):
        self.reader.import_key(key.public_armor())
        pub, = [f for f in gpg_fields(self.reader, key.fingerprint)
                if f[0] == 'pub']
        self.assertEqual(int(pub[6]), int(when.timestamp()))
        self.assertEqual(pub[1], '-')           # valid, not expired

    def test_new_expiry_seen_by_gpg(self):
        key = make_key(days=20)
        when = datetime.now(timezone.utc).replace(microsecond=0) + \
            timedelta(days=400)
        renewed = extend_expiry(key, when)
        self.assertEqual(renewed.fingerprint, key.fingerprint)
        self.assertTrue(renewed.is_private)
        self.assertEqual(renewed.expires_at, when)
        self.assertTrue(renewed.usability().usable)
        self.check_in_gpg(renewed, when)

    def test_rsa_key_and_expired_key(self):
        key = make_key(days=1, primary='RSA:2048', sub='RSA:2048')
        later = datetime.now(timezone.utc) + timedelta(days=3)
        self.assertTrue(key.usability(later).expired)
        when = datetime.now(timezone.utc).replace(microsecond=0) + \
            timedelta(days=30)
        renewed = extend_expiry(key, when)
        self.assertFalse(renewed.usability(later).expired)
        self.check_in_gpg(renewed, when)

    def test_expired_key_renewed(self):
        key = generate_key(parse_key_spec('EdDSA:Ed25519', 'primary'),
                           parse_key_spec('ECDH:Curve25519', 'sub'), UIDS,
                           expires=timedelta(seconds=1))
        time.sleep(1.5)
        self.assertTrue(key.usability().expired)
        when = datetime.now(timezone.utc).replace(microsecond=0) + \
            timedelta(days=10)
        renewed = extend_expiry(key, when)
        self.assertTrue(renewed.usability().usable)
        self.check_in_gpg(renewed, when)

    def test_gpg_key_with_expiring_subkey(self):
        owner = Subscriber('sub@example.com', expire='10d')
        self.addCleanup(owner.close)
        key = Key.load(owner.private_key())
        when = datetime.now(timezone.utc).replace(microsecond=0) + \
            timedelta(days=100)
        renewed = extend_expiry(key, when)
        self.check_in_gpg(renewed, when)
        sub, = [f for f in gpg_fields(self.reader, key.fingerprint)
                if f[0] == 'sub']
        self.assertEqual(int(sub[6]), int(when.timestamp()))

    def test_past_date_refused(self):
        with self.assertRaises(PGPError):
            extend_expiry(make_key(), datetime.now(timezone.utc)
                          - timedelta(days=1))

    def test_public_key_refused(self):
        with self.assertRaises(PGPError):
            extend_expiry(make_key().public, datetime.now(timezone.utc)
                          + timedelta(days=1))
