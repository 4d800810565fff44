"""Hand-made cases about the signature itself: hash, type, time,
subpackets, several signatures, text mode, issuer, version, damage."""

from .case import DATA, T2012, TEXTS, Corpus, doc_sig
from .certs import (
    DAY, T0, T_SIG, Sub, alice, cert, enc_sub)
from .openpgp import (
    ENCRYPT, KeyPart, created, issuer, issuer_fpr, notation,
    signature, sp, text_canonical, v3_signature)

TYPES = (0x00, 0x01, 0x02, 0x10, 0x11, 0x12, 0x13, 0x18, 0x19, 0x1F, 0x20,
         0x28, 0x30, 0x40, 0x50)
HASHES = ('MD5', 'SHA1', 'RIPEMD160', 'SHA224', 'SHA256', 'SHA384', 'SHA512')


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


def sig_types(c: Corpus):
    p, s, a = alice()
    for t in TYPES:
        c.add(f'doc-type-0x{t:02X}-over-data', a, doc_sig(s, sigtype=t))
        c.add(f'doc-type-0x{t:02X}-over-nothing', a,
              signature(s, t, b'', t=T_SIG))
    c.add('doc-type-0x02-by-primary', a, signature(p, 0x02, b'', t=T_SIG))
    c.add('doc-type-0x40-by-primary', a, signature(p, 0x40, b'', t=T_SIG))


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
