"""/plugins/pgp/addresses and /plugins/pgp/config, in-process."""

import unittest
from unittest.mock import patch

from mailman.database.transaction import transaction
from mailman.testing.layers import ConfigLayer

from mailman_pgp.keystore import key_store
from mailman_pgp.model import PGPAddress
from tests.rest.support import LINK, call, description, new_key, site_options


class TestAddresses(unittest.TestCase):
    layer = ConfigLayer

    def setUp(self):
        self.key = new_key(('Anne', 'anne@example.com'))
        with transaction():
            anne = PGPAddress.get_or_create('anne@example.com')
            anne.key_fingerprint = self.key.fingerprint
            anne.key_confirmed = True
            PGPAddress.get_or_create('bart@example.com')
        key_store().set_address_key('anne@example.com', self.key)
        self.addCleanup(key_store().delete_address_key, 'anne@example.com')

    def test_collection(self):
        result = call('GET', 'addresses')
        self.assertEqual(result.status_code, 200)
        self.assertEqual(result.json['total_size'], 2)
        anne, bart = result.json['entries']
        self.assertEqual(anne['email'], 'anne@example.com')
        self.assertEqual(anne['key_fingerprint'], self.key.fingerprint)
        self.assertIs(anne['key_confirmed'], True)
        self.assertEqual(anne['self_link'], LINK + 'addresses/anne@example.com')
        self.assertIsNone(bart['key_fingerprint'])
        self.assertIs(bart['key_confirmed'], False)
        page = call('GET', 'addresses?count=1&page=2').json
        self.assertEqual([e['email'] for e in page['entries']],
                         ['bart@example.com'])

    def test_one(self):
        result = call('GET', 'addresses/Anne@example.com')
        self.assertEqual(result.status_code, 200)
        self.assertEqual(result.json['email'], 'anne@example.com')
        self.assertEqual(result.json['key_fingerprint'], self.key.fingerprint)

    def test_unknown(self):
        for path in ('addresses/cris@example.com',
                     'addresses/cris@example.com/key'):
            result = call('GET', path)
            self.assertEqual(result.status_code, 404)
            self.assertEqual(description(result),
                             'No PGP key record for address: '
                             'cris@example.com')

    def test_key(self):
        result = call('GET', 'addresses/anne@example.com/key')
        self.assertEqual(result.status_code, 200)
        self.assertEqual(result.json['key'], self.key.public_armor())
        self.assertEqual(result.json['key_fingerprint'], self.key.fingerprint)
        self.assertIs(result.json['key_confirmed'], True)
        self.assertEqual(result.json['self_link'],
                         LINK + 'addresses/anne@example.com/key')

    def test_no_key_stored(self):
        result = call('GET', 'addresses/bart@example.com/key')
        self.assertEqual(result.status_code, 404)
        self.assertEqual(description(result),
                         'No key is stored for bart@example.com')

    def test_read_only(self):
        for path in ('addresses', 'addresses/anne@example.com',
                     'addresses/anne@example.com/key'):
            for method in ('PUT', 'PATCH', 'POST', 'DELETE'):
                result = call(method, path, json={'key': 'x'})
                self.assertEqual(result.status_code, 405, (method, path))


class TestConfig(unittest.TestCase):
    layer = ConfigLayer

    def test_all(self):
        result = call('GET', 'config')
        self.assertEqual(result.status_code, 200)
        self.assertEqual(result.json['rest']['allow_read_private_key'], 'no')
        self.assertEqual(result.json['keypairs']['primary_key'],
                         'EdDSA:Ed25519')
        # Directories are shown after Mailman's path substitutions.
        self.assertEqual(result.json['keydirs']['list_keydir'],
                         key_store().list_keydir)
        self.assertNotIn('$', result.json['archiving']['mailbox_dir'])

    def test_section_and_option(self):
        result = call('GET', 'config/misc')
        self.assertEqual(result.status_code, 200)
        self.assertEqual(result.json['change_request_lifetime'], '1d')
        result = call('GET', 'config/misc/collect_sig_hashes')
        self.assertEqual(result.status_code, 200)
        self.assertEqual(result.json['collect_sig_hashes'], 'yes')

    def test_unknown(self):
        result = call('GET', 'config/nothing')
        self.assertEqual(result.status_code, 404)
        self.assertIn('Unknown section: nothing; the sections are keydirs',
                      description(result))
        result = call('GET', 'config/misc/nothing')
        self.assertEqual(result.status_code, 404)
        self.assertIn('Unknown option: [misc] nothing; its options are '
                      'change_request_lifetime', description(result))
        self.assertEqual(call('GET', 'config/misc/a/b').status_code, 404)

    def test_refused_when_not_allowed(self):
        with site_options(rest__allow_read_config='no'):
            for path in ('config', 'config/misc', 'config/misc/shred'):
                result = call('GET', path)
                self.assertEqual(result.status_code, 403)
                self.assertIn('[rest] allow_read_config: yes',
                              description(result))

    def test_secrets_never_shown(self):
        secret = frozenset({('keypairs', 'shred_command')})
        with patch('mailman_pgp.rest.config.SECRET_OPTIONS', secret):
            result = call('GET', 'config')
            self.assertNotIn('shred_command', result.json['keypairs'])
            result = call('GET', 'config/keypairs')
            self.assertNotIn('shred_command', result.json)
            result = call('GET', 'config/keypairs/shred_command')
            self.assertEqual(result.status_code, 403)
            self.assertEqual(description(result),
                             '[keypairs] shred_command is secret and never '
                             'shown')

    def test_read_only(self):
        for method in ('PUT', 'PATCH', 'POST', 'DELETE'):
            self.assertEqual(call(method, 'config', json={}).status_code,
                             405)
