"""A PGP list and Mailman's CLI runner for the `mailman pgp` tests."""

import inspect
import os
import unittest

from click.testing import CliRunner
from mailman.app.lifecycle import create_list
from mailman.database.transaction import transaction
from mailman.testing.layers import ConfigLayer

from mailman_pgp.cli.group import pgp
from mailman_pgp.cli.checks import state_path
from mailman_pgp.keystore import key_store


def cli_runner() -> CliRunner:
    """stdout and stderr kept apart: click 8.1 needs ``mix_stderr=False``,
    click 8.2 and later always do it and no longer take the argument."""
    if 'mix_stderr' in inspect.signature(CliRunner).parameters:
        return CliRunner(mix_stderr=False)
    return CliRunner()


class CLITestCase(unittest.TestCase):
    """ant@example.com (pgp-default), owned by owner@example.com."""

    layer = ConfigLayer

    def setUp(self):
        with transaction():
            self.mlist = create_list('ant@example.com', ['owner@example.com'],
                                     style_name='pgp-default')
            self.mlist.send_welcome_message = False
        self.list_key = key_store().list_key(self.mlist.list_id)
        self.addCleanup(self._forget_state)

    @staticmethod
    def _forget_state():
        if os.path.exists(state_path()):
            os.unlink(state_path())

    def invoke(self, *args, status=0):
        result = cli_runner().invoke(pgp, args)
        if result.exception and not isinstance(result.exception,
                                               SystemExit):
            raise result.exception
        self.assertEqual(result.exit_code, status,
                         result.stdout + result.stderr)
        return result

    def assertRefused(self, *args, fragment=''):
        """One 'Error:' line, status 1, and the list key unchanged."""
        before = key_store().list_key(self.mlist.list_id).armor()
        result = self.invoke(*args, status=1)
        self.assertEqual(result.stdout, '')
        lines = result.stderr.splitlines()
        self.assertEqual(len(lines), 1, result.stderr)
        self.assertTrue(lines[0].startswith('Error: '), lines[0])
        self.assertIn(fragment, lines[0])
        self.assertEqual(key_store().list_key(self.mlist.list_id).armor(),
                         before)
        return lines[0]
