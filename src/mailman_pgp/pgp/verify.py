"""Signature verification results as data, with replay-protection digests.

PGPy's verify() only checks the mathematics; policy.py judges the rest
(signature type, hash, date, the key part that made it), and each signature
gets the digest the 2017 plugin stored against replays: its hash algorithm
over the signed data including the signature trailer.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from public import public

from mailman_pgp.pgp import packets as P
from mailman_pgp.pgp._keyparse import now_utc
from mailman_pgp.pgp._quiet import pgpy, quiet
from mailman_pgp.pgp.armor import dearmor
from mailman_pgp.pgp.errors import PGPError, SignatureError, malformed
from mailman_pgp.pgp._sigparse import read_sig
from mailman_pgp.pgp.policy import DOCUMENT_TYPES, judge_document
from mailman_pgp.pgp.usability import verify_math


@public
@dataclass
class Verification:
    """The outcome of checking one signature."""
    signer_keyid: str               # long key ID in the signature
    signer_fingerprint: str | None  # primary key fingerprint, if known
    valid: bool                     # policy allows it, mathematics holds
    unknown: bool                   # no key given made it
    expired: bool                   # signature or signing key expired
    revoked: bool                   # signing key (or subkey) revoked
    created: datetime | None
    hash_algorithm: str             # e.g. 'SHA512'
    digest: bytes                   # replay-protection digest
    reason: str | None = None       # why it is not good (policy's words)

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
    try:        # the same digest cryptography's hashes of that name make
        return hashlib.new(name.lower(), hashdata).digest()
    except ValueError:
        return hashlib.sha256(hashdata).digest()


def _holders(keys, keyid):
    """The keys holding the key part keyid, as the policy reads them
    (on a lazily loaded key of the usual shape, without PGPy)."""
    for key in keys:
        if key.keyid == keyid or any(
                sub.keyid == keyid for sub in key._cert().subkeys):
            yield key


def _policy_view(raw: bytes):
    """The signature's fields as policy.py reads them."""
    try:
        [packet] = P.iter_packets(raw)
        return read_sig(packet.body)
    except (PGPError, ValueError):
        raise SignatureError('A signature in the message is malformed.') \
            from None


def text_canonical(data: bytes) -> bytes:
    """The text a text-mode (0x01) signature covers: every line ending,
    CR LF, LF or a lone CR, as CR LF (as Sequoia hashes it)."""
    if b'\r' not in data:
        return data.replace(b'\n', b'\r\n')
    return _LINE_END.sub(b'\r\n', data)


_LINE_END = re.compile(rb'\r\n|\r|\n')


def verify_raw(raw: bytes, data: bytes, keys, now=None) -> Verification:
    """Check one raw signature packet over data against keys: policy.py
    judges the signature and the key part that made it, then the
    mathematics is checked. Every key holding an issuer the signature
    names is tried (as Sequoia does); a good verdict wins."""
    now = now_utc(now)
    sig = parse_signature(raw)
    view = _policy_view(raw)
    if not view.issuers:
        raise SignatureError('A signature in the message names no key '
                             '(no issuer subpacket).')
    if view.type == 0x01:
        data = text_canonical(data)
    with quiet(), malformed(SignatureError, 'A signature in the message is '
                            'malformed.'):
        created = sig.created
        halg = sig.hash_algorithm.name
        digest = _digest(sig, data) if view.type in DOCUMENT_TYPES else \
            hashlib.sha256(raw).digest()
    found = None
    for keyid in view.issuers:
        for key in _holders(keys, keyid):
            view.issuer = keyid
            with malformed():
                verdict = judge_document(view, key._cert(), now)
            valid = False
            if verdict.ok:
                with quiet(), malformed():
                    signer = key._k if keyid == key.keyid else \
                        key._k.subkeys.get(keyid)
                    valid = signer is not None and verify_math(
                        signer, data, sig)
            reason = verdict.reason  # None for a mathematical failure
            if reason:
                reason = f'Signature by key {key.fingerprint}: {reason}.'
            result = Verification(keyid, key.fingerprint, valid, False,
                                  verdict.expired, verdict.revoked, created,
                                  halg, digest, reason)
            if result.good:
                return result
            found = found or result
    if found is not None:
        return found
    keyid = view.issuers[0]
    with quiet():
        fpr = getattr(sig, 'signer_fingerprint', '') or None
    fpr = str(fpr).replace(' ', '') if fpr else None
    sig_expired = view.expires is not None and view.expires <= now
    return Verification(keyid, fpr, False, True, sig_expired, False,
                        created, halg, digest,
                        f'no key given has the key ID {keyid}')


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
