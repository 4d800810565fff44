"""``pgp-no-digest``: PGP lists never collect digests.

Mailman's ``to-digest`` appends each post, decrypted, to an mbox in the
list's data directory.  It is off for PGP lists (see archivers/guard.py);
should ``digests_enabled`` be on anyway (a direct database change), the
post is still not collected, and the log says so.
"""

import logging

from mailman.core.i18n import _
from mailman.interfaces.handler import IHandler
from public import public
from zope.interface import implementer


log = logging.getLogger('mailman.plugins.pgp')


@public
@implementer(IHandler)
class PGPNoDigest:
    name = 'pgp-no-digest'
    description = _('Never collect the posts of a PGP list for digests.')

    def process(self, mlist, msg, msgdata):
        if mlist.digests_enabled and not msgdata.get('isdigest'):
            log.warning('%s: digests are enabled for this PGP list; message '
                        '%s not collected (digests would store it in clear)',
                        mlist.list_id, msg.get('message-id', 'n/a'))
