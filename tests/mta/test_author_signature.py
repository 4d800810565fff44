"""The author's signature reaches members, whatever form the author used.

Anne posts through the real incoming, pipeline and outgoing runners, signed
and encrypted in one OpenPGP message (RFC 3156 6.2, what gpg-based clients,
Thunderbird and OpenPGP.js send), nested (6.1) or clearsigned; Bart reads
his copy with gpg, RNP (Thunderbird's library), sq and OpenPGP.js, each
taking Anne's key from the Autocrypt-Gossip header inside the encryption.
With ``strip_original_sig`` off (the default) each reports a good signature
by Anne's key; with ``sign_outgoing`` the list's signature is there too.
"""

import email

from email.message import EmailMessage
from email.policy import SMTP

import pytest

from mailman.runners.pipeline import PipelineRunner
from mailman.testing.helpers import get_queue_messages, make_testable_runner
from mailman.testing.layers import SMTPLayer
from mailman.runners.outgoing import OutgoingRunner

from mailman_pgp.runners.incoming import PGPIncomingRunner
from mailman_pgp.testing.conversation import enqueue
from tests import readers
from tests.mta.helpers import MARKER, PGPDeliveryTestCase

FORMS = ('combined', 'nested', 'clearsigned')


class AuthorSignatureCase(PGPDeliveryTestCase):
    def post(self, form: str, subject='Plans', body='Hello list ' + MARKER,
             **kws) -> bytes:
        """Anne's post in ``form``, through in, pipeline and out."""
        anne, fpr = self.anne, self.list_key.fingerprint
        if form == 'combined':
            raw = anne.encrypted_mail('ant@example.com', subject, body, fpr,
                                      protect_subject=True, **kws)
        elif form == 'nested':
            raw = anne.nested_mail('ant@example.com', subject, body, fpr)
        else:
            clear = anne.gpg('--clearsign', '--local-user', anne.fingerprint,
                             input=body + '\n').stdout.decode()
            raw = anne.encrypted_mail('ant@example.com', subject, clear, fpr,
                                      sign=False)
        SMTPLayer.smtpd.clear()
        self._received = None
        enqueue(self.mlist, raw, to_list=True)
        make_testable_runner(PGPIncomingRunner, 'in').run()
        get_queue_messages('virgin')            # no rejection, no notice
        make_testable_runner(PipelineRunner, 'pipeline').run()
        make_testable_runner(OutgoingRunner, 'out').run()
        [copy] = self.received_for(self.bart)
        return copy

    def reading(self, reader: str, copy: bytes,
                author=None) -> readers.Reading:
        why = readers.missing(reader)
        if why:
            pytest.skip(why)
        return readers.read(reader, copy, self.bart.private_key(),
                            self.list_key.public_armor(), author)


class TestAuthorSignature(AuthorSignatureCase):
    def test_combined_form_reaches_members_signed(self):
        # Signed and encrypted in one OpenPGP message, as gpg-based
        # clients and Thunderbird send it; Bart has Anne's key from
        # elsewhere.  Before, his copy carried no signature of hers.
        copy = self.post('combined')
        seen = self.reading('gpg', copy, author=self.anne.public_key())
        self.assertEqual(seen.form, 'detached')
        self.assertTrue(seen.author_good)

    def test_every_reader_sees_the_authors_signature(self):
        for form in FORMS:
            copy = self.post(form)
            for reader in readers.READERS:
                with self.subTest(form=form, reader=reader):
                    seen = self.reading(reader, copy)
                    self.assertIn(MARKER.encode(), seen.plaintext)
                    self.assertEqual(seen.author_fingerprint,
                                     self.anne.fingerprint)
                    self.assertTrue(seen.author_good, seen.plaintext)
                    self.assertFalse(seen.list_good)
                    self.assertEqual(seen.form, 'cleartext'
                                     if form == 'clearsigned' else 'detached')

    def test_list_signature_beside_the_authors(self):
        self.set(sign_outgoing=True)
        for form in FORMS:
            copy = self.post(form)
            for reader in readers.READERS:
                with self.subTest(form=form, reader=reader):
                    seen = self.reading(reader, copy)
                    self.assertTrue(seen.author_good)
                    self.assertTrue(seen.list_good)

    def test_text_mode_signature_over_lf_lines(self):
        # mutt (gpg --textmode) and OpenPGP.js sign in text mode: readers
        # canonicalise the line ends, so LF-only bytes are fine too.
        inner = EmailMessage()
        inner.set_content('Hello list ' + MARKER)
        data = inner.as_bytes(policy=SMTP.clone(linesep='\n'))
        armored = self.anne.gpg(
            '--armor', '--textmode', '--encrypt', '--sign', '--recipient',
            self.list_key.fingerprint, '--local-user', self.anne.fingerprint,
            input=data).stdout.decode()
        raw = self.anne.wrap_encrypted(armored, 'ant@example.com', 'Text')
        SMTPLayer.smtpd.clear()
        self._received = None
        enqueue(self.mlist, raw, to_list=True)
        for runner, queue in ((PGPIncomingRunner, 'in'),
                              (PipelineRunner, 'pipeline'),
                              (OutgoingRunner, 'out')):
            make_testable_runner(runner, queue).run()
        [copy] = self.received_for(self.bart)
        for reader in readers.READERS:
            with self.subTest(reader=reader):
                self.assertTrue(self.reading(reader, copy).author_good)

    def test_long_folded_headers_in_the_signed_entity(self):
        # The signed entity goes on byte for byte: long protected headers,
        # folded by the author's program, are not folded again.
        subject = ('A long subject ' + 'that goes on and on ' * 6).strip()
        copy = self.post('combined', subject=subject)
        seen = self.reading('gpg', copy)
        self.assertTrue(seen.author_good, seen.plaintext)

    def test_not_carried_is_delivered_and_logged(self):
        # A header line with trailing white space does not come back byte
        # for byte from Python's email package: the signature cannot go on
        # detached, the post still reaches members, the log says why.
        subject = 'A long subject ' + 'that ends in white space ' * 5
        with self.assertLogs('mailman.plugins.pgp', 'WARNING') as logs:
            copy = self.post('combined', subject=subject)
        self.assertIn(MARKER.encode(), self.bart.decrypt(copy).plaintext)
        self.assertTrue(any("the author's signature does not reach members"
                            in line for line in logs.output), logs.output)

    def test_stripped_when_the_list_says_so(self):
        self.set(strip_original_sig=True)
        copy = self.post('combined')
        plain = self.bart.decrypt(copy).plaintext
        self.assertIn(MARKER.encode(), plain)
        self.assertNotIn(b'application/pgp-signature', plain)

    def test_gossip_only_inside_the_encryption(self):
        copy = self.post('combined')
        self.assertNotIn(b'Autocrypt-Gossip', copy)
        inner = email.message_from_bytes(self.bart.decrypt(copy).plaintext)
        self.assertIn('addr=anne@example.com;', inner['Autocrypt-Gossip'])
        self.assertNotIn('prefer-encrypt', inner['Autocrypt-Gossip'])
