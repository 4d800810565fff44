"""Unsigned content riding along with a member's signature.

The attacker holds the list's public key and a text Anne once clearsigned
(never posted here, so no replay digest knows it).  Each post wraps that
signature with content of the attacker's own; each must be refused as not
(wholly) signed, naming what was outside the signature.
"""

from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import SMTP

from mailman.config import config
from mailman.testing.helpers import get_queue_messages, make_testable_runner

from mailman_pgp.runners.command import PGPCommandRunner
from tests.runners.test_incoming import MARKER, PGPListTestCase

ATTACK = 'Wire the money to the account in this message ' + MARKER


class PartlySignedCase(PGPListTestCase):
    def clearsigned(self, text='I agree with the plan.\n') -> str:
        return self.anne.gpg('--clearsign', '--local-user',
                             self.anne.fingerprint,
                             input=text).stdout.decode()

    def stored(self, text: str) -> str:
        """An armored PGP MESSAGE holding only a literal packet."""
        return self.anne.gpg('--store', '--armor',
                             input=text).stdout.decode()

    def attack(self, inner, subject='Hi') -> bytes:
        """``inner`` encrypted (not signed) to the list key, as anyone can.
        """
        data = inner.as_bytes(policy=SMTP)
        armored = self.anne.gpg('--armor', '--encrypt', '--recipient',
                                self.list_key.fingerprint, input=data).stdout
        return self.anne.wrap_encrypted(armored.decode(), 'ant@example.com',
                                        subject)

    def assertPartlySigned(self, raw: bytes, *what):
        self.post(raw)
        self.assertRejected('Only part of the message is signed', *what)
        get_queue_messages('pipeline', expected_count=0)


class TestPartlySigned(PartlySignedCase):
    def test_literal_only_armored_block_beside_a_clearsigned_part(self):
        inner = MIMEMultipart('mixed')
        inner.attach(MIMEText(self.clearsigned()))
        inner.attach(MIMEText(self.stored(ATTACK)))
        self.assertPartlySigned(
            self.attack(inner),
            'the armored message in part 2 (text/plain) carries no '
            'signature')

    def test_free_text_around_a_clearsigned_block(self):
        inner = MIMEText('Dear all,\n\n' + self.clearsigned() + '\n'
                         + ATTACK + '\n')
        self.assertPartlySigned(
            self.attack(inner),
            'the text outside the signed block in part 1 (text/plain)')

    def test_third_part_of_a_nested_multipart_signed(self):
        signed = self.anne._signed_entity('I agree with the plan.\n')
        signed.attach(MIMEText(ATTACK))
        self.assertPartlySigned(
            self.attack(signed), 'part 3 of the multipart/signed message')

    def test_html_around_an_inline_signature(self):
        inner = MIMEText('<p><a href="https://evil.example/">' + ATTACK
                         + '</a></p><pre>\n' + self.clearsigned() + '</pre>',
                         'html')
        self.assertPartlySigned(
            self.attack(inner),
            'part 1 (text/html) is HTML, which no inline signature covers')

    def test_alternative_whose_html_differs_from_the_signed_text(self):
        inner = MIMEMultipart('alternative')
        inner.attach(MIMEText(self.clearsigned()))
        inner.attach(MIMEText('<p>' + ATTACK + '</p>', 'html'))
        self.assertPartlySigned(self.attack(inner), 'part 2 (text/html)')

    def test_unsigned_attachment_beside_a_clearsigned_text(self):
        from email.mime.application import MIMEApplication
        inner = MIMEMultipart('mixed')
        inner.attach(MIMEText(self.clearsigned()))
        attachment = MIMEApplication(ATTACK.encode(), 'pdf')
        attachment.add_header('Content-Disposition', 'attachment',
                              filename='invoice.pdf')
        inner.attach(attachment)
        self.assertPartlySigned(
            self.attack(inner),
            'part 2 (application/pdf, "invoice.pdf") is not signed')

    def test_comment_armor_header_in_the_signature(self):
        # Armor header lines are shown to members and covered by nothing.
        text = self.clearsigned().replace(
            '-----BEGIN PGP SIGNATURE-----\n',
            '-----BEGIN PGP SIGNATURE-----\nComment: ' + ATTACK + '\n')
        self.assertPartlySigned(self.attack(MIMEText(text)),
                                'armor header lines (Comment)')

    def test_unsigned_post_accepted_lists_still_deliver_it_as_unsigned(self):
        # With unsigned posts allowed, a partly signed post goes on, but
        # never with its signatures counted (nothing stored as seen).
        from mailman.interfaces.action import Action
        self.set(unsigned_msg_action=Action.defer)
        inner = MIMEText('Dear all,\n\n' + self.clearsigned() + ATTACK)
        self.post(self.attack(inner))
        item = self.assertAccepted()
        self.assertNotIn('pgp_sig_hashes', item.msgdata)
        self.assertTrue(item.msgdata['pgp']['unsigned_parts'])


class TestWhollySigned(PartlySignedCase):
    def test_clearsigned_text_inside_pgp_mime_is_inline_and_accepted(self):
        self.post(self.attack(MIMEText(self.clearsigned())))
        item = self.assertAccepted()
        self.assertEqual(item.msgdata['pgp']['signed'], 'inline')
        self.assertEqual(item.msgdata['pgp']['unsigned_parts'], [])
        self.assertEqual([s['status'] for s in item.msgdata['pgp'][
            'signatures']], ['good'])

    def test_inline_signed_inside_pgp_mime_meets_inline_pgp_action(self):
        from mailman.interfaces.action import Action
        self.set(inline_pgp_action=Action.hold)
        self.post(self.attack(MIMEText(self.clearsigned())))
        self.assertHeld('signed with inline PGP')

    def test_inline_accept_still_checks_the_signature(self):
        # "accept inline PGP" allows the form, not a forged signature.
        from mailman.interfaces.action import Action
        self.set(inline_pgp_action=Action.accept)
        text = self.clearsigned().replace('I agree', 'I disagree')
        for raw in (self.attack(MIMEText(text)), self.inline_attack(text)):
            self.post(raw)
            self.assertRejected('does not verify')
            get_queue_messages('virgin')

    def inline_attack(self, text: str) -> bytes:
        """``text`` encrypted inline (armor in the body) to the list key."""
        armored = self.anne.gpg('--armor', '--encrypt', '--recipient',
                                self.list_key.fingerprint,
                                input=text).stdout.decode()
        return self.anne.plain_mail('ant@example.com', 'Hi', armored)


class TestPartlySignedCommands(PartlySignedCase):
    def test_partly_signed_command_mail_is_not_read(self):
        # Anne's old signature does not make Eve's commands (and the reply
        # quoting them) Anne's.
        inner = MIMEText('who\n\n' + self.clearsigned())
        raw = self.attack(inner).replace(
            b'To: ant@example.com', b'To: ant-request@example.com')
        import email
        from mailman.email.message import Message
        msg = email.message_from_bytes(raw, Message)
        config.switchboards['command'].enqueue(
            msg, listid=self.mlist.list_id, subaddress='request')
        make_testable_runner(PGPCommandRunner, 'command').run()
        reply = get_queue_messages('virgin', expected_count=1)[0]
        self.assertIn('Nothing was done', reply.msg.as_string())
