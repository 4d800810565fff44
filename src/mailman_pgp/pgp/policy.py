"""Which keys, subkeys, bindings and signatures count: decided here only.

The rules are RFC 9580's as Sequoia's StandardPolicy applies them (sqv and
sqop give the same verdicts: tests/pgp/differential). Both key paths (the
packet fast path, _fastkey, and the PGPy path, usability) describe a key
as a Cert of Parts and Sigs with their own parsers and mathematics; key
import and verification ask this module, so a rule is fixed once.

A key part is valid at an instant t when it exists at t, is strong enough,
is bound at t by the newest valid self-signature made at or before t, and
is neither expired nor revoked at t (a hard revocation - compromised, or
no reason - counts whatever its date). A signing subkey also needs a valid
primary key binding (back-signature) made by the subkey itself, at or
before t. A message signature counts when it is binary or text, uses an
accepted hash, is not from the future, and its key part could sign both
when it was made and now.
"""

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from public import public

from mailman_pgp.pgp._cert import Cert, Part, Usability  # noqa: F401

UTC = timezone.utc  # noqa: UP017 (datetime.UTC is Python 3.11+)

# How far in the future a signature may be dated (Sequoia: 30 minutes).
CLOCK_SKEW = timedelta(minutes=30)
DOCUMENT_TYPES = (0x00, 0x01)
CERTIFICATIONS = (0x10, 0x11, 0x12, 0x13)
SUBKEY_BINDING, PRIMARY_BINDING, DIRECT_KEY = 0x18, 0x19, 0x1F
KEY_REVOCATION, SUBKEY_REVOCATION, UID_REVOCATION = 0x20, 0x28, 0x30
SIGNATURE_TYPES = {
    0x00: 'binary', 0x01: 'text', 0x02: 'standalone', 0x18: 'subkey binding',
    0x19: 'primary key binding', 0x1F: 'direct key', 0x40: 'timestamp',
    0x20: 'key revocation', 0x28: 'subkey revocation', 0x30: 'revocation',
    0x50: 'third-party confirmation', **dict.fromkeys(CERTIFICATIONS,
                                                      'certification')}
HASHES = {1: 'MD5', 2: 'SHA1', 3: 'RIPEMD160', 8: 'SHA256', 9: 'SHA384',
          10: 'SHA512', 11: 'SHA224', 12: 'SHA3-256', 14: 'SHA3-512'}


def _day(y, m):
    return datetime(y, m, 1, tzinfo=UTC)


# Sequoia's StandardPolicy: when a hash stops being accepted. Signatures
# over attacker-chosen data (messages, third-party certifications) need
# collision resistance; self-signatures need second pre-image resistance.
# The date is compared with the time of checking, not the (forgeable)
# signature creation time.
COLLISION_CUTOFFS = {1: _day(1997, 2), 2: _day(2013, 2), 3: _day(2013, 2)}
PREIMAGE_CUTOFFS = {1: _day(2004, 2), 2: _day(2023, 2), 3: _day(2013, 2)}
# Revocations keep counting this long after their hash's cut-off (Sequoia:
# 7 years, so SHA-1 ones until 2030; MD5 and RIPEMD-160 ones no longer).
REVOCATION_TOLERANCE = timedelta(days=7 * 365 + 2)
_STRONG = frozenset({8, 9, 10, 11, 12, 14})   # SHA-2 and SHA-3
# Public key algorithm IDs (RFC 9580 9.1).
SIGN_ALGS = frozenset({1, 3, 17, 19, 22})
ENCRYPT_ALGS = frozenset({1, 2, 16, 18})
ALG_NAMES = {1: 'RSA', 2: 'RSA', 3: 'RSA', 16: 'ElGamal', 17: 'DSA',
             18: 'ECDH', 19: 'ECDSA', 22: 'EdDSA'}
# RSA, DSA and ElGamal under 2048 bits: refused (Sequoia since 2014-02).
RSA_MIN_BITS = MIN_BITS = 2048
# The refusal of every encryption-only subkey (KeyFacts keeps it as None).
NOT_SIGNING = 'the subkey {} is not a signing subkey'
CURVES = frozenset({'nistp256', 'nistp384', 'nistp521', 'brainpoolP256r1',
                    'brainpoolP384r1', 'brainpoolP512r1', 'ed25519',
                    'cv25519'})


