"""rest-events.cfg: every problem named by file, section and option."""

import unittest

from importlib.resources import files

from mailman_rest_events.settings import (
    RESTEventsConfigError, Settings, parse_duration)


SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'


def parse(text):
    return Settings.parse(text, '/etc/mailman3/rest-events.cfg')


class TestSettings(unittest.TestCase):
    def test_shipped_file_is_valid_and_sends_nothing(self):
        text = files('mailman_rest_events.config').joinpath(
            'rest-events.cfg').read_text()
        settings = parse(text)
        self.assertEqual(settings.endpoints, ())
        self.assertEqual((settings.first_retry, settings.max_interval,
                          settings.retry_for), (5, 3600, 3 * 86400))
        # The commented example is valid once uncommented.
        example = '\n'.join(line[2:] for line in text.split(
            '[endpoint.chat]')[1].splitlines() if line.startswith('# ') and
            not line.startswith('# #'))
        settings = parse('[endpoint.chat]\n' + example)
        chat, = settings.endpoints
        self.assertTrue(chat.wants('member.subscribed', 'announce.example.org'))
        self.assertFalse(chat.wants('message.accepted', 'announce.example.org'))
        self.assertFalse(chat.wants('list.created', 'other.example.org'))
        self.assertFalse(chat.wants('list.created', None))

    def test_typo_in_an_alternative_is_named(self):
        # The whole pattern still matches list.created: each alternative
        # is checked on its own.
        with self.assertRaises(RESTEventsConfigError) as caught:
            parse('[endpoint.chat]\nurl: https://x.example.org/\n'
                  'secret: {}\nevents: ^(member\\.subscibed|list\\.created)$\n'
                  .format(SECRET))
        self.assertIn("[endpoint.chat] events: the alternative "
                      "'member\\\\.subscibed' of '^(member\\\\.subscibed|"
                      "list\\\\.created)$' matches no event type (a typo?)",
                      str(caught.exception))
        settings = parse('[endpoint.chat]\nurl: https://x.example.org/\n'
                         'secret: {}\nevents: ^(member|list)\\.(created|'
                         'subscribed)$\n'.format(SECRET))
        self.assertEqual(len(settings.endpoints), 1)

    def test_every_problem_is_named(self):
        with self.assertRaises(RESTEventsConfigError) as caught:
            parse('[delivery]\nfirst_retry: soon\nretry_for: 99d\n'
                  '[endpoint.chat]\nurl: ftp://x/?token=SECRETTOKEN\n'
                  'secret: whsec_c2hvcnQ=\nevents: ^(list\ntimeout: 0s\n'
                  'colour: blue\n'
                  '[endpoint.crm]\nevents: ^nothing\\.\n'
                  '[hooks]\n')
        problems = caught.exception.problems
        where = '/etc/mailman3/rest-events.cfg: '
        self.assertEqual(sorted(problems), sorted([
            where + "[delivery] first_retry: 'soon' is not a duration (e.g. "
            "500ms, 5s, 10m, 1h, 3d)",
            where + "[delivery] retry_for: '99d' is out of range (0s to "
            "2592000s)",
            where + '[endpoint.chat] colour: unknown option; known: url, '
            'secret, events, lists, timeout, enabled',
            where + '[endpoint.chat] url: not an http:// or https:// URL '
            'with a host name',
            where + '[endpoint.chat] secret: must hold 24 to 64 bytes (it '
            'holds 5)',
            where + "[endpoint.chat] events: '^(list' is not a regular "
            "expression: missing ), unterminated subpattern at position 1",
            where + "[endpoint.chat] timeout: '0s' is out of range (more "
            "than 0, at most 300s)",
            where + '[endpoint.crm] url: missing',
            where + '[endpoint.crm] secret: missing; make one with: python3 '
            '-c "import base64,os; print(\'whsec_\' + base64.b64encode('
            'os.urandom(32)).decode())"',
            where + "[endpoint.crm] events: '^nothing\\\\.' matches no event "
            "type; known: " + ', '.join(__import__(
                'mailman_rest_events.catalogue').catalogue.EVENT_TYPES),
            where + '[hooks]: unknown section; expected [delivery] or '
            '[endpoint.NAME]',
        ]))
        # Neither the URL (it may hold a token) nor a secret is repeated.
        text = str(caught.exception)
        self.assertNotIn('SECRETTOKEN', text)
        self.assertNotIn('c2hvcnQ', text)

    def test_secret_forms(self):
        for secret, problem in (
                ('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'must start with whsec_'),
                ('whsec_not base64!', 'is not whsec_ followed by base64')):
            with self.assertRaises(RESTEventsConfigError) as caught:
                parse('[endpoint.a]\nurl: http://h/\nsecret: ' + secret)
            self.assertIn('[endpoint.a] secret: ' + problem,
                          str(caught.exception))
        # Two secrets while one is rotated.
        two = parse('[endpoint.a]\nurl: http://h/\nsecret: {} {}'.format(
            SECRET, SECRET))
        self.assertEqual(len(two.endpoints[0].secrets), 2)

    def test_durations_and_disabled_endpoint(self):
        self.assertEqual(parse_duration('500ms'), 0.5)
        self.assertEqual(parse_duration('3d'), 259200)
        self.assertEqual(parse_duration('7'), 7)
        settings = parse('[endpoint.a]\nurl: https://h/x\nsecret: {}\n'
                         'enabled: no\n'.format(SECRET))
        self.assertEqual(settings.endpoints, ())
