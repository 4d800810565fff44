"""A PGP list's posts never reach a cleartext store.

An owner turning an archiver (HyperKitty, prototype...) or digests back on
over Core's REST API (as Postorius does) gets a 400; one enabled anyway
(database change, archiver enabled site-wide later) archives nothing.
"""

import os
import unittest

from mailman.app.lifecycle import create_list
from mailman.config import config
from mailman.database.transaction import transaction
from mailman.interfaces.mailinglist import IListArchiverSet
from mailman.runners.archive import ArchiveRunner
from mailman.testing.helpers import make_testable_runner, \
    specialized_message_from_string as mfs
from mailman.testing.layers import ConfigLayer

from tests.archivers.test_archivers import files_under
from tests.rest.support import core

POST = """\
From: anne@example.com
To: ant@example.com
Subject: Secret
Message-ID: <secret@example.com>

Decrypted secret text 8123
"""


class TestNoClearStore(unittest.TestCase):
    layer = ConfigLayer

    def setUp(self):
        with transaction():
            self.mlist = create_list('ant@example.com',
                                     style_name='pgp-default')
            self.plain = create_list('plain@example.com')
        self.clear_archivers = [
            a.name for a in config.archivers
            if a.is_enabled and not a.name.startswith('pgp-')]
        self.assertTrue(self.clear_archivers)      # prototype, in tests

    def test_rest_refuses_a_cleartext_archiver(self):
        name = self.clear_archivers[0]
        result = core('PATCH', 'lists/ant.example.com/archivers',
                      {name: 'true'})
        self.assertEqual(result.status_code, 400)
        self.assertIn('would store the posts of this PGP list in clear',
                      result.json['description'])
        shown = core('GET', 'lists/ant.example.com/archivers').json
        self.assertFalse(shown[name])
        self.assertTrue(shown['pgp-mbox'])

    def test_rest_still_switches_encrypted_archivers(self):
        result = core('PATCH', 'lists/ant.example.com/archivers',
                      {'pgp-maildir': 'false'})
        self.assertEqual(result.status_code, 204)
        shown = core('GET', 'lists/ant.example.com/archivers').json
        self.assertFalse(shown['pgp-maildir'])

    def test_plain_lists_unchanged(self):
        name = self.clear_archivers[0]
        result = core('PATCH', 'lists/plain.example.com/archivers',
                      {name: 'true'})
        self.assertEqual(result.status_code, 204)
        result = core('PATCH', 'lists/plain.example.com/config',
                      {'digests_enabled': 'true'})
        self.assertEqual(result.status_code, 204)

    def test_rest_refuses_digests(self):
        result = core('PATCH', 'lists/ant.example.com/config',
                      {'digests_enabled': 'true'})
        self.assertEqual(result.status_code, 400)
        self.assertIn('Digests would collect the posts of this PGP list',
                      result.json['description'])
        shown = core('GET', 'lists/ant.example.com/config/digests_enabled')
        self.assertIs(shown.json['digests_enabled'], False)

    def test_archiver_enabled_in_the_database_archives_nothing(self):
        # As a site admin enabling an archiver site-wide (or an UPDATE)
        # would leave it: the archive runner skips it, with a log line.
        # (Imported here: importing Mailman's models while the tests are
        # collected upsets tests/database's schema comparison.)
        from mailman.model.mailinglist import ListArchiver
        with transaction():
            for row in config.db.store.query(ListArchiver).filter(
                    ListArchiver.mailing_list == self.mlist):
                row._is_enabled = True
        self.assertFalse(any(
            a.is_enabled for a in IListArchiverSet(self.mlist).archivers
            if not a.name.startswith('pgp-')))
        config.switchboards['archive'].enqueue(
            mfs(POST), listid=self.mlist.list_id)
        make_testable_runner(ArchiveRunner, 'archive').run()
        for path in files_under(config.ARCHIVE_DIR):
            with open(path, 'rb') as fp:
                self.assertNotIn(b'Decrypted secret text 8123', fp.read(),
                                 path)

    def test_digests_enabled_in_the_database_collect_nothing(self):
        from mailman_pgp.pipelines.posting import PGPPostingPipeline
        self.assertNotIn('to-digest', PGPPostingPipeline._default_handlers)
        with transaction():
            config.db.store.execute(
                __import__('sqlalchemy').text(
                    'UPDATE mailinglist SET digests_enabled = :on '
                    'WHERE list_id = :id'), dict(on=True, id=self.mlist.list_id))
        from mailman.interfaces.listmanager import IListManager
        from zope.component import getUtility
        mlist = getUtility(IListManager).get_by_list_id(self.mlist.list_id)
        config.db.store.refresh(mlist)
        self.assertTrue(mlist.digests_enabled)
        config.handlers['pgp-no-digest'].process(mlist, mfs(POST), {})
        mbox = os.path.join(mlist.data_path, 'digest.mmdf')
        self.assertFalse(os.path.exists(mbox))
