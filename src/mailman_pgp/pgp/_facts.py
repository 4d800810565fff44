"""What the list needs from a key, derived once from its packets.

Every delivery looks at the key of every recipient. Keeping the parsed
packets of a thousand keys would cost megabytes, so a KeyFacts keeps only
the answers: usability, the encryption material, the cipher preferences,
for an unprotected secret key the signer, and the instant until which the
answers hold (the next expiry or start of a signature or key part).
"""

import time
from dataclasses import dataclass, fields

from mailman_pgp.pgp._fastkey import fast_key
from mailman_pgp.pgp._fastsign import Signer
from mailman_pgp.pgp.errors import EncryptionError
from mailman_pgp.pgp.policy import NOT_SIGNING
from mailman_pgp.pgp.usability import Usability


_FIELDS = tuple(f.name for f in fields(Usability))
_CAN_ENCRYPT = _FIELDS.index('can_encrypt')
# Cipher preferences as keys state them: a few orders shared by thousands.
_CIPHER_ORDERS: dict[tuple, tuple] = {}


def _shared_order(ciphers: tuple) -> tuple:
    if len(_CIPHER_ORDERS) < 1000:
        return _CIPHER_ORDERS.setdefault(ciphers, ciphers)
    return _CIPHER_ORDERS.get(ciphers, ciphers)


def _pack(usability: Usability) -> tuple:
    """A Usability as nested tuples: the empty ones are one shared object
    and the usual refusal is None, so a kept report costs about 400 bytes
    instead of 950."""
    return tuple(
        tuple((part, None if why == NOT_SIGNING.format(part) else why)
              for part, why in value.items()) if isinstance(value, dict)
        else tuple(value) if isinstance(value, list) else value
        for value in (getattr(usability, name) for name in _FIELDS))


def _unpack(packed: tuple) -> Usability:
    return Usability(*(
        {part: NOT_SIGNING.format(part) if why is None else why
         for part, why in value} if name == 'refusals'
        else list(value) if isinstance(value, tuple)
        else value for name, value in zip(_FIELDS, packed)))


@dataclass(slots=True)
class KeyFacts:
    packed_usability: tuple
    valid_until: float | None       # time.time() when they may change
    recipient: object = None        # _session.Recipient, if can_encrypt
    recipient_error: EncryptionError | None = None
    ciphers: tuple = ()
    signer: Signer | None = None

    @property
    def usability(self) -> Usability:
        """The report (a new object each time: callers may change it)."""
        return _unpack(self.packed_usability)

    @property
    def can_encrypt(self) -> bool:
        """usability.can_encrypt, without unpacking the report (asked
        once per member and delivery)."""
        return self.packed_usability[_CAN_ENCRYPT]

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
    ciphers = tuple(selfsig.prefs) if selfsig else ()
    facts = KeyFacts(_pack(report), change.timestamp() if change else None,
                     ciphers=_shared_order(ciphers))
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
