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
from mailman_pgp.pgp.errors import (
    DecompressionBombError, PacketError, PGPError, UnsupportedError)

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


def _inflate(body: bytes, limit: int, whole: bool = False) -> bytes:
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
    if whole and (not d.eof or d.unused_data):
        # Bytes after the compressed stream are read by nobody, but an
        # armor shows their base64.
        raise PacketError('Its compressed data does not end where its '
                          'packet ends.')
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


# What a signed armored message (shown to members as it stands) may hold:
# RFC 9580 section 10.3's signed message and nothing else.
_NAMES = {P.MARKER: 'marker', P.PADDING: 'padding', P.USER_ID: 'user ID',
          P.TRUST: 'trust', P.SECRET_KEY: 'secret key',
          P.PUBLIC_KEY: 'public key', P.SECRET_SUBKEY: 'secret subkey',
          P.PUBLIC_SUBKEY: 'public subkey', P.MDC: 'MDC',
          P.USER_ATTRIBUTE: 'user attribute'}


def signed_message_problem(data: bytes, check_signature,
                           max_size: int = DEFAULT_MAX_SIZE) -> str | None:
    """What, in a signed message read from an armor members are shown
    (the opaque inline form), is not part of the signed message, in words;
    None if nothing.  parse_inner() skips such packets (padding is right
    inside an encryption), but here their base64 is on show and covered
    by nothing: only one-pass signatures, one literal data packet with no
    file name, its signatures (each as ``check_signature(packet)`` allows)
    and compressed data around them.  Reasons never quote the post."""
    try:
        packets = _packets(data)
        end = _message(packets, 0, check_signature, max_size, 0)
    except _Refused as refused:
        return str(refused)
    except PGPError as error:
        return 'it holds damaged data ({})'.format(
            str(error)[:1].lower() + str(error)[1:].rstrip('.'))
    if end != len(packets):
        return _other(packets[end])
    return None


class _Refused(Exception):
    pass


# More signatures than any mail carries (each nests one level deeper).
_MAX_PACKETS = 64


def _packets(data: bytes) -> list:
    packets = []
    for packet in P.iter_packets(data):
        packets.append(packet)
        if len(packets) > _MAX_PACKETS:
            raise _Refused('it holds more than {} packets'.format(
                _MAX_PACKETS))
    return packets


def _other(packet) -> str:
    if packet.tag in (P.LITERAL, P.COMPRESSED):
        return 'it holds more than one message'
    if packet.tag in (P.ONE_PASS, P.SIGNATURE):
        return 'its signatures and one-pass signatures do not pair up'
    return 'it holds a {} packet, which is not part of a signed ' \
        'message'.format(_NAMES.get(packet.tag, f'tag {packet.tag}'))


def _message(packets, i, check_signature, max_size, depth) -> int:
    """Read one OpenPGP message from packets[i]; the index after it."""
    if i >= len(packets):
        raise _Refused('it holds no literal data')
    packet = packets[i]
    if packet.tag == P.LITERAL:
        body = packet.body
        if len(body) < 6 or len(body) < 6 + body[1]:
            raise PacketError('The literal data packet is truncated.')
        if body[1]:
            raise _Refused('its literal data carries a file name, which no '
                           'signature covers')
        return i + 1
    if packet.tag == P.COMPRESSED:
        if depth > 3:
            raise PacketError('The message nests compressed data too '
                              'deeply.')
        inner = _packets(_inflate(packet.body, max_size, True))
        end = _message(inner, 0, check_signature, max_size, depth + 1)
        if end != len(inner):
            raise _Refused(_other(inner[end]))
        return i + 1
    if packet.tag == P.SIGNATURE:
        # The older form: a signature, then the message it covers.
        _signature(packet, check_signature)
        return _message(packets, i + 1, check_signature, max_size, depth)
    if packet.tag == P.ONE_PASS:
        end = _message(packets, i + 1, check_signature, max_size, depth)
        if end >= len(packets) or packets[end].tag != P.SIGNATURE:
            raise _Refused('its signatures and one-pass signatures do not '
                           'pair up')
        _signature(packets[end], check_signature)
        if not _pairs(packet.body, packets[end].body):
            raise _Refused('a one-pass signature does not describe its '
                           'signature')
        return end + 1
    raise _Refused(_other(packet))


def _signature(packet, check_signature) -> None:
    why = check_signature(packet)
    if why:
        raise _Refused(why)


def _pairs(one_pass: bytes, signature: bytes) -> bool:
    """A version 3 one-pass signature that repeats its signature's type,
    algorithms and a key ID it names, and says nothing else."""
    from mailman_pgp.pgp._sigparse import Sig
    if len(one_pass) != 13 or one_pass[0] != 3 or one_pass[12] > 1:
        return False
    sig = Sig(signature)
    return (tuple(one_pass[1:4]) == (sig.type, sig.halg, sig.pkalg)
            and one_pass[4:12].hex().upper() in sig.issuers)
