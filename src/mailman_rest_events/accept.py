"""``message.accepted`` rides in the accepted post's own queue file.

Accepting a post writes no database row: the only durable write is the
post's file in the ``pipeline`` queue.  A row of ours committed there would
cost a disk sync of its own (milliseconds), so the accept chain puts the
event's rows in that file's metadata instead, and the pipeline runner adds
them to the outbox in the transaction it commits anyway.  The event is as
durable as the post, shunted and unshunted with it (never added twice: one
indexed look-up by its webhook id).
"""

from mailman.chains.accept import AcceptChain
from mailman.config import config
from mailman.interfaces.handler import IHandler
from mailman.utilities.modules import abstract_component
from public import public
from zope.interface import implementer

from mailman_rest_events.model import Delivery


KEY = 'rest_events'


@public
@abstract_component
class EventAcceptChain(AcceptChain):
    """Mailman's accept chain; the event goes into the queued metadata.

    Replaces ``config.chains['accept']`` (registries are plain dicts filled
    at start-up); every list's chains reach it by that name.
    """

    def _process(self, mlist, msg, msgdata):
        from mailman_rest_events.events import message_event_rows
        try:
            rows = message_event_rows('message.accepted', mlist, msg)
        except Exception:
            rows = None         # handle_event queues it the usual way
        if rows:
            msgdata[KEY] = rows
        super()._process(mlist, msg, msgdata)


@public
@implementer(IHandler)
class OutboxHandler:
    """First in every pipeline: the rows from the metadata to the outbox."""

    name = 'rest-events-outbox'
    description = 'Queue the webhook events that travelled with the message.'

    def process(self, mlist, msg, msgdata):
        # The rows stay in the metadata: until the pipeline runner commits,
        # the event exists only there.  A runner stopped before that
        # (`mailman stop` mid-burst) shunts the message with them, and
        # unshunting brings them back; a message run again must then not
        # queue its event twice.
        rows = msgdata.get(KEY)
        if not rows:
            return
        store = config.db.store
        if store.query(Delivery.id).filter(
                Delivery.webhook_id == rows[0]['webhook_id']).first():
            return
        for row in rows:
            store.add(Delivery(**row))


@public
def install() -> None:
    """Put the chain and the handler in place (every process, post_hook)."""
    config.chains['accept'] = EventAcceptChain()
    handler = OutboxHandler()
    for pipeline in config.pipelines.values():
        handlers = getattr(pipeline, '_handlers', None)
        if isinstance(handlers, list) and not any(
                isinstance(each, OutboxHandler) for each in handlers):
            handlers.insert(0, handler)