def describe(part: Part) -> str:
    name = ALG_NAMES.get(part.alg, f'algorithm {part.alg}')
    if isinstance(part.size, int):
        return f'{name}-{part.size}'
    return f'{name}/{part.size}'


def key_refusal(part: Part) -> str | None:
    """Why this key part's algorithm or size is refused, or None."""
    if part.alg not in ALG_NAMES:
        return f'its algorithm ({part.alg}) is not supported'
    if isinstance(part.size, int):
        if part.size < MIN_BITS:
            return (f'{describe(part)} is too weak; at least {MIN_BITS} bits '
                    'are needed')
    elif part.size not in CURVES:
        return f'the curve of {describe(part)} is not accepted'
    return None


def hash_refusal(sig, now, *, collision: bool) -> str | None:
    """Why sig's hash algorithm is refused at now, or None."""
    if sig.halg in _STRONG:
        return None
    name = HASHES.get(sig.halg)
    if name is None:
        return f'it uses an unknown hash algorithm ({sig.halg})'
    cutoff = (COLLISION_CUTOFFS if collision else PREIMAGE_CUTOFFS).get(
        sig.halg)
    if cutoff is not None and now >= cutoff:
        return f'it uses {name}, refused since {cutoff:%Y-%m-%d}'
    return None


def _self_valid(sig, issuer, t, now, created, alive=True) -> bool:
    """A self-signature (certification, binding) in force at t (with
    alive=False: made by t, expired or not).  One without an issuer
    subpacket is tried too (Sequoia does): the mathematics decides whose
    it is."""
    return (sig.issuer in (issuer, None) and created <= sig.created <= t
            and (sig.expires is None or sig.expires > t or not alive)
            and sig.critical is None
            and hash_refusal(sig, now, collision=False) is None
            and sig.ok())


def _revokes(sig, issuer, t, now) -> bool:
    """A revocation by issuer in force at t (hard ones whatever their date;
    a weak hash counts until REVOCATION_TOLERANCE after its cut-off)."""
    return sig.issuer in (issuer, None) and (sig.hard or sig.created <= t) \
        and sig.critical is None and hash_refusal(
            sig, now - REVOCATION_TOLERANCE, collision=False) is None \
        and sig.ok()


def backsig_refusal(bind, sub: Part, t, now) -> str | None:
    """Why a signing subkey's primary key binding does not hold, or None."""
    back = bind.backsig
    if back is None:
        return f'signing subkey {sub.keyid} lacks its back signature'
    if back and back.created > t:
        return (f'signing subkey {sub.keyid} has no valid back signature '
                'yet: its primary key binding is dated '
                f'{back.created:%Y-%m-%d %H:%M} UTC')
    if back is False or back.type != PRIMARY_BINDING or (
            back.issuer is not None and back.issuer != sub.keyid) or (
            back.expires is not None and back.expires <= t) or \
            back.critical is not None or \
            hash_refusal(back, now, collision=False) is not None or \
            not back.ok():
        return (f'signing subkey {sub.keyid} has no valid back signature '
                '(primary key binding): it may belong to another key')
    return None


_CUTOFFS = sorted({*COLLISION_CUTOFFS.values(), *PREIMAGE_CUTOFFS.values(),
                   *(c + REVOCATION_TOLERANCE
                     for c in PREIMAGE_CUTOFFS.values())})


def evaluate(cert: Cert, t: datetime, now: datetime) -> Usability:
    """The Usability of cert at instant t, algorithms judged at now
    (computed once per interval between the key's own instants)."""
    key = (cert.interval(t), bisect_right(_CUTOFFS, now))
    report = cert.memo.get(key)
    if report is None:
        report = cert.memo[key] = _evaluate(cert, t, now)[0]
    return report


