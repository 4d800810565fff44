"""Encrypted copies pipelined over one SMTP connection (RFC 2920)."""

import email
import smtplib
import unittest

from email.mime.text import MIMEText

from aiosmtpd.controller import Controller
from hypothesis import given, settings
from hypothesis import strategies as st
from mailman.mta.connection import Connection
from mailman.testing.layers import ConfigLayer

from mailman_pgp.mta.deliver import PGPDeliveryUnavailable
from mailman_pgp.mta.pipelining import quoteaddr
from mailman_pgp.mta.wire import WireConnection
from mailman_pgp.pgp import KeySpec, encrypt_mime, generate_key
from mailman_pgp.testing.sink import free_port


class _Server:
    """An SMTP server that offers PIPELINING (or not), refuses some
    recipients, and counts connections and the copies it took."""

    def __init__(self, pipelining=True, refuse=(), refuse_data=(),
                 mail_reply=None, close_after=None):
        self.pipelining = pipelining
        self.refuse = set(refuse)
        self.refuse_data = set(refuse_data)
        # Every MAIL answered so (e.g. 452, short of space).
        self.mail_reply = mail_reply
        # The first connection is closed after this many copies (421).
        self.close_after = close_after
        self.connections = 0
        self.received = []          # (mail_from, rcpt_tos, data)
        self.port = free_port()
        self.controller = Controller(self, hostname='127.0.0.1',
                                     port=self.port)

    async def handle_EHLO(self, server, session, envelope, hostname,
                          responses):
        self.connections += 1
        session.host_name = hostname
        if self.pipelining:
            responses.insert(-1, '250-PIPELINING')
        return responses

    async def handle_MAIL(self, server, session, envelope, address,
                          mail_options):
        if self.mail_reply is not None:
            return self.mail_reply
        if self.connections == 1 and self.close_after is not None and \
                len(self.received) == self.close_after:
            server.transport.close()
            return '421 4.3.2 Too many messages on this connection'
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return '250 OK'

    async def handle_RCPT(self, server, session, envelope, address,
                          rcpt_options):
        if address in self.refuse:
            return '550 5.1.1 No such user here'
        envelope.rcpt_tos.append(address)
        return '250 OK'

    async def handle_DATA(self, server, session, envelope):
        if set(envelope.rcpt_tos) & self.refuse_data:
            return '554 5.6.0 Not taken'
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos),
                              envelope.original_content))
        return '250 OK'

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


