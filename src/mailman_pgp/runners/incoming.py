"""The ``in`` runner: PGP lists' posts are held back until the list has a key.

Non-PGP lists get Mailman's IncomingRunner unchanged.
"""

import logging

from mailman.runners.incoming import IncomingRunner
from public import public


log = logging.getLogger('mailman.plugins.pgp')


@public
class PGPIncomingRunner(IncomingRunner):
    """Mailman's incoming runner, aware of PGP lists."""

    def _dispose(self, mlist, msg, msgdata):
        from mailman_pgp.keystore import key_store
        from mailman_pgp.model import PGPMailingList
        if PGPMailingList.for_list(mlist) is not None:
            if key_store().list_key(mlist.list_id) is None:
                if not msgdata.get('pgp_waiting_for_key'):
                    log.info('%s: message %s waits for the list key',
                             mlist.list_id, msg.get('message-id', 'n/a'))
                msgdata['pgp_waiting_for_key'] = True
                return True             # keep it in the queue
        return super()._dispose(mlist, msg, msgdata)
