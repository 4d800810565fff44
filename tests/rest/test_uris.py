"""The PGP templates' URIs: set over the plugin's REST, used by the list."""

import os
import unittest

from mailman.app.lifecycle import create_list
from mailman.config import config
from mailman.database.transaction import transaction
from mailman.testing.layers import ConfigLayer

from mailman_pgp.templates import NAMES, render
from tests.rest.support import LINK, call

NAME = 'list:user:pgp:key-receive'


class TestPGPTemplateURIs(unittest.TestCase):
    layer = ConfigLayer

    def setUp(self):
        with transaction():
            create_list('ant@example.com', style_name='pgp-default')
            create_list('plain@example.com')
        self.text = os.path.join(config.VAR_DIR, 'key-receive.txt')
        with open(self.text, 'w') as fp:
            fp.write('Our key, $listname.\n')

    def mlist(self):
        # Fresh: each REST call ends the session its objects belonged to.
        from mailman.interfaces.listmanager import IListManager
        from zope.component import getUtility
        return getUtility(IListManager).get_by_list_id('ant.example.com')

    def test_full_put_and_get_of_a_pgp_list(self):
        uris = {name: 'http://example.com/{}.txt'.format(name)
                for name in NAMES}
        uris[NAME] = 'file://' + self.text
        result = call('PUT', 'lists/ant.example.com/uris', data=uris)
        self.assertEqual(result.status_code, 204, result.text)
        shown = call('GET', 'lists/ant.example.com/uris').json
        self.assertEqual({entry['name'] for entry in shown['entries']},
                         set(NAMES))
        one = call('GET', 'lists/ant.example.com/uris/' + NAME).json
        self.assertEqual(one['uri'], 'file://' + self.text)
        self.assertEqual(one['self_link'],
                         LINK + 'lists/ant.example.com/uris/' + NAME)
        self.assertEqual(render(NAME, self.mlist()),
                         'Our key, ant@example.com.\n')

    def test_a_full_put_needs_every_pgp_name(self):
        result = call('PUT', 'lists/ant.example.com/uris',
                      data={NAME: 'file://' + self.text})
        self.assertEqual(result.status_code, 400)
        self.assertIn('Missing Parameter', result.json['description'])

    def test_site_wide(self):
        result = call('PATCH', 'uris', data={NAME: 'file://' + self.text})
        self.assertEqual(result.status_code, 204, result.text)
        one = call('GET', 'uris/' + NAME).json
        self.assertEqual(one['self_link'], LINK + 'uris/' + NAME)
        self.assertEqual(render(NAME, self.mlist()),
                         'Our key, ant@example.com.\n')
        result = call('DELETE', 'uris')
        self.assertEqual(result.status_code, 204)
        self.assertNotIn('Our key', render(NAME, self.mlist()))

    def test_unknown_name_and_plain_list(self):
        self.assertEqual(call('GET', 'uris/list:user:welcome').status_code,
                         404)
        self.assertEqual(
            call('GET', 'lists/plain.example.com/uris').status_code, 404)