def _evaluate(cert, t, now):
    primary, pid = cert.primary, cert.primary.keyid
    reasons, refusals, defects = [], {}, []
    revoked = any(s.type == KEY_REVOCATION and _revokes(s, pid, t, now)
                  for s in primary.sigs)
    if revoked:
        reasons.append('The key has been revoked.')
    best = revoked_uid = None
    for sigs in cert.uids:
        certs = [s for s in sigs if s.type in CERTIFICATIONS
                 and _self_valid(s, pid, t, now, primary.created)]
        if not certs:
            continue
        cert_sig = max(certs, key=lambda s: s.created)
        rank = (cert_sig.primary_uid, cert_sig.created)
        if any(s.type == UID_REVOCATION and s.created >= cert_sig.created
               and _revokes(s, pid, t, now) for s in sigs):
            if revoked_uid is None or rank > revoked_uid[0]:
                revoked_uid = (rank, cert_sig)
        elif best is None or rank > best[0]:
            best = (rank, cert_sig)
    if best is None and revoked_uid is not None:
        # A revoked user ID still binds the key (as for Sequoia): its
        # signatures count; key set refuses it (a defect).
        best = revoked_uid
        defects.append('The key has no valid user ID: its user IDs are '
                       'revoked.')
    elif best is None:
        weak_hashes = {r for sigs in cert.uids for s in sigs
                       if s.issuer == pid and s.type in CERTIFICATIONS
                       for r in [hash_refusal(s, now, collision=False)] if r}
        detail = ' ({})'.format('; '.join(sorted(
            f'its self-signatures: {r}' for r in weak_hashes))) \
            if weak_hashes else ''
        reasons.append('The key has no valid (self-signed, unrevoked) '
                       f'user ID{detail}.')
    # The binding is the user ID's self-signature, else the direct-key
    # signature, which also supplies what the former leaves out.
    direct = max((s for s in primary.sigs if s.type == DIRECT_KEY
                  and _self_valid(s, pid, t, now, primary.created)),
                 key=lambda s: s.created, default=None)
    selfsig = best[1] if best else direct
    expiry = flags = None
    for s in (selfsig, direct):
        if s is not None:
            expiry = expiry or s.key_expiry
            flags = s.flags if flags is None else flags
    expires_at = None
    if expiry:
        expires_at = primary.created + timedelta(seconds=expiry)
    expired = expires_at is not None and expires_at <= t
    if expired:
        reasons.append(f'The key expired on {expires_at:%Y-%m-%d}.')
    ok = selfsig is not None and not expired and not revoked
    if primary.created > t:
        ok = False
        refusals[pid] = f'the key {pid} did not exist yet'
    weak = key_refusal(primary)
    if weak:
        reasons.append(f'The key is too weak or unsupported: {weak}; '
                       'please use a current key (e.g. Ed25519 or RSA-3072).')
        ok = False
    enc, sign = [], []
    if ok:
        flags = flags or 0
        if flags & 0x02 and primary.alg in SIGN_ALGS:
            sign.append(pid)
        else:
            refusals[pid] = f'the primary key {pid} is not a signing key'
        if flags & 0x0C and primary.alg in ENCRYPT_ALGS:
            enc.append(pid)
    gone = ([], [])
    for sub in cert.subkeys:
        _subkey(cert, sub, t, now, ok, (enc, sign, reasons, refusals,
                                        defects), gone)
    if ok and not enc:
        reasons.append('The key has no usable encryption subkey.')
    if ok and not sign:
        reasons.append('The key has no usable signing key.')
    if reasons:
        for kid in [pid, *(s.keyid for s in cert.subkeys)]:
            if kid not in sign and kid not in refusals:
                refusals[kid] = reasons[0]
    report = Usability(bool(enc), bool(sign), expired, revoked, reasons,
                       expires_at, enc, sign, *gone, refusals, defects)
    return report, selfsig


