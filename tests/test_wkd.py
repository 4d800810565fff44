"""The Web Key Directory: file names as gpg computes them, the exported
tree, and the REST routes the web UI serves at /.well-known/openpgpkey/."""

import os
import shutil
import subprocess
import tempfile
import unittest

from tests.cli.support import cli_runner
from mailman.app.lifecycle import create_list
from mailman.database.transaction import transaction
from mailman.interfaces.domain import IDomainManager
from mailman.interfaces.listmanager import IListManager
from mailman.testing.layers import ConfigLayer
from zope.component import getUtility

from mailman_pgp.cli.group import pgp
from mailman_pgp.keystore import key_store
from mailman_pgp.pgp import Key
from mailman_pgp.wkd import wkd_hash

WKS_CLIENT = '/usr/lib/gnupg/gpg-wks-client'


def gpg_hash(address: str) -> str:
    """What gpg's own WKS client says the hu/ file name is."""
    result = subprocess.run([WKS_CLIENT, '--print-wkd-hash', address],
                            capture_output=True, text=True, check=True)
    hashed, printed = result.stdout.split()
    assert printed == address.lower(), result.stdout
    return hashed


def gpg_url(address: str) -> str:
    return subprocess.run([WKS_CLIENT, '--print-wkd-url', address],
                          capture_output=True, text=True,
                          check=True).stdout.strip()


@unittest.skipUnless(os.path.exists(WKS_CLIENT), 'gpg-wks-client missing')
class TestHash(unittest.TestCase):
    def test_same_as_gpg(self):
        for address in ('crypto@example.org', 'crypto-request@example.org',
                        'Mixed.Case-List@Example.ORG', 'a@b.c',
                        'x' * 60 + '@example.org'):
            local = address.split('@')[0]
            self.assertEqual(wkd_hash(local), gpg_hash(address), address)


@unittest.skipUnless(os.path.exists(WKS_CLIENT), 'gpg-wks-client missing')
class TestExport(unittest.TestCase):
    """ant@example.com and bee@example.org, exported with the CLI."""

    layer = ConfigLayer

    def setUp(self):
        with transaction():
            getUtility(IDomainManager).add('example.org')
            self.ant = create_list('ant@example.com',
                                   style_name='pgp-default')
            self.bee = create_list('bee@example.org',
                                   style_name='pgp-default')
            create_list('plain@example.com')
        self.dir = tempfile.mkdtemp(prefix='mmpgp-wkd-export-')
        self.addCleanup(shutil.rmtree, self.dir)
        self.root = os.path.join(self.dir, '.well-known', 'openpgpkey')

    def export(self, *args, status=0):
        result = cli_runner().invoke(
            pgp, ('wkd', 'export', self.dir) + args)
        if result.exception and not isinstance(result.exception,
                                               SystemExit):
            raise result.exception
        self.assertEqual(result.exit_code, status,
                         result.stdout + result.stderr)
        return result

    def files(self) -> list[str]:
        found = []
        for directory, _, names in os.walk(self.root):
            found += [os.path.relpath(os.path.join(directory, name),
                                      self.root) for name in names]
        return sorted(found)

    def test_advanced_tree_as_gpg_expects(self):
        result = self.export()
        self.assertIn('4 key file(s) written for example.com, example.org',
                      result.stdout)
        expected = ['.mailman-pgp-wkd.json']
        for address in ('ant@example.com', 'ant-request@example.com',
                        'bee@example.org', 'bee-request@example.org'):
            domain = address.split('@')[1]
            relative = '{}/hu/{}'.format(domain, gpg_hash(address))
            expected.append(relative)
            # gpg's own URL for the address ends in the same path.
            self.assertIn('/.well-known/openpgpkey/' + relative + '?l=',
                          gpg_url(address))
            with open(os.path.join(self.root, relative), 'rb') as fp:
                key = Key.load(fp.read())
            self.assertFalse(key.is_private)
            self.assertEqual(key.emails, [address])
            self.assertEqual(key.fingerprint, key_store().list_key(
                address.replace('-request', '').replace('@', '.')
            ).fingerprint)
        expected += ['example.com/policy', 'example.org/policy']
        self.assertEqual(self.files(), sorted(expected))

    def test_direct_one_domain(self):
        self.export('--method', 'direct', '--domain', 'example.org')
        self.assertEqual(self.files(), sorted([
            '.mailman-pgp-wkd.json', 'policy',
            'hu/' + gpg_hash('bee@example.org'),
            'hu/' + gpg_hash('bee-request@example.org')]))

    def test_direct_needs_a_domain(self):
        result = self.export('--method', 'direct', status=1)
        self.assertEqual(result.stderr.strip(), (
            'Error: The direct method serves one domain, and the PGP lists '
            'are in example.com, example.org: pass --domain (or use '
            '--method advanced)'))
        self.assertFalse(os.path.exists(self.root))

    def test_rerun_replaces_and_removes(self):
        self.export()
        bee = os.path.join(self.root, 'example.org', 'hu',
                           gpg_hash('bee@example.org'))
        ant = os.path.join(self.root, 'example.com', 'hu',
                           gpg_hash('ant@example.com'))
        # Someone else's key in the same directory is not ours to remove.
        foreign = os.path.join(self.root, 'example.org', 'hu', 'foreign')
        with open(foreign, 'wb') as fp:
            fp.write(b'not ours')
        with open(ant, 'rb') as fp:
            before = fp.read()
        self.assertIn('Rotated', cli_runner().invoke(
            pgp, ('rotate-key', 'ant@example.com')).output)
        with transaction():
            getUtility(IListManager).delete(self.bee)
        result = self.export()
        self.assertIn('3 old file(s) removed', result.stdout)
        self.assertFalse(os.path.exists(bee))
        self.assertTrue(os.path.exists(foreign))
        self.assertFalse(os.path.exists(os.path.join(self.root, 'example.org',
                                                     'policy')))
        with open(ant, 'rb') as fp:
            after = Key.load(fp.read())
        self.assertNotEqual(after.fingerprint, Key.load(before).fingerprint)
        self.assertEqual(after.fingerprint,
                         key_store().list_key('ant.example.com').fingerprint)
        # No temporary file is left behind.
        self.assertEqual([f for f in self.files() if '.tmp-' in f], [])


