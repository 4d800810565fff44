"""The PGP styles make a list a PGP list, from Python, CLI and REST."""

import os
import stat
import unittest

from mailman.app.lifecycle import create_list, remove_list
from mailman.config import config
from mailman.database.transaction import transaction
from mailman.interfaces.action import Action
from mailman.interfaces.member import MemberRole
from mailman.testing.layers import ConfigLayer

from mailman_pgp.keystore import key_store
from mailman_pgp.model import PGPMailingList
from mailman_pgp.model.list_settings import LIST_SETTINGS


class TestPGPStyles(unittest.TestCase):
    layer = ConfigLayer

    def test_pgp_default(self):
        with transaction():
            mlist = create_list('ant@example.com', style_name='pgp-default')
        self.assertEqual(mlist.posting_chain, 'pgp-posting-chain')
        self.assertEqual(mlist.posting_pipeline, 'pgp-posting-pipeline')
        pgp_list = PGPMailingList.for_list(mlist)
        self.assertIsNotNone(pgp_list)
        # Every setting has its documented default.
        for setting in LIST_SETTINGS:
            self.assertEqual(getattr(pgp_list, setting.name),
                             setting.default, setting.name)
        self.assertEqual(pgp_list.unsigned_msg_action, Action.reject)
        self.assertEqual(pgp_list.inline_pgp_action, Action.defer)
        self.assertEqual(pgp_list.key_signing_allowed,
                         {MemberRole.owner, MemberRole.moderator})
        key = key_store().list_key(mlist.list_id)
        self.assertTrue(key.is_private)
        self.assertEqual(key.uids, [
            ('Ant', 'ant@example.com'),
            ('Ant', 'ant-request@example.com')])
        usability = key.usability()
        self.assertTrue(usability.can_sign and usability.can_encrypt)
        if key_store().backend == 'database':
            return
        path = key_store().list_key_path(mlist.list_id)
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(
            os.path.dirname(path)).st_mode), 0o700)

    def test_pgp_announce(self):
        with transaction():
            mlist = create_list('news@example.com',
                                style_name='pgp-announce')
        self.assertEqual(mlist.posting_chain, 'pgp-posting-chain')
        self.assertIsNotNone(PGPMailingList.for_list(mlist))
        # The announce style's own choice is kept.
        self.assertEqual(mlist.default_nonmember_action, Action.hold)
        self.assertIsNotNone(key_store().list_key(mlist.list_id))

    def test_applying_twice_keeps_key_and_settings(self):
        with transaction():
            mlist = create_list('ant@example.com', style_name='pgp-default')
            PGPMailingList.for_list(mlist).sign_outgoing = True
        fingerprint = key_store().list_key(mlist.list_id).fingerprint
        from mailman.interfaces.styles import IStyleManager
        from zope.component import getUtility
        with transaction():
            getUtility(IStyleManager).get('pgp-default').apply(mlist)
        self.assertTrue(PGPMailingList.for_list(mlist).sign_outgoing)
        self.assertEqual(key_store().list_key(mlist.list_id).fingerprint,
                         fingerprint)

    def test_non_pgp_list_is_stock(self):
        with transaction():
            mlist = create_list('plain@example.com')
        self.assertEqual(mlist.posting_chain, 'default-posting-chain')
        self.assertEqual(mlist.posting_pipeline, 'default-posting-pipeline')
        self.assertIsNone(PGPMailingList.for_list(mlist))
        self.assertIsNone(key_store().list_key(mlist.list_id))

    def test_delete_list_shreds_key_and_row(self):
        with transaction():
            mlist = create_list('ant@example.com', style_name='pgp-default')
        self.assertIsNotNone(key_store().list_key(mlist.list_id))
        path = (key_store().list_key_path(mlist.list_id)
                if key_store().backend == 'file' else None)
        with transaction():
            remove_list(mlist)
        self.assertIsNone(key_store().list_key('ant.example.com'))
        if path is not None:
            self.assertFalse(os.path.exists(path))
        self.assertIsNone(PGPMailingList.for_list('ant.example.com'))

    def test_styles_listed(self):
        from mailman.interfaces.styles import IStyleManager
        from zope.component import getUtility
        names = {style.name for style in getUtility(IStyleManager).styles}
        self.assertLessEqual({'pgp-default', 'pgp-announce'}, names)
        self.assertIn('pgp-posting-chain', config.chains)
        self.assertIn('pgp-posting-pipeline', config.pipelines)
