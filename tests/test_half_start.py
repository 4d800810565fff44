"""A site configuration that cannot half-start.

Each case here once started with exit 0 and then misbehaved: a runner
crash-looping, posts shunted, commands crashing on a key file another user
owns, problems not logged, `mailman stop` locked out.  Now `mailman start`
refuses (exit 1, the line and its fix on standard error, no master left),
or, where none of the plugin's code runs in `mailman start`, the first of
it to run stops Mailman and keeps every message queued.
"""

import glob
import os
import shutil
import tempfile
import time
import unittest

from importlib.resources import files

from mailman_pgp.testing.instance import MailmanInstance

PLUGIN_PGP = ('[plugin.pgp]\n'
              'class: mailman_pgp.plugin.PGPMailman\n'
              'enabled: yes\n'
              'component_package: mailman_pgp\n'
              'configuration: python:mailman_pgp.config.mailman_pgp\n')
NOBODY = 65534


def _wiring() -> str:
    return files('mailman_pgp.config').joinpath('mailman.cfg').read_text()


class InstanceCase(unittest.TestCase):
    def instance(self, wiring: str | None = None, **kw) -> MailmanInstance:
        root = tempfile.mkdtemp(prefix='mm-')
        self.addCleanup(shutil.rmtree, root, True)
        instance = MailmanInstance(root, wiring=wiring, **kw)
        self.addCleanup(instance.stop)
        return instance

    def start(self, instance):
        """`mailman start` that is expected to refuse (a master that does
        start keeps the output pipes open: use instance.start())."""
        return instance.mailman('start', '--force', check=False, timeout=300)

    def pid_file(self, instance) -> str:
        return os.path.join(instance.var_dir, 'master.pid')

    def assertRefused(self, instance, result, *lines):
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        for line in lines:
            self.assertIn(line, result.stderr)
        self.assertNotIn('Traceback', result.stderr)
        time.sleep(1)
        self.assertFalse(os.path.exists(self.pid_file(instance)))

    def wait_up(self, instance, timeout=240) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if 'GNU Mailman is running' in instance.mailman(
                    'status', check=False, timeout=300).stdout:
                return True
            time.sleep(1)
        return False

    def wait_gone(self, instance, timeout=240) -> bool:
        """True once the master has left (its pid file removed; after
        instance.start() it has been written)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not os.path.exists(self.pid_file(instance)):
                return True
            time.sleep(0.2)
        return False


class TestWiring(InstanceCase):
    def test_misspelt_command_runner_refuses_start(self):
        instance = self.instance(_wiring().replace(
            'runners.command.PGPCommandRunner',
            'runners.comand.PGPCommandRunner'))
        self.assertRefused(
            instance, self.start(instance),
            'mailman-pgp refuses to start',
            "[runner.command] class: is 'mailman_pgp.runners.comand."
            "PGPCommandRunner'; set it to mailman_pgp.runners.command."
            'PGPCommandRunner')

    def test_runner_lines_without_the_plugin_stop_mailman(self):
        # None of the plugin's code runs in `mailman start` then: its
        # runners refuse, keep the mail queued and stop the master.
        instance = self.instance(_wiring().replace(PLUGIN_PGP, ''))
        instance.mailman('create', 'ant@example.com')
        post = os.path.join(instance.root, 'post.eml')
        with open(post, 'w') as fp:
            fp.write('From: anne@example.com\nTo: ant@example.com\n'
                     'Subject: hi\nMessage-ID: <half@example.com>\n\nhi\n')
        instance.mailman('inject', '-q', 'in', '-f', post, 'ant@example.com')
        queued = glob.glob(os.path.join(instance.var_dir, 'queue', 'in',
                                        '*.pck'))
        self.assertEqual(len(queued), 1)
        instance.start()
        self.assertTrue(self.wait_gone(instance), 'the master kept running')
        log = instance.log('mailman')
        # The first PGP runner to start says it (in or command).
        self.assertRegex(log, r'mailman-pgp refuses to run: \[runner\.'
                         r'(in|command)\] class: mailman_pgp\.runners\.\w+\.'
                         r'PGP\w+Runner needs the pgp plugin, which is not '
                         r'loaded')
        self.assertIn(PLUGIN_PGP.splitlines()[1], log)
        self.assertEqual(glob.glob(os.path.join(
            instance.var_dir, 'queue', 'in', '*.pck')), queued)
        self.assertEqual(glob.glob(os.path.join(
            instance.var_dir, 'queue', 'shunt', '*.pck')), [])


class TestKeyFiles(InstanceCase):
    def setUp(self):
        self.site = self.instance()
        self.site.mailman('create', '--style-name', 'pgp-default',
                          'x@example.com')
        self.keydir = os.path.join(self.site.var_dir, 'data', 'pgp',
                                   'list_keydir')
        self.key_file = os.path.join(self.keydir, 'x.example.com.asc')
        self.assertTrue(os.path.exists(self.key_file))

    def test_key_file_of_another_user(self):
        # A root `tar -xzf` kept the old server's owner (or an admin ran
        # `mailman --run-as-root pgp import-key` on a site that runs as
        # `list`): the key file is not Mailman's.  Mailman runs as root
        # here, confined so that it reads files as its own user would.
        os.chown(self.key_file, NOBODY, NOBODY)
        self.site.confined = True
        fix = 'run: chown -R root: {}'.format(self.keydir)
        for confined in (True, False):
            result = self.site.mailman('pgp', 'check', check=False,
                                       confined=confined)
            self.assertEqual(result.returncode, 1, result.stderr)
            self.assertNotIn('Traceback', result.stderr)
            self.assertIn('FAIL  {} is owned by nobody, not by root (the '
                          'user Mailman runs as, who owns {})'.format(
                              self.key_file, self.site.var_dir),
                          result.stdout)
            self.assertIn(fix, result.stdout)
        result = self.site.mailman('pgp', 'lists', check=False)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertNotIn('Traceback', result.stderr)
        self.assertIn('  CANNOT BE READ: the key of x.example.com cannot be '
                      'read: {} cannot be read by root (the user Mailman '
                      'runs as); run: chown -R root: {}'.format(
                          self.key_file, self.keydir), result.stdout)
        self.assertRefused(self.site, self.start(self.site),
                           'mailman-pgp refuses to start',
                           '{} is owned by nobody'.format(self.key_file), fix)

    def test_problems_logged_at_start(self):
        os.chmod(self.key_file, 0o644)
        self.site.start()
        self.addCleanup(self.site.stop)
        # start() returns once the master handles SIGTERM: the stop below
        # had found no pid file yet and left the master running.
        self.assertTrue(os.path.exists(self.pid_file(self.site)))
        log = self.site.log()
        self.assertIn('key store: {} (a list private key) has mode 644; run '
                      'chmod 600 on it'.format(self.key_file), log)
        self.site.stop()
        shutil.rmtree(self.keydir)
        self.site.start()
        self.assertIn('key store: x.example.com: has no list key; posts '
                      'wait until one exists (mailman pgp import-key '
                      'x.example.com FILE)', self.site.log())


class TestControl(InstanceCase):
    def test_stop_and_status_whatever_the_plugin_config_says(self):
        from mailman_rest_events.testing.instance import EventsInstance
        root = tempfile.mkdtemp(prefix='mm-')
        self.addCleanup(shutil.rmtree, root, True)
        site = EventsInstance(root, runners=('rest', 'rest-events'))
        self.addCleanup(site.stop)
        site.start()
        self.assertTrue(self.wait_up(site))
        # Every runner up (a SIGTERM during a runner's start-up can leave
        # it behind on a loaded machine; that is Mailman's, not ours).
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not all(
                '{} runner started'.format(name) in site.log('mailman')
                for name in ('rest', 'rest-events')):
            time.sleep(1)
        # Both plugins' files break while Mailman runs.
        with open(site.events_cfg, 'w') as fp:
            fp.write('[endpoint.x\nurl = nowhere\n')
        with open(site.site_cfg_path, 'w') as fp:
            fp.write('[misc]\nno_such_option: 1\n')
        status = site.mailman('status', check=False, timeout=300)
        # Mailman's status exits 1 for "running" (WatcherState.conflict).
        self.assertIn('GNU Mailman is running', status.stdout, status.stderr)
        self.assertNotIn('refused', status.stderr)
        stop = site.mailman('stop', check=False, timeout=300)
        self.assertEqual(stop.returncode, 0, stop.stderr)
        self.assertTrue(self.wait_gone(site, 180))
        # Starting again is refused, naming the file.
        result = site.mailman('start', check=False, timeout=300)
        self.assertEqual(result.returncode, 1)
        self.assertIn('configuration refused', result.stderr)

    def test_events_runner_missing_refuses_start(self):
        from mailman_rest_events.testing.instance import wiring
        events_cfg = tempfile.mktemp(suffix='.cfg')
        open(events_cfg, 'w').close()
        self.addCleanup(os.remove, events_cfg)
        instance = self.instance(wiring(events_cfg).replace(
            'class: mailman_rest_events.runner.WebhookRunner',
            'class: mailman_rest_events.runners.WebhookRunner'))
        self.assertRefused(
            instance, self.start(instance),
            'mailman-rest-events refuses to start',
            "[runner.rest-events] class: is 'mailman_rest_events.runners."
            "WebhookRunner'; set it to mailman_rest_events.runner."
            'WebhookRunner')
