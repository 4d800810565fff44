"""PGP/MIME in both directions with gpg, protected headers, stripping."""

import email
import re

import pytest

from mailman_pgp.pgp import (
    OBSCURED_SUBJECT,
    Key,
    decrypt_message,
    encrypt_mime,
    encrypt_mime_each,
    is_encrypted,
    is_mime_encrypted,
    is_mime_signed,
    is_signed,
    sign_mime,
    strip_signature,
    signed_content,
    verify_message,
)

BODY = 'Grüße – ünïcödé ✓\nFrom the start of a line\n-- \nsig  \n'


def _plain(subject='Secret subject', body=BODY):
    msg = email.message.Message()
    msg['From'] = 'Anne Person <anne@example.org>'
    msg['To'] = 'test@lists.example.com'
    msg['Subject'] = subject
    msg['Message-ID'] = '<m1@example.org>'
    msg.set_payload(body.encode('utf-8'), 'utf-8')
    del msg['Content-Transfer-Encoding']
    msg['Content-Transfer-Encoding'] = '8bit'
    msg.set_payload(body.encode('utf-8'))
    return msg


def _wire(msg) -> bytes:
    """Serialize as Mailman would hand it to SMTP, then reparse."""
    return msg.as_bytes()


def _first_part_bytes(raw: bytes, boundary: str) -> bytes:
    b = re.escape(boundary.encode())
    m = re.search(b'--' + b + b'\r?\n(.*?)\r?\n--' + b, raw, re.DOTALL)
    return re.sub(rb'\r?\n', b'\r\n', m.group(1))


@pytest.mark.parametrize('kind', ['rsa', 'cv25519'])
def test_sign_mime_gpg_verifies(gpg_world, list_keys, tmp_path, kind):
    lst = list_keys[kind]
    signed = sign_mime(_plain(), lst)
    assert signed.get_content_type() == 'multipart/signed'
    assert signed.get_param('micalg') == 'pgp-sha512'
    assert signed['Subject'] == 'Secret subject'
    raw = _wire(signed)
    part = _first_part_bytes(raw, signed.get_boundary())
    assert part.isascii()
    reparsed = email.message_from_bytes(raw)
    sig = reparsed.get_payload()[1].get_payload()
    (tmp_path / 'part').write_bytes(part)
    (tmp_path / 'sig.asc').write_text(sig)
    proc = gpg_world.run('--verify', str(tmp_path / 'sig.asc'),
                         str(tmp_path / 'part'))
    assert 'GOODSIG' in gpg_world.status(proc)
    [v] = verify_message(reparsed, [lst.public])
    assert v.good
    stripped = strip_signature(reparsed)
    assert stripped.get_content_type() == 'text/plain'
    assert stripped.get_payload(decode=True).decode('utf-8') == BODY
    assert stripped['Subject'] == 'Secret subject'


def _gpg_decrypt_part(gpg, msg):
    raw = _wire(msg)
    reparsed = email.message_from_bytes(raw)
    assert is_mime_encrypted(reparsed)
    ct = reparsed.get_payload()[1].get_payload(decode=True)
    proc = gpg.run('--decrypt', input=ct)
    return proc, email.message_from_bytes(proc.stdout)


@pytest.mark.parametrize('kind', ['rsa', 'cv25519'])
def test_encrypt_mime_to_gpg(gpg_world, gpg_keys, list_keys, kind):
    fpr, _ = gpg_keys[kind]
    lst = list_keys[kind]
    rcpt = Key.load(gpg_world.export(fpr))
    out = encrypt_mime(_plain(), [rcpt], sign_with=lst)
    assert out['Subject'] == OBSCURED_SUBJECT
    proc, inner = _gpg_decrypt_part(gpg_world, out)
    assert 'GOODSIG' in gpg_world.status(proc)
    assert inner['Subject'] == 'Secret subject'
    assert inner.get_param('hp') == 'cipher'
    assert inner.get_param('protected-headers') == 'v1'
    assert 'Subject: [...]' in inner.get_all('HP-Outer')
    text = inner.get_payload(decode=True).decode('utf-8')
    assert text.replace('\r\n', '\n') == BODY
    # And the facade reads its own output, subject restored.
    back = decrypt_message(email.message_from_bytes(_wire(
        encrypt_mime(_plain(), [lst.public], sign_with=lst))), lst)
    assert back.message['Subject'] == 'Secret subject'
    assert 'HP-Outer' not in back.message
    [v] = back.verify(lst.public)
    assert v.good


