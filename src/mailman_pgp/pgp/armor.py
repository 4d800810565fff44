"""ASCII armor (RFC 4880 section 6) with a table-driven CRC24.

PGPy computes the armor checksum bit by bit (about 0.7 s per MB); this
module does it with a 256-entry table and is the only armor code the
facade uses, for reading and for writing.
"""

import base64
import binascii
import functools
import re
from dataclasses import dataclass, field

from public import public

from mailman_pgp.pgp.errors import ArmorError

_CRC24_INIT = 0xB704CE
_CRC24_POLY = 0x1864CFB


def _make_table():
    table = []
    for i in range(256):
        crc = i << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= _CRC24_POLY
        table.append(crc & 0xFFFFFF)
    return tuple(table)


_TABLE = _make_table()


def _crc24_table(data: bytes) -> int:
    crc = _CRC24_INIT
    table = _TABLE
    for b in data:
        crc = ((crc << 8) & 0xFFFFFF) ^ table[((crc >> 16) ^ b) & 0xFF]
    return crc


# Large inputs: the CRC is (init * x^8n + M(x) * x^24) mod P(x) over GF(2).
# Python's big integers shift and XOR whole megabytes in C, so the
# remainder is taken by folding the polynomial in halves: v = h * x^k + l
# becomes h * (x^k mod P) + l, a carry-less product by a 24-bit constant
# (one shift+XOR per set bit; k is picked near the middle for few bits).

def _clmul_small(a, b):
    r = 0
    while b:
        if b & 1:
            r ^= a
        a <<= 1
        b >>= 1
    return r


def _reduce_small(v):
    for i in range(v.bit_length() - 1, 23, -1):
        if (v >> i) & 1:
            v ^= _CRC24_POLY << (i - 24)
    return v


@functools.lru_cache(maxsize=512)
def _xpow(k):
    """x^k mod P."""
    result, base = 1, 2
    while k:
        if k & 1:
            result = _reduce_small(_clmul_small(result, base))
        base = _reduce_small(_clmul_small(base, base))
        k >>= 1
    return result


@functools.lru_cache(maxsize=512)
def _fold(k0):
    """(k, bit positions of x^k mod P) for k near k0 with the fewest bits:
    the same for every input of one length (each copy of a post)."""
    c = cc = _xpow(k0)
    best, k = c.bit_count(), k0
    for j in range(1, 256):
        cc <<= 1
        if cc & 0x1000000:
            cc ^= _CRC24_POLY
        if cc.bit_count() < best:
            best, k, c = cc.bit_count(), k0 + j, cc
    return k, tuple(i for i in range(24) if (c >> i) & 1)


