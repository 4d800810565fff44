"""The post fuzzer's seeds: genuinely signed posts made by gpg.

PGP/MIME, PGP/MIME with an attachment, clearsigned text and several
clearsigned parts, each with the texts the author signed
(``testing/postfuzz.py`` mutates them).
"""

import email
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import SMTP


def signed_entity(who, inner) -> MIMEMultipart:
    """``inner`` in a multipart/signed made by gpg (RFC 3156)."""
    data = inner.as_bytes(policy=SMTP)
    signature = who.gpg('--armor', '--detach-sign', '--local-user',
                        who.fingerprint, '--digest-algo', 'SHA256',
                        input=data).stdout
    outer = MIMEMultipart('signed', protocol='application/pgp-signature',
                          micalg='pgp-sha256')
    outer.attach(email.message_from_bytes(data.replace(b'\r\n', b'\n')))
    sig = MIMEApplication(signature.decode('ascii'), 'pgp-signature',
                          name='signature.asc')
    del sig['Content-Transfer-Encoding']
    sig['Content-Transfer-Encoding'] = '7bit'
    sig.set_payload(signature.decode('ascii'))
    outer.attach(sig)
    return outer


def clearsigned(who, text: str) -> str:
    return who.gpg('--clearsign', '--local-user', who.fingerprint,
                   input=text).stdout.decode()


def _headers(msg, who, to: str) -> None:
    msg['From'] = '{} <{}>'.format(who.name, who.email)
    msg['To'] = to
    msg['Subject'] = 'Plan'
    msg['Message-ID'] = '<seed@example.com>'


def seeds(who, to: str) -> dict:
    """name -> (raw bytes, the author's signed texts)."""
    text = 'I agree with the plan.\nSee you on Monday,\nAnne\n'
    out = {}
    plain = MIMEText(text)
    msg = signed_entity(who, plain)
    _headers(msg, who, to)
    out['mime'] = (msg.as_bytes(), [text])
    mixed = MIMEMultipart('mixed')
    mixed.attach(MIMEText(text))
    attachment = MIMEApplication(b'%PDF-1.4 minutes', 'pdf')
    attachment.add_header('Content-Disposition', 'attachment',
                          filename='minutes.pdf')
    mixed.attach(attachment)
    msg = signed_entity(who, mixed)
    _headers(msg, who, to)
    out['mime-attachment'] = (msg.as_bytes(), [text, 'minutes.pdf'])
    signed = clearsigned(who, text)
    msg = MIMEText(signed)
    _headers(msg, who, to)
    out['inline'] = (msg.as_bytes(), [signed])
    # Signatures of its own (a seed's signature posted twice is a replay).
    first = clearsigned(who, 'The minutes are attached.\n')
    second = clearsigned(who, 'Gr\u00fc\u00dfe, und bis Montag.\n')
    msg = MIMEMultipart('mixed')
    msg.attach(MIMEText(first))
    msg.attach(MIMEText(second, 'plain', 'utf-8'))
    _headers(msg, who, to)
    out['inline-parts'] = (msg.as_bytes(), [first, second])
    return out
