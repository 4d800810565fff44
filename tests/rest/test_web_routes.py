"""The REST routes the web UI uses: settings, index, key steps, archive."""

import email
import re

from mailman.app.lifecycle import create_list
from mailman.database.transaction import transaction
from mailman.interfaces.mailinglist import SubscriptionPolicy
from mailman.interfaces.subscriptions import ISubscriptionManager
from mailman.testing.layers import ConfigLayer

from mailman_pgp.model import PGPAddress, PGPMailingList
from mailman_pgp.model.list_settings import LIST_SETTINGS
from mailman_pgp.testing.conversation import (
    outbox, pick, statement_in, token_of)
from mailman_pgp.testing.gpg import Subscriber
from mailman_pgp.testing.members import add_pgp_member
from tests.rest.support import call, description
from tests.workflows.test_subscription import KeyConversation


def _fresh(mlist=None):
    """The list again: a REST request ends the session it was loaded in."""
    from mailman.interfaces.listmanager import IListManager
    from zope.component import getUtility
    return getUtility(IListManager).get_by_list_id('ant.example.com')


def _statement(who, step) -> str:
    """Decrypt the web's encrypted statement as the subscriber does."""
    decrypted = who.gpg('--decrypt', input=step['encrypted_statement'])
    return decrypted.stdout.decode('utf-8')


class TestDescriptionAndIndex(KeyConversation):
    layer = ConfigLayer

    def test_settings_description(self):
        result = call('GET', 'settings')
        self.assertEqual(result.status_code, 200)
        self.assertEqual(result.json['groups'],
                         ['signatures', 'encryption', 'delivery', 'keys'])
        entries = {e['name']: e for e in result.json['entries']}
        self.assertEqual(list(entries), [s.name for s in LIST_SETTINGS])
        self.assertEqual(entries['unsigned_msg_action']['default'], 'reject')
        self.assertIn('hold', entries['unsigned_msg_action']['allowed'])
        self.assertEqual(entries['delivery_mode']['group'], 'delivery')
        self.assertEqual(entries['delivery_mode']['allowed'],
                         ['individual', 'bulk'])
        self.assertTrue(entries['key_signing_allowed']['multiple'])
        self.assertEqual(entries['outer_subject']['allowed'], [])
        self.assertTrue(entries['encrypt_outgoing']['help'])
        # Words for people, from the one declaration.
        self.assertEqual(entries['unsigned_msg_action']['label'],
                         'When a post is not signed')
        self.assertIn(['pgp-key-change-mod-workflow',
                       'Members change their key; a moderator approves the '
                       'new one'], entries['key_change_workflow']['choices'])
        self.assertIn(['hold', 'Hold it for the moderators'],
                      entries['unsigned_msg_action']['choices'])
        for entry in entries.values():
            self.assertNotIn('`', entry['help'] + entry['label'])

    def test_index_has_key_facts_of_every_list(self):
        with transaction():
            create_list('bee@example.com', style_name='pgp-announce')
            create_list('plain@example.com')
        result = call('GET', 'index')
        self.assertEqual(result.status_code, 200)
        entries = result.json['entries']
        self.assertEqual([e['list_id'] for e in entries],
                         ['ant.example.com', 'bee.example.com'])
        ant = entries[0]
        self.assertEqual(ant['key_fingerprint'], self.list_key.fingerprint)
        self.assertIn('Ed25519', ant['key_algorithm'])
        self.assertRegex(ant['key_expires'], r'^\d{4}-\d\d-\d\d$')
        self.assertEqual(ant['settings']['unsigned_msg_action'], 'reject')
        self.assertEqual(ant['fqdn_listname'], 'ant@example.com')
        self.assertEqual(ant['key_uids'][0],
                         'ant@example.com <ant@example.com>'
                         if ant['key_uids'][0].startswith('ant@') else
                         ant['key_uids'][0])


