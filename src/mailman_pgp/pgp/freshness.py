"""Is an offered copy of a stored key at least as new as the stored one?

Anyone can keep an old export of a member's key: one with a self-signature
that a later one replaced (say, without the expiry date the member set
since), or from before a subkey or user ID was revoked.  Storing such a
copy would roll the key back, so a stored key is only ever replaced by a
copy of the same key that keeps every revocation the stored copy has and,
for the key itself, each user ID and each subkey, a valid self-signature
no older than the newest valid one the stored copy has.  Which signatures
are valid is policy.py's decision; the key store asks ``staleness()`` on
every write of a key it already holds.
"""

import hashlib

from public import public

from mailman_pgp.pgp import packets as P
from mailman_pgp.pgp._keyparse import now_utc
from mailman_pgp.pgp._sigparse import BadSignaturePacket, read_sig
from mailman_pgp.pgp.keys import Key
from mailman_pgp.pgp.policy import (
    CERTIFICATIONS, DIRECT_KEY, KEY_REVOCATION, SUBKEY_BINDING,
    SUBKEY_REVOCATION, UID_REVOCATION, _revokes, _self_valid)

_SELF = (*CERTIFICATIONS, SUBKEY_BINDING, DIRECT_KEY)
_REVOKING = (KEY_REVOCATION, SUBKEY_REVOCATION, UID_REVOCATION)


def _identity(sig) -> tuple:
    """What tells one signature from another in both copies (the unhashed
    area aside, which anyone can change)."""
    return sig.hashed_part, tuple(sig.mpis)


def _components(raw: bytes) -> dict:
    """Signature identity -> the part of the key it sits on, in words."""
    where, component = {}, None
    for packet in P.iter_packets(raw):
        if packet.tag in (P.PUBLIC_KEY, P.SECRET_KEY):
            component = 'the key'
        elif packet.tag == P.USER_ID:
            component = 'user ID "{}"'.format(
                packet.body.decode('utf-8', 'replace')[:80])
        elif packet.tag == P.USER_ATTRIBUTE:
            component = None        # photos: not judged by the policy
        elif packet.tag in (P.PUBLIC_SUBKEY, P.SECRET_SUBKEY):
            component = 'subkey {}'.format(_subkey_id(packet))
        elif packet.tag == P.SIGNATURE and component is not None:
            try:
                sig = read_sig(packet.body)
            except (BadSignaturePacket, ValueError, IndexError):
                continue
            where.setdefault(_identity(sig), component)
    return where


def _subkey_id(packet) -> str:
    """The long key ID of a subkey packet (public or secret)."""
    from mailman_pgp.pgp._fastkey import public_key_body
    body = public_key_body(packet.body) or packet.body
    data = b'\x99' + len(body).to_bytes(2, 'big') + body
    return hashlib.sha1(data).hexdigest().upper()[-16:]


def _state(key: Key, now) -> dict:
    """Part in words -> [newest valid self-signature time, revoked]."""
    where = _components(bytes(key.public))
    cert = key.public._cert()
    pid = cert.primary.keyid
    groups = [(cert.primary, cert.primary.sigs)]
    groups += [(cert.primary, sigs) for sigs in cert.uids]
    groups += [(sub, sub.sigs) for sub in cert.subkeys]
    state = {}
    for part, sigs in groups:
        for sig in sigs:
            component = where.get(_identity(sig))
            if component is None:
                continue
            entry = state.setdefault(component, [None, False])
            if sig.type in _REVOKING and _revokes(sig, pid, now, now):
                entry[1] = True
            elif sig.type in _SELF and _self_valid(
                    sig, pid, now, now, part.created, alive=False):
                if entry[0] is None or sig.created > entry[0]:
                    entry[0] = sig.created
    return state


@public
def staleness(stored: Key, offered: Key, now=None) -> list[str]:
    """Why ``offered`` is an older copy of ``stored`` (same fingerprint),
    in words; [] when it is at least as new."""
    if stored.fingerprint != offered.fingerprint:
        raise ValueError('staleness compares two copies of one key')
    now = now_utc(now)
    have, given = _state(stored, now), _state(offered, now)
    reasons = []
    for component, (newest, revoked) in have.items():
        theirs = given.get(component, [None, False])
        if revoked and not theirs[1]:
            reasons.append(f'it lacks the revocation of {component}')
        if newest is None:
            continue
        if theirs[0] is None:
            reasons.append(f'it lacks {component}')
        elif theirs[0] < newest:
            reasons.append(
                f'the self-signature on {component} is older '
                f'({theirs[0]:%Y-%m-%d %H:%M:%S} UTC) than the one the '
                f'list has ({newest:%Y-%m-%d %H:%M:%S} UTC)')
    return reasons
