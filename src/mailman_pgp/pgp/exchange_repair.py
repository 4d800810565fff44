"""PGP/MIME that Microsoft Exchange (Outlook, Office 365) mangled, repaired.

Exchange rewrites an RFC 3156 ``multipart/encrypted`` message into
``multipart/mixed`` holding an empty ``text/plain`` part, the
``application/pgp-encrypted`` "Version: 1" part and the
``application/octet-stream`` ciphertext, each re-encoded (base64 or
quoted-printable), sometimes with a ``winmail.dat`` (``application/ms-tnef``)
part after them.  Thunderbird, mutt and Schleuder read that shape as the
PGP/MIME message it was; so does the list, before decryption.

Only that exact shape is repaired; the result is the RFC 3156 message,
which then goes through the normal decryption and signature checks (the
winmail.dat part, outside the encryption, is dropped).  Anything else is
left as it is, and refused or accepted as before.
"""

import email
import logging
import re

from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart

from public import public


log = logging.getLogger('mailman.plugins.pgp')

_ARMORED = re.compile(
    rb'\A\s*-----BEGIN PGP MESSAGE-----\r?\n.*'
    rb'-----END PGP MESSAGE-----\s*\Z', re.DOTALL)
# Headers of the mangled container that the repaired message replaces.
_CONTAINER = ('content-type', 'content-transfer-encoding',
              'content-disposition', 'content-description')


def _decoded(part) -> bytes | None:
    if part.is_multipart():
        return None
    return part.get_payload(decode=True) or b''


def _is_winmail(part) -> bool:
    return (part.get_content_type() == 'application/ms-tnef'
            and (part.get_filename() or '').lower() == 'winmail.dat')


def _ciphertext(msg) -> bytes | None:
    """The armored OpenPGP message if ``msg`` has Exchange's shape."""
    if msg.get_content_type() != 'multipart/mixed':
        return None
    parts = msg.get_payload()
    if not isinstance(parts, list):
        return None
    if len(parts) == 4 and _is_winmail(parts[3]):
        parts = parts[:3]
    if len(parts) != 3:
        return None
    text, version, data = parts
    if (text.get_content_type() != 'text/plain'
            or version.get_content_type() != 'application/pgp-encrypted'
            or data.get_content_type() != 'application/octet-stream'):
        return None
    body = _decoded(text)
    if body is None or body.strip():
        return None
    if (_decoded(version) or b'').strip() != b'Version: 1':
        return None
    armored = _decoded(data)
    if armored is None or not _ARMORED.match(armored):
        return None
    return armored


@public
def repair_exchange(msg):
    """``msg`` as the PGP/MIME message it was before Exchange, or ``msg``
    itself when it does not have Exchange's exact shape."""
    armored = _ciphertext(msg)
    if armored is None:
        return msg
    outer = MIMEMultipart('encrypted', protocol='application/pgp-encrypted')
    version = MIMEApplication(b'Version: 1\n', 'pgp-encrypted',
                              _encoder=_seven_bit)
    outer.attach(version)
    outer.attach(MIMEApplication(armored.replace(b'\r\n', b'\n'),
                                 'octet-stream', _encoder=_seven_bit,
                                 name='encrypted.asc'))
    for name, value in msg.items():
        if name.lower() not in _CONTAINER and name.lower() != 'mime-version':
            outer[name] = value
    repaired = email.message_from_bytes(outer.as_bytes(), type(msg))
    # What Mailman's LMTP runner noted about the message as it arrived.
    for name in ('original_sender', 'original_size'):
        if hasattr(msg, name):
            setattr(repaired, name, getattr(msg, name))
    log.info('message %s: PGP/MIME mangled by Microsoft Exchange repaired '
             'before decryption', msg.get('message-id', 'n/a'))
    return repaired


def _seven_bit(part) -> None:
    part['Content-Transfer-Encoding'] = '7bit'
