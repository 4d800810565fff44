"""An SMTP server that keeps what Mailman sends (demo and end-to-end tests)."""

import email
import socket
import threading
import time

from dataclasses import dataclass

from aiosmtpd.controller import Controller
from public import public


@public
@dataclass
class Delivery:
    """One message as the outgoing mail server received it."""
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self):
        return email.message_from_bytes(self.data)

    @property
    def subject(self) -> str:
        """The Subject, unfolded."""
        return ' '.join(str(self.message.get('subject', '')).split())


class _Handler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_EHLO(self, server, session, envelope, hostname,
                          responses):
        # As Postfix and Exim do: copies then go out pipelined (RFC 2920).
        session.host_name = hostname
        if self.sink.pipelining:
            responses.insert(-1, '250-PIPELINING')
        return responses

    async def handle_DATA(self, server, session, envelope):
        with self.sink.lock:
            self.sink.received += len(envelope.rcpt_tos)
            if self.sink.keep:
                self.sink.deliveries.append(Delivery(
                    envelope.mail_from, list(envelope.rcpt_tos),
                    envelope.original_content or envelope.content))
        return '250 OK'


@public
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@public
class SMTPSink:
    """Listens on 127.0.0.1:``port``; ``wait_for`` picks what arrived."""

    def __init__(self, port: int | None = None, keep: bool = True,
                 pipelining: bool = True):
        self.port = port or free_port()
        self.pipelining = pipelining    # offer PIPELINING in EHLO
        self.keep = keep                # False: count recipients only
        self.received = 0
        self.deliveries: list[Delivery] = []
        self.lock = threading.Lock()
        self._taken: set[int] = set()
        self._controller = Controller(_Handler(self), hostname='127.0.0.1',
                                      port=self.port)

    def start(self) -> 'SMTPSink':
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def wait_for(self, to: str, subject: str = '', timeout: float = 60,
                 taken: set | None = None, match=None) -> Delivery:
        """The first delivery to ``to`` whose Subject starts with
        ``subject`` (or for which ``match(delivery)`` is true) and which is
        not in ``taken`` (marked taken)."""
        taken = self._taken if taken is None else taken
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for index, delivery in enumerate(self.deliveries):
                    if index in taken or to not in delivery.rcpt_tos:
                        continue
                    if (match(delivery) if match is not None
                            else delivery.subject.startswith(subject)):
                        taken.add(index)
                        return delivery
            time.sleep(0.1)
        with self.lock:
            seen = [(d.rcpt_tos, d.subject) for d in self.deliveries]
        raise TimeoutError('nothing to {} about {!r} within {} s; got {}'
                           .format(to, subject, timeout, seen))
