"""The ISubscriptionManager for all lists: PGP lists get the PGP workflows.

Registered in place of Mailman's adapter at start-up (core's workflow
classes are not pluggable), so REST, ``join``/``subscribe``, ``confirm``
and REST moderation reach the PGP workflows for PGP lists.  Other lists
get Mailman's behaviour unchanged.
"""

from mailman.app.subscriptions import SubscriptionManager
from mailman.interfaces.pending import IPendings
from mailman.interfaces.subscriptions import TokenOwner
from mailman.interfaces.workflow import IWorkflowStateManager
from public import public
from zope.component import getUtility


def _is_pgp(mlist) -> bool:
    from mailman_pgp.model import PGPMailingList
    return PGPMailingList.for_list(mlist) is not None


def _workflow_class(name: str):
    from mailman_pgp.workflows.reset import PGPKeyResetWorkflow
    from mailman_pgp.workflows.subscription import PGPSubscriptionWorkflow
    return {'subscription': PGPSubscriptionWorkflow,
            'reset': PGPKeyResetWorkflow}[name]


@public
class PGPSubscriptionManager(SubscriptionManager):
    def register(self, subscriber=None, **kws):
        if not _is_pgp(self._mlist):
            return super().register(subscriber, **kws)
        from mailman_pgp.workflows.subscription import PGPSubscriptionWorkflow
        workflow = PGPSubscriptionWorkflow(self._mlist, subscriber, **kws)
        list(workflow)
        return workflow.token, workflow.token_owner, workflow.member

    def confirm(self, token):
        """``confirm <token>``, REST moderation: PGP types handled here."""
        if token is None:
            raise LookupError
        pendable = getUtility(IPendings).confirm(token, expunge=False)
        if pendable is None:
            raise LookupError
        kind = pendable.get('type')
        if kind == 'pgp-key':
            # A moderator approving a key reset; the subscriber's own key
            # steps go through `key set` / `key confirm`, never `confirm`.
            if pendable.get('token_owner') != TokenOwner.moderator.name:
                raise LookupError
            return self._resume(token, pendable)
        if kind == 'pgp-key-change':
            from mailman_pgp.workflows.change import approve_key_change
            if pendable.get('stage') != 'approve':
                raise LookupError
            approve_key_change(self._mlist, token, pendable)
            return None, TokenOwner.no_one, None
        if kind == 'subscription' and _is_pgp(self._mlist):
            return self._resume(token, dict(pendable,
                                            workflow='subscription'))
        return super().confirm(token)

    def resume_key_step(self, token: str, waiting_step: str):
        """Resume the workflow waiting at ``waiting_step`` for ``token``.

        :raises LookupError: when no workflow waits there for that token.
        """
        pendable = getUtility(IPendings).confirm(token, expunge=False)
        if pendable is None or pendable.get('type') != 'pgp-key':
            raise LookupError(token)
        from mailman.model.workflow import WorkflowState
        from mailman.config import config
        state = config.db.store.query(WorkflowState).filter_by(
            token=token).one_or_none()
        if state is None or state.step != waiting_step:
            raise LookupError(token)
        return self._resume(token, pendable)

    def _resume(self, token: str, pendable):
        workflow = _workflow_class(pendable['workflow'])(self._mlist)
        workflow.token = token
        workflow.restore()
        list(workflow)
        return workflow.token, workflow.token_owner, workflow.member

    def discard(self, token):
        super().discard(token)
        getUtility(IWorkflowStateManager).discard(token)
