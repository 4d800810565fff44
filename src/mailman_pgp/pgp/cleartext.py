"""The cleartext signature framework (RFC 9580 section 7), read strictly.

A clearsigned text is shown to members as it stands, so everything in it
that a mail program displays must be what the signature covers, and the
plugin must read the same text out of it as Sequoia and GnuPG do.  The
framework is therefore read as the RFC writes it and anything else is
refused with its reason (tests/pgp/cleartext holds the differential test
against ``sqop inline-verify`` and gpg, and the cases where this reading is
deliberately stricter than theirs):

- above the empty line, only ``Hash:`` headers, each a comma-separated list
  of hash algorithm names that GnuPG and Sequoia both read, naming every
  signature's hash algorithm (no header means MD5);
- exactly one empty line between the headers and the text;
- every text line that starts with ``-`` is dash-escaped (``- ``);
- only CR LF or LF ends a line; a lone CR is refused (readers disagree on
  whether it breaks the line);
- the text is UTF-8, the character set OpenPGP defines for text (the MIME
  charset label is covered by no signature; relabelled, the same signed
  bytes would show other letters);
- the signature armor has one empty line after its first line, at most one
  checksum line, last, and it matches;
- the armor holds signature packets only, version 4, whose unhashed area
  names the issuer and nothing else, and no values beyond its algorithm's
  (no packet, subpacket or value whose base64 spells text that no
  signature covers).
"""

import codecs
import re
from dataclasses import dataclass, field

from public import public

from mailman_pgp.pgp import packets as P
from mailman_pgp.pgp._sigparse import MPI_COUNT, BadSignaturePacket, Sig
from mailman_pgp.pgp.errors import PGPError

# RFC 9580 table 23 text names that both GnuPG and Sequoia accept in a
# Hash: header (gpg refuses MD5 and the SHA3 names there).
HASH_NAMES = {'SHA1': 2, 'RIPEMD160': 3, 'SHA256': 8, 'SHA384': 9,
              'SHA512': 10, 'SHA224': 11}
_HASH_HEADER = re.compile(r'Hash: ([A-Za-z0-9-]+(?:,[A-Za-z0-9-]+)*)\Z')
# Issuer (16) and Issuer Fingerprint (33) may travel unhashed.
_UNHASHED_OK = {16: 8, 33: 21}
# Charsets in which a text's bytes are read one way only (no state, no
# escape sequences): the bytes checked are the bytes members' programs read.
_PLAIN_CODECS = re.compile(r'(?:ascii|utf-8|latin-1|iso8859-\d+|cp125\d)\Z')
_KNOWN_HEADERS = ('Comment', 'Version', 'Charset', 'MessageID',
                  'NotDashEscaped')
_PACKET_NAMES = {P.MARKER: 'marker', P.LITERAL: 'literal data',
                 P.USER_ID: 'user ID', P.PADDING: 'padding',
                 P.COMPRESSED: 'compressed data', P.ONE_PASS: 'one-pass'}


@public
@dataclass
class ClearSigned:
    """What a SIGNED MESSAGE block carries, read per RFC 9580 section 7."""
    # The bytes the signatures cover (CR LF line ends, trailing blanks
    # removed, no final line end) and the same text as members read it.
    data: bytes = b''
    text: str = ''
    signatures: list = field(default_factory=list)   # raw v4 packets
    # The first thing wrong with the block, in words; None if nothing.
    problem: str | None = None


def _sentence(why: str) -> str:
    return why[:1].lower() + why[1:].rstrip('.')


@public
def read_clearsigned(block, charset: str = 'utf-8') -> ClearSigned:
    """Read a SIGNED MESSAGE ArmorBlock found in text decoded from
    ``charset``; ``problem`` says what makes it not wholly signed."""
    problems = []
    declared = _hash_headers(block.header_lines, problems)
    if block.separator is None or block.separator != '':
        problems.append('the Hash: header is not followed by exactly one '
                        'empty line')
    lines = _undash(block.text_lines, problems)
    text = '\n'.join(lines)
    data = '\r\n'.join(lines)
    _check_charset(data, charset, problems)
    problems.extend(_sentence(p) for p in block.problems)
    signatures = _signatures(block.data, declared, problems)
    return ClearSigned(_encode(data, charset), text + '\n', signatures,
                       problems[0] if problems else None)


