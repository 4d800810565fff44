"""mailman pgp reset-key: a member who lost their key gets a new key request."""

from mailman.database.transaction import transaction
from mailman.testing.helpers import get_queue_messages

from mailman_pgp.model import PGPAddress
from mailman_pgp.testing.gpg import Subscriber
from mailman_pgp.testing.members import add_pgp_member
from tests.cli.support import CLITestCase


class TestResetKey(CLITestCase):
    def test_reset(self):
        anne = Subscriber('anne@example.com')
        self.addCleanup(anne.close)
        with transaction():
            add_pgp_member(self.mlist, anne)
        result = self.invoke('reset-key', 'ant@example.com',
                             'anne@example.com')
        self.assertIn('Key of anne@example.com reset (was {})'.format(
            anne.fingerprint), result.stdout)
        self.assertFalse(PGPAddress.for_email(
            'anne@example.com').key_confirmed)
        requests = [item for item in get_queue_messages('virgin')
                    if str(item.msg['subject']).startswith('key set')]
        self.assertEqual(len(requests), 1)
        self.assertEqual(str(requests[0].msg['to']), 'anne@example.com')

    def test_not_a_member(self):
        before = self.list_key.armor()
        result = self.invoke('reset-key', 'ant@example.com',
                             'nobody@example.com', status=1)
        self.assertEqual(result.stderr.strip(),
                         'Error: nobody@example.com is not a member of '
                         'ant.example.com')
        self.assertEqual(self.list_key.armor(), before)

    def test_unknown_list(self):
        self.assertRefused('reset-key', 'nope@example.com',
                           'anne@example.com', fragment='No such list')
