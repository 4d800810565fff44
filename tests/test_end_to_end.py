"""The whole exchange against real `mailman start` runners, LMTP in, SMTP out.

Three GnuPG subscribers (one RSA, two Curve25519) subscribe by email alone;
one posts; the other two read the post with gpg and check the list's
signature; an unsigned post and a replay are refused with their reasons.
"""

import os
import shutil
import tempfile
import unittest

from mailman_pgp.testing.exchange import Exchange, new_subscriber, run_story


class TestEndToEnd(unittest.TestCase):
    def test_exchange(self):
        root = tempfile.mkdtemp(prefix='mailman-pgp-e2e-')
        transcript = []
        exchange = Exchange(root, say=lambda who, text: transcript.append(
            (who, text)))
        people = [new_subscriber('anne@example.org', 'rsa2048'),
                  new_subscriber('bart@example.org', 'cv25519'),
                  new_subscriber('cris@example.org', 'cv25519')]
        exchange.start()
        try:
            outcome = run_story(exchange, people)
        except BaseException:
            print('\n'.join('{:>20}  {}'.format(*line)
                            for line in transcript))
            print(exchange.instance.log()[-5000:])
            raise
        finally:
            exchange.stop()
            with open(os.path.join(root, 'start.log')) as fp:
                start_output = fp.read()
            for person in people:
                person.close()
            shutil.rmtree(root, ignore_errors=True)
        readers = outcome['readers']
        self.assertEqual(sorted(readers), ['bart@example.org',
                                           'cris@example.org'])
        for email, seen in readers.items():
            self.assertTrue(seen['readable'], email)
            self.assertEqual(seen['signer'], outcome['fingerprint'])
            # Individual delivery: each copy names its reader's key only.
            self.assertEqual(len(seen['recipients']), 1)
            self.assertEqual(seen['outer'], '[...]')
        self.assertIn('The message is not signed', outcome['unsigned'])
        self.assertIn('posted before (a replay)', outcome['replay'])
        # What `mailman start` printed: no warning (falcon 4 on Python 3.13
        # warns about Mailman's REST set-up unless the plugin mends it).
        self.assertNotIn('Warning', start_output)
        self.assertNotIn('Traceback', start_output)
