"""The routes through a real REST runner (gunicorn), with admin credentials."""

import unittest
from urllib.error import HTTPError

from mailman.app.lifecycle import create_list
from mailman.database.transaction import transaction
from mailman.interfaces.action import Action
from mailman.testing.helpers import call_api
from mailman.testing.layers import RESTLayer

from mailman_pgp.keystore import key_store
from mailman_pgp.model import PGPMailingList
from tests.rest.support import LINK


class TestThroughRunner(unittest.TestCase):
    layer = RESTLayer

    def setUp(self):
        with transaction():
            create_list('ant@example.com', style_name='pgp-default')
            create_list('plain@example.com')

    def test_list_pgp_lists(self):
        json, response = call_api(LINK + 'lists')
        self.assertEqual(response.status_code, 200)
        self.assertEqual(json['total_size'], 1)
        entry = json['entries'][0]
        self.assertEqual(entry['list_id'], 'ant.example.com')
        self.assertEqual(entry['self_link'], LINK + 'lists/ant.example.com')
        self.assertEqual(entry['nonencrypted_msg_action'], 'reject')

    def test_read_and_change_a_setting(self):
        json, response = call_api(LINK + 'lists/ant@example.com')
        self.assertEqual(json['inline_pgp_action'], 'defer')
        json, response = call_api(LINK + 'lists/ant.example.com', {
            'inline_pgp_action': 'hold'}, method='PATCH')
        self.assertEqual(response.status_code, 204)
        self.assertEqual(
            PGPMailingList.for_list('ant.example.com').inline_pgp_action,
            Action.hold)

    def test_bad_patch_refused_with_reason(self):
        with self.assertRaises(HTTPError) as cm:
            call_api(LINK + 'lists/ant.example.com', {
                'sign_outgoing': 'yes', 'invalid_sig_action': 'maybe'},
                method='PATCH')
        self.assertEqual(cm.exception.code, 400)
        self.assertEqual(cm.exception.reason,
                         "invalid_sig_action: 'maybe' is not allowed; use "
                         'hold, reject, discard, accept or defer')
        self.assertFalse(
            PGPMailingList.for_list('ant.example.com').sign_outgoing)

    def test_public_key(self):
        json, _response = call_api(LINK + 'lists/ant.example.com/pubkey')
        key = key_store().list_key('ant.example.com')
        self.assertEqual(json['key_fingerprint'], key.fingerprint)
        self.assertEqual(json['public_key'], key.public_armor())

    def test_private_key_refused_by_default(self):
        with self.assertRaises(HTTPError) as cm:
            call_api(LINK + 'lists/ant.example.com/key')
        self.assertEqual(cm.exception.code, 403)
        self.assertIn('[rest] allow_read_private_key: yes',
                      cm.exception.reason)
        with self.assertRaises(HTTPError) as cm:
            call_api(LINK + 'lists/ant.example.com/key', {'key': 'x'},
                     method='PUT')
        self.assertEqual(cm.exception.code, 403)
        self.assertIn('allow_write_private_key', cm.exception.reason)

    def test_not_a_pgp_list(self):
        with self.assertRaises(HTTPError) as cm:
            call_api(LINK + 'lists/plain.example.com')
        self.assertEqual(cm.exception.code, 404)
        self.assertIn('plain.example.com is not a PGP list',
                      cm.exception.reason)

    def test_wrong_credentials(self):
        with self.assertRaises(HTTPError) as cm:
            call_api(LINK + 'lists', username='anne', password='guess')
        self.assertEqual(cm.exception.code, 401)

    def test_addresses_and_config(self):
        json, _response = call_api(LINK + 'addresses')
        self.assertEqual(json['total_size'], 0)
        json, _response = call_api(LINK + 'config/rest')
        self.assertEqual(json['allow_write_private_key'], 'no')
