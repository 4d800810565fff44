"""PUT lists/<id>/pubkey: members' certifications made with real gpg."""

import shutil
import subprocess
import tempfile
import unittest

from mailman.app.lifecycle import create_list
from mailman.database.transaction import transaction
from mailman.interfaces.member import MemberRole
from mailman.interfaces.usermanager import IUserManager
from mailman.testing.layers import ConfigLayer
from zope.component import getUtility

from mailman_pgp.keystore import key_store
from mailman_pgp.model import PGPAddress
from tests.rest.support import LINK, call, description, new_key

GPG = shutil.which('gpg') or '/usr/bin/gpg'


def certify(list_public: str, signer) -> str:
    """The list key certified by ``signer`` with gpg, exported armored."""
    home = tempfile.mkdtemp(prefix='gpg-certify-')
    try:
        base = [GPG, '--homedir', home, '--batch', '--yes', '--no-tty',
                '--pinentry-mode', 'loopback', '--passphrase', '']
        for armor in (signer.armor(), list_public):
            subprocess.run(base + ['--import'], input=armor.encode(),
                           capture_output=True, check=True, timeout=60)
        fingerprint = subprocess.run(
            base + ['--with-colons', '--import-options', 'show-only',
                    '--import'], input=list_public.encode(),
            capture_output=True, check=True, timeout=60).stdout.decode()
        fingerprint = [line.split(':')[9] for line in fingerprint.splitlines()
                       if line.startswith('fpr:')][0]
        subprocess.run(base + ['--local-user', signer.fingerprint,
                               '--quick-sign-key', fingerprint],
                       capture_output=True, check=True, timeout=60)
        return subprocess.run(base + ['--armor', '--export', fingerprint],
                              capture_output=True, check=True,
                              timeout=60).stdout.decode()
    finally:
        shutil.rmtree(home, ignore_errors=True)


class TestCertifications(unittest.TestCase):
    layer = ConfigLayer

    def setUp(self):
        self.keys = {}
        with transaction():
            self.mlist = create_list('ant@example.com',
                                     style_name='pgp-default')
            for name, role, confirmed in (('anne', MemberRole.owner, True),
                                          ('bart', MemberRole.member, True),
                                          ('cris', MemberRole.owner, False)):
                email = name + '@example.com'
                key = new_key((name.title(), email))
                self.keys[name] = key
                address = getUtility(IUserManager).create_address(email)
                address.verified_on = address.registered_on
                self.mlist.subscribe(address, role)
                record = PGPAddress.get_or_create(email)
                record.key_fingerprint = key.fingerprint
                record.key_confirmed = confirmed
                key_store().set_address_key(email, key)
                self.addCleanup(key_store().delete_address_key, email)
        self.list_key = key_store().list_key('ant.example.com')

    def test_owner_certification_merged(self):
        signed = certify(self.list_key.public_armor(), self.keys['anne'])
        result = call('PUT', 'lists/ant.example.com/pubkey',
                      json={'public_key': signed})
        self.assertEqual(result.status_code, 200, result.text)
        self.assertEqual(result.json['merged'], [{
            'email': 'anne@example.com',
            'key_fingerprint': self.keys['anne'].fingerprint}])
        self.assertEqual(result.json['refused'], [])
        self.assertEqual(result.json['self_link'],
                         LINK + 'lists/ant.example.com/pubkey')
        stored = key_store().list_key('ant.example.com')
        self.assertTrue(stored.is_private)
        self.assertEqual(stored.fingerprint, self.list_key.fingerprint)
        self.assertNotEqual(stored.public_armor(),
                            self.list_key.public_armor())
        # The key shows who certified it (the web UI's list page).
        shown = call('GET', 'lists/ant.example.com/pubkey').json
        self.assertEqual([(c['email'], c['key_fingerprint'])
                          for c in shown['certifications']],
                         [('anne@example.com', self.keys['anne'].fingerprint)])
        # Sending it again brings nothing new.
        result = call('PUT', 'lists/ant.example.com/pubkey',
                      json={'public_key': signed})
        self.assertEqual(result.status_code, 400)
        self.assertIn('no new certification', description(result))

    def test_member_not_allowed_to_certify(self):
        signed = certify(self.list_key.public_armor(), self.keys['bart'])
        result = call('PUT', 'lists/ant.example.com/pubkey',
                      json={'public_key': signed})
        self.assertEqual(result.status_code, 400)
        self.assertEqual(
            description(result),
            'no new certification by a member of the rosters allowed to '
            'sign the list key (moderator, owner) with a confirmed key; '
            'other certifications are not merged')
        self.assertEqual(key_store().list_key('ant.example.com').armor(),
                         self.list_key.armor())
        # Once the owner allows members, the same upload is merged.
        result = call('PATCH', 'lists/ant.example.com', json={
            'key_signing_allowed': ['owner', 'member']})
        self.assertEqual(result.status_code, 204)
        result = call('PUT', 'lists/ant.example.com/pubkey',
                      json={'public_key': signed})
        self.assertEqual(result.status_code, 200, result.text)
        self.assertEqual([item['email'] for item in result.json['merged']],
                         ['bart@example.com'])

    def test_unconfirmed_key_not_merged(self):
        signed = certify(self.list_key.public_armor(), self.keys['cris'])
        result = call('PUT', 'lists/ant.example.com/pubkey',
                      json={'public_key': signed})
        self.assertEqual(result.status_code, 400)
        self.assertIn('with a confirmed key', description(result))
