"""The author's signature from inside the encryption, carried on detached.

A post signed and encrypted in one OpenPGP message (RFC 3156 section 6.2:
what gpg-based clients, Thunderbird and OpenPGP.js send for "sign and
encrypt") has its signature over the decrypted entity's bytes.  Members get
that entity re-encrypted to their own keys, so the signature travels on as
a detached one: a multipart/signed (RFC 3156 section 5) whose first part is
exactly the bytes the author signed and whose second part is the author's
signature packets.  Members' programs then show the author's signature as
they do for the nested form (section 6.1), which every reader checks (gpg,
Thunderbird/RNP, sq, OpenPGP.js, mutt).

Detached rather than the author's own OpenPGP message re-encrypted: the
list still writes the root of what it encrypts (protected headers, the
author's key as ``Autocrypt-Gossip``, a footer beside the signed part) and
may add its own signature over all of it, and the post goes down Mailman's
pipeline as a MIME message like any other.

Readers check a multipart/signed over its first part in CRLF canonical
form.  A text signature (0x01: OpenPGP.js, mutt's gpg --textmode) is the
same over any line ends; a binary one (0x00: gpg, sq, rnp) only over the
exact bytes, which Thunderbird and Enigmail make CRLF as RFC 3156 section 4
asks.  A binary signature over other line ends cannot travel detached:
such a post goes on without the author's signature, and the log says why.
"""

import os
import re

from email.message import Message

from public import public

from mailman_pgp.pgp import packets as P
from mailman_pgp.pgp._email import canonical, parse_bytes
from mailman_pgp.pgp.armor import SIGNATURE, armor
from mailman_pgp.pgp.errors import PGPError

SIG_TYPE = 'application/pgp-signature'
BINARY, TEXT = 0x00, 0x01
# RFC 3156 section 5 / RFC 4880 section 9.4 names of hash algorithms.
MICALGS = {1: 'pgp-md5', 2: 'pgp-sha1', 3: 'pgp-ripemd160',
           8: 'pgp-sha256', 9: 'pgp-sha384', 10: 'pgp-sha512',
           11: 'pgp-sha224', 12: 'pgp-sha3-256', 14: 'pgp-sha3-512'}
_NOT_CRLF = re.compile(rb'(?<!\r)\n|\r(?!\n)')
_LINE_END = re.compile(rb'\r?\n')


def _kinds(raws) -> list:
    """(signature type, hash algorithm) of each raw signature packet."""
    out = []
    for raw in raws:
        packet = next(P.iter_packets(raw))
        if packet.tag != P.SIGNATURE or packet.version not in (4, 6) \
                or len(packet.body) < 4:
            raise PGPError('not a signature packet')
        out.append((packet.body[1], packet.body[3]))
    return out


def _delivered_form(data: bytes, kinds) -> bytes | None:
    """The CRLF bytes a reader will check the signatures over, or None
    when one of them cannot hold over those."""
    if all(kind == BINARY for kind, _ in kinds):
        return data if not _NOT_CRLF.search(data) else None
    if all(kind == TEXT for kind, _ in kinds):
        if b'\r' in data.replace(b'\r\n', b''):
            return None                  # a bare CR: no one canonical form
        return _LINE_END.sub(b'\r\n', data)
    if all(kind in (BINARY, TEXT) for kind, _ in kinds) and \
            not _NOT_CRLF.search(data):
        return data
    return None


def _entity(data: bytes, raws, micalg: str) -> bytes:
    boundary = 'author-signature-' + os.urandom(12).hex()
    while boundary.encode() in data:        # pragma: no cover
        boundary = 'author-signature-' + os.urandom(12).hex()
    signature = armor(b''.join(raws), SIGNATURE).replace('\r\n', '\n')
    head = ('Content-Type: multipart/signed; micalg="{}";\r\n'
            ' protocol="{}";\r\n boundary="{}"\r\n\r\n').format(
                micalg, SIG_TYPE, boundary)
    sig_part = ('Content-Type: {}; name="signature.asc"\r\n'
                'Content-Description: OpenPGP digital signature\r\n'
                'Content-Disposition: attachment; filename="signature.asc"'
                '\r\n\r\n').format(SIG_TYPE) + signature.rstrip('\n') \
        .replace('\n', '\r\n') + '\r\n'
    return (head.encode('ascii') + b'--' + boundary.encode('ascii')
            + b'\r\n' + data + b'\r\n--' + boundary.encode('ascii')
            + b'\r\n' + sig_part.encode('ascii') + b'--'
            + boundary.encode('ascii') + b'--\r\n')


@public
def carried_signature(data: bytes, raws: list) -> tuple[Message | None,
                                                       str | None]:
    """(multipart/signed of ``data`` with the signatures ``raws`` made over
    it, None), or (None, why it cannot be) when readers could not check
    them detached.  Its first part serialises to exactly what was signed.
    """
    if not raws:
        return None, 'no signature'
    try:
        kinds = _kinds(raws)
    except (PGPError, StopIteration):
        return None, 'a signature packet cannot be read'
    expected = _delivered_form(data, kinds)
    if expected is None:
        return None, ('the signature is made over the bytes as given '
                      '(binary mode) and they are not CRLF canonical MIME')
    micalg = ','.join(dict.fromkeys(
        MICALGS.get(halg, 'pgp-unknown') for _, halg in kinds))
    msg = parse_bytes(_entity(data, raws, micalg).replace(b'\r\n', b'\n'))
    parts = msg.get_payload()
    if not isinstance(parts, list) or len(parts) != 2 \
            or canonical(parts[0]) != expected:
        return None, 'the signed entity does not serialise as it was signed'
    return msg, None
