"""No plaintext of a PGP list's traffic stays on disk after it is handled.

Posts (one accepted, one held, one rejected) go through the real in,
pipeline, out and archive runners; then every file under Mailman's var
directory is searched for a marker that was only ever sent encrypted.
"""

import os

from mailman.config import config
from mailman.database.transaction import transaction
from mailman.interfaces.action import Action
from mailman.runners.archive import ArchiveRunner
from mailman.runners.outgoing import OutgoingRunner
from mailman.runners.pipeline import PipelineRunner
from mailman.testing.helpers import make_testable_runner
from mailman.testing.layers import SMTPLayer

from tests.runners.test_incoming import PGPListTestCase


BODY_MARKER = 'ZqXbody7316'
SUBJECT_MARKER = 'ZqXsubject9042'


class TestNothingInClearAtRest(PGPListTestCase):
    layer = SMTPLayer

    def test_var_directory_holds_no_plaintext(self):
        with transaction():
            self.mlist.admin_immed_notify = True
        body = 'Secret plans ' + BODY_MARKER
        self.post(self.encrypted(body=body, subject=SUBJECT_MARKER,
                                 protect_subject=True))
        self.set(unsigned_msg_action=Action.hold)
        self.post(self.encrypted(body=body, sign=False,
                                 subject=SUBJECT_MARKER,
                                 protect_subject=True))
        self.set(unsigned_msg_action=Action.reject)
        self.post(self.encrypted(body=body, sign=False,
                                 subject=SUBJECT_MARKER,
                                 protect_subject=True))
        # While the accepted post is on its way, its queue file is plain
        # (Mailman's pipeline needs the text): the scan sees that.
        self.assertIn(BODY_MARKER, [marker for _, marker in scan()])
        for runner, queue in ((PipelineRunner, 'pipeline'),
                              (OutgoingRunner, 'out'),
                              (ArchiveRunner, 'archive')):
            make_testable_runner(runner, queue).run()
        from mailman.runners.virgin import VirginRunner
        make_testable_runner(VirginRunner, 'virgin').run()
        make_testable_runner(OutgoingRunner, 'out').run()
        # The accepted post reached the member and the archive; the held
        # one waits; the rejected one went back to its sender.
        self.assertTrue(SMTPLayer.smtpd.messages)
        archived = [name for _, _, names in os.walk(os.path.join(
            config.ARCHIVE_DIR, 'pgp')) for name in names]
        self.assertTrue(archived)
        self.assertEqual(scan(), [])


def scan() -> list:
    """(path, marker) for every file under var/ holding a marker."""
    found = []
    for directory, _dirs, names in os.walk(config.VAR_DIR):
        for name in names:
            path = os.path.join(directory, name)
            with open(path, 'rb') as fp:
                data = fp.read()
            for marker in (BODY_MARKER, SUBJECT_MARKER):
                if marker.encode() in data:
                    found.append((path, marker))
    return found
