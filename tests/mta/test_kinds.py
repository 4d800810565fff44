"""What goes out for each kind of message of a PGP list."""

import email

from mailman.email.message import UserNotification
from mailman.runners.outgoing import OutgoingRunner
from mailman.runners.pipeline import PipelineRunner
from mailman.testing.helpers import get_queue_messages, make_testable_runner
from mailman.testing.layers import SMTPLayer
from mailman.utilities.datetime import factory

from mailman_pgp.pgp import Key, is_mime_encrypted, verify_mime
from mailman_pgp.runners.incoming import PGPIncomingRunner
from mailman_pgp.testing.conversation import enqueue
from tests.mta.helpers import (
    MARKER, ZERO_KEYID, PGPDeliveryTestCase, encryption_keyid)


class TestPostingPath(PGPDeliveryTestCase):
    """A signed, encrypted post through the in, pipeline and out runners."""

    def post(self):
        raw = self.anne.encrypted_mail(
            'ant@example.com', 'Hello', 'Hello list ' + MARKER,
            self.list_key.fingerprint)
        enqueue(self.mlist, raw, to_list=True)
        make_testable_runner(PGPIncomingRunner, 'in').run()
        make_testable_runner(PipelineRunner, 'pipeline').run()
        make_testable_runner(OutgoingRunner, 'out').run()
        get_queue_messages('out', expected_count=0)
        self.run_virgin()   # the notices, through 'out' too

    def check(self, bulk):
        received = self.received()
        for who in self.members:
            [raw] = received[who.email]
            result = self.assertReadable(who, raw)
            expected = [ZERO_KEYID] * 3 if bulk else [encryption_keyid(who)]
            self.assertEqual(result.recipients, expected)
        # Dave was told, in clear, and got nothing of the post.
        [notice] = received[self.dave.email]
        self.assertIn(b'needs attention', notice)
        self.assertNotIn(MARKER.encode(), notice)
        self.assertIn(b'Subject: Your key for Ant needs attention', notice)

    def test_individual(self):
        self.set(sign_outgoing=True)
        self.post()
        # Dave's notice and the owners' summary went through 'out' too.
        self.check(bulk=False)

    def test_bulk(self):
        self.set(sign_outgoing=True, delivery_mode='bulk')
        self.post()
        self.check(bulk=True)


class TestListMail(PGPDeliveryTestCase):
    def test_digest_encrypted(self):
        self.set(delivery_mode='bulk')
        self.send(isdigest=True, to_list=False)
        received = self.received()
        for who in self.members:
            self.assertReadable(who, received[who.email][0], signed=False)
        self.assertNotIn(self.dave.email, received)
        # Digests are list traffic: Dave is told.
        get_queue_messages('virgin', expected_count=2)

    def test_notice_encrypted_to_members(self):
        notice = UserNotification(
            [self.anne.email, 'nokey@example.com'], 'ant-owner@example.com',
            'Welcome', 'Welcome to the list ' + MARKER)
        notice.send(self.mlist)
        self.run_virgin()
        received = self.received()
        self.assertEqual(sorted(received), [self.anne.email,
                                            'nokey@example.com'])
        [raw] = received[self.anne.email]
        self.assertTrue(is_mime_encrypted(email.message_from_bytes(raw)))
        self.assertReadable(self.anne, raw, signed=False)
        # Mail the list makes carries none of its traffic: a recipient
        # without a key (Mailman's confirmation, say) gets it signed, in
        # clear, and is not told about keys.
        [raw] = received['nokey@example.com']
        clear = email.message_from_bytes(raw)
        self.assertEqual(clear.get_content_type(), 'multipart/signed')
        [verification] = verify_mime(clear, [self.list_key.public])
        self.assertTrue(verification.good)
        get_queue_messages('virgin', expected_count=0)

    def test_key_request_signed_in_clear(self):
        notice = UserNotification(
            'newcomer@example.com', 'ant-request@example.com',
            'Please send your key', 'key set 0123456789abcdef')
        notice.send(self.mlist, pgp_allow_clear=True)
        self.run_virgin()
        [msg] = list(SMTPLayer.smtpd.messages)
        self.assertEqual(msg['X-RcptTo'], 'newcomer@example.com')
        self.assertEqual(msg.get_content_type(), 'multipart/signed')
        [verification] = verify_mime(msg, [self.list_key.public])
        self.assertTrue(verification.good)
        self.assertIn('key set 0123456789abcdef', msg.as_string())

    def test_allow_clear_still_encrypts_to_keys(self):
        notice = UserNotification(
            [self.anne.email, 'newcomer@example.com'],
            'ant-request@example.com', 'Hello', 'Hi ' + MARKER)
        notice.send(self.mlist, pgp_allow_clear=True)
        self.run_virgin()
        received = self.received()
        self.assertReadable(self.anne, received[self.anne.email][0],
                            signed=False)
        self.assertIn(MARKER.encode(), received['newcomer@example.com'][0])

    def test_sign_only_when_encryption_off(self):
        self.set(encrypt_outgoing=False, sign_outgoing=True)
        self.send()
        received = self.received()
        self.assertNotIn(self.dave.email, received)
        msg = email.message_from_bytes(received[self.anne.email][0])
        self.assertEqual(msg.get_content_type(), 'multipart/signed')
        self.assertTrue(verify_mime(msg, [self.list_key.public])[0].good)


class TestWithheldNotices(PGPDeliveryTestCase):
    def notices(self):
        items = get_queue_messages('virgin')
        return ([i for i in items if i.msgdata['recipients'] ==
                 {self.dave.email}],
                [i for i in items if i.msgdata['recipients'] !=
                 {self.dave.email}])

    def test_told_once_a_day(self):
        self.send()
        to_dave, to_owners = self.notices()
        self.assertEqual(len(to_dave), 1)
        self.assertTrue(to_dave[0].msgdata['pgp_allow_clear'])
        [summary] = to_owners
        self.assertIn(self.dave.email, summary.msg.as_string())
        self.assertIn('ant-owner@example.com', summary.msg['To'])
        self.send()
        self.assertEqual(self.notices(), ([], []))
        factory.fast_forward(days=1)
        self.send()
        self.assertEqual(len(self.notices()[0]), 1)

    def test_notice_reaches_keyless_member_in_clear(self):
        self.send()
        self.run_virgin()
        received = self.received()
        [raw] = received[self.dave.email]
        msg = email.message_from_bytes(raw)
        self.assertEqual(msg.get_content_type(), 'multipart/signed')
        self.assertNotIn(MARKER.encode(), raw)
        self.assertTrue(verify_mime(msg, [Key.load(
            self.list_key.public_armor())])[0].good)
