"""What one signed key request is (issue 22, class 1, second round).

Anne's signature covers bytes; it does not make every line in them her
request.  Eve has texts Anne signed for other people: a reply in a thread
Eve named "key change", a forward of Eve's own mail (inline or as an
attachment), two separate clearsigned notes.  Each holds the words "key
change" and Eve's key somewhere inside Anne's signature, and each took over
Anne's key on main.  A request counts only when one signed entity *starts*
with the command (its first text line, or its own signed Subject exactly,
without "Re:") and carries the key itself (not in an embedded message).
"""

from email.encoders import encode_7or8bit
from email.message import Message
from email.mime.application import MIMEApplication
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import SMTP

from tests.workflows.test_key_takeover import (
    REQUEST, TakeoverTestCase, TestLegitimateChanges)

UNSIGNED = 'The command "key change" does not start the text you signed'


class ScopeTestCase(TakeoverTestCase):
    def setUp(self):
        super().setUp()
        self.workflow('pgp-key-change-workflow')

    def evess_mail(self) -> Message:
        """Eve's own mail, as Anne received it: "key change" and her key."""
        mail = MIMEText('key change\n' + self.eve.public_key())
        mail['From'] = 'Eve <eve@example.org>'
        mail['To'] = 'anne@example.com'
        mail['Subject'] = 'key change'
        return mail

    def annes_pgp_mime(self, entity: Message, subject: str) -> bytes:
        """Anne's PGP/MIME signed mail around ``entity`` (sent to Eve or to
        another list); Eve resends it From: Anne to -request."""
        data = entity.as_bytes(policy=SMTP)
        signature = self.anne.gpg('--armor', '--detach-sign', '--local-user',
                                  self.anne.fingerprint, input=data).stdout
        signed = MIMEMultipart('signed',
                               protocol='application/pgp-signature',
                               micalg='pgp-sha512')
        signed.attach(entity)
        signed.attach(MIMEApplication(signature.decode('ascii'),
                                      'pgp-signature',
                                      _encoder=encode_7or8bit))
        return self.anne._outer(REQUEST, subject, None, signed)


class TestReplyInEvesThread(ScopeTestCase):
    def test_signed_reply_with_evess_key(self):
        # Eve asked Anne, Subject "key change", to certify her new key.
        # Anne's mail program answers "Re: key change" with the certified
        # key attached, signed and encrypted (the Subject protected inside
        # the signature).  Eve decrypts it and encrypts the same signed
        # message to the list key.
        reply = self.anne.encrypted_mail(
            REQUEST, 'Re: key change',
            'Done, your key with my certification:\n\n'
            + self.eve.public_key(), self.list_key.fingerprint,
            protect_subject=True)
        text = self.attempt(reply)
        self.assertIn(UNSIGNED, text)


class TestForwards(ScopeTestCase):
    def test_forwarded_inline(self):
        # Anne forwarded Eve's mail inline (as Thunderbird does), signed.
        body = ('-------- Forwarded Message --------\n'
                'Subject: \tkey change\n'
                'From: \tEve <eve@example.org>\n\n'
                'key change\n' + self.eve.public_key())
        text = self.attempt(self.annes_pgp_mime(MIMEText(body),
                                                'key change'))
        self.assertIn(UNSIGNED, text)

    def test_forwarded_inline_clearsigned(self):
        body = ('----- Forwarded message from Eve <eve@example.org> -----\n'
                '\nkey change\n' + self.eve.public_key())
        text = self.attempt(self.as_eve(self.annes_old_text(body),
                                        autocrypt=False))
        self.assertIn(UNSIGNED, text)

    def test_clearsigned_source_of_evess_mail(self):
        # Anne clearsigned the source of Eve's mail (to report it, say): a
        # text that starts with header lines.  It is text, not a MIME
        # message whose Subject would be "key change".
        source = self.evess_mail().as_string()
        text = self.attempt(self.as_eve(self.annes_old_text(source),
                                        autocrypt=False))
        self.assertIn(UNSIGNED, text)

    def test_forwarded_as_attachment(self):
        # "Forward as attachment": Anne's note, then Eve's whole mail as
        # message/rfc822, all signed by Anne.
        entity = MIMEMultipart('mixed')
        entity.attach(MIMEText('FYI, see the attached mail from Eve.\n'))
        entity.attach(MIMEMessage(self.evess_mail()))
        text = self.attempt(self.annes_pgp_mime(entity, 'key change'))
        self.assertIn('No key is inside the text you signed', text)

    def test_forwarded_as_attachment_without_a_note(self):
        entity = MIMEMultipart('mixed')
        entity.attach(MIMEMessage(self.evess_mail()))
        text = self.attempt(self.annes_pgp_mime(entity, 'key change'))
        self.assertIn('No key is inside the text you signed', text)


class TestTwoSignedNotes(ScopeTestCase):
    """Two texts Anne clearsigned at different times, each refused alone
    (test_key_takeover.py), as two parts of one mail: the command from one,
    the key from the other."""

    def mail(self, encrypt=False) -> bytes:
        command = self.annes_old_text(
            'key change\nMy new key is in the header.\n')
        note = self.annes_old_text(
            'I met Eve today; this is her key:\n\n' + self.eve.public_key())
        entity = MIMEMultipart('mixed')
        entity.attach(MIMEText(command))
        entity.attach(MIMEText(note))
        if not encrypt:
            return self.anne._outer(REQUEST, 'key change', None, entity)
        armored = self.eve.gpg(
            '--armor', '--encrypt', '--recipient', self.list_key.fingerprint,
            input=entity.as_bytes(policy=SMTP)).stdout.decode()
        return self.anne.wrap_encrypted(armored, REQUEST, 'key change')

    def test_two_parts(self):
        text = self.attempt(self.mail())
        self.assertIn('No key is inside the text you signed', text)

    def test_two_parts_encrypted_to_the_list(self):
        text = self.attempt(self.mail(encrypt=True))
        self.assertIn('No key is inside the text you signed', text)


class TestStillWorking(TestLegitimateChanges):
    """The forms docs/subscriber.rst describes keep working."""

    def test_blank_lines_before_the_command(self):
        text = '\n\nkey change\n' + self.new.public_key()
        signed = self.anne.gpg('--clearsign', '--local-user',
                               self.anne.fingerprint, input=text).stdout
        self.complete(self.anne.plain_mail(REQUEST, 'key change',
                                           signed.decode()))

    def test_command_in_upper_case(self):
        text = 'Key Change\n' + self.new.public_key()
        signed = self.anne.gpg('--clearsign', '--local-user',
                               self.anne.fingerprint, input=text).stdout
        self.complete(self.anne.plain_mail(REQUEST, 'key change',
                                           signed.decode()))


del TestLegitimateChanges, TakeoverTestCase

