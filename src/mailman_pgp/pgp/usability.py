"""Key usability: what PGPy's verify() does not check.

A key is usable to encrypt (or sign) when a non-expired, non-revoked part
with that capability is bound by a valid self-signature to a non-expired,
non-revoked primary key with at least one valid user ID.
"""

from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes
from public import public

from mailman_pgp.pgp._keyparse import now_utc
from mailman_pgp.pgp._quiet import lazy, quiet
from mailman_pgp.pgp.errors import malformed

ST = lazy('pgpy.constants.SignatureType')
KF = lazy('pgpy.constants.KeyFlags')
# Generic, persona, casual and positive certifications (RFC 4880 5.2.1).
_CERTS = (0x10, 0x11, 0x12, 0x13)
_ENCRYPT_ALGS = {'RSAEncryptOrSign', 'RSAEncrypt', 'ECDH', 'ElGamal'}
_SIGN_ALGS = {'RSAEncryptOrSign', 'RSASign', 'ECDSA', 'EdDSA', 'DSA'}


@public
@dataclass(slots=True)
class Usability:
    """What a key can be used for now, and why not."""
    can_encrypt: bool
    can_sign: bool
    expired: bool
    revoked: bool
    reasons: list = field(default_factory=list)
    expires_at: object = None
    # Long key IDs of the parts usable for encryption / signing.
    encryption_keyids: list = field(default_factory=list)
    signing_keyids: list = field(default_factory=list)
    # Long key IDs of subkeys that are revoked or expired.
    revoked_keyids: list = field(default_factory=list)
    expired_keyids: list = field(default_factory=list)
    # Long key IDs of subkeys with a valid binding signature.
    bound_keyids: list = field(default_factory=list)

    @property
    def usable(self) -> bool:
        return self.can_encrypt and self.can_sign


def _valid(primary, subject, sig, now):
    """Return True if sig is a valid, current signature by primary."""
    if sig.signer != primary.fingerprint.keyid:
        return False
    expires_at = sig_expires_at(sig)
    if expires_at is not None and expires_at <= now:
        return False
    if sig.created > now:
        return False
    return verify_math(primary, subject, sig)


def sig_expires_at(sig):
    """When the pgpy signature sig expires, or None.

    A Signature Expiration Time of zero means it never expires (RFC 4880
    5.2.3.10; RNP, hence Thunderbird, writes one into every signature), but
    PGPy's expires_at reports such a signature as expiring on creation.
    """
    sps = sig._signature.subpackets
    if 'SignatureExpirationTime' not in sps:
        return None
    expires = next(iter(sps['SignatureExpirationTime'])).expires
    if not expires:
        return None
    return sig.created + expires


def verify_math(signer, subject, sig) -> bool:
    """Only the mathematics of sig by the pgpy (sub)key signer.

    PGPy's verify() also fails every signature of an expired key, which
    would report an expired key as one with bad signatures; expiry and
    revocation are judged here, not there. MD5 is refused.
    """
    algo = getattr(hashes, sig.hash_algorithm.name, None)
    if algo is None or sig.hash_algorithm.name == 'MD5':
        return False
    try:
        ok = signer._key.verify(sig.hashdata(subject), sig.__sig__, algo())
    except Exception:  # noqa: BLE001 (a broken signature is invalid)
        return False
    return ok is True


def _keyid(k):
    return str(k.fingerprint).replace(' ', '')[-16:]


def check_usability(k, now=None) -> Usability:
    """Compute the Usability of a pgpy key (internal; see Key.usability)."""
    now = now_utc(now)
    primary = k if k.is_primary else k.parent
    reasons = []
    with quiet(), malformed(message='The key is malformed and cannot be '
                            'checked; please send it again.'):
        return _check(primary, now, reasons)


