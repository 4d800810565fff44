"""Two Mailman hosts on one PostgreSQL database share keys and replay state.

Runs when the suite runs on PostgreSQL (MAILMAN_PGP_TEST_DB=postgresql);
both instances use ``[keystore] backend: database``.
"""

import concurrent.futures
import os
import tempfile
import unittest

import pytest

from mailman_pgp.testing.gpg import Subscriber
from mailman_pgp.testing.instance import MailmanInstance


SERVER = os.environ.get('MAILMAN_PGP_TEST_PG',
                        'postgresql://postgres@127.0.0.1:5432')


@pytest.mark.database
@unittest.skipUnless(os.environ.get('MAILMAN_PGP_TEST_DB') == 'postgresql',
                     'needs PostgreSQL (MAILMAN_PGP_TEST_DB=postgresql)')
class TestTwoHosts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        import psycopg2
        cls.database = 'mailman_pgp_hosts_{}'.format(os.getpid())
        connection = psycopg2.connect(SERVER + '/postgres')
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute('DROP DATABASE IF EXISTS ' + cls.database)
            cursor.execute('CREATE DATABASE ' + cls.database)
        connection.close()
        url = '{}/{}'.format(SERVER, cls.database)
        site = '[keystore]\nbackend: database\n'
        cls.a = MailmanInstance(tempfile.mkdtemp(prefix='host-a-'),
                                site_cfg=site, database_url=url)
        cls.b = MailmanInstance(tempfile.mkdtemp(prefix='host-b-'),
                                site_cfg=site, database_url=url)
        cls.a.mailman('create', '--style-name', 'pgp-default',
                      'x@example.com')

    @classmethod
    def tearDownClass(cls):
        import psycopg2
        connection = psycopg2.connect(SERVER + '/postgres')
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute('DROP DATABASE IF EXISTS {} WITH (FORCE)'.format(
                cls.database))
        connection.close()

    def shell(self, host, function, *args):
        return host.mailman('shell', '-l', 'x@example.com', '-r',
                            'mailman_pgp.testing.members.' + function,
                            *args).stdout

    def test_shared_state(self):
        # The list key made on host A is the one host B uses.
        exported_a = self.a.mailman('pgp', 'export-key', 'x@example.com')
        exported_b = self.b.mailman('pgp', 'export-key', 'x@example.com')
        self.assertIn('BEGIN PGP PUBLIC KEY BLOCK', exported_a.stdout)
        self.assertEqual(exported_a.stdout, exported_b.stdout)
        self.assertIn('x.example.com', self.b.mailman('pgp', 'lists').stdout)
        # A key change on one host is seen by the other.
        for round_ in range(2):
            anne = Subscriber('anne@example.com')
            try:
                path = os.path.join(self.a.root, 'anne.asc')
                with open(path, 'w') as fp:
                    fp.write(anne.public_key())
                self.shell(self.a, 'shell_set_key', 'anne@example.com', path)
                shown = self.shell(self.b, 'shell_show_key',
                                   'anne@example.com')
                self.assertIn('key anne@example.com {0} {0}'.format(
                    anne.fingerprint), shown)
            finally:
                anne.close()

    def test_concurrent_replay_state(self):
        first = ['{:064x}'.format(n) for n in range(0, 40)]
        second = ['{:064x}'.format(n) for n in range(20, 60)]
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            results = list(pool.map(
                lambda job: self.shell(job[0], 'shell_remember', 'F' * 40,
                                       *job[1]),
                [(self.a, first), (self.b, second)]))
        self.assertEqual(results, ['remembered 40\n'] * 2)
        import psycopg2
        connection = psycopg2.connect('{}/{}'.format(SERVER, self.database))
        with connection.cursor() as cursor:
            cursor.execute('SELECT count(*), count(DISTINCT hash) '
                           "FROM pgp_sighash WHERE fingerprint = %s",
                           ('F' * 40,))
            self.assertEqual(cursor.fetchone(), (60, 60))
        connection.close()
