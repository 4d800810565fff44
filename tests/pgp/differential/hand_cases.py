"""The hand-made part of the corpus: keys and signatures no tool makes.

Each case is (certificates, data, detached signature); its verdict is
whatever Sequoia says, never written here.
"""

import time
from dataclasses import dataclass, field

from .certs import DAY, T0, T_SIG, UID, Sub, alice, backsig, cert, enc_sub
from . import openpgp
from .openpgp import (
    CERTIFY, ENCRYPT, KeyPart, created, issuer, issuer_fpr, notation,
    signature, sp, text_canonical, v3_signature)

DATA = b'Hello list,\nthis is a signed post.\n'
T2012 = 1325376000          # before Sequoia's 2013 cut-off for SHA-1 data
T2022 = 1640995200          # before its 2023 cut-off for SHA-1 self-sigs
TYPES = (0x00, 0x01, 0x02, 0x10, 0x11, 0x12, 0x13, 0x18, 0x19, 0x1F, 0x20,
         0x28, 0x30, 0x40, 0x50)
HASHES = ('MD5', 'SHA1', 'RIPEMD160', 'SHA224', 'SHA256', 'SHA384', 'SHA512')


@dataclass
class Case:
    id: str
    certs: list
    data: bytes
    sig: bytes
    origin: str = 'hand'
    note: str = ''
    # Signature packets in sig (a garbled one counts as one).
    count: int = field(default=1)
    # Validity now: a signature by the same key made now (checked by
    # Sequoia too), or Sequoia refused to make one (key unusable now).
    now_sig: bytes | None = None
    now_refused: bool = False
    secret: bytes | None = None     # the signer's key, while building


def doc_sig(signer, data=DATA, t=T_SIG, sigtype=0x00, **kw) -> bytes:
    if sigtype == 0x01:
        data = text_canonical(data)
    return signature(signer, sigtype, data, t=t, **kw)


class Corpus:
    def __init__(self, now):
        self.cases, self.now = [], now

    def add(self, id, certs, sig, data=DATA, note='', count=1):
        if isinstance(certs, bytes):
            certs = [certs]
        case = Case(id, certs, data, sig, 'hand', note, count)
        if count == 1 and openpgp.LAST_SIGNER:
            case.now_sig = signature(openpgp.LAST_SIGNER[-1], 0x00, data,
                                     t=self.now - 60)
        self.cases.append(case)


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


def hashes(c: Corpus):
    p, s, a = alice()
    rsa = KeyPart('rsa2048a', 'rsa2048a', T0)
    r = cert(rsa, [enc_sub('rsa-enc')])
    for h in HASHES:
        c.add(f'doc-hash-{h}-ed25519-subkey', a, doc_sig(s, halg=h))
        c.add(f'doc-hash-{h}-rsa-primary', r, doc_sig(rsa, halg=h))
    # Documents signed before Sequoia's cut-offs, by keys that old.
    old = KeyPart('ed25519', 'old-alice', T2012 - DAY)
    old_sub = Sub(KeyPart('ed25519', 'old-alice-sign', T2012 - DAY),
                  t=T2012 - DAY)
    oc = cert(old, [Sub(KeyPart('cv25519', 'old-enc', T2012 - DAY),
                        flags=ENCRYPT, t=T2012 - DAY), old_sub],
              t=T2012 - DAY)
    oldrsa = KeyPart('rsa2048b', 'rsa2048b', T2012 - DAY)
    orc = cert(oldrsa, t=T2012 - DAY)
    for h in ('MD5', 'SHA1', 'RIPEMD160'):
        c.add(f'doc-hash-{h}-2012-ed25519', oc,
              doc_sig(old_sub.part, t=T2012, halg=h))
        c.add(f'doc-hash-{h}-2012-rsa', orc, doc_sig(oldrsa, t=T2012, halg=h))


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


def sig_types(c: Corpus):
    p, s, a = alice()
    for t in TYPES:
        c.add(f'doc-type-0x{t:02X}-over-data', a, doc_sig(s, sigtype=t))
        c.add(f'doc-type-0x{t:02X}-over-nothing', a,
              signature(s, t, b'', t=T_SIG))
    c.add('doc-type-0x02-by-primary', a, signature(p, 0x02, b'', t=T_SIG))
    c.add('doc-type-0x40-by-primary', a, signature(p, 0x40, b'', t=T_SIG))


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
        # Revocations are honoured whatever their hash (Sequoia's policy).
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


