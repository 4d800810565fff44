"""Drive a GnuPG subscriber through the list's email conversation (tests).

Mail goes to the real command runner; what the list sends back is read
from the virgin queue, as the subscriber's mail client would see it.
"""

import email
import re

from mailman.config import config
from mailman.email.message import Message
from mailman.testing.helpers import get_queue_messages, make_testable_runner
from public import public

from mailman_pgp.runners.command import PGPCommandRunner


@public
def enqueue(mlist, raw: bytes, queue: str = 'in', **msgdata) -> str:
    """Queue ``raw`` for ``mlist`` as Mailman's LMTP runner does; return
    the queue file's base name.  Posts: ``to_list=True``."""
    msg = email.message_from_bytes(bytes(raw), Message)
    msg.original_sender = msg.sender
    msg.original_size = len(raw)
    return config.switchboards[queue].enqueue(
        msg, listid=mlist.list_id, original_size=len(raw), **msgdata)


@public
def send_command(mlist, raw: bytes, subaddress: str = 'request') -> None:
    enqueue(mlist, raw, 'command', subaddress=subaddress)
    make_testable_runner(PGPCommandRunner, 'command').run()


@public
def outbox() -> list:
    """Everything the list queued for sending since the last call."""
    return get_queue_messages('virgin', sort_on='message-id')


@public
def pick(items, *, to: str | None = None, subject: str | None = None):
    """The one queued message to ``to`` whose Subject starts with
    ``subject``; AssertionError listing what there was otherwise."""
    found = [item for item in items
             if (to is None or to in str(item.msg['to']))
             and (subject is None
                  or str(item.msg['subject']).startswith(subject))]
    if len(found) != 1:
        raise AssertionError('wanted one message to {} about {!r}, got: {}'
                             .format(to, subject, [
                                 (str(i.msg['to']), str(i.msg['subject']))
                                 for i in items]))
    return found[0]


@public
def results_text(items, to: str) -> str:
    """The text of the 'results of your email commands' reply."""
    item = pick(items, to=to, subject='The results of your email command')
    return item.msg.as_string()


@public
def token_of(item) -> str:
    return str(item.msg['subject']).split()[-1]


@public
def statement_in(plaintext: bytes) -> str:
    """The statement between the dashed lines of a proof request."""
    inner = email.message_from_bytes(plaintext)
    for part in inner.walk():
        if part.get_content_type() == 'text/plain':
            text = part.get_payload(decode=True).decode('utf-8')
            match = re.search(r'-{20,}\n(.*?)\n-{20,}', text, re.S)
            if match:
                return match.group(1).strip()
    raise AssertionError('no statement in the proof request')


@public
def plain_text(msg) -> str:
    """Every text/plain part of ``msg``, decoded, joined."""
    return '\n'.join(
        part.get_payload(decode=True).decode(
            part.get_content_charset('utf-8'), 'replace')
        for part in msg.walk() if part.get_content_type() == 'text/plain')
