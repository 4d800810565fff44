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

    # Chunks encrypted together; bounds the ciphertexts held at once (the
    # list signature is shared across windows anyway).
    window = 10

    def deliver(self, mlist, msg, msgdata):
        """See `IMailTransportAgentDelivery`."""
        self.decorate(mlist, msg, msgdata)
        # Bulk copies are always encrypted: clear-text mail goes through
        # the individual agent.
        recipients = [r for r in self.deliverable(
            msgdata.get('recipients', ())) if r in self.keys.keys]
        chunks = [sorted(chunk) for chunk in self.chunkify(recipients)]
        refused = {}
        for start in range(0, len(chunks), self.window):
            window = chunks[start:start + self.window]
            makers = self.copy_makers(
                msg, [[self.keys.keys[r] for r in chunk] for chunk in window],
                throw_keyids=True)
            # ARC signs each chunk's own ciphertext (send_copies).
            refused.update(self.send_copies(mlist, [
                (msg, make, msgdata.copy(), chunk)
                for chunk, make in zip(window, makers)]))
        return refused