class TestWebKeySteps(KeyConversation):
    """Key set begun by mail, finished over the web routes."""
    policy = SubscriptionPolicy.open

    def keys(self, method='GET', who=None, **json):
        who = who or self.anne
        return call(method, 'lists/ant.example.com/keys/' + who.email,
                    json=json or None)

    def test_set_and_confirm_over_the_web(self):
        self.register()
        token = self.key_request()
        state = self.keys().json
        self.assertEqual(state['pending'], [
            {'token': token, 'list_id': 'ant.example.com',
             'request': 'subscription', 'waiting': 'key'}])
        result = self.keys('POST', action='set', token=token,
                           key=self.anne.public_key())
        self.assertEqual(result.status_code, 200, result.text)
        self.assertIn('Key set: ' + self.anne.fingerprint,
                      result.json['result'])
        [step] = result.json['pending']
        self.assertEqual(step['waiting'], 'proof')
        self.assertEqual(step['key_fingerprint'], self.anne.fingerprint)
        # The proof request went by mail as well: same token.
        mailed = pick(outbox(), to=self.anne.email, subject='key confirm')
        self.assertEqual(token_of(mailed), step['token'])
        statement = _statement(self.anne, step)
        self.assertIn(step['token'], statement)
        signed = self.anne.gpg('--clearsign', input=statement).stdout
        result = self.keys('POST', action='confirm', token=step['token'],
                           signed=signed.decode())
        self.assertEqual(result.status_code, 200, result.text)
        self.assertIn('Key confirmed', result.json['result'])
        self.assertTrue(result.json['key_confirmed'])
        self.assertTrue(result.json['member'])
        self.assertMember()

    def test_web_set_then_mail_confirm(self):
        self.register()
        token = self.key_request()
        self.keys('POST', action='set', token=token,
                  key=self.anne.public_key())
        mailed = pick(outbox(), to=self.anne.email, subject='key confirm')
        decrypted = self.anne.decrypt(mailed.msg.as_bytes())
        self.mlist = _fresh()
        self.assertIn('Key confirmed', self.send_proof(
            token_of(mailed), statement_in(decrypted.plaintext)))
        self.assertMember()

    def test_refusals_say_why_and_change_nothing(self):
        self.register()
        token = self.key_request()
        result = self.keys('POST', action='set', token=token,
                           key=self.anne.private_key())
        self.assertEqual(result.status_code, 400)
        self.assertIn('You sent a private key.  It was not stored.',
                      description(result))
        self.assertIsNone(PGPAddress.for_email(self.anne.email)
                          .key_fingerprint if PGPAddress.for_email(
                              self.anne.email) else None)
        result = self.keys('POST', action='set', token='nope',
                           key=self.anne.public_key())
        self.assertEqual(result.status_code, 400)
        self.assertIn('Wrong token', description(result))
        result = self.keys('POST', action='set', token=token,
                           key='garbage')
        self.assertEqual(result.status_code, 400)
        result = self.keys('POST', action='explode')
        self.assertEqual(result.status_code, 400)
        self.assertIn('action must be one of', description(result))
        result = self.keys('POST', action='set', token=token)
        self.assertIn('Missing attribute: key', description(result))
        # Unsigned proof.
        self.keys('POST', action='set', token=token,
                  key=self.anne.public_key())
        [step] = self.keys().json['pending']
        result = self.keys('POST', action='confirm', token=step['token'],
                           signed=_statement(self.anne, step))
        self.assertEqual(result.status_code, 400)
        self.assertIn('not signed', description(result))

    def test_change_and_revoke(self):
        with transaction():
            add_pgp_member(self.mlist, self.anne)
            PGPMailingList.for_list(self.mlist).key_change_workflow = \
                'pgp-key-change-workflow'
        new = Subscriber('anne@example.com', 'Anne')
        self.addCleanup(new.close)
        new.import_key(self.list_key.public_armor())
        armored = new.public_key()
        signature = self.anne.gpg('--armor', '--detach-sign',
                                  input=armored).stdout.decode()
        # Signed by the new key only: refused.
        result = self.keys('POST', action='change', key=armored,
                           signature=new.gpg('--armor', '--detach-sign',
                                             input=armored).stdout.decode())
        self.assertEqual(result.status_code, 400)
        # Signed, but not by the current key: said so, not "sign it".
        self.assertIn('The signature does not verify with your current key '
                      + self.anne.fingerprint, description(result))
        result = self.keys('POST', action='change',
                           key=armored.replace('\n', '\r\n'),
                           signature=signature)
        self.assertEqual(result.status_code, 200, result.text)
        [step] = result.json['pending']
        self.assertEqual(step['request'], 'key change')
        self.assertEqual(step['key_fingerprint'], new.fingerprint)
        proof = new.gpg('--clearsign', input=_statement(new, step)).stdout
        result = self.keys('POST', action='confirm', token=step['token'],
                           signed=proof.decode())
        self.assertEqual(result.status_code, 200, result.text)
        self.assertIn('Key changed to ' + new.fingerprint,
                      result.json['result'])
        self.assertEqual(result.json['key_fingerprint'], new.fingerprint)
        # Replaying the same signed request is refused.
        result = self.keys('POST', action='change', key=armored,
                           signature=signature)
        self.assertEqual(result.status_code, 400)
        result = self.keys('POST', action='revoke',
                           revocation=new.revoke())
        self.assertEqual(result.status_code, 200, result.text)
        self.assertIn('revoked', result.json['result'])
        self.assertFalse(result.json['key_confirmed'])
        self.assertEqual(result.json['pending'][0]['waiting'], 'key')

    def test_rejected_change_is_told(self):
        # The moderator rejects the new key: the member's steps say so
        # (the web's My keys shows it), and the current key stays.
        with transaction():
            add_pgp_member(self.mlist, self.anne)
        new = Subscriber('anne@example.com', 'Anne')
        self.addCleanup(new.close)
        new.import_key(self.list_key.public_armor())
        armored = new.public_key()
        signature = self.anne.gpg('--armor', '--detach-sign',
                                  input=armored).stdout.decode()
        result = self.keys('POST', action='change', key=armored,
                           signature=signature)
        self.assertEqual(result.status_code, 200, result.text)
        [step] = result.json['pending']
        proof = new.gpg('--clearsign', input=_statement(new, step)).stdout
        result = self.keys('POST', action='confirm', token=step['token'],
                           signed=proof.decode())
        self.assertEqual(result.status_code, 200, result.text)
        [item] = call('GET', 'lists/ant.example.com/approvals').json[
            'entries']
        result = call('POST', 'lists/ant.example.com/approvals/'
                      + item['token'], json={'action': 'reject'})
        self.assertEqual(result.status_code, 204, result.text)
        state = self.keys().json
        [step] = state['pending']
        self.assertEqual(step['waiting'], 'rejected')
        self.assertEqual(step['key_fingerprint'], new.fingerprint)
        self.assertEqual(state['key_fingerprint'], self.anne.fingerprint)
        self.assertEqual(call('GET', 'lists/ant.example.com/approvals')
                         .json['total_size'], 0)


