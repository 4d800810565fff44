"""The ``command`` runner: encrypted command mail is decrypted first.

Mailman's command runner reads only the Subject and the first text/plain
part, so a PGP/MIME command would be ignored.  For PGP lists the message is
decrypted with the list key and its signatures checked (``msgdata['pgp']``,
as for posts) before Mailman's commands and the ``key`` command see it.
"""

import logging

from mailman.runners.command import CommandRunner
from public import public


log = logging.getLogger('mailman.plugins.pgp')


@public
class PGPCommandRunner(CommandRunner):
    """Mailman's command runner, decrypting for PGP lists."""

    def _dispose(self, mlist, msg, msgdata):
        from mailman_pgp.keystore import key_store
        from mailman_pgp.model import PGPMailingList
        from mailman_pgp.pgp import is_encrypted
        from mailman_pgp.runners.examine import examine
        if PGPMailingList.for_list(mlist) is None:
            return super()._dispose(mlist, msg, msgdata)
        list_key = key_store().list_key(mlist.list_id)
        if list_key is None:
            if is_encrypted(msg):
                msgdata['pgp_waiting_for_key'] = True
                return True             # cannot be read yet: keep it
            return super()._dispose(mlist, msg, msgdata)
        if 'pgp' not in msgdata:
            msg = examine(mlist, msg, msgdata, list_key,
                          keep_signed_data=True)
        return super()._dispose(mlist, msg, msgdata)
