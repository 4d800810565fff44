"""Rejections of PGP list posts never carry the decrypted post back.

Mailman's reject chain attaches the post to the bounce; for a PGP list that
would be the plaintext (and its Subject), sent in clear.  This chain
returns the post as it was received (encrypted) instead.  It replaces
``config.chains['reject']`` at start-up; non-PGP lists are unchanged.
"""

from mailman.chains.reject import RejectChain
from mailman.utilities.modules import abstract_component
from public import public

from mailman_pgp.chains.original import original_message


@public
@abstract_component
class PGPRejectChain(RejectChain):
    name = 'reject'

    def _process(self, mlist, msg, msgdata):
        super()._process(mlist, original_message(msg, msgdata), msgdata)