class TestApprovalsAndArchive(KeyConversation):
    policy = SubscriptionPolicy.open
    def test_moderator_queue(self):
        with transaction():
            PGPMailingList.for_list(self.mlist).moderate_keys = True
        self.register()
        self.key_steps()
        queue = call('GET', 'lists/ant.example.com/approvals').json
        [item] = queue['entries']
        self.assertEqual(item['email'], self.anne.email)
        self.assertEqual(item['key_fingerprint'], self.anne.fingerprint)
        self.assertEqual(item['request'], 'subscription')
        result = call('POST', 'lists/ant.example.com/approvals/nope',
                      json={'action': 'accept'})
        self.assertEqual(result.status_code, 400)
        result = call('POST', 'lists/ant.example.com/approvals/'
                      + item['token'], json={'action': 'accept'})
        self.assertEqual(result.status_code, 204, result.text)
        self.assertMember()
        self.assertEqual(call('GET', 'lists/ant.example.com/approvals')
                         .json['entries'], [])

    def test_reject(self):
        with transaction():
            PGPMailingList.for_list(self.mlist).moderate_keys = True
        self.register()
        self.key_steps()
        [item] = call('GET', 'lists/ant.example.com/approvals').json[
            'entries']
        result = call('POST', 'lists/ant.example.com/approvals/'
                      + item['token'], json={'action': 'reject'})
        self.assertEqual(result.status_code, 204, result.text)
        mlist = _fresh(self.mlist)
        self.assertIsNone(mlist.members.get_member(self.anne.email))
        with self.assertRaises(LookupError):
            ISubscriptionManager(mlist).confirm(item['token'])

    def test_archive_only_for_members_with_a_key(self):
        from email.message import EmailMessage
        from mailman_pgp.archivers.local_mbox import LocalMboxArchiver
        path = 'lists/ant.example.com/archive/'
        result = call('GET', path + self.anne.email)
        self.assertEqual(result.status_code, 403)
        self.assertIn('not a member', description(result))
        with transaction():
            add_pgp_member(_fresh(self.mlist), self.anne, confirmed=False)
        result = call('GET', path + self.anne.email)
        self.assertEqual(result.status_code, 403)
        self.assertIn('never sent in clear', description(result))
        with transaction():
            PGPAddress.for_email(self.anne.email).key_confirmed = True
        for n, day in enumerate(('Mon, 01 Jun 2026 10:00:00 +0000',
                                 'Wed, 01 Jul 2026 10:00:00 +0000')):
            msg = EmailMessage()
            msg['From'] = self.anne.email
            msg['Subject'] = f'secret {n}'
            msg['Date'] = day
            msg['Message-ID'] = f'<m{n}@example.com>'
            msg.set_content(f'From the start, plaintext number {n}\n')
            LocalMboxArchiver().archive_message(_fresh(self.mlist), msg)
        result = call('GET', path + self.anne.email)
        self.assertEqual(result.status_code, 200, result.text)
        self.assertEqual(result.json['count'], 2)
        self.assertNotIn('plaintext', result.text)
        decrypted = self.anne.decrypt(result.json['archive'].encode())
        self.assertTrue(decrypted.ok)
        self.assertEqual(decrypted.signer, self.list_key.fingerprint)
        text = decrypted.plaintext.decode()
        self.assertEqual(len(re.findall(r'^From ', text, re.M)), 2)
        self.assertIn('>From the start, plaintext number 1', text)
        result = call('GET', path + self.anne.email + '?since=2026-06-15')
        self.assertEqual(result.json['count'], 1)
        self.assertIn('secret 1', self.anne.decrypt(
            result.json['archive'].encode()).plaintext.decode())
        result = call('GET', path + self.anne.email + '?since=June')
        self.assertEqual(result.status_code, 400)

    def test_archive_keeps_each_posts_headers(self):
        """Members' mail readers thread the archive: every header of an
        archived post is in the member's copy, not only the outer ones."""
        from email.message import EmailMessage
        from mailman_pgp.archivers.local_mbox import LocalMboxArchiver
        with transaction():
            add_pgp_member(_fresh(self.mlist), self.anne)
        msg = EmailMessage()
        msg['From'] = 'Bob <bob@example.com>'
        msg['Subject'] = 'Re: the thread'
        msg['Date'] = 'Mon, 01 Jun 2026 10:00:00 +0000'
        msg['Message-ID'] = '<reply@example.com>'
        msg['In-Reply-To'] = '<start@example.com>'
        msg['References'] = '<start@example.com>'
        msg['Reply-To'] = 'ant@example.com'
        msg.set_content('A reply.\n')
        LocalMboxArchiver().archive_message(_fresh(self.mlist), msg)
        result = call('GET', 'lists/ant.example.com/archive/'
                      + self.anne.email)
        self.assertEqual(result.json['count'], 1, result.text)
        copy = email.message_from_bytes(self.anne.decrypt(
            result.json['archive'].encode()).plaintext.split(b'\n', 1)[1])
        for name in ('From', 'Subject', 'Date', 'Message-ID', 'In-Reply-To',
                     'References', 'Reply-To'):
            self.assertEqual(copy[name], msg[name], name)
        self.assertIn('A reply.', copy.get_payload())


