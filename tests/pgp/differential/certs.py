"""Certificates built by hand: every self-signature can be made wrong."""

from dataclasses import dataclass, field

from .openpgp import (
    CERTIFY, ENCRYPT, SIGN, KeyPart, created, embedded, issuer, issuer_fpr,
    key_expires, key_flags, packet, reason, signature, sp, uid_prefix)

DAY = 86400
T0 = 1704067200            # 2024-01-01: most keys are made then
T_SIG = T0 + 30 * DAY      # and most signatures a month later
UID = b'Alice <alice@example.org>'


@dataclass
class Sub:
    """A subkey and how it is bound to its primary key."""
    part: KeyPart
    flags: int = SIGN
    t: int = T0
    key_exp: int | None = None
    halg: str = 'SHA256'
    extra: list = field(default_factory=list)   # more hashed subpackets
    # 'good', 'none', 'tampered', 'by-primary', 'type-0x18', 'other-primary',
    # 'unhashed', or a signature packet to embed as it is (foreign).
    backsig: object = 'good'
    backsig_t: int | None = None
    backsig_halg: str = 'SHA256'
    bound: bool = True
    tamper: bool = False
    revoked: tuple | None = None          # (time, reason code or None)
    rebind: dict | None = None            # a second, newer binding


def backsig(primary: KeyPart, sub: KeyPart, t: int, halg='SHA256',
            signer=None, sigtype=0x19, tamper=False) -> bytes:
    """The primary key binding signature (0x19) made by sub."""
    signer = signer or sub
    return signature(signer, sigtype, primary.prefix + sub.prefix, t=t,
                     halg=halg, tamper=tamper)


def binding(primary: KeyPart, s: Sub, t=None, flags=None) -> bytes:
    t = s.t if t is None else t
    flags = s.flags if flags is None else flags
    hashed = [created(t), key_flags(flags), issuer_fpr(primary)]
    if s.key_exp is not None:
        hashed.append(key_expires(s.key_exp))
    hashed += s.extra
    unhashed = [issuer(primary)]
    if flags & SIGN and s.backsig != 'none':
        bt = s.backsig_t if s.backsig_t is not None else t
        if isinstance(s.backsig, bytes):
            back = s.backsig
        elif s.backsig == 'tampered':
            back = backsig(primary, s.part, bt, s.backsig_halg, tamper=True)
        elif s.backsig == 'by-primary':
            back = backsig(primary, s.part, bt, s.backsig_halg,
                           signer=primary)
        elif s.backsig == 'type-0x18':
            back = backsig(primary, s.part, bt, s.backsig_halg,
                           sigtype=0x18)
        elif s.backsig == 'other-primary':
            back = backsig(KeyPart('ed25519', 'mallory', T0), s.part, bt,
                           s.backsig_halg)
        else:
            back = backsig(primary, s.part, bt, s.backsig_halg)
        (unhashed if s.backsig == 'unhashed' else hashed).append(
            embedded(back))
    return signature(primary, 0x18, primary.prefix + s.part.prefix,
                     hashed=hashed, unhashed=unhashed, halg=s.halg,
                     tamper=s.tamper)


def revocation(primary: KeyPart, sigtype: int, prefix: bytes, t: int,
               code, halg='SHA256') -> bytes:
    hashed = [created(t), issuer_fpr(primary)]
    if code is not None:
        hashed.append(reason(code, b'test'))
    return signature(primary, sigtype, prefix, hashed=hashed, halg=halg)


def uid_cert(primary: KeyPart, uid=UID, t=T0, flags=CERTIFY | SIGN,
             key_exp=None, halg='SHA256', extra=(), sigtype=0x13,
             tamper=False) -> bytes:
    hashed = [created(t)]
    if flags is not None:
        hashed.append(key_flags(flags))
    hashed += [issuer_fpr(primary), sp(11, b'\x09\x08\x07'),
               sp(21, b'\x0a\x08'), sp(30, b'\x01'), sp(25, b'\x01')]
    if key_exp is not None:
        hashed.append(key_expires(key_exp))
    hashed += list(extra)
    return signature(primary, sigtype, uid_prefix(primary, uid),
                     hashed=hashed, halg=halg, tamper=tamper)


def cert(primary: KeyPart, subs=(), *, uid=UID, uid_sigs=None,
         revoked=None, direct=None, uid_revoked=None, **uid_args) -> bytes:
    """A transferable public key: primary, one user ID, subkeys.

    revoked: (time, reason code or None) for a key revocation;
    direct: a direct-key signature packet; uid_sigs replaces the user
    ID's self-signature; uid_revoked: (time, code) for its revocation.
    """
    out = primary.packet()
    if revoked is not None:
        out += revocation(primary, 0x20, primary.prefix, *revoked)
    if direct is not None:
        out += direct
    out += packet(13, uid)
    out += uid_sigs if uid_sigs is not None else uid_cert(primary, uid,
                                                          **uid_args)
    if uid_revoked is not None:
        out += revocation(primary, 0x30, uid_prefix(primary, uid),
                          *uid_revoked)
    for s in subs:
        out += s.part.packet(subkey=True)
        if s.bound:
            out += binding(primary, s)
        if s.rebind:
            out += binding(primary, s, **s.rebind)
        if s.revoked is not None:
            out += revocation(primary, 0x28, primary.prefix + s.part.prefix,
                              *s.revoked)
    return out


def enc_sub(name='alice-enc') -> Sub:
    return Sub(KeyPart('cv25519', name, T0), flags=ENCRYPT)


def alice(**kw):
    """(primary, signing subkey part, cert) of the usual Ed25519 shape."""
    primary = KeyPart('ed25519', 'alice', T0)
    signer = KeyPart('ed25519', 'alice-sign', T0)
    sub = Sub(signer, **kw)
    return primary, signer, cert(primary, [enc_sub(), sub])
