"""A small OpenPGP packet scanner (RFC 4880 section 4).

PGPy fails on newer or damaged packets with unrelated exceptions; this
scanner looks at packet framing and versions first so that each problem is
reported as its specific PGPError.
"""

from dataclasses import dataclass

from public import public

from mailman_pgp.pgp.errors import NoIntegrityError, PacketError

# Packet tags.
PKESK = 1
SIGNATURE = 2
SKESK = 3
ONE_PASS = 4
SECRET_KEY = 5
PUBLIC_KEY = 6
SECRET_SUBKEY = 7
COMPRESSED = 8
SED = 9
MARKER = 10
LITERAL = 11
TRUST = 12
USER_ID = 13
PUBLIC_SUBKEY = 14
USER_ATTRIBUTE = 17
SEIPD = 18
MDC = 19
AEAD = 20
PADDING = 21
KEY_TAGS = (SECRET_KEY, PUBLIC_KEY, SECRET_SUBKEY, PUBLIC_SUBKEY)


@public
@dataclass
class Packet:
    """One packet: tag, body (partial lengths joined) and its raw bytes."""
    tag: int
    body: bytes
    raw: bytes

    @property
    def version(self):
        return self.body[0] if self.body else None


def _truncated():
    return PacketError('The OpenPGP data is truncated; it was probably cut '
                       'off in transit.')


@public
def iter_packets(data: bytes):
    """Yield Packet objects from binary OpenPGP data."""
    data = bytes(data)
    n = len(data)
    pos = 0
    if n == 0:
        raise PacketError('The OpenPGP data is empty.')
    while pos < n:
        start = pos
        ctb = data[pos]
        pos += 1
        if not ctb & 0x80:
            raise PacketError('The data is not OpenPGP data (bad packet '
                              'header); it may be damaged or not PGP at all.')
        if ctb & 0x40:
            tag = ctb & 0x3F
            chunks = []
            while True:
                if pos >= n:
                    raise _truncated()
                o1 = data[pos]
                if o1 < 192:
                    length, pos = o1, pos + 1
                elif o1 < 224:
                    if pos + 1 >= n:
                        raise _truncated()
                    length = ((o1 - 192) << 8) + data[pos + 1] + 192
                    pos += 2
                elif o1 == 255:
                    if pos + 4 >= n:
                        raise _truncated()
                    length = int.from_bytes(data[pos + 1:pos + 5], 'big')
                    pos += 5
                else:
                    # Partial body length.
                    length = 1 << (o1 & 0x1F)
                    pos += 1
                    if pos + length > n:
                        raise _truncated()
                    chunks.append(data[pos:pos + length])
                    pos += length
                    continue
                if pos + length > n:
                    raise _truncated()
                chunks.append(data[pos:pos + length])
                pos += length
                break
            body = chunks[0] if len(chunks) == 1 else b''.join(chunks)
        else:
            tag = (ctb >> 2) & 0x0F
            ltype = ctb & 0x03
            if ltype == 3:
                # Indeterminate length: the rest of the data.
                body = data[pos:]
                pos = n
            else:
                size = 1 << ltype
                if pos + size > n:
                    raise _truncated()
                length = int.from_bytes(data[pos:pos + size], 'big')
                pos += size
                if pos + length > n:
                    raise _truncated()
                body = data[pos:pos + length]
                pos += length
        yield Packet(tag, body, data[start:pos])


@public
def new_packet(tag: int, body: bytes) -> bytes:
    """Frame body as a new-format packet with a definite length."""
    n = len(body)
    if n < 192:
        head = bytes([0xC0 | tag, n])
    elif n < 8384:
        n -= 192
        head = bytes([0xC0 | tag, (n >> 8) + 192, n & 0xFF])
    else:
        head = bytes([0xC0 | tag, 255]) + n.to_bytes(4, 'big')
    return head + body


def check_message_packets(packets):
    """Refuse SED and report newer formats before any decryption."""
    from mailman_pgp.pgp.errors import UnsupportedError
    for p in packets:
        if p.tag == SED:
            raise NoIntegrityError(
                'The message is encrypted without integrity protection '
                '(an obsolete format open to the EFAIL attack) and is '
                'refused. Please update your OpenPGP software and send it '
                'again.')
        if p.tag == AEAD:
            raise UnsupportedError(
                'The message uses AEAD encryption (OCB), a newer format this '
                'list cannot read yet. Please disable AEAD for this key in '
                'your OpenPGP software (e.g. gpg --edit-key: setpref) and '
                'send again.')
        if p.tag == SEIPD and p.version != 1:
            raise UnsupportedError(
                f'The message uses version {p.version} encrypted data (SEIPDv2), a '
                'newer format this list cannot read yet.')
