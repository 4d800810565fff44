"""Key commands covered end to end (issue 22, class 1), as Eve tries them.

Eve holds the list's public key and texts Anne signed somewhere else.  She
sends mail From: Anne to the list's -request address.  Each attack is
built as a real mail and goes through the real command runner; when the
list answers, Eve goes on as far as she can (she reads what is encrypted
to her key, a moderator approves what looks like Anne's signed request).
A key command counts only when the command and every key it installs are
inside what the authorising signature covers (test_key_rollback.py: a
stored key is only ever replaced by a copy at least as new).
"""

from mailman.database.transaction import transaction
from mailman.interfaces.subscriptions import ISubscriptionManager

from mailman_pgp.keystore import key_store
from mailman_pgp.model import PGPAddress, PGPMailingList
from mailman_pgp.testing.conversation import (
    outbox, pick, plain_text, results_text, send_command, statement_in,
    token_of)
from mailman_pgp.testing.gpg import Subscriber
from tests.test_clients_e2e import thunderbird_autocrypt
from tests.workflows.test_key_commands import MemberTestCase

REQUEST = 'ant-request@example.com'


def _subjects(items, prefix: str) -> list:
    return [item for item in items
            if str(item.msg['subject']).startswith(prefix)]


class TakeoverTestCase(MemberTestCase):
    """Eve made a key with Anne's address; Anne is a confirmed member."""

    def setUp(self):
        super().setUp()
        self.eve = Subscriber('anne@example.com', 'Eve')
        self.addCleanup(self.eve.close)
        self.eve.import_key(self.list_key.public_armor())

    def workflow(self, name: str) -> None:
        with transaction():
            PGPMailingList.for_list(self.mlist).key_change_workflow = name

    def annes_old_text(self, text='See you all on Friday.\n') -> str:
        """Something Anne clearsigned once, for another audience."""
        return self.anne.gpg('--clearsign', input=text).stdout.decode()

    def as_eve(self, body: str, *, subject='key change',
               autocrypt=True, encrypt=False) -> bytes:
        """Eve's mail From: Anne, her key in the Autocrypt header."""
        if encrypt:
            armored = self.eve.gpg(
                '--armor', '--encrypt', '--recipient',
                self.list_key.fingerprint, input=body).stdout.decode()
            raw = self.anne.wrap_encrypted(armored, REQUEST, subject)
        else:
            raw = self.anne.plain_mail(REQUEST, subject, body)
        return (thunderbird_autocrypt(self.eve) if autocrypt else b'') + raw

    def go_on_as_eve(self, items) -> None:
        """Answer the proof request with Eve's key, approve as a moderator
        would (the request looks signed by Anne): the takeover, if the
        list let it start."""
        for request in _subjects(items, 'key confirm'):
            decrypted = self.eve.decrypt(request.msg.as_bytes())
            if not decrypted.ok:
                continue
            signed = self.eve.gpg('--clearsign', input=statement_in(
                decrypted.plaintext)).stdout.decode()
            send_command(self.mlist, self.eve.plain_mail(
                REQUEST, 'Re: key confirm ' + token_of(request), signed))
            for notice in _subjects(outbox(), 'New key change request'):
                text = plain_text(notice.msg)
                ISubscriptionManager(self.mlist).confirm(
                    text.split('confirm ')[1].split()[0])

    def assert_anne_keeps_her_key(self) -> None:
        address = PGPAddress.for_email(self.anne.email)
        self.assertEqual(address.key_fingerprint, self.anne.fingerprint)
        self.assertEqual(key_store().address_key(self.anne.email)
                         .fingerprint, self.anne.fingerprint)

    def attempt(self, raw: bytes) -> str:
        """Eve's whole attempt; Anne's key must survive it."""
        send_command(self.mlist, raw)
        items = outbox()
        self.go_on_as_eve(items)
        self.assert_anne_keeps_her_key()
        text = results_text(items, self.anne.email)
        self.assertNotIn('Key change request received', text)
        self.assertEqual(_subjects(items, 'key confirm'), [])
        return text


class TestAutocryptHeaderWithAnnesOldText(TakeoverTestCase):
    """The Autocrypt header is covered by no signature: Anne's old text
    as the body proves only that the body is hers."""

    def test_without_moderation(self):
        self.workflow('pgp-key-change-workflow')
        text = self.attempt(self.as_eve(self.annes_old_text()))
        self.assertIn('No key is inside the text you signed', text)

    def test_with_moderation(self):
        self.workflow('pgp-key-change-mod-workflow')
        text = self.attempt(self.as_eve(self.annes_old_text()))
        self.assertIn('No key is inside the text you signed', text)

    def test_encrypted_to_the_list(self):
        self.workflow('pgp-key-change-workflow')
        self.attempt(self.as_eve(self.annes_old_text(), encrypt=True))

    def test_annes_own_signed_change_request(self):
        # Anne once signed "key change" for a client that put her new key
        # in the Autocrypt header; sent elsewhere, never seen here.
        self.workflow('pgp-key-change-workflow')
        text = self.attempt(self.as_eve(self.annes_old_text(
            'key change\nMy new key is in the header.\n')))
        self.assertIn('No key is inside the text you signed', text)