def _hash_headers(header_lines, problems) -> set:
    """The hash algorithms the Hash: headers declare (MD5 if none).

    Reasons never quote the post's text: a rejection notice is sent
    unencrypted, and the post may have been encrypted.
    """
    declared = set()
    for line in header_lines:
        m = _HASH_HEADER.match(line)
        if m is None:
            name = line.split(':', 1)[0]
            problems.append(
                'its Hash: header is not a list of hash algorithm names'
                if name == 'Hash' else
                'an armor header line ({}) above the signed text, which no '
                'signature covers; only Hash: may stand there'.format(
                    name if name in _KNOWN_HEADERS else 'unknown name'))
            continue
        for name in m.group(1).split(','):
            if name not in HASH_NAMES:
                problems.append('its Hash: header names something that is '
                                'not a hash algorithm (known: {})'.format(
                                    ', '.join(HASH_NAMES)))
            else:
                declared.add(HASH_NAMES[name])
    if not header_lines:
        declared.add(1)         # RFC 4880: no Hash: header means MD5
    return declared


def _undash(text_lines, problems) -> list:
    """The text lines with dash-escaping undone and trailing blanks
    removed, as the signature covers them (RFC 9580 section 7.2)."""
    out = [line[2:] if line[:2] == '- ' else line for line in text_lines]
    out = [line.rstrip(' \t') for line in out]
    for number, line in enumerate(text_lines, 1):
        if line[:1] == '-' and line[:2] != '- ':
            problems.append('line {} of the signed text starts with "-" '
                            'but is not dash-escaped'.format(number))
            break
    if any('\r' in line for line in text_lines):
        number = next(n for n, line in enumerate(text_lines, 1)
                      if '\r' in line)
        problems.append('line {} of the signed text holds a carriage '
                        'return that does not end the line'.format(number))
    return out


def _encode(data: str, charset: str) -> bytes:
    """The bytes the text was read from."""
    try:
        return data.encode(charset)
    except (LookupError, ValueError):
        return data.encode('utf-8', 'surrogateescape')


def _check_charset(data: str, charset: str, problems) -> None:
    try:
        name = codecs.lookup(charset).name
    except LookupError:
        name = ''
    if data.isascii() and _PLAIN_CODECS.match(name):
        return
    if name != 'utf-8':
        problems.append(
            'the signed text is in the charset {}, not UTF-8: the charset '
            'label is covered by no signature, so send clearsigned text as '
            'UTF-8 (or use PGP/MIME)'.format(charset))


def _signatures(data: bytes, declared: set, problems) -> list:
    """The raw signature packets (each is checked, even one refused here,
    so that the sender hears of both); anything else is a problem."""
    out = []
    try:
        for packet in P.iter_packets(data):
            why = _not_a_document_signature(packet, declared)
            if why:
                problems.append(why)
            if packet.tag == P.SIGNATURE:
                out.append(packet.raw)
    except PGPError as error:
        problems.append('its signature armor holds damaged data ({})'
                        .format(_sentence(str(error))))
    if not out and not problems:
        problems.append('it carries no signature')
    return out


def _not_a_document_signature(packet, declared: set) -> str | None:
    if packet.tag != P.SIGNATURE:
        return 'its signature armor holds a {} packet, which is not a ' \
            'signature'.format(_PACKET_NAMES.get(packet.tag,
                                                 f'tag {packet.tag}'))
    if packet.version != 4:
        return 'its signature armor holds a version {} signature, which ' \
            'this list cannot check'.format(packet.version)
    try:
        sig = Sig(packet.body)
    except BadSignaturePacket:
        return 'its signature packet is malformed'
    if len(sig.mpis) != MPI_COUNT.get(sig.pkalg, len(sig.mpis)):
        # Values beyond what the algorithm has are covered by nothing
        # (a detached signature's are ignored, as Sequoia does; here
        # their base64 is shown).
        return 'its signature packet holds more values than its ' \
            'algorithm has'
    for kind, _critical, body in sig.unhashed:
        if _UNHASHED_OK.get(kind) != len(body):
            return 'its signature carries unhashed data (subpacket {}) ' \
                'that no signature covers'.format(kind)
    if sig.halg not in declared:
        return 'its signature uses hash algorithm {} but the Hash: header ' \
            'does not declare it'.format(_hash_name(sig.halg))
    return None


def _hash_name(halg: int) -> str:
    names = {v: k for k, v in HASH_NAMES.items()}
    return names.get(halg, {1: 'MD5'}.get(halg, str(halg)))
