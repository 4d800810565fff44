"""Posts to a PGP list through the real incoming runner, made by GnuPG."""

import unittest

from mailman.app.lifecycle import create_list
from mailman.database.transaction import transaction
from mailman.interfaces.action import Action
from mailman.interfaces.requests import IListRequests
from mailman.testing.helpers import get_queue_messages, make_testable_runner
from mailman.testing.layers import ConfigLayer

from mailman_pgp.keystore import key_store
from mailman_pgp.model import PGPMailingList, PGPSigHash
from mailman_pgp.runners.incoming import PGPIncomingRunner
from mailman_pgp.testing.gpg import Subscriber
from mailman_pgp.testing.members import add_pgp_member
from mailman_pgp.testing.conversation import enqueue

MARKER = 'plaintext-marker-5731'


class PGPListTestCase(unittest.TestCase):
    """A pgp-default list with Anne (Curve25519) as a confirmed member."""

    layer = ConfigLayer

    @classmethod
    def setUpClass(cls):
        cls.anne = Subscriber('anne@example.com', 'Anne')

    @classmethod
    def tearDownClass(cls):
        cls.anne.close()

    def setUp(self):
        with transaction():
            self.mlist = create_list('ant@example.com',
                                     style_name='pgp-default')
            self.mlist.send_welcome_message = False
            add_pgp_member(self.mlist, self.anne)
        self.list_key = key_store().list_key(self.mlist.list_id)
        self.anne.import_key(self.list_key.public_armor())

    def set(self, **settings):
        with transaction():
            pgp_list = PGPMailingList.for_list(self.mlist)
            for name, value in settings.items():
                setattr(pgp_list, name, value)

    def post(self, raw: bytes):
        enqueue(self.mlist, raw, to_list=True)
        make_testable_runner(PGPIncomingRunner, 'in').run()

    def encrypted(self, who=None, body='Hello list ' + MARKER, **kws):
        who = who or self.anne
        return who.encrypted_mail('ant@example.com', kws.pop('subject', 'Hi'),
                                  body, self.list_key.fingerprint, **kws)

    def assertAccepted(self):
        items = get_queue_messages('pipeline', expected_count=1)
        return items[0]

    def assertRejected(self, *fragments):
        get_queue_messages('pipeline', expected_count=0)
        bounce = get_queue_messages('virgin', expected_count=1)[0].msg
        text = bounce.as_string()
        for fragment in fragments:
            self.assertIn(fragment, text)
        # Never the decrypted post in clear.
        self.assertNotIn(MARKER, text)
        return bounce

    def assertHeld(self, *fragments):
        get_queue_messages('pipeline', expected_count=0)
        requests = IListRequests(self.mlist)
        held = list(requests.held_requests)
        self.assertEqual(len(held), 1)
        key, data = requests.get_request(held[0].id)
        reasons = data['_mod_reason']
        for fragment in fragments:
            self.assertIn(fragment, reasons)


class TestIncoming(PGPListTestCase):
    def test_signed_encrypted_post_accepted_decrypted(self):
        self.post(self.encrypted())
        item = self.assertAccepted()
        # The author's signature goes on with it, detached (see carry.py).
        self.assertEqual(item.msg.get_content_type(), 'multipart/signed')
        self.assertIn(MARKER, item.msg.get_payload(0).get_payload(
            decode=True).decode())
        result = item.msgdata['pgp']
        self.assertTrue(result['encrypted'])
        self.assertEqual(result['sender_key'], self.anne.fingerprint)
        self.assertEqual([s['status'] for s in result['signatures']],
                         ['good'])
        get_queue_messages('virgin', expected_count=0)

    def test_protected_subject_restored(self):
        self.post(self.encrypted(subject='The real subject',
                                 protect_subject=True))
        item = self.assertAccepted()
        self.assertEqual(item.msg['subject'], 'The real subject')

    def test_unencrypted_post_rejected(self):
        self.post(self.anne.signed_mail('ant@example.com', 'Hi', 'clear'))
        self.assertRejected('The message is not encrypted')

    def test_unsigned_post_rejected_without_plaintext(self):
        self.post(self.encrypted(sign=False, subject='Secret subject',
                                 protect_subject=True))
        bounce = self.assertRejected('The message is not signed')
        self.assertNotIn('Secret subject', bounce.as_string())
        self.assertEqual(bounce['to'], 'anne@example.com')

    def test_signed_by_another_key(self):
        impostor = Subscriber('anne@example.com', 'Not Anne')
        try:
            impostor.import_key(self.list_key.public_armor())
            self.post(self.encrypted(who=impostor))
        finally:
            impostor.close()
        self.assertRejected('Signature made by key', 'your confirmed key is '
                            + self.anne.fingerprint)

    def test_sender_without_key(self):
        carol = Subscriber('carol@example.com', 'Carol')
        try:
            carol.import_key(self.list_key.public_armor())
            self.post(self.encrypted(who=carol))
        finally:
            carol.close()
        self.assertRejected('You have no confirmed key on this list')

    def test_replay_rejected(self):
        post = self.encrypted()
        self.post(post)
        digests = self.assertAccepted().msgdata['pgp_sig_hashes']
        self.assertEqual(PGPSigHash.known(digests), set(digests))
        self.post(post)
        self.assertRejected('posted before (a replay)')

    def test_not_for_the_list_key(self):
        other = Subscriber('other@example.com')
        try:
            self.anne.import_key(other.public_key())
            self.post(self.anne.encrypted_mail(
                'ant@example.com', 'Hi', MARKER, other.fingerprint))
        finally:
            other.close()
        self.assertRejected('could not be decrypted with the list key')

    def test_actions_follow_settings(self):
        self.set(unsigned_msg_action=Action.hold)
        self.post(self.encrypted(sign=False))
        self.assertHeld('The message is not signed')

    def test_discard(self):
        self.set(unsigned_msg_action=Action.discard)
        self.post(self.encrypted(sign=False))
        get_queue_messages('pipeline', expected_count=0)
        get_queue_messages('virgin', expected_count=0)
        self.assertEqual(len(list(IListRequests(self.mlist).held_requests)),
                         0)

    def test_defer_lets_post_through(self):
        self.set(unsigned_msg_action=Action.defer)
        self.post(self.encrypted(sign=False))
        self.assertAccepted()

    def test_nonencrypted_defer(self):
        self.set(nonencrypted_msg_action=Action.defer)
        self.post(self.anne.signed_mail('ant@example.com', 'Hi', 'clear'))
        self.assertAccepted()


class TestInlinePosts(PGPListTestCase):
    def inline_post(self):
        armored = self.anne.gpg(
            '--armor', '--sign', '--encrypt', '--recipient',
            self.list_key.fingerprint, input=MARKER).stdout.decode()
        return self.anne.plain_mail('ant@example.com', 'Hi', armored)

    def test_inline_encrypted_and_signed_is_accepted_by_default(self):
        self.post(self.inline_post())
        item = self.assertAccepted()
        self.assertEqual(item.msgdata['pgp']['signed'], 'inline')
        self.assertIn(MARKER, item.msg.as_string())

    def test_inline_pgp_action(self):
        self.set(inline_pgp_action=Action.hold)
        self.post(self.inline_post())
        self.assertHeld('signed with inline PGP')
