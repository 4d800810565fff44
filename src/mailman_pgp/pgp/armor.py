"""ASCII armor (RFC 4880 section 6), its checksum from pgp/_crc.py.

This is the only armor code the facade uses, for reading and for
writing.
"""

import base64
import binascii
import functools
import itertools
import re
import struct
from dataclasses import dataclass, field

from public import public

from mailman_pgp.pgp._crc import crc24
from mailman_pgp.pgp.errors import ArmorError

public(crc24=crc24)

MESSAGE = 'MESSAGE'
PUBLIC_KEY = 'PUBLIC KEY BLOCK'
PRIVATE_KEY = 'PRIVATE KEY BLOCK'
SIGNATURE = 'SIGNATURE'
SIGNED_MESSAGE = 'SIGNED MESSAGE'

public(MESSAGE=MESSAGE, PUBLIC_KEY=PUBLIC_KEY, PRIVATE_KEY=PRIVATE_KEY,
       SIGNATURE=SIGNATURE, SIGNED_MESSAGE=SIGNED_MESSAGE)

_BLOCK_TYPES = (MESSAGE, PUBLIC_KEY, PRIVATE_KEY, SIGNATURE)
_BEGIN = re.compile(
    r'^-----BEGIN PGP (MESSAGE|PUBLIC KEY BLOCK|PRIVATE KEY BLOCK|SIGNATURE'
    r'|SIGNED MESSAGE|MESSAGE, PART \d+(?:/\d+)?)-----[ \t]*\r?$',
    re.MULTILINE)
_HEADER = re.compile(r'^([!-9;-~]+): ?(.*)$')


@public
@dataclass
class ArmorBlock:
    """One armored block found in a text."""
    kind: str
    data: bytes
    headers: dict = field(default_factory=dict)
    start: int = 0
    end: int = 0
    # For SIGNED MESSAGE, as written (pgp/cleartext.py reads them): the
    # header lines above the cleartext, the line that ends them, and the
    # dash-escaped lines of the cleartext.
    header_lines: list = field(default_factory=list)
    separator: str | None = None
    text_lines: list = field(default_factory=list)
    # For SIGNED MESSAGE: what is wrong with the signature's armor, in
    # words (the signature is still read, so the reason can be shown).
    problems: list = field(default_factory=list)


# Lines are cut by struct unpacks (in C): whole blocks of 64 lines, then
# the remaining full lines (a list comprehension of slices was a third of
# the armor's time).  Formats stay small whatever the input's size.
_BLOCK_OF_LINES = struct.Struct('64s' * 64)


@functools.lru_cache(maxsize=64)
def _full_lines(count: int) -> struct.Struct:
    return struct.Struct('64s' * count)


def _lines64(b64: bytes) -> list:
    """b64 cut in lines of 64 characters."""
    cut = len(b64) - len(b64) % _BLOCK_OF_LINES.size
    lines = list(itertools.chain.from_iterable(
        _BLOCK_OF_LINES.iter_unpack(memoryview(b64)[:cut])))
    rest = b64[cut:]
    full = len(rest) // 64
    if full:
        lines.extend(_full_lines(full).unpack_from(rest))
    if len(rest) % 64:
        lines.append(rest[full * 64:])
    return lines


@public
def armor(data: bytes, kind: str = MESSAGE, headers=None) -> str:
    """Armor binary OpenPGP data; the text ends with a newline."""
    data = bytes(data)
    lines = [f'-----BEGIN PGP {kind}-----'.encode('ascii')]
    for key, value in (headers or {}).items():
        lines.append(f'{key}: {value}'.encode('utf-8'))
    lines.append(b'')
    lines.extend(_lines64(base64.b64encode(data)))
    # Kept though RFC 9580 allows leaving it out: GnuPG needs it (T7071).
    lines.append(b'=' + base64.b64encode(crc24(data).to_bytes(3, 'big')))
    lines.append(f'-----END PGP {kind}-----\n'.encode('ascii'))
    return b'\n'.join(lines).decode('utf-8')


def _as_text(text) -> str:
    if isinstance(text, (bytes, bytearray, memoryview)):
        return bytes(text).decode('utf-8', 'surrogateescape')
    return text


@public
def is_armored(text) -> bool:
    """True if the text contains the start of an armored PGP block."""
    return _BEGIN.search(_as_text(text)) is not None


def _blank(line: str) -> bool:
    return not line.strip(' \t')


