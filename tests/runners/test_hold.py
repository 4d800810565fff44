"""Held PGP posts stay encrypted at rest and in the moderators' notice."""

import os

from mailman.app.moderator import handle_message
from mailman.config import config
from mailman.database.transaction import transaction
from mailman.interfaces.action import Action
from mailman.interfaces.requests import IListRequests
from mailman.runners.pipeline import PipelineRunner
from mailman.testing.helpers import get_queue_messages, make_testable_runner

from tests.runners.test_incoming import MARKER, PGPListTestCase


class TestHeldEncrypted(PGPListTestCase):
    def setUp(self):
        super().setUp()
        with transaction():
            self.mlist.admin_immed_notify = True
        self.set(unsigned_msg_action=Action.hold)

    def held_id(self):
        held = list(IListRequests(self.mlist).held_requests)
        self.assertEqual(len(held), 1)
        return held[0].id

    def test_store_and_notices_hold_no_plaintext(self):
        self.post(self.encrypted(sign=False, subject='Secret subject',
                                 protect_subject=True))
        self.held_id()
        for item in get_queue_messages('virgin'):
            text = item.msg.as_string()
            self.assertNotIn(MARKER, text)
            self.assertNotIn('Secret subject', text)
        messages_dir = os.path.join(config.MESSAGES_DIR)
        for directory, _dirs, names in os.walk(messages_dir):
            for name in names:
                with open(os.path.join(directory, name), 'rb') as fp:
                    self.assertNotIn(MARKER.encode(), fp.read())

    def test_approval_decrypts(self):
        self.post(self.encrypted(sign=False))
        get_queue_messages('virgin')
        with transaction():
            handle_message(self.mlist, self.held_id(), Action.accept)
        make_testable_runner(PipelineRunner, 'pipeline').run()
        out = get_queue_messages('out', expected_count=1)[0]
        self.assertIn(MARKER, out.msg.get_payload(decode=True).decode())

    def test_digests_off_for_pgp_lists(self):
        self.assertFalse(self.mlist.digests_enabled)