def _check(primary, now, reasons):
    revoked = False
    for sig in primary.__sig__:
        if sig.type == ST.KeyRevocation and _valid(primary, primary, sig,
                                                   now):
            revoked = True
            reasons.append('The key has been revoked.')
            break
    # User IDs: newest valid self-certification, not revoked after it.
    best = None
    valid_uids = 0
    for uid in primary.userids:
        certs = [s for s in uid.__sig__ if s.type in _CERTS
                 and _valid(primary, uid, s, now)]
        if not certs:
            continue
        cert = max(certs, key=lambda s: s.created)
        revs = [s for s in uid.__sig__ if s.type == ST.CertRevocation
                and s.created >= cert.created
                and _valid(primary, uid, s, now)]
        if revs:
            continue
        valid_uids += 1
        rank = (uid.is_primary, cert.created)
        if best is None or rank > best[0]:
            best = (rank, cert)
    if best is None:
        reasons.append('The key has no valid (self-signed, unrevoked) '
                       'user ID.')
    for sig in primary.__sig__:
        if sig.type == ST.DirectlyOnKey and _valid(
                primary, primary, sig, now) and (
                best is None or sig.created > best[1].created):
                best = ((True, sig.created), sig)
    selfsig = best[1] if best else None
    expires_at = None
    if selfsig is not None and selfsig.key_expiration:
        expires_at = primary.created + selfsig.key_expiration
    expired = expires_at is not None and expires_at <= now
    if expired:
        reasons.append(f'The key expired on {expires_at:%Y-%m-%d}.')
    enc, sign = [], []
    primary_ok = selfsig is not None and not expired and not revoked
    if _too_weak(primary):
        reasons.append(f'The key is too weak (RSA-{primary.key_size}); '
                       f'please use a key of at least {RSA_MIN_BITS} bits.')
        primary_ok = False
    alg = primary.key_algorithm.name
    if primary_ok:
        flags = selfsig.key_flags or set()
        if KF.Sign in flags and alg in _SIGN_ALGS:
            sign.append(_keyid(primary))
        if flags & {KF.EncryptCommunications, KF.EncryptStorage} and \
                alg in _ENCRYPT_ALGS:
            enc.append(_keyid(primary))
    gone = ([], [], [])
    for sub in primary.subkeys.values():
        _subkey(primary, sub, now, primary_ok, enc, sign, reasons, gone)
    if primary_ok and not enc:
        reasons.append('The key has no usable encryption subkey.')
    if primary_ok and not sign:
        reasons.append('The key has no usable signing key.')
    return Usability(bool(enc), bool(sign), expired, revoked, reasons,
                     expires_at, enc, sign, *gone)


def _subkey(primary, sub, now, primary_ok, enc, sign, reasons, gone):
    binds = [s for s in sub.__sig__ if s.type == ST.Subkey_Binding
             and _valid(primary, sub, s, now)]
    if not binds:
        return
    bind = max(binds, key=lambda s: s.created)
    gone[2].append(_keyid(sub))
    for sig in sub.__sig__:
        if sig.type == ST.SubkeyRevocation and _valid(primary, sub, sig,
                                                      now):
            gone[0].append(_keyid(sub))
            return
    if bind.key_expiration and sub.created + bind.key_expiration <= now:
        gone[1].append(_keyid(sub))
        return
    if not primary_ok or _too_weak(sub):
        return
    flags = bind.key_flags or set()
    alg = sub.key_algorithm.name
    if flags & {KF.EncryptCommunications, KF.EncryptStorage} and \
            alg in _ENCRYPT_ALGS:
        enc.append(_keyid(sub))
    if KF.Sign in flags and alg in _SIGN_ALGS:
        # A signing subkey needs its back signature (primary key binding).
        if _has_backsig(sub, bind):
            sign.append(_keyid(sub))
        else:
            reasons.append(f'Signing subkey {_keyid(sub)} lacks its back signature.'
                           )


RSA_MIN_BITS = 2048


def _too_weak(k) -> bool:
    """RSA below 2048 bits (factorable with public effort) is refused."""
    size = k.key_size
    return k.key_algorithm.name.startswith('RSA') and isinstance(size, int) \
        and size < RSA_MIN_BITS


def _has_backsig(sub, bind):
    sp = bind._signature.subpackets
    return any(name in sp for name in ('EmbeddedSignature',
                                       'u_EmbeddedSignature',
                                       'h_EmbeddedSignature'))