class TestPipelined(unittest.TestCase):
    layer = ConfigLayer

    @classmethod
    def setUpClass(cls):
        cls.key = generate_key(KeySpec('EdDSA', 'Ed25519'),
                               KeySpec('ECDH', 'Curve25519'),
                               [('Member', 'member@example.org')])

    def copies(self, count):
        items = []
        for number in range(count):
            inner = MIMEText('Copy {}\n.leading dot\n'.format(number))
            msg = encrypt_mime(inner, [self.key.public])
            msg['Message-ID'] = '<copy-{}@example.com>'.format(number)
            msg.set_boundary('boundary-{}'.format(number))
            items.append(('ant-bounces@example.com',
                          ['m{}@example.org'.format(number)], msg))
        return items

    def wire(self, server, sessions=0):
        return WireConnection(Connection('127.0.0.1', server.port, sessions))

    def send(self, connection, items):
        """The verdicts of sendmail_many(), which sent every item."""
        results, rest = connection.sendmail_many(items)
        self.assertEqual(list(rest), [])
        return results

    def test_every_copy_arrives_as_sent_one_by_one(self):
        items = self.copies(7)
        with _Server() as server:
            connection = self.wire(server)
            results = self.send(connection, items)
            connection.quit()
        self.assertEqual(results, [{}] * 7)
        self.assertEqual(server.connections, 1)
        self.assertEqual([r[1] for r in server.received],
                         [item[1] for item in items])
        with _Server(pipelining=False) as plain:
            connection = self.wire(plain)
            for sender, recipients, msg in items:
                connection.sendmail(sender, recipients, msg)
            connection.quit()
        # The same bytes as copy-by-copy sending (dot-stuffing undone by
        # the server), and a copy decrypts to what was encrypted.
        self.assertEqual([r[2] for r in server.received],
                         [r[2] for r in plain.received])
        copy = email.message_from_bytes(server.received[3][2])
        self.assertEqual(copy.get_content_type(), 'multipart/encrypted')

    def test_refusals_per_recipient(self):
        items = self.copies(5)
        with _Server(refuse={'m1@example.org'},
                     refuse_data={'m3@example.org'}) as server:
            connection = self.wire(server)
            results = self.send(connection, items)
            connection.quit()
        self.assertEqual(results[0], {})
        self.assertEqual(results[1], {'m1@example.org': (
            550, b'5.1.1 No such user here')})
        self.assertEqual(results[2], {})
        self.assertEqual(results[3], {'m3@example.org': (
            554, b'5.6.0 Not taken')})
        self.assertEqual(results[4], {})
        # The copies after a refused one still went out.
        self.assertEqual([r[1] for r in server.received], [
            ['m0@example.org'], ['m2@example.org'], ['m4@example.org']])

    def test_bulk_copies_of_several_recipients(self):
        # Bulk delivery: each copy goes to a chunk of members; a refused
        # member of a chunk is reported alone, a chunk refused at its
        # data refuses all its members, a chunk without one accepted
        # member is cleared (RSET) before the next one.
        items = [(sender, ['m{}a@example.org'.format(n),
                           'm{}b@example.org'.format(n)], msg)
                 for n, (sender, _, msg) in enumerate(self.copies(4))]
        with _Server(refuse={'m0b@example.org', 'm2a@example.org',
                             'm2b@example.org'},
                     refuse_data={'m1a@example.org'}) as server:
            connection = self.wire(server)
            results = self.send(connection, items)
            connection.quit()
        refused = (550, b'5.1.1 No such user here')
        not_taken = (554, b'5.6.0 Not taken')
        self.assertEqual(results, [
            {'m0b@example.org': refused},
            {'m1a@example.org': not_taken, 'm1b@example.org': not_taken},
            {'m2a@example.org': refused, 'm2b@example.org': refused},
            {}])
        self.assertEqual([r[1] for r in server.received], [
            ['m0a@example.org'], ['m3a@example.org', 'm3b@example.org']])

    def test_copies_made_while_the_server_takes_the_one_before(self):
        # Each copy is made when its commands are on their way, one copy
        # ahead of the replies read: the copies arrive as eager ones do,
        # and none is made before the copy two places before it arrived.
        eager = self.copies(6)
        made_when = []

        def maker(msg, server):
            def make():
                made_when.append(len(server.received))
                return msg
            return make

        with _Server() as server:
            connection = self.wire(server)
            results = self.send(connection,
                [(sender, recipients, maker(msg, server))
                 for sender, recipients, msg in eager])
            connection.quit()
        self.assertEqual(results, [{}] * 6)
        self.assertEqual(len(made_when), 6)
        self.assertTrue(all(received >= number - 2 for number, received
                            in enumerate(made_when)), made_when)
        with _Server() as plain:
            connection = self.wire(plain)
            connection.sendmail_many(eager)
            connection.quit()
        self.assertEqual(server.received, plain.received)

    def test_copies_that_cannot_be_made_ready(self):
        # The same when what prepares the next copies fails (Mailman's
        # personalisation, a database read): an OSError there is not the
        # connection's, which is dropped, not sent a QUIT.
        items = self.copies(4)

        def stream():
            yield from items[:2]
            raise OSError('the database went away')

        with _Server() as server:
            connection = self.wire(server)
            with self.assertRaisesRegex(PGPDeliveryUnavailable,
                                        'database went away'):
                self.send(connection, stream())
            connection.quit()
            self.assertIsNone(connection.connection._connection)
        self.assertEqual([r[1] for r in server.received],
                         [['m0@example.org']])

    def test_copy_not_made_and_connection_broken_at_once(self):
        # The connection breaks while the next copy fails to be made: the
        # failure to make it is what is raised (the post is shunted), not
        # a broken connection (which would defer both copies and go on).
        items = self.copies(3)
        with _Server() as server:
            connection = self.wire(server)

            def broken():
                connection.connection._connection.sock.close()
                raise ValueError('no key')

            items[1] = (items[1][0], items[1][1], broken)
            with self.assertRaisesRegex(PGPDeliveryUnavailable, 'no key'):
                self.send(connection, items)
            connection.quit()
        self.assertEqual(server.connections, 1)

    def test_items_handed_back_shunt_too(self):
        # Without PIPELINING the items come back unmade; an error in
        # making them ready is still a reason to shunt, not an OSError.
        items = self.copies(2)

        def stream():
            yield items[0]
            raise OSError('the database went away')

        with _Server(pipelining=False) as server:
            connection = self.wire(server)
            results, rest = connection.sendmail_many(stream())
            self.assertEqual(results, [])
            self.assertEqual(next(rest), items[0])
            with self.assertRaisesRegex(PGPDeliveryUnavailable,
                                        'database went away'):
                next(rest)
            connection.quit()

    def test_stream_stops_where_a_copy_cannot_go_pipelined(self):
        # A non-ASCII envelope (SMTPUTF8, core's way) in the middle: the
        # copies before it are pipelined, it and the rest come back to the
        # caller, unmade, and the connection is left ready for them.
        items = self.copies(5)
        items[3] = (items[3][0], ['zoë@example.org'], items[3][2])
        made = []

        def maker(msg):
            def make():
                made.append(msg)
                return msg
            return make

        with _Server() as server:
            connection = self.wire(server)
            results, rest = connection.sendmail_many(
                (sender, recipients, maker(msg), number)
                for number, (sender, recipients, msg) in enumerate(items))
            rest = list(rest)
            self.assertEqual(connection.connection._connection.noop()[0],
                             250)
            connection.quit()
        self.assertEqual(results, [{}] * 3)
        self.assertEqual([item[3] for item in rest], [3, 4])
        self.assertEqual(len(made), 3)
        self.assertEqual([r[1] for r in server.received],
                         [item[1] for item in items[:3]])

    def test_copy_that_cannot_be_made(self):
        # The copies before it are delivered; the error reaches the
        # caller as a reason to shunt the post (an OSError would have the
        # outgoing runner retry it, resending the copies before); the
        # connection is dropped at once (a QUIT would be read
        # as the copy's data, and never answered), and the server keeps
        # nothing of the copy.
        items = self.copies(4)

        def broken():
            raise OSError('the key file went away')

        items[2] = (items[2][0], items[2][1], broken)
        with _Server() as server:
            connection = self.wire(server)
            with self.assertRaisesRegex(PGPDeliveryUnavailable,
                                        'went away'):
                self.send(connection, items)
            connection.quit()
            self.assertIsNone(connection.connection._connection)
        self.assertEqual([r[1] for r in server.received],
                         [['m0@example.org'], ['m1@example.org']])

    def test_mail_refused_for_a_while(self):
        # 452 at MAIL: the server then answers the pipelined RCPTs with
        # 503 (no MAIL); every recipient gets the 452, a temporary failure
        # Mailman retries, not a permanent 503.
        items = [(sender, ['m{}a@example.org'.format(n),
                           'm{}b@example.org'.format(n)], msg)
                 for n, (sender, _, msg) in enumerate(self.copies(2))]
        short = '452 4.3.1 Insufficient system storage'
        with _Server(mail_reply=short) as server:
            connection = self.wire(server)
            results = self.send(connection, items)
            connection.quit()
        reply = (452, b'4.3.1 Insufficient system storage')
        self.assertEqual(results, [
            {recipient: reply for recipient in item[1]} for item in items])
        self.assertEqual(server.received, [])

    def test_connection_closed_by_the_server(self):
        # The server takes two copies, then answers 421 and closes (Exim's
        # smtp_accept_max_per_connection): the copy it did not answer is
        # a temporary failure, the rest go over a new connection.
        items = self.copies(5)
        with _Server(close_after=2) as server:
            connection = self.wire(server)
            results = self.send(connection, items)
            connection.quit()
        self.assertEqual(results[:2] + results[3:], [{}] * 4)
        self.assertEqual(list(results[2]), ['m2@example.org'])
        self.assertIn(results[2]['m2@example.org'][0], (421, 444))
        self.assertEqual(server.connections, 2)
        self.assertEqual([r[1] for r in server.received], [
            ['m0@example.org'], ['m1@example.org'], ['m3@example.org'],
            ['m4@example.org']])

    def test_envelope_with_a_line_break_goes_the_core_way(self):
        items = self.copies(2)
        items[1] = (items[1][0], ['m1@example.org\r\nRCPT TO:<eve@x>'],
                    items[1][2])
        with _Server() as server:
            connection = self.wire(server)
            results, rest = connection.sendmail_many(items)
            connection.quit()
        self.assertEqual(results, [{}])
        self.assertEqual(list(rest), items[1:])
        self.assertEqual([r[1] for r in server.received],
                         [['m0@example.org']])

    def test_sessions_per_connection_kept(self):
        with _Server() as server:
            connection = self.wire(server, sessions=3)
            results = self.send(connection, self.copies(7))
            connection.quit()
        self.assertEqual(results, [{}] * 7)
        self.assertEqual(len(server.received), 7)
        self.assertEqual(server.connections, 3)     # 3 + 3 + 1

    def test_server_without_pipelining_left_to_the_caller(self):
        with _Server(pipelining=False) as server:
            connection = self.wire(server)
            items = self.copies(2)
            results, rest = connection.sendmail_many(iter(items))
            connection.quit()
        self.assertEqual((results, list(rest)), ([], items))
        self.assertEqual(server.received, [])

    def test_server_gone_is_a_temporary_failure(self):
        server = _Server()
        connection = self.wire(server)       # nothing listens
        results = self.send(connection, self.copies(2))
        self.assertEqual([list(r) for r in results],
                         [['m0@example.org'], ['m1@example.org']])
        self.assertEqual({r['m0@example.org'][0] for r in results[:1]},
                         {444})


# The envelope addresses: the fast path writes what smtplib writes.

_ODD_ADDRESSES = [
    'anne@example.org', 'a.b+c@x.y', 'bounce+a=b@x.org', 'A_B@Ex-Ample.ORG',
    'a..b@x', '.a@x', 'a.@x', 'a@b.', 'a@-b', '"a b"@x', 'Anne <a@x>',
    'a@[1.2.3.4]', '<>', '', 'a b@x', 'a@x ', 'a(c)@x', 'é@x.org',
    'a@x\r\nRCPT TO:<eve@x>', '<a@x>', 'a@x>', '"a@b"@c']


def test_envelope_addresses_quoted_as_smtplib_quotes_them():
    for address in _ODD_ADDRESSES:
        assert quoteaddr(address) == smtplib.quoteaddr(address), address


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(
    list('aZ09.+-_=@<>"() \\[]!#$%&\'*/?^`{|}~,;:é\r\n')), max_size=24))
def test_any_envelope_address_quoted_as_smtplib_quotes_it(address):
    assert quoteaddr(address) == smtplib.quoteaddr(address)
