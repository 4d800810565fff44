"""List key lifecycle: certify a successor key, move a key's expiry.

``mailman pgp rotate-key`` has the old list key certify the new one, so
members who trust the old key can trust its successor; ``mailman pgp
extend-key`` renews a list key before it expires, with new self-signatures
(the key material and fingerprint stay the same).
"""

from datetime import datetime, timezone

from public import public

from mailman_pgp.pgp._keyparse import _parse_one
from mailman_pgp.pgp._quiet import lazy, pgpy, quiet
from mailman_pgp.pgp.errors import PGPError, malformed
from mailman_pgp.pgp.keys import Key

_ST = lazy('pgpy.constants.SignatureType')
_KF = lazy('pgpy.constants.KeyFlags')
# Generic, persona, casual and positive certifications (RFC 4880 5.2.1).
_SELF_CERTS = (0x10, 0x11, 0x12, 0x13)


def _private_copy(key: Key, role: str):
    if not key.is_private:
        raise PGPError('The {} key is a public key; its private key is '
                       'needed.'.format(role))
    if key.is_protected:
        raise PGPError('The {} key is protected by a passphrase.'.format(
            role))
    return _parse_one(bytes(key))


def _without(sigs, drop):
    return pgpy.types.SorteDeque(s for s in sigs if s not in drop)


@public
def certify(key: Key, signer: Key) -> Key:
    """``key`` with each of its user IDs certified by ``signer``.

    The result keeps ``key``'s secret parts, if it has them.
    """
    signing = _private_copy(signer, 'certifying')
    with quiet(), malformed():
        k = _parse_one(bytes(key))
        for uid in k.userids:
            uid |= signing.certify(uid, _ST.Generic_Cert)
        return Key(_parse_one(bytes(k)))


def _seconds(when: datetime) -> datetime:
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.replace(microsecond=0)


@public
def extend_expiry(key: Key, expires_at: datetime) -> Key:
    """``key`` (private) re-self-signed to expire at ``expires_at``.

    Each user ID gets a new self-certification with the same flags and
    preferences; each subkey whose binding had an expiry is bound anew.
    The signatures they replace are dropped, so no reader has to choose
    between two self-signatures made in the same second.
    """
    expires_at = _seconds(expires_at)
    if expires_at <= datetime.now(timezone.utc):
        raise PGPError('The new expiry date must lie in the future.')
    k = _private_copy(key, 'list')
    keyid = k.fingerprint.keyid
    with quiet(), malformed():
        delta = expires_at - k.created
        for uid in k.userids:
            selfsigs = [s for s in uid._signatures
                        if s.type in _SELF_CERTS and s.signer == keyid]
            if not selfsigs:
                continue
            latest = max(selfsigs, key=lambda s: s.created)
            sig = k.certify(
                uid, latest.type, usage=latest.key_flags or None,
                hashes=latest.hashprefs or None,
                ciphers=latest.cipherprefs or None,
                compression=latest.compprefs or None,
                primary=uid.is_primary or None, key_expiration=delta)
            uid._signatures = _without(uid._signatures, selfsigs)
            uid |= sig
        for sub in k.subkeys.values():
            _rebind(k, sub, expires_at)
        result = Key(_parse_one(bytes(k)))
    report = result.usability()
    if report.expires_at != expires_at or not report.usable:
        raise PGPError('The key could not be renewed: {}'.format(
            ' '.join(report.reasons) or 'its expiry did not change.'))
    return result


def _rebind(k, sub, expires_at: datetime) -> None:
    binds = [s for s in sub._signatures if s.type == _ST.Subkey_Binding]
    if not binds:
        return
    latest = max(binds, key=lambda s: s.created)
    if latest.key_expiration is None:
        return          # the subkey lives as long as the primary key
    sig = pgpy.PGPSignature.new(_ST.Subkey_Binding, k.key_algorithm,
                                latest.hash_algorithm, k.fingerprint.keyid)
    flags = latest.key_flags
    if flags:
        sig._signature.subpackets.addnew('KeyFlags', hashed=True,
                                         flags=flags)
    sig._signature.subpackets.addnew(
        'KeyExpirationTime', hashed=True,
        expires=expires_at - sub.created)
    if flags and _KF.Sign in flags:
        if sub.is_public:
            raise PGPError('A signing subkey lacks its secret part.')
        back = sub.bind(k)
        sig._signature.subpackets.addnew('EmbeddedSignature', hashed=False,
                                         _sig=back._signature)
    sig = k._sign(sub, sig)
    sub._signatures = _without(sub._signatures, binds)
    sub |= sig

