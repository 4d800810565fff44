"""An instance with one endpoint, and what its receiver got."""

import json
import shutil
import signal
import tempfile
import unittest

from standardwebhooks.webhooks import Webhook

from mailman_rest_events.testing.instance import EventsInstance
from mailman_rest_events.testing.receiver import Receiver, new_secret


# Small timings so that retries happen within a test.
FAST = ('first_retry: 200ms\nmax_interval: 5s\nretry_for: 1h\n'
        'poll_interval: 100ms\n')


class EventsTestCase(unittest.TestCase):
    delivery = FAST
    endpoint_options = 'events: ^member\\.\ntimeout: 5s\n'

    def setUp(self):
        self.root = tempfile.mkdtemp(prefix='mm-events-')
        self.addCleanup(shutil.rmtree, self.root, True)
        self.receiver = Receiver()
        self.addCleanup(self.receiver.stop)
        self.addCleanup(self.receiver.release)
        self.secret = new_secret()
        self.instance = EventsInstance(self.root, delivery=self.delivery)
        self.addCleanup(self.instance.cleanup)

    def use_endpoint(self, port: int | None = None) -> None:
        if port is not None:            # not listening yet
            self.receiver.port = port
        self.instance.add_endpoint('hook', self.receiver.url, self.secret,
                                   self.endpoint_options)

    def subscribe(self, first: int, count: int,
                  fqdn: str = 'ant@example.com') -> None:
        self.instance.python(
            'from mailman_rest_events.testing.drive import subscribe_many\n'
            'subscribe_many({!r}, {}, {})\n'.format(fqdn, first, count))

    def bodies(self, received=None) -> list[dict]:
        """Every body received, each checked with the endpoint's secret."""
        webhook = Webhook(self.secret)
        return [webhook.verify(got.body, got.headers)
                for got in (self.receiver.received if received is None
                            else received)]

    def addresses(self) -> list[str]:
        return [body['data']['address'] for body in self.bodies()]

    def wait_received(self, count: int, timeout: float = 120) -> None:
        self.receiver.wait_for(lambda r: len(r.received) >= count, timeout,
                               '{} deliveries'.format(count))

    def kill_runner(self, signum=signal.SIGKILL) -> None:
        self.instance.stop_runner(signum)

    @staticmethod
    def numbered(first: int, count: int) -> list[str]:
        return ['m{:05d}@example.org'.format(n)
                for n in range(first, first + count)]

    def dead_letters(self) -> list[dict]:
        out = self.instance.mailman('rest-events', 'list', '--json').stdout
        return [json.loads(line) for line in out.splitlines()]
