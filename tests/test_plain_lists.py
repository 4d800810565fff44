"""A plain list on a site with the plugin wired in behaves as stock Mailman.

No plugin command, archiver or template is visible on it or required by it,
over email or Mailman's REST API (Postorius).  Mailman's own test suite
checks the same thing wholesale (scripts/mailman-suite.py).
"""

import os
import unittest

from mailman.app.lifecycle import create_list
from mailman.config import config
from mailman.database.transaction import transaction
from mailman.interfaces.template import ALL_TEMPLATES, ITemplateManager
from mailman.testing.layers import ConfigLayer
from zope.component import getUtility

from mailman_pgp.archivers import ENCRYPTED_ARCHIVERS
from mailman_pgp.templates import NAMES, render
from mailman_pgp.testing.conversation import (
    outbox, results_text, send_command)
from tests.rest.support import core


def _command_mail(to: str, body: str) -> bytes:
    return ('From: anne@example.com\nTo: {}\nSubject: commands\n'
            'Message-ID: <commands@example.com>\n\n{}\n'.format(
                to, body)).encode()


def _reply_to(mlist, body: str) -> str:
    send_command(mlist, _command_mail(mlist.request_address, body))
    return results_text(outbox(), to='anne@example.com')


class _Lists(unittest.TestCase):
    layer = ConfigLayer

    def setUp(self):
        with transaction():
            self.plain = create_list('plain@example.com')
            self.pgp = create_list('ant@example.com',
                                   style_name='pgp-default')


class TestCommands(_Lists):
    def test_help_of_a_plain_list_has_no_key_command(self):
        text = _reply_to(self.plain, 'help')
        self.assertIn('help ', text)
        self.assertNotIn('key ', text)
        self.assertNotIn('PGP', text)

    def test_key_set_on_a_plain_list_is_no_command(self):
        # Stock Mailman tries the second word when the first is no command.
        text = _reply_to(self.plain, 'key set 0123abcd')
        self.assertIn('No such command: set', text)
        self.assertNotIn('PGP', text)

    def test_help_of_a_pgp_list_has_the_key_command(self):
        text = _reply_to(self.pgp, 'help')
        self.assertIn('Manage your PGP key on an encrypted list.', text)
        # Offered while the PGP list's mail was handled, and only then.
        self.assertNotIn('key', config.commands)


class TestArchivers(_Lists):
    def stock_names(self):
        return {archiver.name for archiver in config.archivers
                if archiver.is_enabled
                and archiver.name not in ENCRYPTED_ARCHIVERS}

    def test_plain_list_shows_mailmans_archivers_only(self):
        shown = core('GET', 'lists/plain.example.com/archivers').json
        del shown['http_etag']
        self.assertEqual(set(shown), self.stock_names())

    def test_put_of_mailmans_archivers_is_accepted(self):
        result = core('PUT', 'lists/plain.example.com/archivers',
                      {name: 'false' for name in self.stock_names()})
        self.assertEqual(result.status_code, 204, result.text)

    def test_encrypted_archivers_of_a_pgp_list(self):
        shown = core('GET', 'lists/ant.example.com/archivers').json
        for name in ENCRYPTED_ARCHIVERS:
            self.assertIs(shown[name], True)


class TestTemplates(_Lists):
    def uris(self, prefix):
        return {name: 'http://example.com/{}.txt'.format(name)
                for name in ALL_TEMPLATES if name.startswith(prefix)
                and ':pgp:' not in name}

    def test_full_put_of_mailmans_template_uris_is_accepted(self):
        for path, prefixes in (('uris', ('',)),
                               ('domains/example.com/uris',
                                ('list:', 'domain:')),
                               ('lists/plain.example.com/uris', ('list:',))):
            uris = {}
            for prefix in prefixes:
                uris.update(self.uris(prefix))
            result = core('PUT', path, uris)
            self.assertEqual(result.status_code, 204,
                             '{}: {}'.format(path, result.text))
        shown = core('GET', 'lists/plain.example.com/uris').json
        self.assertFalse([entry['name'] for entry in shown['entries']
                          if ':pgp:' in entry['name']])

    def test_pgp_template_set_by_uri(self):
        path = os.path.join(config.VAR_DIR, 'key-receive.txt')
        with open(path, 'w') as fp:
            fp.write('Our key, $listname.\n')
        with transaction():
            getUtility(ITemplateManager).set(
                'list:user:pgp:key-receive', self.pgp.list_id,
                'file://' + path)
        self.assertEqual(render('list:user:pgp:key-receive', self.pgp),
                         'Our key, ant@example.com.\n')

    def test_pgp_template_from_the_template_directory(self):
        directory = os.path.join(config.TEMPLATE_DIR, 'domains',
                                 'example.com', 'en')
        os.makedirs(directory, exist_ok=True)
        path = os.path.join(directory, 'list:user:pgp:key-receive.txt')
        with open(path, 'w') as fp:
            fp.write('The domain key text of $listname.\n')
        try:
            self.assertEqual(render('list:user:pgp:key-receive', self.pgp),
                             'The domain key text of ant@example.com.\n')
        finally:
            os.unlink(path)

    def test_packaged_pgp_templates(self):
        for name in NAMES:
            self.assertTrue(render(name, self.pgp).strip(), name)
