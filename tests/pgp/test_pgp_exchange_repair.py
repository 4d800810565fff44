"""PGP/MIME mangled by Exchange: the exact shape is repaired, nothing else."""

import email

import pytest

from mailman_pgp.pgp import (
    Key, decrypt_message, generate_key, is_encrypted, parse_key_spec)
from mailman_pgp.pgp.exchange_repair import repair_exchange
from mailman_pgp.testing.gpg import Subscriber
from mailman_pgp.testing.outlook import exchange_mangled

BODY = 'Budget meeting moved to Friday.'


@pytest.fixture(scope='module')
def world():
    list_key = generate_key(parse_key_spec('EdDSA:Ed25519', 'primary'),
                            parse_key_spec('ECDH:Curve25519', 'sub'),
                            [('Crypto', 'crypto@example.org')])
    anne = Subscriber('anne@example.org')
    fingerprint = anne.import_key(list_key.public_armor())
    raw = anne.encrypted_mail('crypto@example.org', 'Budget', BODY,
                              fingerprint)
    yield list_key, anne, raw
    anne.close()


def _parse(raw: bytes):
    return email.message_from_bytes(raw)


@pytest.mark.parametrize('winmail', [False, True])
@pytest.mark.parametrize('text_cte', ['quoted-printable', '7bit', 'base64'])
def test_repaired_then_decrypted_and_verified(world, winmail, text_cte):
    list_key, anne, raw = world
    mangled = _parse(exchange_mangled(raw, winmail=winmail,
                                      text_cte=text_cte))
    assert mangled.get_content_type() == 'multipart/mixed'
    assert mangled['X-MS-Exchange-Organization-AuthAs'] == 'Internal'
    assert not is_encrypted(mangled)
    repaired = repair_exchange(mangled)
    assert repaired.get_content_type() == 'multipart/encrypted'
    assert [p.get_content_type() for p in repaired.get_payload()] == [
        'application/pgp-encrypted', 'application/octet-stream']
    assert 'winmail.dat' not in repaired.as_string()
    # Headers of the message are kept, Exchange's included.
    assert repaired['message-id'] == mangled['message-id']
    assert repaired['X-MS-Has-Attach'] == 'yes'
    decrypted = decrypt_message(repaired, [list_key])
    assert BODY in decrypted.message.get_payload(decode=True).decode()
    verifications = decrypted.verify([Key.load(anne.public_key())])
    assert [v.status for v in verifications] == ['good']


def _html_part() -> bytes:
    return (b'Content-Type: text/html; charset="us-ascii"\n'
            b'Content-Transfer-Encoding: 7bit\n\n<p>unencrypted</p>\n')


def _edited(raw: bytes, old: bytes, new: bytes) -> bytes:
    assert old in raw
    return raw.replace(old, new, 1)


def _shapes(raw):
    mangled = exchange_mangled(raw)
    yield 'an extra text/html part', exchange_mangled(
        raw, extra_part=_html_part())
    yield 'winmail.dat and an extra part', exchange_mangled(
        raw, winmail=True, extra_part=_html_part())
    yield 'text in the first part', _edited(
        mangled, b'quoted-printable\r\n\r\n\r\n',
        b'quoted-printable\r\n\r\nRead the attachment\r\n')
    yield 'not "Version: 1"', _edited(
        mangled, b'VmVyc2lvbjogMQ0K', b'VmVyc2lvbjogMg0K')
    yield 'a first part that is not text/plain', _edited(
        mangled, b'Content-Type: text/plain; charset="us-ascii"',
        b'Content-Type: text/csv; charset="us-ascii"')
    yield 'a tnef part not named winmail.dat', exchange_mangled(
        raw, extra_part=b'Content-Type: application/ms-tnef; name="x.dat"'
        b'\nContent-Transfer-Encoding: base64\n\neJ8+Ig==\n')


def test_other_shapes_left_alone(world):
    _, _, raw = world
    for why, data in _shapes(raw):
        msg = _parse(data)
        assert repair_exchange(msg) is msg, why
    # Nor is well-formed PGP/MIME or plain mail touched.
    for data in (raw, b'From: a@example.org\n\nhello\n'):
        msg = _parse(data)
        assert repair_exchange(msg) is msg


def test_not_armored_left_alone(world):
    _, _, raw = world
    original = _parse(raw)
    armored = original.get_payload()[1].get_payload(decode=True)
    garbage = raw.replace(armored, b'Not an OpenPGP message\n')
    msg = _parse(exchange_mangled(garbage))
    assert repair_exchange(msg) is msg
