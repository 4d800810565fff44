"""gpg finds a list key through the Web Key Directory of a real instance.

`mailman pgp wkd export` writes the tree, an HTTPS server on 127.0.0.1
serves it (or forwards to the REST routes, as the web UI does), and
``gpg --auto-key-locate clear,wkd --locate-keys`` fetches the key; after
``mailman pgp rotate-key`` and a new export it fetches the new one.
"""

import base64
import os
import shutil
import tempfile
import unittest
import urllib.error
import urllib.request

from mailman_pgp.testing.exchange import Exchange
from mailman_pgp.testing.instance import MAIL_RUNNERS
from mailman_pgp.testing.wkd import WKDServer, namespace_problem

PROBLEM = namespace_problem()


@unittest.skipIf(PROBLEM, 'gpg cannot be given a test CA here: {}'.format(
    PROBLEM))
class TestGpgFindsListKey(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix='mmpgp-wkd-site-')
        cls.exchange = Exchange(cls.root, say=lambda *args: None,
                                runners=MAIL_RUNNERS)
        cls.exchange.start()
        cls.server = WKDServer(['example.org'])
        cls.first = cls.exchange.create_list('crypto@example.org')

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.exchange.stop()
        shutil.rmtree(cls.root, ignore_errors=True)

    def export(self, *args):
        www = os.path.join(self.root, 'www')
        self.exchange.instance.mailman('pgp', 'wkd', 'export', www, *args)
        self.server.from_directory(www)

    def rest_get(self, path):
        request = urllib.request.Request(
            'http://127.0.0.1:{}{}'.format(self.exchange.rest_port, path))
        request.add_header('Authorization', 'Basic ' + base64.b64encode(
            b'restadmin:restpass').decode())
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, b''

    def assertFinds(self, address, fingerprint):
        found, uids = self.server.locate(address)
        self.assertEqual(found, [fingerprint], self.server.requests[-3:])
        # Only the user ID of the address asked for.
        self.assertEqual(uids, ['Crypto <{}>'.format(address)])

    def test_export_rotate_export(self):
        self.export('--method', 'direct')
        self.assertFinds('crypto@example.org', self.first)
        self.assertFinds('crypto-request@example.org', self.first)
        host, path, query = self.server.requests[-1]
        self.assertEqual(query, 'l=crypto-request')
        # The web UI's way: the same answers from the REST routes.
        self.server.from_rest(self.rest_get)
        self.assertFinds('crypto@example.org', self.first)
        self.assertEqual(self.server.requests[-1][0], 'example.org')
        # A rotation: gpg finds the new key once the tree is re-exported,
        # and at once through REST.
        self.exchange.instance.mailman('pgp', 'rotate-key',
                                       'crypto@example.org')
        new = self.exchange.rest(
            'GET', '/3.1/plugins/pgp/lists/crypto.example.org/pubkey')[
                'key_fingerprint']
        self.assertNotEqual(new, self.first)
        self.assertFinds('crypto@example.org', new)
        self.export('--method', 'direct')
        self.assertFinds('crypto@example.org', new)
        self.assertFinds('crypto-request@example.org', new)
        # Nobody else is published.
        found, _ = self.server.locate('crypto-owner@example.org')
        self.assertEqual(found, [])

    def test_advanced_method(self):
        """With openpgpkey.example.org resolving (in gpg's namespace only),
        gpg uses the advanced method and finds the key there."""
        self.server.resolve = ['openpgpkey.example.org']
        self.addCleanup(setattr, self.server, 'resolve', [])
        fingerprint = self.exchange.rest(
            'GET', '/3.1/plugins/pgp/lists/crypto.example.org/pubkey')[
                'key_fingerprint']
        self.export()
        self.assertFinds('crypto-request@example.org', fingerprint)
        host, path, query = self.server.requests[-1]
        self.assertEqual(host, 'openpgpkey.example.org')
        self.assertTrue(path.startswith(
            '/.well-known/openpgpkey/example.org/hu/'), path)
        self.server.from_rest(self.rest_get)
        self.assertFinds('crypto@example.org', fingerprint)