def future(c: Corpus, now: int):
    p, s, a = alice()
    for label, dt in (('10min', 600), ('1h', 3600), ('1d', DAY), ('1y', 365 * DAY)):
        c.add(f'future-doc-sig-{label}', a, doc_sig(s, t=now + dt))
    c.add('future-binding', cert(p, [enc_sub(), Sub(s, t=now + DAY)]),
          doc_sig(s))
    c.add('future-uid-selfsig', cert(p, [enc_sub(), Sub(s)], t=now + DAY),
          doc_sig(p))
    c.add('future-key-creation', cert(
        KeyPart('ed25519', 'alice', now + DAY), t=now + DAY),
        doc_sig(KeyPart('ed25519', 'alice', now + DAY), t=now + DAY))


def subpackets(c: Corpus):
    p, s, a = alice()
    base = [created(T_SIG), issuer_fpr(s)]
    for crit in (True, False):
        tag = 'critical' if crit else 'noncritical'
        c.add(f'doc-unknown-subpacket-{tag}', a, doc_sig(
            s, hashed=base + [sp(100, b'x', crit)]))
        c.add(f'doc-unknown-notation-{tag}', a, doc_sig(
            s, hashed=base + [notation(b'x@example.org', b'y', crit)]))
        c.add(f'doc-unknown-subpacket-unhashed-{tag}', a, doc_sig(
            s, unhashed=[issuer(s), sp(100, b'x', crit)]))
        c.add(f'binding-unknown-subpacket-{tag}', cert(
            p, [enc_sub(), Sub(s, extra=[sp(101, b'x', crit)])]),
            doc_sig(s))
        c.add(f'binding-unknown-notation-{tag}', cert(
            p, [enc_sub(), Sub(s, extra=[notation(b'n@example.org', b'v',
                                                  crit)])]), doc_sig(s))
        c.add(f'uid-unknown-subpacket-{tag}', cert(
            p, [enc_sub(), Sub(s)], extra=[sp(102, b'x', crit)]),
            doc_sig(s))
    c.add('doc-critical-creation-time', a, doc_sig(
        s, hashed=[sp(2, T_SIG.to_bytes(4, 'big'), True), issuer_fpr(s)]))
    c.add('doc-critical-issuer-fpr', a, doc_sig(
        s, hashed=[created(T_SIG), sp(33, b'\x04' + s.fpr, True)]))
    c.add('doc-odd-length-creation-time', a, doc_sig(
        s, hashed=[sp(2, T_SIG.to_bytes(5, 'big')), issuer_fpr(s)]))


def several(c: Corpus):
    p, s, a = alice()
    good, goodp = doc_sig(s), doc_sig(p)
    stranger = KeyPart('ed25519', 'stranger', T0)
    pairs = {
        'good-good': (good, goodp),
        'good-tampered': (good, doc_sig(p, tamper=True)),
        'tampered-good': (doc_sig(p, tamper=True), good),
        'good-wrong-data': (good, doc_sig(p, data=b'other')),
        'good-unknown-key': (good, doc_sig(stranger)),
        'unknown-key-good': (doc_sig(stranger), good),
        'good-sha1': (good, doc_sig(p, halg='SHA1')),
        'good-type-0x02': (good, signature(p, 0x02, b'', t=T_SIG)),
        'good-type-0x40': (good, signature(p, 0x40, b'', t=T_SIG)),
        'tampered-tampered': (doc_sig(s, tamper=True),
                              doc_sig(p, tamper=True)),
    }
    for name, sigs in pairs.items():
        c.add(f'several-{name}', a, b''.join(sigs), count=len(sigs))
    c.add('several-good-good-good', a, good + goodp + good, count=3)


TEXTS = {
    'lf': b'line one\nline two\n',
    'crlf': b'line one\r\nline two\r\n',
    'mixed': b'line one\r\nline two\nline three\r\n',
    'trailing-space': b'line one   \nline two\t\n',
    'no-final-newline': b'line one\nline two',
    'utf8': 'Grüße aus Köln, ça va? 日本語\n'.encode(),
    'latin1': 'Grüße\n'.encode('latin-1'),
    'lone-cr': b'line one\rline two\r',
    'empty': b'',
    'dash-lines': b'- dash\n-----BEGIN PGP SIGNATURE-----\nFrom x\n',
}


