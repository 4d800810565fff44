"""key change, revoke, sign, receive, and replayed commands, driven by gpg."""

from mailman.database.transaction import transaction
from mailman.interfaces.member import MemberRole
from mailman.interfaces.subscriptions import ISubscriptionManager

from mailman_pgp.keystore import key_store
from mailman_pgp.model import PGPAddress, PGPMailingList
from mailman_pgp.pgp import Key, armor, dearmor
from mailman_pgp.pgp import packets as P
from mailman_pgp.testing.conversation import (
    outbox, pick, plain_text, results_text, send_command, statement_in,
    token_of)
from mailman_pgp.testing.gpg import Subscriber
from mailman_pgp.testing.members import add_pgp_member
from tests.workflows.test_subscription import KeyConversation


class MemberTestCase(KeyConversation):
    """Anne is a member with a confirmed key."""

    def setUp(self):
        super().setUp()
        with transaction():
            add_pgp_member(self.mlist, self.anne)
        outbox()

    def signed_command(self, subject, body, who=None, attach=''):
        """A command mail signed (and encrypted) with ``who``'s key; the
        command is the first line of the signed text, as it must be."""
        who = who or self.anne
        return who.encrypted_mail('ant-request@example.com', subject,
                                  subject + '\n' + body + '\n' + attach,
                                  self.list_key.fingerprint)


class TestKeyChange(MemberTestCase):
    def change(self, workflow):
        with transaction():
            PGPMailingList.for_list(self.mlist).key_change_workflow = workflow
        new = Subscriber('anne@example.com', 'Anne')
        self.addCleanup(new.close)
        new.import_key(self.list_key.public_armor())
        send_command(self.mlist, self.signed_command(
            'key change', 'My new key.', attach=new.public_key()))
        items = outbox()
        self.assertIn('Key change request received',
                      results_text(items, self.anne.email))
        # The proof request is encrypted to the NEW key.
        request = pick(items, to=self.anne.email, subject='key confirm')
        decrypted = new.decrypt(request.msg.as_bytes())
        self.assertTrue(decrypted.ok)
        self.assertFalse(self.anne.decrypt(request.msg.as_bytes()).ok)
        statement = statement_in(decrypted.plaintext)
        body = new.gpg('--clearsign', input=statement).stdout.decode()
        send_command(self.mlist, new.plain_mail(
            'ant-request@example.com', 'Re: key confirm ' + token_of(request),
            body))
        return new, outbox()

    def test_change_without_moderation(self):
        new, items = self.change('pgp-key-change-workflow')
        self.assertIn('Key changed to ' + new.fingerprint,
                      results_text(items, self.anne.email))
        address = PGPAddress.for_email(self.anne.email)
        self.assertEqual(address.key_fingerprint, new.fingerprint)
        self.assertTrue(address.key_confirmed)

    def test_change_with_moderation(self):
        new, items = self.change('pgp-key-change-mod-workflow')
        self.assertIn('a moderator now approves the change',
                      results_text(items, self.anne.email))
        self.assertEqual(PGPAddress.for_email(
            self.anne.email).key_fingerprint, self.anne.fingerprint)
        notice = pick(items, to='ant-owner@example.com')
        text = plain_text(notice.msg)
        self.assertIn(new.fingerprint, text)
        token = text.split('confirm ')[1].split()[0]
        ISubscriptionManager(self.mlist).confirm(token)
        self.assertEqual(PGPAddress.for_email(
            self.anne.email).key_fingerprint, new.fingerprint)

    def test_change_must_be_signed_with_current_key(self):
        new = Subscriber('anne@example.com', 'Anne')
        self.addCleanup(new.close)
        send_command(self.mlist, self.anne.plain_mail(
            'ant-request@example.com', 'key change', new.public_key()))
        self.assertIn('Sign the key change request with your current key',
                      results_text(outbox(), self.anne.email))

    def test_key_attached_outside_the_signature_refused(self):
        # Eve holds a text Anne clearsigned once and attaches her own key
        # beside it: were the attachment accepted, Eve would then prove
        # possession of "Anne's new key" and take over her address.
        from email.mime.application import MIMEApplication
        from email.mime.multipart import MIMEMultipart
        from email.mime.text import MIMEText
        from email.policy import SMTP
        eve = Subscriber('eve@example.com', 'Eve')
        self.addCleanup(eve.close)
        inner = MIMEMultipart('mixed')
        inner.attach(MIMEText(self.anne.gpg(
            '--clearsign', input='My new key.\n').stdout.decode()))
        inner.attach(MIMEApplication(eve.public_key(), 'pgp-keys'))
        eve.import_key(self.list_key.public_armor())
        armored = eve.gpg('--armor', '--encrypt', '--recipient',
                          self.list_key.fingerprint,
                          input=inner.as_bytes(policy=SMTP)).stdout.decode()
        send_command(self.mlist, self.anne.wrap_encrypted(
            armored, 'ant-request@example.com', 'key change'))
        text = results_text(outbox(), self.anne.email)
        self.assertIn('Part of the mail is not signed (part 2 '
                      '(application/pgp-keys) is not signed)', text)
        self.assertNotIn('Key change request received', text)

    def test_replayed_command_refused(self):
        new = Subscriber('anne@example.com', 'Anne')
        self.addCleanup(new.close)
        raw = self.signed_command('key change', 'New.',
                                  attach=new.public_key())
        send_command(self.mlist, raw)
        outbox()
        send_command(self.mlist, raw)
        self.assertIn('already used once',
                      results_text(outbox(), self.anne.email))


