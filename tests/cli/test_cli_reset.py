"""mailman pgp reset-key: a member who lost their key gets a new key request."""

from mailman.database.transaction import transaction
from mailman.interfaces.pending import IPendings
from mailman.testing.helpers import get_queue_messages
from zope.component import getUtility

from mailman_pgp.keystore import key_store
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

    def test_reset_twice_the_second_replaces_the_first(self):
        anne = Subscriber('anne@example.com')
        self.addCleanup(anne.close)
        with transaction():
            add_pgp_member(self.mlist, anne)
        self.invoke('reset-key', 'ant@example.com', 'anne@example.com')
        # The list forgot the key: no fingerprint, no stored key (REST
        # shows neither).
        pgp_address = PGPAddress.for_email('anne@example.com')
        self.assertIsNone(pgp_address.key_fingerprint)
        self.assertIsNone(key_store().address_key('anne@example.com'))
        result = self.invoke('reset-key', 'ant@example.com',
                             'anne@example.com')
        self.assertIn('it replaces the earlier one, whose token no longer '
                      'works', result.stdout)
        first, second = [
            str(item.msg['subject']).split()[2]
            for item in get_queue_messages('virgin')
            if str(item.msg['subject']).startswith('key set')]
        pendings = getUtility(IPendings)
        self.assertIsNone(pendings.confirm(first, expunge=False))
        self.assertIsNotNone(pendings.confirm(second, expunge=False))

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
