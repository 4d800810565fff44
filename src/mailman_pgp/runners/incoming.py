"""The ``in`` runner: decrypt and check posts to PGP lists, then go on.

Posts to a PGP list are decrypted with the list key and their signatures
checked against the sender's confirmed key before Mailman's chains run, so
that every rule sees the plaintext and the PGP rules see the results.
Non-PGP lists get Mailman's IncomingRunner unchanged.
"""

import logging

from mailman.runners.incoming import IncomingRunner
from public import public

from mailman_pgp.runners.guard import NeedsPlugin


log = logging.getLogger('mailman.plugins.pgp')


@public
class PGPIncomingRunner(NeedsPlugin, IncomingRunner):
    """Mailman's incoming runner, decrypting for PGP lists."""

    def _dispose(self, mlist, msg, msgdata):
        from mailman_pgp.model import PGPMailingList
        from mailman_pgp.runners.examine import examine, readable_list_key
        if PGPMailingList.for_list(mlist) is None:
            return super()._dispose(mlist, msg, msgdata)
        list_key, problem = readable_list_key(mlist)
        if list_key is None:
            if not msgdata.get('pgp_waiting_for_key'):
                log.log(logging.ERROR if problem else logging.INFO,
                        '%s: message %s waits for the list key%s',
                        mlist.list_id, msg.get('message-id', 'n/a'),
                        ': ' + problem if problem else '')
            msgdata['pgp_waiting_for_key'] = True
            return True                 # keep it in the queue
        if 'pgp' not in msgdata:
            msg = examine(mlist, msg, msgdata, list_key, for_members=True)
        return super()._dispose(mlist, msg, msgdata)
