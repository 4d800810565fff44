"""The wire format, checked with the Standard Webhooks reference library."""

import json
import unittest

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from mailman_rest_events.sender import Sender, classify, next_delay
from mailman_rest_events.settings import Settings
from mailman_rest_events.testing.receiver import Receiver, new_secret


def endpoint(url, *secrets):
    text = '[endpoint.e]\nurl: {}\nsecret: {}\ntimeout: 5s\n'.format(
        url, ' '.join(secrets))
    return Settings.parse(text, 'test.cfg').endpoints[0]


class TestWire(unittest.TestCase):
    def setUp(self):
        self.receiver = Receiver().start()
        self.addCleanup(self.receiver.stop)

    def test_signature_verifies_and_wrong_secret_fails(self):
        old, new = new_secret(), new_secret()
        sender = Sender(endpoint(self.receiver.url, old, new))
        self.addCleanup(sender.close)
        body = json.dumps({'type': 'list.created', 'timestamp':
                           '2026-12-03T07:00:00.000Z',
                           'data': {'list_id': 'ant.example.com'}})
        for number in range(2):     # the second one on the kept connection
            self.assertTrue(sender.send('msg_{}'.format(number), body).ok)
        self.assertEqual(len(self.receiver.received), 2)
        got = self.receiver.received[0]
        self.assertEqual(got.headers['webhook-id'], 'msg_0')
        self.assertEqual(got.headers['content-type'], 'application/json')
        # Either secret verifies (rotation); another one does not.
        for secret in (old, new):
            self.assertEqual(Webhook(secret).verify(got.body, got.headers),
                             json.loads(body))
        with self.assertRaises(WebhookVerificationError):
            Webhook(new_secret()).verify(got.body, got.headers)
        # Nor does a body changed on the way.
        with self.assertRaises(WebhookVerificationError):
            Webhook(old).verify(got.body.replace(b'ant', b'bee'), got.headers)

    def test_answers(self):
        self.assertTrue(classify(204).ok)
        for status in (400, 401, 404, 410, 413):
            self.assertTrue(classify(status).permanent, status)
        for status in (408, 429, 500, 502, 503):
            self.assertFalse(classify(status).permanent, status)
        self.assertEqual(classify(429, '7').retry_after, 7)
        self.assertIsNone(classify(500, '7').retry_after)

    def test_backoff(self):
        settings = Settings()      # the defaults: 5s first, 1h cap
        failure = classify(500)
        first = [next_delay(settings, 1, failure) for _ in range(200)]
        self.assertTrue(all(2.5 <= delay <= 5 for delay in first))
        self.assertGreater(len(set(first)), 100)        # jittered
        self.assertTrue(all(5 <= next_delay(settings, 2, failure) <= 10
                            for _ in range(50)))
        self.assertTrue(all(1800 <= next_delay(settings, 30, failure) <= 3600
                            for _ in range(50)))
        self.assertGreaterEqual(next_delay(settings, 1, classify(429, '60')),
                                60)
        self.assertEqual(next_delay(settings, 1, classify(429, '99999')),
                         3600)

    def test_unreachable_endpoint(self):
        self.receiver.stop()
        sender = Sender(endpoint(self.receiver.url, new_secret()))
        outcome = sender.send('msg_x', '{}')
        self.assertFalse(outcome.ok)
        self.assertEqual(outcome.summary, 'connection refused')
