"""Subscribing to a PGP list by email, with GnuPG as the subscriber's client.

Each test runs the whole conversation: the subscription request, Mailman's
own confirmation where the policy asks for it, ``key set``, ``key confirm``
and, for moderated policies, the moderator's approval over REST.
"""

import base64
import unittest

from falcon.testing import TestClient
from mailman.app.lifecycle import create_list
from mailman.config import config
from mailman.database.transaction import transaction
from mailman.interfaces.mailinglist import SubscriptionPolicy
from mailman.interfaces.subscriptions import ISubscriptionManager
from mailman.interfaces.usermanager import IUserManager
from mailman.testing.layers import ConfigLayer
from zope.component import getUtility

from mailman_pgp.keystore import key_store
from mailman_pgp.model import PGPAddress
from mailman_pgp.testing.conversation import (
    outbox, pick, plain_text, results_text, send_command, statement_in, token_of)
from mailman_pgp.testing.gpg import Subscriber


class KeyConversation(unittest.TestCase):
    layer = ConfigLayer
    policy = SubscriptionPolicy.confirm

    @classmethod
    def setUpClass(cls):
        cls.anne = Subscriber('anne@example.com', 'Anne')

    @classmethod
    def tearDownClass(cls):
        cls.anne.close()

    def setUp(self):
        with transaction():
            self.mlist = create_list('ant@example.com',
                                     style_name='pgp-default')
            self.mlist.subscription_policy = self.policy
            self.mlist.send_welcome_message = False
            self.mlist.admin_immed_notify = True
        self.list_key = key_store().list_key(self.mlist.list_id)
        self.anne.import_key(self.list_key.public_armor())

    def register(self, who=None):
        who = who or self.anne
        with transaction():
            address = getUtility(IUserManager).create_address(
                who.email, who.name)
            return ISubscriptionManager(self.mlist).register(
                address, pre_verified=True)

    def key_request(self, who=None):
        who = who or self.anne
        item = pick(outbox(), to=who.email, subject='key set')
        # Signed by the list, in clear: the subscriber has no key here yet.
        self.assertEqual(item.msg.get_content_type(), 'multipart/signed')
        self.assertTrue(item.msgdata['pgp_allow_clear'])
        verify = who.gpg('--verify', '-', input=b'', check=False)
        del verify
        return token_of(item)

    def send_key(self, token, who=None, encrypt=True):
        who = who or self.anne
        body = 'Here is my key.\n\n' + who.public_key()
        if encrypt:
            raw = who.encrypted_mail('ant-request@example.com',
                                     'Re: key set ' + token, body,
                                     self.list_key.fingerprint)
        else:
            raw = who.plain_mail('ant-request@example.com',
                                 'Re: key set ' + token, body)
        send_command(self.mlist, raw)

    def proof_request(self, who=None):
        who = who or self.anne
        items = outbox()
        self.assertIn('Key set: ' + who.fingerprint,
                      results_text(items, who.email))
        item = pick(items, to=who.email, subject='key confirm')
        decrypted = who.decrypt(item.msg.as_bytes())
        self.assertTrue(decrypted.ok, decrypted.status)
        self.assertEqual(decrypted.signer, self.list_key.fingerprint)
        return token_of(item), statement_in(decrypted.plaintext)

    def send_proof(self, token, statement, who=None, how='clearsign'):
        who = who or self.anne
        subject = 'Re: key confirm ' + token
        if how == 'clearsign':
            body = who.gpg('--clearsign', input=statement).stdout.decode()
            raw = who.plain_mail('ant-request@example.com', subject, body)
        elif how == 'encrypted':
            raw = who.encrypted_mail('ant-request@example.com', subject,
                                     statement, self.list_key.fingerprint)
        elif how == 'unsigned':
            raw = who.plain_mail('ant-request@example.com', subject,
                                 statement)
        send_command(self.mlist, raw)
        self.sent = outbox()
        return results_text(self.sent, who.email)

    def key_steps(self, how='clearsign'):
        self.send_key(self.key_request())
        token, statement = self.proof_request()
        return self.send_proof(token, statement, how=how)

    def moderator_token(self):
        notice = pick(self.sent, to='ant-owner@example.com')
        text = plain_text(notice.msg)
        self.assertIn(self.anne.fingerprint, text)
        self.assertIn('application/pgp-keys', notice.msg.as_string())
        return text.split('confirm ')[1].split()[0]

    def assertMember(self, who=None):
        from mailman.interfaces.listmanager import IListManager
        who = who or self.anne
        mlist = getUtility(IListManager).get_by_list_id('ant.example.com')
        self.assertIsNotNone(mlist.regular_members.get_member(who.email))
        pgp_address = PGPAddress.for_email(who.email)
        self.assertTrue(pgp_address.key_confirmed)
        self.assertEqual(pgp_address.key_fingerprint, who.fingerprint)

    def rest_accept(self, token):
        from mailman.rest.wsgiapp import make_application
        auth = 'Basic ' + base64.b64encode('{}:{}'.format(
            config.webservice.admin_user,
            config.webservice.admin_pass).encode()).decode()
        app = make_application()
        client = TestClient(lambda e, s: app(e, s),
                            headers={'Authorization': auth})
        response = client.simulate_post(
            '/3.1/lists/ant.example.com/requests/' + token,
            params={'action': 'accept'})
        self.assertEqual(response.status_code, 204, response.text)


