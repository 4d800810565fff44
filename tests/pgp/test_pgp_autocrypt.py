"""Autocrypt Level 1 headers: the list's, read by an Autocrypt
implementation (muacrypt), and subscribers' as Thunderbird writes them."""

import base64
import email

import pytest

from mailman_pgp.pgp import (
    Key, PGPError, UnsupportedError, autocrypt_header, dearmor, generate_key,
    parse_key_spec, sender_autocrypt_key)
from mailman_pgp.testing.gpg import Subscriber

muacrypt_mime = pytest.importorskip('muacrypt.mime')


@pytest.fixture(scope='module')
def list_key():
    return generate_key(parse_key_spec('EdDSA:Ed25519', 'primary'),
                        parse_key_spec('ECDH:Curve25519', 'sub'),
                        [('Crypto', 'crypto@example.org'),
                         ('Crypto', 'crypto-request@example.org')])


@pytest.fixture(scope='module')
def anne():
    subscriber = Subscriber('anne@example.org', 'Anne')
    yield subscriber
    subscriber.close()


def thunderbird_header(address: str, armored: str) -> str:
    """``Autocrypt:`` as Thunderbird writes it: addr, then keydata folded
    in lines of 72 characters, each after a space (no prefer-encrypt)."""
    keydata = base64.b64encode(dearmor(armored)).decode('ascii')
    lines = [keydata[i:i + 72] for i in range(0, len(keydata), 72)]
    return 'Autocrypt: addr={}; keydata=\r\n {}\r\n'.format(
        address, '\r\n '.join(lines))


def mail(headers: str, body: str = 'key set 0123\r\n') -> email.message.Message:
    return email.message_from_string(
        'From: Anne <anne@example.org>\r\nTo: crypto-request@example.org\r\n'
        + headers + 'Subject: key set\r\n\r\n' + body)


def test_list_header_read_by_muacrypt(list_key):
    for address in ('crypto@example.org', 'crypto-request@example.org'):
        msg = email.message_from_string('From: {}\nAutocrypt: {}\n\nhi\n'
                                        .format(address, autocrypt_header(
                                            list_key, address)))
        result = muacrypt_mime.parse_one_ac_header_from_msg(msg)
        assert result.error is None
        assert (result.addr, result.prefer_encrypt) == (address, 'mutual')
        key = Key.load(result.keydata)
        assert key.fingerprint == list_key.fingerprint
        assert key.emails == [address]
        assert not key.is_private


def test_no_header_without_user_id(list_key):
    assert autocrypt_header(list_key, 'crypto-owner@example.org') is None
    value = autocrypt_header(list_key, 'crypto-owner@example.org',
                             uid_address='crypto@example.org')
    assert value.startswith('addr=crypto-owner@example.org; ')


def test_thunderbird_header_read(anne):
    msg = mail(thunderbird_header(anne.email, anne.public_key()))
    assert sender_autocrypt_key(msg).fingerprint == anne.fingerprint
    # muacrypt agrees it is a valid header for the sender.
    result = muacrypt_mime.parse_one_ac_header_from_msg(msg)
    assert result.error is None and result.addr == anne.email


def test_headers_that_do_not_count(anne):
    header = thunderbird_header(anne.email, anne.public_key())
    other = thunderbird_header('bob@example.org', anne.public_key())
    # For another address; gossip; inside a MIME part; twice.
    assert sender_autocrypt_key(mail(other)) is None
    assert sender_autocrypt_key(mail(header.replace(
        'Autocrypt:', 'Autocrypt-Gossip:'))) is None
    inner = ('Content-Type: multipart/mixed; boundary="b"\r\n',
             '--b\r\n' + header + 'Content-Type: text/plain\r\n\r\nhi\r\n'
             '--b--\r\n')
    assert sender_autocrypt_key(mail(*inner)) is None
    assert sender_autocrypt_key(mail(header + header)) is None
    # An unknown critical attribute voids it; a non-critical one does not.
    assert sender_autocrypt_key(mail(header.replace(
        'keydata=', 'colour=blue; keydata='))) is None
    assert sender_autocrypt_key(mail(header.replace(
        'keydata=', '_colour=blue; keydata='))).fingerprint == anne.fingerprint


def test_bad_keydata_refused_with_reason(anne):
    with pytest.raises(PGPError, match='not valid base64'):
        sender_autocrypt_key(mail(
            'Autocrypt: addr=anne@example.org; keydata=!!!\r\n'))


def test_v6_key_refused_as_attached(anne):
    from tests.pgp.test_pgp_corpus import V6_CERT
    with pytest.raises(UnsupportedError, match='version 6 key'):
        sender_autocrypt_key(mail(thunderbird_header(anne.email, V6_CERT)))


@pytest.mark.parametrize('spec', [('EdDSA:Ed25519', 'ECDH:Curve25519'),
                                  ('RSA:2048', 'RSA:2048')])
def test_packet_path_as_pgpy(spec):
    """The key cut from its packets is byte for byte what PGPy makes."""
    from mailman_pgp.pgp import load_keys, minimal, minimize, packets
    key = generate_key(parse_key_spec(spec[0], 'primary'),
                       parse_key_spec(spec[1], 'sub'),
                       [('Crypto', 'crypto@example.org'),
                        ('Crypto', 'crypto-request@example.org')])
    [stored] = load_keys(key.armor())         # as the key store reads it
    for address in ('crypto@example.org', 'crypto-request@example.org'):
        fast = minimal._cut(list(minimal._public_packets(bytes(stored))),
                            address)
        slow = minimal._cut(((p.tag, p.raw) for p in packets.iter_packets(
            bytes(minimize(key.public)))), address)
        assert fast == slow
        assert minimal.minimal_key(stored, address) == fast


def test_header_without_pgpy(list_key, tmp_path):
    """The outgoing runner adds the header without loading PGPy."""
    import subprocess
    import sys
    path = tmp_path / 'list.asc'
    path.write_text(list_key.armor())
    script = (
        'import sys\n'
        'from mailman_pgp.pgp import autocrypt_header, load_keys\n'
        f'[key] = load_keys(open({str(path)!r}).read())\n'
        'assert autocrypt_header(key, "crypto@example.org")\n'
        'print("pgpy" in sys.modules)\n')
    out = subprocess.run([sys.executable, '-c', script], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == 'False'
