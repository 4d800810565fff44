"""``pgp-moderation``: jump to the terminal chain a PGP check chose."""

from mailman.chains.base import JumpChainBase
from mailman.core.i18n import _
from mailman.interfaces.action import Action
from public import public


@public
class PGPModerationChain(JumpChainBase):
    name = 'pgp-moderation'
    description = _('Take the action a PGP rule chose for the post.')

    def jump_to(self, mlist, msg, msgdata):
        return {
            Action.discard: 'discard',
            Action.hold: 'hold',
            Action.reject: 'reject',
        }[Action[msgdata['pgp_action']]]
