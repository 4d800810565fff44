"""Encrypted delivery of postings, individual and bulk, seen by GnuPG."""

import email
from unittest import mock

from mailman.app.lifecycle import create_list
from mailman.database.transaction import transaction
from mailman.interfaces.mailinglist import Personalization
from mailman.interfaces.member import MemberRole
from mailman.interfaces.usermanager import IUserManager
from mailman.mta import deliver as core_deliver
from mailman.testing.helpers import configuration, get_queue_messages
from mailman.testing.layers import SMTPLayer
from zope.component import getUtility

from mailman_pgp.mta import base
from mailman_pgp.mta.bulk import PGPBulkDelivery
from mailman_pgp.mta.deliver import deliver, make_agent
from mailman_pgp.mta.individual import PGPIndividualDelivery
from mailman_pgp.model import PGPMailingList
from mailman_pgp.testing.members import set_confirmed_key
from tests.mta.helpers import (
    MARKER, ZERO_KEYID, PGPDeliveryTestCase, encryption_keyid, person)


class TestIndividual(PGPDeliveryTestCase):
    def test_each_member_gets_a_copy_for_their_key_only(self):
        self.set(sign_outgoing=True)
        self.send()
        received = self.received()
        self.assertEqual(sorted(received),
                         sorted(m.email for m in self.members))
        for who in self.members:
            [raw] = received[who.email]
            result = self.assertReadable(who, raw)
            self.assertEqual(result.recipients, [encryption_keyid(who)])

    def test_unsigned_by_default(self):
        self.send()
        for who in self.members:
            [raw] = self.received_for(who)
            self.assertReadable(who, raw, signed=False)

    def test_expired_member_gets_nothing_and_is_told(self):
        self.send()
        self.assertNotIn(self.dave.email, self.received())
        notices = get_queue_messages('virgin', expected_count=2)
        to_dave = [n for n in notices if n.msgdata['recipients'] ==
                   {self.dave.email}]
        self.assertEqual(len(to_dave), 1)
        text = to_dave[0].msg.as_string()
        self.assertIn('needs attention', text)
        self.assertRegex(text, 'your key has expired|may have expired')
        self.assertNotIn(MARKER, to_dave[0].msg.as_string())

    def test_protected_subject(self):
        self.set(outer_subject='(encrypted)')
        self.send()
        [raw] = self.received_for(self.anne)
        outer = email.message_from_bytes(raw)
        self.assertEqual(outer['Subject'], '(encrypted)')
        self.assertNotIn(b'The real subject', raw)
        inner = email.message_from_bytes(self.anne.decrypt(raw).plaintext)
        self.assertEqual(inner['Subject'], '[Ant] The real subject')
        self.assertEqual(inner.get_param('hp'), 'cipher')

    def test_default_outer_subject(self):
        self.send()
        [raw] = self.received_for(self.anne)
        self.assertEqual(email.message_from_bytes(raw)['Subject'], '[...]')

    def test_signed_once_per_distinct_body(self):
        self.set(sign_outgoing=True)
        real = base.EncryptedCopies
        with mock.patch.object(base, 'EncryptedCopies',
                               side_effect=real) as spy:
            self.send()
        # Prepared (serialised, signed) once; three copies.
        self.assertEqual(spy.call_count, 1)
        self.assertEqual(len(self.received()), 3)

    def test_each_copy_has_its_own_session_key(self):
        # Prepared once per post, encrypted per copy: no two members share
        # a session key (one could otherwise read another's copy).
        self.set(sign_outgoing=True)
        self.send()
        keys = set()
        for who in self.members:
            [raw] = self.received_for(who)
            armored = email.message_from_bytes(raw).get_payload()[1] \
                .get_payload(decode=True)
            status = who.gpg('--show-session-key', '--decrypt',
                             input=armored).stderr.decode()
            [line] = [x for x in status.splitlines()
                      if x.startswith('[GNUPG:] SESSION_KEY')]
            keys.add(line.split()[-1])
        self.assertEqual(len(keys), len(self.members))

    def test_personalized_copies_are_distinct(self):
        with transaction():
            self.mlist.personalize = Personalization.full
        self.set(delivery_mode='bulk', sign_outgoing=True)
        self.send()
        for who in self.members:
            [raw] = self.received_for(who)
            result = self.assertReadable(who, raw)
            self.assertEqual(result.recipients, [encryption_keyid(who)])
            inner = email.message_from_bytes(result.plaintext)
            self.assertIn(who.email, inner['To'])

    def test_not_refused_not_retried(self):
        # Withheld recipients are no SMTP failure: nothing to retry.
        msg = self.message()
        deliver(self.mlist, msg, dict(recipients=set(self.everyone),
                                      to_list=True))
        get_queue_messages('retry', expected_count=0)

    def test_unconfirmed_and_revoked_get_nothing(self):
        erin = person('erin')
        fred = person('fred')
        fred.revoke()
        with transaction():
            for who in (erin, fred):
                address = getUtility(IUserManager).create_address(who.email)
                self.mlist.subscribe(address, MemberRole.member)
            set_confirmed_key(erin.email, erin.public_key(), confirmed=False)
            set_confirmed_key(fred.email, fred.public_key())
        self.send(recipients=self.everyone + [erin.email, fred.email])
        received = self.received()
        for who in (erin, fred, self.dave):
            self.assertNotIn(who.email, received)
        for raws in received.values():
            for raw in raws:
                self.assertNotIn(MARKER.encode(), raw)

    def test_arc_signs_after_encryption(self):
        agent = PGPIndividualDelivery()
        names = [c.__name__ for c in agent.callbacks]
        self.assertEqual(names, ['avoid_duplicates', 'decorate',
                                 'personalize_to'])


