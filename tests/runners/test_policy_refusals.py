"""Signatures the key and signature policy refuses, through the real
incoming runner: the reply and plugins.log name the check and the key."""

import os
from datetime import datetime, timedelta

from mailman.database.transaction import transaction
from mailman.interfaces.action import Action

from mailman_pgp.pgp._keyparse import UTC
from mailman_pgp.testing.gpg import Subscriber
from mailman_pgp.testing.members import add_pgp_member
from tests.runners.test_incoming import PGPListTestCase


class TestPolicyRefusals(PGPListTestCase):

    def member(self, email, **kws):
        who = Subscriber(email, **kws)
        self.addCleanup(who.close)
        who.import_key(self.list_key.public_armor())
        with transaction():
            add_pgp_member(self.mlist, who)
        return who

    def test_sha1_signature(self):
        bob = self.member('bob@example.com', algorithm='rsa2048')
        with open(os.path.join(bob.home, 'gpg.conf'), 'a') as fp:
            fp.write('digest-algo SHA1\nallow-weak-digest-algos\n')
        with self.assertLogs('mailman.plugins.pgp', 'INFO') as logs:
            self.post(self.encrypted(who=bob))
        self.assertRejected('uses SHA1', bob.fingerprint)
        self.assertTrue(any('invalid:' + bob.fingerprint in line
                            and 'uses SHA1' in line for line in logs.output),
                        logs.output)

    def test_signature_from_the_future(self):
        carol = self.member('carol@example.com')
        later = datetime.now(UTC) + timedelta(days=2)
        carol.faked_time = later.strftime('%Y%m%dT%H%M%S')
        self.set(invalid_sig_action=Action.hold)
        self.post(self.encrypted(who=carol))
        self.assertHeld('dated in the future', carol.fingerprint)
