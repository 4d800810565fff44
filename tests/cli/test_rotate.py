"""`mailman pgp rotate-key`, end to end with GnuPG members."""

import email
import unittest

from datetime import datetime, timedelta, timezone

from mailman.app.lifecycle import create_list
from mailman.config import config
from mailman.database.transaction import transaction
from mailman.email.message import Message
from mailman.runners.outgoing import OutgoingRunner
from mailman.testing.helpers import get_queue_messages, make_testable_runner
from mailman.testing.layers import SMTPLayer

from mailman_pgp.cli.group import pgp
from mailman_pgp.keystore import key_store
from mailman_pgp.keystore.retired import retire_list_key, retired_entries
from mailman_pgp.model import PGPMailingList
from mailman_pgp.runners.incoming import PGPIncomingRunner
from mailman_pgp.testing.conversation import enqueue, plain_text
from mailman_pgp.testing.gpg import Subscriber
from mailman_pgp.testing.members import add_pgp_member

from tests.cli.support import cli_runner

MARKER = 'rotation-marker-3318'


class TestRotateKey(unittest.TestCase):
    layer = SMTPLayer

    @classmethod
    def setUpClass(cls):
        cls.anne = Subscriber('anne@example.com', 'Anne')
        cls.bart = Subscriber('bart@example.com', 'Bart', algorithm='rsa2048')
        cls.cris = Subscriber('cris@example.com', 'Cris')

    @classmethod
    def tearDownClass(cls):
        for who in (cls.anne, cls.bart, cls.cris):
            who.close()

    def setUp(self):
        with transaction():
            self.mlist = create_list('ant@example.com',
                                     style_name='pgp-default')
            self.mlist.send_welcome_message = False
            PGPMailingList.for_list(self.mlist).sign_outgoing = True
            add_pgp_member(self.mlist, self.anne)
            add_pgp_member(self.mlist, self.bart)
            add_pgp_member(self.mlist, self.cris, confirmed=False)
        self.old = key_store().list_key(self.mlist.list_id)
        for who in (self.anne, self.bart):
            who.import_key(self.old.public_armor())
        get_queue_messages('virgin')
        SMTPLayer.smtpd.clear()

    def rotate(self, *args):
        result = cli_runner().invoke(
            pgp, ('rotate-key', 'ant@example.com') + args)
        self.assertEqual(result.exit_code, 0, result.stdout + result.stderr)
        self.new = key_store().list_key(self.mlist.list_id)
        self.assertNotEqual(self.new.fingerprint, self.old.fingerprint)
        return result

    def post(self, who, recipient_fpr):
        # A new body each time: the same signed message twice is a replay.
        self.posts = getattr(self, 'posts', 0) + 1
        raw = who.encrypted_mail('ant@example.com', 'Hi', 'Hello {} {}'.format(
            self.posts, MARKER), recipient_fpr)
        enqueue(self.mlist, raw, to_list=True)
        make_testable_runner(PGPIncomingRunner, 'in').run()
        return get_queue_messages('pipeline')

    def test_rotation(self):
        result = self.rotate()
        self.assertIn('Rotated the list key of ant.example.com: {} -> {}.'
                      .format(self.old.fingerprint, self.new.fingerprint),
                      result.stdout)
        self.assertIn('New key sent to 2 member(s); 1 without a usable key '
                      'got nothing: cris@example.com', result.stdout)
        self.assertTrue(self.new.is_private)
        self.assertTrue(self.new.usability().usable)
        self.assertIsNotNone(self.new.expires_at)
        items = {str(item.msg['to']): item
                 for item in get_queue_messages('virgin')}
        self.assertEqual(sorted(items), ['anne@example.com',
                                         'bart@example.com'])
        for who in (self.anne, self.bart):
            item = items[who.email]
            self.assertTrue(item.msgdata['pgp_allow_clear'])
            self.assertEqual(item.msg.get_content_type(),
                             'multipart/encrypted')
            # Signed by the old key, encrypted to the member only.
            readout = who.decrypt(item.msg.as_bytes())
            self.assertTrue(readout.ok, readout.status)
            self.assertEqual(readout.signer, self.old.fingerprint)
            text = plain_text(email.message_from_bytes(readout.plaintext))
            self.assertIn('has a new key:\n\n    ' + self.new.fingerprint,
                          text)
            # The attached key is the new one, certified by the old one.
            self.assertEqual(who.import_key(readout.plaintext.decode()),
                             self.new.fingerprint)
            listing = who.gpg('--with-colons', '--check-sigs',
                              self.new.fingerprint).stdout.decode()
            certs = [line.split(':') for line in listing.splitlines()
                     if line.startswith('sig:')
                     and line.split(':')[4] == self.old.keyid]
            self.assertEqual(len(certs), 2)             # both UIDs
            self.assertTrue(all(f[1] == '!' for f in certs))
        self.assertFalse(self.cris.decrypt(
            items['anne@example.com'].msg.as_bytes()).ok)
        # New posts: encrypted to the member, signed with the new key.
        config.switchboards['out'].enqueue(
            email.message_from_string(
                'From: anne@example.com\nTo: ant@example.com\nSubject: x\n'
                'Message-ID: <after@example.com>\n\n' + MARKER + '\n',
                Message),
            listid=self.mlist.list_id, to_list=True,
            recipients={self.anne.email})
        make_testable_runner(OutgoingRunner, 'out').run()
        delivered, = SMTPLayer.smtpd.messages
        readout = self.anne.decrypt(delivered.as_bytes())
        self.assertTrue(readout.ok, readout.status)
        self.assertIn(MARKER, readout.plaintext.decode())
        self.assertEqual(readout.signer, self.new.fingerprint)

    def test_grace_period(self):
        self.rotate('--grace-days', '7')
        entry, = retired_entries(key_store(), self.mlist.list_id)
        self.assertEqual(entry.fingerprint, self.old.fingerprint)
        # A post encrypted to the old key during the grace period...
        accepted, = self.post(self.anne, self.old.fingerprint)
        self.assertIsNone(accepted.msgdata['pgp']['decrypt_error'])
        self.assertIn(MARKER, accepted.msg.as_string())
        # ... and one to the new key.
        self.anne.import_key(self.new.public_armor())
        accepted, = self.post(self.anne, self.new.fingerprint)
        self.assertIsNone(accepted.msgdata['pgp']['decrypt_error'])
        # After the grace period the old key decrypts nothing.
        retire_list_key(key_store(), self.mlist.list_id, self.old,
                        datetime.now(timezone.utc) - timedelta(seconds=1))
        self.assertEqual(self.post(self.anne, self.old.fingerprint), [])
        get_queue_messages('virgin')

    def test_mistakes_change_nothing(self):
        for args, fragment in (
                (('rotate-key', 'nope@example.com'), 'No such list'),
                (('rotate-key', 'ant@example.com', '--grace-days', '-1'),
                 '--grace-days must be 0 or more'),
                (('rotate-key',), "Missing argument 'LIST'")):
            result = cli_runner().invoke(pgp, args)
            self.assertEqual(result.exit_code, 1)
            self.assertEqual(len(result.stderr.splitlines()), 1)
            self.assertIn(fragment, result.stderr)
        self.assertEqual(key_store().list_key(self.mlist.list_id), self.old)
        self.assertEqual(retired_entries(key_store(), self.mlist.list_id), [])
        self.assertEqual(get_queue_messages('virgin'), [])
