"""What members receive is what was verified (issue #22, classes 2 and 4).

Eve holds the list's public key and one text Anne clearsigned elsewhere.
Each post below wraps that text so that Python's email package (which the
checks read) sees Anne's signed text alone, while members' programs, which
read the delivered bytes, would see Eve's words too.  Each must be refused
with the reason named, or delivered without what no signature covers.
"""

import base64
import quopri

from mailman.testing.helpers import get_queue_messages

from mailman_pgp.pgp._email import canonical
from tests.runners.test_incoming import MARKER
from tests.runners.test_partly_signed import ATTACK, PartlySignedCase


def _crlf(text: str) -> bytes:
    return text.replace('\r\n', '\n').encode()


class VerifiedCase(PartlySignedCase):
    def attack_bytes(self, data: bytes) -> bytes:
        """The MIME entity ``data`` (bytes exactly as given) encrypted,
        not signed, to the list key."""
        armored = self.anne.gpg('--armor', '--encrypt', '--recipient',
                                self.list_key.fingerprint, input=data).stdout
        return self.anne.wrap_encrypted(armored.decode(), 'ant@example.com',
                                        'Hi')

    def gpg_verify(self, signature: bytes, data: bytes) -> str:
        """gpg's status output for a detached signature over data."""
        import tempfile
        from pathlib import Path
        with tempfile.TemporaryDirectory() as tmp:
            sig, signed = Path(tmp, 'sig.asc'), Path(tmp, 'data')
            sig.write_bytes(signature)
            signed.write_bytes(data)
            return self.anne.gpg('--status-fd', '1', '--verify', str(sig),
                                 str(signed), check=False).stdout.decode()

    def assertAmbiguous(self, raw: bytes, *what):
        self.post(raw)
        self.assertRejected('cannot be read one way only', *what)
        get_queue_messages('pipeline', expected_count=0)

    def delivered(self, raw: bytes):
        """The accepted post as it goes on down the pipeline."""
        self.post(raw)
        item = self.assertAccepted()
        self.assertEqual([s['status'] for s in item.msgdata['pgp'][
            'signatures']], ['good'])
        return item.msg


class TestStrictDecoding(VerifiedCase):
    """Class 2: the checks and members' programs decode differently."""

    def test_quoted_printable_equals_bare_cr(self):
        # Python drops "=<CR>" and the rest of its line; written out again
        # the CR is a line break, and every member reads Eve's line.
        signed = quopri.encodestring(self.clearsigned().encode())
        body = signed + b'=\r' + ATTACK.encode() + b'\n'
        entity = (b'Content-Type: text/plain; charset="us-ascii"\n'
                  b'Content-Transfer-Encoding: quoted-printable\n\n' + body)
        self.assertAmbiguous(self.attack_bytes(entity),
                             'bare carriage return')

    def test_base64_data_after_the_padding(self):
        # Python stops at the first padded group; other decoders go on.
        signed = self.clearsigned().encode()
        if len(signed) % 3 == 0:
            signed += b'\n'
        body = (base64.encodebytes(signed)
                + base64.encodebytes(b'\n' + ATTACK.encode() + b'\n'))
        entity = (b'Content-Type: text/plain; charset="us-ascii"\n'
                  b'Content-Transfer-Encoding: base64\n\n' + body)
        self.assertAmbiguous(self.attack_bytes(entity),
                             'base64 goes on after the padding')

    def test_duplicate_content_type(self):
        # Python takes the first Content-Type (boundary A: Anne's text
        # alone); a reader taking the last (boundary B) shows Eve's part,
        # which Python files under A's preamble.
        entity = _crlf(
            'Content-Type: multipart/mixed; boundary="AAA"\n'
            'Content-Type: multipart/mixed; boundary="BBB"\n\n'
            '--BBB\nContent-Type: text/plain\n\n' + ATTACK + '\n'
            '--BBB--\n'
            '--AAA\nContent-Type: text/plain\n\n' + self.clearsigned()
            + '--AAA--\n')
        self.assertAmbiguous(self.attack_bytes(entity),
                             '2 content-type headers')

    def test_duplicate_from(self):
        # Mailman checks the first From (Anne's key); mail programs that
        # show the last one would credit Anne's words to someone else.
        from email.mime.text import MIMEText
        raw = self.attack(MIMEText(self.clearsigned())).replace(
            b'From: Anne <anne@example.com>\n',
            b'From: Anne <anne@example.com>\n'
            b'From: The Treasurer <treasurer@example.com>\n', 1)
        self.assertAmbiguous(raw, '2 from headers')

    def test_8bit_in_a_7bit_part(self):
        text = self.clearsigned()
        entity = (b'Content-Type: text/plain; charset="us-ascii"\n'
                  b'Content-Transfer-Encoding: 7bit\n\n' + text.encode()
                  + b'\xa0\n')
        self.assertAmbiguous(self.attack_bytes(entity),
                             'declares 7bit but holds 8-bit bytes')

    def test_quoted_printable_invalid_escape(self):
        entity = (b'Content-Type: text/plain; charset="us-ascii"\n'
                  b'Content-Transfer-Encoding: quoted-printable\n\n'
                  + quopri.encodestring(self.clearsigned().encode())
                  + b'=4G' + ATTACK.encode() + b'\n')
        self.assertAmbiguous(self.attack_bytes(entity),
                             'starts no valid escape')


