"""mailman-rest-events: throughput, and what it adds where events happen.

    .venv/bin/python benchmarks/rest_events.py [--quick]

1. Events per second from the outbox through ``WebhookRunner`` to a local
   receiver (127.0.0.1, answering 204), timed from the first delivery to
   the last: N member.subscribed events queued while the runner was down.
2. The extra time a subscription (``ISubscriptionManager.register``, as
   REST ``POST /members`` does, committed) and a post (the posting chain
   the ``in`` runner runs, ending in the accept chain, committed) take in
   the process where they happen, with one endpoint that wants every
   event.  In the instance with the plugin loaded, operations alternate
   between "on" and "off" (its event subscriber and endpoints taken out;
   its accept chain stays, and finds no endpoint), so both see the same
   machine; the median of the paired
   differences is the figure.  The same operations in an instance without
   the plugin are shown for reference.  A post's ``message.accepted``
   travels in its pipeline queue file; the pipeline runner (not timed here)
   adds it to the outbox in the transaction it commits anyway.  Also the
   median time of the plugin's own work per event (build the body, add the
   outbox row, flush it).  Wall-clock times include the other processes of
   a busy machine; the CPU time of the process (paired the same way) does
   not, and shows the plugin's work alone.
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
# With the plugin loaded, operations alternate between "on" and "off" (its
# subscriber and endpoints taken out), so that both see the same machine;
# without it, every operation is "off".
OPERATIONS = r"""
import json, time, uuid
import zope.event
from email import message_from_string
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
N, ROUND = {count}, {round}
loaded = 'rest_events' in config.plugins
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
if loaded:
    from mailman_rest_events.events import handle_event
    from mailman_rest_events.outbox import current_settings, set_settings
    from mailman_rest_events.settings import Settings
    on_state, off_state = current_settings(), Settings()
def switch(on):
    if not loaded:
        return
    set_settings(on_state if on else off_state)
    if on and handle_event not in zope.event.subscribers:
        zope.event.subscribers.append(handle_event)
    if not on and handle_event in zope.event.subscribers:
        zope.event.subscribers.remove(handle_event)
users = getUtility(IUserManager)
manager = ISubscriptionManager(mlist)
times = dict(subscribe={{'on': [], 'off': []}}, post={{'on': [], 'off': []}})
cpu = dict(subscribe={{'on': [], 'off': []}}, post={{'on': [], 'off': []}})
def variants(n):
    if not loaded:
        return ['off']
    return ['on', 'off'] if n % 2 else ['off', 'on']
for n in range(N):
    for variant in variants(n):
        switch(variant == 'on')
        email = 'r{{}}{{}}{{}}@example.org'.format(ROUND, variant, n)
        started, cpu_started = time.perf_counter(), time.process_time()
        with transaction():
            manager.register(users.create_address(email), pre_verified=True,
                             pre_confirmed=True, pre_approved=True)
        times['subscribe'][variant].append(time.perf_counter() - started)
        cpu['subscribe'][variant].append(time.process_time() - cpu_started)
for n in range(N):
    for variant in variants(n):
        switch(variant == 'on')
        msg = message_from_string(
            'From: poster@example.org\nTo: plain@example.com\n'
            'Subject: Post {{}}\nMessage-ID: <{{}}@example.org>\n\nHello.\n'
            .format(n, uuid.uuid4().hex), Message)
        msg.original_size = 100         # as the LMTP runner sets them
        msg.original_sender = msg.sender
        msgdata = dict(listid=mlist.list_id, original_size=100)
        started, cpu_started = time.perf_counter(), time.process_time()
        with transaction():
            process(mlist, msg, msgdata, mlist.posting_chain)
        times['post'][variant].append(time.perf_counter() - started)
        cpu['post'][variant].append(time.process_time() - cpu_started)
