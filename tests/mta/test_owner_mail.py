"""Mail through the -owner address: Mailman's notices reach owners without a
key (signed, in clear); encrypted mail to the owners never does."""

import email

from mailman.interfaces.member import MemberRole
from mailman.interfaces.usermanager import IUserManager
from mailman.runners.pipeline import PipelineRunner
from mailman.testing.helpers import make_testable_runner
from mailman.database.transaction import transaction
from zope.component import getUtility

from mailman_pgp.pgp import verify_mime
from mailman_pgp.runners.incoming import PGPIncomingRunner
from mailman_pgp.testing.conversation import enqueue
from tests.mta.helpers import MARKER, PGPDeliveryTestCase


class TestOwnerMail(PGPDeliveryTestCase):
    def setUp(self):
        super().setUp()
        with transaction():
            owner = getUtility(IUserManager).create_address(
                'olive@example.com')
            self.mlist.subscribe(owner, MemberRole.owner)

    def to_owner(self, raw: str):
        enqueue(self.mlist, raw.encode(), to_owner=True)
        make_testable_runner(PGPIncomingRunner, 'in').run()
        make_testable_runner(PipelineRunner, 'pipeline').run()
        self.send_queued()

    def send_queued(self):
        from mailman.runners.outgoing import OutgoingRunner
        make_testable_runner(OutgoingRunner, 'out').run()

    def test_mailman_notice_reaches_keyless_owner(self):
        self.to_owner('From: ant-bounces@example.com\n'
                      'To: ant-owner@example.com\nSubject: New subscription '
                      'request\nMessage-ID: <n1@example.com>\n\n'
                      'Someone asked to join.\n')
        [raw] = self.received()['olive@example.com']
        msg = email.message_from_bytes(raw)
        self.assertEqual(msg.get_content_type(), 'multipart/signed')
        [verification] = verify_mime(msg, [self.list_key.public])
        self.assertTrue(verification.good)

    def test_encrypted_mail_to_owners_stays_encrypted(self):
        raw = self.anne.encrypted_mail(
            'ant-owner@example.com', 'Private', 'For the owners ' + MARKER,
            self.list_key.fingerprint).decode()
        self.to_owner(raw)
        self.assertNotIn('olive@example.com', self.received())
