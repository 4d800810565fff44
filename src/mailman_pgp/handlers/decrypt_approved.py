"""``pgp-decrypt-approved``: decrypt a held post once a moderator approves it.

Held PGP posts are stored encrypted (see chains/hold.py); approval sends
them down the posting pipeline as they were stored, so they are decrypted
here, first, before anything else reads them.
"""

import logging

from mailman.core.i18n import _
from mailman.interfaces.handler import IHandler
from mailman.interfaces.pipeline import DiscardMessage
from public import public
from zope.interface import implementer

from mailman_pgp.handlers.replace import replace_message
from mailman_pgp import pgp


log = logging.getLogger('mailman.plugins.pgp')


@public
@implementer(IHandler)
class PGPDecryptApproved:
    name = 'pgp-decrypt-approved'
    description = _('Decrypt an approved held post of a PGP list.')

    def process(self, mlist, msg, msgdata):
        from mailman_pgp.keystore import key_store
        from mailman_pgp.model import PGPMailingList
        if PGPMailingList.for_list(mlist) is None or not pgp.is_encrypted(msg):
            return
        if not msgdata.get('moderator_approved'):
            # Only a moderator's approval stands in for the PGP checks; an
            # encrypted post that reached the pipeline any other way (a
            # mis-wired runner, ciphertext inside the ciphertext) is passed
            # on as it is, readable by nobody, and never decrypted here.
            log.error('%s: message %s reached the pipeline encrypted '
                      'without a moderator\'s approval; not decrypted',
                      mlist.list_id, msg.get('message-id', 'n/a'))
            return
        from mailman_pgp.runners.examine import decryption_keys
        list_key = key_store().list_key(mlist.list_id)
        keys = decryption_keys(mlist, list_key) if list_key else []
        try:
            # Held before a key rotation: a retired key may be the one.
            decrypted = pgp.decrypt_message(msg, keys)
        except pgp.PGPError as error:
            # Approved, but nobody can read it: distributing the ciphertext
            # would help no member.
            log.error('%s: approved message %s cannot be decrypted: %s',
                      mlist.list_id, msg.get('message-id', 'n/a'), error)
            raise DiscardMessage(str(error))
        from mailman_pgp.runners.examine import verified_message
        # As at first sight: members get what the signatures cover (and a
        # signature made inside the encryption, carried on detached).
        delivered, _why = verified_message(decrypted.for_members,
                                           decrypted.content, msg,
                                           mlist.list_id)
        replace_message(msg, delivered)
        msgdata.pop('pgp_original', None)
