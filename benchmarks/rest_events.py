"""mailman-rest-events: throughput, and what it adds where events happen.

    .venv/bin/python benchmarks/rest_events.py [--quick]

1. Events per second from the outbox through ``WebhookRunner`` to a local
   receiver (127.0.0.1, answering 204), timed from the first delivery to
   the last: N member.subscribed events queued while the runner was down.
2. The extra time a subscription (``ISubscriptionManager.register``, as
   REST ``POST /members`` does, committed) and a post (the posting chain
   the ``in`` runner runs, ending in AcceptEvent, committed) take in the
   process where they happen: medians, with the plugin enabled (one
   endpoint that wants every event) against the same instance layout with
   the plugin disabled, in alternating rounds of the same run.  Also the
   median time of the plugin's own work per event (build, sign nothing,
   add the outbox row, flush it).
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'src'))

from mailman_rest_events.testing.instance import EventsInstance  # noqa: E402
from mailman_rest_events.testing.receiver import (  # noqa: E402
    Receiver, new_secret)


def throughput(root: str, count: int) -> dict:
    receiver = Receiver().start()
    instance = EventsInstance(os.path.join(root, 'throughput'),
                              delivery='poll_interval: 100ms\n')
    instance.add_endpoint('bench', receiver.url, new_secret(),
                          'events: ^member\\.')
    try:
        instance.python(
            'from mailman_rest_events.testing.drive import subscribe_many\n'
            'subscribe_many("bench@example.com", 0, {})\n'.format(count))
        instance.start_runner()
        receiver.wait_for(lambda r: len(r.received) >= count, 1800)
        seconds = receiver.received[-1].at - receiver.received[0].at
    finally:
        instance.cleanup()
        receiver.stop()
    return {'events': count, 'seconds': round(seconds, 2),
            'events_per_second': round((count - 1) / seconds)}


# Runs inside an instance: N subscriptions and N posts, each committed.
OPERATIONS = r'''
import json, time, uuid
from mailman.app.lifecycle import create_list
from mailman.config import config
from mailman.core.chains import process
from mailman.database.transaction import transaction
from mailman.email.message import Message
from mailman.interfaces.domain import IDomainManager
from mailman.interfaces.listmanager import IListManager
from mailman.interfaces.subscriptions import ISubscriptionManager
from mailman.interfaces.usermanager import IUserManager
from zope.component import getUtility
from email import message_from_string
N, ROUND = {count}, {round}
with transaction():
    mlist = getUtility(IListManager).get('plain@example.com')
    if mlist is None:
        getUtility(IDomainManager).add('example.com')
        mlist = create_list('plain@example.com')
        mlist.send_welcome_message = False
        mlist.admin_notify_mchanges = False
        poster = getUtility(IUserManager).create_address('poster@example.org')
        poster.verified_on = poster.registered_on
        mlist.subscribe(poster)
users = getUtility(IUserManager)
manager = ISubscriptionManager(mlist)
subscribe, post = [], []
for n in range(N):
    email = 'r{{}}n{{}}@example.org'.format(ROUND, n)
    started = time.perf_counter()
    with transaction():
        manager.register(users.create_address(email), pre_verified=True,
                         pre_confirmed=True, pre_approved=True)
    subscribe.append(time.perf_counter() - started)
for n in range(N):
    msg = message_from_string(
        'From: poster@example.org\nTo: plain@example.com\n'
        'Subject: Post {{}}\nMessage-ID: <{{}}@example.org>\n\nHello.\n'
        .format(n, uuid.uuid4().hex), Message)
    msg.original_size = 100            # as the LMTP runner sets them
    msg.original_sender = msg.sender
    msgdata = dict(listid=mlist.list_id, original_size=100)
    started = time.perf_counter()
    with transaction():
        process(mlist, msg, msgdata, mlist.posting_chain)
    post.append(time.perf_counter() - started)
own = []
handler = None
for subscriber in __import__('zope.event').event.subscribers:
    if getattr(subscriber, '__name__', '') == 'handle_event':
        handler = subscriber
if handler is not None:
    from mailman.interfaces.chain import AcceptEvent
    for n in range(N):
        event = AcceptEvent(mlist, msg, {{}}, None)
        started = time.perf_counter()
        handler(event)
        config.db.store.flush()
        own.append(time.perf_counter() - started)
    config.db.abort()
print(json.dumps(dict(subscribe=subscribe, post=post, own=own)))
'''


def overhead(root: str, count: int, rounds: int) -> dict:
    receiver = Receiver().start()
    instances = {}
    for enabled in (False, True):
        instance = EventsInstance(
            os.path.join(root, 'on' if enabled else 'off'), enabled=enabled)
        instance.add_endpoint('bench', receiver.url, new_secret())
        instances[enabled] = instance
    samples = {enabled: dict(subscribe=[], post=[], own=[])
               for enabled in instances}
    try:
        for number in range(rounds):
            for enabled, instance in instances.items():
                out = json.loads(instance.python(OPERATIONS.format(
                    count=count, round=number)).splitlines()[-1])
                for key, values in out.items():
                    samples[enabled][key] += values
    finally:
        receiver.stop()
    queued = instances[True].queued()

    def ms(values):
        return round(statistics.median(values) * 1000, 3)
    result = {'operations_per_kind': count * rounds,
              'events_queued_with_plugin': queued}
    for kind in ('subscribe', 'post'):
        off, on = ms(samples[False][kind]), ms(samples[True][kind])
        result[kind] = {'plugin_disabled_ms': off, 'plugin_enabled_ms': on,
                        'added_ms': round(on - off, 3)}
    result['plugin_own_work_per_event_ms'] = ms(samples[True]['own'])
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true')
    args = parser.parse_args()
    root = tempfile.mkdtemp(prefix='bench-rest-events-')
    try:
        report = {
            'throughput': throughput(root, 1000 if args.quick else 5000),
            'originating_process': overhead(
                root, 50 if args.quick else 150, 2 if args.quick else 4)}
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(report, indent=2))
    added = max(report['originating_process'][kind]['added_ms']
                for kind in ('subscribe', 'post'))
    print('Added to a subscription or a post: {:.3f} ms (median); the '
          "plugin's own work per event: {:.3f} ms -> {}".format(
              added, report['originating_process'][
                  'plugin_own_work_per_event_ms'],
              'under 1 ms' if added < 1 else 'NOT under 1 ms'))


if __name__ == '__main__':
    main()
