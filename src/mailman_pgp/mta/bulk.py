"""Bulk delivery: one ciphertext per chunk of recipients, key IDs hidden.

One session key is encrypted to every member key of the chunk, and every
key ID is written as zero, so no member learns who else is subscribed.
Cheapest for large lists, but only clients that try all their secret keys
on an all-zero key ID can read it (see docs/delivery.rst).
"""

from mailman.mta.bulk import BulkDelivery
from public import public

from mailman_pgp.mta.base import PGPDeliveryMixin


@public
class PGPBulkDelivery(PGPDeliveryMixin, BulkDelivery):
    """Core's bulk delivery (decoration once, core's chunking and
    max_recipients), each chunk encrypted to all its members' keys."""

    # Chunks made ready together (their metadata and recipient keys): all
    # are sent as one stream, copies made one at a time as they go.
    window = 10

    def deliver(self, mlist, msg, msgdata):
        """See `IMailTransportAgentDelivery`."""
        self.decorate(mlist, msg, msgdata)
        # Bulk copies are always encrypted: clear-text mail goes through
        # the individual agent.
        recipients = [r for r in self.deliverable(
            msgdata.get('recipients', ())) if r in self.keys.keys]
        chunks = [sorted(chunk) for chunk in self.chunkify(recipients)]
        return self.send_copies(mlist, msg, self._copies(msg, msgdata, chunks))

    def _copies(self, msg, msgdata, chunks):
        """(msg, make, metadata, chunk) per chunk, made ready a window of
        chunks at a time."""
        for start in range(0, len(chunks), self.window):
            window = chunks[start:start + self.window]
            makers = self.copy_makers(
                msg, [[self.keys.keys[r] for r in chunk] for chunk in window],
                throw_keyids=True)
            # ARC signs each chunk's own ciphertext (send_copies).
            for chunk, make in zip(window, makers):
                yield msg, make, msgdata.copy(), chunk
