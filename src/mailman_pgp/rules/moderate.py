"""Record a PGP check's action the way Mailman's moderation rules do."""

from mailman.interfaces.action import Action


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
