"""Inside the encryption: literal data, one-pass signatures, compression.

Parsing here (not in PGPy) lets the facade cap decompressed size: PGPy
inflates compressed packets completely, so a tiny message could expand to
gigabytes in memory.
"""

import bz2
import struct
import time
import zlib

from mailman_pgp.pgp import packets as P
from mailman_pgp.pgp.errors import DecompressionBombError, PacketError, UnsupportedError

DEFAULT_MAX_SIZE = 64 * 1024 * 1024


def literal_packet(data: bytes, fmt: bytes = b'b', filename: bytes = b'',
                   date: int | None = None) -> bytes:
    if date is None:
        date = int(time.time())
    body = fmt + bytes([len(filename)]) + filename + struct.pack('>I', date)
    return P.new_packet(P.LITERAL, body + data)


def one_pass_packet(sigtype, halg, pkalg, keyid: bytes, last=True) -> bytes:
    return P.new_packet(P.ONE_PASS, bytes([3, sigtype, halg, pkalg]) + keyid
                        + (b'\x01' if last else b'\x00'))


def compressed_packet(data: bytes) -> bytes:
    """ZLIB-compress data into a compressed data packet."""
    return P.new_packet(P.COMPRESSED, b'\x02' + zlib.compress(data, 6))


def _inflate(body: bytes, limit: int) -> bytes:
    alg = body[0] if body else None
    data = body[1:]
    if alg == 0:
        return data
    try:
        if alg in (1, 2):
            d = zlib.decompressobj(-15 if alg == 1 else 15)
            out = d.decompress(data, limit + 1)
        elif alg == 3:
            d = bz2.BZ2Decompressor()
            out = d.decompress(data, limit + 1)
        else:
            raise UnsupportedError('The message uses an unknown compression '
                                   f'algorithm ({alg}).')
    except (zlib.error, OSError, EOFError):
        raise PacketError('The compressed data in the message is damaged.') \
            from None
    if len(out) > limit:
        raise DecompressionBombError(
            f'The message decompresses to more than {limit} bytes and is refused; '
            'please send it uncompressed or smaller.')
    return out


class Inner:
    """The parsed content of a decrypted (or signed) OpenPGP message."""

    def __init__(self):
        self.literal = None
        self.filename = ''
        self.fmt = 'b'
        self.signatures = []      # raw signature packets (bytes)
        self.one_pass = 0


def parse_inner(data: bytes, max_size: int = DEFAULT_MAX_SIZE,
                _depth: int = 0) -> Inner:
    """Parse literal/one-pass/signature/compressed packets."""
    if _depth > 3:
        raise PacketError('The message nests compressed data too deeply.')
    inner = Inner()
    for p in P.iter_packets(data):
        if p.tag == P.COMPRESSED:
            nested = parse_inner(_inflate(p.body, max_size), max_size,
                                 _depth + 1)
            if inner.literal is not None and nested.literal is not None:
                raise PacketError('The message contains more than one '
                                  'literal data packet.')
            inner.signatures.extend(nested.signatures)
            inner.one_pass += nested.one_pass
            if nested.literal is not None:
                inner.literal = nested.literal
                inner.filename, inner.fmt = nested.filename, nested.fmt
        elif p.tag == P.LITERAL:
            if inner.literal is not None:
                raise PacketError('The message contains more than one '
                                  'literal data packet.')
            b = p.body
            if len(b) < 6:
                raise PacketError('The literal data packet is truncated.')
            n = b[1]
            if len(b) < 6 + n:
                raise PacketError('The literal data packet is truncated.')
            inner.fmt = chr(b[0])
            inner.filename = b[2:2 + n].decode('utf-8', 'replace')
            inner.literal = b[6 + n:]
        elif p.tag == P.ONE_PASS:
            inner.one_pass += 1
        elif p.tag == P.SIGNATURE:
            if p.version == 4:
                inner.signatures.append(p.raw)
        elif p.tag in (P.MARKER, P.PADDING):
            continue
        elif p.tag in (P.SED, P.SEIPD, P.AEAD, P.PKESK, P.SKESK):
            raise PacketError('The message contains encrypted data inside '
                              'encrypted data; please encrypt only once.')
        else:
            raise PacketError(f'Unexpected packet (tag {p.tag}) in the message.'
                              )
    return inner
