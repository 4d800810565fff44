"""/plugins/pgp/lists: settings, public key and private key, in-process."""

import unittest

from mailman.app.lifecycle import create_list
from mailman.database.transaction import transaction
from mailman.interfaces.action import Action
from mailman.interfaces.member import MemberRole
from mailman.testing.layers import ConfigLayer

from mailman_pgp.keystore import key_store
from mailman_pgp.model import PGPMailingList
from mailman_pgp.model.list_settings import LIST_SETTINGS
from tests.rest.support import LINK, call, description, new_key, site_options


class _PGPListTest(unittest.TestCase):
    layer = ConfigLayer

    def setUp(self):
        with transaction():
            self.mlist = create_list('ant@example.com',
                                     style_name='pgp-default')
            create_list('plain@example.com')

    def pgp_list(self):
        return PGPMailingList.for_list('ant.example.com')


class TestRoot(_PGPListTest):
    def test_root(self):
        result = call('GET', '')
        self.assertEqual(result.status_code, 200)
        self.assertEqual(result.json['resources'],
                         ['addresses', 'config', 'index', 'lists',
                          'settings', 'uris', 'wkd'])

    def test_credentials_required(self):
        result = call('GET', 'lists', auth=False)
        self.assertEqual(result.status_code, 401)

    def test_unknown_route(self):
        self.assertEqual(call('GET', 'nothing').status_code, 404)
        self.assertEqual(
            call('GET', 'lists/ant.example.com/other').status_code, 404)


class TestListCollection(_PGPListTest):
    def test_only_pgp_lists(self):
        with transaction():
            create_list('bee@example.com', style_name='pgp-announce')
        result = call('GET', 'lists')
        self.assertEqual(result.status_code, 200)
        self.assertEqual(result.json['total_size'], 2)
        self.assertEqual(result.json['start'], 0)
        entries = result.json['entries']
        self.assertEqual([e['list_id'] for e in entries],
                         ['ant.example.com', 'bee.example.com'])
        self.assertEqual(entries[0]['self_link'],
                         LINK + 'lists/ant.example.com')
        for setting in LIST_SETTINGS:
            self.assertEqual(entries[0][setting.name],
                             setting.to_json(setting.default), setting.name)
        self.assertIn('http_etag', entries[0])

    def test_pagination(self):
        with transaction():
            create_list('bee@example.com', style_name='pgp-announce')
        result = call('GET', 'lists?count=1&page=2')
        self.assertEqual(result.json['total_size'], 2)
        self.assertEqual(result.json['start'], 1)
        self.assertEqual([e['list_id'] for e in result.json['entries']],
                         ['bee.example.com'])

    def test_bad_pagination(self):
        self.assertEqual(call('GET', 'lists?count=x&page=1').status_code,
                         400)