def text_mode(c: Corpus):
    p, s, a = alice()
    for name, data in TEXTS.items():
        c.add(f'text-{name}-canonical', a, doc_sig(s, data=data, sigtype=1),
              data=data)
        c.add(f'text-{name}-raw-bytes', a, signature(s, 0x01, data,
                                                       t=T_SIG), data=data)
        stripped = b'\n'.join(line.rstrip(b' \t') for line in
                              data.split(b'\n'))
        if stripped != data:
            c.add(f'text-{name}-whitespace-stripped', a, doc_sig(
                s, data=stripped, sigtype=1), data=data)
        c.add(f'binary-{name}', a, doc_sig(s, data=data), data=data)
    lone = TEXTS['lone-cr']
    c.add('text-lone-cr-signed-as-crlf', a, doc_sig(
        s, data=lone.replace(b'\r', b'\r\n'), sigtype=1), data=lone)
    c.add('text-crlf-signed-verified-over-lf', a,
          doc_sig(s, data=TEXTS['crlf'], sigtype=1), data=TEXTS['lf'])
    c.add('binary-crlf-signed-verified-over-lf', a,
          doc_sig(s, data=TEXTS['crlf']), data=TEXTS['lf'])


def issuers(c: Corpus):
    p, s, a = alice()
    bob = KeyPart('ed25519', 'bob', T0)
    b = cert(bob, uid=b'Bob <bob@example.org>')
    c.add('issuer-other-key', a, doc_sig(
        s, hashed=[created(T_SIG), issuer_fpr(bob)], unhashed=[issuer(bob)]))
    c.add('issuer-other-key-both-certs', [a, b], doc_sig(
        s, hashed=[created(T_SIG), issuer_fpr(bob)], unhashed=[issuer(bob)]))
    c.add('issuer-keyid-only', a, doc_sig(s, hashed=[created(T_SIG)]))
    c.add('issuer-fpr-only', a, doc_sig(s, unhashed=[]))
    c.add('issuer-none', a, doc_sig(s, hashed=[created(T_SIG)],
                                    unhashed=[]))
    c.add('issuer-primary-but-subkey-signed', a, doc_sig(
        s, hashed=[created(T_SIG), issuer_fpr(p)], unhashed=[issuer(p)]))
    c.add('issuer-fpr-mismatch-keyid', a, doc_sig(
        s, hashed=[created(T_SIG), issuer_fpr(bob)], unhashed=[issuer(s)]))
    c.add('unknown-key', a, doc_sig(bob))
    c.add('two-certs-signed-by-second', [b, a], doc_sig(s))


def v3(c: Corpus):
    rsa = KeyPart('rsa2048a', 'rsa2048a', T0)
    r = cert(rsa)
    c.add('v3-sig-rsa', r, v3_signature(rsa, 0x00, DATA, T_SIG))
    c.add('v3-sig-rsa-text', r, v3_signature(rsa, 0x01, text_canonical(DATA),
                                             T_SIG))
    p, s, a = alice()
    c.add('v3-sig-ed25519', a, v3_signature(s, 0x00, DATA, T_SIG))
    c.add('v3-sig-rsa-wrong-data', r, v3_signature(rsa, 0x00, b'x', T_SIG))


def garbled(c: Corpus):
    p, s, a = alice()
    good = doc_sig(s)
    c.add('garbled-truncated-half', a, good[:len(good) // 2])
    c.add('garbled-truncated-one-byte', a, good[:-1])
    c.add('garbled-trailing-byte', a, good + b'\x00')
    c.add('garbled-random', a, bytes(range(7, 90)))
    c.add('garbled-literal-packet', a, bytes([0xCB, 6]) + b'b\x00' + bytes(4))
    c.add('garbled-wrong-version-5', a, good[:2] + b'\x05' + good[3:])
    c.add('garbled-mpi-length', a, good[:-66] + b'\xff\xff' + good[-64:])
    c.add('garbled-hashed-length', a, good[:6] + b'\x7f' + good[7:])
    c.add('garbled-bad-pkalg', a, good[:4] + b'\x01' + good[5:])
    c.add('garbled-left16', a, _left16(good))


def _left16(sig: bytes) -> bytes:
    body = bytearray(sig[2:])
    hlen = int.from_bytes(body[4:6], 'big')
    ulen = int.from_bytes(body[6 + hlen:8 + hlen], 'big')
    pos = 8 + hlen + ulen
    body[pos] ^= 0xFF
    return sig[:2] + bytes(body)


def build(now: int | None = None) -> list:
    """Every hand-made case; future ones are relative to now."""
    now = int(now or time.time())
    c = Corpus(now)
    for part in (baseline, hashes, self_sig_hashes, sig_types,
                 back_signatures, flags, validity, subpackets, several,
                 text_mode, issuers, v3, garbled):
        part(c)
    future(c, now)
    ids = [case.id for case in c.cases]
    assert len(ids) == len(set(ids)), 'duplicate case ids'
    return c.cases


__all__ = ['Case', 'DATA', 'build', 'UID']
