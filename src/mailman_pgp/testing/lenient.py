"""What a member's mail program could display of a message, two ways.

``python_view`` reads it with Python's email package (as the plugin does);
``lenient_view`` is an independent, forgiving reader written the way many
mail programs behave where Python does not: the last of duplicated
headers wins, a bare CR is a line break, a line that starts with a
boundary delimiter is one, base64 goes on after a padded
group, characters outside the alphabet are skipped, invalid
quoted-printable escapes are dropped, format=flowed joins lines.  Each
returns (envelope, shown): the outer envelope headers (From, To, Subject...:
outside every signature, see docs/security.rst) and every other string a
program could show.  Used by the post fuzzer (tests/runners).
"""

import base64
import binascii
import email
import re

# Outer headers mail programs show outside the signed content; what the
# list promises about them is in docs/security.rst, not in the fuzzer.
ENVELOPE = ('from', 'to', 'cc', 'subject', 'date', 'message-id',
            'in-reply-to', 'references', 'mime-version', 'content-type',
            'content-transfer-encoding')
# Headers of inner parts that are structure, not shown (their display
# effects, format=flowed and the file name, are taken into account).
STRUCTURE = ('content-type', 'content-transfer-encoding', 'content-id',
             'mime-version')
# Outer headers mail programs show (or act on) by default, besides those.
SHOWN = ('reply-to', 'mail-reply-to', 'mail-followup-to', 'sender',
         'organization', 'comments', 'keywords', 'summary',
         'content-description', 'content-disposition', 'x-face', 'face',
         'disposition-notification-to', 'return-receipt-to')

_LINE = re.compile(r'\r\n|\r|\n')


def lines(text: str) -> list:
    return [line.strip() for line in _LINE.split(text) if line.strip()]


def _flowed(text: str, delsp: bool) -> str:
    out = []
    for line in _LINE.split(text):
        if out and out[-1].endswith(' ') and out[-1] != '-- ':
            out[-1] = (out[-1][:-1] if delsp else out[-1]) + line
        else:
            out.append(line)
    return '\n'.join(out)


def _text(data: bytes, charset: str, params: dict) -> str:
    try:
        text = data.decode(charset or 'us-ascii', 'replace')
    except LookupError:
        text = data.decode('latin-1')
    if params.get('format', '').lower() == 'flowed':
        text = _flowed(text, params.get('delsp', '').lower() == 'yes')
    return text


# Python's email package.

def _py_part(part, root: bool, shown: list, envelope: list) -> None:
    for name, value in part.items():
        value = str(value)
        if root and name.lower() in ENVELOPE:
            envelope.append((name.lower(), value))
        elif (not root and name.lower() not in STRUCTURE) \
                or name.lower() in SHOWN:
            shown.append(value)
    if not root and part.get_param('name'):
        shown.append(str(part.get_param('name')))
    for attr in ('preamble', 'epilogue'):
        if getattr(part, attr, None):
            shown.append(getattr(part, attr))
    if part.get_content_type() == 'message/rfc822':
        for sub in part.get_payload():
            _py_part(sub, False, shown, envelope)
        return
    if part.is_multipart():
        for sub in part.get_payload():
            _py_part(sub, False, shown, envelope)
        return
    if part.get_content_maintype() != 'text':
        return
    data = part.get_payload(decode=True) or b''
    params = {k.lower(): v for k, v in part.get_params([])[1:]}
    shown.append(_text(data, part.get_content_charset(), params))


def python_view(data: bytes) -> tuple:
    shown, envelope = [], []
    _py_part(email.message_from_bytes(data), True, shown, envelope)
    return envelope, shown


# The lenient reader.

def _split_head(data: bytes) -> tuple:
    text = data.decode('latin-1')
    match = re.search(r'(\r\n|\r|\n)(\r\n|\r|\n)', text)
    first = re.match(r'\r\n|\r|\n', text)
    if first:
        return '', text[first.end():]
    if not match:
        return text, ''
    return text[:match.start()], text[match.end():]