def test_encrypt_mime_each(gpg_world, gpg_keys, list_keys):
    lst = list_keys['cv25519']
    groups = [[Key.load(gpg_world.export(f))] for f, _ in gpg_keys.values()]
    outs = encrypt_mime_each(_plain(), groups, sign_with=lst,
                             protect_headers=False)
    for out in outs:
        assert out['Subject'] == 'Secret subject'
        proc, _inner = _gpg_decrypt_part(gpg_world, out)
        assert 'GOODSIG' in gpg_world.status(proc)


def _signed_by_gpg(gpg, signers, inner_text, multisig=False):
    """A multipart/signed message as a MUA makes it, with gpg signatures."""
    data = re.sub(r'\r?\n', '\r\n', inner_text).encode('utf-8')
    if multisig:
        sigs = [gpg.run('--armor', '--detach-sign', '--local-user', f,
                        input=data).stdout.decode() for f in signers]
    else:
        # RFC 3156: one signature part (gpg puts every signer's signature
        # packet in it).
        local_users = [arg for f in signers for arg in ('--local-user', f)]
        sigs = [gpg.run('--armor', '--detach-sign', *local_users,
                        input=data).stdout.decode()]
    sig_parts = ''.join(
        '--SIG\r\nContent-Type: application/pgp-signature\r\n\r\n'
        + s + '\r\n' for s in sigs)
    if multisig:
        sig_parts = ('--SIG\r\nContent-Type: multipart/mixed; '
                     'boundary="INNER"\r\n\r\n'
                     + sig_parts.replace('--SIG', '--INNER')
                     + '--INNER--\r\n')
    proto = 'multipart/mixed' if multisig else 'application/pgp-signature'
    return ('Content-Type: multipart/signed; micalg=pgp-sha256;\r\n'
            ' protocol="{}"; boundary="SIG"\r\n\r\n--SIG\r\n{}\r\n{}--SIG--'
            '\r\n').format(proto, inner_text.replace('\n', '\r\n'),
                           sig_parts)


INNER = ('Content-Type: text/plain; charset="utf-8"\n'
         'Content-Transfer-Encoding: quoted-printable\n\n'
         'Gr=C3=BC=C3=9Fe =E2=9C=93\ntrailing space =20\n')


@pytest.mark.parametrize('multisig', [False, True])
def test_gpg_signed_several(gpg_world, gpg_keys, multisig):
    fprs = [f for f, _ in gpg_keys.values()]
    raw = ('From: anne@example.org\r\nSubject: hi\r\nMIME-Version: 1.0\r\n'
           + _signed_by_gpg(gpg_world, fprs, INNER, multisig))
    msg = email.message_from_string(raw)
    assert is_signed(msg) and is_mime_signed(msg)
    keys = [s.public for _, s in gpg_keys.values()]
    vs = verify_message(msg, keys)
    assert len(vs) == 2 and all(v.good for v in vs)
    assert {v.signer_fingerprint for v in vs} == set(fprs)
    vs = verify_message(msg, keys[:1])
    assert sorted(v.status for v in vs) == ['good', 'unknown']
    # Tampering is noticed.
    bad = email.message_from_string(raw.replace('trailing', 'Trailing'))
    assert not any(v.valid for v in verify_message(bad, keys))


def test_third_part_of_multipart_signed_is_not_signed(gpg_world, gpg_keys):
    # Only the first part is covered; a third part (which MUAs show) must
    # not ride along under the signature.
    fpr = next(iter(gpg_keys.values()))[0]
    raw = ('From: anne@example.org\r\nSubject: hi\r\nMIME-Version: 1.0\r\n'
           + _signed_by_gpg(gpg_world, [fpr], INNER))
    raw = raw.replace('--SIG--', '--SIG\r\nContent-Type: text/plain\r\n\r\n'
                      'Unsigned: wire the money\r\n--SIG--')
    msg = email.message_from_string(raw)
    content = signed_content(msg)
    assert content.form == 'mime' and content.partial
    assert content.unsigned == ['part 3 of the multipart/signed message']
    assert not is_signed(msg)


def _encrypted_wrapper(ct: bytes, subject='...'):
    return email.message_from_string(
        'From: anne@example.org\nTo: test@lists.example.com\n'
        f'Subject: {subject}\nMIME-Version: 1.0\n'
        'Content-Type: multipart/encrypted; '
        'protocol="application/pgp-encrypted"; boundary="ENC"\n\n'
        '--ENC\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n\n'
        f'--ENC\nContent-Type: application/octet-stream\n\n{ct.decode()}\n--ENC--\n'
        )