class TestREST(unittest.TestCase):
    """The two routes the web UI proxies at /.well-known/openpgpkey/."""

    layer = ConfigLayer

    def setUp(self):
        with transaction():
            self.ant = create_list('ant@example.com',
                                   style_name='pgp-default')

    def get(self, path):
        from tests.rest.support import call
        return call('GET', 'wkd/' + path)

    def test_key(self):
        hashed = wkd_hash('ant-request')
        result = self.get('example.com/hu/' + hashed)
        self.assertEqual(result.status_code, 200)
        self.assertEqual(result.headers['content-type'],
                         'application/octet-stream')
        key = Key.load(result.content)
        self.assertEqual(key.emails, ['ant-request@example.com'])
        self.assertFalse(key.is_private)
        self.assertEqual(key.fingerprint,
                         key_store().list_key('ant.example.com').fingerprint)
        # The l= parameter a client sends is accepted when it matches.
        from tests.rest.support import BASE, auth_headers
        from falcon.testing import TestClient
        from mailman.rest.wsgiapp import make_application
        app = make_application()
        client = TestClient(lambda environ, start: app(environ, start))
        path = BASE + 'wkd/example.com/hu/' + hashed
        self.assertEqual(client.simulate_get(
            path, query_string='l=ant-request',
            headers=auth_headers()).content, result.content)
        self.assertEqual(client.simulate_get(
            path, query_string='l=ant',
            headers=auth_headers()).status_code, 404)

    def test_not_found(self):
        for path in ('example.com/hu/' + wkd_hash('nobody'),
                     'example.org/hu/' + wkd_hash('ant'),
                     'example.org/policy', 'example.com/hu',
                     'example.com/other'):
            self.assertEqual(self.get(path).status_code, 404, path)

    def test_policy(self):
        result = self.get('example.com/policy')
        self.assertEqual(result.status_code, 200)
        self.assertTrue(result.text.startswith('# Web Key Directory'))


class TestExportWarns(unittest.TestCase):
    layer = ConfigLayer

    def test_key_without_user_id(self):
        from tests.rest.support import new_key
        with transaction():
            create_list('ant@example.com', style_name='pgp-default')
        key_store().set_list_key('ant.example.com', new_key(
            ('Ant', 'ant@example.com'), ('Old', 'old@example.com')))
        directory = tempfile.mkdtemp(prefix='mmpgp-wkd-export-')
        self.addCleanup(shutil.rmtree, directory)
        result = cli_runner().invoke(
            pgp, ('wkd', 'export', directory))
        self.assertEqual(result.exit_code, 0, result.stderr)
        self.assertIn('WARN  ant-request@example.com: not published: list '
                      'key ', result.stderr)
        self.assertIn('1 key file(s) written for example.com',
                      result.stdout)
