"""RSA list keys keep p < q, so GnuPG computes with them correctly.

OpenPGP stores u = p^-1 mod q and libgcrypt's CRT assumes p < q;
cryptography (under PGPy) hands out p > q, which made gpg produce a bad
signature or decryption now and then with an exported list key (a
backup restored into gpg, an owner reading the archive).
"""

from mailman_pgp.pgp import generate_key, parse_key_spec


def test_generated_rsa_keys_have_p_below_q():
    for _ in range(3):
        key = generate_key(parse_key_spec('RSA:2048', 'primary'),
                           parse_key_spec('RSA:2048', 'sub'),
                           [('T', 't@example.com')])
        for part in [key._k, *key._k.subkeys.values()]:
            material = part._key.keymaterial
            p, q, u = int(material.p), int(material.q), int(material.u)
            assert p < q
            assert p * u % q == 1
            assert p * q == int(material.n)