class TestKeyRevoke(MemberTestCase):
    def test_whole_key_revoked(self):
        certificate = self.anne_revocation()
        send_command(self.mlist, self.anne.plain_mail(
            'ant-request@example.com', 'key revoke', certificate))
        items = outbox()
        self.assertIn('revoked.  The list no longer sends you posts',
                      results_text(items, self.anne.email))
        self.assertFalse(PGPAddress.for_email(self.anne.email).key_confirmed)
        # A new key is requested, as at subscription.
        request = pick(items, to=self.anne.email, subject='key set')
        self.assertIn('was revoked', plain_text(request.msg))

    def anne_revocation(self):
        # A throwaway subscriber stands in for Anne so the class key stays
        # usable for the other tests.
        self.anne = Subscriber('anne@example.com', 'Anne')
        self.addCleanup(self.anne.close)
        with transaction():
            from mailman_pgp.testing.members import set_confirmed_key
            set_confirmed_key(self.anne.email, self.anne.public_key())
        return self.anne.revoke()

    def test_encryption_subkey_only(self):
        self.anne = Subscriber('anne@example.com', 'Anne')
        self.addCleanup(self.anne.close)
        self.anne.gpg('--quick-add-key', self.anne.fingerprint, 'cv25519',
                      'encr')
        with transaction():
            from mailman_pgp.testing.members import set_confirmed_key
            set_confirmed_key(self.anne.email, self.anne.public_key())
        # Revoke the first encryption subkey; the second one remains.  The
        # certificate is that one revocation signature, as its own block.
        self.anne.gpg('--command-fd', '0', '--edit-key', self.anne.fingerprint,
                      input='key 1\nrevkey\ny\n0\n\ny\nsave\n')
        exported = dearmor(self.anne.public_key())
        certificate, = [packet.raw for packet in P.iter_packets(exported)
                        if packet.tag == P.SIGNATURE
                        and packet.body[1] == 0x28]
        send_command(self.mlist, self.anne.plain_mail(
            'ant-request@example.com', 'key revoke',
            armor(certificate, 'PUBLIC KEY BLOCK')))
        text = results_text(outbox(), self.anne.email)
        self.assertIn('Key updated: the revoked parts of', text)
        address = PGPAddress.for_email(self.anne.email)
        self.assertTrue(address.key_confirmed)
        stored = key_store().address_key(self.anne.email)
        self.assertTrue(stored.usability().can_encrypt)
        self.assertIn(certificate, dearmor(stored.public_armor()))

    def test_update_cannot_undo_a_revocation(self):
        self.anne = Subscriber('anne@example.com', 'Anne')
        self.addCleanup(self.anne.close)
        self.anne.gpg('--quick-add-key', self.anne.fingerprint, 'cv25519',
                      'encr')
        self.anne.import_key(self.list_key.public_armor())
        with transaction():
            from mailman_pgp.testing.members import set_confirmed_key
            set_confirmed_key(self.anne.email, self.anne.public_key())
        before = self.anne.public_key()
        self.anne.gpg('--command-fd', '0', '--edit-key', self.anne.fingerprint,
                      input='key 1\nrevkey\ny\n0\n\ny\nsave\n')
        certificate, = [packet.raw for packet in P.iter_packets(
            dearmor(self.anne.public_key())) if packet.tag == P.SIGNATURE
            and packet.body[1] == 0x28]
        send_command(self.mlist, self.anne.plain_mail(
            'ant-request@example.com', 'key revoke',
            armor(certificate, 'PUBLIC KEY BLOCK')))
        self.assertIn('Key updated', results_text(outbox(), self.anne.email))
        # The old export, without the revocation, signed with the key.
        send_command(self.mlist, self.signed_command(
            'key change', 'Same key.', attach=before))
        self.assertIn('it lacks the revocation of subkey',
                      results_text(outbox(), self.anne.email))
        stored = key_store().address_key(self.anne.email)
        self.assertIn(certificate, dearmor(stored.public_armor()))

    def test_no_certificate(self):
        send_command(self.mlist, self.anne.plain_mail(
            'ant-request@example.com', 'key revoke', 'nothing'))
        self.assertIn('No revocation certificate attached',
                      results_text(outbox(), self.anne.email))


