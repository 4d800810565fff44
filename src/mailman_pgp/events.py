"""Events the plugin announces with ``zope.event.notify``, for subscribers
such as mailman-rest-events.  They carry ids and fingerprints, never keys.
"""

from public import public


@public
class KeyEvent:
    """Something happened to a subscriber's key, on ``mlist``."""

    event_type = ''

    def __init__(self, mlist, email: str, fingerprint: str,
                 old_fingerprint: str | None = None):
        self.mlist = mlist
        self.email = email
        self.fingerprint = fingerprint
        self.old_fingerprint = old_fingerprint


@public
class KeyConfirmedEvent(KeyEvent):
    """The subscriber proved they hold the key (and it was approved)."""
    event_type = 'pgp.key_confirmed'


@public
class KeyChangedEvent(KeyEvent):
    """The subscriber's confirmed key was replaced by another."""
    event_type = 'pgp.key_changed'


@public
class KeyRevokedEvent(KeyEvent):
    """The subscriber revoked their key; the list stopped using it."""
    event_type = 'pgp.key_revoked'


@public
class ListKeyRotatedEvent:
    """The list has a new key pair (``mailman pgp rotate-key``)."""

    def __init__(self, mlist, fingerprint: str, old_fingerprint: str):
        self.mlist = mlist
        self.fingerprint = fingerprint
        self.old_fingerprint = old_fingerprint
