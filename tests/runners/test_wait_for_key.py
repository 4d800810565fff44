"""A post that arrives before the list key exists waits, and is not lost."""

import unittest

from mailman.app.lifecycle import create_list
from mailman.config import config
from mailman.database.transaction import transaction
from mailman.testing.helpers import (
    get_queue_messages, make_testable_runner,
    specialized_message_from_string as mfs)
from mailman.testing.layers import ConfigLayer

from mailman_pgp.keystore import key_store
from mailman_pgp.keystore.keygen import ensure_list_key
from mailman_pgp.runners.incoming import PGPIncomingRunner
from mailman_pgp.testing.site import site_options


POST = """\
From: anne@example.com
To: ant@example.com
Subject: early
Message-ID: <early@example.com>

Too early.
"""


class TestWaitForKey(unittest.TestCase):
    layer = ConfigLayer

    def test_post_waits_until_the_key_exists(self):
        with site_options(keypairs__autogenerate='no'):
            with transaction():
                mlist = create_list('ant@example.com',
                                    style_name='pgp-default')
            self.assertIsNone(key_store().list_key(mlist.list_id))
            config.switchboards['in'].enqueue(
                mfs(POST), listid=mlist.list_id, to_list=True)
            make_testable_runner(PGPIncomingRunner, 'in',
                                 predicate=lambda runner: True).run()
            switchboard = config.switchboards['in']
            self.assertEqual(len(switchboard.files), 1)
            msg, msgdata = switchboard.dequeue(switchboard.files[0])
            self.assertEqual(msg['message-id'], '<early@example.com>')
            self.assertTrue(msgdata['pgp_waiting_for_key'])
            switchboard.enqueue(msg, msgdata)
            with site_options(keypairs__autogenerate='yes') as site:
                self.assertEqual(
                    ensure_list_key(mlist, key_store(), site), 'generated')
                make_testable_runner(PGPIncomingRunner, 'in').run()
        # Once the key is there, the post is processed: here Mailman's own
        # checks hold it (anne is not a member), so it left the in queue.
        get_queue_messages('in', expected_count=0)
        get_queue_messages('pipeline', expected_count=0)

    def test_non_pgp_list_unaffected(self):
        with transaction():
            mlist = create_list('plain@example.com')
        config.switchboards['in'].enqueue(
            mfs(POST.replace('ant@', 'plain@')), listid=mlist.list_id,
            to_list=True)
        make_testable_runner(PGPIncomingRunner, 'in').run()
        get_queue_messages('in', expected_count=0)
