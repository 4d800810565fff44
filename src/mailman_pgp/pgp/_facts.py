"""What the list needs from a key, derived once from its packets.

Every delivery looks at the key of every recipient. Keeping the parsed
packets of a thousand keys would cost megabytes, so a KeyFacts keeps only
the answers: usability, the encryption material, the cipher preferences,
for an unprotected secret key the signer, and the instant until which the
answers hold (the next expiry or start of a signature or key part).
"""

import time
from dataclasses import dataclass

from mailman_pgp.pgp._fastkey import fast_key
from mailman_pgp.pgp._fastsign import Signer
from mailman_pgp.pgp.errors import EncryptionError
from mailman_pgp.pgp.usability import Usability


@dataclass(slots=True)
class KeyFacts:
    usability: Usability
    valid_until: float | None       # time.time() when they may change
    recipient: object = None        # _session.Recipient, if can_encrypt
    recipient_error: EncryptionError | None = None
    ciphers: tuple = ()
    signer: Signer | None = None

    def current(self) -> bool:
        return self.valid_until is None or time.time() < self.valid_until


def derive_facts(raw: bytes) -> KeyFacts | None:
    """KeyFacts of a key of the usual shape, else None (the PGPy path)."""
    fast = fast_key(raw)
    if fast is None:
        return None
    try:
        report, selfsig, parts = fast.check()
        change = fast.next_change()
    except (ValueError, OverflowError, TypeError):
        return None     # out-of-range times: the PGPy path says why
    facts = KeyFacts(report, change.timestamp() if change else None,
                     ciphers=selfsig.prefs if selfsig else ())
    if report.can_encrypt:
        # The newest usable encryption part, as gpg picks it.
        part = max((parts[kid] for kid in report.encryption_keyids),
                   key=lambda p: p.created)
        try:
            facts.recipient = part.recipient()
        except EncryptionError as error:
            facts.recipient_error = error
    if fast.is_secret and report.can_sign:
        ids = report.signing_keyids
        keyid = fast.primary.keyid if fast.primary.keyid in ids else ids[-1]
        facts.signer = Signer(parts[keyid])
    return facts
