"""Key usability on the PGPy path: a pgpy key as policy.py sees it.

Keys the fast path (_fastkey) does not read come here: PGPy parses them
and does the mathematics; which signatures and key parts count, and what
a key may be used for, is policy.py's decision, as on the fast path.
"""

from public import public

from mailman_pgp.pgp import packets as P
from mailman_pgp.pgp._keyparse import now_utc
from mailman_pgp.pgp._quiet import pgpy, quiet
from mailman_pgp.pgp.errors import malformed
from mailman_pgp.pgp._sigparse import BadSignaturePacket, read_sig
from mailman_pgp.pgp.policy import (  # noqa: F401 (re-exported)
    RSA_MIN_BITS, Cert, Part, Usability, _evaluate)

public(Usability=Usability)
_CURVES = {'NIST_P256': 'nistp256', 'NIST_P384': 'nistp384',
           'NIST_P521': 'nistp521', 'Brainpool_P256': 'brainpoolP256r1',
           'Brainpool_P384': 'brainpoolP384r1',
           'Brainpool_P512': 'brainpoolP512r1', 'Ed25519': 'ed25519',
           'Curve25519': 'cv25519'}


def verify_math(signer, subject, sig) -> bool:
    """Only the mathematics of sig by the pgpy (sub)key signer.

    PGPy's verify() also fails every signature of an expired key, which
    would report an expired key as one with bad signatures; expiry,
    revocation and algorithms are judged by policy.py, not here.
    """
    # Imported here: the outgoing runner imports this module for Usability
    # and never loads cryptography (_fastkey, _ossl).
    from cryptography.hazmat.primitives import hashes
    algo = getattr(hashes, sig.hash_algorithm.name, None)
    if algo is None:
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
    with quiet(), malformed(message='The key is malformed and cannot be '
                            'checked; please send it again.'):
        return _evaluate(pgpy_cert(k), now, now)[0]


def pgpy_cert(k) -> Cert:
    """The policy's view of a pgpy key; signatures are checked (once, when
    the policy asks) by PGPy's mathematics."""
    primary = k if k.is_primary else k.parent
    cert = Cert(_part(primary))
    cert.primary.sigs = _sigs(primary, primary, primary.__sig__)
    for uid in primary.userids:
        cert.uids.append(_sigs(primary, uid, uid.__sig__))
    for sub in primary.subkeys.values():
        part = _part(sub)
        part.sigs = _sigs(primary, sub, sub.__sig__)
        cert.subkeys.append(part)
    return cert


def _part(k) -> Part:
    size = k.key_size
    if not isinstance(size, int):
        name = getattr(size, 'name', str(size))
        size = _CURVES.get(name, name)
    return Part(_keyid(k), int(k.key_algorithm), size, now_utc(k.created))


def _sigs(primary, subject, pgpy_sigs) -> list:
    out = []
    for pgpy_sig in pgpy_sigs:
        sig = _read(pgpy_sig._signature)
        if sig is None:
            continue
        sig.math = (lambda s=pgpy_sig: verify_math(primary, subject, s))
        if not subject.is_primary:
            sig.back_math = (lambda _, s=pgpy_sig: _backsig_math(subject, s))
        out.append(sig)
    return out


def _read(packet):
    """A _sigparse.Sig from a pgpy signature packet, None if unreadable."""
    try:
        [p] = P.iter_packets(bytes(packet.__bytearray__()))
        return read_sig(p.body)
    except (BadSignaturePacket, ValueError):
        return None
    except Exception:  # noqa: BLE001 (PGPy cannot write back what it read)
        return None


def _backsig_math(sub, bind) -> bool:
    """The primary key binding inside bind, checked with the subkey."""
    for sp in bind._signature.subpackets:
        if type(sp).__name__ == 'EmbeddedSignature':
            back = pgpy.PGPSignature()
            back._signature = sp._sig
            return verify_math(sub, sub, back)
    return False