own = []
if loaded:
    switch(True)
    from mailman.interfaces.member import SubscriptionEvent
    member = mlist.members.get_member('poster@example.org')
    for n in range(N):
        started = time.perf_counter()
        handle_event(SubscriptionEvent(mlist, member))
        config.db.store.flush()
        own.append(time.perf_counter() - started)
    config.db.abort()
print(json.dumps(dict(times=times, cpu=cpu, own=own)))
"""


def overhead(root: str, count: int, rounds: int) -> dict:
    receiver = Receiver().start()
    instances = {}
    for loaded in (True, False):
        instance = EventsInstance(
            os.path.join(root, 'on' if loaded else 'off'), enabled=loaded)
        instance.add_endpoint('bench', receiver.url, new_secret())
        instances[loaded] = instance
    samples = {kind: {'on': [], 'off': [], 'not_loaded': [],
                      'cpu_on': [], 'cpu_off': []}
               for kind in ('subscribe', 'post')}
    own = []
    try:
        for number in range(rounds):
            for loaded, instance in instances.items():
                out = json.loads(instance.python(OPERATIONS.format(
                    count=count, round=number)).splitlines()[-1])
                for kind, values in out['times'].items():
                    if loaded:
                        samples[kind]['on'] += values['on']
                        samples[kind]['off'] += values['off']
                        samples[kind]['cpu_on'] += out['cpu'][kind]['on']
                        samples[kind]['cpu_off'] += out['cpu'][kind]['off']
                    else:
                        samples[kind]['not_loaded'] += values['off']
                own += out['own']
    finally:
        receiver.stop()

    def ms(values):
        return round(statistics.median(values) * 1000, 3)
    result = {'operations_per_kind_and_variant': count * rounds,
              'events_queued_with_plugin_on': instances[True].queued()}
    for kind, got in samples.items():
        pairs = [on - off for on, off in zip(got['on'], got['off'])]
        cpu_pairs = [on - off for on, off in zip(got['cpu_on'],
                                                  got['cpu_off'])]
        result[kind] = {
            'plugin_on_ms': ms(got['on']), 'plugin_off_ms': ms(got['off']),
            'added_ms_paired_median': ms(pairs),
            'added_cpu_ms_paired_median': ms(cpu_pairs),
            'plugin_not_loaded_ms': ms(got['not_loaded'])}
    result['plugin_own_work_per_event_ms'] = ms(own)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true')
    args = parser.parse_args()
    count, rounds = (50, 2) if args.quick else (150, 4)
    report = {}
    root = tempfile.mkdtemp(prefix='bench-rest-events-')
    # The database on disk (each commit waits for the disk) and, where there
    # is one, in memory (/dev/shm): without the disk's noise, what is left
    # is the plugin's own work.
    places = [('disk', root)]
    if os.path.isdir('/dev/shm'):
        places.append(('memory', tempfile.mkdtemp(prefix='bench-rest-events-',
                                                  dir='/dev/shm')))
    try:
        report['throughput'] = throughput(root, 1000 if args.quick else 5000)
        for name, where in places:
            report['originating_process_' + name] = overhead(
                where, count, rounds)
    finally:
        for _name, where in places:
            shutil.rmtree(where, ignore_errors=True)
    print(json.dumps(report, indent=2))
    for name, _where in places:
        figures = report['originating_process_' + name]
        for kind in ('subscribe', 'post'):
            added = figures[kind]['added_ms_paired_median']
            added_cpu = figures[kind]['added_cpu_ms_paired_median']
            print('Database on {}: a {} takes {:.3f} ms more (median of '
                  'paired differences; CPU time {:.3f} ms more) -> {}'.format(
                      name, kind, added, added_cpu,
                      'under 1 ms' if added < 1 else 'NOT under 1 ms'))
        print("Database on {}: the plugin's own work per event: {:.3f} ms"
              .format(name, figures['plugin_own_work_per_event_ms']))


if __name__ == '__main__':
    main()