class TestStepsOfAnAddress(KeyConversation):
    policy = SubscriptionPolicy.open

    def test_steps_on_every_list(self):
        self.register()
        token = self.key_request()
        result = call('GET', 'addresses/anne@example.com/steps')
        self.assertEqual(result.json['entries'], [
            {'token': token, 'list_id': 'ant.example.com',
             'request': 'subscription', 'waiting': 'key'}])
        self.assertEqual(call('GET', 'addresses/bob@example.com/steps')
                         .json['entries'], [])

    def test_list_key_facts(self):
        result = call('GET', 'lists/ant.example.com/pubkey')
        self.assertEqual(result.json['key_fingerprint'],
                         self.list_key.fingerprint)
        self.assertIn('<ant@example.com>', result.json['key_uids'][0])
        self.assertIn('BEGIN PGP PUBLIC KEY', result.json['public_key'])


class TestListKeyLifecycle(KeyConversation):
    def test_rotate_announces_and_extend(self):
        with transaction():
            add_pgp_member(self.mlist, self.anne)
        outbox()
        old = self.list_key.fingerprint
        result = call('POST', 'lists/ant.example.com/rotate-key',
                      json={'grace_days': 5})
        self.assertEqual(result.status_code, 200, result.text)
        self.assertEqual(result.json['old_fingerprint'], old)
        self.assertEqual(result.json['sent'], 1)
        new = result.json['new_fingerprint']
        self.assertNotEqual(new, old)
        announcement = pick(outbox(), to=self.anne.email, subject='New key')
        self.assertTrue(self.anne.decrypt(announcement.msg.as_bytes()).ok)
        self.assertEqual(call('GET', 'lists/ant.example.com/pubkey')
                         .json['key_fingerprint'], new)
        result = call('POST', 'lists/ant.example.com/extend-key',
                      json={'days': 3})
        self.assertEqual(result.status_code, 400)
        self.assertIn('already expires on', description(result))
        result = call('POST', 'lists/ant.example.com/extend-key',
                      json={'days': 2000})
        self.assertEqual(result.status_code, 200, result.text)
        self.assertEqual(result.json['key_fingerprint'], new)
        self.assertEqual(call('GET', 'lists/ant.example.com/pubkey')
                         .json['key_expires'], result.json['expires'])
        result = call('POST', 'lists/ant.example.com/extend-key',
                      json={'days': 'soon'})
        self.assertIn('whole number of days', description(result))
