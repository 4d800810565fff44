"""Hand-made cases about certificates: structure, binding, validity."""

from .case import DATA, T2022, Corpus, doc_sig
from .certs import (
    DAY, T0, T_SIG, Sub, alice, backsig, cert, enc_sub)
from .openpgp import (
    CERTIFY, ENCRYPT, KeyPart, created, issuer_fpr, signature, sp)


def baseline(c: Corpus):
    p, s, a = alice()
    c.add('base-primary-ed25519', a, doc_sig(p))
    c.add('base-subkey-ed25519', a, doc_sig(s))
    for kind in ('rsa2048a', 'rsa3072'):
        k = KeyPart(kind, kind, T0)
        crt = cert(k, [enc_sub(kind + '-enc')])
        c.add(f'base-primary-{kind}', crt, doc_sig(k))
    k = KeyPart('p256', 'p256', T0)
    c.add('base-primary-p256', cert(k, [enc_sub('p256-enc')]), doc_sig(k))
    p = KeyPart('ed25519', 'alice', T0)
    rsa_sub = KeyPart('rsa2048b', 'rsa2048b', T0)
    c.add('base-subkey-rsa2048', cert(p, [enc_sub(), Sub(rsa_sub)]),
          doc_sig(rsa_sub))
    c.add('base-no-encryption-subkey', cert(p), doc_sig(p))
    c.add('wrong-data', a, doc_sig(s, data=DATA + b'!'))
    c.add('wrong-data-empty', a, doc_sig(s), data=b'')
    c.add('tampered-signature', a, doc_sig(s, tamper=True))
    c.add('tampered-primary-signature', a, doc_sig(p, tamper=True))


def self_sig_hashes(c: Corpus):
    """Weak hashes in self-signatures, made before and after 2023-02."""
    for when, t in (('2022', T2022), ('2024', T0)):
        p = KeyPart('ed25519', 'alice', T2022 - DAY)
        s = KeyPart('ed25519', 'alice-sign', T2022 - DAY)
        for h in ('SHA1', 'RIPEMD160', 'MD5'):
            good = dict(t=t)
            c.add(f'selfsig-uid-{h}-{when}', cert(
                p, [Sub(s, **good)], t=t, halg=h), doc_sig(s, t=t + DAY))
            c.add(f'selfsig-binding-{h}-{when}', cert(
                p, [Sub(s, halg=h, **good)], t=t), doc_sig(s, t=t + DAY))
            c.add(f'selfsig-backsig-{h}-{when}', cert(
                p, [Sub(s, backsig_halg=h, **good)], t=t),
                doc_sig(s, t=t + DAY))


def back_signatures(c: Corpus):
    for kind in ('none', 'tampered', 'by-primary', 'type-0x18',
                 'other-primary', 'unhashed'):
        p, s, a = alice(backsig=kind)
        c.add(f'backsig-{kind}', a, doc_sig(s))
    p, s, a = alice(backsig_t=T0 + 365 * DAY * 10)
    c.add('backsig-created-in-future', a, doc_sig(s))
    p, s, a = alice(backsig_t=T_SIG + DAY)
    c.add('backsig-created-after-signature', a, doc_sig(s))
    # Mallory binds Alice's signing subkey, with Alice's own back-signature
    # copied (it covers Alice's primary key, not his).
    alice_p = KeyPart('ed25519', 'alice', T0)
    signer = KeyPart('ed25519', 'alice-sign', T0)
    mallory = KeyPart('ed25519', 'mallory', T0)
    copied = backsig(alice_p, signer, T0)
    m_uid = b'Mallory <mallory@example.org>'
    m_foreign = cert(mallory, [enc_sub('mallory-enc'),
                               Sub(signer, backsig=copied)], uid=m_uid)
    m_none = cert(mallory, [enc_sub('mallory-enc'),
                            Sub(signer, backsig='none')], uid=m_uid)
    _, _, a = alice()
    c.add('backsig-foreign-copied', m_foreign, doc_sig(signer),
          note="Mallory's cert binds Alice's signing subkey")
    c.add('backsig-foreign-none', m_none, doc_sig(signer))
    c.add('backsig-foreign-mallory-first', [m_foreign, a], doc_sig(signer),
          count=1, note="keyring: Mallory's cert, then Alice's")
    c.add('backsig-foreign-alice-first', [a, m_foreign], doc_sig(signer),
          note="keyring: Alice's cert, then Mallory's")


def flags(c: Corpus):
    p = KeyPart('ed25519', 'alice', T0)
    s = KeyPart('ed25519', 'alice-sign', T0)
    for name, f in (('encrypt-only', ENCRYPT), ('none', 0),
                    ('certify-only', CERTIFY)):
        c.add(f'subkey-flags-{name}', cert(p, [Sub(s, flags=f)]),
              doc_sig(s))
    c.add('subkey-no-binding', cert(p, [Sub(s, bound=False)]), doc_sig(s))
    c.add('subkey-binding-tampered', cert(p, [Sub(s, tamper=True)]),
          doc_sig(s))
    c.add('subkey-rebound-without-sign', cert(
        p, [Sub(s, rebind=dict(t=T0 + DAY, flags=ENCRYPT))]), doc_sig(s),
        note='a newer binding drops the sign flag')
    c.add('primary-flags-certify-only', cert(p, flags=CERTIFY), doc_sig(p))
    c.add('primary-flags-encrypt-only', cert(p, flags=ENCRYPT), doc_sig(p))
    c.add('primary-no-key-flags', cert(p, flags=None), doc_sig(p))
    c.add('uid-selfsig-tampered', cert(p, [Sub(s)], tamper=True), doc_sig(s))
    c.add('uid-generic-cert-0x10', cert(p, [Sub(s)], sigtype=0x10),
          doc_sig(s))
    weak = KeyPart('rsa1024', 'rsa1024', T0)
    c.add('weak-rsa1024-primary', cert(weak), doc_sig(weak))
    c.add('weak-rsa1024-subkey', cert(p, [Sub(weak)]), doc_sig(weak))
    c.add('weak-rsa1024-primary-ed25519-subkey', cert(weak, [Sub(s)]),
          doc_sig(s))


