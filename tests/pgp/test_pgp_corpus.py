"""Data made by other implementations: the RFC 9580 Appendix A vectors."""

import pytest

from mailman_pgp.pgp import Key, UnsupportedError, load_keys
from mailman_pgp.pgp.verify import verify_detached

# RFC 9580 A.3: Sample Version 6 Certificate (Ed25519 + X25519).
V6_CERT = """-----BEGIN PGP PUBLIC KEY BLOCK-----

xioGY4d/4xsAAAAg+U2nu0jWCmHlZ3BqZYfQMxmZu52JGggkLq2EVD34laPCsQYf
GwoAAABCBYJjh3/jAwsJBwUVCg4IDAIWAAKbAwIeCSIhBssYbE8GCaaX5NUt+mxy
KwwfHifBilZwj2Ul7Ce62azJBScJAgcCAAAAAK0oIBA+LX0ifsDm185Ecds2v8lw
gyU2kCcUmKfvBXbAf6rhRYWzuQOwEn7E/aLwIwRaLsdry0+VcallHhSu4RN6HWaE
QsiPlR4zxP/TP7mhfVEe7XWPxtnMUMtf15OyA51YBM4qBmOHf+MZAAAAIIaTJINn
+eUBXbki+PSAld2nhJh/LVmFsS+60WyvXkQ1wpsGGBsKAAAALAWCY4d/4wKbDCIh
BssYbE8GCaaX5NUt+mxyKwwfHifBilZwj2Ul7Ce62azJAAAAAAQBIKbpGG2dWTX8
j+VjFM21J0hqWlEg+bdiojWnKfA5AQpWUWtnNwDEM0g12vYxoWM8Y81W+bHBw805
I8kWVkXU6vFOi+HWvv/ira7ofJu16NnoUkhclkUrk0mXubZvyl4GBg==
-----END PGP PUBLIC KEY BLOCK-----
"""

# RFC 9580 A.1/A.2: v4 Ed25519Legacy key and a signature over "OpenPGP".
V4_LEGACY_KEY = """-----BEGIN PGP PUBLIC KEY BLOCK-----

xjMEU/NfCxYJKwYBBAHaRw8BAQdAPwmJlL3ZFu1AUxl5NOSofIBzOhKA1i+AEJku
Q+47JAY=
-----END PGP PUBLIC KEY BLOCK-----
"""
V4_LEGACY_SIG = """-----BEGIN PGP SIGNATURE-----

iF4EABYIAAYFAlX5X5UACgkQjP3hIZeWWpr2IgD/VvkMypjiECY3vZg/2xbBMd/S
ftgr9N3lYG4NdWrtM2YBANCcT6EVJ/A44PV/IgHYLy6iyQMyZfps60iehUuuYbQE
-----END PGP SIGNATURE-----
"""
V4_LEGACY_FPR = 'C959BDBAFA32A2F89A153B678CFDE12197965A9A'


def test_v6_certificate_refused():
    with pytest.raises(UnsupportedError, match='version 6'):
        Key.load(V6_CERT)
    with pytest.raises(UnsupportedError):
        load_keys(V6_CERT)


def test_v4_legacy_fingerprint_lazy_and_eager():
    [lazy] = load_keys(V4_LEGACY_KEY)
    assert lazy.fingerprint == V4_LEGACY_FPR
    assert Key.load(V4_LEGACY_KEY).fingerprint == V4_LEGACY_FPR


def test_v4_legacy_signature():
    key = Key.load(V4_LEGACY_KEY)
    # A bare key with no self-signature binds nothing: its signatures do
    # not count (as for sqv), and the reason says why.
    [v] = verify_detached(b'OpenPGP', V4_LEGACY_SIG, [key])
    assert v.signer_keyid == V4_LEGACY_FPR[-16:]
    assert v.status == 'invalid' and 'user ID' in v.reason
    [v] = verify_detached(b'OpenPGp', V4_LEGACY_SIG, [key])
    assert not v.valid
    # No user ID: usable for nothing, and says why.
    u = key.usability()
    assert not u.can_sign and u.reasons
