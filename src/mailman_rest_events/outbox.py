"""Writing events to the outbox, and the queries on it.

``enqueue`` is the only code on the originating side: it adds one row per
interested endpoint to the session of the current transaction (flushed
with it, committed with it, gone with it if the change is rolled back).
The runner and ``mailman rest-events`` use the rest.
"""

import json
import os
import time
import uuid

from datetime import datetime, timezone

from mailman.config import config
from public import public

from mailman_rest_events.model import Delivery
from mailman_rest_events.settings import Settings


_settings = Settings()
_signature = None


def _file_signature(source: str):
    try:
        info = os.stat(source)
    except (OSError, ValueError):
        return None
    return (info.st_ino, info.st_mtime_ns, info.st_size)


@public
def set_settings(settings: Settings) -> None:
    global _settings, _signature
    _settings = settings
    _signature = _file_signature(settings.source)


@public
def current_settings() -> Settings:
    """The settings, read again when rest-events.cfg changed: `mailman
    restart` does not restart the REST runner, whose events would
    otherwise go to the old endpoint list until `mailman stop` and
    `start`.  A file that no longer parses keeps the old settings (and
    says so in plugins.log)."""
    if _signature is not None and \
            _file_signature(_settings.source) != _signature:
        from mailman_rest_events.plugin import load_settings, log
        from mailman_rest_events.settings import RESTEventsConfigError
        try:
            settings = load_settings()
        except RESTEventsConfigError as error:
            log.error('%s changed but is refused; still using the '
                      'endpoints read before:\n%s', _settings.source, error)
            set_settings(_settings)     # say it once per change
        else:
            log.info('%s changed: %d endpoint(s) now', settings.source,
                     len(settings.endpoints))
            set_settings(settings)
    return _settings


@public
def wanted(event_type: str, list_id: str | None) -> bool:
    return any(endpoint.wants(event_type, list_id)
               for endpoint in current_settings().endpoints)


@public
def rows(event_type: str, list_id: str | None, data: dict) -> list[dict]:
    endpoints = [endpoint for endpoint in current_settings().endpoints
                 if endpoint.wants(event_type, list_id)]
    if not endpoints:
        return []
    now = time.time()
    stamp = datetime.fromtimestamp(now, timezone.utc).isoformat(
        timespec='milliseconds').replace('+00:00', 'Z')
    body = json.dumps({'type': event_type, 'timestamp': stamp, 'data': data},
                      separators=(',', ':'), ensure_ascii=False)
    # One id per event: every endpoint, and every retry, sees the same one.
    webhook_id = 'msg_' + uuid.uuid4().hex
    return [dict(endpoint=endpoint.name, webhook_id=webhook_id,
                 event_type=event_type, list_id=list_id, body=body,
                 created=now) for endpoint in endpoints]


@public
def enqueue(event_type: str, list_id: str | None, data: dict) -> int:
    """Queue one event for every endpoint that wants it; return how many."""
    queued = rows(event_type, list_id, data)
    store = config.db.store
    for row in queued:
        store.add(Delivery(**row))
    return len(queued)


@public
def enqueue_on_connection(connection, event_type: str, list_id: str | None,
                          data: dict) -> int:
    """The same, from inside a flush (where the session takes no new rows)."""
    queued = rows(event_type, list_id, data)
    for row in queued:
        row.update(attempts=0, next_attempt=0.0, dead=False)
    if queued:
        connection.execute(Delivery.__table__.insert(), queued)
    return len(queued)


@public
def queue_head(store, endpoint: str, limit: int) -> list[Delivery]:
    """The oldest live rows of one endpoint, in the order they are sent."""
    return store.query(Delivery).filter(
        Delivery.endpoint == endpoint, Delivery.dead.is_(False)).order_by(
            Delivery.id).limit(limit).all()


@public
def dead_letters(store, endpoint: str | None = None) -> list[Delivery]:
    query = store.query(Delivery).filter(Delivery.dead.is_(True))
    if endpoint:
        query = query.filter(Delivery.endpoint == endpoint)
    return query.order_by(Delivery.id).all()


@public
def counts(store) -> dict[tuple[str, bool], int]:
    """{(endpoint, dead): rows}."""
    from sqlalchemy import func
    rows = store.query(Delivery.endpoint, Delivery.dead,
                       func.count(Delivery.id)).group_by(
                           Delivery.endpoint, Delivery.dead).all()
    return {(endpoint, bool(dead)): count for endpoint, dead, count in rows}


@public
def select_dead(store, ids: tuple[int, ...], endpoint: str | None,
                everything: bool):
    """The dead-letter rows named by id, or all of them (of one endpoint)."""
    query = store.query(Delivery).filter(Delivery.dead.is_(True))
    if endpoint:
        query = query.filter(Delivery.endpoint == endpoint)
    if not everything:
        query = query.filter(Delivery.id.in_(ids))
    return query


@public
def orphans(store, configured: set[str]) -> int:
    """Dead-letter the live rows of endpoints no longer configured."""
    query = store.query(Delivery).filter(
        Delivery.dead.is_(False), Delivery.endpoint.notin_(configured)) \
        if configured else store.query(Delivery).filter(
            Delivery.dead.is_(False))
    return query.update({Delivery.dead: True,
                         Delivery.last_error: 'endpoint not configured'},
                        synchronize_session=False)
