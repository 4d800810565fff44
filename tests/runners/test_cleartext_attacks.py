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
from mailman_pgp.pgp._sigparse import subpackets
from mailman_pgp.pgp.armor import SIGNATURE, armor, dearmor
from tests.runners.test_incoming import MARKER
from tests.runners.test_partly_signed import ATTACK, PartlySignedCase

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


def _with_unhashed(body: bytes, extra: bytes) -> bytes:
    """A v4 signature packet body with ``extra`` subpackets added to its
    unhashed area."""
    hlen = int.from_bytes(body[4:6], 'big')
    ulen = int.from_bytes(body[6 + hlen:8 + hlen], 'big')
    return (body[:6 + hlen] + (ulen + len(extra)).to_bytes(2, 'big')
            + body[8 + hlen:8 + hlen + ulen] + extra
            + body[8 + hlen + ulen:])


def _spelled(build) -> str:
    """The armor ``build(words)`` makes from the bytes of WORDS, shifted
    (by leading zero bytes) until its base64 shows them."""
    words = base64.b64decode(WORDS)
    for shift in range(3):
        armored = build(b'\0' * shift + words)
        if 'WireThe' in armored.replace('\n', ''):
            return armored
    raise AssertionError('the words do not show')


class RefusedCase(PartlySignedCase):
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


class TestCleartextFramework(RefusedCase):
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

    def test_words_in_extra_issuers_in_the_unhashed_area(self):
        # Verification tries every issuer a signature names, so issuer
        # subpackets that name no key cost Eve nothing; each carries 8 or
        # 20 bytes of her choice, shown as base64 in the armor.
        head, sig = _split(self.clearsigned())
        [packet] = P.iter_packets(sig)
        hlen = int.from_bytes(packet.body[4:6], 'big')

        def fingerprints(words):
            words = words.ljust(40, b'!')
            return b''.join(bytes([22, 33, 4]) + words[i:i + 20]
                            for i in range(0, 40, 20))

        def key_id(words):
            return bytes([9, 16]) + words[:8]

        for name, extra in (('fingerprints', fingerprints),
                            ('key ID', key_id)):
            with self.subTest(name):
                armored = _spelled(lambda w, x=extra: armor(P.new_packet(
                    P.SIGNATURE, _with_unhashed(packet.body, x(w))),
                    SIGNATURE))
                self.assertRefused(head + armored,
                                   'names more than one issuer')
        # One fingerprint, of the right key ID but not the one the hashed
        # area carries: its first 12 bytes are Eve's.
        issuer = [body for kind, _c, body in subpackets(
            packet.body[6:6 + hlen]) if kind == 33][0]
        forged = bytes([22, 33, 4]) + base64.b64decode(WORDS)[:12] + \
            issuer[-8:]
        armored = armor(P.new_packet(
            P.SIGNATURE, _with_unhashed(packet.body, forged)), SIGNATURE)
        self.assertRefused(head + armored, 'an issuer fingerprint that no '
                           'signature covers')

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

    def test_a_needless_dash_escape(self):
        # Readers remove "- " before any line; members who read the text
        # as it stands see a minus sign Anne never wrote.
        text = self.clearsigned('Balance after the party:\n500 EUR\n')
        self.assertRefused(text.replace('\n500 EUR', '\n- 500 EUR'),
                           'line 2 of the signed text is dash-escaped but '
                           'does not start with "-" or "From "')

    def test_utf8_text_relabelled_as_another_charset(self):
        text = self.clearsigned('Grüße, wir zahlen 100 €.\n')
        self.assertRefused(text, 'charset iso-8859-1, not UTF-8',
                           charset='iso-8859-1')


class TestCharsetLabel(RefusedCase):
    # pgp/_email.py decoded_text(): a part its declared charset cannot
    # decode is read as UTF-8 instead (and called UTF-8), so the check
    # that clearsigned text is UTF-8 passes while members' programs decode
    # the same bytes with the label: "Ł" (C5 81) is no windows-1252 for
    # Python, but "Å" and a control character for browsers and Thunderbird
    # (WHATWG), so members read other letters than Anne signed.  The fix
    # belongs to the strict decoding (pgp/decode.py reads the declared
    # charset only; failed on main f496b91).  (A label Python does not
    # know at all, such as x-mac-cyrillic, makes stock Mailman's
    # administrivia rule raise, and the post is shunted.)
    def test_a_charset_python_cannot_decode_the_text_with(self):
        inner = MIMEText(self.clearsigned('Łódź: zapłacę 100 zł.\n'),
                         'plain', 'utf-8')
        inner.set_param('charset', 'windows-1252')
        self.post(self.attack(inner))
        self.assertRejected('windows-1252')


