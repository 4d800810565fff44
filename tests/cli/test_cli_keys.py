"""`mailman pgp` lists, check, export-key, import-key, extend-key."""

import os
import tempfile
import time

from datetime import datetime, timedelta, timezone

from mailman.app.lifecycle import create_list
from mailman.database.transaction import transaction

from mailman_pgp.keystore import key_store
from mailman_pgp.keystore.keygen import list_uids
from mailman_pgp.keystore.retired import retire_list_key, retired_entries
from mailman_pgp.pgp import Key, generate_key, parse_key_spec
from mailman_pgp.testing.gpg import Subscriber
from mailman_pgp.testing.members import add_pgp_member
from tests.cli.support import CLITestCase

SUBCOMMANDS = ('check', 'lists', 'export-key', 'import-key', 'rotate-key',
               'extend-key', 'check-keys')


def new_key(uids, days=730):
    return generate_key(parse_key_spec('EdDSA:Ed25519', 'primary'),
                        parse_key_spec('ECDH:Curve25519', 'sub'), uids,
                        expires=timedelta(days=days) if days else None)


def today(days=0):
    return (datetime.now(timezone.utc) + timedelta(days=days)).strftime(
        '%Y-%m-%d')


class TestHelpAndLists(CLITestCase):
    def test_help_names_every_subcommand(self):
        text = self.invoke('--help').stdout
        for name in SUBCOMMANDS:
            self.assertIn(name, text)
            self.assertIn('Usage:', self.invoke(name, '--help').stdout)
        self.assertIn('crontab', self.invoke('check-keys', '--help').stdout)

    def test_lists(self):
        anne = Subscriber('anne@example.com', 'Anne')
        self.addCleanup(anne.close)
        with transaction():
            add_pgp_member(self.mlist, anne)
            create_list('plain@example.com')
        text = self.invoke('lists').stdout
        self.assertNotIn('plain.example.com', text)
        self.assertIn('ant.example.com\n', text)
        self.assertIn('  key:       {} (usable)'.format(
            self.list_key.fingerprint), text)
        self.assertIn('  algorithm: EdDSA', text)
        self.assertIn('  created:   ' + today(), text)
        self.assertIn('  expires:   ' + today(730), text)
        self.assertIn('  members:   1 (1 with a confirmed key, 0 without)',
                      text)

    def test_check_key_health(self):
        self.assertIn('OK    1 PGP list(s), each with a usable key',
                      self.invoke('check').stdout)
        key_store().set_list_key(self.mlist.list_id,
                                 new_key(list_uids(self.mlist), days=10))
        result = self.invoke('check')
        self.assertIn('WARN  ant.example.com: list key', result.stdout)
        self.assertIn('expires on ' + today(10), result.stdout)
        self.assertIn('mailman pgp extend-key ant.example.com',
                      result.stdout)
        key_store()._remove('list', self.mlist.list_id)
        result = self.invoke('check', status=1)
        self.assertIn('FAIL  ant.example.com: has no list key',
                      result.stdout)

    def test_check_retired_key_modes(self):
        entry = retire_list_key(key_store(), self.mlist.list_id,
                                self.list_key,
                                datetime.now(timezone.utc) + timedelta(1))
        self.invoke('check')
        os.chmod(entry.path, 0o644)
        result = self.invoke('check', status=1)
        self.assertIn('(retired list keys) has mode 644; run chmod 600',
                      result.stdout)