def _headers(head: str) -> dict:
    """Unfolded headers; the last of duplicates wins."""
    out, order = {}, []
    for line in _LINE.split(head):
        if line[:1] in (' ', '\t') and order:
            out[order[-1]] += ' ' + line.strip()
        elif ':' in line:
            name, value = line.split(':', 1)
            name = name.strip().lower()
            out[name] = value.strip()
            order.append(name)
    return out


def _params(value: str) -> tuple:
    ctype, _, rest = value.partition(';')
    params = {}
    for key, val in re.findall(r'([\w*-]+)\s*=\s*("[^"]*"|[^;\s]*)', rest):
        params[key.lower()] = val.strip('"')
    return ctype.strip().lower() or 'text/plain', params


def _b64(body: str) -> bytes:
    clean = re.sub(r'[^A-Za-z0-9+/=]', '', body)
    out = b''
    for chunk in re.split(r'=+', clean):
        usable = len(chunk) - len(chunk) % 4
        rest = chunk[usable:]
        chunk = chunk[:usable] + ((rest + '==')[:4] if len(rest) > 1 else '')
        try:
            out += base64.b64decode(chunk)
        except (binascii.Error, ValueError):
            continue
    return out


def _qp(body: str) -> bytes:
    text = '\n'.join(_LINE.split(body))
    out = bytearray()
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == '=':
            if text[i + 1:i + 2] == '\n':
                i += 2
                continue
            pair = text[i + 1:i + 3]
            if re.fullmatch(r'[0-9A-Fa-f]{2}', pair):
                out.append(int(pair, 16))
                i += 3
                continue
            i += 1          # an invalid escape: dropped
            continue
        out.extend(ch.encode('latin-1', 'replace'))
        i += 1
    return bytes(out)


def _lenient_part(data: bytes, root: bool, shown: list,
                  envelope: list) -> None:
    head, body = _split_head(data)
    headers = _headers(head)
    for name, value in headers.items():
        if root and name in ENVELOPE:
            envelope.append((name, value))
        elif (not root and name not in STRUCTURE) or name in SHOWN:
            shown.append(value)
    ctype, params = _params(headers.get('content-type', 'text/plain'))
    if not root and params.get('name'):
        shown.append(params['name'])
    if ctype.startswith('multipart/') and params.get('boundary'):
        delimiter = '--' + params['boundary']
        chunks, current, seen_end = [], None, False
        before, after = [], []
        for line in re.split(r'(?<=\n)|(?<=\r)(?!\n)', body):
            bare = line.rstrip('\r\n').rstrip()
            if bare == delimiter + '--':
                if current is not None:
                    chunks.append(current)
                current, seen_end = None, True
            elif bare.startswith(delimiter) and not seen_end:
                # Some readers take any line that starts with the
                # delimiter for one (RFC 2046 wants only blanks after it).
                if current is not None:
                    chunks.append(current)
                current = []
            elif current is not None:
                current.append(line)
            elif seen_end:
                after.append(line)
            else:
                before.append(line)
        if current is not None:
            chunks.append(current)
        for extra in (before, after):
            if ''.join(extra).strip():
                shown.append(''.join(extra))
        for chunk in chunks:
            _lenient_part(''.join(chunk).encode('latin-1'), False, shown,
                          envelope)
        return
    if ctype == 'message/rfc822':
        _lenient_part(body.encode('latin-1'), False, shown, envelope)
        return
    if not ctype.startswith('text/'):
        return
    cte = headers.get('content-transfer-encoding', '').lower()
    if cte == 'base64':
        raw = _b64(body)
    elif cte == 'quoted-printable':
        raw = _qp(body)
    else:
        raw = body.encode('latin-1')
    shown.append(_text(raw, params.get('charset', 'us-ascii'), params))


def lenient_view(data: bytes) -> tuple:
    shown, envelope = [], []
    _lenient_part(data, True, shown, envelope)
    return envelope, shown
