"""A structure-aware mutation fuzzer over signed posts (issue #22).

Start from genuinely signed posts (``postseeds.seeds``: made by gpg,
PGP/MIME, PGP/MIME with an attachment, clearsigned text, several
clearsigned parts), mutate what lies outside the signed bytes (headers,
parameters, encodings, boundaries, preamble and epilogue, extra parts,
embedded messages), and run each
variant through what the incoming runner runs: ``examine()`` and the
pgp-signature rule's verdict.  The invariant: the post is refused or held,
or every string a member's program could display from the copy the list
delivers (read by Python's email and by the lenient reader in lenient.py)
is a line of the author's signed text.
"""

import base64
import copy
import email
import quopri
import random
import re
from email.errors import MessageError
from email.mime.application import MIMEApplication
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import SMTP

from mailman_pgp.testing.lenient import lenient_view, lines, python_view

EVE = 'Eve: wire 1000 EUR to XX99 0000'


def _eve(rng) -> str:
    return '{} #{}'.format(EVE, rng.randrange(10 ** 6))


# Mutations: each takes (rng, root) and returns the new root.

_ROOT_HEADERS = ('Reply-To', 'Organization', 'Comments', 'Keywords',
                 'Sender', 'Content-Description', 'X-Note', 'Subject',
                 'From', 'To', 'Disposition-Notification-To')


def _parts(root):
    return list(root.walk())


def _leaves(root):
    return [p for p in root.walk() if not p.is_multipart()]


def _header(rng, root):
    name = rng.choice(_ROOT_HEADERS)
    root[name] = _eve(rng) if name not in ('From', 'To', 'Reply-To',
                                           'Sender') \
        else 'Eve <eve@example.net>'
    return root


def _dup_content_type(rng, root):
    part = rng.choice(_parts(root))
    part['Content-Type'] = rng.choice(
        ['text/html', 'multipart/mixed; boundary="eve"',
         'text/plain; charset=utf-7'])
    return root


def _dup_encoding(rng, root):
    part = rng.choice(_leaves(root))
    part['Content-Transfer-Encoding'] = rng.choice(['base64', '8bit'])
    return root


def _preamble(rng, root):
    multis = [p for p in root.walk() if p.is_multipart()]
    if not multis:
        return _wrap(rng, root)
    part = rng.choice(multis)
    setattr(part, rng.choice(['preamble', 'epilogue']), _eve(rng))
    return root


def _param(rng, root):
    part = rng.choice(_parts(root))
    key, value = rng.choice([('format', 'flowed'), ('delsp', 'yes'),
                             ('name', _eve(rng) + '.txt'),
                             ('charset', 'utf-7')])
    part.set_param(key, value)
    return root


def _disposition(rng, root):
    part = rng.choice(_parts(root))
    if rng.random() < 0.5:
        del part['Content-Disposition']
        part.add_header('Content-Disposition', 'attachment',
                        filename=_eve(rng) + '.txt')
    else:
        part['Content-Description'] = _eve(rng)
    return root


def _text_leaf(rng, root):
    texts = [p for p in _leaves(root) if p.get_content_maintype() == 'text'
             and p.get_content_type() != 'application/pgp-signature']
    return rng.choice(texts) if texts else None


def _reencode(rng, part, data: bytes, how: str) -> None:
    del part['Content-Transfer-Encoding']
    if how == 'base64':
        part.set_payload(base64.encodebytes(data).decode('ascii'))
    else:
        part.set_payload(quopri.encodestring(data).decode('ascii'))
    part['Content-Transfer-Encoding'] = how


def _flowed(rng, root):
    part = _text_leaf(rng, root)
    if part is None:
        return root
    data = part.get_payload(decode=True) or b''
    data = b'\n'.join(line + b' ' if line and rng.random() < 0.5 else line
                      for line in data.split(b'\n'))
    _reencode(rng, part, data, 'quoted-printable')
    part.set_param('format', 'flowed')
    part.set_param('delsp', 'yes')
    return root


