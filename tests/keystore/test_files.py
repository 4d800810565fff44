"""Key files: names that stay inside their directory, modes, atomicity."""

import os
import stat
import tempfile
import unittest

from mailman_pgp.keystore.files import (
    ensure_directory, safe_file_name, shred, write_atomically)
from mailman_pgp.keystore.store import KeyStore
from mailman_pgp.pgp import KeySpec, generate_key


HOSTILE = ['../x', '../../etc/passwd', '/', 'a/b@example.com', 'nul\0byte',
           'ünïcödé@exämple.org', 'x' * 300, '.hidden@example.com', '..',
           '', 'CON', 'a\nb@example.com', '%abc.asc']


class TestSafeNames(unittest.TestCase):
    def test_plain_addresses_stay_readable(self):
        self.assertEqual(safe_file_name('Anne.Person+x@Example.COM'),
                         'anne.person+x@example.com.asc')
        self.assertEqual(safe_file_name('ant.example.com'),
                         'ant.example.com.asc')

    def test_hostile_names_stay_inside(self):
        names = set()
        for name in HOSTILE:
            file_name = safe_file_name(name)
            names.add(file_name)
            self.assertNotIn('/', file_name)
            self.assertNotIn('\0', file_name)
            self.assertFalse(file_name.startswith('.'))
            self.assertTrue(file_name.isascii())
            self.assertLessEqual(len(file_name), 255)
            directory = '/srv/keys'
            joined = os.path.realpath(os.path.join(directory, file_name))
            self.assertEqual(os.path.dirname(joined), directory)
        self.assertEqual(len(names), len(HOSTILE))     # no collisions


class TestFiles(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()

    def test_directory_mode_tightened(self):
        path = os.path.join(self.tmp, 'a', 'b')
        ensure_directory(path)
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o700)
        os.chmod(path, 0o755)
        ensure_directory(path)
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o700)

    def test_atomic_write_mode_and_no_leftovers(self):
        path = os.path.join(self.tmp, 'k', 'x.asc')
        write_atomically(path, 'one')
        write_atomically(path, 'two')
        with open(path) as fp:
            self.assertEqual(fp.read(), 'two')
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        self.assertEqual(os.listdir(os.path.dirname(path)), ['x.asc'])

    def test_interrupted_write_keeps_old_file(self):
        path = os.path.join(self.tmp, 'x.asc')
        write_atomically(path, 'old key')
        with self.assertRaises(TypeError):
            write_atomically(path, 12345)          # fails mid-write
        with open(path) as fp:
            self.assertEqual(fp.read(), 'old key')
        self.assertEqual(os.listdir(self.tmp), ['x.asc'])

    def test_shred(self):
        path = os.path.join(self.tmp, 'x.asc')
        write_atomically(path, 'secret' * 100)
        shred(path)
        self.assertFalse(os.path.exists(path))


class TestKeyStore(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.key = generate_key(KeySpec('EdDSA', 'Ed25519'),
                               KeySpec('ECDH', 'Curve25519'),
                               [('Ann', 'ann@example.com')])
        cls.other = generate_key(KeySpec('EdDSA', 'Ed25519'),
                                 KeySpec('ECDH', 'Curve25519'),
                                 [('Bob', 'bob@example.com')])

    def setUp(self):
        tmp = tempfile.mkdtemp()
        self.store = KeyStore(os.path.join(tmp, 'lists'),
                              os.path.join(tmp, 'users'),
                              os.path.join(tmp, 'archive'))
        self.store.ensure_directories()

    def test_list_key_round_trip_and_cache_refresh(self):
        self.assertIsNone(self.store.list_key('ant.example.com'))
        self.store.set_list_key('ant.example.com', self.key)
        first = self.store.list_key('ant.example.com')
        self.assertEqual(first.fingerprint, self.key.fingerprint)
        self.assertTrue(first.is_private)
        self.assertIs(self.store.list_key('ant.example.com'), first)  # cached
        # Replaced behind our back (another runner, an admin): re-read.
        self.store.set_list_key('ant.example.com', self.other)
        self.assertEqual(self.store.list_key('ant.example.com').fingerprint,
                         self.other.fingerprint)

    def test_list_key_must_be_private(self):
        with self.assertRaises(ValueError):
            self.store.set_list_key('ant.example.com', self.key.public)

    def test_address_keys_are_public_only(self):
        self.store.set_address_key('ann@example.com', self.key)
        stored = self.store.address_key('ANN@example.com')
        self.assertFalse(stored.is_private)
        with open(self.store.address_key_path('ann@example.com')) as fp:
            self.assertNotIn('PRIVATE', fp.read())
        self.store.delete_address_key('ann@example.com')
        self.assertIsNone(self.store.address_key('ann@example.com'))

    def test_hostile_addresses(self):
        for name in HOSTILE[:8]:
            self.store.set_address_key(name, self.key)
            self.assertEqual(self.store.address_key(name).fingerprint,
                             self.key.fingerprint)
        # Nothing was written outside the user key directory.
        self.assertEqual(sorted(os.listdir(os.path.dirname(
            self.store.user_keydir))), ['archive', 'lists', 'users'])
        self.assertEqual(len(os.listdir(self.store.user_keydir)), 8)
        for path in os.listdir(self.store.user_keydir):
            self.assertTrue(path.endswith('.asc'))

    def test_delete_list_key_with_shred_command(self):
        self.store.set_list_key('ant.example.com', self.key)
        path = self.store.list_key_path('ant.example.com')
        marker = path + '.shredded'
        self.assertTrue(self.store.delete_list_key(
            'ant.example.com', shred_it=True,
            shred_command='sh -c \'touch "$0.shredded"\''))
        self.assertTrue(os.path.exists(marker))
        self.assertFalse(os.path.exists(path))
        self.assertFalse(self.store.delete_list_key('ant.example.com'))

    def test_archive_keys(self):
        write_atomically(os.path.join(self.store.archive_keydir, 'a.asc'),
                         self.other.public_armor())
        keys = self.store.archive_keys()
        self.assertEqual([k.fingerprint for k in keys],
                         [self.other.fingerprint])