class TestOpenPolicy(KeyConversation):
    policy = SubscriptionPolicy.open

    def test_open(self):
        token, owner, member = self.register()
        self.assertIsNone(member)               # not before the key
        reply = self.key_steps()
        self.assertIn('Key confirmed: ' + self.anne.fingerprint, reply)
        self.assertIn('You are subscribed to ant@example.com', reply)
        self.assertMember()

    def test_attached_key_no_ignoring_note(self):
        """The key as an attachment (as mail clients send it): the results
        say the key was set, not that its MIME part was ignored."""
        self.register()
        token = self.key_request()
        send_command(self.mlist, self.anne.plain_mail(
            'ant-request@example.com', 'Re: key set ' + token,
            'My key is attached.\n', attachments=(
                ('application/pgp-keys', self.anne.public_key()),)))
        text = results_text(outbox(), self.anne.email)
        self.assertIn('Key set: ' + self.anne.fingerprint, text)
        self.assertNotIn('Ignoring non-text/plain MIME parts', text)

    def test_proof_in_an_encrypted_signed_reply(self):
        self.register()
        reply = self.key_steps(how='encrypted')
        self.assertIn('You are subscribed', reply)
        self.assertMember()


class TestConfirmPolicy(KeyConversation):
    def test_confirm(self):
        token, owner, member = self.register()
        confirmation = pick(outbox(), to=self.anne.email)
        self.assertIn('confirm', str(confirmation.msg['subject']).lower())
        raw = self.anne.plain_mail('ant-request@example.com',
                                   'Re: confirm ' + token, '')
        send_command(self.mlist, raw)
        reply = self.key_steps()
        self.assertIn('You are subscribed', reply)
        self.assertMember()


class TestModeratePolicy(KeyConversation):
    policy = SubscriptionPolicy.moderate

    def test_moderate(self):
        self.register()
        reply = self.key_steps()
        self.assertIn('A moderator will now approve your subscription',
                      reply)
        self.assertIsNone(self.mlist.regular_members.get_member(
            self.anne.email))
        self.rest_accept(self.moderator_token())
        self.assertMember()


class TestConfirmThenModeratePolicy(KeyConversation):
    policy = SubscriptionPolicy.confirm_then_moderate

    def test_confirm_then_moderate(self):
        token, owner, member = self.register()
        raw = self.anne.plain_mail('ant-request@example.com',
                                   'Re: confirm ' + token, '')
        outbox()
        send_command(self.mlist, raw)
        reply = self.key_steps()
        self.assertIn('A moderator will now approve', reply)
        self.rest_accept(self.moderator_token())
        self.assertMember()


