"""Private list keys sealed with the site passphrase at rest."""

import os
import stat
import tempfile
import unittest

from mailman.app.lifecycle import create_list
from mailman.database.transaction import transaction
from mailman.testing.layers import ConfigLayer

from mailman_pgp.config import PGPConfigError
from mailman_pgp.keystore import key_store
from mailman_pgp.keystore.seal import SealError, is_sealed, seal, unseal
from mailman_pgp.testing.site import site_options


class TestSeal(unittest.TestCase):
    def test_round_trip_and_wrong_passphrase(self):
        sealed = seal('-----BEGIN PGP PRIVATE KEY BLOCK-----\nx\n', b'pw')
        self.assertTrue(is_sealed(sealed))
        self.assertNotIn('PRIVATE KEY', sealed)
        self.assertIn('PRIVATE KEY', unseal(sealed, b'pw'))
        with self.assertRaises(SealError):
            unseal(sealed, b'other')
        with self.assertRaises(SealError):
            unseal(sealed, None)


class TestSealedListKeys(unittest.TestCase):
    layer = ConfigLayer

    def setUp(self):
        fd, self.passphrase_file = tempfile.mkstemp()
        with os.fdopen(fd, 'w') as fp:
            fp.write('correct horse battery staple\n')

    def test_list_key_sealed_on_disk_and_usable(self):
        with site_options(keypairs__passphrase_file=self.passphrase_file):
            with transaction():
                mlist = create_list('ant@example.com',
                                    style_name='pgp-default')
            store = key_store()
            key = store.list_key(mlist.list_id)
            self.assertTrue(key.is_private)
            if store.backend == 'file':
                with open(store.list_key_path(mlist.list_id)) as fp:
                    text = fp.read()
                self.assertTrue(is_sealed(text))
                self.assertNotIn('PRIVATE KEY', text)
        # Without the passphrase the key cannot be used.
        with self.assertRaises(SealError):
            key_store()._get('list', 'ant.example.com')

    def test_bad_passphrase_file_refused(self):
        with self.assertRaises(PGPConfigError) as cm:
            with site_options(keypairs__passphrase_file='/nonexistent/x'):
                pass
        self.assertIn('[keypairs] passphrase_file', str(cm.exception))

    def test_check_warns_about_a_readable_passphrase_file(self):
        from mailman_pgp.wiring import permission_problems
        os.chmod(self.passphrase_file, 0o644)
        with site_options(keypairs__passphrase_file=self.passphrase_file):
            problems = permission_problems(key_store())
        self.assertTrue(any('site passphrase' in p for p in problems))
        os.chmod(self.passphrase_file, stat.S_IRUSR)


class TestUnreadableListKey(unittest.TestCase):
    """A list key that exists but cannot be opened: nothing is lost, and
    `mailman pgp check` says why."""

    layer = ConfigLayer

    def setUp(self):
        fd, path = tempfile.mkstemp()
        with os.fdopen(fd, 'w') as fp:
            fp.write('secret\n')
        with site_options(keypairs__passphrase_file=path):
            with transaction():
                self.mlist = create_list('ant@example.com',
                                         style_name='pgp-default')
        # From here on the site has no passphrase: the key stays sealed.

    def test_post_waits_in_its_queue(self):
        import email
        from mailman.config import config
        from mailman.email.message import Message
        from mailman.testing.helpers import make_testable_runner
        from mailman_pgp.keystore.store import UnreadableKeyError
        from mailman_pgp.runners.incoming import PGPIncomingRunner
        with self.assertRaises(UnreadableKeyError):
            key_store().list_key(self.mlist.list_id)
        msg = email.message_from_string(
            'From: anne@example.com\nTo: ant@example.com\nSubject: x\n'
            'Message-ID: <sealed@example.com>\n\nx\n', Message)
        msg.original_size = 100
        config.switchboards['in'].enqueue(msg, listid=self.mlist.list_id,
                                          to_list=True)
        make_testable_runner(PGPIncomingRunner, 'in',
                             predicate=lambda runner: True).run()
        self.assertEqual(len(config.switchboards['in'].files), 1)

    def test_check_reports_it(self):
        from click.testing import CliRunner
        from mailman_pgp.cli.group import pgp
        result = CliRunner().invoke(pgp, ['check'])
        self.assertEqual(result.exit_code, 1, result.output)
        self.assertIn('FAIL  the key of ant.example.com cannot be read: the '
                      'list key is sealed', result.output)
