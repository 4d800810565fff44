"""`mailman pgp` through the real `mailman` command of a throwaway site."""

import os
import tempfile
import unittest

from mailman_pgp.pgp import Key
from mailman_pgp.testing.instance import MailmanInstance


class TestRealCLI(unittest.TestCase):
    def setUp(self):
        self.site = MailmanInstance(tempfile.mkdtemp(prefix='mm-'))
        self.site.mailman('create', '--style-name', 'pgp-default',
                          'x@example.com')

    def pgp(self, *args, status=0):
        result = self.site.mailman('pgp', *args, check=False)
        self.assertEqual(result.returncode, status,
                         result.stdout + result.stderr)
        return result

    def error(self, *args):
        result = self.pgp(*args, status=1)
        self.assertEqual(result.stdout, '')
        line, = result.stderr.splitlines()
        self.assertTrue(line.startswith('Error: '), line)
        return line

    def test_backup_rotate_restore(self):
        text = self.pgp('lists').stdout
        self.assertTrue(text.startswith('x.example.com\n  key:       '))
        first = Key.load(self.pgp('export-key', 'x@example.com').stdout)
        self.assertFalse(first.is_private)
        result = self.pgp('export-key', '--private', 'x@example.com')
        self.assertIn('PRIVATE key ' + first.fingerprint, result.stderr)
        backup = os.path.join(self.site.root, 'backup.asc')
        with open(backup, 'w') as fp:
            fp.write(result.stdout)
        self.assertIn('Rotated the list key of x.example.com: {} -> '.format(
            first.fingerprint), self.pgp('rotate-key', 'x@example.com').stdout)
        self.assertIn('  retired:   ' + first.fingerprint,
                      self.pgp('lists').stdout)
        self.assertIn('Imported list key ' + first.fingerprint,
                      self.pgp('import-key', 'x.example.com', backup).stdout)
        self.assertIn('now expires on', self.pgp(
            'extend-key', 'x@example.com', '--days', '1000').stdout)
        self.assertIn('check-keys: 0 notice(s) sent.',
                      self.pgp('check-keys').stdout)
        self.assertIn('OK    1 PGP list(s), each with a usable key',
                      self.pgp('check').stdout)

    def test_mistakes(self):
        self.assertIn('No such list: y@example.com',
                      self.error('export-key', 'y@example.com'))
        public = os.path.join(self.site.root, 'public.asc')
        with open(public, 'w') as fp:
            fp.write(self.pgp('export-key', 'x@example.com').stdout)
        self.assertIn('holds the public key',
                      self.error('import-key', 'x@example.com', public))
        self.assertIn("Missing option '--days'",
                      self.error('extend-key', 'x@example.com'))
