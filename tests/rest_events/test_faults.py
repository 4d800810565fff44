"""Endpoints that are down, failing, slow or gone: nothing is lost, order
holds per endpoint, and what cannot be delivered is dead-lettered."""

import os
import re
import signal

from mailman_rest_events.testing.instance import EventsInstance
from mailman_rest_events.testing.receiver import HANG
from mailman_pgp.testing.sink import free_port

from tests.rest_events.support import FAST, EventsTestCase


class TestFaults(EventsTestCase):
    def test_down_for_some_tries_then_up(self):
        port = free_port()          # nothing listens there yet
        self.use_endpoint(port)
        self.subscribe(0, 5)
        self.instance.start_runner()
        self.instance.wait_until(lambda: len(re.findall(
            'hook member.subscribed .* connection refused',
            self.instance.log())) >= 3, what='three refused tries')
        self.receiver.start()
        self.wait_received(5)
        self.assertEqual(self.addresses(), self.numbered(0, 5))
        ids = [got.webhook_id for got in self.receiver.received]
        self.assertEqual(len(set(ids)), 5)
        self.instance.wait_until(lambda: self.instance.queued() == 0)

    def test_500_then_ok(self):
        self.receiver.answer = lambda number, got: 500 if number <= 2 else 204
        self.receiver.start()
        self.use_endpoint()
        self.subscribe(0, 3)
        self.instance.start_runner()
        self.wait_received(3)
        self.assertEqual(self.addresses(), self.numbered(0, 3))
        # The first event was tried three times, always with the same id.
        first = [got.webhook_id for got in self.receiver.attempts[:3]]
        self.assertEqual(len(set(first)), 1)
        self.assertEqual(len(self.receiver.attempts), 5)

    def test_429_retry_after_is_honoured(self):
        self.receiver.answer = lambda number, got: (
            (429, {'Retry-After': '2'}) if number == 1 else 204)
        self.receiver.start()
        self.use_endpoint()
        self.subscribe(0, 2)
        self.instance.start_runner()
        self.wait_received(2)
        first, second = self.receiver.attempts[:2]
        self.assertEqual(first.webhook_id, second.webhook_id)
        # first_retry is 200 ms here: only Retry-After explains the wait.
        self.assertGreaterEqual(second.at - first.at, 1.9)
        self.assertEqual(self.addresses(), self.numbered(0, 2))

    def test_410_is_dead_lettered_not_retried(self):
        gone = 'm00001@example.org'
        self.receiver.answer = lambda number, got: (
            410 if gone.encode() in got.body else 204)
        self.receiver.start()
        self.use_endpoint()
        self.subscribe(0, 3)
        self.instance.start_runner()
        self.wait_received(2)
        self.instance.wait_until(lambda: self.instance.queued() == 0)
        self.assertEqual(self.addresses(), self.numbered(0, 3)[::2])
        tries = [got for got in self.receiver.attempts if gone.encode()
                 in got.body]
        self.assertEqual(len(tries), 1)
        dead, = self.dead_letters()
        self.assertEqual((dead['endpoint'], dead['type'], dead['attempts'],
                          dead['last_error'], dead['body']['data']['address']),
                         ('hook', 'member.subscribed', 1, 'HTTP 410', gone))
        self.assertEqual(dead['webhook_id'], tries[0].webhook_id)
        listing = self.instance.mailman('rest-events', 'list').stdout
        self.assertIn('1 dead-lettered event(s); 0 waiting to be sent.',
                      listing)
        # Retried by hand, once the receiver takes it.
        self.receiver.answer = lambda number, got: 204
        result = self.instance.mailman('rest-events', 'retry', '--all')
        self.assertEqual(result.stdout, '1 event(s) queued again.\n')
        self.wait_received(3)
        self.assertEqual(self.receiver.received[-1].webhook_id,
                         dead['webhook_id'])
        self.assertEqual(self.dead_letters(), [])

    def test_gives_up_after_retry_for_then_purge(self):
        self.instance.delivery = FAST_GIVE_UP
        self.receiver.answer = lambda number, got: 503
        self.receiver.start()
        self.use_endpoint()
        # Retried for retry_for after it was queued: the runner is ready.
        self.instance.start_runner()
        self.instance.wait_until(
            lambda: 'runner started' in self.instance.log())
        self.subscribe(0, 2)
        self.instance.wait_until(
            lambda: self.instance.queued(dead=True) == 2, what='dead letters')
        letters = self.dead_letters()
        self.assertEqual([letter['last_error'] for letter in letters],
                         ['HTTP 503', 'HTTP 503'])
        self.assertGreater(letters[0]['attempts'], 1)
        usage = self.instance.mailman('rest-events', 'purge', check=False)
        self.assertEqual(usage.returncode, 1)
        self.assertIn('name the events by id', usage.stderr)
        result = self.instance.mailman('rest-events', 'purge',
                                       str(letters[0]['id']))
        self.assertEqual(result.stdout, '1 event(s) purged.\n')
        self.assertEqual([letter['id'] for letter in self.dead_letters()],
                         [letters[1]['id']])

    def test_removed_endpoint_events_are_dead_lettered(self):
        self.receiver.start()
        self.use_endpoint()
        self.subscribe(0, 2)
        self.instance.endpoints['hook'] = (
            self.receiver.url, self.secret, 'enabled: no\n')
        self.instance.write_events_cfg()
        self.instance.start_runner()
        self.instance.wait_until(lambda: self.instance.queued(dead=True) == 2)
        self.assertEqual([letter['last_error'] for letter in
                          self.dead_letters()],
                         ['endpoint not configured'] * 2)
        self.assertEqual(self.receiver.attempts, [])
        # `check` still shows them, and a retry of an unknown id says so.
        self.assertIn('NOTE  endpoint hook (disabled or no longer '
                      'configured): 0 queued, 2 dead; see mailman '
                      'rest-events list --endpoint hook',
                      self.instance.mailman('rest-events', 'check').stdout)
        result = self.instance.mailman('rest-events', 'retry', '999999',
                                       check=False)
        self.assertEqual((result.returncode, result.stdout), (1, ''))
        self.assertIn('no dead-lettered event with id 999999 (see mailman '
                      'rest-events list); nothing done', result.stderr)

    def test_timeout_and_a_slow_endpoint_holds_up_only_itself(self):
        hung = []

        def answer(number, got):
            if got.raw.startswith(b'POST /slow') and not hung:
                hung.append(got)
                return HANG
            return 204
        self.receiver.answer = answer
        self.receiver.start()
        self.instance.add_endpoint('slow', self.receiver.url.replace(
            '/hook', '/slow'), self.secret,
            'events: ^member\\.\ntimeout: 1500ms\n')
        self.use_endpoint()
        self.subscribe(0, 3)
        self.instance.start_runner()
        self.wait_received(6)
        by_path = {}
        for got in self.receiver.received:
            by_path.setdefault(got.raw.split()[1], []).append(got)
        self.assertEqual(len(by_path[b'/hook']), 3)
        self.assertEqual(len(by_path[b'/slow']), 3)
        # hook was done before slow's first answer timed out.
        self.assertLess(by_path[b'/hook'][-1].at, by_path[b'/slow'][0].at)
        self.assertIn('slow member.subscribed', self.instance.log())
        self.assertRegex(self.instance.log(),
                         r'slow member\.subscribed msg_\w+ timed out')