class TestSignedInsideInlineEncryption(RefusedCase):
    """Anne's clearsigned signature is a text signature over her text's
    bytes; as literal data beside it, encrypted to the list key, it is a
    message signed inside the encryption.  The text members got was read
    from those bytes in the charset the armor's Charset: header names, a
    header no signature covers."""

    def test_a_charset_header_on_the_encrypted_armor(self):
        from mailman_pgp.pgp._inner import literal_packet
        from mailman_pgp.pgp.crypto import _encrypt_plain
        for amount, charset in enumerate(('latin-1', 'utf-16-le', 'utf-8')):
            with self.subTest(charset):
                # A text of Anne's each time: no replay to stop the post.
                text = f'Grüße: wir zahlen {amount} €.'
                _head, sig = _split(self.clearsigned(text + '\n'))
                armored = _encrypt_plain(
                    literal_packet(text.encode(), b'u') + sig,
                    [self.list_key.public], False, True)
                self.post(self.anne.plain_mail(
                    'ant@example.com', 'Hi', armored.replace(
                        '-----BEGIN PGP MESSAGE-----\n',
                        f'-----BEGIN PGP MESSAGE-----\nCharset: {charset}\n')))
                if charset != 'utf-8':
                    self.assertRejected('Only part of the message is signed',
                                        f'the charset {charset}, not UTF-8')
                    get_queue_messages('pipeline', expected_count=0)
                    continue
                item = self.assertAccepted()
                self.assertEqual([s['status'] for s in item.msgdata[
                    'pgp']['signatures']], ['good'])
                self.assertIn(text, item.msg.get_payload(
                    decode=True).decode('utf-8'))

class TestDamagedArmorBesideAnInlineEncryptedPart(RefusedCase):
    def test_a_part_with_a_damaged_armor_is_not_skipped(self):
        # A text part whose armored block could not be read was taken for
        # an empty part: the post counted as wholly inline-encrypted and
        # wholly signed, and Eve's unencrypted, unsigned part went out
        # with Anne's good signature.
        from email.mime.multipart import MIMEMultipart
        encrypted = self.anne.gpg(
            '--armor', '--encrypt', '--recipient', self.list_key.fingerprint,
            input=self.clearsigned()).stdout.decode()
        inner = MIMEMultipart('mixed')
        inner.attach(MIMEText(encrypted))
        inner.attach(MIMEText('Wire the money to Eve ' + MARKER + '\n\n'
                              '-----BEGIN PGP MESSAGE-----\n\nnot base64\n'))
        self.post(self.anne._outer('ant@example.com', 'Hi', None, inner))
        get_queue_messages('pipeline', expected_count=0)
        bounce = get_queue_messages('virgin', expected_count=1)[0].msg
        self.assertIn('Only part of the message is encrypted',
                      bounce.as_string())


class TestSignaturePartOfPgpMime(RefusedCase):
    # The application/pgp-signature part of a multipart/signed is read
    # with dearmor() and signature_packets(): text around the armor, armor
    # headers and padding packets are skipped.  Mail programs that do not
    # check PGP show the part as an attachment (signature.asc) members can
    # open, so the delivered copy carries a fresh signature part holding
    # the signature packets alone (pgp/delivered.py; failed on main
    # f496b91, where the part went out as received).
    def test_words_around_and_inside_the_signature_part(self):
        signed = self.anne._signed_entity('I agree with the plan.\n')
        part = signed.get_payload()[1]
        raw = dearmor(part.get_payload())
        part.set_payload(ATTACK + '\n\n' + _spelled(lambda w: armor(
            raw + P.new_packet(P.PADDING, w), SIGNATURE,
            {'Comment': ATTACK})))
        self.post(self.attack(signed))
        for item in get_queue_messages('pipeline'):
            delivered = item.msg.as_string()
            self.assertNotIn(MARKER, delivered)
            self.assertNotIn('EveAccount', delivered.replace('\n', ''))


