"""Key specs of the [keypairs] section."""

import pytest

from mailman_pgp.pgp import (
    ALLOWED_PRIMARY_SPECS,
    ALLOWED_SUB_SPECS,
    KeySpec,
    parse_key_spec,
)


@pytest.mark.parametrize('text,expected', [
    ('EdDSA:Ed25519', KeySpec('EdDSA', curve='Ed25519')),
    ('RSA:2048', KeySpec('RSA', size=2048)),
    ('RSA:4096', KeySpec('RSA', size=4096)),
    ('rsa:3072', KeySpec('RSA', size=3072)),
    ('ECDSA:nistp256', KeySpec('ECDSA', curve='nistp256')),
    ('ECDSA:brainpoolP512r1', KeySpec('ECDSA', curve='brainpoolP512r1')),
])
def test_primary(text, expected):
    assert parse_key_spec(text, 'primary') == expected


@pytest.mark.parametrize('text,expected', [
    ('ECDH:Curve25519', KeySpec('ECDH', curve='Curve25519')),
    ('RSA:3072', KeySpec('RSA', size=3072)),
    ('ECDH:nistp384', KeySpec('ECDH', curve='nistp384')),
])
def test_sub(text, expected):
    assert parse_key_spec(text, 'sub') == expected


@pytest.mark.parametrize('text,role', [
    ('ECDH:Curve25519', 'primary'), ('EdDSA:Ed25519', 'sub'),
    ('RSA:1024', 'primary'), ('RSA:8192', 'sub'), ('RSA:abc', 'primary'),
    ('ECDSA:nistp999', 'primary'), ('', 'sub'), ('EdDSA', 'primary'),
    ('ECDSA:nistp256', 'sub'), ('DSA:2048', 'primary'),
    ('EdDSA:Ed25519:x', 'primary'),
])
def test_bad(text, role):
    with pytest.raises(ValueError) as info:
        parse_key_spec(text, role)
    allowed = ALLOWED_PRIMARY_SPECS if role == 'primary' else \
        ALLOWED_SUB_SPECS
    assert allowed in str(info.value)
    assert repr(text) in str(info.value)


def test_bad_role():
    with pytest.raises(ValueError):
        parse_key_spec('RSA:3072', 'other')


def test_str_roundtrip():
    for text in ('EdDSA:Ed25519', 'RSA:3072', 'ECDSA:nistp384'):
        assert str(parse_key_spec(text, 'primary')) == text
