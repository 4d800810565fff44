"""email.message helpers shared by the PGP/MIME and inline code."""

import copy
import email
import io
import re
from email.generator import Generator
from email.message import Message

_CRLF = re.compile(r'\r?\n')


def as_text(part: Message) -> str:
    """Serialize a part as the sender's MUA did: no From mangling, no
    header refolding."""
    out = io.StringIO()
    Generator(out, mangle_from_=False, maxheaderlen=0).flatten(part)
    return out.getvalue()


def canonical(part: Message) -> bytes:
    """The CRLF-canonical bytes a PGP/MIME signature covers."""
    text = _CRLF.sub('\r\n', as_text(part))
    return text.encode('utf-8', 'surrogateescape')


def parse_bytes(data: bytes) -> Message:
    return email.message_from_bytes(data)


def parse_text(text: str) -> Message:
    return email.message_from_string(text)


def content_part(msg: Message) -> Message:
    """A new part holding msg's Content-* headers and body."""
    part = Message()
    for name, value in msg.items():
        if name.lower().startswith('content-'):
            part[name] = value
    if 'Content-Type' not in part and 'MIME-Version' not in msg:
        pass
    payload = msg.get_payload()
    if isinstance(payload, list):
        part.set_payload([copy.deepcopy(p) for p in payload])
    else:
        part.set_payload(payload)
    if msg.preamble is not None:
        part.preamble = msg.preamble
    if msg.epilogue is not None:
        part.epilogue = msg.epilogue
    return part


def outer_from(msg: Message, content: Message) -> Message:
    """A message with msg's non-Content-* headers around content."""
    out = copy.copy(content)
    # Rebuild the header list: message headers first, then content ones.
    headers = [(n, v) for n, v in msg.items()
               if not n.lower().startswith('content-')
               and n.lower() != 'mime-version']
    content_headers = [(n, v) for n, v in content.items()
                       if n.lower().startswith('content-')]
    out._headers = []
    for name, value in headers:
        out[name] = value
    out['MIME-Version'] = '1.0'
    for name, value in content_headers:
        out[name] = value
    return out


def make_7bit(part: Message) -> None:
    """Re-encode 8bit/binary leaves as quoted-printable or base64 (RFC 3156
    requires 7-bit data in signed parts)."""
    for leaf in part.walk():
        if leaf.is_multipart():
            continue
        cte = (leaf.get('Content-Transfer-Encoding') or '7bit').lower()
        payload = leaf.get_payload()
        if cte in ('base64', 'quoted-printable'):
            continue
        if isinstance(payload, str) and payload.isascii() and \
                all(len(line) <= 998 for line in payload.splitlines()):
            continue
        data = _raw_bytes(leaf)
        del leaf['Content-Transfer-Encoding']
        if leaf.get_content_maintype() == 'text':
            import quopri
            encoded = quopri.encodestring(data).decode('ascii')
            leaf.set_payload(encoded)
            leaf['Content-Transfer-Encoding'] = 'quoted-printable'
        else:
            import base64
            encoded = base64.encodebytes(data).decode('ascii')
            leaf.set_payload(encoded)
            leaf['Content-Transfer-Encoding'] = 'base64'


def _raw_bytes(leaf: Message) -> bytes:
    """The bytes of an 8bit/binary leaf, whether its payload was parsed
    from bytes (surrogate escapes) or set as a unicode string."""
    payload = leaf.get_payload()
    if isinstance(payload, bytes):
        return payload
    try:
        return payload.encode('ascii', 'surrogateescape')
    except UnicodeEncodeError:
        charset = leaf.get_content_charset() or 'utf-8'
        try:
            return payload.encode(charset)
        except (LookupError, ValueError):
            return payload.encode('utf-8')


def decoded_text(part: Message) -> tuple:
    """(text, charset) of a leaf part, its transfer encoding undone
    strictly (AmbiguousPartError when decoders could disagree)."""
    from mailman_pgp.pgp.decode import strict_text
    return strict_text(part)


def set_text(part: Message, text: str, subtype='plain') -> None:
    """Replace a leaf's body with text (utf-8, QP if needed)."""
    for name in ('Content-Transfer-Encoding', 'Content-Type'):
        del part[name]
    part.set_type('text/' + subtype)
    try:
        text.encode('ascii')
        part.set_payload(text, 'us-ascii')
    except UnicodeEncodeError:
        part.set_payload(text, 'utf-8')