class TestAList(_PGPListTest):
    def test_get_by_list_id_and_fqdn(self):
        for identifier in ('ant.example.com', 'ant@example.com'):
            result = call('GET', 'lists/' + identifier)
            self.assertEqual(result.status_code, 200)
            self.assertEqual(result.json['list_id'], 'ant.example.com')
            self.assertEqual(result.json['unsigned_msg_action'], 'reject')
            self.assertEqual(result.json['key_signing_allowed'],
                             ['moderator', 'owner'])
            self.assertIs(result.json['encrypt_outgoing'], True)

    def test_missing_list(self):
        for method in ('GET', 'PUT', 'PATCH'):
            result = call(method, 'lists/nope.example.com', json={})
            self.assertEqual(result.status_code, 404)
            self.assertEqual(description(result),
                             'No such mailing list: nope.example.com')

    def test_plain_list_is_not_pgp(self):
        result = call('GET', 'lists/plain.example.com')
        self.assertEqual(result.status_code, 404)
        self.assertIn('plain.example.com is not a PGP list',
                      description(result))
        for child in ('key', 'pubkey'):
            result = call('GET', 'lists/plain.example.com/' + child)
            self.assertEqual(result.status_code, 404)
            self.assertIn('is not a PGP list', description(result))

    def test_patch_json(self):
        result = call('PATCH', 'lists/ant.example.com', json={
            'unsigned_msg_action': 'hold', 'sign_outgoing': True,
            'key_signing_allowed': ['owner'], 'delivery_mode': 'bulk'})
        self.assertEqual(result.status_code, 204, result.text)
        pgp_list = self.pgp_list()
        self.assertEqual(pgp_list.unsigned_msg_action, Action.hold)
        self.assertTrue(pgp_list.sign_outgoing)
        self.assertEqual(pgp_list.key_signing_allowed, {MemberRole.owner})
        self.assertEqual(pgp_list.delivery_mode, 'bulk')
        self.assertEqual(call('GET', 'lists/ant.example.com').json[
            'unsigned_msg_action'], 'hold')

    def test_patch_form(self):
        result = call('PATCH', 'lists/ant@example.com', data={
            'sign_outgoing': 'yes', 'key_signing_allowed': [
                'owner', 'member'], 'outer_subject': 'Encrypted'})
        self.assertEqual(result.status_code, 204, result.text)
        pgp_list = self.pgp_list()
        self.assertTrue(pgp_list.sign_outgoing)
        self.assertEqual(pgp_list.key_signing_allowed,
                         {MemberRole.owner, MemberRole.member})
        self.assertEqual(pgp_list.outer_subject, 'Encrypted')

    def test_patch_bad_value_names_field_and_allowed_values(self):
        result = call('PATCH', 'lists/ant.example.com', json={
            'unsigned_msg_action': 'explode'})
        self.assertEqual(result.status_code, 400)
        self.assertEqual(
            description(result),
            "unsigned_msg_action: 'explode' is not allowed; use hold, "
            'reject, discard, accept or defer')
        result = call('PATCH', 'lists/ant.example.com', json={
            'delivery_mode': 'carrier-pigeon'})
        self.assertIn('delivery_mode', description(result))
        self.assertIn('individual or bulk', description(result))

    def test_patch_is_all_or_nothing(self):
        result = call('PATCH', 'lists/ant.example.com', json={
            'sign_outgoing': True, 'encrypt_outgoing': 'perhaps',
            'key_signing_allowed': ['owner', 'janitor']})
        self.assertEqual(result.status_code, 400)
        text = description(result)
        self.assertIn('encrypt_outgoing', text)
        self.assertIn('true, false', text.replace(' or ', ', '))
        self.assertIn("'janitor'", text)
        self.assertFalse(self.pgp_list().sign_outgoing)

    def test_patch_unknown_attribute(self):
        result = call('PATCH', 'lists/ant.example.com', json={
            'sign_outgoing': True, 'colour': 'blue'})
        self.assertEqual(result.status_code, 400)
        self.assertIn('Unknown attribute: colour; the settings are '
                      'unsigned_msg_action, ', description(result))
        self.assertFalse(self.pgp_list().sign_outgoing)

    def test_patch_read_only(self):
        result = call('PATCH', 'lists/ant.example.com', json={
            'list_id': 'bee.example.com'})
        self.assertEqual(result.status_code, 400)
        self.assertEqual(description(result), 'Read-only attribute: list_id')

    def test_patch_nothing(self):
        result = call('PATCH', 'lists/ant.example.com', json={})
        self.assertEqual(result.status_code, 400)
        self.assertIn('No setting given', description(result))

    def test_body_not_an_object(self):
        result = call('PATCH', 'lists/ant.example.com', json=['sign'])
        self.assertEqual(result.status_code, 400)
        self.assertIn('must be a JSON object', description(result))

    def test_put_round_trip(self):
        resource = call('GET', 'lists/ant.example.com').json
        resource['inline_pgp_action'] = 'discard'
        resource['moderate_keys'] = True
        result = call('PUT', 'lists/ant.example.com', json=resource)
        self.assertEqual(result.status_code, 204, result.text)
        self.assertEqual(self.pgp_list().inline_pgp_action, Action.discard)
        self.assertTrue(self.pgp_list().moderate_keys)

    def test_put_needs_every_setting(self):
        result = call('PUT', 'lists/ant.example.com', json={
            'sign_outgoing': True})
        self.assertEqual(result.status_code, 400)
        self.assertIn('Missing attribute(s): unsigned_msg_action, ',
                      description(result))
        self.assertFalse(self.pgp_list().sign_outgoing)

    def test_put_bad_value(self):
        resource = call('GET', 'lists/ant.example.com').json
        resource['sign_outgoing'] = False
        resource['key_change_workflow'] = 'anything'
        result = call('PUT', 'lists/ant.example.com', json=resource)
        self.assertEqual(result.status_code, 400)
        self.assertIn('key_change_workflow', description(result))
        self.assertIn('pgp-key-change-workflow', description(result))

    def test_method_not_allowed(self):
        self.assertEqual(call('DELETE', 'lists/ant.example.com').status_code,
                         405)
        self.assertEqual(call('POST', 'lists').status_code, 405)


