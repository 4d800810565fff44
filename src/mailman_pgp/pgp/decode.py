"""Strict, single decoding of MIME parts: one reading or a refusal.

A signature vouches for bytes; members see what their own program makes
of them.  Whenever two decoders could read a part differently (Python's
email package stops where others go on, or the other way round), no
signature can vouch for what a member sees, so such input is refused here
with the reason, never repaired into something else.  Every path that
decodes a part of a post (the signature checks, inline detection, the
delivered copy) calls this module.
"""

import binascii
import re
from email.message import Message

from public import public

from mailman_pgp.pgp.errors import MessageFormatError

# MIME headers whose duplicates readers resolve differently (first wins in
# Python, last wins elsewhere).
_SINGLE = ('content-type', 'content-transfer-encoding',
           'content-disposition', 'content-description', 'content-id',
           'mime-version')
# Message headers RFC 5322 allows once: a second one is read by some
# programs (the shown From, Subject), not by others (the checked sender).
_ONCE = ('from', 'sender', 'reply-to', 'to', 'cc', 'bcc', 'subject', 'date',
         'message-id', 'in-reply-to', 'references')
_IDENTITY = ('', '7bit', '8bit', 'binary')
_QP_ESCAPE = re.compile(rb'=(?:[0-9A-Fa-f]{2}|$)')
_B64_LINE = re.compile(rb'[A-Za-z0-9+/]*={0,2}')
_BARE_CR = re.compile(rb'\r(?!\n)')


@public
class AmbiguousPartError(MessageFormatError):
    """A part that two mail programs may decode differently."""


def _raw(part: Message) -> bytes:
    """The payload bytes as received (8-bit bytes kept): get_payload()
    would already have decoded them with the declared charset."""
    payload = part._payload
    if isinstance(payload, bytes):
        return payload
    if payload is None:
        return b''
    try:
        return payload.encode('ascii', 'surrogateescape')
    except UnicodeEncodeError:
        # Set as text by the plugin itself (not parsed from bytes).
        return payload.encode('utf-8')


@public
def check_headers(part: Message) -> None:
    """Refuse duplicated MIME headers or Content-Type parameters."""
    names = [name.lower() for name in part.keys()]
    for name in _SINGLE:
        if names.count(name) > 1:
            raise AmbiguousPartError(
                'it has {} {} headers'.format(names.count(name), name))
    for header in ('content-type', 'content-disposition'):
        if header not in names:
            continue
        params = [key.lower() for key, _ in part.get_params(
            [], header=header)[1:]]
        for key in set(params):
            if params.count(key) > 1:
                raise AmbiguousPartError(
                    'its {} names the parameter {} {} times'.format(
                        header, key, params.count(key)))


@public
def check_envelope(msg: Message) -> None:
    """Refuse message headers given twice (RFC 5322 section 3.6)."""
    names = [name.lower() for name in msg.keys()]
    for name in _ONCE:
        if names.count(name) > 1:
            raise AmbiguousPartError(
                'it has {} {} headers'.format(names.count(name), name))


def _lines(data: bytes) -> list:
    if _BARE_CR.search(data):
        raise AmbiguousPartError(
            'it holds a bare carriage return (CR without LF)')
    return data.replace(b'\r\n', b'\n').split(b'\n')


def _quoted_printable(data: bytes) -> bytes:
    for line in _lines(data):
        if not line.isascii():
            raise AmbiguousPartError(
                'its quoted-printable text holds 8-bit bytes')
        if line != line.rstrip(b' \t'):
            raise AmbiguousPartError(
                'its quoted-printable text has whitespace at a line end')
        rest = _QP_ESCAPE.sub(b'', line)
        if b'=' in rest:
            raise AmbiguousPartError(
                'its quoted-printable text has an "=" that starts no '
                'valid escape')
    return binascii.a2b_qp(data.replace(b'\r\n', b'\n'))


def _base64(data: bytes) -> bytes:
    text = b''.join(line for line in _lines(data))
    if not _B64_LINE.fullmatch(text):
        bad = re.sub(rb'[A-Za-z0-9+/=]', b'', text)
        if bad:
            raise AmbiguousPartError(
                'its base64 holds characters outside the alphabet')
        raise AmbiguousPartError(
            'its base64 goes on after the padding "="')
    if len(text) % 4:
        raise AmbiguousPartError('its base64 is cut short')
    try:
        return binascii.a2b_base64(text)
    except binascii.Error:
        raise AmbiguousPartError('its base64 padding is malformed') from None


@public
def strict_payload(part: Message) -> bytes:
    """The decoded body of a leaf, or AmbiguousPartError saying why two
    decoders could read it differently."""
    check_headers(part)
    cte = str(part.get('content-transfer-encoding', '')).strip().lower()
    data = _raw(part)
    if cte == 'quoted-printable':
        return _quoted_printable(data)
    if cte == 'base64':
        return _base64(data)
    if cte not in _IDENTITY:
        raise AmbiguousPartError(
            'its transfer encoding "{}" is not one every mail program '
            'reads'.format(cte[:40]))
    if cte in ('', '7bit') and not data.isascii():
        raise AmbiguousPartError('it declares 7bit but holds 8-bit bytes')
    if cte != 'binary':
        _lines(data)
    return data


@public
def strict_text(part: Message) -> tuple:
    """(text, charset) of a text leaf, strictly decoded: the charset must
    be known and the bytes valid in it."""
    data = strict_payload(part)
    charset = part.get_content_charset() or 'us-ascii'
    try:
        return data.decode(charset), charset
    except LookupError:
        raise AmbiguousPartError(
            'its charset "{}" is unknown'.format(charset[:40])) from None
    except UnicodeDecodeError:
        raise AmbiguousPartError(
            'its text is not valid {}'.format(charset[:40])) from None


@public
def check_entity(entity: Message) -> None:
    """Every part of ``entity`` reads one way only (headers, encodings)."""
    for part in entity.walk():
        if part.is_multipart():
            check_headers(part)
        else:
            strict_payload(part)
