"""The outbox: one row per event and endpoint, in Mailman's own database.

A row is written in the transaction of the change it reports, so an event
exists exactly when its change was committed.  The runner deletes the row
once the endpoint took it; a row marked ``dead`` is the dead-letter queue.
"""

from mailman.database.model import Model
from mailman.database.types import SAUnicode
from public import public
from sqlalchemy import (
    Boolean, Column, Float, Index, Integer, String, UnicodeText)


@public
class Delivery(Model):
    """One event waiting for (or given up on by) one endpoint."""

    __tablename__ = 'rest_events_delivery'
    __table_args__ = (Index('ix_rest_events_delivery_queue',
                            'endpoint', 'dead', 'id'),
                      # An accepted post run again queues its event once.
                      Index('ix_rest_events_delivery_webhook_id',
                            'webhook_id'))

    id = Column(Integer, primary_key=True)
    endpoint = Column(SAUnicode, nullable=False)
    webhook_id = Column(String(40), nullable=False)
    event_type = Column(String(64), nullable=False)
    list_id = Column(SAUnicode)
    body = Column(UnicodeText, nullable=False)
    created = Column(Float, nullable=False)
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt = Column(Float, nullable=False, default=0.0)
    dead = Column(Boolean, nullable=False, default=False)
    last_error = Column(String(200))

    def __init__(self, endpoint, webhook_id, event_type, list_id, body,
                 created):
        # No super().__init__(): the model has no relationships to set up,
        # and this runs in the originating process for every event.
        self.endpoint = endpoint
        self.webhook_id = webhook_id
        self.event_type = event_type
        self.list_id = list_id
        self.body = body
        self.created = created
        self.attempts = 0
        self.next_attempt = 0.0
        self.dead = False

    def __repr__(self):
        return '<Delivery {} {} {} {}>'.format(
            self.id, self.endpoint, self.event_type, self.webhook_id)


TABLES = [Delivery.__table__]
public(TABLES=TABLES)
