"""Subscribing to a PGP list: Mailman's workflow plus the key steps.

Whatever the list's subscription policy, the subscriber's key is requested
and proven after Mailman's own checks (and its confirmation, for the
confirm policies) and before moderation and the subscription itself: the
workflow diverts the step Mailman would take next, runs the key steps, then
takes it.  A moderator asked to approve sees the proven key.
"""

import logging

from mailman.app.subscriptions import SubscriptionWorkflow, WhichSubscriber
from mailman.interfaces.mailinglist import SubscriptionPolicy
from mailman.interfaces.pending import IPendings
from mailman.interfaces.subscriptions import (
    SubscriptionPendingError, TokenOwner)
from public import public
from zope.component import getUtility

from mailman_pgp.workflows.keysteps import PGPKeyStepsMixin


log = logging.getLogger('mailman.plugins.pgp')

MODERATED = (SubscriptionPolicy.moderate,
             SubscriptionPolicy.confirm_then_moderate)


@public
class PGPSubscriptionWorkflow(PGPKeyStepsMixin, SubscriptionWorkflow):
    PGP_WORKFLOW = 'subscription'
    SAVE_ATTRIBUTES = SubscriptionWorkflow.SAVE_ATTRIBUTES + (
        'pgp_key_done', 'pgp_next')

    def __init__(self, mlist, subscriber=None, **kws):
        self.pgp_key_done = False
        self.pgp_next = None
        super().__init__(mlist, subscriber, **kws)

    def push(self, step):
        # Divert Mailman's way to moderation or subscription through the
        # key steps, once.
        if (step in ('moderation_checks', 'do_subscription')
                and not self.pgp_key_done):
            self.pgp_next = step
            step = 'pgp_key_checks'
        elif (step == 'do_subscription' and self.pgp_next == step
              and self._moderate_key()):
            self.pgp_next = None            # only once
            step = 'get_moderator_approval'
        super().push(step)

    def _moderate_key(self) -> bool:
        from mailman_pgp.model import PGPMailingList
        pgp_list = PGPMailingList.for_list(self.mlist)
        return (pgp_list is not None and pgp_list.moderate_keys
                and not self.pre_approved
                and self.mlist.subscription_policy not in MODERATED)

    def _step_sanity_checks(self):
        # One request at a time, also while a key step is pending.
        for token, pendable in getUtility(IPendings).find(
                mlist=self.mlist, pend_type='pgp-key'):
            if (pendable.get('email') == self.subscriber_email
                    and pendable.get('workflow') == self.PGP_WORKFLOW):
                raise SubscriptionPendingError(self.mlist,
                                               self.subscriber_email)
        super()._step_sanity_checks()

    @property
    def subscriber_email(self):
        address = self.address or getattr(
            self.subscriber, 'preferred_address', None)
        return address.email if address is not None else None

    def _step_pgp_key_done(self):
        # Resumed from the database: restore the subscriber as Mailman's
        # own resuming steps do.
        if self.subscriber is None:
            self.subscriber = (self.address
                               if self.which is WhichSubscriber.address
                               else self.user)
        super()._step_pgp_key_done()

    def _step_get_moderator_approval(self):
        # Mailman's step, with a notice that names and carries the key.
        from mailman_pgp.workflows.mail import notify_moderators
        self._set_token(TokenOwner.moderator)
        self.push('subscribe_from_restored')
        self.save()
        log.info('%s: subscription of %s with key %s held for approval',
                 self.mlist.list_id, self.address.email,
                 self._pgp_address().key_fingerprint)
        if self.mlist.admin_immed_notify:
            notify_moderators(self.mlist, self.address.email,
                              self._pgp_key(), self.token, 'subscription')
        raise StopIteration
