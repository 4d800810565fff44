"""PGP/MIME as Microsoft Exchange / Office 365 delivers it (test fixtures).

Exchange takes an RFC 3156 ``multipart/encrypted`` message (from Outlook
with GpgOL, or any client whose mail passes through Exchange) and rewrites
it: ``multipart/mixed`` with an ``_002_..._`` boundary, an empty
``text/plain`` body part, the "Version: 1" part renamed "PGPMIME Versions
Identification", the ciphertext as ``encrypted.asc``, every attachment
base64 with Exchange's Content-Disposition parameters, Exchange's own
headers (Thread-Index, X-MS-Has-Attach, X-MS-Exchange-*), CRLF line ends,
and with rich text on a ``winmail.dat`` (TNEF) part after them.
"""

import base64
import email
import hashlib

from email.utils import formatdate

from public import public


def _b64(data: bytes) -> str:
    text = base64.b64encode(data).decode('ascii')
    return '\r\n'.join(text[i:i + 76] for i in range(0, len(text), 76))


def _tnef() -> bytes:
    """A small TNEF stream: signature, key, and one attribute."""
    version = (b'\x01\x06\x90\x08\x00\x04\x00\x00\x00\x00\x00\x01\x00\x01'
               b'\x00')
    return b'\x78\x9f\x3e\x22' + b'\x42\x13' + version


def _disposition(name: str, size: int, date: str) -> str:
    return ('attachment; filename="{0}"; size={1};\r\n\tcreation-date="{2}";'
            '\r\n\tmodification-date="{2}"'.format(name, size, date))


@public
def exchange_mangled(raw: bytes, *, winmail: bool = False,
                     text_cte: str = 'quoted-printable',
                     extra_part: bytes | None = None) -> bytes:
    """``raw`` (an RFC 3156 encrypted mail) as Exchange delivers it.

    ``winmail`` adds the winmail.dat part; ``extra_part`` (a raw MIME part)
    is appended after the others, a shape that must not be repaired.
    """
    original = email.message_from_bytes(raw)
    assert original.get_content_type() == 'multipart/encrypted'
    armored = original.get_payload()[1].get_payload(decode=True)
    armored = armored.replace(b'\r\n', b'\n').replace(b'\n', b'\r\n')
    seed = hashlib.sha1(armored).hexdigest().upper()
    mailbox = 'AM0PR04MB{}'.format(seed[:4])
    boundary = '_002_{}{}prodoutlookcom_'.format(mailbox, seed[4:16])
    date = formatdate(localtime=False)
    version = b'Version: 1\r\n'
    headers = [
        'Received: from {0}.eurprd04.prod.outlook.com ([fe80::1]) by\r\n'
        ' {0}.eurprd04.prod.outlook.com ([fe80::1%5]) with mapi id\r\n'
        ' 15.20.7316.039; {1}'.format(mailbox, date),
        'From: ' + original['from'],
        'To: ' + original['to'],
        'Subject: ' + original['subject'],
        'Thread-Topic: ' + original['subject'],
        'Thread-Index: AQHa' + base64.b64encode(bytes.fromhex(
            seed[:24])).decode(),
        'Date: ' + original['date'],
        'Message-ID: ' + original['message-id'],
        'Accept-Language: en-US',
        'Content-Language: en-US',
        'X-MS-Has-Attach: yes',
        'X-MS-Exchange-Organization-SCL: -1',
        'X-MS-TNEF-Correlator: <{}@{}.eurprd04.prod.outlook.com>'.format(
            seed[:24], mailbox) if winmail else 'X-MS-TNEF-Correlator:',
        'X-MS-Exchange-Organization-RecordReviewCfmType: 0',
        'X-MS-Exchange-Organization-AuthAs: Internal',
        'X-MS-Exchange-Organization-AuthMechanism: 04',
        'X-MS-Exchange-Organization-AuthSource: {}.eurprd04.prod.outlook.com'
        .format(mailbox),
        'X-MS-Exchange-Organization-Network-Message-Id: {}-{}-{}-{}-{}'
        .format(seed[:8], seed[8:12], seed[12:16], seed[16:20],
                seed[20:32]).lower(),
        'Content-Type: multipart/mixed;\r\n\tboundary="{}"'.format(boundary),
        'MIME-Version: 1.0',
    ]
    text = ['Content-Type: text/plain; charset="us-ascii"',
            'Content-Transfer-Encoding: ' + text_cte, '', '']
    version_part = [
        'Content-Type: application/pgp-encrypted;\r\n\tname="PGPMIME '
        'Versions Identification"',
        'Content-Description: PGP/MIME Versions Identification',
        'Content-Disposition: ' + _disposition(
            'PGPMIME Versions Identification', len(version), date),
        'Content-Transfer-Encoding: base64', '', _b64(version), '']
    data_part = [
        'Content-Type: application/octet-stream; name="encrypted.asc"',
        'Content-Description: OpenPGP encrypted message.asc',
        'Content-Disposition: ' + _disposition('encrypted.asc',
                                               len(armored), date),
        'Content-Transfer-Encoding: base64', '', _b64(armored), '']
    parts = [text, version_part, data_part]
    if winmail:
        tnef = _tnef()
        parts.append(['Content-Type: application/ms-tnef; name="winmail.dat"',
                      'Content-Disposition: ' + _disposition(
                          'winmail.dat', len(tnef), date),
                      'Content-Transfer-Encoding: base64', '', _b64(tnef),
                      ''])
    lines = headers + ['']
    for part in parts:
        lines += ['--' + boundary] + part
    if extra_part is not None:
        lines += ['--' + boundary,
                  extra_part.decode('ascii').replace('\r\n', '\n')
                  .replace('\n', '\r\n')]
    lines += ['--' + boundary + '--', '']
    return '\r\n'.join(lines).encode('ascii')