class TestStillSigned(PartlySignedCase):
    def test_dash_lines_trailing_blanks_and_utf8_are_accepted(self):
        text = self.clearsigned('Grüße ✓\n- a dash line\n-- \nAnne  \n'
                                'From here\ttab\t\n\nend\n')
        self.post(self.attack(MIMEText(text, 'plain', 'utf-8')))
        item = self.assertAccepted()
        self.assertEqual(item.msgdata['pgp']['unsigned_parts'], [])
        self.assertEqual([s['status'] for s in item.msgdata['pgp'][
            'signatures']], ['good'])


class TestSignedArmoredMessage(RefusedCase):
    """The opaque inline form: a -----BEGIN PGP MESSAGE----- armor holding
    Anne's one-pass signature, literal data and signature, shown to members
    as it stands.  Packets and bytes beside the signed message were
    skipped, so their base64 could spell Eve's words."""

    def signed(self, compress: str = 'none') -> list:
        armored = self.anne.gpg('--sign', '--armor', '--compress-algo',
                                compress, '--local-user',
                                self.anne.fingerprint,
                                input='I agree with the plan.\n')
        return list(P.iter_packets(dearmor(armored.stdout.decode())))

    def assertArmorRefused(self, build, *what):
        self.assertRefused(_spelled(lambda w: armor(build(w))), *what)

    def test_padding_and_marker_packets(self):
        packets = b''.join(p.raw for p in self.signed())
        for tag, name in ((P.PADDING, 'padding'), (P.MARKER, 'marker')):
            with self.subTest(name):
                self.assertArmorRefused(
                    lambda w, t=tag: packets + P.new_packet(t, w),
                    f'it holds a {name} packet, which is not part of a '
                    'signed message')

    def test_a_signature_packet_of_another_version(self):
        packets = b''.join(p.raw for p in self.signed())
        self.assertArmorRefused(
            lambda w: packets + P.new_packet(P.SIGNATURE, b'\x05' + w),
            'signatures and one-pass signatures do not pair up')

    def test_an_extra_one_pass_signature(self):
        one_pass, literal, signature = self.signed()
        self.assertArmorRefused(
            lambda w: P.new_packet(P.ONE_PASS, one_pass.body[:4] + w[:8]
                                   + b'\x01') + one_pass.raw + literal.raw
            + signature.raw,
            'signatures and one-pass signatures do not pair up')

    def test_a_file_name_in_the_literal_data(self):
        # A version 4 signature does not cover the literal data's header.
        one_pass, literal, signature = self.signed()
        body = literal.body
        self.assertArmorRefused(
            lambda w: one_pass.raw + P.new_packet(
                P.LITERAL, body[:1] + bytes([len(w)]) + w + body[2:])
            + signature.raw,
            'literal data carries a file name, which no signature covers')

    def test_bytes_after_the_compressed_stream(self):
        import zlib
        packets = b''.join(p.raw for p in self.signed())
        self.assertArmorRefused(
            lambda w: P.new_packet(P.COMPRESSED, b'\x02'
                                   + zlib.compress(packets) + w),
            'compressed data does not end where its packet ends')

    def test_extra_issuers_in_the_signature(self):
        one_pass, literal, signature = self.signed()
        self.assertArmorRefused(
            lambda w: one_pass.raw + literal.raw + P.new_packet(
                P.SIGNATURE, _with_unhashed(signature.body,
                                            bytes([9, 16]) + w[:8])),
            'names more than one issuer')


class TestSignedArmoredMessageStillSigned(PartlySignedCase):
    def test_gpg_signed_armored_messages_are_accepted(self):
        for compress in ('none', 'zip', 'zlib', 'bzip2'):
            with self.subTest(compress):
                armored = self.anne.gpg(
                    '--sign', '--armor', '--compress-algo', compress,
                    '--local-user', self.anne.fingerprint,
                    input=f'I agree ({compress}).\n').stdout.decode()
                self.post(self.attack(MIMEText(armored)))
                item = self.assertAccepted()
                self.assertEqual(item.msgdata['pgp']['unsigned_parts'], [])
                self.assertEqual([s['status'] for s in item.msgdata['pgp'][
                    'signatures']], ['good'])
