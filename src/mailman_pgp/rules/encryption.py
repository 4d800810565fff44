"""The ``pgp-encryption`` rule: posts must be encrypted to the list key."""

from mailman.core.i18n import _
from mailman.interfaces.action import Action
from mailman.interfaces.rules import IRule
from public import public
from zope.interface import implementer

from mailman_pgp.rules.moderate import hold_unexamined, record_action


@public
@implementer(IRule)
class PGPEncryption:
    """Take ``nonencrypted_msg_action`` on posts not encrypted as a whole."""

    name = 'pgp-encryption'
    description = _('The message is not encrypted to the list key, or '
                    'cannot be decrypted.')
    record = True

    def check(self, mlist, msg, msgdata):
        from mailman_pgp.model import PGPMailingList
        pgp_list = PGPMailingList.for_list(mlist)
        result = msgdata.get('pgp')
        if pgp_list is None:
            return False
        if result is None:
            return hold_unexamined(mlist, msg, msgdata)
        action = pgp_list.nonencrypted_msg_action
        with _.defer_translation():
            if result['decrypt_error']:
                # Never pass on what nobody could read or check.
                if action in (Action.defer, Action.accept):
                    action = Action.hold
                reason = _('The message could not be decrypted with the '
                           'list key: {}').format(result['decrypt_error'])
            elif result['partly_encrypted']:
                reason = _('Only part of the message is encrypted; encrypt '
                           'the whole message to the list key')
            elif not result['encrypted']:
                reason = _('The message is not encrypted; encrypt it to the '
                           'list key (send "key receive" to the -request '
                           'address to get it)')
            else:
                return False
        return record_action(msgdata, action, msg.sender, reason)