class TestExportImport(CLITestCase):
    def test_export_public(self):
        result = self.invoke('export-key', 'ant@example.com')
        key = Key.load(result.stdout)
        self.assertFalse(key.is_private)
        self.assertEqual(key.fingerprint, self.list_key.fingerprint)
        self.assertEqual(result.stderr, '')

    def test_export_private_says_so(self):
        result = self.invoke('export-key', '--private', 'ant.example.com')
        self.assertTrue(Key.load(result.stdout).is_private)
        self.assertIn('PRIVATE key ' + self.list_key.fingerprint,
                      result.stderr)

    def test_export_unknown_list(self):
        self.assertRefused('export-key', 'nope@example.com',
                           fragment='No such list: nope@example.com')
        self.assertRefused('export-key', fragment="Missing argument 'LIST'")
        with transaction():
            create_list('plain@example.com')
        self.assertRefused('export-key', 'plain@example.com',
                           fragment='plain.example.com is not a PGP list')

    def write(self, text):
        fd, path = tempfile.mkstemp(suffix='.asc')
        with os.fdopen(fd, 'w') as fp:
            fp.write(text)
        self.addCleanup(os.unlink, path)
        return path

    def test_backup_and_restore(self):
        backup = self.write(self.invoke('export-key', '--private',
                                        'ant@example.com').stdout)
        # The server lost the key; a new one was made meanwhile.
        other = new_key(list_uids(self.mlist))
        key_store().set_list_key(self.mlist.list_id, other)
        result = self.invoke('import-key', 'ant@example.com', backup)
        self.assertIn('Imported list key {} for ant.example.com; {} kept '
                      'for decryption until {}.'.format(
                          self.list_key.fingerprint, other.fingerprint,
                          today(30)), result.stdout)
        self.assertEqual(key_store().list_key(self.mlist.list_id).fingerprint,
                         self.list_key.fingerprint)
        self.assertEqual([e.fingerprint for e in retired_entries(
            key_store(), self.mlist.list_id)], [other.fingerprint])

    def test_older_backup_cannot_roll_back_the_extension(self):
        backup = self.write(self.invoke('export-key', '--private',
                                        'ant@example.com').stdout)
        time.sleep(1.1)     # gpg orders self-signatures by the second
        self.invoke('extend-key', 'ant@example.com', '--days', '1000')
        self.assertRefused('import-key', 'ant@example.com', backup,
                           fragment='is an older copy of the one the list '
                           'has')

    def test_import_mistakes_change_nothing(self):
        public = self.write(self.list_key.public_armor())
        self.assertRefused('import-key', 'ant@example.com', public,
                           fragment='holds the public key')
        self.assertRefused('import-key', 'ant@example.com', '/nonexistent',
                           fragment='cannot read /nonexistent')
        # Empty or garbage: what import-key needs, not the email command's
        # "send the key as an armored PUBLIC KEY BLOCK".
        for text, what in (('', 'is empty'), ('not a key\n',
                                              'holds no OpenPGP key')):
            line = self.assertRefused('import-key', 'ant@example.com',
                                      self.write(text), fragment=what)
            self.assertIn("import-key needs the list's private key", line)
            self.assertNotIn('PUBLIC KEY BLOCK', line)
        stranger = self.write(new_key([('B', 'bee@example.com')]).armor())
        self.assertRefused('import-key', 'ant@example.com', stranger,
                           fragment='do not match ant.example.com')
        expired = generate_key(
            parse_key_spec('EdDSA:Ed25519', 'primary'),
            parse_key_spec('ECDH:Curve25519', 'sub'),
            list_uids(self.mlist), expires=timedelta(seconds=1))
        time.sleep(1.5)
        self.assertRefused('import-key', 'ant@example.com',
                           self.write(expired.armor()),
                           fragment='cannot sign and encrypt')
        self.assertRefused('import-key', 'nope@example.com', public,
                           fragment='No such list')
        self.assertRefused('import-key', 'ant@example.com',
                           fragment="Missing argument 'FILE'")
        self.assertEqual(retired_entries(key_store(), self.mlist.list_id), [])


class TestExtend(CLITestCase):
    def test_extend(self):
        time.sleep(1.1)     # gpg orders self-signatures by the second
        result = self.invoke('extend-key', 'ant@example.com', '--days', '1000')
        self.assertIn('The list key {} of ant.example.com now expires on {} '
                      '(was {}).'.format(self.list_key.fingerprint,
                                         today(1000), today(730)),
                      result.stdout)
        key = key_store().list_key(self.mlist.list_id)
        self.assertEqual(key.fingerprint, self.list_key.fingerprint)
        self.assertTrue(key.is_private)
        # A member who refreshes the key sees the new date.
        anne = Subscriber('anne@example.com', 'Anne')
        self.addCleanup(anne.close)
        anne.import_key(self.list_key.public_armor())
        anne.import_key(key.public_armor())
        listing = anne.gpg('--with-colons', '--list-keys',
                           key.fingerprint).stdout.decode()
        pub, = [line.split(':') for line in listing.splitlines()
                if line.startswith('pub:')]
        self.assertEqual(int(pub[6]), int(key.expires_at.timestamp()))
        self.assertEqual(key.expires_at.strftime('%Y-%m-%d'), today(1000))

    def test_documented_example_on_a_new_key(self):
        # A new key lives [keypairs] key_lifetime (730) days: extending it
        # by the same number from today moves the date by the time since
        # it was made, and is not refused (it used to be).
        time.sleep(1.1)     # gpg orders self-signatures by the second
        result = self.invoke('extend-key', 'ant@example.com', '--days', '730')
        self.assertIn('now expires on {}'.format(today(730)), result.stdout)
        key = key_store().list_key(self.mlist.list_id)
        self.assertGreater(key.expires_at, self.list_key.expires_at)

    def test_extend_mistakes(self):
        self.assertRefused('extend-key', 'ant@example.com', '--days', '0',
                           fragment='the number of days must be 1 or more')
        self.assertRefused('extend-key', 'ant@example.com', '--days', '10',
                           fragment='already expires on {}; 10 days from '
                           'today would not move that date forward'.format(
                               today(730)))
        self.assertRefused('extend-key', 'ant@example.com',
                           fragment="Missing option '--days'")
        self.assertRefused('extend-key', 'ant@example.com', '--days', 'x',
                           fragment="'x' is not a valid integer")
        self.assertRefused('extend-key', 'nope@example.com', '--days', '9',
                           fragment='No such list')
        key_store().set_list_key(self.mlist.list_id,
                                 new_key(list_uids(self.mlist), days=0))
        self.assertRefused('extend-key', 'ant@example.com', '--days', '9',
                           fragment='never expires')
