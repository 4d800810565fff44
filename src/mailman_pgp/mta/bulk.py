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
            outs = self.protected_copies(
                msg, [[self.keys.keys[r] for r in chunk] for chunk in window],
                throw_keyids=True)
            copies = []
            for chunk, out in zip(window, outs):
                # ARC signs each chunk's own ciphertext.
                chunk_data = msgdata.copy()
                self.arc_sign(mlist, out, chunk_data)
                copies.append((out, chunk_data, chunk))
            refused.update(self.send_copies(mlist, copies))
        return refused
