"""One POST to one endpoint, signed as Standard Webhooks says.

The signature is made by ``standardwebhooks`` (the specification's
reference library): ``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``, one
per configured secret (more than one while a secret is being rotated).
"""

import http.client
import random
import socket
import ssl
import time

from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from public import public
from standardwebhooks.webhooks import Webhook

from mailman_rest_events.settings import Endpoint, Settings


USER_AGENT = 'mailman-rest-events/1'


@public
def signed_headers(endpoint: Endpoint, webhook_id: str, body: str,
                   timestamp: int | None = None) -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    when = datetime.fromtimestamp(timestamp, timezone.utc)
    signatures = ' '.join(Webhook(secret).sign(webhook_id, when, body)
                          for secret in endpoint.secrets)
    return {'webhook-id': webhook_id, 'webhook-timestamp': str(timestamp),
            'webhook-signature': signatures,
            'content-type': 'application/json', 'user-agent': USER_AGENT}


@public
@dataclass
class Outcome:
    """What one attempt came to.  ``error`` never holds the URL or body."""
    ok: bool
    status: int | None = None       # HTTP status, None when none came back
    error: str = ''
    permanent: bool = False         # 4xx other than 408/429: never retried
    retry_after: float | None = None
    seconds: float = 0.0

    @property
    def summary(self) -> str:
        return 'HTTP {}'.format(self.status) if self.status else self.error


@public
def classify(status: int, retry_after: str | None = None) -> Outcome:
    if 200 <= status < 300:
        return Outcome(True, status)
    permanent = 400 <= status < 500 and status not in (408, 429)
    return Outcome(False, status, 'HTTP {}'.format(status), permanent,
                   _retry_after(retry_after) if status in (429, 503) else None)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


@public
def next_delay(settings: Settings, attempts: int, outcome: Outcome) -> float:
    """Seconds until the next try after ``attempts`` failed ones.

    Exponential (first_retry, doubling, capped at max_interval) with jitter
    (50-100 %) so that endpoints coming back are not hit all at once; a
    Retry-After the endpoint asked for is honoured up to the cap.
    """
    base = min(settings.max_interval,
               settings.first_retry * 2 ** max(0, attempts - 1))
    delay = base * random.uniform(0.5, 1.0)
    if outcome.retry_after is not None:
        delay = max(delay, min(outcome.retry_after, settings.max_interval))
    return delay


@public
class Sender:
    """A kept-alive connection to one endpoint (used by one thread)."""

    def __init__(self, endpoint: Endpoint):
        self.endpoint = endpoint
        parts = urlsplit(endpoint.url)
        self._https = parts.scheme == 'https'
        self._host = parts.hostname
        self._port = parts.port
        self._path = (parts.path or '/') + (
            '?' + parts.query if parts.query else '')
        self._connection = None

    def _connect(self):
        if self._https:
            return http.client.HTTPSConnection(
                self._host, self._port, timeout=self.endpoint.timeout,
                context=ssl.create_default_context())
        return http.client.HTTPConnection(
            self._host, self._port, timeout=self.endpoint.timeout)

    def send(self, webhook_id: str, body: str) -> Outcome:
        started = time.monotonic()
        data = body.encode('utf-8')
        headers = signed_headers(self.endpoint, webhook_id, body)
        # A kept-alive connection the endpoint closed while idle fails at
        # once; that is no failure of the endpoint: try once more, afresh.
        reused = self._connection is not None
        outcome = self._post(data, headers)
        if reused and outcome.status is None and outcome.error in (
                'connection closed', 'connection reset'):
            outcome = self._post(data, headers)
        outcome.seconds = time.monotonic() - started
        return outcome

    def _post(self, data: bytes, headers: dict) -> Outcome:
        try:
            if self._connection is None:
                self._connection = self._connect()
            self._connection.request('POST', self._path, data, headers)
            response = self._connection.getresponse()
            response.read(65536)
            outcome = classify(response.status,
                               response.getheader('retry-after'))
            if response.will_close or not response.isclosed():
                self.close()
            return outcome
        except (OSError, http.client.HTTPException) as error:
            self.close()
            return Outcome(False, None, _describe(error))

    def close(self):
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _describe(error: BaseException) -> str:
    if isinstance(error, (socket.timeout, TimeoutError)):
        return 'timed out'
    if isinstance(error, ConnectionRefusedError):
        return 'connection refused'
    if isinstance(error, (http.client.RemoteDisconnected, BrokenPipeError)):
        return 'connection closed'
    if isinstance(error, ConnectionResetError):
        return 'connection reset'
    if isinstance(error, ssl.SSLError):
        return 'TLS error: {}'.format(error.reason or type(error).__name__)
    # Exception texts of http.client and socket name neither URL nor body.
    return '{}: {}'.format(type(error).__name__, error)[:150]
