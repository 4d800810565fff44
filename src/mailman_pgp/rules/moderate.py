"""Record a PGP check's action the way Mailman's moderation rules do."""

import logging

from mailman.core.i18n import _
from mailman.interfaces.action import Action


log = logging.getLogger('mailman.plugins.pgp')

INCOMING_RUNNER = 'mailman_pgp.runners.incoming.PGPIncomingRunner'


def record_action(msgdata: dict, action: Action, sender: str,
                  reason: str) -> bool:
    """Note ``action`` and its reason; True if the rule should hit.

    ``defer`` and ``accept`` let the post go on to Mailman's own checks
    (membership, moderation...): a PGP setting never lets a post skip them.
    """
    if action in (Action.defer, Action.accept):
        return False
    msgdata['pgp_action'] = action.name
    msgdata['moderation_sender'] = sender
    msgdata.setdefault('moderation_reasons', []).append(reason)
    return True


def hold_unexamined(mlist, msg, msgdata: dict) -> bool:
    """Hold a PGP list post that no PGP runner examined.

    Without ``msgdata['pgp']`` nobody decrypted the post or checked its
    signatures (``[runner.in]`` is not the plugin's runner): fail closed.
    """
    log.error('%s: message %s was not examined by the PGP incoming runner '
              '(is [runner.in] class: %s in mailman.cfg?); held',
              mlist.list_id, msg.get('message-id', 'n/a'), INCOMING_RUNNER)
    with _.defer_translation():
        reason = _('The list server could not check this post (its '
                   'encryption and signature were not examined); the site '
                   'administrator must set [runner.in] class: {} in '
                   'mailman.cfg').format(INCOMING_RUNNER)
    return record_action(msgdata, Action.hold, msg.sender, reason)
