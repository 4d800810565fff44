"""Eve against the author's signature and key on their way to members.

Eve holds the list's public key; every byte of a post outside the
author's signature is hers (she relays Anne's mail, or posts her own).
What the list vouches for inside the encryption it writes (the
``Autocrypt-Gossip`` of the author's confirmed key) must be the only key
members' programs learn from a post.
"""

import base64
import email

from email.policy import SMTP

from mailman.runners.outgoing import OutgoingRunner
from mailman.runners.pipeline import PipelineRunner
from mailman.testing.helpers import get_queue_messages, make_testable_runner
from mailman.testing.layers import SMTPLayer

from mailman_pgp.runners.incoming import PGPIncomingRunner
from mailman_pgp.testing.conversation import enqueue
from tests.mta.helpers import MARKER, person
from tests.mta.test_author_signature import AuthorSignatureCase


def _keydata(subscriber) -> str:
    binary = subscriber.gpg('--export', subscriber.fingerprint).stdout
    return base64.b64encode(binary).decode('ascii')


class EveCase(AuthorSignatureCase):
    def deliver(self, raw: bytes) -> bytes:
        SMTPLayer.smtpd.clear()
        self._received = None
        enqueue(self.mlist, raw, to_list=True)
        make_testable_runner(PGPIncomingRunner, 'in').run()
        get_queue_messages('virgin')
        make_testable_runner(PipelineRunner, 'pipeline').run()
        make_testable_runner(OutgoingRunner, 'out').run()
        [copy] = self.received_for(self.bart)
        return copy


class TestEveHeaders(EveCase):
    def relayed(self, forged: str):
        """Anne's genuine post as Bart gets it (the copy, its plaintext)
        once Eve has put the forged header lines on top."""
        raw = self.anne.encrypted_mail(
            'ant@example.com', 'Plans', 'Hello list ' + MARKER,
            self.list_key.fingerprint, protect_subject=True)
        copy = self.deliver(forged.encode('ascii') + raw)
        plain = self.bart.decrypt(copy).plaintext
        self.assertIn(MARKER.encode(), plain)
        return copy, plain

    def test_eves_autocrypt_headers_on_annes_post_do_not_reach_members(self):
        # Anne's genuine post, relayed by Eve, who adds an Autocrypt header
        # for Anne's address with her own key and a gossip one: none of it
        # is covered by Anne's signature.  Autocrypt clients (K-9,
        # Thunderbird's key collection) would take Eve's key as Anne's.
        eve = person('eve')
        copy, plain = self.relayed(
            'Autocrypt: addr=anne@example.com; prefer-encrypt=mutual;'
            ' keydata={0}\nAutocrypt-Gossip: addr=anne@example.com; '
            'keydata={0}\n'.format(_keydata(eve)))
        eves = _keydata(eve)[:60].encode('ascii')
        outer = email.message_from_bytes(copy)
        self.assertIsNone(outer['Autocrypt'])
        self.assertIsNone(outer['Autocrypt-Gossip'])
        self.assertNotIn(eves, copy.replace(b'\n ', b''))
        self.assertNotIn(eves, plain.replace(b'\r\n ', b'')
                         .replace(b'\n ', b''))
        # The list's own gossip of Anne's confirmed key is still there.
        inner = email.message_from_bytes(plain)
        self.assertEqual(len(inner.get_all('Autocrypt-Gossip')), 1)
        self.assertIn('addr=anne@example.com;', inner['Autocrypt-Gossip'])

    def test_eves_openpgp_header_on_annes_post_does_not_reach_members(self):
        # The OpenPGP header (draft-josefsson-openpgp-mailnews-header) says
        # where to fetch the sender's key: Eve points it at her own key,
        # outside Anne's signature.
        eve = person('eve')
        copy, plain = self.relayed(
            'OpenPGP: id={}; url=https://eve.example/anne.asc; '
            'preference=signencrypt\n'.format(eve.fingerprint))
        for text in (copy, plain):
            self.assertNotIn(b'eve.example', text)
            self.assertNotIn(eve.fingerprint.encode('ascii'), text)


class TestCarriedReplay(EveCase):
    def test_carried_copy_reposted_as_nested_form_is_a_replay(self):
        # A member gets Anne's combined-form post as a detached signature
        # over the signed entity; re-posted from Anne's address in the
        # nested form (multipart/signed inside the encryption), it is the
        # same signature over the same bytes: refused as a replay.
        copy = self.deliver(self.anne.encrypted_mail(
            'ant@example.com', 'Plans', 'Hello list ' + MARKER,
            self.list_key.fingerprint, protect_subject=True))
        carried = email.message_from_bytes(self.bart.decrypt(copy).plaintext)
        if carried.get_content_type() == 'multipart/mixed':
            carried = carried.get_payload()[0]      # the list's footer
        self.assertEqual(carried.get_content_type(), 'multipart/signed')
        entity = carried.as_bytes(policy=SMTP)
        armored = self.bart.gpg('--armor', '--encrypt', '--recipient',
                                self.list_key.fingerprint,
                                input=entity).stdout.decode()
        raw = self.bart.wrap_encrypted(armored, 'ant@example.com', 'Again')
        raw = raw.replace(b'From: Bart <bart@example.com>',
                          b'From: Anne <anne@example.com>')
        SMTPLayer.smtpd.clear()
        self._received = None
        enqueue(self.mlist, raw, to_list=True)
        make_testable_runner(PGPIncomingRunner, 'in').run()
        make_testable_runner(PipelineRunner, 'pipeline').run()
        make_testable_runner(OutgoingRunner, 'out').run()
        self.assertEqual(self.received_for(self.bart), [])
        self.assertEqual(self.received_for(self.cris), [])


class TestEveReplyTo(EveCase):
    def test_reply_to_outside_the_signed_headers_is_not_protected(self):
        # Anne's program protects her headers inside what she signs (no
        # Reply-To or Cc among them); Eve adds them outside.  The list put
        # it into the encrypted root as a protected header (hp="cipher"),
        # so members' replies to Anne's good post went to Eve.
        raw = self.anne.encrypted_mail(
            'ant@example.com', 'Plans', 'Hello list ' + MARKER,
            self.list_key.fingerprint, protect_subject=True)
        copy = self.deliver(b'Reply-To: Anne <eve@example.org>\n'
                            b'Cc: Anne <eve@example.org>\n' + raw)
        plain = self.bart.decrypt(copy).plaintext
        self.assertIn(MARKER.encode(), plain)
        self.assertNotIn(b'eve@example.org', plain)
        self.assertNotIn(b'eve@example.org', copy)