class TestKeySignAndReceive(MemberTestCase):
    def certified_list_key(self, who):
        who.import_key(self.list_key.public_armor())
        who.gpg('--quick-sign-key', self.list_key.fingerprint)
        return who.gpg('--armor', '--export',
                       self.list_key.fingerprint).stdout.decode()

    def test_allowed_signer(self):
        with transaction():
            self.mlist.subscribe(
                self.mlist.regular_members.get_member(
                    self.anne.email).address, MemberRole.owner)
        send_command(self.mlist, self.anne.plain_mail(
            'ant-request@example.com', 'key sign',
            self.certified_list_key(self.anne)))
        self.assertIn('List key updated with your certification',
                      results_text(outbox(), self.anne.email))
        stored = key_store().list_key(self.mlist.list_id)
        self.assertTrue(stored.is_private)
        exported = self.anne.gpg('--with-colons', '--check-sigs',
                                 self.list_key.fingerprint)
        self.assertIn(self.anne.fingerprint[-16:],
                      exported.stdout.decode())

    def test_member_not_allowed(self):
        send_command(self.mlist, self.anne.plain_mail(
            'ant-request@example.com', 'key sign',
            self.certified_list_key(self.anne)))
        self.assertIn('You are not allowed to certify the list key',
                      results_text(outbox(), self.anne.email))

    def test_receive_by_non_member(self):
        carol = Subscriber('carol@example.com', 'Carol')
        self.addCleanup(carol.close)
        send_command(self.mlist, carol.plain_mail(
            'ant-request@example.com', 'key receive', ''))
        items = outbox()
        self.assertIn('Key sent', results_text(items, carol.email))
        sent = pick(items, to=carol.email, subject='ant@example.com public')
        fingerprint = carol.import_key(sent.msg.as_string())
        self.assertEqual(fingerprint, self.list_key.fingerprint)
        self.assertFalse(Key.load(self.list_key.public_armor()).is_private)

    def test_encrypted_receive_answered(self):
        send_command(self.mlist, self.signed_command('key receive', ''))
        self.assertIn('Key sent', results_text(outbox(), self.anne.email))

    def test_no_subcommand(self):
        send_command(self.mlist, self.anne.plain_mail(
            'ant-request@example.com', 'key', ''))
        self.assertIn('No sub-command specified, must be one of: set, '
                      'confirm, change, revoke, sign, receive',
                      results_text(outbox(), self.anne.email))


class TestKeyUpdate(MemberTestCase):
    def test_new_expiry_date(self):
        self.anne = Subscriber('anne@example.com', 'Anne', expire='10d')
        self.addCleanup(self.anne.close)
        self.anne.import_key(self.list_key.public_armor())
        with transaction():
            from mailman_pgp.testing.members import set_confirmed_key
            set_confirmed_key(self.anne.email, self.anne.public_key())
        self.anne.gpg('--quick-set-expire', self.anne.fingerprint, '2y')
        self.anne.gpg('--quick-set-expire', self.anne.fingerprint, '2y', '*')
        send_command(self.mlist, self.signed_command(
            'key change', 'Extended.', attach=self.anne.public_key()))
        text = results_text(outbox(), self.anne.email)
        self.assertIn('Key {} updated; it now expires on'.format(
            self.anne.fingerprint), text)
        stored = key_store().address_key(self.anne.email)
        self.assertGreater((stored.expires_at - stored.created).days, 300)
        self.assertTrue(PGPAddress.for_email(self.anne.email).key_confirmed)