class TestOutsideTheLeaves(VerifiedCase):
    """Class 4: what members see besides the signed leaves."""

    def test_embedded_message_headers_are_not_signed(self):
        from email.mime.message import MIMEMessage
        from email.mime.multipart import MIMEMultipart
        from email.mime.text import MIMEText
        forwarded = MIMEText(self.clearsigned())
        forwarded['From'] = 'The Treasurer <treasurer@example.com>'
        forwarded['Subject'] = ATTACK
        inner = MIMEMultipart('mixed')
        inner.attach(MIMEText(self.clearsigned()))
        inner.attach(MIMEMessage(forwarded))
        self.assertPartlySigned(
            self.attack(inner),
            'the headers (From, Subject) of the attached message')

    def test_preamble_and_epilogue_are_not_delivered(self):
        from email.mime.multipart import MIMEMultipart
        from email.mime.text import MIMEText
        inner = MIMEMultipart('mixed')
        inner.preamble = ATTACK
        inner.epilogue = ATTACK
        inner.attach(MIMEText(self.clearsigned()))
        with self.assertLogs('mailman.plugins.pgp', 'INFO') as logs:
            msg = self.delivered(self.attack(inner))
        self.assertNotIn(MARKER, msg.as_string())
        self.assertIn('I agree with the plan.', msg.as_string())
        # Named in plugins.log, without the text itself.
        [line] = [line for line in logs.output if 'not delivered' in line]
        self.assertIn('the preamble of the message', line)
        self.assertIn('the epilogue of the message', line)
        self.assertNotIn(MARKER, line)

    def test_file_name_and_description_are_not_delivered(self):
        from email.mime.text import MIMEText
        inner = MIMEText(self.clearsigned())
        inner.add_header('Content-Disposition', 'attachment',
                         filename=MARKER + '.txt')
        inner['Content-Description'] = ATTACK
        msg = self.delivered(self.attack(inner))
        self.assertNotIn(MARKER, msg.as_string())
        self.assertIsNone(msg.get_filename())

    def test_uncovered_reply_to_is_not_delivered(self):
        # Replies to Anne's signed words would go to Eve.
        from email.mime.text import MIMEText
        raw = (b'Reply-To: Eve <eve@example.net>\nOrganization: '
               + ATTACK.encode() + b'\n'
               + self.attack(MIMEText(self.clearsigned())))
        msg = self.delivered(raw)
        self.assertIsNone(msg['reply-to'])
        self.assertNotIn(MARKER, msg.as_string())

    def test_format_flowed_does_not_join_signed_lines(self):
        # The signature ignores trailing spaces; format=flowed; delsp=yes
        # turns "1 " + "000" into "1000" in every member's reader.
        from email.mime.text import MIMEText
        text = self.clearsigned('The fee is 1\n000 cents, no more.\n')
        text = text.replace('The fee is 1\n', 'The fee is 1 \n')
        inner = MIMEText(text)
        inner.set_param('format', 'flowed')
        inner.set_param('delsp', 'yes')
        msg = self.delivered(self.attack(inner))
        for part in msg.walk():
            self.assertIsNone(part.get_param('format'))
            self.assertIsNone(part.get_param('delsp'))

    def test_multipart_signed_extras_are_not_delivered(self):
        # Nested form: the signed part travels as the exact signed bytes,
        # with a fresh signature part; preamble, epilogue and the
        # signature's file name and description are Eve's, and dropped.
        signed = self.anne._signed_entity('I agree with the plan.\n')
        signed.preamble = ATTACK
        signed.epilogue = ATTACK
        signature = signed.get_payload()[1]
        signature.set_param('name', MARKER + '.asc')
        signature['Content-Description'] = ATTACK
        original = canonical(signed.get_payload()[0])
        msg = self.delivered(self.attack(signed))
        self.assertNotIn(MARKER, msg.as_string())
        self.assertEqual(msg.get_content_type(), 'multipart/signed')
        self.assertEqual(canonical(msg.get_payload()[0]), original)
        # Members' gpg still verifies Anne's signature on the copy.
        sig = msg.get_payload()[1].get_payload(decode=True)
        self.assertIn('GOODSIG', self.gpg_verify(sig, original))

    def test_wholly_signed_post_is_delivered_as_signed(self):
        from email.mime.text import MIMEText
        text = self.clearsigned()
        msg = self.delivered(self.attack(MIMEText(text)))
        self.assertEqual(msg.get_payload(decode=True).decode(), text)
        get_queue_messages('virgin', expected_count=0)


class TestApprovedHeldPost(VerifiedCase):
    def test_approval_delivers_only_what_was_signed(self):
        # Held (stored encrypted), then approved: decrypted again, and
        # members still get only what the signature covers.
        from email.mime.multipart import MIMEMultipart
        from email.mime.text import MIMEText
        from mailman.app.moderator import handle_message
        from mailman.database.transaction import transaction
        from mailman.interfaces.action import Action
        from mailman.interfaces.requests import IListRequests
        from mailman.runners.pipeline import PipelineRunner
        from mailman.testing.helpers import make_testable_runner
        self.set(inline_pgp_action=Action.hold)
        inner = MIMEMultipart('mixed')
        inner.preamble = ATTACK
        part = MIMEText(self.clearsigned())
        part.add_header('Content-Disposition', 'attachment',
                        filename=MARKER + '.txt')
        inner.attach(part)
        self.post(self.attack(inner))
        self.assertHeld('signed with inline PGP')
        get_queue_messages('virgin')
        [held] = IListRequests(self.mlist).held_requests
        with transaction():
            handle_message(self.mlist, held.id, Action.accept)
        make_testable_runner(PipelineRunner, 'pipeline').run()
        out = get_queue_messages('out', expected_count=1)[0].msg
        self.assertIn('I agree with the plan.', out.as_string())
        self.assertNotIn(MARKER, out.as_string())
