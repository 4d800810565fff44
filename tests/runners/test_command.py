"""Command mail to a PGP list's -request address, encrypted or not."""

from mailman.config import config
from mailman.testing.helpers import get_queue_messages, make_testable_runner

from mailman_pgp.runners.command import PGPCommandRunner
from tests.runners.test_incoming import MARKER, PGPListTestCase


class TestCommands(PGPListTestCase):
    def command(self, raw: bytes):
        import email
        from mailman.email.message import Message
        msg = email.message_from_bytes(raw, Message)
        config.switchboards['command'].enqueue(
            msg, listid=self.mlist.list_id, subaddress='request')
        make_testable_runner(PGPCommandRunner, 'command').run()
        return get_queue_messages('virgin', expected_count=1)[0]

    def test_encrypted_command_is_read(self):
        raw = self.anne.encrypted_mail(
            'ant-request@example.com', '...', 'help\n',
            self.list_key.fingerprint, protect_subject=False)
        reply = self.command(raw)
        text = reply.msg.as_string()
        self.assertIn('The results of your email command', text)
        self.assertIn('help        - Get help about available email '
                      'commands.', text)
        self.assertNotIn('Ignoring non-text/plain MIME parts', text)
        self.assertEqual(reply.msgdata['listid'], self.mlist.list_id)

    def test_plain_command_still_works(self):
        raw = self.anne.plain_mail('ant-request@example.com', 'help', '')
        reply = self.command(raw)
        self.assertIn('The results of your email command',
                      reply.msg.as_string())

    def test_captured_post_sent_to_request_is_not_an_oracle(self):
        # Someone without a key resends Anne's encrypted post to -request:
        # nothing of it may come back to them.
        post = self.anne.encrypted_mail(
            'ant@example.com', 'Secret plans', 'help\nSecret plans ' + MARKER,
            self.list_key.fingerprint, protect_subject=True)
        raw = post.replace(b'From: Anne <anne@example.com>',
                           b'From: Eve <eve@example.com>')
        reply = self.command(raw)
        text = reply.msg.as_string()
        self.assertEqual(str(reply.msg['to']), 'eve@example.com')
        self.assertNotIn(MARKER, text)
        self.assertNotIn('Secret', text)
        self.assertIn('Nothing was done', text)

    def test_signed_encrypted_command_from_member_is_read(self):
        raw = self.anne.encrypted_mail(
            'ant-request@example.com', 'help', 'help\n',
            self.list_key.fingerprint)
        reply = self.command(raw)
        self.assertIn('The results of your email command',
                      reply.msg.as_string())
        self.assertNotIn('Nothing was done', reply.msg.as_string())
