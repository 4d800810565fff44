"""A real Mailman instance with the documented wiring, driven by its CLI."""

import os
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
import unittest

from importlib.resources import files

from mailman_pgp.testing.instance import MailmanInstance


class TestInstance(unittest.TestCase):
    def setUp(self):
        self.instance = MailmanInstance(tempfile.mkdtemp(prefix='mm-'))

    def test_check_create_and_stock_list(self):
        result = self.instance.mailman('pgp', 'check')
        self.assertIn('OK    mailman.cfg wiring is complete', result.stdout)
        result = self.instance.mailman(
            'create', '--style-name', 'pgp-default', 'x@example.com')
        self.assertIn('Created mailing list: x@example.com', result.stdout)
        self.instance.mailman('create', 'plain@example.com')
        keydir = os.path.join(self.instance.var_dir, 'data', 'pgp',
                              'list_keydir')
        key_file = os.path.join(keydir, 'x.example.com.asc')
        self.assertEqual(stat.S_IMODE(os.stat(key_file).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(keydir).st_mode), 0o700)
        self.assertEqual(os.listdir(keydir), ['x.example.com.asc'])
        with sqlite3.connect(self.instance.database_path) as db:
            rows = db.execute(
                'SELECT list_id, unsigned_msg_action, inline_pgp_action, '
                'encrypt_outgoing, sign_outgoing, key_change_workflow, '
                'key_signing_allowed FROM pgp_mailinglist').fetchall()
            chains = dict(db.execute(
                'SELECT list_id, posting_chain FROM mailinglist'))
        # Action.reject == 1, Action.defer == 4 (Mailman's enum values).
        self.assertEqual(rows, [('x.example.com', 1, 4, 1, 0,
                                 'pgp-key-change-mod-workflow',
                                 'moderator,owner')])
        self.assertEqual(chains, {'x.example.com': 'pgp-posting-chain',
                                  'plain.example.com': 'default-posting-chain'})
        # The check also passes with a list in place, and reports key modes.
        os.chmod(key_file, 0o644)
        result = self.instance.mailman('pgp', 'check', check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn('x.example.com.asc (a list private key) has mode 644',
                      result.stdout)

    def test_runner_footprint(self):
        """A process of the instance imports neither PGPy, cryptography nor
        the REST stack, and still does not when it signs and encrypts as
        the outgoing runner does, Autocrypt header included (PGPy and
        cryptography are for the runners that use them)."""
        self.instance.mailman('create', '--style-name', 'pgp-default',
                              'x@example.com')
        member = os.path.join(self.instance.root, 'member.asc')
        with open(member, 'w') as fp:      # a Cv25519 key, as a member's
            fp.write(self.instance.mailman(
                'pgp', 'export-key', 'x@example.com').stdout)
        heavy = ('pgpy', 'falcon', 'cryptography')
        script = (
            'import sys\n'
            'from mailman.core.initialize import initialize\n'
            f'initialize({self.instance.cfg_path!r})\n'
            f'print([m for m in {heavy!r} if m in sys.modules])\n'
            'from mailman_pgp.keystore import key_store\n'
            'from mailman_pgp.pgp import encrypt_each, load_keys\n'
            'lst = key_store().list_key("x.example.com")\n'
            f'[member] = load_keys(open({member!r}).read())\n'
            'encrypt_each(b"post", [[member]], sign_with=lst)\n'
            'from mailman_pgp.pgp import autocrypt_header\n'
            'assert autocrypt_header(lst, "x-request@example.com")\n'
            f'print([m for m in {heavy!r} if m in sys.modules])\n')
        env = {k: v for k, v in os.environ.items()
               if not k.startswith('MAILMAN_')}
        out = subprocess.run([sys.executable, '-c', script], env=env,
                             capture_output=True, text=True, check=True)
        self.assertEqual(out.stdout.splitlines(), ['[]', '[]'])

    def test_idle_runner_loads_no_crypto(self):
        """What every runner process pays: Mailman loads the plugin's
        components (rules, chains, handlers, commands...) in each, and
        checks the wiring and the schema; none of that loads cryptography,
        the OpenPGP code, the delivery agents, the mapped tables, the key
        command's work or ``mailman pgp``, which only the processes that
        use them import, when they first do."""
        self.instance.mailman('create', '--style-name', 'pgp-default',
                              'x@example.com')
        script = (
            'import sys\n'
            'from mailman.core.initialize import initialize\n'
            f'initialize({self.instance.cfg_path!r})\n'
            'import mailman.runners.bounce\n'
            # What the outgoing runner resolves when it starts.
            'from mailman.utilities.modules import find_name\n'
            'from mailman.config import config\n'
            'find_name(config.mta.outgoing)\n'
            'print(sorted(m for m in sys.modules if m == "cryptography" or '
            'm.startswith(("mailman_pgp.pgp.", "mailman_pgp.mta.", '
            '"mailman_pgp.runners.", "mailman_pgp.model.", '
            '"mailman_pgp.cli", "mailman_pgp.keycmd")) and m not in '
            '("mailman_pgp.pgp.spec", "mailman_pgp.mta.deliver")))\n')
        env = {k: v for k, v in os.environ.items()
               if not k.startswith('MAILMAN_')}
        out = subprocess.run([sys.executable, '-c', script], env=env,
                             capture_output=True, text=True, check=True)
        # PGPy's lazy proxies (PGPy itself is not imported), the armor
        # reader (the facade binds its name), its checksum and the errors
        # it raises.
        self.assertEqual(out.stdout.splitlines(), [str([
            'mailman_pgp.pgp._crc', 'mailman_pgp.pgp._quiet',
            'mailman_pgp.pgp.armor', 'mailman_pgp.pgp.errors'])])

    def test_check_names_missing_wiring(self):
        wiring = files('mailman_pgp.config').joinpath('mailman.cfg')
        text = wiring.read_text().replace(
            'outgoing: mailman_pgp.mta.deliver.deliver', '')
        instance = MailmanInstance(tempfile.mkdtemp(prefix='mm-'),
                                   wiring=text)
        result = instance.mailman('pgp', 'check', check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn('[mta] outgoing: is '
                      "'mailman.mta.deliver.deliver'; set it to "
                      'mailman_pgp.mta.deliver.deliver', result.stdout)
        self.assertIn('1 problem(s) found.', result.stdout)
        # The same report reaches plugins.log at start-up.
        self.assertIn('mailman.cfg: [mta] outgoing', instance.log())

    def test_loose_key_directory_reported_before_it_is_closed(self):
        self.instance.mailman('create', '--style-name', 'pgp-default',
                              'x@example.com')
        pgp_dir = os.path.join(self.instance.var_dir, 'data', 'pgp')
        keydir = os.path.join(pgp_dir, 'list_keydir')
        self.assertEqual(stat.S_IMODE(os.stat(pgp_dir).st_mode), 0o700)
        os.chmod(keydir, 0o755)
        result = self.instance.mailman('pgp', 'check', check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn('FAIL  {} had mode 755: other users could read the '
                      'keys in it (now 700). Whoever could may have copied '
                      'them: rotate the list keys kept there (mailman pgp '
                      'rotate-key LIST)'.format(keydir), result.stdout)
        self.assertEqual(stat.S_IMODE(os.stat(keydir).st_mode), 0o700)
        self.assertIn('key directory: {} had mode 755'.format(keydir),
                      self.instance.log())
        # Closed now: the next check passes.
        self.instance.mailman('pgp', 'check')

    def test_optional_archivers_are_notes(self):
        """A site without the encrypted archivers is complete: two NOTE
        lines, exit 0; an enabled one with a wrong class is a problem."""
        wiring = files('mailman_pgp.config').joinpath('mailman.cfg')
        text = wiring.read_text().split('[archiver.pgp-mbox]')[0]
        instance = MailmanInstance(tempfile.mkdtemp(prefix='mm-'),
                                   wiring=text)
        result = instance.mailman('pgp', 'check')
        self.assertNotIn('FAIL', result.stdout)
        self.assertIn('NOTE  [archiver.pgp-mbox] is not enabled: the '
                      'encrypted mbox archiver is not offered (optional',
                      result.stdout)
        self.assertIn('NOTE  [archiver.pgp-maildir] is not enabled',
                      result.stdout)
        self.assertIn('OK    mailman.cfg wiring is complete', result.stdout)
        self.assertNotIn('mailman.cfg:', instance.log())
        wrong = MailmanInstance(tempfile.mkdtemp(prefix='mm-'), wiring=(
            text + '[archiver.pgp-mbox]\nclass: mailman_pgp.archivers.'
            'local_mbox.Nothing\nenable: yes\n'))
        result = wrong.mailman('pgp', 'check', check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn('FAIL  [archiver.pgp-mbox] class: is '
                      "'mailman_pgp.archivers.local_mbox.Nothing'",
                      result.stdout)

    def test_rsa_key_made_in_background(self):
        instance = MailmanInstance(
            tempfile.mkdtemp(prefix='mm-'),
            site_cfg='[keypairs]\nprimary_key: RSA:2048\nsub_key: RSA:2048\n')
        instance.mailman('create', '--style-name', 'pgp-default',
                         'rsa@example.com')
        key_file = os.path.join(instance.var_dir, 'data', 'pgp',
                                'list_keydir', 'rsa.example.com.asc')
        deadline = time.monotonic() + 120
        while not os.path.exists(key_file) and time.monotonic() < deadline:
            time.sleep(0.5)
        self.assertTrue(os.path.exists(key_file))
        self.assertIn('list key generation started in the background',
                      instance.log())
        from mailman_pgp.pgp import Key
        with open(key_file) as fp:
            key = Key.load(fp.read())
        self.assertTrue(key.is_private)
        self.assertIn('RSA', key.algorithm)
