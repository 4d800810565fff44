"""What Autocrypt clients and Outlook behind Exchange send, in-process:
key change refused with the new key only in the Autocrypt header, a key
command mangled by Exchange, and the Autocrypt header on the list's own
mail."""

import email
import unittest

from mailman.app.lifecycle import create_list
from mailman.database.transaction import transaction
from mailman.email.message import Message
from mailman.interfaces.mailinglist import SubscriptionPolicy
from mailman.testing.layers import ConfigLayer

from mailman_pgp.keystore import key_store
from mailman_pgp.mta.autocrypt import add_autocrypt
from mailman_pgp.pgp import Key, sender_autocrypt_key
from mailman_pgp.testing.conversation import (
    outbox, results_text, send_command)
from mailman_pgp.testing.gpg import Subscriber
from mailman_pgp.testing.outlook import exchange_mangled
from tests.test_clients_e2e import thunderbird_autocrypt
from tests.workflows.test_key_commands import MemberTestCase
from tests.workflows.test_subscription import KeyConversation


class TestKeyChangeByAutocrypt(MemberTestCase):
    def test_header_never_changes_a_key(self):
        # No signature covers the Autocrypt header: even in a mail Anne
        # signed herself, it cannot name her new key (an attacker could
        # add it to any mail Anne signed).
        new = Subscriber('anne@example.com', 'Anne')
        self.addCleanup(new.close)
        raw = self.signed_command('key change', 'My new key is in the '
                                  'Autocrypt header, as Thunderbird sends it.')
        send_command(self.mlist, thunderbird_autocrypt(new) + raw)
        items = outbox()
        self.assertIn('No key is inside the text you signed',
                      results_text(items, self.anne.email))
        self.assertEqual([item for item in items if str(
            item.msg['subject']).startswith('key confirm')], [])
        self.assertEqual(key_store().address_key(self.anne.email)
                         .fingerprint, self.anne.fingerprint)

    def test_header_for_someone_else_ignored(self):
        bob = Subscriber('bob@example.com', 'Bob')
        self.addCleanup(bob.close)
        raw = self.signed_command('key change', 'Key in the header.')
        send_command(self.mlist, thunderbird_autocrypt(bob) + raw)
        self.assertIn('No key is inside the text you signed',
                      results_text(outbox(), self.anne.email))


class TestKeySetByAutocrypt(KeyConversation):
    """A new subscriber's Autocrypt header still offers the key (the proof
    and Mailman's confirmation follow, as for an attached key)."""
    policy = SubscriptionPolicy.open

    def test_new_subscriber(self):
        self.register()
        token = self.key_request()
        send_command(self.mlist, thunderbird_autocrypt(self.anne)
                     + self.anne.plain_mail('ant-request@example.com',
                                            'Re: key set ' + token,
                                            'My key is in the header.'))
        token, statement = self.proof_request()
        self.assertIn('Key confirmed', self.send_proof(token, statement))
        self.assertMember()


class TestKeyChangeThroughExchange(MemberTestCase):
    def test_mangled_command_repaired(self):
        new = Subscriber('anne@example.com', 'Anne')
        self.addCleanup(new.close)
        raw = self.signed_command('key change', 'My new key.',
                                  attach=new.public_key())
        send_command(self.mlist, exchange_mangled(raw, winmail=True))
        self.assertIn('Key change request received',
                      results_text(outbox(), self.anne.email))


class TestListHeader(unittest.TestCase):
    layer = ConfigLayer

    def setUp(self):
        with transaction():
            self.mlist = create_list('ant@example.com',
                                     style_name='pgp-default')
        self.key = key_store().list_key(self.mlist.list_id)

    def header(self, sender: str, arrived_with=()):
        msg = Message()
        msg['From'] = sender
        for name, value in arrived_with:
            msg[name] = value
        msg.set_payload('notice')
        add_autocrypt(self.mlist, msg, self.key)
        add_autocrypt(self.mlist, msg, self.key)    # a retried delivery
        values = msg.get_all('autocrypt') or []
        self.assertLessEqual(len(values), 1)
        if not values:
            return None
        parsed = email.message_from_string(msg.as_string())
        return sender_autocrypt_key(parsed)

    def test_own_addresses(self):
        for sender, uid in (('ant@example.com', 'ant@example.com'),
                            ('Ant <ant-request@example.com>',
                             'ant-request@example.com'),
                            ('ant-owner@example.com', 'ant@example.com'),
                            ('ant-bounces@example.com', 'ant@example.com')):
            key = self.header(sender)
            self.assertIsInstance(key, Key)
            self.assertEqual(key.fingerprint, self.key.fingerprint)
            self.assertEqual(key.emails, [uid])
            self.assertFalse(key.is_private)

    def test_other_senders(self):
        for sender in ('ant-join@example.com', 'anne@example.com',
                       'ant-confirm+0123@example.com', 'noreply@example.com'):
            self.assertIsNone(self.header(sender), sender)

    def test_key_headers_it_arrived_with_are_dropped(self):
        # Eve's clear mail to -owner, From the list's own address or from
        # a member's, with her own key headers: whatever the owners (or
        # members) get carries the list's word on keys only.
        from mailman_pgp.pgp import autocrypt_header, generate_key, KeySpec
        eve = generate_key(KeySpec('EdDSA', 'Ed25519'),
                           KeySpec('ECDH', 'Curve25519'),
                           [('Eve', 'ant@example.com'),
                            ('Eve', 'anne@example.com')])
        forged = (('Autocrypt', autocrypt_header(eve, 'ant@example.com')),
                  ('Autocrypt-Gossip', autocrypt_header(
                      eve, 'anne@example.com', gossip=True)),
                  ('OpenPGP', 'id={}; url=https://eve.example/k.asc'.format(
                      eve.fingerprint)))
        key = self.header('ant@example.com', forged)
        self.assertEqual(key.fingerprint, self.key.fingerprint)
        self.assertIsNone(self.header('anne@example.com', forged))
        msg = Message()
        for name, value in forged:
            msg[name] = value
        add_autocrypt(self.mlist, msg, self.key)
        self.assertEqual(msg.keys(), [])
