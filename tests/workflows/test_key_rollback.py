"""No roll-back of a stored key (issue 22, class 1): an older copy of
Anne's key (an older self-signature, no expiry where she set one, without
a revocation) is refused on every path that writes a stored key: key
change, key set, the web, an approved change.  Each is built from real gpg
exports and a signed mail of Anne's from then, sent elsewhere and replayed
here once the stored copy is newer.
"""

import time

from mailman.database.transaction import transaction
from mailman.interfaces.subscriptions import ISubscriptionManager

from mailman_pgp.keystore import key_store
from mailman_pgp.model import PGPAddress, PGPMailingList
from mailman_pgp.testing.conversation import (
    outbox, pick, plain_text, results_text, send_command, statement_in,
    token_of)
from mailman_pgp.testing.gpg import Subscriber
from mailman_pgp.testing.members import set_confirmed_key
from tests.test_clients_e2e import thunderbird_autocrypt
from tests.workflows.test_key_commands import MemberTestCase

REQUEST = 'ant-request@example.com'


class OlderCopies(MemberTestCase):
    """Anne's key as it was: a signed mail of Anne's from then, sent
    elsewhere, replayed here once the stored copy is newer."""

    def setUp(self):
        super().setUp()
        self.anne = Subscriber('anne@example.com', 'Anne', expire='1y')
        self.addCleanup(self.anne.close)
        self.anne.import_key(self.list_key.public_armor())
        with transaction():
            set_confirmed_key(self.anne.email, self.anne.public_key())

    def update_mail(self, note='My key, as it is now.') -> bytes:
        return self.signed_command('key change', note,
                                   attach=self.anne.public_key())

    def later(self, *gpg_args) -> None:
        """Anne changes her key a second later and updates it here."""
        time.sleep(1.1)
        for args in gpg_args:
            self.anne.gpg(*args)
        send_command(self.mlist, self.update_mail('Updated {}.'.format(
            time.time())))
        self.assertIn('updated', results_text(outbox(), self.anne.email))
        self.stored = key_store().address_key(self.anne.email)

    def replay(self, raw: bytes, reason: str) -> None:
        send_command(self.mlist, raw)
        text = results_text(outbox(), self.anne.email)
        self.assertIn('Key not stored', text)
        self.assertIn(reason, text)
        stored = key_store().address_key(self.anne.email)
        self.assertEqual(bytes(stored), bytes(self.stored))


class TestOlderCopyByKeyChange(OlderCopies):
    def test_older_self_signature(self):
        old = self.update_mail()
        self.later(('--quick-set-expire', self.anne.fingerprint, '3y'),
                   ('--quick-set-expire', self.anne.fingerprint, '3y', '*'))
        self.replay(old, 'is older')
        self.assertGreater((self.stored.expires_at
                            - self.stored.created).days, 1000)

    def test_removed_expiry(self):
        # The key had no expiry; Anne set one; the old copy has none.
        self.anne.gpg('--quick-set-expire', self.anne.fingerprint, '0')
        self.anne.gpg('--quick-set-expire', self.anne.fingerprint, '0', '*')
        time.sleep(1.1)
        self.later()
        old = self.update_mail()
        self.later(('--quick-set-expire', self.anne.fingerprint, '2y'),
                   ('--quick-set-expire', self.anne.fingerprint, '2y', '*'))
        self.assertIsNotNone(self.stored.expires_at)
        self.replay(old, 'is older')

    def test_dropped_user_id_revocation(self):
        self.anne.gpg('--quick-add-uid', self.anne.fingerprint,
                      'Anne <anne@work.example.com>')
        time.sleep(1.1)
        self.later()
        old = self.update_mail()
        self.later(('--quick-revoke-uid', self.anne.fingerprint,
                    'Anne <anne@work.example.com>'),)
        self.replay(old, 'it lacks the revocation of user ID "Anne '
                    '<anne@work.example.com>"')