def _encoding_trick(rng, root):
    part = _text_leaf(rng, root)
    if part is None:
        return root
    data = part.get_payload(decode=True) or b''
    trick = rng.choice(['qp-cr', 'qp-escape', 'b64-pad', 'b64-junk',
                        '8bit'])
    eve = _eve(rng)
    if trick.startswith('qp'):
        _reencode(rng, part, data, 'quoted-printable')
        extra = '=\r' + eve + '\n' if trick == 'qp-cr' else '=4G' + eve
        part.set_payload(part.get_payload() + extra)
    elif trick.startswith('b64'):
        if len(data) % 3 == 0:
            data += b'\n'
        _reencode(rng, part, data, 'base64')
        tail = base64.encodebytes(('\n' + eve).encode()).decode()
        if trick == 'b64-junk':
            tail = '!' + tail
        part.set_payload(part.get_payload() + tail)
    else:
        del part['Content-Transfer-Encoding']
        part['Content-Transfer-Encoding'] = '7bit'
        part.set_payload((data + b'\xa0' + eve.encode()).decode(
            'ascii', 'surrogateescape'))
    return root


def _evil_part(rng):
    choice = rng.randrange(4)
    if choice == 0:
        return MIMEText(_eve(rng))
    if choice == 1:
        return MIMEText('<p>' + _eve(rng) + '</p>', 'html')
    if choice == 2:
        part = MIMEApplication(_eve(rng).encode(), 'octet-stream')
        part.add_header('Content-Disposition', 'attachment',
                        filename=_eve(rng) + '.pdf')
        return part
    inner = MIMEText(_eve(rng))
    inner['From'] = 'Eve <eve@example.net>'
    inner['Subject'] = _eve(rng)
    return MIMEMessage(inner)


def _add_part(rng, root):
    if not root.is_multipart() or root.get_content_type() == \
            'message/rfc822':
        return _wrap(rng, root)
    root.get_payload().insert(rng.randrange(len(root.get_payload()) + 1),
                              _evil_part(rng))
    return root


def _embedded(rng, root):
    """A copy of a signed leaf inside an attached message of Eve's."""
    leaf = _text_leaf(rng, root)
    if leaf is None:
        return root
    inner = copy.deepcopy(leaf)
    inner['From'] = 'The Treasurer <treasurer@example.com>'
    inner['Subject'] = _eve(rng)
    return _wrap(rng, root, MIMEMessage(inner))


def _wrap(rng, root, extra=None):
    """The content in a new multipart/mixed (outer headers kept)."""
    content = copy.copy(root)
    content._headers = [(n, v) for n, v in root._headers
                        if n.lower().startswith('content-')]
    wrapper = MIMEMultipart(rng.choice(['mixed', 'alternative']))
    for name, value in root._headers:
        if not name.lower().startswith('content-') and \
                name.lower() != 'mime-version':
            wrapper[name] = value
    parts = [content, extra or _evil_part(rng)]
    rng.shuffle(parts)
    wrapper.set_payload(parts)
    return wrapper


MUTATIONS = (_header, _dup_content_type, _dup_encoding, _preamble, _param,
             _disposition, _flowed, _encoding_trick, _add_part, _embedded,
             _wrap)


def _bytes_trick(rng, data: bytes) -> bytes:
    """A raw edit at a random line start: a bare CR, an 8-bit byte; or a
    header holding a bare CR (a second header to some readers)."""
    if rng.random() < 0.3:
        return b'X-Note: note\r' + _eve(rng).encode() + b'\n' + data
    starts = [i + 1 for i, byte in enumerate(data) if byte == 10]
    if not starts:
        return data
    at = rng.choice(starts)
    insert = rng.choice([b'\r' + _eve(rng).encode() + b'\r',
                         b'\xa0' + _eve(rng).encode() + b'\n'])
    return data[:at] + insert + data[at:]


def _boundary_trick(rng, data: bytes) -> bytes:
    """A part of Eve's behind a line that only starts like a delimiter
    (or a delimiter of an outer boundary inside an inner part)."""
    found = re.findall(rb'boundary="?([^";\r\n]+)"?', data)
    if not found:
        return data
    boundary = rng.choice(found)
    starts = [i + 1 for i, byte in enumerate(data) if byte == 10]
    at = rng.choice(starts)
    fake = (b'--' + boundary + rng.choice([b'x', b' x', b'--x', b'']) +
            b'\nContent-Type: text/plain\n\n' + _eve(rng).encode() + b'\n')
    return data[:at] + fake + data[at:]


