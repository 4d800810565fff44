"""pgp-mbox and pgp-maildir: encrypted, private, locked, read back with gpg."""

import mailbox
import os
import shutil
import stat
import subprocess
import tempfile
import threading
import unittest
from datetime import timedelta
from unittest.mock import patch
from email import message_from_bytes

from flufl.lock import Lock, TimeOutError
from mailman.app.lifecycle import create_list
from mailman.config import config
from mailman.database.transaction import transaction
from mailman.interfaces.mailinglist import IListArchiverSet
from mailman.runners.archive import ArchiveRunner
from mailman.testing.helpers import (
    make_testable_runner,
    specialized_message_from_string as mfs,
)
from mailman.testing.layers import ConfigLayer

from mailman_pgp.archivers import (
    ArchiveError,
    EncryptedArchiver,
    use_encrypted_archivers,
)
from mailman_pgp.archivers.local_maildir import LocalMaildirArchiver
from mailman_pgp.archivers.local_mbox import LocalMboxArchiver
from mailman_pgp.config import site_config
from mailman_pgp.keystore import key_store
from tests.rest.support import new_key, site_options

GPG = shutil.which('gpg') or '/usr/bin/gpg'
SECRET = 'The eagle lands at midnight'


def gpg_decrypt(private_armor: str, data: bytes) -> bytes:
    """Decrypt ``data`` with real gpg holding only ``private_armor``."""
    home = tempfile.mkdtemp(prefix='gpg-archive-')
    try:
        base = [GPG, '--homedir', home, '--batch', '--yes', '--no-tty',
                '--pinentry-mode', 'loopback', '--passphrase', '']
        subprocess.run(base + ['--import'], input=private_armor.encode(),
                       capture_output=True, check=True, timeout=60)
        result = subprocess.run(base + ['--decrypt'], input=data,
                                capture_output=True, timeout=60)
        if result.returncode != 0:
            raise AssertionError(result.stderr.decode('utf-8', 'replace'))
        return result.stdout
    finally:
        shutil.rmtree(home, ignore_errors=True)


def post(number=1):
    return mfs("""\
From: anne@example.com
To: ant@example.com
Subject: Secret plans {0}
Message-ID: <plans-{0}@example.com>
Date: Wed, 25 Nov 2026 10:00:00 +0000

{1} (part {0}).
""".format(number, SECRET))


def ciphertext(msg) -> bytes:
    assert msg.get_content_type() == 'multipart/encrypted', msg
    control, data = msg.get_payload()
    assert control.get_payload().strip() == 'Version: 1'
    return data.get_payload().encode('ascii')


def files_under(path):
    for root, _dirs, names in os.walk(path):
        for name in names:
            yield os.path.join(root, name)


class _ArchiverTest(unittest.TestCase):
    layer = ConfigLayer

    def setUp(self):
        with transaction():
            self.mlist = create_list('ant@example.com',
                                     style_name='pgp-default')
            self.plain = create_list('plain@example.com')
        self.list_key = key_store().list_key('ant.example.com')
        self.mbox_path = os.path.join(site_config().archiving.mailbox_dir,
                                      'ant@example.com')
        self.maildir_path = os.path.join(site_config().archiving.maildir_dir,
                                         'ant@example.com')
        for path in (site_config().archiving.mailbox_dir,
                     site_config().archiving.maildir_dir):
            # Empty at the start too: another module's test in the same
            # process (an xdist worker) may have archived to this list.
            shutil.rmtree(path, True)
            self.addCleanup(shutil.rmtree, path, True)

    def mbox_messages(self):
        return [message_from_bytes(mbox_msg.as_bytes())
                for mbox_msg in mailbox.mbox(self.mbox_path, create=False)]

    def maildir_messages(self):
        new = os.path.join(self.maildir_path, 'new')
        out = []
        for name in sorted(os.listdir(new)):
            with open(os.path.join(new, name), 'rb') as fp:
                out.append(message_from_bytes(fp.read()))
        return out

    def assert_private(self, path):
        mode = stat.S_IMODE(os.stat(path).st_mode)
        expected = 0o700 if os.path.isdir(path) else 0o600
        self.assertEqual(mode, expected, '{} is {:o}'.format(path, mode))

    def assert_no_clear_text(self, root):
        for path in files_under(root):
            with open(path, 'rb') as fp:
                data = fp.read()
            self.assertNotIn(SECRET.encode(), data, path)
            self.assertNotIn(b'Secret plans', data, path)