class TestBulk(PGPDeliveryTestCase):
    def setUp(self):
        super().setUp()
        self.set(delivery_mode='bulk', sign_outgoing=True)

    def test_one_copy_no_key_ids(self):
        self.send()
        messages = list(SMTPLayer.smtpd.messages)
        self.assertEqual(len(messages), 1)
        rcpts = sorted(r.strip() for r in messages[0]['X-RcptTo'].split(','))
        self.assertEqual(rcpts, sorted(m.email for m in self.members))
        raw = messages[0].as_bytes()
        for who in self.members:
            result = self.assertReadable(who, raw)
            self.assertEqual(result.recipients, [ZERO_KEYID] * 3)

    def test_chunks(self):
        with configuration('mta', max_recipients=2):
            self.send()
        messages = list(SMTPLayer.smtpd.messages)
        self.assertEqual(len(messages), 2)
        got = {}
        for msg in messages:
            for rcpt in msg['X-RcptTo'].split(','):
                got[rcpt.strip()] = msg.as_bytes()
        for who in self.members:
            result = self.assertReadable(who, got[who.email])
            self.assertTrue(set(result.recipients) == {ZERO_KEYID})

    def test_expired_member_gets_nothing(self):
        self.send()
        self.assertNotIn(self.dave.email, self.received())
        get_queue_messages('virgin', expected_count=2)

    def test_agent_choice(self):
        pgp_list = PGPMailingList.for_list(self.mlist)
        self.assertIsInstance(make_agent(self.mlist, pgp_list, {}),
                              PGPBulkDelivery)
        self.assertIsInstance(make_agent(self.mlist, pgp_list,
                                         dict(verp=True)),
                              PGPIndividualDelivery)
        self.assertIsInstance(make_agent(self.mlist, pgp_list, {},
                                         allow_clear=True),
                              PGPIndividualDelivery)


class TestNonPGPList(PGPDeliveryTestCase):
    def test_untouched(self):
        with transaction():
            mlist = create_list('bee@example.com')
            address = getUtility(IUserManager).create_address(
                'zoe@example.com')
            mlist.subscribe(address, MemberRole.member)
        msg = self.message()
        with mock.patch.object(core_deliver, 'deliver',
                               wraps=core_deliver.deliver) as core:
            import mailman_pgp.mta.deliver as ours
            with mock.patch.object(ours, 'mailman_deliver', core):
                deliver(mlist, msg, dict(recipients={'zoe@example.com'}))
        self.assertEqual(core.call_count, 1)
        [received] = list(SMTPLayer.smtpd.messages)
        self.assertEqual(received['Subject'], '[Ant] The real subject')
        self.assertIn(MARKER, received.get_payload())


class TestOriginalKept(PGPDeliveryTestCase):
    def test_message_not_changed(self):
        # A retry must find the real Subject, not the obscured one.
        self.set(delivery_mode='bulk')
        msg = self.message()
        deliver(self.mlist, msg, dict(recipients=set(self.everyone),
                                      to_list=True))
        self.assertEqual(msg['Subject'], '[Ant] The real subject')
        self.assertIn(MARKER, msg.get_payload())