class TestOlderCopyByKeySet(OlderCopies):
    def test_revoked_key_set_again(self):
        # Anne's key was revoked; the list asks for a new key (key set).
        # Her old export, without the revocation, must not un-revoke it.
        before = self.anne.public_key()
        send_command(self.mlist, self.anne.plain_mail(
            REQUEST, 'key revoke', self.anne.revoke()))
        items = outbox()
        self.assertIn('revoked', results_text(items, self.anne.email))
        token = token_of(pick(items, to=self.anne.email, subject='key set'))
        self.stored = key_store().address_key(self.anne.email)
        self.assertTrue(self.stored.usability().revoked)
        self.replay(self.anne.plain_mail(REQUEST, 'Re: key set ' + token,
                                         before),
                    'it lacks the revocation of the key')

    def test_autocrypt_header_never_replaces_a_stored_key(self):
        send_command(self.mlist, self.anne.plain_mail(
            REQUEST, 'key revoke', self.anne.revoke()))
        token = token_of(pick(outbox(), to=self.anne.email,
                              subject='key set'))
        eve = Subscriber('anne@example.com', 'Eve')
        self.addCleanup(eve.close)
        send_command(self.mlist, thunderbird_autocrypt(eve)
                     + self.anne.plain_mail(REQUEST, 'Re: key set ' + token,
                                            'My key is in the header.'))
        text = ' '.join(results_text(outbox(), self.anne.email).split())
        self.assertIn('a key in an Autocrypt header never replaces it', text)
        self.assertEqual(key_store().address_key(self.anne.email)
                         .fingerprint, self.anne.fingerprint)


class TestOlderCopyOverTheWeb(OlderCopies):
    """The web UI's change: the key and a detached signature over it."""

    def change(self, armored: str, signature: str):
        from tests.rest.support import call
        return call('POST', 'lists/ant.example.com/keys/' + self.anne.email,
                    json={'action': 'change', 'key': armored,
                          'signature': signature})

    def signed_key(self):
        armored = self.anne.public_key()
        return armored, self.anne.gpg('--armor', '--detach-sign',
                                      input=armored).stdout.decode()

    def test_older_self_signature(self):
        old = self.signed_key()
        time.sleep(1.1)
        self.anne.gpg('--quick-set-expire', self.anne.fingerprint, '3y')
        result = self.change(*self.signed_key())
        self.assertEqual(result.status_code, 200, result.text)
        self.stored = key_store().address_key(self.anne.email)
        result = self.change(*old)
        self.assertEqual(result.status_code, 400, result.text)
        self.assertIn('Key not stored', result.text)
        self.assertEqual(bytes(key_store().address_key(self.anne.email)),
                         bytes(self.stored))


class TestOlderCopyByApprovedChange(MemberTestCase):
    """Two moderated changes to one new key, approved in the wrong order:
    the older copy must not replace the newer one."""

    def request_change(self, new) -> str:
        send_command(self.mlist, self.signed_command(
            'key change', 'My new key.', attach=new.public_key()))
        request = pick(outbox(), to=self.anne.email, subject='key confirm')
        signed = new.gpg('--clearsign', input=statement_in(
            new.decrypt(request.msg.as_bytes()).plaintext)).stdout.decode()
        send_command(self.mlist, new.plain_mail(
            REQUEST, 'Re: key confirm ' + token_of(request), signed))
        notice = pick(outbox(), to='ant-owner@example.com')
        return plain_text(notice.msg).split('confirm ')[1].split()[0]

    def test_approvals_in_the_wrong_order(self):
        with transaction():
            PGPMailingList.for_list(self.mlist).key_change_workflow = \
                'pgp-key-change-mod-workflow'
        new = Subscriber('anne@example.com', 'Anne', expire='1y')
        self.addCleanup(new.close)
        new.import_key(self.list_key.public_armor())
        first = self.request_change(new)
        time.sleep(1.1)
        new.gpg('--quick-set-expire', new.fingerprint, '3y')
        second = self.request_change(new)
        ISubscriptionManager(self.mlist).confirm(second)
        stored = key_store().address_key(self.anne.email)
        self.assertEqual(stored.fingerprint, new.fingerprint)
        ISubscriptionManager(self.mlist).confirm(first)
        self.assertEqual(bytes(key_store().address_key(self.anne.email)),
                         bytes(stored))
        self.assertTrue(PGPAddress.for_email(self.anne.email).key_confirmed)
