"""An SMTP sink for the benchmarks that costs what an MTA in C would.

The message data is read in blocks (until the final CRLF.CRLF), not line
by line: a sink's per-line Python work, in the benchmark's own process,
charged the side that sends more messages for the sink's work.  In
``deliver.py`` it was a large share of individual delivery's 1000 copies
(430,000 lines) against Mailman's 100; in ``load.py`` aiosmtpd (the test
suite's sink, which reads DATA line by line) was a third of the PGP run's
time (docs/delivery.rst has figures with both sinks).

It offers PIPELINING, as Postfix and Exim do by default, and, as Postfix
does, answers pipelined commands in one write.  It runs in a process of
its own, as an MTA does: in a thread of the benchmark's process its work
was charged to the delivering process, and the two took turns on one
interpreter lock (switching every 5 ms), which made the side that sends
more messages slower by a varying amount from run to run.
"""

import multiprocessing
import socket
import threading

from public import public


@public
class Sink:
    """Just enough SMTP to accept everything, counting messages
    (``messages``) and the recipients they were accepted for
    (``received``, as SMTPSink counts), in a process of its own."""

    def __init__(self, port=0):
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(('127.0.0.1', port))
        self.server.listen(64)
        self.port = self.server.getsockname()[1]
        context = multiprocessing.get_context('fork')
        self._messages = context.Value('q', 0)
        self._received = context.Value('q', 0)
        self._process = context.Process(target=self.run, daemon=True)

    @property
    def messages(self) -> int:
        return self._messages.value

    @property
    def received(self) -> int:
        return self._received.value

    def start(self) -> 'Sink':
        self._process.start()
        return self

    def stop(self) -> None:
        self._process.kill()
        self._process.join()
        self.server.close()

    def run(self):
        while True:
            conn, _ = self.server.accept()
            # One thread per connection: Mailman's runners may hold one
            # each (the load benchmark runs several in one process).
            threading.Thread(target=self.serve, args=(conn,),
                             daemon=True).start()

    def serve(self, conn):
        with conn:
            self.session(conn)

    def session(self, conn):
        """One SMTP session.  The sink offers PIPELINING, as Postfix and
        Exim do by default: it answers commands in the order they come,
        however many arrive in one read, and (as Postfix does) sends the
        replies it has when it would wait for more input, in one write."""
        replies = [b'220 sink\r\n']
        buffer = b''
        recipients = 0

        def receive():
            if replies:
                conn.sendall(b''.join(replies))
                replies.clear()
            return conn.recv(1 << 16)

        while True:
            end = buffer.find(b'\r\n')
            if end < 0:
                chunk = receive()
                if not chunk:
                    return
                buffer += chunk
                continue
            line, buffer = buffer[:end], buffer[end + 2:]
            verb = line[:4].upper()
            if verb == b'EHLO':
                replies.append(b'250-sink\r\n250-PIPELINING\r\n'
                               b'250 8BITMIME\r\n')
            elif verb == b'DATA':
                replies.append(b'354 go\r\n')
                # The data up to the lone dot, found in blocks (as an MTA
                # in C would): a Python loop per line, in the delivering
                # process, charged the side that sends more messages for
                # the sink's own work.
                buffer = b'\r\n' + buffer
                while (end := buffer.find(b'\r\n.\r\n')) < 0:
                    chunk = receive()
                    if not chunk:
                        return
                    buffer = buffer[-4:] + chunk
                buffer = buffer[end + 5:]
                with self._messages.get_lock():
                    self._messages.value += 1
                with self._received.get_lock():
                    self._received.value += recipients
                recipients = 0
                replies.append(b'250 ok\r\n')
            elif verb == b'QUIT':
                conn.sendall(b''.join(replies) + b'221 bye\r\n')
                return
            else:
                if verb == b'RCPT':
                    recipients += 1
                elif verb in (b'MAIL', b'RSET'):
                    recipients = 0
                replies.append(b'250 ok\r\n')