class TestMbox(_ArchiverTest):
    def test_archived_encrypted_and_read_back_with_gpg(self):
        LocalMboxArchiver().archive_message(self.mlist, post())
        LocalMboxArchiver().archive_message(self.mlist, post(2))
        self.assert_private(self.mbox_path)
        self.assert_private(os.path.dirname(self.mbox_path))
        self.assert_no_clear_text(os.path.dirname(self.mbox_path))
        first, second = self.mbox_messages()
        self.assertEqual(first['Message-ID'], '<plans-1@example.com>')
        self.assertEqual(first['Subject'], '[...]')
        self.assertEqual(first['From'], 'ant@example.com')
        clear = message_from_bytes(gpg_decrypt(self.list_key.armor(),
                                               ciphertext(second)))
        self.assertEqual(clear['Subject'], 'Secret plans 2')
        self.assertEqual(clear['From'], 'anne@example.com')
        self.assertIn(SECRET + ' (part 2).', clear.get_payload())

    def test_archive_keys_can_read_too(self):
        custodian = new_key(('Custodian', 'custodian@example.com'))
        path = os.path.join(key_store().archive_keydir, 'custodian.asc')
        with open(path, 'w') as fp:
            fp.write(custodian.public_armor())
        self.addCleanup(os.unlink, path)
        LocalMboxArchiver().archive_message(self.mlist, post())
        (stored,) = self.mbox_messages()
        for key in (custodian, self.list_key):
            clear = gpg_decrypt(key.armor(), ciphertext(stored))
            self.assertIn(SECRET.encode(), clear)

    def test_non_pgp_list_is_not_archived_here(self):
        LocalMboxArchiver().archive_message(self.plain, post())
        self.assertFalse(os.path.exists(os.path.join(
            site_config().archiving.mailbox_dir, 'plain@example.com')))

    def test_no_list_key_nothing_written(self):
        with site_options(keypairs__autogenerate='no'):
            with transaction():
                mlist = create_list('nokey@example.com',
                                    style_name='pgp-default')
            with self.assertRaisesRegex(ArchiveError, 'no list key yet'):
                LocalMboxArchiver().archive_message(mlist, post())
        self.assertFalse(os.path.exists(os.path.join(
            site_config().archiving.mailbox_dir, 'nokey@example.com')))

    def test_locked_against_other_runners(self):
        lock = Lock(os.path.join(config.LOCK_DIR,
                                 'ant@example.com-pgp-mbox.lock'))
        lock.lock()
        try:
            archiver = LocalMboxArchiver()
            archiver.lock_timeout = timedelta(seconds=0.2)
            with self.assertRaises(TimeOutError):
                archiver.archive_message(self.mlist, post())
            self.assertFalse(os.path.exists(self.mbox_path))
        finally:
            lock.unlock()
        LocalMboxArchiver().archive_message(self.mlist, post())
        self.assertEqual(len(self.mbox_messages()), 1)

    def test_concurrent_writers_lose_nothing(self):
        # Runners are processes with their own database sessions; threads
        # share this test's session, so they race on the locked write only.
        from mailman_pgp.archivers import encrypt_for_archive
        from mailman_pgp.model import PGPMailingList
        pgp_list = PGPMailingList.for_list(self.mlist)
        encrypted = {number: encrypt_for_archive(self.mlist, pgp_list,
                                                 post(number))
                     for number in (10, 11, 12, 20, 21, 22)}
        site = site_config()
        errors = []

        def archive(first):
            try:
                for number in range(first, first + 3):
                    LocalMboxArchiver().write(site, 'ant@example.com',
                                              encrypted[number])
            except Exception as error:   # noqa: BLE001
                errors.append(error)
        threads = [threading.Thread(target=archive, args=(n,))
                   for n in (10, 20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])
        ids = sorted(msg['Message-ID'] for msg in self.mbox_messages())
        self.assertEqual(ids, sorted('<plans-{}@example.com>'.format(n)
                                     for n in (10, 11, 12, 20, 21, 22)))


