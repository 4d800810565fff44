"""Rejections of PGP list posts never carry the decrypted post back.

Mailman's reject chain attaches the post to the bounce; for a PGP list that
would be the plaintext (and its Subject), sent in clear.  This chain
returns the post as it was received (encrypted) instead.  It replaces
``config.chains['reject']`` at start-up; non-PGP lists are unchanged.
"""

import email

from mailman.chains.reject import RejectChain
from mailman.email.message import Message
from mailman.utilities.modules import abstract_component
from public import public


@public
@abstract_component
class PGPRejectChain(RejectChain):
    name = 'reject'

    def _process(self, mlist, msg, msgdata):
        original = msgdata.get('pgp_original')
        if original is not None:
            returned = email.message_from_string(original, Message)
            original_sender = getattr(msg, 'original_sender', None)
            if original_sender is not None:
                returned.original_sender = original_sender
            msg = returned
        super()._process(mlist, msg, msgdata)
