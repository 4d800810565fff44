"""``key set`` refuses a key the policy refuses, naming the problem.

The subscriber's key is real (gpg); the attacks change it the way an
attacker or a broken client would: a signing subkey whose back-signature
is gone or belongs to another key, a weak RSA key, SHA-1 self-signatures.
"""

from mailman.interfaces.mailinglist import SubscriptionPolicy

from mailman_pgp.keystore import key_store
from mailman_pgp.pgp import Key, armor
from mailman_pgp.pgp import packets as P
from mailman_pgp.testing.conversation import outbox, results_text, send_command
from mailman_pgp.testing.gpg import Subscriber
from tests.workflows.test_subscription import KeyConversation


def _without_unhashed_backsig(binary: bytes, replace: bytes = b'') -> bytes:
    """gpg keeps the back-signature in the unhashed area of the binding:
    remove it (or put another one there); the binding stays valid."""
    out = b''
    for p in P.iter_packets(binary):
        body = p.body
        if p.tag == P.SIGNATURE and body[1] == 0x18:
            hlen = int.from_bytes(body[4:6], 'big')
            ulen = int.from_bytes(body[6 + hlen:8 + hlen], 'big')
            area = body[8 + hlen:8 + hlen + ulen]
            kept, pos = b'', 0
            while pos < len(area):
                n = area[pos]      # gpg writes short subpackets here
                sub = area[pos:pos + 1 + n] if n < 192 else None
                if sub is None:    # a two-octet length: the embedded sig
                    n = ((area[pos] - 192) << 8) + area[pos + 1] + 192
                    sub = area[pos:pos + 2 + n]
                if sub[-n] & 0x7F != 32:
                    kept += sub
                pos += len(sub)
            kept += replace
            body = body[:6 + hlen] + len(kept).to_bytes(2, 'big') + kept + \
                body[8 + hlen + ulen:]
            out += P.new_packet(P.SIGNATURE, body)
        else:
            out += p.raw
    return out


def _embedded_backsig(binary: bytes) -> bytes:
    """The raw embedded-signature subpacket of the key's signing binding."""
    for p in P.iter_packets(binary):
        body = p.body
        if p.tag == P.SIGNATURE and body[1] == 0x18:
            hlen = int.from_bytes(body[4:6], 'big')
            ulen = int.from_bytes(body[6 + hlen:8 + hlen], 'big')
            area = body[8 + hlen:8 + hlen + ulen]
            pos = 0
            while pos < len(area):
                if area[pos] < 192:
                    n, head = area[pos], 1
                else:
                    n, head = ((area[pos] - 192) << 8) + area[pos + 1] + 192, 2
                if area[pos + head] & 0x7F == 32:
                    return area[pos:pos + head + n]
                pos += head + n
    raise AssertionError('no embedded signature')


class TestKeyPolicyAtKeySet(KeyConversation):
    policy = SubscriptionPolicy.open

    def send_armored(self, armored: str) -> str:
        self.register()
        token = self.key_request()
        send_command(self.mlist, self.anne.plain_mail(
            'ant-request@example.com', 'Re: key set ' + token,
            'Here is my key.\n\n' + armored))
        return results_text(outbox(), self.anne.email)

    def anne_with_signing_subkey(self) -> bytes:
        self.anne.gpg('--quick-add-key', self.anne.fingerprint, 'ed25519',
                      'sign')
        return bytes(Key.load(self.anne.public_key()))

    def assertRefused(self, text, *words):
        for word in words:
            self.assertIn(word, text)
        self.assertIsNone(key_store().address_key(self.anne.email))

    def test_signing_subkey_without_back_signature(self):
        binary = _without_unhashed_backsig(self.anne_with_signing_subkey())
        text = self.send_armored(armor(binary, 'PUBLIC KEY BLOCK'))
        self.assertRefused(text, 'is refused', 'lacks its back signature')

    def test_signing_subkey_with_a_foreign_back_signature(self):
        other = Subscriber('other@example.com')
        try:
            other.gpg('--quick-add-key', other.fingerprint, 'ed25519',
                      'sign')
            foreign = _embedded_backsig(bytes(Key.load(other.public_key())))
        finally:
            other.close()
        binary = _without_unhashed_backsig(self.anne_with_signing_subkey(),
                                           replace=foreign)
        text = self.send_armored(armor(binary, 'PUBLIC KEY BLOCK'))
        self.assertRefused(text, 'is refused', 'no valid back signature')

    def test_key_whose_user_ids_are_all_revoked(self):
        # Its signatures still verify (as for Sequoia), but key set is not
        # verification: a key with no valid user ID is refused.
        from tests.pgp.differential.certs import (
            DAY, T0, Sub, cert, enc_sub)
        from tests.pgp.differential.openpgp import KeyPart
        binary = cert(KeyPart('ed25519', 'alice', T0),
                      [enc_sub(), Sub(KeyPart('ed25519', 'alice-sign', T0))],
                      uid=b'Anne <anne@example.com>',
                      uid_revoked=(T0 + DAY, 0x20))
        text = self.send_armored(armor(binary, 'PUBLIC KEY BLOCK'))
        self.assertRefused(text, 'is refused', 'no valid user ID')


class TestWeakKeysAtKeySet(KeyConversation):
    policy = SubscriptionPolicy.open

    @classmethod
    def setUpClass(cls):
        cls.anne = Subscriber('anne@example.com', 'Anne', algorithm='rsa1024')

    def test_rsa_1024_refused(self):
        text = self.send_armored(self.anne.public_key())
        self.assertIn('cannot be used', text)
        self.assertIn('RSA-1024 is too weak', text)
        self.assertIsNone(key_store().address_key(self.anne.email))

    send_armored = TestKeyPolicyAtKeySet.send_armored


class TestSha1KeyAtKeySet(KeyConversation):
    policy = SubscriptionPolicy.open
    send_armored = TestKeyPolicyAtKeySet.send_armored

    def test_only_sha1_self_signatures_refused(self):
        import time
        time.sleep(1.1)     # the new self-signatures must be the newest
        for extra in ((), ('*',)):
            self.anne.gpg('--cert-digest-algo', 'SHA1',
                          '--allow-weak-key-signatures', '--quick-set-expire',
                          self.anne.fingerprint, '2y', *extra)
        armored = self.anne.gpg('--armor', '--export-options',
                                'export-minimal', '--export',
                                self.anne.fingerprint).stdout.decode()
        text = self.send_armored(armored)
        self.assertIn('cannot be used', text)
        self.assertIn('uses SHA1, refused since 2023-02-01', text)
        self.assertIsNone(key_store().address_key(self.anne.email))
