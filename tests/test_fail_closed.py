"""PGP checks fail closed when Mailman's wiring would skip them.

A common slip: ``[runner.in]`` left at Mailman's default (or misspelt).
Mailman then starts fine and only logs it, and a PGP list would accept
cleartext, unsigned and replayed posts.  `mailman start` refuses instead,
and a post that no PGP runner examined is held, never delivered.
"""

import os
import tempfile
import time
import unittest

from importlib.resources import files

from mailman.database.transaction import transaction
from mailman.interfaces.requests import IListRequests
from mailman.runners.incoming import IncomingRunner
from mailman.testing.helpers import get_queue_messages, make_testable_runner
from mailman.testing.layers import ConfigLayer

from mailman_pgp.testing.conversation import enqueue
from mailman_pgp.testing.instance import MailmanInstance
from tests.runners.test_incoming import MARKER, PGPListTestCase

RUNNER_IN = ('[runner.in]\n'
             'class: mailman_pgp.runners.incoming.PGPIncomingRunner\n')


def _instance(wiring: str, site_cfg: str = '') -> MailmanInstance:
    instance = MailmanInstance(tempfile.mkdtemp(prefix='mm-'),
                               wiring=wiring, site_cfg=site_cfg)
    return instance


def _wiring() -> str:
    return files('mailman_pgp.config').joinpath('mailman.cfg').read_text()


class TestStartRefused(unittest.TestCase):
    def start(self, instance):
        self.addCleanup(instance.stop)
        return instance.mailman('start', '--force', check=False, timeout=60)

    def test_start_refused_without_runner_in(self):
        instance = _instance(_wiring().replace(RUNNER_IN, ''))
        result = self.start(instance)
        self.assertEqual(result.returncode, 1)
        self.assertIn('mailman-pgp refuses to start', result.stderr)
        self.assertIn("[runner.in] class: is 'mailman.runners.incoming."
                      "IncomingRunner'; set it to mailman_pgp.runners."
                      'incoming.PGPIncomingRunner', result.stderr)
        self.assertFalse(os.path.exists(os.path.join(instance.var_dir,
                                                     'master.pid')))
        self.assertIn('refuses to start', instance.log())

    def test_start_refused_with_a_misspelt_runner_class(self):
        instance = _instance(_wiring().replace(
            'runners.incoming.PGPIncomingRunner',
            'runners.incomming.PGPIncomingRunner'))
        result = self.start(instance)
        self.assertEqual(result.returncode, 1)
        self.assertIn("[runner.in] class: is 'mailman_pgp.runners.incomming."
                      "PGPIncomingRunner'", result.stderr)

    def test_start_refused_with_mailmans_own_delivery(self):
        instance = _instance(_wiring().replace(
            'outgoing: mailman_pgp.mta.deliver.deliver', ''))
        result = self.start(instance)
        self.assertEqual(result.returncode, 1)
        self.assertIn('[mta] outgoing', result.stderr)

    def test_other_commands_still_run_to_diagnose(self):
        instance = _instance(_wiring().replace(RUNNER_IN, ''))
        result = instance.mailman('pgp', 'check', check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn('[runner.in] class', result.stdout)
        self.assertNotIn('refuses to start', result.stderr)

    def test_explicit_override_starts(self):
        instance = _instance(_wiring().replace(RUNNER_IN, ''),
                             site_cfg='[misc]\nallow_unchecked_start: yes\n')
        self.addCleanup(instance.stop)
        instance.start()
        pid_file = os.path.join(instance.var_dir, 'master.pid')
        deadline = time.monotonic() + 60
        while not os.path.exists(pid_file) and time.monotonic() < deadline:
            time.sleep(0.2)
        with open(os.path.join(instance.root, 'start.log')) as fp:
            self.assertNotIn('refuses to start', fp.read())
        self.assertTrue(os.path.exists(pid_file))


class TestUnexaminedPostHeld(PGPListTestCase):
    layer = ConfigLayer

    def test_stock_incoming_runner_holds_pgp_list_posts(self):
        # Mailman's own incoming runner: nobody decrypts or checks.
        for raw in (self.encrypted(),
                    self.anne.plain_mail('ant@example.com', 'Hi',
                                         'clear ' + MARKER)):
            enqueue(self.mlist, raw, to_list=True)
            make_testable_runner(IncomingRunner, 'in').run()
        get_queue_messages('pipeline', expected_count=0)
        get_queue_messages('out', expected_count=0)
        requests = IListRequests(self.mlist)
        held = list(requests.held_requests)
        self.assertEqual(len(held), 2)
        for request in held:
            _key, data = requests.get_request(request.id)
            self.assertIn('[runner.in] class: mailman_pgp.runners.incoming.'
                          'PGPIncomingRunner', data['_mod_reason'])

    def test_encrypted_post_in_pipeline_is_decrypted_only_if_approved(self):
        from mailman_pgp.handlers.decrypt_approved import PGPDecryptApproved
        from mailman_pgp.pgp import is_encrypted
        import email
        from mailman.email.message import Message
        raw = self.encrypted()
        handler = PGPDecryptApproved()
        msg = email.message_from_bytes(raw, Message)
        with transaction():
            handler.process(self.mlist, msg, {})
        self.assertTrue(is_encrypted(msg))
        self.assertNotIn(MARKER, msg.as_string())
        with transaction():
            handler.process(self.mlist, msg, {'moderator_approved': True})
        self.assertIn(MARKER, msg.as_string())
