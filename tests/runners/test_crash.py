"""After a crash, Mailman restores queue files: nothing lost, nothing doubled,
and the poster is not told their own post was a replay."""

import os

from mailman.config import config
from mailman.testing.helpers import get_queue_messages, make_testable_runner

from mailman_pgp.runners.incoming import PGPIncomingRunner
from mailman_pgp.testing.conversation import enqueue
from tests.runners.test_incoming import PGPListTestCase


class TestCrashRecovery(PGPListTestCase):
    def enqueue(self, raw):
        return enqueue(self.mlist, raw, to_list=True)

    def test_restored_queue_file_is_not_a_replay(self):
        switchboard = config.switchboards['in']
        filebase = self.enqueue(self.encrypted())
        queued = os.path.join(switchboard.queue_directory, filebase)
        with open(queued + '.pck', 'rb') as fp:
            content = fp.read()
        make_testable_runner(PGPIncomingRunner, 'in').run()
        self.assertAccepted()
        # A crash after the commit but before the queue file was removed
        # leaves it as .bak; on restart Mailman takes it up again.
        with open(queued + '.bak', 'wb') as fp:
            fp.write(content)
        switchboard.recover_backup_files()
        self.assertEqual(switchboard.files, [filebase])
        make_testable_runner(PGPIncomingRunner, 'in').run()
        # Not delivered twice, and no replay rejection for the poster.
        get_queue_messages('pipeline', expected_count=0)
        get_queue_messages('virgin', expected_count=0)
        get_queue_messages('in', expected_count=0)

    def test_a_new_copy_is_still_a_replay(self):
        raw = self.encrypted()
        self.post(raw)
        self.assertAccepted()
        self.post(raw)
        self.assertRejected('posted before (a replay)')
