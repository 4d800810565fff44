"""Key maintenance: minimal import, certification merging, revocation.

On import third-party certifications are dropped (certificate flooding);
new UID certifications are merged only when each verifies against the
given signer key; revocation certificates are applied only when they
verify against the key they revoke.
"""

from public import public

from mailman_pgp.pgp._keyparse import DEFAULT_MAX_BYTES, DEFAULT_MAX_UIDS, _parse_one
from mailman_pgp.pgp._quiet import lazy, pgpy, quiet
from mailman_pgp.pgp.errors import KeyImportError, PGPError, SignatureError
from mailman_pgp.pgp.found import Revocation
from mailman_pgp.pgp.keys import Key
from mailman_pgp.pgp.verify import parse_signature, signature_packets

_ST = lazy('pgpy.constants.SignatureType')
# Generic, persona, casual and positive certifications (RFC 4880 5.2.1).
_CERTS = (0x10, 0x11, 0x12, 0x13)


def _clone(key: Key):
    """A fresh pgpy copy of key, safe to modify."""
    return _parse_one(bytes(key))


def _keep(sigs, keyid):
    return pgpy.types.SorteDeque(s for s in sigs if str(s.signer).upper() == keyid)


@public
def minimize(key: Key) -> Key:
    """key without third-party certifications (only self-signatures)."""
    with quiet():
        k = _clone(key)
        keyid = key.keyid
        k._signatures = _keep(k._signatures, keyid)
        for uid in [*k.userids, *k.userattributes]:
            uid._signatures = _keep(uid._signatures, keyid)
        return Key(_parse_one(bytes(k)))


@public
def import_key(data, *, max_uids=DEFAULT_MAX_UIDS,
               max_bytes=DEFAULT_MAX_BYTES) -> Key:
    """Load exactly one public key for a subscriber: absurd keys refused,
    private keys refused, third-party certifications dropped."""
    key = Key.load(data, max_uids=max_uids, max_bytes=max_bytes)
    if key.is_private:
        raise KeyImportError('You sent a private key; please send only your '
                             'public key, and consider this private key '
                             'compromised.')
    return minimize(key)


def _uid_map(k):
    return {(u.name, u.email, u.comment): u for u in k.userids}


@public
def merge_certifications(key: Key, new_key: Key, signer: Key) -> Key:
    """key plus the UID certifications in new_key made by signer.

    Each new certification must verify against signer; raise
    KeyImportError if new_key is another key or brings nothing new.
    """
    if new_key.fingerprint != key.fingerprint:
        raise KeyImportError('You sent a wrong key.')
    signer_ids = {signer.keyid, *signer.subkey_ids}
    with quiet():
        k = _clone(key)
        mine = _uid_map(k)
        theirs = _uid_map(new_key._k)
        signed = added = 0
        for ident, uid in theirs.items():
            target = mine.get(ident)
            if target is None:
                continue
            have = {bytes(s) for s in target._signatures}
            for sig in uid._signatures:
                if sig.type not in _CERTS or \
                        str(sig.signer).upper() not in signer_ids:
                    continue
                signed += 1
                if bytes(sig) in have:
                    continue
                try:
                    ok = bool(signer._k.verify(target, sig))
                except Exception:  # noqa: BLE001 (unverifiable = invalid)
                    ok = False
                if not ok:
                    raise KeyImportError('A certification on the key does '
                                         'not verify against the list key.')
                target |= sig
                added += 1
        if not signed:
            raise KeyImportError('No signed UIDs found.')
        if not added:
            raise KeyImportError('No new certifications found.')
        return Key(_parse_one(bytes(k)))


@public
def certifier_ids(key: Key) -> list[str]:
    """Key IDs that certified a user ID of ``key``, its own aside.

    Certifications reach a list key only through merge_certifications,
    which verified them first.
    """
    own = {key.keyid, *key.subkey_ids}
    found = set()
    with quiet():
        for uid in key._k.userids:
            for sig in uid._signatures:
                signer = str(sig.signer or '').upper()
                if sig.type in _CERTS and signer and signer not in own:
                    found.add(signer)
    return sorted(found)


def _revocation_raw(revocation):
    if isinstance(revocation, Revocation):
        return [revocation.raw]
    return signature_packets(revocation)


@public
def apply_revocation(key: Key, revocation) -> Key:
    """key with a revocation certificate (Revocation, armor or bytes)
    applied; raise SignatureError unless it verifies against key."""
    with quiet():
        k = _clone(key)
        for raw in _revocation_raw(revocation):
            sig = parse_signature(raw)
            if sig.type == _ST.KeyRevocation:
                subjects = [k]
            elif sig.type == _ST.SubkeyRevocation:
                subjects = list(k.subkeys.values())
            elif sig.type == _ST.CertRevocation:
                subjects = list(k.userids)
            else:
                raise SignatureError('This is not a revocation '
                                     'certificate.')
            for subject in subjects:
                try:
                    ok = bool(k.verify(subject, sig))
                except (PGPError, Exception):  # noqa: BLE001
                    ok = False
                if ok:
                    subject |= sig
                    break
            else:
                raise SignatureError('The revocation certificate does not '
                                     f'belong to key {key.fingerprint}.')
        return Key(_parse_one(bytes(k)))
