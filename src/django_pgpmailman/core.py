"""Mailman Core's REST API, as this app uses it: one place, with a timeout.

Every request goes through :func:`call` (JSON) or :func:`call_raw`
(binary), which count requests so that tests and the benchmark can check
that a page costs a constant number of round trips.
"""

import threading

from urllib.error import HTTPError
from urllib.parse import quote, urlencode

import requests
from django.conf import settings
from mailmanclient.restbase.connection import Connection, MailmanConnectionError

# Seconds; Core answers in milliseconds, a hung Core must not hang the web.
TIMEOUT = getattr(settings, 'PGPMAILMAN_REST_TIMEOUT', 30)

_counter = threading.local()


class CoreError(Exception):
    """Core refused (status, its description) or could not be reached."""

    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


def calls_made() -> int:
    """REST requests made by this thread so far."""
    return getattr(_counter, 'value', 0)


def _count() -> None:
    _counter.value = calls_made() + 1


def _timeout(params: dict) -> dict:
    params['timeout'] = TIMEOUT
    return params


def _base() -> str:
    return settings.MAILMAN_REST_API_URL.rstrip('/') + '/3.1/'


def q(segment: str) -> str:
    """One path segment, quoted (an email address, a token, a list id)."""
    return quote(str(segment), safe='@')


def call(path: str, data: dict | None = None, method: str | None = None,
         params: dict | None = None):
    """The JSON answer of ``/3.1/<path>``; CoreError on any refusal."""
    if params:
        path += '?' + urlencode(params, doseq=True)
    connection = Connection(_base(), settings.MAILMAN_REST_API_USER,
                            settings.MAILMAN_REST_API_PASS, [_timeout])
    _count()
    try:
        _response, content = connection.call(path, data, method)
    except HTTPError as error:
        raise CoreError(error.code, str(error.msg)) from None
    except MailmanConnectionError as error:
        raise CoreError(503, 'Mailman Core cannot be reached: {}'.format(
            error)) from None
    return content


def call_raw(path: str, params: dict | None = None):
    """(status, content type, bytes) of a GET, for binary answers."""
    _count()
    try:
        response = requests.get(
            _base() + path, params=params, timeout=TIMEOUT,
            auth=(settings.MAILMAN_REST_API_USER,
                  settings.MAILMAN_REST_API_PASS))
    except requests.RequestException as error:
        raise CoreError(503, 'Mailman Core cannot be reached: {}'.format(
            error)) from None
    return (response.status_code, response.headers.get('Content-Type', ''),
            response.content)


def answers_core_errors(view):
    """Wrap a view: Core unreachable or refusing unexpectedly gives a page
    that says so (503 or 502), not a server error."""
    import functools

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        from django.shortcuts import render
        try:
            return view(request, *args, **kwargs)
        except CoreError as error:
            return render(request, 'django_pgpmailman/core_error.html',
                          {'error': error},
                          status=503 if error.status == 503 else 502)
    return wrapper


def pgp(*segments: str) -> str:
    """The path of a plugin resource: ``plugins/pgp/<segments>``."""
    return '/'.join(['plugins/pgp'] + [q(s) for s in segments])
