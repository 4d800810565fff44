"""Signature verification results as data, with replay-protection digests.

PGPy's verify() only checks the mathematics; here expiry and revocation of
the signer key (and of the signature) are checked too, and each signature
gets the digest the 2017 plugin stored against replays: its hash algorithm
over the signed data including the signature trailer.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives import hashes
from public import public

from mailman_pgp.pgp import packets as P
from mailman_pgp.pgp._keyparse import now_utc
from mailman_pgp.pgp._quiet import pgpy, quiet
from mailman_pgp.pgp.armor import dearmor
from mailman_pgp.pgp.errors import PGPError, SignatureError, malformed
from mailman_pgp.pgp.usability import sig_expires_at, verify_math


@public
@dataclass
class Verification:
    """The outcome of checking one signature."""
    signer_keyid: str               # long key ID in the signature
    signer_fingerprint: str | None  # primary key fingerprint, if known
    valid: bool                     # the mathematics holds
    unknown: bool                   # no key given made it
    expired: bool                   # signature or signing key expired
    revoked: bool                   # signing key (or subkey) revoked
    created: datetime | None
    hash_algorithm: str             # e.g. 'SHA512'
    digest: bytes                   # replay-protection digest

    @property
    def good(self) -> bool:
        return (self.valid and not self.unknown and not self.expired
                and not self.revoked)

    @property
    def status(self) -> str:
        """'good', 'unknown', 'invalid', 'revoked' or 'expired'."""
        if self.unknown:
            return 'unknown'
        if not self.valid:
            return 'invalid'
        if self.revoked:
            return 'revoked'
        if self.expired:
            return 'expired'
        return 'good'


def parse_signature(raw: bytes):
    """Return a pgpy signature from one raw signature packet."""
    try:
        with quiet():
            sig = pgpy.PGPSignature()
            sig.parse(bytearray(raw))
    except PGPError:
        raise
    except Exception:  # noqa: BLE001 (PGPy raises anything on bad input)
        raise SignatureError('A signature in the message is malformed.') \
            from None
    return sig


def signature_packets(data) -> list:
    """Raw v4 signature packets from armored or binary signature data."""
    raw = dearmor(data) if not isinstance(data, bytes) or not (
        data[:1] and data[0] & 0x80) else data
    out = []
    for p in P.iter_packets(raw):
        if p.tag == P.SIGNATURE:
            if p.version == 4:
                out.append(p.raw)
        elif p.tag not in (P.MARKER, P.PADDING):
            raise SignatureError('The signature data contains something '
                                 'other than signatures.')
    if not out:
        raise SignatureError('No usable (version 4) signature was found.')
    return out


def _digest(sig, data) -> bytes:
    with quiet():
        hashdata = bytes(sig.hashdata(data))
        name = sig.hash_algorithm.name
    algo = getattr(hashes, name, None)
    if algo is not None:
        h = hashes.Hash(algo())
        h.update(hashdata)
        return h.finalize()
    try:
        return hashlib.new(name.lower(), hashdata).digest()
    except ValueError:
        return hashlib.sha256(hashdata).digest()


def _find(keys, keyid):
    for key in keys:
        if key.keyid == keyid or keyid in key.subkey_ids:
            return key
    return None


def verify_raw(raw: bytes, data: bytes, keys, now=None) -> Verification:
    """Check one raw signature packet over data against keys."""
    sig = parse_signature(raw)
    with quiet(), malformed(SignatureError, 'A signature in the message is '
                            'malformed.'):
        keyid = str(sig.signer or '').upper()
        created = sig.created
        halg = sig.hash_algorithm.name
        sig_expires = sig_expires_at(sig)
        sig_expired = sig_expires is not None and \
            sig_expires <= now_utc(now)
        digest = _digest(sig, data)
    key = _find(keys, keyid)
    if key is None:
        with quiet():
            fpr = getattr(sig, 'signer_fingerprint', '') or None
        fpr = str(fpr).replace(' ', '') if fpr else None
        return Verification(keyid, fpr, False, True, sig_expired, False,
                            created, halg, digest)
    with malformed():
        u = key.usability(now)
    with quiet(), malformed():
        if keyid == key.keyid:
            signer = key._k
        elif keyid in u.bound_keyids:
            signer = key._k.subkeys[keyid]
        else:
            signer = None  # a subkey not bound to the key does not count
        valid = signer is not None and verify_math(signer, data, sig)
    revoked = u.revoked or keyid in u.revoked_keyids
    expired = sig_expired or u.expired or keyid in u.expired_keyids
    return Verification(keyid, key.fingerprint, valid, False, expired,
                        revoked, created, halg, digest)


def as_keys(keys) -> list:
    from mailman_pgp.pgp.keys import Key
    if keys is None:
        return []
    if isinstance(keys, Key):
        return [keys]
    return list(keys)


@public
def verify_detached(data: bytes, signature, keys, *, now=None) -> list:
    """Verify a detached signature (armored or binary, possibly several
    signatures) over data; return one Verification per signature."""
    if isinstance(data, str):
        data = data.encode('utf-8')
    keys = as_keys(keys)
    return [verify_raw(raw, bytes(data), keys, now)
            for raw in signature_packets(signature)]