class TestMaildir(_ArchiverTest):
    def test_archived_encrypted_and_read_back_with_gpg(self):
        LocalMaildirArchiver().archive_message(self.mlist, post())
        LocalMaildirArchiver().archive_message(self.mlist, post(2))
        for path in [self.maildir_path, os.path.dirname(self.maildir_path),
                     *(os.path.join(self.maildir_path, sub)
                       for sub in ('tmp', 'new', 'cur')),
                     *files_under(self.maildir_path)]:
            self.assert_private(path)
        self.assertEqual(os.listdir(os.path.join(self.maildir_path, 'tmp')),
                         [])
        self.assert_no_clear_text(self.maildir_path)
        stored = self.maildir_messages()
        self.assertEqual(len(stored), 2)
        # Standard Maildir readers see both messages.
        self.assertEqual(len(mailbox.Maildir(self.maildir_path,
                                             create=False)), 2)
        texts = [gpg_decrypt(self.list_key.armor(), ciphertext(msg))
                 for msg in stored]
        self.assertEqual(sorted(message_from_bytes(t)['Subject']
                                for t in texts),
                         ['Secret plans 1', 'Secret plans 2'])

    def test_gpg_decrypts_a_maildir_file_as_is(self):
        # What docs/archives.rst tells the owner: gpg --decrypt < file.
        LocalMaildirArchiver().archive_message(self.mlist, post())
        new = os.path.join(self.maildir_path, 'new')
        (name,) = os.listdir(new)
        with open(os.path.join(new, name), 'rb') as fp:
            clear = gpg_decrypt(self.list_key.armor(), fp.read())
        self.assertEqual(message_from_bytes(clear)['Message-ID'],
                         '<plans-1@example.com>')
        self.assertIn(SECRET.encode(), clear)

    def test_non_pgp_list_is_not_archived_here(self):
        LocalMaildirArchiver().archive_message(self.plain, post())
        self.assertFalse(os.path.exists(os.path.join(
            site_config().archiving.maildir_dir, 'plain@example.com')))


class TestThroughArchiveRunner(_ArchiverTest):
    def test_pgp_list_archives_only_encrypted(self):
        with transaction():
            use_encrypted_archivers(self.mlist)
        states = {archiver.name: archiver.is_enabled
                  for archiver in IListArchiverSet(self.mlist).archivers}
        self.assertTrue(states.pop('pgp-mbox'))
        self.assertTrue(states.pop('pgp-maildir'))
        self.assertTrue(states)
        self.assertFalse(any(states.values()), states)
        runner = make_testable_runner(ArchiveRunner)
        config.switchboards['archive'].enqueue(
            post(), {}, listid=self.mlist.list_id)
        runner.run()
        (from_mbox,) = self.mbox_messages()
        (from_maildir,) = self.maildir_messages()
        for stored in (from_mbox, from_maildir):
            clear = gpg_decrypt(self.list_key.armor(), ciphertext(stored))
            self.assertIn(SECRET.encode(), clear)
        # Nothing in clear in any archive directory (MHonArc, prototype...).
        self.assert_no_clear_text(config.ARCHIVE_DIR)

    def test_works_inside_style_application(self):
        # The PGP styles call it from apply(), inside create_list().
        from mailman_pgp.styles.pgp import PGPDefaultStyle
        original = PGPDefaultStyle.apply

        def apply(style, mlist):
            original(style, mlist)
            use_encrypted_archivers(mlist)
        with patch.object(PGPDefaultStyle, 'apply', apply), transaction():
            mlist = create_list('bee@example.com', style_name='pgp-default')
        enabled = sorted(archiver.name
                         for archiver in IListArchiverSet(mlist).archivers
                         if archiver.is_enabled)
        self.assertEqual(enabled, ['pgp-maildir', 'pgp-mbox'])

    def test_stock_lists_keep_stock_archivers(self):
        states = {archiver.name: archiver.is_enabled
                  for archiver in IListArchiverSet(self.plain).archivers}
        self.assertTrue(states['mhonarc'])

    def test_archivers_are_stateless(self):
        names = {archiver.name: archiver for archiver in config.archivers}
        self.assertIsInstance(names['pgp-mbox'], LocalMboxArchiver)
        self.assertIsInstance(names['pgp-maildir'], LocalMaildirArchiver)
        self.assertTrue(names['pgp-mbox'].is_enabled)
        self.assertIsNone(names['pgp-mbox'].list_url(self.mlist))
        self.assertIsNone(names['pgp-maildir'].permalink(self.mlist, post()))
        self.assertTrue(issubclass(LocalMboxArchiver, EncryptedArchiver))
