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

    def test_one_post_delivered_once(self):
        # Both hosts run all their runners on the shared database; a post
        # arriving at host A reaches each member once.
        from mailman_pgp.testing.sink import SMTPSink, free_port
        sink = SMTPSink().start()
        url = '{}/{}'.format(SERVER, self.database)
        site = '[keystore]\nbackend: database\n'
        hosts = [MailmanInstance(tempfile.mkdtemp(prefix='run-' + name),
                                 site_cfg=site, database_url=url,
                                 lmtp_port=free_port(),
                                 smtp_port=sink.port)
                 for name in 'ab']
        people = [Subscriber(email) for email in (
            'anne@example.org', 'bart@example.org', 'cris@example.org')]
        try:
            for who in people:
                path = os.path.join(hosts[0].root, who.email + '.asc')
                with open(path, 'w') as fp:
                    fp.write(who.public_key())
                hosts[0].mailman('shell', '-l', 'x@example.com', '-r',
                                 'mailman_pgp.testing.members.'
                                 'shell_add_member', who.email, path)
            list_key = hosts[1].mailman('pgp', 'export-key',
                                        'x@example.com').stdout
            anne = people[0]
            fingerprint = anne.import_key(list_key)
            for host in hosts:
                host.start()
            raw = anne.encrypted_mail('x@example.com', 'Once', 'Hello',
                                      fingerprint)
            raw = raw.replace(b'\r\n', b'\n').replace(b'\n', b'\r\n')
            import smtplib
            with smtplib.LMTP('127.0.0.1', hosts[0].lmtp_port) as server:
                server.sendmail(anne.email, ['x@example.com'], raw)
            for who in people:
                sink.wait_for(who.email, '[...]', timeout=90)
            import time
            time.sleep(5)           # time for a second copy, if any
            copies = {}
            for delivery in sink.deliveries:
                for rcpt in delivery.rcpt_tos:
                    copies[rcpt] = copies.get(rcpt, 0) + 1
            self.assertEqual(copies, {who.email: 1 for who in people})
        finally:
            for host in hosts:
                host.stop()
            sink.stop()
            for who in people:
                who.close()

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
