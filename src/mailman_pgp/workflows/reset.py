"""After a revocation leaves a member's key unusable: ask for a new one.

Delivery to the member stops at once (their key is no longer confirmed);
the key steps run as at subscription; where subscriptions are moderated
(or the list moderates keys) the new key is approved before it counts.
"""

import logging

from mailman.app.subscriptions import _SubscriptionWorkflowCommon
from mailman.interfaces.pending import IPendings
from mailman.interfaces.subscriptions import TokenOwner
from mailman.interfaces.workflow import IWorkflowStateManager
from public import public
from zope.component import getUtility
from zope.event import notify

from mailman_pgp.events import KeyConfirmedEvent
from mailman_pgp.workflows.keysteps import PGPKeyStepsMixin
from mailman_pgp.workflows.pendables import PendablePGPKey
from mailman_pgp.workflows.subscription import MODERATED


log = logging.getLogger('mailman.plugins.pgp')


@public
def supersede_resets(mlist, email: str) -> list[str]:
    """End the key resets of ``email`` on ``mlist`` still waiting for an
    answer: their tokens stop working.  Returns the tokens ended."""
    pendings = getUtility(IPendings)
    ended = [token for token, pendable in pendings.find(
                 mlist=mlist, pend_type=PendablePGPKey.PEND_TYPE)
             if pendable is not None
             and pendable.get('workflow') == PGPKeyResetWorkflow.PGP_WORKFLOW
             and str(pendable.get('email', '')).lower() == email.lower()]
    for token in ended:
        pendings.confirm(token, expunge=True)
        getUtility(IWorkflowStateManager).discard(token)
    return ended


@public
class PGPKeyResetWorkflow(PGPKeyStepsMixin, _SubscriptionWorkflowCommon):
    PENDABLE_CLASS = PendablePGPKey
    PGP_WORKFLOW = 'reset'
    KEY_REQUEST_TEMPLATE = 'list:user:pgp:key-reset'
    INITIAL_STATE = 'pgp_send_key_request'
    # The member's address is all it needs (it may have no user).
    SAVE_ATTRIBUTES = ('address_key', 'token_owner_key', 'pgp_key_done',
                       'pgp_next')

    def __init__(self, mlist, subscriber=None):
        self.pgp_key_done = False
        self.pgp_next = 'pgp_reset_moderation'
        super().__init__(mlist, subscriber)

    def _moderated(self) -> bool:
        from mailman_pgp.model import PGPMailingList
        pgp_list = PGPMailingList.for_list(self.mlist)
        return (self.mlist.subscription_policy in MODERATED
                or (pgp_list is not None and pgp_list.moderate_keys))

    def _step_pgp_proof_received(self):
        if not self._moderated():
            return super()._step_pgp_proof_received()
        # Proven, but it counts only once a moderator approves it.
        self.push('pgp_key_done')

    def _step_pgp_reset_moderation(self):
        if not self._moderated():
            return
        from mailman_pgp.workflows.mail import notify_moderators
        self._set_pgp_token(TokenOwner.moderator)
        self.push('pgp_reset_approved')
        self.save()
        notify_moderators(self.mlist, self.address.email, self._pgp_key(),
                          self.token, 'key reset')
        raise StopIteration

    def _step_pgp_reset_approved(self):
        self._set_token(TokenOwner.no_one)
        pgp_address = self._pgp_address()
        pgp_address.key_confirmed = True
        log.info('%s: new key %s of %s approved', self.mlist.list_id,
                 pgp_address.key_fingerprint, self.address.email)
        notify(KeyConfirmedEvent(self.mlist, self.address.email,
                                 pgp_address.key_fingerprint))