class TestCommandOutsideTheSignature(TakeoverTestCase):
    def test_key_anne_signed_for_something_else(self):
        # At a key signing party Anne clearsigned a note with Eve's key in
        # it.  The Subject says "key change"; the signed text does not.
        self.workflow('pgp-key-change-workflow')
        note = self.annes_old_text(
            'I met Eve today; this is her key:\n\n' + self.eve.public_key())
        text = self.attempt(self.as_eve(note, autocrypt=False))
        self.assertIn('The command "key change" is not inside the text you '
                      'signed', text)

    def test_pgp_mime_note_with_key_inside(self):
        self.workflow('pgp-key-change-workflow')
        signed = self.anne.signed_mail(
            REQUEST, 'key change',
            'Eve\'s key, as promised:\n\n' + self.eve.public_key())
        text = self.attempt(thunderbird_autocrypt(self.eve) + signed)
        self.assertIn('The command "key change" is not inside', text)


class TestLegitimateChanges(MemberTestCase):
    """Anne signs the command and her new key with her current key."""

    def setUp(self):
        super().setUp()
        self.workflow_immediate()
        self.new = Subscriber('anne@example.com', 'Anne')
        self.addCleanup(self.new.close)
        self.new.import_key(self.list_key.public_armor())

    def workflow_immediate(self):
        with transaction():
            PGPMailingList.for_list(self.mlist).key_change_workflow = \
                'pgp-key-change-workflow'

    def complete(self, raw: bytes) -> None:
        send_command(self.mlist, raw)
        items = outbox()
        self.assertIn('Key change request received',
                      results_text(items, self.anne.email))
        request = pick(items, to=self.anne.email, subject='key confirm')
        decrypted = self.new.decrypt(request.msg.as_bytes())
        signed = self.new.gpg('--clearsign', input=statement_in(
            decrypted.plaintext)).stdout.decode()
        send_command(self.mlist, self.new.plain_mail(
            REQUEST, 'Re: key confirm ' + token_of(request), signed))
        self.assertIn('Key changed to ' + self.new.fingerprint,
                      results_text(outbox(), self.anne.email))
        self.assertEqual(PGPAddress.for_email(self.anne.email)
                         .key_fingerprint, self.new.fingerprint)

    def test_clearsigned_command_and_key(self):
        # As docs/subscriber.rst says, with gpg alone.
        text = 'key change\n' + self.new.public_key()
        signed = self.anne.gpg('--clearsign', '--local-user',
                               self.anne.fingerprint, input=text).stdout
        self.complete(self.anne.plain_mail(REQUEST, 'key change',
                                           signed.decode()))

    def test_gpg_sign_encrypt_text_as_the_body(self):
        # docs/subscriber.rst, "Moving to a new key", step 2, literally.
        text = 'key change\n' + self.new.public_key()
        armored = self.anne.gpg(
            '--armor', '--sign', '--encrypt', '--local-user',
            self.anne.fingerprint, '--recipient', self.list_key.fingerprint,
            input=text).stdout.decode()
        self.complete(self.anne.plain_mail(REQUEST, 'key change', armored))

    def test_combined_form_sign_and_encrypt(self):
        self.complete(self.anne.encrypted_mail(
            REQUEST, 'anything', 'key change\n' + self.new.public_key(),
            self.list_key.fingerprint))

    def test_protected_subject(self):
        # Thunderbird: the Subject inside the encryption is signed.
        self.complete(self.anne.encrypted_mail(
            REQUEST, 'key change', 'My new key:\n' + self.new.public_key(),
            self.list_key.fingerprint, protect_subject=True))

    def test_pgp_mime_with_the_key_attached_inside(self):
        from email.encoders import encode_7or8bit
        from email.mime.application import MIMEApplication
        from email.mime.multipart import MIMEMultipart
        from email.mime.text import MIMEText
        from email.policy import SMTP
        inner = MIMEMultipart('mixed')
        inner.attach(MIMEText('key change\n'))
        inner.attach(MIMEApplication(self.new.public_key(), 'pgp-keys'))
        data = inner.as_bytes(policy=SMTP)
        signature = self.anne.gpg('--armor', '--detach-sign', '--local-user',
                                  self.anne.fingerprint, input=data).stdout
        signed = MIMEMultipart('signed',
                               protocol='application/pgp-signature',
                               micalg='pgp-sha512')
        signed.attach(inner)
        signed.attach(MIMEApplication(signature.decode('ascii'),
                                      'pgp-signature',
                                      _encoder=encode_7or8bit))
        ciphertext = self.anne.gpg(
            '--armor', '--encrypt', '--recipient',
            self.list_key.fingerprint,
            input=signed.as_bytes(policy=SMTP)).stdout.decode()
        self.complete(self.anne.wrap_encrypted(ciphertext, REQUEST,
                                               'key change'))
