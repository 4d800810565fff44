"""Which recipients of a delivery have a key the list may encrypt to.

A key counts only when it is the stored key of a confirmed PGPAddress (as
in ``runners.examine.sender_key``) and can encrypt today: an expired or
revoked key is as good as none, since the member could not read the copy.
"""

import logging

from dataclasses import dataclass, field

from mailman.config import config
from public import public

from mailman_pgp.keystore import key_store
from mailman_pgp.model import PGPAddress


log = logging.getLogger('mailman.plugins.pgp')

# Bound the parameters of one IN (...) query (old SQLite builds allow 999).
_QUERY_CHUNK = 500

NO_KEY = 'no key'
UNCONFIRMED = 'unconfirmed'
EXPIRED = 'expired'
REVOKED = 'revoked'
UNUSABLE = 'unusable'


@public
@dataclass
class RecipientKeys:
    """The usable key of each recipient, and why the others have none."""
    keys: dict = field(default_factory=dict)         # recipient -> Key
    withheld: dict = field(default_factory=dict)     # recipient -> reason

    def counts(self) -> dict:
        out = {}
        for reason in self.withheld.values():
            out[reason] = out.get(reason, 0) + 1
        return out


def _addresses(emails) -> dict:
    """(email, key_fingerprint, key_confirmed) of PGPAddress rows by
    lower-cased email, in a few queries (columns only: no ORM objects)."""
    store = config.db.store
    out = {}
    emails = sorted(emails)
    for start in range(0, len(emails), _QUERY_CHUNK):
        chunk = emails[start:start + _QUERY_CHUNK]
        for row in store.query(
                PGPAddress.email, PGPAddress.key_fingerprint,
                PGPAddress.key_confirmed).filter(
                PGPAddress.email.in_(chunk)):
            out[row.email] = row
    return out


def _reason(key) -> str | None:
    """None if key can encrypt now, else why not."""
    if key.can_encrypt():
        return None
    usability = key.usability()
    if usability.revoked or (usability.revoked_keyids
                             and not usability.expired):
        return REVOKED
    if usability.expired or usability.expired_keyids:
        return EXPIRED
    return UNUSABLE


@public
def recipient_keys(recipients) -> RecipientKeys:
    """Look up the confirmed, usable key of every recipient."""
    recipients = list(recipients)
    rows = _addresses({r.lower() for r in recipients})
    store = key_store()
    result = RecipientKeys()
    for recipient in recipients:
        row = rows.get(recipient.lower())
        if row is None or row.key_fingerprint is None:
            result.withheld[recipient] = NO_KEY
            continue
        if not row.key_confirmed:
            result.withheld[recipient] = UNCONFIRMED
            continue
        try:
            key = store.address_key(row.email)
        except Exception as error:      # noqa: BLE001 (a damaged key file)
            log.error('key of %s (%s) cannot be loaded: %s', row.email,
                      row.key_fingerprint, error)
            key = None
        if key is None or key.fingerprint != row.key_fingerprint:
            result.withheld[recipient] = NO_KEY
            continue
        reason = _reason(key)
        if reason is None:
            result.keys[recipient] = key
        else:
            result.withheld[recipient] = reason
    return result
