"""A webhook receiver on 127.0.0.1 that keeps every request's bytes.

``answer`` decides the response to each request: a status, extra headers,
or ``HANG`` (never answer until ``release()``).  It can be stopped (the
port refuses connections) and started again on the same port.
"""

import http.server
import socket
import threading
import time

from dataclasses import dataclass, field

from public import public


HANG = 'hang'


@public
@dataclass
class Received:
    headers: dict
    body: bytes
    raw: bytes                  # request line, headers and body, as sent
    at: float = field(default_factory=time.monotonic)

    @property
    def webhook_id(self) -> str:
        return self.headers['webhook-id']


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def do_POST(self):
        receiver = self.server.receiver
        length = int(self.headers.get('content-length', 0))
        body = self.rfile.read(length)
        head = (self.requestline + '\r\n' + str(self.headers)).encode(
            'latin-1')
        got = Received({k.lower(): v for k, v in self.headers.items()},
                       body, head + body)
        with receiver.lock:
            receiver.attempts.append(got)
            answer = receiver.answer(len(receiver.attempts), got)
        status, headers = (answer, {}) if not isinstance(answer, tuple) \
            else answer
        if status == HANG:
            # Until release() (tests call it on cleanup); the bound only
            # frees the thread of a test that never does.
            receiver.released.wait(600)
            self.close_connection = True
            return
        if 200 <= status < 300:
            with receiver.lock:
                receiver.received.append(got)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header('Content-Length', '0')
        self.end_headers()


@public
class Receiver:
    """``attempts``: every request; ``received``: those answered 2xx."""

    def __init__(self, port: int = 0):
        self.port = port
        self.lock = threading.RLock()
        self.attempts: list[Received] = []
        self.received: list[Received] = []
        self.released = threading.Event()
        self.answer = lambda number, got: 204
        self._server = None

    @property
    def url(self) -> str:
        return 'http://127.0.0.1:{}/hook'.format(self.port)

    def start(self) -> 'Receiver':
        server = http.server.ThreadingHTTPServer(
            ('127.0.0.1', self.port), _Handler, bind_and_activate=False)
        server.allow_reuse_address = True
        server.daemon_threads = True
        server.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.server_bind()
        server.server_activate()
        server.receiver = self
        self.port = server.server_address[1]
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def release(self) -> None:
        self.released.set()

    def wait_for(self, predicate, timeout: float = 60, what: str = ''):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if predicate(self):
                    return
            time.sleep(0.05)
        raise AssertionError('receiver: timed out waiting for {}; got {} '
                             'request(s), {} accepted'.format(
                                 what or predicate, len(self.attempts),
                                 len(self.received)))

    def types(self) -> list[str]:
        import json
        with self.lock:
            return [json.loads(got.body)['type'] for got in self.received]


@public
def new_secret() -> str:
    import base64
    import os
    return 'whsec_' + base64.b64encode(os.urandom(32)).decode()
