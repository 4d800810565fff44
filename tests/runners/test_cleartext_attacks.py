"""Words smuggled into a clearsigned text through the framework around it.

As in test_partly_signed: Eve holds the list's public key and one text
that Anne clearsigned elsewhere.  She leaves Anne's signed words alone and
adds her own where a lenient reader of the cleartext signature framework
(RFC 9580 section 7) does not look, or makes such a reader check other
text than members' programs show.  Each post must be refused, with the
reason named; every one of them went out as Anne's good post before the
framework was read strictly.
"""

import base64
import re
from email.mime.text import MIMEText

from mailman.testing.helpers import get_queue_messages

from mailman_pgp.pgp import packets as P
from mailman_pgp.pgp.armor import SIGNATURE, armor, dearmor
from tests.runners.test_incoming import MARKER
from tests.runners.test_partly_signed import PartlySignedCase

# What Eve wants members to read, in letters that survive base64.
WORDS = 'WireTheMoneyToEveAccountNumber1234NowThanksAnne+'
SIG_BEGIN = '-----BEGIN PGP SIGNATURE-----'


def _split(clearsigned: str) -> tuple[str, bytes]:
    head, sig = clearsigned.split(SIG_BEGIN + '\n')
    return head, dearmor(SIG_BEGIN + '\n' + sig)


def _packet_spelling(words: str, tag: int, before: int) -> bytes:
    """A packet of ``tag`` whose bytes, after ``before`` bytes of other
    data, show ``words`` in the base64 of the armor."""
    body = base64.b64decode(words)
    filler = (-(before + 2)) % 3
    return P.new_packet(tag, b'\0' * filler + body)


class TestCleartextFramework(PartlySignedCase):
    def assertRefused(self, text: str, *what, charset=None):
        inner = MIMEText(text, 'plain', 'utf-8')
        if charset:
            inner.set_param('charset', charset)
        self.post(self.attack(inner))
        if what and what[0] == 'does not verify':
            self.assertRejected('does not verify')
        else:
            self.assertRejected('Only part of the message is signed', *what)
        get_queue_messages('pipeline', expected_count=0)

    def test_words_in_a_hash_header(self):
        text = re.sub(r'(?m)^(Hash: \S+)$',
                      r'\1, Wire the money to Eve ' + MARKER,
                      self.clearsigned())
        self.assertRefused(text, 'its Hash: header is not a list of hash '
                           'algorithm names')

    def test_a_second_hash_header_naming_no_algorithm(self):
        text = re.sub(r'(?m)^(Hash: \S+)$', r'\1\nHash: WireMoney',
                      self.clearsigned())
        self.assertRefused(text, 'names something that is not a hash '
                           'algorithm')

    def test_words_in_extra_checksum_lines(self):
        text = re.sub(r'(?m)^(=[A-Za-z0-9+/]{4})$',
                      '=Wire\n=1000\n=EURs\n=toEv\n=eNow\n' + r'\1',
                      self.clearsigned())
        self.assertRefused(text, 'more than one checksum line')

    def test_words_in_packets_beside_the_signature(self):
        head, sig = _split(self.clearsigned())
        for tag, name in ((P.PADDING, 'padding'), (P.USER_ID, 'user ID'),
                          (P.LITERAL, 'literal data')):
            with self.subTest(name):
                extra = _packet_spelling(WORDS, tag, len(sig))
                armored = armor(sig + extra, SIGNATURE)
                self.assertIn('EveAccountNumber', armored.replace('\n', ''))
                self.assertRefused(head + armored,
                                   f'holds a {name} packet, which is not a '
                                   'signature')

    def test_words_in_the_unhashed_area_of_the_signature(self):
        head, sig = _split(self.clearsigned())
        [packet] = P.iter_packets(sig)
        body = packet.body
        hlen = int.from_bytes(body[4:6], 'big')
        ulen = int.from_bytes(body[6 + hlen:8 + hlen], 'big')
        words = base64.b64decode(WORDS)
        sub = bytes([len(words) + 1, 100]) + words
        body = (body[:6 + hlen] + (ulen + len(sub)).to_bytes(2, 'big')
                + sub + body[8 + hlen:])
        self.assertRefused(head + armor(P.new_packet(P.SIGNATURE, body),
                                        SIGNATURE),
                           'unhashed data (subpacket 100)')

    def test_words_in_a_value_beyond_the_signature_algorithm(self):
        head, sig = _split(self.clearsigned())
        [packet] = P.iter_packets(sig)
        words = base64.b64decode(WORDS)
        body = packet.body + (len(words) * 8).to_bytes(2, 'big') + words
        self.assertRefused(head + armor(P.new_packet(P.SIGNATURE, body),
                                        SIGNATURE),
                           'more values than its algorithm has')

    def test_a_lone_carriage_return_for_a_line_break(self):
        # Terminal programs return to the start of the line and overwrite.
        text = self.clearsigned('Pay Bob 100 EUR\nNot Eve\n').replace(
            'EUR\nNot', 'EUR\rNot')
        self.assertRefused(text, 'carriage return that does not end the '
                           'line')

    def test_characters_python_breaks_lines_at_are_not_line_breaks(self):
        # A guard, not a form that got through: Anne signed two lines;
        # joined by a character that str.splitlines() breaks at but no
        # OpenPGP implementation does, they are other text.
        signed = self.clearsigned('I pay 1\n000 is what Eve asked\n')
        for char in ('\x0c', '\x1c', '\x1e', '\x85', '\u2028'):
            with self.subTest(repr(char)):
                self.assertRefused(signed.replace('1\n000', '1' + char +
                                                  '000'), 'does not verify')

    def test_utf8_text_relabelled_as_another_charset(self):
        text = self.clearsigned('Grüße, wir zahlen 100 €.\n')
        self.assertRefused(text, 'charset iso-8859-1, not UTF-8',
                           charset='iso-8859-1')


class TestStillSigned(PartlySignedCase):
    def test_dash_lines_trailing_blanks_and_utf8_are_accepted(self):
        text = self.clearsigned('Grüße ✓\n- a dash line\n-- \nAnne  \n'
                                'From here\ttab\t\n\nend\n')
        self.post(self.attack(MIMEText(text, 'plain', 'utf-8')))
        item = self.assertAccepted()
        self.assertEqual(item.msgdata['pgp']['unsigned_parts'], [])
        self.assertEqual([s['status'] for s in item.msgdata['pgp'][
            'signatures']], ['good'])
