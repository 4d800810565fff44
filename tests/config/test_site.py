"""The site configuration: defaults, overrides, and refusals that say why."""

import os
import subprocess
import sys
import unittest

from datetime import timedelta
from importlib.resources import files

from mailman_pgp.config import PGPConfigError, SiteConfig


PATHS = {'DATA_DIR': '/srv/mailman/data', 'ARCHIVE_DIR': '/srv/mailman/arch'}
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


class TestSiteConfig(unittest.TestCase):
    def setUp(self):
        import tempfile
        self.tmp = tempfile.mkdtemp()

    def write(self, text):
        path = os.path.join(self.tmp, 'pgp.cfg')
        with open(path, 'w') as fp:
            fp.write(text)
        return path

    def refusal(self, text):
        with self.assertRaises(PGPConfigError) as cm:
            SiteConfig.load(self.write(text), PATHS)
        return str(cm.exception)

    def test_defaults(self):
        site = SiteConfig.load(None, PATHS)
        self.assertEqual(site.keydirs.list_keydir,
                         '/srv/mailman/data/pgp/list_keydir')
        self.assertEqual(site.archiving.mailbox_dir,
                         '/srv/mailman/arch/pgp/mbox')
        self.assertEqual(str(site.keypairs.primary_key), 'EdDSA:Ed25519')
        self.assertEqual(str(site.keypairs.sub_key), 'ECDH:Curve25519')
        self.assertEqual(site.keypairs.key_lifetime, timedelta(days=730))
        self.assertTrue(site.keypairs.autogenerate)
        self.assertFalse(site.rest.allow_read_private_key)
        self.assertFalse(site.rest.allow_write_private_key)
        self.assertTrue(site.rest.allow_read_config)
        self.assertEqual(site.misc.change_request_lifetime, timedelta(days=1))
        self.assertTrue(site.misc.collect_sig_hashes)

    def test_shipped_file_is_the_documented_one(self):
        packaged = files('mailman_pgp.config').joinpath(
            'mailman_pgp.cfg').read_text()
        with open(os.path.join(ROOT, 'mailman_pgp.cfg')) as fp:
            self.assertEqual(fp.read(), packaged)

    def test_override(self):
        site = SiteConfig.load(self.write(
            '[keypairs]\nprimary_key: RSA:3072\nsub_key: RSA:3072\n'
            'key_lifetime: 0\n[keydirs]\nlist_keydir: /k/lists\n'
            '[rest]\nallow_read_private_key: yes\n'), PATHS)
        self.assertEqual(str(site.keypairs.primary_key), 'RSA:3072')
        self.assertIsNone(site.keypairs.key_lifetime)
        self.assertEqual(site.keydirs.list_keydir, '/k/lists')
        self.assertEqual(site.keydirs.user_keydir,
                         '/srv/mailman/data/pgp/user_keydir')
        self.assertTrue(site.rest.allow_read_private_key)

    def test_python_resource(self):
        site = SiteConfig.load('python:mailman_pgp.testing.mailman_pgp',
                               PATHS)
        self.assertEqual(str(site.keypairs.primary_key), 'EdDSA:Ed25519')

    def test_unknown_section_names_file_and_allowed(self):
        message = self.refusal('[db]\nurl: sqlite:////tmp/x.db\n')
        self.assertIn(os.path.join(self.tmp, 'pgp.cfg'), message)
        self.assertIn('unknown section [db]', message)
        self.assertIn('[keydirs], [keystore], [keypairs], [archiving], [misc], '
                      '[rest]',
                      message)

    def test_unknown_option(self):
        message = self.refusal('[rest]\nallow_read_privat_key: no\n')
        self.assertIn("[rest] unknown option 'allow_read_privat_key'",
                      message)
        self.assertIn('allow_read_private_key', message)

    def test_bad_boolean(self):
        message = self.refusal('[rest]\nallow_read_private_key: maybe\n')
        self.assertIn("[rest] allow_read_private_key: 'maybe'", message)
        self.assertIn('use yes or no', message)

    def test_bad_key_spec(self):
        message = self.refusal('[keypairs]\nprimary_key: DSA:1024\n')
        self.assertIn("[keypairs] primary_key: 'DSA:1024'", message)
        self.assertIn('EdDSA:Ed25519', message)
        message = self.refusal('[keypairs]\nsub_key: RSA:1024\n')
        self.assertIn("[keypairs] sub_key: 'RSA:1024'", message)
        message = self.refusal('[keypairs]\nsub_key: EdDSA:Ed25519\n')
        self.assertIn('ECDH:Curve25519', message)

    def test_years_as_gpg_counts_them(self):
        site = SiteConfig.load(self.write('[keypairs]\nkey_lifetime: 2y\n'),
                               PATHS)
        self.assertEqual(site.keypairs.key_lifetime, timedelta(days=730))
        site = SiteConfig.load(self.write(
            '[keypairs]\nkey_lifetime: 1y30d\n'), PATHS)
        self.assertEqual(site.keypairs.key_lifetime, timedelta(days=395))
        message = self.refusal('[keypairs]\nkey_lifetime: 2years\n')
        self.assertIn('use a duration such as 30d, 12h, 2w or 2y', message)

    def test_bad_duration_and_relative_path(self):
        message = self.refusal('[misc]\nchange_request_lifetime: soon\n'
                               '[keydirs]\nuser_keydir: relative/dir\n')
        self.assertIn('[misc] change_request_lifetime', message)
        self.assertIn('[keydirs] user_keydir', message)
        self.assertIn('absolute path', message)

    def test_all_errors_at_once(self):
        message = self.refusal('[rest]\nallow_read_config: perhaps\n'
                               '[queues]\nin: in_default\n')
        self.assertEqual(len(message.splitlines()), 2)

    def test_unparseable_and_missing_file(self):
        self.assertIn('cannot be parsed', self.refusal('no section here\n'))
        with self.assertRaises(PGPConfigError) as cm:
            SiteConfig.load(os.path.join(self.tmp, 'missing.cfg'), PATHS)
        self.assertIn('cannot be read', str(cm.exception))
        with self.assertRaises(PGPConfigError) as cm:
            SiteConfig.load('relative.cfg', PATHS)
        self.assertIn('absolute path', str(cm.exception))


class TestRefusedAtStartup(unittest.TestCase):
    """A bad configuration stops Mailman with the message, not silently."""

    def test_mailman_refuses_to_start(self):
        import tempfile
        tmp = tempfile.mkdtemp()
        bad = os.path.join(tmp, 'pgp.cfg')
        with open(bad, 'w') as fp:
            fp.write('[keypairs]\nprimary_key: DSA:1024\n')
        wiring = files('mailman_pgp.config').joinpath('mailman.cfg')
        cfg = os.path.join(tmp, 'mailman.cfg')
        with open(cfg, 'w') as fp:
            fp.write('[mailman]\nlayout: here\n[paths.here]\nvar_dir: {}\n'
                     '[mta]\nincoming: mailman.mta.null.NullMTA\n'.format(
                         os.path.join(tmp, 'var')))
            fp.write(wiring.read_text().replace(
                'python:mailman_pgp.config.mailman_pgp', bad))
        env = dict(os.environ)
        env.pop('MAILMAN_EXTRA_TESTING_CFG', None)
        result = subprocess.run(
            [os.path.join(os.path.dirname(sys.executable), 'mailman'),
             '-C', cfg, '--run-as-root', 'info'],
            capture_output=True, text=True, env=env, timeout=120)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("[keypairs] primary_key: 'DSA:1024'", result.stderr)
        self.assertIn(bad, result.stderr)
