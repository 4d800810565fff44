"""A PGP list with GnuPG members, and the mail they receive."""

import atexit
import os
import email
import unittest

from mailman.app.lifecycle import create_list
from mailman.config import config
from mailman.database.transaction import transaction
from mailman.email.message import Message
from mailman.runners.outgoing import OutgoingRunner
from mailman.runners.virgin import VirginRunner
from mailman.testing.helpers import make_testable_runner
from mailman.testing.layers import SMTPLayer

from mailman_pgp.keystore import key_store
from mailman_pgp.model import PGPMailingList
from mailman_pgp.mta.notices import STATE_FILE
from mailman_pgp.pgp import Key
from mailman_pgp.testing.gpg import Subscriber
from mailman_pgp.testing.members import add_pgp_member

MARKER = 'plaintext-marker-8842'
ZERO_KEYID = '0000000000000000'
_people = {}


def person(name: str, **kws) -> Subscriber:
    """A GnuPG subscriber made once per test run."""
    if name not in _people:
        _people[name] = Subscriber(name + '@example.com', name.title(),
                                   **kws)
    return _people[name]


@atexit.register
def _close():
    for subscriber in _people.values():
        subscriber.close()


def encryption_keyid(subscriber) -> str:
    """The long key ID gpg reports in ENC_TO for this subscriber."""
    key = Key.load(subscriber.public_key())
    return key.usability().encryption_keyids[-1]


class PGPDeliveryTestCase(unittest.TestCase):
    """ant@example.com (pgp-default) with three confirmed members, Anne
    (Cv25519), Bart (RSA) and Cris (Cv25519), and Dave, whose key expired.
    """

    layer = SMTPLayer

    def setUp(self):
        self.anne = person('anne')
        self.bart = person('bart', algorithm='rsa2048')
        self.cris = person('cris')
        self.dave = person('dave', expire='1d', faked_time='20200101T000000')
        with transaction():
            self.mlist = create_list('ant@example.com',
                                     style_name='pgp-default')
            self.mlist.send_welcome_message = False
            for who in (self.anne, self.bart, self.cris, self.dave):
                add_pgp_member(self.mlist, who)
        self.list_key = key_store().list_key(self.mlist.list_id)
        for who in (self.anne, self.bart, self.cris):
            who.import_key(self.list_key.public_armor())
        self.members = [self.anne, self.bart, self.cris]
        self.everyone = [self.anne.email, self.bart.email, self.cris.email,
                         self.dave.email]
        # The once-a-day notice state outlives a list deleted by the layer.
        state = os.path.join(self.mlist.data_path, STATE_FILE)
        if os.path.exists(state):
            os.unlink(state)
        SMTPLayer.smtpd.clear()
        self._received = None

    def set(self, **settings):
        with transaction():
            pgp_list = PGPMailingList.for_list(self.mlist)
            for name, value in settings.items():
                setattr(pgp_list, name, value)

    def message(self, subject='[Ant] The real subject', body=None):
        msg = email.message_from_string(
            'From: anne@example.com\nTo: ant@example.com\n'
            'Subject: {}\nMessage-ID: <post-1@example.com>\n\n{}\n'.format(
                subject, body or 'Hello list ' + MARKER), Message)
        return msg

    def send(self, msg=None, recipients=None, **msgdata):
        """Queue msg for the members and run the outgoing runner."""
        msgdata.setdefault('to_list', True)
        config.switchboards['out'].enqueue(
            msg or self.message(), listid=self.mlist.list_id,
            recipients=set(recipients or self.everyone), **msgdata)
        make_testable_runner(OutgoingRunner, 'out').run()

    def run_virgin(self):
        make_testable_runner(VirginRunner, 'virgin').run()
        make_testable_runner(OutgoingRunner, 'out').run()

    def received(self):
        """{recipient: [raw messages]} of what the SMTP server got."""
        if self._received is not None:
            return self._received
        out = self._received = {}
        for msg in SMTPLayer.smtpd.messages:
            raw = msg.as_bytes()
            for rcpt in msg['X-RcptTo'].split(','):
                out.setdefault(rcpt.strip(), []).append(raw)
        return out

    def received_for(self, who) -> list:
        return self.received().get(who.email, [])

    def assertReadable(self, who, raw, signed=True):
        """who decrypts raw; the list signed it if signed."""
        result = who.decrypt(raw)
        self.assertTrue(result.ok, result.status)
        self.assertIn(MARKER, result.plaintext.decode())
        if signed:
            self.assertEqual(result.signer, self.list_key.fingerprint)
        else:
            self.assertIsNone(result.signer)
        self.assertNotIn(MARKER.encode(), raw)
        return result