def _parse_body(lines, i, kind, problems=None):
    """Parse headers, base64 body, CRC and END line starting at lines[i].

    With a problems list (the signature of a clearsigned text), what the
    armor may not hold is noted there rather than raised, so that the
    reason reaches the sender; the data is still returned when readable.
    """
    def wrong(why):
        if problems is None:
            raise ArmorError(why)
        problems.append(why)

    headers = {}
    while i < len(lines) and not _blank(lines[i]):
        m = _HEADER.match(lines[i].rstrip(' \t'))
        if m is None:
            # No header section at all: RFC 9580 6.2 wants an empty line;
            # other blocks are read leniently, a signature is not.
            if problems is not None:
                problems.append('the signature armor has no empty line '
                                'after its first line')
            break
        headers[m.group(1)] = m.group(2)
        i += 1
    while i < len(lines) and _blank(lines[i]):
        i += 1
    body = []
    crc = None
    end = f'-----END PGP {kind}-----'
    while True:
        if i >= len(lines):
            raise ArmorError(
                f'The armored PGP {kind.lower()} block has no END line; it was probably '
                'cut off in transit.')
        # A clearsigned text's signature: blanks are spaces and tabs only
        # (as for Sequoia and gpg); other blocks may have come through
        # HTML (a no-break space at a line's end).
        line = lines[i].strip(' \t') if problems is not None else \
            lines[i].strip()
        i += 1
        if line == end:
            break
        if line.startswith('-----'):
            raise ArmorError(f'The armored PGP {kind.lower()} block ends with a wrong '
                             'END line.')
        if not line:
            continue
        if line.startswith('=') and len(line) == 5:
            if crc is not None:
                wrong(f'the armored PGP {kind.lower()} block has more than '
                      'one checksum line')
            crc = line[1:]
            continue
        if crc is not None:
            wrong(f'the armored PGP {kind.lower()} block has text after its '
                  'checksum line')
        body.append(line)
    joined = ''.join(body)
    try:
        data = base64.b64decode(joined + '=' * (-len(joined) % 4)
                                if '=' not in joined else joined,
                                validate=True)
    except (binascii.Error, ValueError):
        raise ArmorError(f'The armored PGP {kind.lower()} block contains characters that '
                         'are not base64; it was damaged in transit.'
                         ) from None
    if crc is None and problems is not None and not joined.endswith('='):
        # GnuPG (2.2) then reads the END line as base64 and fails.
        problems.append('the signature armor has neither a checksum line '
                        'nor base64 padding, so GnuPG cannot tell where it '
                        'ends')
    if crc is not None:
        try:
            want = int.from_bytes(base64.b64decode(crc, validate=True), 'big')
        except (binascii.Error, ValueError):
            want = None
        if want is None:
            wrong('The armor checksum line is malformed.')
        elif want != crc24(data):
            wrong(f'The armor checksum does not match: the PGP {kind.lower()} '
                  'block was damaged in transit.')
    if not data:
        raise ArmorError(f'The armored PGP {kind.lower()} block is empty.'
                         )
    return data, headers, i


def _lines(text: str):
    """(lines without their line ending, offset of each line and of the
    end).  Only LF (or CR LF) ends a line, as in OpenPGP: a lone CR, a
    form feed or U+2028 is a character of the line (str.splitlines would
    break there, and the text checked would differ from the text signed).
    """
    raw = text.split('\n')
    if raw and raw[-1] == '':
        raw.pop()
    offsets = [0, *itertools.accumulate(len(line) + 1 for line in raw)]
    offsets[-1] = min(offsets[-1], len(text))
    if '\r' in text:
        raw = [line[:-1] if line.endswith('\r') else line for line in raw]
    return raw, offsets


_SIGNATURE_BEGIN = '-----BEGIN PGP SIGNATURE-----'


def _is_signature_begin(line: str) -> bool:
    return line.rstrip(' \t') == _SIGNATURE_BEGIN


def _signed_message(stripped, i, offsets):
    """The SIGNED MESSAGE block whose first line is stripped[i], framed as
    RFC 9580 section 7 says; pgp/cleartext.py judges its parts."""
    j = i + 1
    header_lines = []
    while j < len(stripped) and not _blank(stripped[j]) and \
            not _is_signature_begin(stripped[j]):
        header_lines.append(stripped[j])
        j += 1
    separator = None
    if j < len(stripped) and not _is_signature_begin(stripped[j]):
        separator = stripped[j]
        j += 1
    k = next((n for n in range(j, len(stripped))
              if stripped[n].startswith(_SIGNATURE_BEGIN)
              and _is_signature_begin(stripped[n])), len(stripped))
    if k >= len(stripped):
        raise ArmorError('The clearsigned message has no signature '
                         'block; it was probably cut off.')
    problems = []
    data, headers, end = _parse_body(stripped, k + 1, SIGNATURE, problems)
    block = ArmorBlock(SIGNED_MESSAGE, data, headers, offsets[i],
                       offsets[end], header_lines, separator,
                       stripped[j:k], problems)
    return block, end


@public
def find_blocks(text) -> list:
    """Return every armored block in text, in order, as ArmorBlock objects.

    A SIGNED MESSAGE block (cleartext signature) carries its cleartext and
    the binary signature.
    """
    text = _as_text(text)
    stripped, offsets = _lines(text)
    blocks = []
    i = 0
    while i < len(stripped):
        m = _BEGIN.match(stripped[i])
        if m is None:
            i += 1
            continue
        kind = m.group(1)
        start = offsets[i]
        if kind.startswith('MESSAGE, PART'):
            raise ArmorError('Multi-part armored messages are not supported; '
                             'please send the message in one piece.')
        if kind == SIGNED_MESSAGE:
            block, i = _signed_message(stripped, i, offsets)
            blocks.append(block)
            continue
        data, headers, i = _parse_body(stripped, i + 1, kind)
        blocks.append(ArmorBlock(kind, data, headers, start, offsets[i]))
    return blocks


@public
def dearmor(data, kind=None) -> bytes:
    """Return binary OpenPGP data from armored or binary input.

    Binary input is returned as is. Armored input must hold exactly one
    block (of the given kind if kind is not None).
    """
    if isinstance(data, (bytes, bytearray, memoryview)):
        data = bytes(data)
        if data[:1] and data[0] & 0x80:
            return data
        text = data.decode('utf-8', 'surrogateescape')
    else:
        text = data
    blocks = find_blocks(text)
    if not blocks:
        raise ArmorError('No armored PGP data was found (expected a '
                         '"-----BEGIN PGP ...-----" block).')
    if len(blocks) > 1:
        raise ArmorError('Several armored PGP blocks were found where one '
                         'was expected.')
    if kind is not None and blocks[0].kind != kind:
        raise ArmorError(f'Expected an armored PGP {kind.lower()}, found a PGP {blocks[0].kind.lower()}.')
    return blocks[0].data
