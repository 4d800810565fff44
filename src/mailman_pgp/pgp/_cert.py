"""The policy's view of a key: its parts and signatures, and the answer.

Both key readers (_fastkey, usability) build a Cert; policy.py judges it
and answers with a Usability. Data only: the rules are in policy.py.
"""

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from public import public


@public
@dataclass(slots=True)
class Usability:
    """What a key can be used for (now, or at an instant), and why not."""
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
    # Why a part (long key ID) cannot sign, where it is not plain.
    refusals: dict = field(default_factory=dict)
    # What breaks the policy (a signing subkey without a valid back
    # signature, a refused algorithm, no valid user ID): the key is
    # refused at import even if other parts are usable.
    defects: list = field(default_factory=list)

    @property
    def usable(self) -> bool:
        return self.can_encrypt and self.can_sign


@dataclass(slots=True, eq=False)
class Part:
    """A primary key or subkey: algorithm, size (bits or curve name),
    creation, and the signatures on it (bindings and revocations; for the
    primary key direct-key signatures and key revocations)."""
    keyid: str
    alg: int
    size: object
    created: datetime
    sigs: list = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Cert:
    primary: Part
    uids: list = field(default_factory=list)      # [[Sig]] per user ID
    subkeys: list = field(default_factory=list)   # [Part]
    reader: str = 'pgpy'    # or 'packets' (_fastkey): which path read it
    # Evaluations by (instants passed, cut-offs passed): a key's answers
    # change only at its own instants, so one per interval is enough.
    memo: dict = field(default_factory=dict)
    instants: list | None = None

    def interval(self, t) -> int:
        """How many of the instants when answers may change are <= t."""
        if self.instants is None:
            times = set()
            for part in [self.primary, *self.subkeys]:
                times.add(part.created)
                for sig in part.sigs:
                    _instants(sig, part, times)
            for sigs in self.uids:
                for sig in sigs:
                    _instants(sig, self.primary, times)
            self.instants = sorted(times)
        return bisect_right(self.instants, t)


def _instants(sig, part, times):
    times.add(sig.created)
    if sig.expires is not None:
        times.add(sig.expires)
    if sig.key_expiry:
        times.add(part.created + timedelta(seconds=sig.key_expiry))
    back = sig.backsig
    if back:
        times.add(back.created)
        if back.expires is not None:
            times.add(back.expires)
