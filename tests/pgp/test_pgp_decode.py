"""Strict decoding: one reading of a part, or a refusal that says why."""

import base64
import email

import pytest

from mailman_pgp.pgp.decode import (
    AmbiguousPartError, check_entity, strict_payload, strict_text)


def _part(body: bytes, cte: str | None = None,
          ctype='text/plain; charset="us-ascii"', extra=b'') -> email.message.Message:
    head = b'Content-Type: ' + ctype.encode() + b'\n'
    if cte is not None:
        head += b'Content-Transfer-Encoding: ' + cte.encode() + b'\n'
    return email.message_from_bytes(head + extra + b'\n' + body)


GOOD = [
    (b'Hello =C3=A9t=C3=A9=\nsoft break\n', 'quoted-printable',
     'Hello \u00e9t\u00e9soft break\n'),
    (base64.encodebytes('Gr\u00fc\u00dfe\n'.encode()), 'base64',
     'Gr\u00fc\u00dfe\n'),
    (b'plain\r\ntext\r\n', '7bit', 'plain\r\ntext\r\n'),
    (b'plain\n', None, 'plain\n'),
    ('Gr\u00fc\u00dfe\n'.encode(), '8bit', 'Gr\u00fc\u00dfe\n'),
]


@pytest.mark.parametrize('body,cte,text', GOOD)
def test_unambiguous_parts_decode(body, cte, text):
    part = _part(body, cte, 'text/plain; charset="utf-8"')
    assert strict_text(part) == (text, 'utf-8')


BAD = [
    (b'abc=\rEVIL\n', 'quoted-printable', 'bare carriage return'),
    (b'abc=4G\n', 'quoted-printable', 'starts no valid escape'),
    (b'abc= \nx\n', 'quoted-printable', 'whitespace at a line end'),
    (b'abc \n', 'quoted-printable', 'whitespace at a line end'),
    (b'caf\xe9\n', 'quoted-printable', '8-bit bytes'),
    (b'YWI=\nRVZJTA==\n', 'base64', 'goes on after the padding'),
    (b'YWJj ZGVm\n', 'base64', 'outside the alphabet'),
    (b'YWJ!\n', 'base64', 'outside the alphabet'),
    (b'YWJjZ\n', 'base64', 'cut short'),
    (b'caf\xe9\n', '7bit', 'declares 7bit but holds 8-bit bytes'),
    (b'caf\xe9\n', None, 'declares 7bit but holds 8-bit bytes'),
    (b'one\rtwo\n', '7bit', 'bare carriage return'),
    (b'begin 644 x\n`\nend\n', 'x-uuencode', 'not one every mail program'),
]


@pytest.mark.parametrize('body,cte,why', BAD)
def test_ambiguous_parts_are_refused_with_the_reason(body, cte, why):
    with pytest.raises(AmbiguousPartError, match=why):
        strict_payload(_part(body, cte))


def test_duplicate_mime_headers_are_refused():
    part = _part(b'x\n', '7bit', extra=b'Content-Transfer-Encoding: base64\n')
    with pytest.raises(AmbiguousPartError,
                       match='2 content-transfer-encoding headers'):
        strict_payload(part)


def test_duplicate_parameters_are_refused():
    part = _part(b'x\n', ctype='text/plain; charset=utf-8; charset=utf-7')
    with pytest.raises(AmbiguousPartError,
                       match='parameter charset 2 times'):
        strict_payload(part)


def test_unknown_or_wrong_charset_is_refused():
    with pytest.raises(AmbiguousPartError, match='unknown'):
        strict_text(_part(b'x\n', ctype='text/plain; charset=x-martian'))
    with pytest.raises(AmbiguousPartError, match='not valid utf-8'):
        strict_text(_part(b'\xff\n', '8bit', 'text/plain; charset=utf-8'))


def test_check_entity_walks_every_part():
    msg = email.message_from_bytes(
        b'Content-Type: multipart/mixed; boundary="b"\n\n--b\n'
        b'Content-Type: text/plain\n\nfine\n--b\n'
        b'Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n'
        b'YWI=YWI=\n--b--\n')
    with pytest.raises(AmbiguousPartError, match='after the padding'):
        check_entity(msg)