FAST_GIVE_UP = ('first_retry: 100ms\nmax_interval: 200ms\nretry_for: 2s\n'
                'poll_interval: 100ms\n')


class TestRestart(EventsTestCase):
    # The hung request must outlast the stop: on a loaded machine `mailman
    # stop` alone took more than the 5 s of the other tests, the request
    # timed out, and the retry delivered everything before the runner left.
    endpoint_options = 'events: ^member\\.\ntimeout: 300s\n'

    def check_interrupted_send(self, signum):
        hung = []
        self.receiver.answer = lambda number, got: (
            HANG if number == 1 else 204)
        self.receiver.start()
        self.use_endpoint()
        self.subscribe(0, 4)
        self.instance.start_runner()
        self.receiver.wait_for(lambda r: len(r.attempts) >= 1)
        hung.append(self.receiver.attempts[0].webhook_id)
        status = self.instance.stop_runner(signum)
        self.assertEqual(status, -signal.SIGKILL if signum == signal.SIGKILL
                         else signal.SIGTERM)
        self.receiver.release()
        self.instance.start_runner()
        self.wait_received(4)
        self.assertEqual(self.addresses(), self.numbered(0, 4))
        # The interrupted event came again with the same id; nothing else
        # twice, nothing missing, nothing shunted.
        self.assertEqual(self.receiver.received[0].webhook_id, hung[0])
        ids = [got.webhook_id for got in self.receiver.attempts]
        self.assertEqual(sorted(set(ids)), sorted(
            got.webhook_id for got in self.receiver.received))
        self.instance.wait_until(lambda: self.instance.queued() == 0)
        self.assertIn('rest-events runner started', self.instance.log())

    def test_killed_mid_send(self):
        self.check_interrupted_send(signal.SIGKILL)

    def test_sigterm_mid_send(self):
        # Mailman's SIGTERM handler raises in whatever the runner is doing.
        self.check_interrupted_send(signal.SIGTERM)
        self.assertIn('rest-events runner stopped', self.instance.log())


    def test_mailman_restarted_mid_send(self):
        # The whole of Mailman: `mailman stop` has the master SIGTERM its
        # runners, `mailman start` starts them again.
        self.instance = EventsInstance(self.root + '/master', delivery=FAST,
                                       runners=('rest-events',))
        self.receiver.answer = lambda number, got: (
            HANG if number == 1 else 204)
        self.receiver.start()
        self.use_endpoint()
        self.subscribe(0, 3)
        self.instance.start()
        self.addCleanup(self.instance.stop)
        self.receiver.wait_for(lambda r: len(r.attempts) >= 1)
        self.instance.stop()
        self.receiver.release()
        self.assertEqual(len(self.receiver.received), 0)
        self.instance.start()
        self.wait_received(3)
        self.assertEqual(self.addresses(), self.numbered(0, 3))
        self.assertEqual(self.receiver.received[0].webhook_id,
                         self.receiver.attempts[0].webhook_id)
        self.assertEqual(os.listdir(os.path.join(
            self.instance.var_dir, 'queue', 'shunt')), [])


class TestDrain(EventsTestCase):
    # Ten thousand events, from the cheapest real operation that makes one
    # (adding a domain: 10,000 subscriptions took 90 s of the suite).
    endpoint_options = 'events: ^domain\\.created$\ntimeout: 5s\n'

    def test_ten_thousand_queued_while_down(self):
        port = free_port()
        self.use_endpoint(port)
        self.instance.python(
            'from mailman_rest_events.testing.drive import add_domains\n'
            'add_domains(0, 10000)\n')
        self.assertEqual(self.instance.queued(), 10000)
        self.instance.start_runner()
        self.instance.wait_until(lambda: 'connection refused' in
                                 self.instance.log())
        self.receiver.start()
        self.wait_received(10000, timeout=900)
        self.assertEqual(
            [body['data']['mail_host'] for body in self.bodies()],
            ['d{:05d}.example.org'.format(n) for n in range(10000)])
        self.instance.wait_until(lambda: self.instance.queued() == 0)
