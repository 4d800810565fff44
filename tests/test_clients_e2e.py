"""Autocrypt clients and Outlook behind Exchange, on a real instance.

`mailman start` runners, LMTP in, SMTP out.  Anne's client speaks
Autocrypt: she gets her key to the list in the Autocrypt header of her
``key set`` reply (no key attached), and reads the list key from the
Autocrypt headers of the list's own mail (parsed by muacrypt, imported by
gpg).  Her mail then goes through Exchange, which mangles the PGP/MIME of
her post; Bob still gets it, decrypted and re-encrypted to him.
"""

import base64
import email
import shutil
import tempfile
import unittest

from email.message import EmailMessage
from email.policy import SMTP

from mailman_pgp.testing.exchange import Exchange, new_subscriber
from mailman_pgp.testing.instance import MAIL_RUNNERS
from mailman_pgp.testing.outlook import exchange_mangled

try:
    from muacrypt.mime import parse_one_ac_header_from_msg
except ImportError:                     # pragma: no cover
    parse_one_ac_header_from_msg = None

LIST = 'crypto@example.org'
REQUEST = 'crypto-request@example.org'
BOUNCES = 'crypto-bounces@example.org'


def thunderbird_autocrypt(who) -> bytes:
    """The Autocrypt header as Thunderbird writes it (its compose code:
    ``"addr=" + fromMail + "; keydata=\\r\\n" + keyData``, the key minimal
    with the sender's user ID only, base64 in lines of 72 after a space)."""
    binary = who.gpg('--export', '--export-options', 'export-minimal',
                     '--export-filter', 'keep-uid=mbox=' + who.email,
                     who.fingerprint).stdout
    keydata = base64.b64encode(binary).decode('ascii')
    lines = [keydata[i:i + 72] for i in range(0, len(keydata), 72)]
    return 'Autocrypt: addr={}; keydata=\n {}\n'.format(
        who.email, '\n '.join(lines)).encode('ascii')


def with_outer_header(raw: bytes, header: bytes) -> bytes:
    return header + raw


def gossip_only(who, to, subject, list_fingerprint) -> bytes:
    """Encrypted, the sender's key only in headers inside the encryption."""
    inner = EmailMessage()
    inner.set_content('My key is in the Autocrypt header.')
    value = thunderbird_autocrypt(who).decode().split(': ', 1)[1]
    value = value.replace('\n', '').strip()
    inner['Autocrypt-Gossip'] = value
    inner['Autocrypt'] = value
    ciphertext = who.gpg('--armor', '--encrypt', '--recipient',
                         list_fingerprint, '--sign', '--local-user',
                         who.fingerprint,
                         input=inner.as_bytes(policy=SMTP)).stdout
    return who.wrap_encrypted(ciphertext.decode('ascii'), to, subject)


def autocrypt_key_set(who, to, subject, list_fingerprint) -> bytes:
    """Thunderbird's encrypted reply: no key attached, Autocrypt outside."""
    raw = who.encrypted_mail(to, subject, 'Sent from Thunderbird.',
                             list_fingerprint)
    return with_outer_header(raw, thunderbird_autocrypt(who))


@unittest.skipIf(parse_one_ac_header_from_msg is None, 'muacrypt missing')
class TestClients(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix='mmpgp-clients-')
        cls.exchange = Exchange(cls.root, say=lambda *args: None,
                                runners=MAIL_RUNNERS)
        cls.exchange.start()
        cls.anne = new_subscriber('anne@example.org', 'cv25519')
        cls.bob = new_subscriber('bob@example.org', 'rsa2048')

    @classmethod
    def tearDownClass(cls):
        cls.exchange.stop()
        for who in (cls.anne, cls.bob):
            who.close()
        shutil.rmtree(cls.root, ignore_errors=True)

    def list_mail_autocrypt(self, who):
        """Every message the list sent ``who`` from its own addresses: each
        has a valid Autocrypt header for its From with the list key."""
        checked = 0
        for delivery in list(self.exchange.sink.deliveries):
            if who.email not in delivery.rcpt_tos:
                continue
            msg = delivery.message
            sender = email.utils.parseaddr(msg['from'])[1]
            if sender not in (LIST, REQUEST, BOUNCES):
                self.assertIsNone(msg['autocrypt'], sender)
                continue
            result = parse_one_ac_header_from_msg(msg)
            self.assertIsNone(result.error, delivery.subject)
            self.assertEqual(result.addr, sender)
            self.assertEqual(result.prefer_encrypt, 'mutual')
            # gpg takes the keydata as it is: the list key, that one UID.
            home = new_subscriber('reader@example.org', 'cv25519')
            try:
                status = home.gpg('--import', input=result.keydata).stderr
                self.assertIn('IMPORT_OK 1 ' + self.fingerprint,
                              status.decode())
                listing = home.gpg('--with-colons', '--list-keys',
                                   self.fingerprint).stdout.decode()
                uids = [line.split(':')[9] for line in listing.splitlines()
                        if line.startswith('uid:')]
                self.assertEqual(len(uids), 1)
                uid = LIST if sender == BOUNCES else sender
                self.assertTrue(uids[0].endswith('<{}>'.format(uid)))
            finally:
                home.close()
            checked += 1
        return checked

    def test_autocrypt_then_exchange(self):
        self.fingerprint = self.exchange.create_list(LIST,
                                                     sign_outgoing=True)
        self.exchange.subscribe(self.bob)
        # A key only in headers inside the encryption does not count.
        attempts = []

        def key_set(who, to, subject, fingerprint):
            attempts.append(subject)
            if len(attempts) == 1:
                raw = gossip_only(who, to, subject, fingerprint)
                self.exchange.lmtp(raw, who.email, to)
                self.exchange.results(who, 'No key attached')
            return autocrypt_key_set(who, to, subject, fingerprint)

        self.exchange.subscribe(self.anne, key_set=key_set)
        # Key request, results (4), key confirm request, welcome: the
        # list's mail from its own addresses taught Anne its key.
        self.assertGreaterEqual(self.list_mail_autocrypt(self.anne), 6)
        # Anne's post, mangled by Exchange (winmail.dat and all), reaches
        # Bob decrypted, signed by the list, re-encrypted to him.
        body = 'The budget meeting moved to Friday.'
        raw = self.anne.encrypted_mail(LIST, 'Budget', body,
                                       self.fingerprint,
                                       protect_subject=True)
        self.exchange.post(self.anne, '', '',
                           raw=exchange_mangled(raw, winmail=True))
        delivery, decrypted = self.exchange.copy_of(self.bob, 'Budget')
        self.assertIn(body, decrypted.plaintext.decode())
        self.assertEqual(decrypted.signer, self.fingerprint)
        self.assertNotIn('winmail.dat', decrypted.plaintext.decode())
        # A shape Exchange does not make is not repaired: refused as
        # unencrypted, as before.
        extra = (b'Content-Type: text/html; charset="us-ascii"\n\n'
                 b'<p>cleartext</p>\n')
        raw = self.anne.encrypted_mail(LIST, 'Other', 'not repaired',
                                       self.fingerprint)
        self.exchange.post(self.anne, '', '',
                           raw=exchange_mangled(raw, extra_part=extra))
        reason = self.exchange.rejection(self.anne)
        self.assertIn('encrypted', reason.lower())
