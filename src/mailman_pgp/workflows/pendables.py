"""The plugin's pending request types (Mailman's pendings table)."""

from mailman.interfaces.pending import IPendable
from public import public
from zope.interface import implementer


@public
@implementer(IPendable)
class PendablePGPKey(dict):
    """A key step of a workflow: ``key set`` or ``key confirm`` awaited.

    Fields: list_id, email, workflow ('subscription' or 'reset'),
    token_owner, when.
    """
    PEND_TYPE = 'pgp-key'


@public
@implementer(IPendable)
class PendablePGPKeyChange(dict):
    """A ``key change``: the new key awaits proof, then maybe approval.

    Fields: list_id, email, fingerprint, key (armored public key), stage
    ('confirm' or 'approve'), token_owner.
    """
    PEND_TYPE = 'pgp-key-change'
