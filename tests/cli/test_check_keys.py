"""`mailman pgp check-keys`: the daily warnings, each sent once."""

from datetime import timedelta

from mailman.database.transaction import transaction
from mailman.testing.helpers import get_queue_messages

from mailman_pgp.keystore import key_store
from mailman_pgp.keystore.keygen import list_uids
from mailman_pgp.keystore.retired import retire_list_key, retired_entries
from mailman_pgp.pgp import generate_key, parse_key_spec
from mailman_pgp.testing.gpg import Subscriber
from mailman_pgp.testing.members import add_pgp_member
from tests.cli.support import CLITestCase
from tests.cli.test_cli_keys import today


def sent():
    """{(a recipient, Subject): queued item}."""
    return {(sorted(item.msgdata['recipients'])[0], str(item.msg['subject'])):
            item for item in get_queue_messages('virgin')}


class TestCheckKeys(CLITestCase):
    @classmethod
    def setUpClass(cls):
        cls.anne = Subscriber('anne@example.com', 'Anne')
        cls.bart = Subscriber('bart@example.com', 'Bart', expire='10d')
        cls.cris = Subscriber('cris@example.com', 'Cris', expire='1d',
                              faked_time='20200101T000000')

    @classmethod
    def tearDownClass(cls):
        for who in (cls.anne, cls.bart, cls.cris):
            who.close()

    def setUp(self):
        super().setUp()
        with transaction():
            for who in (self.anne, self.bart, self.cris):
                add_pgp_member(self.mlist, who)
        get_queue_messages('virgin')

    def test_members_warned_once(self):
        result = self.invoke('check-keys')
        self.assertIn('ant.example.com: warned bart@example.com (key {} '
                      'expires on {})'.format(self.bart.fingerprint,
                                              today(10)), result.stdout)
        self.assertIn('ant.example.com: owners told of 1 unusable key(s): '
                      'cris@example.com', result.stdout)
        self.assertIn('check-keys: 2 notice(s) sent.', result.stdout)
        items = sent()
        self.assertEqual(len(items), 2, list(items))
        warning = items['bart@example.com', 'Your key for Ant expires on '
                        + today(10)]
        self.assertTrue(warning.msgdata['pgp_allow_clear'])
        self.assertIn(self.bart.fingerprint, warning.msg.as_string())
        owners = items['owner@example.com',
                       'Ant: members whose key became unusable']
        text = owners.msg.get_payload(decode=True).decode()
        self.assertIn('cris@example.com (key {}: The key expired'.format(
            self.cris.fingerprint), text)
        self.assertNotIn('anne@example.com', text)
        # The next day's run repeats nothing.
        result = self.invoke('check-keys')
        self.assertIn('check-keys: 0 notice(s) sent.', result.stdout)
        self.assertEqual(sent(), {})

    def test_list_key_expiry_and_retired_keys(self):
        soon = generate_key(parse_key_spec('EdDSA:Ed25519', 'primary'),
                            parse_key_spec('ECDH:Curve25519', 'sub'),
                            list_uids(self.mlist), expires=timedelta(days=20))
        key_store().set_list_key(self.mlist.list_id, soon)
        from datetime import datetime, timezone
        retire_list_key(key_store(), self.mlist.list_id, self.list_key,
                        datetime.now(timezone.utc) - timedelta(seconds=1))
        result = self.invoke('check-keys')
        self.assertIn('ant.example.com: retired key {} removed'.format(
            self.list_key.fingerprint), result.stdout)
        self.assertEqual(retired_entries(key_store(), self.mlist.list_id), [])
        self.assertIn('ant.example.com: list key {} expires on {}'.format(
            soon.fingerprint, today(20)), result.stdout)
        notice = sent()['owner@example.com',
                        'The key of Ant expires on ' + today(20)]
        text = notice.msg.get_payload(decode=True).decode()
        self.assertIn('mailman pgp extend-key ant.example.com --days 365',
                      text)
        self.invoke('check-keys')
        self.assertNotIn(('owner@example.com',
                          'The key of Ant expires on ' + today(20)), sent())
