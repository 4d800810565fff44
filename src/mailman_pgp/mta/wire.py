"""Put an encrypted copy on the wire without re-reading its ciphertext.

smtplib's send_message() flattens a message with the email generator,
which walks the armored ciphertext line by line: for a 20 KB post that is
most of the cost of an encrypted copy.  Here the generator writes the
headers and MIME structure around a placeholder and the armor goes in
with one replace, giving the bytes send_message() would send.
"""

import functools
import io
import itertools
import logging
import smtplib

from collections import deque
from collections.abc import Iterator
from email.generator import BytesGenerator
from email.message import Message

from lazr.config import as_boolean
from mailman.config import config
from public import public

from mailman_pgp.mta.deliver import PGPDeliveryUnavailable
from mailman_pgp.mta.pipelining import can_pipeline, send_pipelined


log = logging.getLogger('mailman.smtp')


_PLACEHOLDER = '@@mailman-pgp-armor@@'


def _armor_part(msg):
    """The part of a multipart/encrypted holding the armored text, or None.
    """
    if msg.get_content_type() != 'multipart/encrypted':
        return None
    parts = msg.get_payload()
    if not isinstance(parts, list) or len(parts) != 2:
        return None
    part = parts[1]
    payload = part.get_payload()
    if not isinstance(payload, str) or not payload.isascii() or \
            part.get('Content-Transfer-Encoding') not in (None, '7bit'):
        return None
    return part


def _freeze(headers):
    # Header objects are unhashable: they count by identity (the copies of
    # one delivery share them; the cache keeps them alive).
    return tuple((name, value if isinstance(value, str) else id(value))
                 for name, value in headers)


def _skeleton_key(msg, part):
    control = msg.get_payload()[0]
    return (_freeze(msg._headers), msg.preamble, msg.epilogue,
            _freeze(control._headers), str(control.get_payload()),
            _freeze(part._headers))


def _flattened(msg) -> bytes:
    """msg as send_message() sends it to an ASCII envelope."""
    # A shallow copy, as send_message() makes, with its own header list
    # (copy.copy of a mailman Message would share its __dict__).
    out = Message(policy=msg.policy)
    out.__dict__.update(msg.__dict__)
    out._headers = [h for h in msg._headers
                    if h[0].lower() not in ('bcc', 'resent-bcc')]
    buffer = io.BytesIO()
    BytesGenerator(buffer, policy=msg.policy).flatten(out, linesep='\r\n')
    return buffer.getvalue()


def _skeleton(msg, part) -> bytes | None:
    """msg flattened as send_message() would, the armor replaced by the
    placeholder."""
    armored = part.get_payload()
    part.set_payload(_PLACEHOLDER)
    try:
        head = _flattened(msg)
    finally:
        part.set_payload(armored)
    return head if head.count(_PLACEHOLDER.encode()) == 1 else None


@public
def wire_bytes(msg, skeletons=None, always=False) -> bytes | None:
    """What smtplib's send_message() would send for msg (CRLF, Bcc
    removed) to an ASCII envelope, or None when msg is not one of our
    encrypted copies (unless ``always``: then flattened in full).

    :param skeletons: a dict to reuse the flattened headers and MIME
        structure of copies that differ only in their ciphertext.
    """
    part = _armor_part(msg)
    head = None
    if part is not None and skeletons is None:
        head = _skeleton(msg, part)
    elif part is not None:
        key = _skeleton_key(msg, part)
        cached = skeletons.get(key)
        if cached is None:
            if len(skeletons) > 64:
                skeletons.clear()
            cached = skeletons[key] = (_skeleton(msg, part), msg._headers)
        head = cached[0]
    if head is None:
        # Not ours, or the placeholder is in a header.
        return _flattened(msg) if always else None
    return head.replace(_PLACEHOLDER.encode(),
                        part.get_payload().replace('\n', '\r\n')
                        .encode('ascii'))


class _Feed:
    """The items of WireConnection.sendmail_many() as send_pipelined()
    takes them, (sender, recipients, data), until one cannot go that way.
    """

    def __init__(self, items, wire):
        self.items = _shunting(iter(items))
        self.wire = wire
        self.next = None            # the item after the last one taken
        self.stopped = False        # at self.next, which cannot go
        self.taken = 0
        # The recipients of the last items taken: at most two are ever
        # without a verdict (send_pipelined reads one copy ahead).
        self.recent = deque(maxlen=2)

    def more(self) -> bool:
        """Whether an item that can go is next (made ready to send)."""
        if self.next is None and not self.stopped:
            item = next(self.items, None)
            if item is None:
                return False
            sender, recipients, msg = item[:3]
            data = None
            if _plain_envelope(sender, recipients):
                data = (functools.partial(self.wire._made_wire_bytes, msg)
                        if callable(msg) else
                        wire_bytes(msg, self.wire.skeletons))
            self.next, self.stopped = (item, data), data is None
        return self.next is not None and not self.stopped

    def __iter__(self):
        return self

    def __next__(self):
        if not self.more():
            raise StopIteration
        (item, data), self.next = self.next, None
        self.taken += 1
        self.recent.append(list(item[1]))
        return item[0], self.recent[-1], data

    def in_flight(self, answered: int) -> list:
        """The recipients of each item taken that has no verdict."""
        count = self.taken - answered
        return list(self.recent)[-count:] if count else []

    def rest(self) -> Iterator:
        """The items not taken."""
        head = [self.next[0]] if self.next is not None else []
        self.next, self.stopped = None, True
        return itertools.chain(head, self.items)


