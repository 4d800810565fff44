"""Held PGP list posts are stored, and shown to moderators, encrypted.

Mailman's hold chain stores the post in its message store and mails it to
the owners; for a PGP list that would be the plaintext, on disk and in
clear mail.  This chain holds the post as it was received (encrypted to the
list key); it is decrypted again only when a moderator approves it (the
``pgp-decrypt-approved`` handler).  Replaces ``config.chains['hold']``.
"""

from mailman.chains.hold import HoldChain
from mailman.utilities.modules import abstract_component
from public import public

from mailman_pgp.chains.original import original_message


@public
@abstract_component
class PGPHoldChain(HoldChain):
    name = 'hold'

    def _process(self, mlist, msg, msgdata):
        held = original_message(msg, msgdata)
        if held is not msg:
            # The pending request needs only the check results.
            msgdata = {key: value for key, value in msgdata.items()
                       if key != 'pgp_original'}
        super()._process(mlist, held, msgdata)
