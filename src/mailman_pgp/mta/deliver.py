"""The ``[mta] outgoing`` callable: Mailman's delivery for non-PGP lists.

A PGP list's traffic is never sent in clear: until a member's copy can be
encrypted to that member's confirmed key it is not sent at all.
"""

import logging

from mailman.mta.deliver import deliver as mailman_deliver
from public import public


log = logging.getLogger('mailman.plugins.pgp')


@public
class PGPDeliveryUnavailable(RuntimeError):
    """Raised so the outgoing runner keeps the message in the shunt queue."""


@public
def deliver(mlist, msg, msgdata):
    from mailman_pgp.model import PGPMailingList
    if PGPMailingList.for_list(mlist) is None:
        return mailman_deliver(mlist, msg, msgdata)
    log.error('%s: message %s not delivered: encrypted delivery is not '
              'available in this version; it stays in the shunt queue',
              mlist.list_id, msg.get('message-id', 'n/a'))
    raise PGPDeliveryUnavailable(
        'encrypted delivery for {} is not available'.format(mlist.list_id))
