"""The database key store: keys as rows, shared by every host."""

import unittest

from mailman.app.lifecycle import create_list, remove_list
from mailman.config import config
from mailman.database.transaction import transaction
from mailman.testing.layers import ConfigLayer

from mailman_pgp.keystore import key_store
from mailman_pgp.keystore.database import DatabaseKeyStore
from mailman_pgp.model import PGPKey
from mailman_pgp.pgp import KeySpec, generate_key
from mailman_pgp.testing.site import site_options


def new_key(email):
    return generate_key(KeySpec('EdDSA', 'Ed25519'),
                        KeySpec('ECDH', 'Curve25519'), [('X', email)])


class TestDatabaseKeyStore(unittest.TestCase):
    layer = ConfigLayer

    def test_list_key_is_a_row(self):
        with site_options(keystore__backend='database'):
            store = key_store()
            self.assertIsInstance(store, DatabaseKeyStore)
            with transaction():
                mlist = create_list('ant@example.com',
                                    style_name='pgp-default')
            key = store.list_key(mlist.list_id)
            self.assertTrue(key.is_private)
            row = config.db.store.query(PGPKey).filter_by(
                kind='list', name='ant.example.com').one()
            self.assertEqual(row.fingerprint, key.fingerprint)
            with transaction():
                remove_list(mlist)
            self.assertIsNone(store.list_key('ant.example.com'))

    def test_address_keys_public_and_refreshed(self):
        with site_options(keystore__backend='database'):
            store = key_store()
            first, second = new_key('a@example.com'), new_key('a@example.com')
            with transaction():
                store.set_address_key('A@example.com', first)
            stored = store.address_key('a@example.com')
            self.assertFalse(stored.is_private)
            self.assertEqual(stored.fingerprint, first.fingerprint)
            # Another host replaces it: this one reads the new row.
            with transaction():
                row = config.db.store.query(PGPKey).filter_by(
                    kind='address', name='a@example.com').one()
                row.armor = second.public_armor()
                row.fingerprint = second.fingerprint
            self.assertEqual(store.address_key('a@example.com').fingerprint,
                             second.fingerprint)
            with transaction():
                store.delete_address_key('a@example.com')
            self.assertIsNone(store.address_key('a@example.com'))

    def test_unknown_backend_refused(self):
        from mailman_pgp.config import PGPConfigError
        with self.assertRaises(PGPConfigError) as cm:
            with site_options(keystore__backend='ldap'):
                pass
        self.assertIn("[keystore] backend: 'ldap'", str(cm.exception))
        self.assertIn('use file or database', str(cm.exception))

    def test_older_copy_refused(self):
        # The rule of the file store holds for rows too (one write path).
        import time
        from mailman_pgp.pgp import Key, StaleKeyError
        from mailman_pgp.testing.gpg import Subscriber
        anne = Subscriber('anne@example.com', 'Anne', expire='1y')
        self.addCleanup(anne.close)
        old = Key.load(anne.public_key())
        time.sleep(1.1)
        anne.gpg('--quick-set-expire', anne.fingerprint, '2y')
        new = Key.load(anne.public_key())
        with site_options(keystore__backend='database'):
            store = key_store()
            with transaction():
                store.set_address_key('anne@example.com', new)
            with self.assertRaisesRegex(StaleKeyError, 'older copy'):
                store.set_address_key('anne@example.com', old)
            self.assertEqual(bytes(store.address_key('anne@example.com')),
                             bytes(new))