class TestWire(PGPDeliveryTestCase):
    def test_same_bytes_as_send_message(self):
        import io
        from email.generator import BytesGenerator
        from mailman_pgp.mta.wire import wire_bytes
        from mailman_pgp.pgp import encrypt_mime
        msg = self.message()
        msg['Bcc'] = 'hidden@example.com'
        out = encrypt_mime(msg, [self.list_key.public])
        out.set_boundary('fixed-boundary')
        expected = io.BytesIO()
        copied = email.message_from_bytes(out.as_bytes())
        del copied['Bcc']
        BytesGenerator(expected, policy=out.policy).flatten(
            copied, linesep='\r\n')
        self.assertEqual(wire_bytes(out), expected.getvalue())
        self.assertIsNone(wire_bytes(msg))

    def test_placeholder_in_a_header(self):
        # The sender writes the placeholder into a header: the copy is
        # flattened in full, the same bytes as send_message() sends.
        import io
        from email.generator import BytesGenerator
        from mailman_pgp.mta.wire import _PLACEHOLDER, wire_bytes
        from mailman_pgp.pgp import encrypt_mime
        msg = self.message()
        msg['Comments'] = _PLACEHOLDER
        out = encrypt_mime(msg, [self.list_key.public])
        expected = io.BytesIO()
        BytesGenerator(expected, policy=out.policy).flatten(
            out, linesep='\r\n')
        self.assertIsNone(wire_bytes(out, {}))
        self.assertEqual(wire_bytes(out, {}, always=True),
                         expected.getvalue())

    def test_skeleton_reused_for_alike_copies(self):
        from mailman_pgp.mta.wire import wire_bytes
        from mailman_pgp.pgp import encrypt_mime_each
        keys = [self.list_key.public, self.list_key.public]
        first, second = encrypt_mime_each(self.message(), [keys[:1], keys[1:]])
        skeletons = {}
        one, two = (wire_bytes(first, skeletons),
                    wire_bytes(second, skeletons))
        self.assertEqual(len(skeletons), 1)
        for data, out in ((one, first), (two, second)):
            parsed = email.message_from_bytes(data)
            self.assertEqual(
                parsed.get_payload()[1].get_payload().replace('\r\n', '\n'),
                out.get_payload()[1].get_payload())


class TestARCAndListKey(PGPDeliveryTestCase):
    def test_arc_signs_what_is_sent(self):
        from mailman.config import config
        seen = []

        def record(mlist, msg, msgdata):
            seen.append(msg.get_content_type())

        for mode in ('individual', 'bulk'):
            self.set(delivery_mode=mode)
            with mock.patch.object(config.handlers['arc-sign'], 'process',
                                   side_effect=record):
                self.send()
        # 3 individual copies, then 1 bulk chunk: all encrypted already.
        self.assertEqual(seen, ['multipart/encrypted'] * 4)

    def test_no_list_key_to_sign_with(self):
        from mailman_pgp.keystore import key_store
        from mailman_pgp.mta.deliver import PGPDeliveryUnavailable
        self.set(sign_outgoing=True)
        key_store().delete_list_key(self.mlist.list_id, shred_it=False)
        with self.assertRaises(PGPDeliveryUnavailable):
            deliver(self.mlist, self.message(),
                    dict(recipients=set(self.everyone), to_list=True))
        self.assertEqual(list(SMTPLayer.smtpd.messages), [])


class TestSignOncePerBody(PGPDeliveryTestCase):
    def test_one_signature_across_batches(self):
        from mailman_pgp.mta.individual import PGPIndividualDelivery
        self.set(sign_outgoing=True)
        window = PGPIndividualDelivery.window
        PGPIndividualDelivery.window = 1        # a batch per member
        try:
            self.send(recipients=[who.email for who in self.members])
        finally:
            PGPIndividualDelivery.window = window
        signature_ids = set()
        for who in self.members:
            [raw] = self.received_for(who)
            result = who.decrypt(raw)
            self.assertEqual(result.signer, self.list_key.fingerprint)
            signature_ids.update(line.split()[2] for line in
                                 result.status.splitlines()
                                 if line.startswith('[GNUPG:] SIG_ID'))
        self.assertEqual(len(signature_ids), 1)