class TestListPublicKey(_PGPListTest):
    def test_get(self):
        result = call('GET', 'lists/ant.example.com/pubkey')
        self.assertEqual(result.status_code, 200)
        key = key_store().list_key('ant.example.com')
        self.assertEqual(result.json['key_fingerprint'], key.fingerprint)
        self.assertEqual(result.json['public_key'], key.public_armor())
        self.assertIn('BEGIN PGP PUBLIC KEY BLOCK', result.json['public_key'])
        self.assertNotIn('PRIVATE', result.json['public_key'])
        self.assertEqual(result.json['self_link'],
                         LINK + 'lists/ant.example.com/pubkey')

    def test_no_key_yet(self):
        with site_options(keypairs__autogenerate='no'):
            with transaction():
                create_list('nokey@example.com', style_name='pgp-default')
            result = call('GET', 'lists/nokey.example.com/pubkey')
        self.assertEqual(result.status_code, 404)
        self.assertIn('nokey.example.com has no key pair yet',
                      description(result))

    def test_put_refusals(self):
        list_key = key_store().list_key('ant.example.com')
        other = new_key(('Other', 'other@example.com'))
        cases = [
            ({}, 'Missing attribute: public_key'),
            ({'public_key': 'junk'}, 'public_key cannot be read'),
            ({'public_key': list_key.public_armor(), 'x': 1},
             'Unknown attribute: x; send only public_key'),
            ({'public_key': list_key.armor()},
             'public_key contains a private key'),
            ({'public_key': other.public_armor()},
             f'public_key is {other.fingerprint}, not the key of ant.example.com'),
        ]
        for body, expected in cases:
            result = call('PUT', 'lists/ant.example.com/pubkey', json=body)
            self.assertEqual(result.status_code, 400, body)
            self.assertIn(expected, description(result))
        self.assertEqual(key_store().list_key('ant.example.com').armor(),
                         list_key.armor())


class TestListPrivateKey(_PGPListTest):
    def test_refused_by_default(self):
        result = call('GET', 'lists/ant.example.com/key')
        self.assertEqual(result.status_code, 403)
        self.assertIn('[rest] allow_read_private_key: yes',
                      description(result))
        self.assertNotIn('PRIVATE', result.text)
        result = call('PUT', 'lists/ant.example.com/key',
                      json={'key': 'whatever'})
        self.assertEqual(result.status_code, 403)
        self.assertIn('[rest] allow_write_private_key: yes',
                      description(result))

    def test_read_when_allowed_never_logs_key(self):
        key = key_store().list_key('ant.example.com')
        with site_options(rest__allow_read_private_key='yes'), \
                self.assertLogs('mailman.plugins.pgp', 'DEBUG') as logs:
            result = call('GET', 'lists/ant.example.com/key')
        self.assertEqual(result.status_code, 200)
        self.assertEqual(result.json['key'], key.armor())
        self.assertIn('PRIVATE KEY BLOCK', result.json['key'])
        self.assertEqual(result.json['key_fingerprint'], key.fingerprint)
        self.assertEqual(result.json['self_link'],
                         LINK + 'lists/ant.example.com/key')
        text = '\n'.join(logs.output)
        self.assertIn(key.fingerprint, text)
        self.assertNotIn('BEGIN PGP', text)

    def test_write_when_allowed(self):
        replacement = new_key(('Ant', 'ant@example.com'),
                              ('Ant', 'ant-request@example.com'))
        with site_options(rest__allow_write_private_key='yes'):
            result = call('PUT', 'lists/ant.example.com/key',
                          json={'key': replacement.armor()})
        self.assertEqual(result.status_code, 204, result.text)
        self.assertEqual(
            key_store().list_key('ant.example.com').fingerprint,
            replacement.fingerprint)

    def test_write_refusals(self):
        before = key_store().list_key('ant.example.com').fingerprint
        stranger = new_key(('Stranger', 'stranger@example.com'))
        cases = [
            ({}, 'Missing attribute: key'),
            ({'key': 'junk'}, 'key cannot be read'),
            ({'key': stranger.public_armor()}, 'Cannot set a public key'),
            ({'key': stranger.armor()},
             'The key has no user ID with the list address ant@example.com'),
        ]
        with site_options(rest__allow_write_private_key='yes'):
            for body, expected in cases:
                result = call('PUT', 'lists/ant.example.com/key', json=body)
                self.assertEqual(result.status_code, 400, body)
                self.assertIn(expected, description(result))
        self.assertEqual(
            key_store().list_key('ant.example.com').fingerprint, before)
