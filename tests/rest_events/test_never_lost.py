"""``message.accepted`` lives exactly as long as its post.

A fault trial lost one for good: `mailman stop` during a burst stopped the
pipeline runner after the outbox handler had taken the event out of the
post's metadata and before the runner committed.  Mailman shunted the post
(without the event), rolled the outbox rows back, and the post, unshunted
later, was delivered with no event.  Here the runner gets that SIGTERM at
exactly that point, in a process of a real instance.
"""

import os
import shutil
import tempfile
import unittest

from mailman_rest_events.testing.instance import EventsInstance
from mailman_rest_events.testing.receiver import new_secret


SETUP = '''
from mailman.app.lifecycle import create_list
from mailman.database.transaction import transaction
from mailman.interfaces.domain import IDomainManager
from mailman.interfaces.usermanager import IUserManager
from mailman.utilities.datetime import now
from zope.component import getUtility
with transaction():
    getUtility(IDomainManager).add('example.com')
    mlist = create_list('plain@example.com')
    address = getUtility(IUserManager).create_address('bob@example.org')
    address.verified_on = now()
    mlist.subscribe(address)
'''

# Bob's post through Mailman's own incoming runner: accepted, it reaches
# the pipeline queue with its event in the metadata.
POST = '''
from mailman.app.inject import inject_text
from mailman.config import config
from mailman.database.transaction import transaction
from mailman.interfaces.listmanager import IListManager
from mailman.runners.incoming import IncomingRunner
from mailman.testing.helpers import make_testable_runner
from zope.component import getUtility
with transaction():
    inject_text(getUtility(IListManager).get('plain@example.com'),
                'From: bob@example.org\\nTo: plain@example.com\\n'
                'Subject: Burst\\nMessage-ID: <burst@example.org>\\n\\n'
                'Hello.\\n')
make_testable_runner(IncomingRunner, 'in').run()
print(len(config.switchboards['pipeline'].files))
'''

# The pipeline runner, stopped by SIGTERM (Mailman's handler raises in
# whatever the runner does) right after the outbox handler ran.
STOPPED = '''
import os, signal
from mailman.config import config
from mailman.runners.pipeline import PipelineRunner
from mailman.testing.helpers import make_testable_runner
from mailman_rest_events.accept import OutboxHandler

class StopHere:
    name = 'stop-here'
    def process(self, mlist, msg, msgdata):
        os.kill(os.getpid(), signal.SIGTERM)

for pipeline in config.pipelines.values():
    handlers = pipeline._handlers
    if handlers and isinstance(handlers[0], OutboxHandler):
        handlers.insert(1, StopHere())
runner = make_testable_runner(PipelineRunner, 'pipeline')
runner.set_signals()
runner.run()
print(len(config.switchboards['shunt'].files))
'''

PIPELINE = '''
from mailman.config import config
from mailman.runners.pipeline import PipelineRunner
from mailman.testing.helpers import make_testable_runner
make_testable_runner(PipelineRunner, 'pipeline').run()
print(len(config.switchboards['out'].files))
'''


class TestStoppedMidPipeline(unittest.TestCase):
    def setUp(self):
        root = tempfile.mkdtemp(prefix='mm-events-lost-')
        self.addCleanup(shutil.rmtree, root, True)
        self.instance = EventsInstance(root, runners=())
        self.addCleanup(self.instance.cleanup)
        self.instance.add_endpoint('hook', 'http://127.0.0.1:9/',
                                   new_secret(),
                                   'events: ^message\\.accepted$')

    def test_event_survives_a_stop_between_handler_and_commit(self):
        instance = self.instance
        instance.python(SETUP)
        self.assertEqual(instance.python(POST).strip(), '1')
        self.assertEqual(instance.python(STOPPED).strip(), '1')
        self.assertIn('SHUNTING', instance.log('mailman'))
        self.assertEqual(instance.queued(), 0)      # rolled back with it
        instance.mailman('unshunt')
        self.assertEqual(os.listdir(os.path.join(
            instance.var_dir, 'queue', 'shunt')), [])
        self.assertEqual(instance.python(PIPELINE).strip(), '1')
        self.assertEqual(instance.queued(), 1)
