"""``[runner.rest-events]``: sends the outbox, in order, per endpoint.

The main thread owns the database: it hands each idle endpoint the oldest
rows that are due, and records what came of them.  One thread per endpoint
does the HTTP, so a slow or dead endpoint holds up only its own queue.  A
row leaves the outbox only after its endpoint answered 2xx, so a runner
stopped or killed mid-send (Mailman's SIGTERM handler raises in the middle
of whatever runs) sends that event again on restart, with the same
``webhook-id``: twice perhaps, never zero times.  Nothing goes through a
switchboard file, so nothing can end in the shunt queue.
"""

import logging
import queue
import threading
import time

from contextlib import suppress

from mailman.config import config
from mailman.core.runner import Runner
from mailman.interfaces.runner import RunnerInterrupt
from public import public

from mailman_rest_events.model import Delivery
from mailman_rest_events.outbox import current_settings, orphans, queue_head
from mailman_rest_events.sender import Outcome, Sender, next_delay


log = logging.getLogger('mailman.plugins.rest_events')

BATCH = 100             # rows handed to an endpoint thread at once


class _EndpointThread(threading.Thread):
    """Sends batches for one endpoint; stops a batch at its first failure."""

    def __init__(self, endpoint, results: queue.Queue):
        super().__init__(name='rest-events-' + endpoint.name, daemon=True)
        self.endpoint = endpoint
        self.batches = queue.Queue()
        self.results = results
        self.busy = False

    def run(self):
        sender = Sender(self.endpoint)
        while True:
            batch = self.batches.get()
            if batch is None:
                sender.close()
                return
            for row_id, webhook_id, event_type, body in batch:
                try:
                    outcome = sender.send(webhook_id, body)
                except Exception as error:      # a bug: retried, logged
                    sender.close()
                    outcome = Outcome(False, None, 'internal error: {}'.format(
                        type(error).__name__))
                self.results.put((self.endpoint.name, row_id, webhook_id,
                                  event_type, outcome))
                if not outcome.ok:
                    break
            self.results.put((self.endpoint.name, None, None, None, None))


@public
class WebhookRunner(Runner):
    """Not a queue runner: its queue is the ``rest_events_delivery`` table."""

    is_queue_runner = False

    def __init__(self, name, slice=None):
        super().__init__(name, slice)
        self.settings = current_settings()
        self.results = queue.Queue()
        self.threads = {}
        self._last_orphan_check = 0.0

    def run(self):
        for endpoint in self.settings.endpoints:
            thread = _EndpointThread(endpoint, self.results)
            thread.start()
            self.threads[endpoint.name] = thread
        log.info('rest-events runner started: %d endpoint(s): %s',
                 len(self.threads), ', '.join(self.threads) or 'none')
        with suppress(KeyboardInterrupt, RunnerInterrupt):
            while not self._stop:
                try:
                    self._one_round()
                except RunnerInterrupt:         # SIGTERM, SIGINT: stop
                    raise
                except Exception:
                    # The database may be locked or gone for a moment: the
                    # rows are still there; try again, never crash.
                    log.exception('rest-events runner: round failed')
                    with suppress(Exception):
                        config.db.abort()
                    time.sleep(self.settings.poll_interval)
        self._clean_up()

    def _one_round(self):
        now = time.time()
        if now - self._last_orphan_check > 300:
            self._last_orphan_check = now
            self._dead_letter_orphans()
        wait = self.settings.poll_interval
        for name, thread in self.threads.items():
            if thread.busy:
                continue
            batch, due_in = self._due(name, now)
            if batch:
                thread.busy = True
                thread.batches.put(batch)
            elif due_in is not None:
                wait = min(wait, due_in)
        config.db.commit()
        self._collect(max(0.0, wait))

    def _due(self, endpoint: str, now: float):
        """(rows to send now, or seconds until the head of the queue is)."""
        batch = []
        for row in queue_head(config.db.store, endpoint, BATCH):
            if row.next_attempt > now:
                if not batch:
                    return [], row.next_attempt - now
                break
            batch.append((row.id, row.webhook_id, row.event_type, row.body))
        return batch, None

    def _collect(self, wait: float) -> None:
        """Record results until none arrives within ``wait`` seconds."""
        try:
            result = self.results.get(timeout=wait)
        except queue.Empty:
            return
        self._record([result] + self._drain())

    def _drain(self) -> list:
        got = []
        with suppress(queue.Empty):
            while True:
                got.append(self.results.get_nowait())
        return got

    def _record(self, results: list) -> None:
        store = config.db.store
        delivered = []
        for endpoint, row_id, webhook_id, event_type, outcome in results:
            if row_id is None:                  # the batch is done
                self.threads[endpoint].busy = False
                continue
            log.info('rest-events: %s %s %s %s %.0f ms', endpoint,
                     event_type, webhook_id, outcome.summary,
                     outcome.seconds * 1000)
            if outcome.ok:
                delivered.append(row_id)
            else:
                self._failed(store, store.get(Delivery, row_id), outcome)
        if delivered:
            store.query(Delivery).filter(Delivery.id.in_(delivered)).delete(
                synchronize_session=False)
        config.db.commit()

    def _failed(self, store, row, outcome) -> None:
        if row is None:         # purged meanwhile
            return
        row.attempts += 1
        row.last_error = outcome.summary[:200]
        now = time.time()
        if outcome.permanent or now - row.created >= self.settings.retry_for:
            row.dead = True
            log.error('rest-events: %s %s %s dead-lettered after %d '
                      'attempt(s): %s', row.endpoint, row.event_type,
                      row.webhook_id, row.attempts, row.last_error)
            return
        row.next_attempt = now + next_delay(self.settings, row.attempts,
                                            outcome)

    def _dead_letter_orphans(self) -> None:
        count = orphans(config.db.store, set(self.threads))
        config.db.commit()
        if count:
            log.error('rest-events: %d queued event(s) of endpoints no '
                      'longer in the configuration moved to the dead-letter '
                      'queue', count)

    def _clean_up(self):
        # Record what was already sent, so that less is sent twice.
        with suppress(Exception):
            self._record(self._drain())
        for thread in self.threads.values():
            thread.batches.put(None)
        log.info('rest-events runner stopped')
