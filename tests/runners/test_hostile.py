"""Hostile posts: the runner lives on and every message is accounted for."""

import os

from mailman.interfaces.action import Action

from mailman_pgp.pgp import armor, encrypt
from mailman_pgp.pgp import packets as P
from mailman_pgp.testing.gpg import Subscriber
from mailman_pgp.testing.members import add_pgp_member, set_confirmed_key
from mailman.database.transaction import transaction
from tests.runners.test_incoming import MARKER, PGPListTestCase


class TestHostilePosts(PGPListTestCase):
    def wrapped(self, armored: str) -> bytes:
        return self.anne.wrap_encrypted(armored, 'ant@example.com', 'Hi')

    def test_garbage_armor(self):
        self.post(self.wrapped('-----BEGIN PGP MESSAGE-----\n\nnot base64 '
                               '!!!\n-----END PGP MESSAGE-----\n'))
        self.assertRejected('could not be decrypted with the list key')

    def test_truncated_ciphertext(self):
        raw = self.encrypted()
        text = raw.decode()
        start = text.index('-----BEGIN PGP MESSAGE-----')
        end = text.index('-----END PGP MESSAGE-----')
        body = text[start:end].splitlines()
        cut = '\n'.join(body[:len(body) // 2]) + \
            '\n-----END PGP MESSAGE-----\n'
        self.post(self.wrapped(cut))
        self.assertRejected('could not be decrypted with the list key')

    def test_sed_without_integrity_protection(self):
        ciphertext = encrypt(b'x', [self.list_key.public], armored=False)
        pkesk = next(P.iter_packets(ciphertext)).raw
        sed = P.new_packet(P.SED, os.urandom(80))
        self.post(self.wrapped(armor(pkesk + sed)))
        bounce = self.assertRejected('could not be decrypted')
        self.assertIn('integrity', bounce.as_string().lower())

    def test_decompression_bomb(self):
        zeros = b'\0' * (5 * 1024 * 1024)
        with transaction():
            self.mlist.max_message_size = 40        # KB: the cap is 4 MiB
        armored = self.anne.gpg(
            '--armor', '--encrypt', '--recipient', self.list_key.fingerprint,
            '--compress-algo', 'zlib', input=zeros).stdout.decode()
        self.assertLess(len(armored), 100_000)
        self.post(self.wrapped(armored))
        self.assertRejected('could not be decrypted')

    def test_throw_keyids_accepted(self):
        # gpg --throw-keyids writes all-zero key IDs; the list key is tried.
        self.post(self.encrypted(extra_gpg=('--throw-keyids',)))
        item = self.assertAccepted()
        self.assertIn(MARKER, item.msg.get_payload(0).get_payload(
            decode=True).decode())


class TestKeyStates(PGPListTestCase):
    def test_expired_key(self):
        old = Subscriber('olga@example.com', 'Olga',
                         faked_time='20200101T000000', expire='1y')
        # Signed in 2020 while the key was valid, but the key has expired
        # since: not good (key validity is judged then and now).
        try:
            old.import_key(self.list_key.public_armor())
            with transaction():
                add_pgp_member(self.mlist, old)
            self.post(old.nested_mail('ant@example.com', 'Hi', MARKER,
                                      self.list_key.fingerprint))
        finally:
            old.close()
        self.assertRejected('has expired', 'after the signature was made')

    def test_revoked_key(self):
        rita = Subscriber('rita@example.com', 'Rita')
        try:
            rita.import_key(self.list_key.public_armor())
            with transaction():
                add_pgp_member(self.mlist, rita)
            post = self.encrypted(who=rita)
            rita.revoke()
            with transaction():
                set_confirmed_key(rita.email, rita.public_key())
        finally:
            rita.close()
        self.set(revoked_sig_action=Action.hold)
        self.post(post)
        self.assertHeld('has been revoked')