def _polymod(v):
    while v.bit_length() > 256:
        k, bits = _fold(v.bit_length() // 2 - 24)
        h = v >> k
        v &= (1 << k) - 1
        for i in bits:
            v ^= h << i
    return _reduce_small(v)


@public
def crc24(data) -> int:
    """Return the OpenPGP CRC24 of data (bytes-like)."""
    data = bytes(data)
    if len(data) < 256:
        return _crc24_table(data)
    n = len(data)
    return _polymod((_CRC24_INIT << (8 * n))
                    ^ (int.from_bytes(data, 'big') << 24))


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
    # For SIGNED MESSAGE: the (undash-escaped) cleartext and Hash: values.
    cleartext: str | None = None
    hashes: list = field(default_factory=list)
    # For SIGNED MESSAGE: names of header lines other than Hash: above the
    # cleartext (no signature covers them).
    other_headers: list = field(default_factory=list)


@public
def armor(data: bytes, kind: str = MESSAGE, headers=None) -> str:
    """Armor binary OpenPGP data; the text ends with a newline."""
    b64 = base64.b64encode(bytes(data)).decode('ascii')
    lines = [f'-----BEGIN PGP {kind}-----']
    for key, value in (headers or {}).items():
        lines.append(f'{key}: {value}')
    lines.append('')
    lines.extend([b64[i:i + 64] for i in range(0, len(b64), 64)])
    crc = crc24(data).to_bytes(3, 'big')
    lines.append('=' + base64.b64encode(crc).decode('ascii'))
    lines.append(f'-----END PGP {kind}-----')
    return '\n'.join(lines) + '\n'


def _as_text(text) -> str:
    if isinstance(text, (bytes, bytearray, memoryview)):
        return bytes(text).decode('utf-8', 'surrogateescape')
    return text


@public
def is_armored(text) -> bool:
    """True if the text contains the start of an armored PGP block."""
    return _BEGIN.search(_as_text(text)) is not None


def _parse_body(lines, i, kind):
    """Parse headers, base64 body, CRC and END line starting at lines[i]."""
    headers = {}
    while i < len(lines) and lines[i].strip():
        m = _HEADER.match(lines[i].rstrip())
        if m is None:
            # No header section at all: RFC says there must be an empty line,
            # but be lenient when the body starts immediately.
            break
        headers[m.group(1)] = m.group(2)
        i += 1
    while i < len(lines) and not lines[i].strip():
        i += 1
    body = []
    crc = None
    end = f'-----END PGP {kind}-----'
    while True:
        if i >= len(lines):
            raise ArmorError(
                f'The armored PGP {kind.lower()} block has no END line; it was probably '
                'cut off in transit.')
        line = lines[i].strip()
        i += 1
        if line == end:
            break
        if line.startswith('-----'):
            raise ArmorError(f'The armored PGP {kind.lower()} block ends with a wrong '
                             'END line.')
        if line.startswith('=') and len(line) == 5:
            crc = line[1:]
            continue
        if line:
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
    if crc is not None:
        try:
            want = int.from_bytes(base64.b64decode(crc, validate=True), 'big')
        except (binascii.Error, ValueError):
            raise ArmorError('The armor checksum line is malformed.') from None
        if want != crc24(data):
            raise ArmorError(f'The armor checksum does not match: the PGP {kind.lower()} '
                             'block was damaged in transit.'
                             )
    if not data:
        raise ArmorError(f'The armored PGP {kind.lower()} block is empty.'
                         )
    return data, headers, i


def _undash(text_lines):
    out = []
    for line in text_lines:
        line = line.removeprefix('- ')
        out.append(line)
    return out


@public
def find_blocks(text) -> list:
    """Return every armored block in text, in order, as ArmorBlock objects.

    A SIGNED MESSAGE block (cleartext signature) carries its cleartext and
    the binary signature.
    """
    text = _as_text(text)
    # Work on lines but remember character offsets.
    lines = text.splitlines(keepends=True)
    offsets = []
    pos = 0
    for line in lines:
        offsets.append(pos)
        pos += len(line)
    offsets.append(pos)
    stripped = [line.rstrip('\r\n') for line in lines]
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
            j = i + 1
            hashes, other = [], []
            while j < len(stripped) and stripped[j].strip():
                hm = _HEADER.match(stripped[j])
                if hm is None:
                    raise ArmorError('The clearsigned message has a '
                                     'malformed header.')
                if hm.group(1) == 'Hash':
                    hashes.extend(h.strip() for h in hm.group(2).split(','))
                else:
                    other.append(hm.group(1))
                j += 1
            j += 1
            k = j
            while k < len(stripped) and stripped[k].rstrip() != (
                    '-----BEGIN PGP SIGNATURE-----'):
                k += 1
            if k >= len(stripped):
                raise ArmorError('The clearsigned message has no signature '
                                 'block; it was probably cut off.')
            cleartext = '\r\n'.join(_undash(stripped[j:k]))
            data, headers, i = _parse_body(stripped, k + 1, SIGNATURE)
            blocks.append(ArmorBlock(SIGNED_MESSAGE, data, headers, start,
                                     offsets[i], cleartext, hashes, other))
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