def validity(c: Corpus):
    p = KeyPart('ed25519', 'alice', T0)
    s = KeyPart('ed25519', 'alice-sign', T0)
    sub = [enc_sub(), Sub(s)]
    exp = 60 * DAY
    for who, signer in (('primary', p), ('subkey', s)):
        when = (('before', T_SIG), ('after', T0 + 90 * DAY))
        for label, t in when:
            c.add(f'expired-primary-{who}-signs-{label}', cert(
                p, sub, key_exp=exp), doc_sig(signer, t=t))
        for code, rname in ((None, 'no-reason'), (0x01, 'superseded'),
                            (0x02, 'compromised'), (0x03, 'retired')):
            for label, t in when:
                c.add(f'revoked-primary-{rname}-{who}-signs-{label}', cert(
                    p, sub, revoked=(T0 + 60 * DAY, code)),
                    doc_sig(signer, t=t))
    for label, t in (('before', T_SIG), ('after', T0 + 90 * DAY)):
        c.add(f'expired-subkey-signs-{label}', cert(
            p, [enc_sub(), Sub(s, key_exp=exp)]), doc_sig(s, t=t))
        for code, rname in ((None, 'no-reason'), (0x01, 'superseded'),
                            (0x02, 'compromised')):
            c.add(f'revoked-subkey-{rname}-signs-{label}', cert(
                p, [enc_sub(), Sub(s, revoked=(T0 + 60 * DAY, code))]),
                doc_sig(s, t=t))
        c.add(f'expired-binding-sig-signs-{label}', cert(
            p, [enc_sub(), Sub(s, extra=[sp(3, exp.to_bytes(4, 'big'))])]),
            doc_sig(s, t=t))
        c.add(f'revoked-uid-signs-{label}', cert(
            p, sub, uid_revoked=(T0 + 60 * DAY, 0x20)), doc_sig(s, t=t))
    for h in ('SHA1', 'MD5'):
        # Sequoia honours a revocation up to 7 years past its hash's
        # cut-off: SHA-1 ones still count, MD5 ones no longer.
        c.add(f'revoked-primary-{h}-revocation', cert(
            p, sub, revoked=(T0 + 60 * DAY, None, h)), doc_sig(s))
        c.add(f'revoked-subkey-{h}-revocation', cert(
            p, [enc_sub(), Sub(s, revoked=(T0 + 60 * DAY, None, h))]),
            doc_sig(s))
    late = KeyPart('ed25519', 'alice-late', T_SIG + DAY)
    c.add('subkey-created-after-signature', cert(
        p, [enc_sub(), Sub(late, t=T_SIG + DAY)]), doc_sig(late))
    ecdsa = KeyPart('p256', 'alice-p256-sign', T0)
    c.add('subkey-ecdsa-p256', cert(p, [enc_sub(), Sub(ecdsa)]),
          doc_sig(ecdsa))
    other = KeyPart('ed25519', 'alice-sign-2', T0)
    two = cert(p, [enc_sub(), Sub(s), Sub(other, backsig='none')])
    c.add('two-signing-subkeys-good-one-signs', two, doc_sig(s))
    c.add('two-signing-subkeys-unbacked-one-signs', two, doc_sig(other))
    for label, t in (('before', T_SIG), ('after', T0 + 90 * DAY)):
        direct = signature(p, 0x1F, p.prefix, hashed=[
            created(T0), issuer_fpr(p), sp(9, exp.to_bytes(4, 'big'))])
        c.add(f'direct-key-expiry-signs-{label}', cert(
            p, sub, direct=direct), doc_sig(s, t=t))
    direct = signature(p, 0x1F, p.prefix, hashed=[
        created(T0), issuer_fpr(p), sp(27, bytes([CERTIFY]))])
    c.add('direct-key-certify-only-primary-signs', cert(
        p, sub, direct=direct), doc_sig(p))
    c.add('direct-key-tampered', cert(p, sub, direct=signature(
        p, 0x1F, p.prefix, t=T0, tamper=True)), doc_sig(s))
    c.add('binding-made-after-signature', cert(
        p, [enc_sub(), Sub(s, t=T_SIG + DAY)]), doc_sig(s))
    c.add('uid-selfsig-made-after-signature', cert(p, sub, t=T_SIG + DAY),
          doc_sig(s))
    c.add('signature-before-key-creation', cert(p, sub),
          doc_sig(s, t=T0 - DAY))
    c.add('signature-expired', cert(p, sub), doc_sig(
        s, hashed=[created(T_SIG), sp(3, DAY.to_bytes(4, 'big')),
                   issuer_fpr(s)]))
    c.add('signature-expiry-zero', cert(p, sub), doc_sig(
        s, hashed=[created(T_SIG), sp(3, bytes(4)), issuer_fpr(s)]))
    c.add('signature-no-creation-time', cert(p, sub), doc_sig(
        s, hashed=[issuer_fpr(s)]))
