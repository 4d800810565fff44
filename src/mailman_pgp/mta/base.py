"""What the individual and the bulk PGP agents share.

Both agents turn the message Mailman prepared into what a member may
receive: PGP/MIME encrypted to the member's key (signed by the list when
``sign_outgoing``), the real Subject protected inside (RFC 9788) and the
outer one obscured; or, for mail the key workflows allowed in clear, signed
by the list and otherwise as it is.
"""

import copy
import functools
import logging

from public import public

from mailman_pgp.mta.wire import WireConnection, made
from mailman_pgp.pgp import (
    OBSCURED_SUBJECT,
    EncryptedCopies,
    is_mime_encrypted,
    is_mime_signed,
    sign_mime,
)


log = logging.getLogger('mailman.smtp')


@public
class PGPDeliveryMixin:
    """The PGP state of one delivery and the wrapping both agents do."""

    def setup_pgp(self, pgp_list, list_key, keys, allow_clear=False,
                  gossip=None):
        """:param keys: a RecipientKeys for msgdata['recipients'].

        :param allow_clear: the message may go in clear (signed by the list)
            to recipients without a usable key (msgdata['pgp_allow_clear']).
        :param gossip: the ``Autocrypt-Gossip`` value with the author's key,
            put inside the encryption only.
        """
        self.pgp_list = pgp_list
        self.list_key = list_key
        self.keys = keys
        self.allow_clear = allow_clear
        self.inner_headers = (('Autocrypt-Gossip', gossip),) if gossip \
            else ()
        # id(message) -> (message, EncryptedCopies): what does not depend
        # on the recipient, made once per distinct message of a delivery.
        self._prepared = {}
        if not isinstance(self._connection, WireConnection):
            self._connection = WireConnection(self._connection)

    @property
    def signer(self):
        """The list key when the list signs what it sends, else None."""
        return self.list_key if self.pgp_list.sign_outgoing else None

    def deliverable(self, recipients) -> list:
        """The recipients this delivery may reach, in a stable order."""
        return sorted(r for r in recipients
                      if r in self.keys.keys or self.allow_clear)

    def copy_makers(self, msg, groups, *, throw_keyids) -> list:
        """Per group of recipient Keys, a callable making its copy of msg
        (signed once): copies are made as they are sent (send_copies), so
        that encrypting one overlaps with the server taking the one before.

        With ``encrypt_outgoing`` off (the owner's explicit choice) the
        copies are only signed by the list; the recipients are still only
        members with a usable key.
        """
        if not groups:
            return []
        if not self.pgp_list.encrypt_outgoing:
            signed = self.clear_copy(msg, sign=self.signer is not None)
            return [functools.partial(copy.deepcopy, signed) for _ in groups]
        if is_mime_encrypted(msg):
            # Already encrypted by whoever made it (a key workflow).
            return [functools.partial(copy.deepcopy, msg) for _ in groups]
        prepared = self.prepared(msg)
        return [functools.partial(prepared.copy_for, group,
                                  throw_keyids=throw_keyids)
                for group in groups]

    def prepared(self, msg) -> EncryptedCopies:
        """msg made ready to encrypt, once per delivery (every window of
        recipients shares it; each copy still gets its own session key)."""
        entry = self._prepared.get(id(msg))
        if entry is None or entry[0] is not msg:
            if len(self._prepared) > 64:
                self._prepared.clear()
            # A copy: the facade's header protection obscures the Subject
            # of a mailman Message it is given (copy.copy shares its
            # __dict__).
            entry = self._prepared[id(msg)] = (msg, EncryptedCopies(
                copy.deepcopy(msg), sign_with=self.signer,
                inner_headers=self.inner_headers,
                outer_subject=self.pgp_list.outer_subject
                or OBSCURED_SUBJECT))
        return entry[1]

    def clear_copy(self, msg, sign=True):
        """msg signed by the list key (PGP/MIME), unless it already is
        signed or encrypted, or the list has no key yet."""
        if not sign or self.list_key is None or is_mime_encrypted(msg) \
                or is_mime_signed(msg):
            return copy.deepcopy(msg)
        return sign_mime(msg, self.list_key)

    def send_copies(self, mlist, msg, copies) -> dict:
        """Send each (copy of msg, make, metadata, recipients) of copies,
        an iterable, make() making the copy to send: pipelined over one
        connection where the server allows it (WireConnection), else one
        by one as core's agents send; the refused recipients, as core's
        _deliver_to_recipients() reports them."""
        results, rest = self._connection.sendmail_many(
            (self._get_sender(mlist, message, msgdata), recipients,
             self._arc_signed(mlist, make, msgdata), msgdata)
            for message, make, msgdata, recipients in copies)
        refused = {}
        for result in results:
            if result:
                log.error('%s recipients refused: %s', msg['message-id'],
                          result)
            refused.update(result)
        for _, recipients, make, msgdata in rest:
            refused.update(self._deliver_to_recipients(
                mlist, made(make), msgdata, recipients))
        return refused

    def _arc_signed(self, mlist, make, msgdata):
        """make, then ARC signing the copy it made: what is sent."""
        def signed_copy():
            out = make()
            self.arc_sign(mlist, out, msgdata)
            return out
        return signed_copy
