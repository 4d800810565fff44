"""Every event type, from real Mailman runners (REST, LMTP, email commands,
the CLI), to real receivers, each body signed; filters; a PGP list's post
leaves no trace of its text or subject in anything a receiver gets."""

import email.message
import email.utils
import json
import shutil
import tempfile
import unittest
import uuid

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from mailman_pgp.testing.conversation import statement_in
from mailman_pgp.testing.exchange import Exchange, new_subscriber
from mailman_pgp.testing.gpg import Subscriber
from mailman_pgp.testing.instance import MAIL_RUNNERS
from mailman_rest_events.catalogue import EVENT_TYPES
from mailman_rest_events.testing.instance import EventsInstance
from mailman_rest_events.testing.receiver import Receiver, new_secret

from tests.rest_events.support import FAST


class TestEveryEvent(unittest.TestCase):
    def setUp(self):
        root = tempfile.mkdtemp(prefix='mm-events-all-')
        self.addCleanup(shutil.rmtree, root, True)
        self.everything, self.members = Receiver().start(), Receiver().start()
        self.addCleanup(self.everything.stop)
        self.addCleanup(self.members.stop)
        self.secret, self.members_secret = new_secret(), new_secret()
        exchange = self.exchange = Exchange(root, say=lambda *args: None,
                                            timeout=120)
        instance = EventsInstance(
            root, delivery=FAST, lmtp_port=exchange.instance.lmtp_port,
            smtp_port=exchange.sink.port, rest_port=exchange.rest_port,
            runners=MAIL_RUNNERS + ('rest-events',))
        instance.add_endpoint('all', self.everything.url, self.secret)
        instance.add_endpoint('members', self.members.url,
                              self.members_secret,
                              'events: ^member\\.\nlists: ^plain\\.')
        exchange.instance = self.instance = instance
        self.people = []
        exchange.start()
        self.addCleanup(exchange.stop)

    def tearDown(self):
        for person in self.people:
            person.close()

    def person(self, address):
        person = new_subscriber(address, 'cv25519')
        self.people.append(person)
        return person

    def bodies(self):
        webhook = Webhook(self.secret)
        return [webhook.verify(got.body, got.headers)
                for got in self.everything.received]

    def of_type(self, kind):
        return [body['data'] for body in self.bodies()
                if body['type'] == kind]

    def wait_for_types(self, kinds):
        self.everything.wait_for(
            lambda r: set(kinds) <= set(r.types()), 300,
            'event types {}'.format(sorted(set(kinds) - set(
                self.everything.types()))))

    def test_every_event_type(self):
        marker = 'MARKER' + uuid.uuid4().hex
        anne_key = self.pgp_story(marker)
        bob_id = self.plain_story()
        expected = set(EVENT_TYPES) - {'member.unsubscription_pending'}
        self.wait_for_types(expected)
        # Each once where it happened once, with ids to look up over REST.
        anne = 'anne@example.org'
        crypto = 'crypto.example.com'
        self.assertEqual(self.of_type('pgp.key_confirmed'), [
            {'list_id': crypto, 'address': anne, 'fingerprint': anne_key[0]}])
        self.assertEqual(self.of_type('pgp.key_changed'), [
            {'list_id': crypto, 'address': anne, 'fingerprint': anne_key[1],
             'old_fingerprint': anne_key[0]}])
        self.assertEqual(self.of_type('pgp.key_revoked'), [
            {'list_id': crypto, 'address': anne, 'fingerprint': anne_key[1]}])
        rotated, = self.of_type('pgp.list_key_rotated')
        self.assertEqual(rotated['old_fingerprint'], self.list_fingerprint)
        self.assertEqual(len(rotated['fingerprint']), 40)
        self.assertIn({'list_id': crypto, 'address': anne, 'waiting_for':
                       'confirmation'},
                      self.of_type('member.subscription_pending'))
        # What owners changed; not what Mailman counts as posts go by, nor
        # what the style set up as the lists were created.
        self.assertEqual(self.of_type('list.settings_changed'), [
            {'list_id': crypto, 'changed': ['pgp.key_change_workflow']},
            {'list_id': 'plain.example.com', 'changed': ['description']}])
        self.assertIn({'list_id': 'plain.example.com', 'member_id': bob_id,
                       'address': 'bob@example.org', 'role': 'member'},
                      self.of_type('member.unsubscribed'))
        self.assertEqual(self.of_type('domain.deleted'),
                         [{'mail_host': 'gone.example.net'}])
        self.assertIn({'list_id': 'plain.example.com',
                       'fqdn_listname': 'plain@example.com'},
                      self.of_type('list.deleted'))
        self.assertIn({'address': anne}, self.of_type('address.verified'))
        # A plain list's messages carry their subject; a PGP list's nothing.
        accepted = {data['list_id']: data
                    for data in self.of_type('message.accepted')}
        self.assertEqual(accepted['plain.example.com']['subject'],
                         'Plain news')
        self.assertNotIn('subject', accepted[crypto])
        self.assertEqual(accepted[crypto]['sender'], anne)
        self.assertTrue(accepted[crypto]['message_id'].startswith('<'))
        self.assertEqual(
            sorted(data['subject'] for data in self.of_type('message.held') +
                   self.of_type('message.rejected') +
                   self.of_type('message.discarded')
                   if data['list_id'] == 'plain.example.com'),
            ['To be discarded', 'To be held', 'To be rejected'])
        for data in self.of_type('message.rejected'):
            if data['list_id'] == crypto:
                self.assertNotIn('subject', data)
        # Not a byte of the PGP post's text or subject reached a receiver.
        for receiver in (self.everything, self.members):
            for got in receiver.attempts:
                self.assertNotIn(marker.encode(), got.raw)
                self.assertNotIn(b'Meeting', got.raw)
        # Nor a confirmation token (the word only appears as a key name).
        for body in self.bodies():
            self.assertNotIn('token', json.dumps(body))
        # Filters: the members endpoint got member.* of plain.* only,
        # signed with its own secret, which the other secret cannot verify.
        self.members.wait_for(lambda r: len(r.received) >= 3)
        webhook = Webhook(self.members_secret)
        for got in self.members.received:
            body = webhook.verify(got.body, got.headers)
            self.assertTrue(body['type'].startswith('member.'))
            self.assertEqual(body['data']['list_id'], 'plain.example.com')
            with self.assertRaises(WebhookVerificationError):
                Webhook(self.secret).verify(got.body, got.headers)
        self.assertEqual(
            sorted({json.loads(got.body)['type']
                    for got in self.members.received}),
            ['member.subscribed', 'member.subscription_pending',
             'member.unsubscribed'])

    def pgp_story(self, marker):
        """A PGP list: subscription by email, a post, key change, revocation,
        list key rotation.  Returns anne's (first, second) fingerprints."""
        exchange = self.exchange
        self.list_fingerprint = exchange.create_list('crypto@example.com')
        exchange.rest('PATCH', '/3.1/plugins/pgp/lists/crypto.example.com',
                      {'key_change_workflow': 'pgp-key-change-workflow'})
        anne = self.person('anne@example.org')
        exchange.subscribe(anne)
        exchange.post(anne, 'Meeting ' + marker, 'Body ' + marker)
        self.wait_for_types(['message.accepted'])
        exchange.post(anne, 'Unsigned ' + marker, 'not signed', sign=False)
        exchange.rejection(anne)
        # key change: signed with the old key, proven with the new one.
        new = Subscriber('anne@example.org', 'Anne')
        self.people.append(new)
        new.import_key(exchange.rest(
            'GET', '/3.1/plugins/pgp/lists/crypto.example.com/pubkey')[
                'public_key'])
        request = exchange.request_address
        exchange.lmtp(anne.encrypted_mail(
            request, 'key change',
            'key change\nMy new key.\n' + new.public_key(),
            self.list_fingerprint), anne.email, request)
        proof = exchange.wait(anne.email, 'key confirm')
        token = proof.subject.split()[-1]
        statement = statement_in(new.decrypt(proof.data).plaintext)
        signed = new.gpg('--clearsign', input=statement).stdout.decode()
        exchange.lmtp(new.plain_mail(request, 'Re: key confirm ' + token,
                                     signed), anne.email, request)
        self.wait_for_types(['pgp.key_changed'])
        exchange.lmtp(new.plain_mail(request, 'key revoke', new.revoke()),
                      anne.email, request)
        self.instance.mailman('pgp', 'rotate-key', 'crypto@example.com')
        return anne.fingerprint, new.fingerprint

    def plain_story(self):
        """A plain list over REST and LMTP; returns bob's member id."""
        rest = self.exchange.rest
        rest('POST', '/3.1/lists', {'fqdn_listname': 'plain@example.com'})
        rest('PATCH', '/3.1/lists/plain.example.com/config',
             {'description': 'Plain list'})
        rest('POST', '/3.1/members', {
            'list_id': 'plain.example.com', 'subscriber': 'bob@example.org',
            'pre_verified': True, 'pre_confirmed': True,
            'pre_approved': True})
        rest('POST', '/3.1/members', {'list_id': 'plain.example.com',
                                      'subscriber': 'cat@example.org'})
        bob, = rest('GET', '/3.1/lists/plain.example.com/roster/member')[
            'entries']
        self.post('bob@example.org', 'Plain news')
        self.post('dan@example.org', 'To be held')        # a nonmember
        self.wait_for_types(['message.held'])
        for action, subject in (('reject', 'To be rejected'),
                                ('discard', 'To be discarded')):
            rest('PATCH', '/3.1/members/' + bob['member_id'],
                 {'moderation_action': action})
            self.post('bob@example.org', subject)
            self.wait_for_types(['message.' + action + 'ed'])
        rest('DELETE', '/3.1/members/' + bob['member_id'])
        rest('DELETE', '/3.1/lists/plain.example.com')
        rest('POST', '/3.1/domains', {'mail_host': 'gone.example.net'})
        rest('DELETE', '/3.1/domains/gone.example.net')
        return bob['member_id']

    def post(self, sender, subject):
        msg = email.message.EmailMessage()
        msg['From'] = sender
        msg['To'] = 'plain@example.com'
        msg['Subject'] = subject
        msg['Message-ID'] = email.utils.make_msgid()
        msg.set_content('Hello.\n')
        self.exchange.lmtp(msg.as_bytes(), sender, 'plain@example.com')
