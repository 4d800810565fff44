"""Individual delivery: one copy per recipient, encrypted to that key only.

Every OpenPGP client reads such a copy, and it names no other member. This
is the default for PGP lists, and what VERP and personalization need.
"""

import copy
import functools
import hashlib

from mailman.interfaces.mailinglist import Personalization
from mailman.mta.deliver import Deliver
from public import public

from mailman_pgp.mta.base import PGPDeliveryMixin


@public
class PGPIndividualDelivery(PGPDeliveryMixin, Deliver):
    """One encrypted copy per recipient, ARC signed as it is sent.

    With VERP or personalization, core's callbacks (duplicates, decoration,
    personalization) run per recipient as in core's Deliver; otherwise the
    message is decorated once, as core's BulkDelivery would.  Copies alike
    are signed once: the list signature is made once per distinct body
    (within a window of recipients, which bounds memory).
    """

    # Recipients prepared together (personalised copies, metadata): one
    # stream is sent, each encrypted copy made as it goes out.
    window = 10

    def __init__(self):
        super().__init__()
        # ARC must sign the encrypted copy, so it runs after encryption.
        self.callbacks.remove(self.arc_sign)

    def deliver(self, mlist, msg, msgdata):
        """See `IMailTransportAgentDelivery`."""
        recipients = self.deliverable(msgdata.get('recipients', ()))
        personal = (msgdata.get('verp', False)
                    or mlist.personalize != Personalization.none)
        if not personal:
            # Where core would use BulkDelivery, decorate once as it does:
            # the copies differ only in their encryption.
            msg, msgdata = copy.deepcopy(msg), msgdata.copy()
            self.decorate(mlist, msg, msgdata)
        return self.send_copies(mlist, msg, self._copies(
            mlist, msg, msgdata, recipients, personal))

    def _copies(self, mlist, msg, msgdata, recipients, personal):
        """(copy of msg, make, metadata, [recipient]) per recipient, made
        ready a window of recipients at a time (one stream is sent)."""
        for start in range(0, len(recipients), self.window):
            window = recipients[start:start + self.window]
            groups = (self._personal_groups(mlist, msg, msgdata, window)
                      if personal else
                      [(msg, [self._same(msgdata, r) for r in window])])
            yield from self._group_copies(groups)
            if personal:
                # Personalised copies are prepared per window; not kept
                # (a copy still to be made holds what it needs).
                self._prepared.clear()

    def _same(self, msgdata, recipient):
        """(recipient, metadata, X-Mailman-Copy) of an undecorated copy."""
        msgdata_copy = msgdata.copy()
        msgdata_copy['recipient'] = recipient
        duplicate = ('yes' if recipient in msgdata.get('add-dup-header', {})
                     else None)
        return recipient, msgdata_copy, duplicate

    def _prepare(self, mlist, msg, msgdata, recipient):
        """The recipient's copy and metadata, as core's
        IndividualDelivery makes them."""
        message_copy = copy.deepcopy(msg)
        msgdata_copy = msgdata.copy()
        msgdata_copy['recipient'] = recipient
        msgdata_copy['member'] = mlist.members.get_member(recipient)
        for callback in self.callbacks:
            callback(mlist, message_copy, msgdata_copy)
        return message_copy, msgdata_copy

    def _personal_groups(self, mlist, msg, msgdata, recipients):
        """Core's callbacks per recipient; copies grouped by content."""
        # digest of the prepared copy -> (that copy, [(recipient, msgdata,
        # X-Mailman-Copy)]).  The duplicate flag stays outside the
        # encryption, so it does not make bodies distinct.
        groups = {}
        for recipient in recipients:
            message_copy, msgdata_copy = self._prepare(
                mlist, msg, msgdata, recipient)
            duplicate = message_copy.get('X-Mailman-Copy')
            del message_copy['X-Mailman-Copy']
            digest = hashlib.sha256(message_copy.as_string().encode(
                'utf-8', 'surrogateescape')).digest()
            group = groups.setdefault(digest, (message_copy, []))
            group[1].append((recipient, msgdata_copy, duplicate))
        return groups.values()

    def _group_copies(self, groups):
        for message_copy, members in groups:
            keyed = [m for m in members if m[0] in self.keys.keys]
            clear = [m for m in members if m[0] not in self.keys.keys]
            makers = self.copy_makers(
                message_copy, [[self.keys.keys[m[0]]] for m in keyed],
                throw_keyids=False)
            if clear:
                # Only mail the key workflows allowed in clear gets here.
                signed = self.clear_copy(message_copy)
                makers.extend(functools.partial(copy.deepcopy, signed)
                              for _ in clear)
            for (recipient, msgdata_copy, duplicate), make in zip(
                    keyed + clear, makers):
                if duplicate is not None:
                    make = functools.partial(_flagged, make, duplicate)
                yield message_copy, make, msgdata_copy, [recipient]


def _flagged(make, duplicate):
    """The copy make() makes, with core's X-Mailman-Copy flag outside the
    encryption."""
    out = make()
    out['X-Mailman-Copy'] = duplicate
    return out