def mutate(rng, raw: bytes) -> bytes:
    root = email.message_from_bytes(raw)
    for _ in range(rng.choice((1, 1, 2, 2, 3))):
        root = rng.choice(MUTATIONS)(rng, root)
    try:
        data = root.as_bytes()
    except (UnicodeError, LookupError, ValueError, MessageError):
        return raw
    if rng.random() < 0.1:
        data = _bytes_trick(rng, data)
    if rng.random() < 0.1:
        data = _boundary_trick(rng, data)
    return data


def encrypted(raw: bytes, encrypt) -> bytes:
    """``raw``'s content encrypted (not signed) by ``encrypt(bytes) ->
    armor``, in an RFC 3156 multipart/encrypted with raw's outer headers:
    what anyone holding the list's public key can send."""
    from mailman_pgp.pgp.mime import encrypted_wrapper
    root = email.message_from_bytes(raw)
    content = copy.copy(root)
    content._headers = [(n, v) for n, v in root._headers
                        if n.lower().startswith('content-')]
    try:
        data = content.as_bytes(policy=SMTP)
    except (UnicodeError, LookupError, ValueError, MessageError):
        data = content.as_bytes()
    wrapper = encrypted_wrapper(encrypt(data))
    for name, value in root._headers:
        if not name.lower().startswith('content-') and \
                name.lower() != 'mime-version':
            wrapper[name] = value
    return wrapper.as_bytes()


# The invariant.

VIEWS = (python_view, lenient_view)


def allowed_lines(texts, delivered: bytes, views=VIEWS) -> set:
    """Lines the author signed, and lines of the untouched post's copy."""
    allowed = set()
    for text in texts:
        allowed.update(lines(text))
    for view in views:
        for shown in view(delivered)[1]:
            allowed.update(lines(shown))
    return allowed


def violations(delivered: bytes, allowed: set, views=VIEWS) -> list:
    """What members could see that the author did not sign."""
    found = []
    for view in views:
        envelope, shown = view(delivered)
        names = [name for name, _ in envelope]
        found.extend('{}: {} twice'.format(view.__name__, name)
                     for name in set(names) if names.count(name) > 1)
        found.extend('{}: {!r}'.format(view.__name__, line)
                     for text in shown for line in lines(text)
                     if line not in allowed)
    return found


def run(check, raw: bytes, texts, count: int, seed: int, wrap=None,
        renderer=None, rendered: int = 0) -> dict:
    """Mutate ``raw`` count times (each variant passed through ``wrap``,
    e.g. encrypted, if given); ``check(bytes)`` returns the delivered bytes
    or None (refused).  The first ``rendered`` delivered copies are also
    read by ``renderer`` (a real mail program: mutt.py).  Returns counts
    and the first violations."""
    rng = random.Random(seed)
    wrap = wrap or (lambda data: data)
    baseline = check(wrap(raw))
    assert baseline is not None, 'the untouched seed must be accepted'
    views = VIEWS + ((renderer,) if renderer and rendered else ())
    allowed = allowed_lines(texts, baseline, views)
    stats = dict(variants=0, refused=0, delivered=0, rendered=0,
                 violations=[])
    for _ in range(count):
        variant = wrap(mutate(rng, raw))
        stats['variants'] += 1
        try:
            delivered = check(variant)
        except Exception as error:  # noqa: BLE001 (a crash is a finding)
            stats['violations'].append((variant, ['crash: {!r}'.format(
                error)]))
            continue
        if delivered is None:
            stats['refused'] += 1
            continue
        stats['delivered'] += 1
        use = VIEWS
        if renderer and stats['rendered'] < rendered:
            stats['rendered'] += 1
            use = views
        found = violations(delivered, allowed, use)
        if found and len(stats['violations']) < 20:
            stats['violations'].append((variant, found[:5]))
    return stats
