"""RSA list keys keep p < q, so GnuPG computes with them correctly.

OpenPGP stores u = p^-1 mod q and libgcrypt's CRT assumes p < q;
cryptography (under PGPy) hands out p > q, which made gpg produce a bad
signature or decryption now and then with an exported list key (a
backup restored into gpg, an owner reading the archive).
"""

from mailman_pgp.pgp import generate_key, parse_key_spec
from mailman_pgp.pgp._quiet import pgpy, quiet
from mailman_pgp.pgp.keygen import _rsa_p_below_q

# Primes (p > q) for which u changes its length in bytes when p and q are
# swapped: the case that made about one RSA list key in 150 unreadable.
P = int('fb51e1c3deadba248ddf5cd74783f9074c229fe5cfec92f1ede1d3f2fc94a03d'
        '98becbf224b0ddf1afc8786c6417f57efe0134c62cf918cbcad63738245a817f', 16)
Q = int('d0322be9a3c15df751f57014d151e1cbbc5212caaf92d0d609eb9dbd53890aff'
        '0a89d8b65d0910ec40d7046b702284fbc30bb09328a84b7050b983977367e72d', 16)


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


def test_swapped_primes_keep_the_packet_readable():
    from cryptography.hazmat.primitives.asymmetric import rsa
    with quiet():
        key = pgpy.PGPKey.new(pgpy.constants.PubKeyAlgorithm.RSAEncryptOrSign,
                              1024)
        material = key._key.keymaterial
        mpi = type(material.p)
        d = pow(65537, -1, (P - 1) * (Q - 1))
        material.n, material.e, material.d = mpi(P * Q), mpi(65537), mpi(d)
        material.p, material.q = mpi(P), mpi(Q)
        material.u = mpi(rsa.rsa_crt_iqmp(Q, P))     # as PGPy makes it
        material._compute_chksum()
        key._key.update_hlen()
        before = len(bytes(key))
        _rsa_p_below_q(key)
        assert len(bytes(key)) != before        # u changed its length
        again, _ = pgpy.PGPKey.from_blob(bytes(key))
    material = again._key.keymaterial
    assert int(material.p) == Q and int(material.q) == P
    assert int(material.p) * int(material.u) % int(material.q) == 1