def _shunting(items):
    """items, an error in making them ready (a window of personalised
    copies at a time, maybe with a transaction open) a reason to shunt the
    post: it is not the connection's."""
    while True:
        try:
            item = next(items)
        except StopIteration:
            return
        except Exception as error:
            raise _CopyNotMade('copies could not be made ready: {}'.format(
                error)) from error
        yield item


@public
def made(make):
    """make(), an error in it a reason to shunt the post."""
    try:
        return make()
    except Exception as error:
        raise _CopyNotMade('a copy could not be made: {}'.format(
            error)) from error


def _plain_envelope(sender, recipients) -> bool:
    """ASCII, and no line breaks (smtplib refuses those in commands)."""
    envelope = ''.join([sender, *recipients])
    return envelope.isascii() and '\r' not in envelope \
        and '\n' not in envelope


class _CopyNotMade(PGPDeliveryUnavailable):
    """A copy could not be made or made ready (its cause says why), maybe
    while a transaction was open: the post goes to the shunt queue (an
    OSError would have the outgoing runner retry it, copies already sent
    included, for as long as the cause lasts)."""


@public
class WireConnection:
    """A delivery agent's SMTP Connection that sends encrypted copies as
    bytes made by wire_bytes(); everything else as the Connection does."""

    def __init__(self, connection):
        self.connection = connection
        self.skeletons = {}

    def sendmail(self, envsender, recipients, msg):
        data = None
        if _plain_envelope(envsender, recipients):
            data = wire_bytes(msg, self.skeletons)
        return self.connection.sendmail(
            envsender, recipients, msg if data is None else data)

    def sendmail_many(self, items) -> tuple[list[dict], Iterator]:
        """Send items, an iterable of (envsender, recipients, msg, ...),
        over one connection with PIPELINING (mta/pipelining.py), for as
        long as each can go that way: an ASCII envelope, and msg one of
        our encrypted copies or a callable that makes one (made once its
        commands are sent, while the server takes the copy before).

        Returns the verdicts of the items sent, in order (per item, the
        refused recipients, {recipient: (code, text)}), and an iterator
        over the items not sent, from the first that could not go this
        way: the caller sends those one by one, as before.  Nothing is
        sent or made unless the server offers PIPELINING.
        """
        feed = _Feed(items, self)
        results: list[dict] = []
        core = self.connection
        try:
            if as_boolean(config.devmode.enabled) or not feed.more():
                return results, feed.rest()
            while feed.more():
                # Mailman's Connection opens the connection and counts its
                # sessions (max_sessions_per_connection) in sendmail(); the
                # same here, each copy being a session.
                try:
                    if core._connection is None:
                        core._connect()
                        core._login()
                    pipelining = can_pipeline(core._connection)
                except (OSError, smtplib.SMTPException) as error:
                    # No server to send to (every copy taken has its
                    # verdict): the rest is a temporary failure (444),
                    # retried later, as core does.
                    self._broken(error)
                    results += [{r: (444, str(error)) for r in item[1]}
                                for item in feed.rest()]
                    break
                if not pipelining:
                    # Not (or no longer) offered: the caller sends the
                    # rest one by one.
                    return results, feed.rest()
                sent = len(results)
                try:
                    send_pipelined(core._connection,
                                   itertools.islice(feed, core._session_count)
                                   if core._session_count > 0 else feed,
                                   results)
                except (OSError, smtplib.SMTPException) as error:
                    # The connection broke: the copies it had not answered
                    # are a temporary failure (444); the others go on over
                    # a new connection.
                    self._broken(error)
                    results += [{r: (444, str(error)) for r in recipients}
                                for recipients in feed.in_flight(
                                    len(results))]
                    continue
                core._session_count -= len(results) - sent
                if core._session_count == 0:
                    core.quit()
        except BaseException:
            self.drop()
            raise
        return results, feed.rest()

    def _broken(self, error):
        log.error('low level smtp error: %s', error)
        self.drop()

    def _made_wire_bytes(self, make) -> bytes:
        return made(lambda: wire_bytes(make(), self.skeletons, always=True))

    def drop(self):
        """Close the connection without QUIT: with a copy's transaction
        open the server may be reading data, and would take a QUIT as data
        and never answer it.  It then drops what it was given."""
        core = self.connection
        if core._connection is not None:
            core._connection.close()
            core._connection = None

    def __getattr__(self, name):
        return getattr(self.connection, name)