class TestRefusals(KeyConversation):
    policy = SubscriptionPolicy.open

    def test_wrong_token(self):
        self.register()
        self.key_request()
        self.send_key('0' * 40)
        self.assertIn('Wrong token', results_text(outbox(), self.anne.email))
        self.assertIsNone(PGPAddress.for_email(
            self.anne.email).key_fingerprint)

    def test_private_key_refused_and_not_stored(self):
        self.register()
        token = self.key_request()
        raw = self.anne.plain_mail('ant-request@example.com',
                                   'Re: key set ' + token,
                                   self.anne.private_key())
        send_command(self.mlist, raw)
        text = results_text(outbox(), self.anne.email)
        self.assertIn('You sent a private key.  It was not stored.', text)
        self.assertNotIn('PRIVATE KEY', text)
        self.assertIsNone(key_store().address_key(self.anne.email))

    def test_two_keys_refused(self):
        other = Subscriber('other@example.com')
        try:
            self.register()
            token = self.key_request()
            raw = self.anne.plain_mail(
                'ant-request@example.com', 'Re: key set ' + token,
                self.anne.public_key() + '\n' + other.public_key())
        finally:
            other.close()
        send_command(self.mlist, raw)
        self.assertIn('More than one key attached',
                      results_text(outbox(), self.anne.email))

    def test_no_key(self):
        self.register()
        token = self.key_request()
        send_command(self.mlist, self.anne.plain_mail(
            'ant-request@example.com', 'Re: key set ' + token, 'oops'))
        self.assertIn('No key attached',
                      results_text(outbox(), self.anne.email))

    def test_unsigned_statement(self):
        self.register()
        self.send_key(self.key_request())
        token, statement = self.proof_request()
        reply = self.send_proof(token, statement, how='unsigned')
        self.assertIn('The reply is not signed', reply)
        self.assertFalse(PGPAddress.for_email(
            self.anne.email).key_confirmed)

    def test_statement_signed_by_another_key(self):
        self.register()
        self.send_key(self.key_request())
        token, statement = self.proof_request()
        other = Subscriber('anne@example.com', 'Mallory')
        try:
            reply = self.send_proof(token, statement, who=other)
        finally:
            other.close()
        self.assertIn('does not verify with the key', reply)
        self.assertFalse(PGPAddress.for_email(
            self.anne.email).key_confirmed)

    def test_wrong_statement(self):
        self.register()
        self.send_key(self.key_request())
        token, statement = self.proof_request()
        reply = self.send_proof(token, statement.replace('mine', 'yours'))
        self.assertIn("doesn't contain the expected statement", reply)

    def test_confirm_command_cannot_skip_the_key(self):
        self.register()
        token = self.key_request()
        send_command(self.mlist, self.anne.plain_mail(
            'ant-request@example.com', 'Re: confirm ' + token, ''))
        self.assertIn('Confirmation token did not match',
                      results_text(outbox(), self.anne.email))
        self.assertIsNone(self.mlist.regular_members.get_member(
            self.anne.email))


class TestJoinByEmail(KeyConversation):
    policy = SubscriptionPolicy.confirm

    def test_join_then_keys(self):
        # `join` by email starts the same PGP workflow as REST.
        send_command(self.mlist, self.anne.plain_mail(
            'ant-request@example.com', 'join', ''))
        items = outbox()
        confirmation = pick(items, to=self.anne.email,
                            subject='Your confirmation is needed')
        token = plain_text(confirmation.msg).split('confirm ')[1].split()[0]
        send_command(self.mlist, self.anne.plain_mail(
            'ant-request@example.com', 'Re: confirm ' + token, ''))
        reply = self.key_steps()
        self.assertIn('You are subscribed', reply)
        self.assertMember()