def _subkey(cert, sub, t, now, primary_ok, out, gone):
    enc, sign, reasons, refusals, defects = out
    pid, kid = cert.primary.keyid, sub.keyid
    binds = [s for s in sub.sigs if s.type == SUBKEY_BINDING
             and _self_valid(s, pid, t, now, sub.created)]
    if not binds:
        if any(s.type == SUBKEY_BINDING and _self_valid(
                s, pid, t, now, sub.created, alive=False) for s in sub.sigs):
            gone[1].append(kid)
            refusals[kid] = (f'the subkey {kid} expired (its binding '
                             'signature did)')
            return
        refusals[kid] = (f'the subkey {kid} is not bound to the key by a '
                         'valid binding signature')
        weak = sorted({r for s in sub.sigs if s.type == SUBKEY_BINDING
                       for r in [hash_refusal(s, now, collision=False)] if r})
        if weak:
            refusals[kid] += ' ({})'.format('; '.join(weak))
            reasons.append(f'Subkey {kid} is not used: its binding signature '
                           '{}.'.format('; '.join(weak)))
        return
    bind = max(binds, key=lambda s: s.created)
    if any(s.type == SUBKEY_REVOCATION and _revokes(s, pid, t, now)
           for s in sub.sigs):
        gone[0].append(kid)
        refusals[kid] = f'the subkey {kid} was revoked'
        return
    end = bind.key_expiry and sub.created + timedelta(
        seconds=bind.key_expiry)
    if end and end <= t:
        gone[1].append(kid)
        refusals[kid] = f'the subkey {kid} expired on {end:%Y-%m-%d}'
        return
    if not primary_ok:
        return
    weak = key_refusal(sub)
    if weak:
        refusals[kid] = f'the subkey {kid} is refused: {weak}'
        reasons.append(f'Subkey {kid} is not used: {weak}.')
        defects.append(reasons[-1])
        return
    flags = bind.flags or 0
    if flags & 0x0C and sub.alg in ENCRYPT_ALGS:
        enc.append(kid)
    if not (flags & 0x02 and sub.alg in SIGN_ALGS):
        refusals[kid] = NOT_SIGNING.format(kid)
        return
    problem = backsig_refusal(bind, sub, t, now)
    if problem:
        reasons.append(problem[0].upper() + problem[1:] + '.')
        defects.append(reasons[-1])
        refusals[kid] = problem
    else:
        sign.append(kid)


@public
@dataclass(slots=True)
class Judgement:
    """The policy's answer about one message signature."""
    ok: bool                 # policy and key allow it (mathematics aside)
    expired: bool = False
    revoked: bool = False
    reason: str | None = None


def judge_document(sig, cert: Cert | None, now: datetime) -> Judgement:
    """May sig (a _sigparse.Sig over a message) count, by the key in cert?
    The signature's own mathematics is the caller's to check."""
    kind = SIGNATURE_TYPES.get(sig.type, 'unknown')
    if sig.type not in DOCUMENT_TYPES:
        return Judgement(False, reason=(
            f'it is a {kind} signature (type 0x{sig.type:02x}), which does '
            'not cover the message; only binary and text signatures count'))
    if sig.critical is not None:
        return Judgement(False, reason=f'it carries an {sig.critical}'
                         if sig.critical.startswith('unknown') else
                         f'it carries a {sig.critical}')
    weak = hash_refusal(sig, now, collision=True)
    if weak:
        return Judgement(False, reason=weak + ' for message signatures')
    if sig.created > now + CLOCK_SKEW:
        return Judgement(False, reason=(
            f'it is dated in the future ({sig.created:%Y-%m-%d %H:%M} UTC)'))
    if sig.expires is not None and sig.expires <= now:
        return Judgement(True, expired=True, reason=(
            f'the signature expired on {sig.expires:%Y-%m-%d}'))
    if cert is None:
        return Judgement(True)
    made = f'signature made {sig.created:%Y-%m-%d %H:%M} UTC'
    kid, when = sig.issuer, 'before the signature was made'
    at = evaluate(cert, sig.created, now)
    if kid in at.signing_keyids:
        # Valid when made; it must be valid now too (as for Sequoia).
        at = evaluate(cert, now, now)
        if kid in at.signing_keyids:
            return Judgement(True)
        when, made = 'after the signature was made', f'{made}; judged now'
    if at.revoked:
        return Judgement(True, revoked=True, reason=(
            f'the key was revoked ({made})'))
    if kid in at.revoked_keyids:
        return Judgement(True, revoked=True, reason=(
            f'{at.refusals[kid]} ({made})'))
    if at.expired:
        return Judgement(True, expired=True, reason=(
            f'the key expired on {at.expires_at:%Y-%m-%d}, {when} ({made})'))
    if kid in at.expired_keyids:
        return Judgement(True, expired=True, reason=(
            f'{at.refusals[kid]}, {when} ({made})'))
    reason = at.refusals.get(kid) or f'the key part {kid} cannot sign'
    if reason[:1].isupper():
        reason = reason[0].lower() + reason[1:].rstrip('.')
    return Judgement(False, reason=f'{reason} ({made})')