@pytest.mark.parametrize('form', ['v1', 'cipher'])
def test_gpg_combined_with_protected_headers(gpg_world, gpg_keys, list_keys,
                                             form):
    fpr, secret = gpg_keys['cv25519']
    lst = list_keys['cv25519']
    param = 'protected-headers="v1"' if form == 'v1' else 'hp="cipher"'
    display = ''
    if form == 'v1':
        display = ('--MIX\nContent-Type: text/rfc822-headers; '
                   'protected-headers="v1"\n\nSubject: Real subject\n\n')
    inner = (f'Content-Type: multipart/mixed; boundary="MIX"; {param}\n'
             'Subject: Real subject\nFrom: Anne <anne@example.org>\n'
             'HP-Outer: Subject: ...\n\n'
             f'{display}--MIX\nContent-Type: text/plain; charset="utf-8"\n\n'
             'Grüße ✓\n--MIX--\n')
    ct = gpg_world.run('--armor', '--encrypt', '--sign', '--local-user', fpr,
                       '--recipient', lst.fingerprint,
                       input=inner.encode()).stdout
    msg = _encrypted_wrapper(ct)
    assert is_encrypted(msg)
    result = decrypt_message(msg, lst)
    out = result.message
    assert out['Subject'] == 'Real subject'
    assert out.get_all('Subject') == ['Real subject']
    assert out['From'] == 'Anne <anne@example.org>'
    assert 'HP-Outer' not in out
    parts = out.get_payload()
    assert [p.get_content_type() for p in parts] == ['text/plain']
    assert 'Grüße' in parts[0].get_payload(decode=True).decode()
    [v] = result.verify([secret.public])
    assert v.good


def test_gpg_nested_sign_then_encrypt(gpg_world, gpg_keys, list_keys):
    fprs = [f for f, _ in gpg_keys.values()]
    lst = list_keys['rsa']
    signed = _signed_by_gpg(gpg_world, fprs, INNER)
    ct = gpg_world.run('--armor', '--encrypt', '--recipient',
                       lst.fingerprint, '--throw-keyids',
                       input=signed.encode()).stdout
    result = decrypt_message(_encrypted_wrapper(ct, 'Orig'), lst)
    assert result.message['Subject'] == 'Orig'
    assert is_mime_signed(result.message)
    vs = result.verify([s.public for _, s in gpg_keys.values()])
    assert len(vs) == 2 and all(v.good for v in vs)
    stripped = strip_signature(result.message)
    assert stripped.get_content_type() == 'text/plain'
    assert 'Grüße' in stripped.get_payload(decode=True).decode()


def test_sign_mime_multipart_attachment(gpg_world, list_keys, tmp_path):
    from email.mime.application import MIMEApplication
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText
    lst = list_keys['cv25519']
    msg = MIMEMultipart()
    msg['From'] = 'anne@example.org'
    msg['Subject'] = 'A rather long subject line ' * 4
    msg.attach(MIMEText(BODY, 'plain', 'utf-8'))
    msg.attach(MIMEText('<p>Grüße</p>\n' + 'x' * 1200 + '\n', 'html',
                        'utf-8'))
    msg.attach(MIMEApplication(bytes(range(256)) * 10, Name='blob.bin'))
    signed = sign_mime(msg, lst)
    raw = _wire(signed)
    part = _first_part_bytes(raw, signed.get_boundary())
    reparsed = email.message_from_bytes(raw)
    (tmp_path / 'part').write_bytes(part)
    (tmp_path / 'sig.asc').write_text(reparsed.get_payload()[1].get_payload())
    proc = gpg_world.run('--verify', str(tmp_path / 'sig.asc'),
                         str(tmp_path / 'part'))
    assert 'GOODSIG' in gpg_world.status(proc)
    [v] = verify_message(reparsed, lst.public)
    assert v.good
    stripped = strip_signature(reparsed)
    blob = stripped.get_payload()[2].get_payload(decode=True)
    assert blob == bytes(range(256)) * 10


def test_gpg_signed_hp_clear_inner_subject(gpg_world, gpg_keys):
    fpr, secret = gpg_keys['cv25519']
    inner = ('Content-Type: text/plain; charset="utf-8"; hp="clear"\n'
             'Subject: Inner subject\n\nsigned body\n')
    raw = ('From: anne@example.org\r\nSubject: Outer subject\r\n'
           'MIME-Version: 1.0\r\n' + _signed_by_gpg(gpg_world, [fpr], inner))
    msg = email.message_from_string(raw)
    [v] = verify_message(msg, [secret.public])
    assert v.good
    stripped = strip_signature(msg)
    assert stripped.get_all('Subject') == ['Inner subject']
    assert stripped.get_payload().strip() == 'signed body'
