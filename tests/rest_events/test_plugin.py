"""Start-up checks, `mailman rest-events check`, and a disabled plugin."""

import os
import shutil
import tempfile
import unittest

from mailman_rest_events.testing.instance import EventsInstance
from mailman_rest_events.testing.receiver import new_secret


class TestPlugin(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix='mm-events-plugin-')
        self.addCleanup(shutil.rmtree, self.root, True)

    def instance(self, **kw) -> EventsInstance:
        instance = EventsInstance(self.root, **kw)
        self.addCleanup(instance.cleanup)
        return instance

    def test_bad_file_stops_mailman_naming_file_section_option(self):
        instance = self.instance()
        secret = new_secret()
        instance.write_events_cfg(
            '[endpoint.chat]\nurl: https://hooks.example.org/x?key=TOKEN\n'
            'secret: {}\ntimeout: 10x\n'.format(secret))
        result = instance.mailman('rest-events', 'check', check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn('mailman-rest-events configuration refused:\n{}: '
                      "[endpoint.chat] timeout: '10x' is not a duration (e.g. "
                      '500ms, 10s)'.format(instance.events_cfg), result.stderr)
        # Mailman does not start on it either; the log says the same.
        result = instance.mailman('info', check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn("[endpoint.chat] timeout: '10x'", instance.log())
        for text in (result.stderr, instance.log()):
            self.assertNotIn('TOKEN', text)
            self.assertNotIn(secret[6:], text)

    def test_check(self):
        instance = self.instance()
        instance.add_endpoint('crm', 'https://crm.example.org/hook',
                              new_secret(), 'events: ^member\\.\n')
        result = instance.mailman('rest-events', 'check')
        self.assertEqual(result.stdout.splitlines(), [
            'OK    mailman.cfg wiring is complete',
            'OK    configuration: ' + instance.events_cfg,
            'OK    endpoint crm: events ^member\\., lists all, timeout 10s; '
            '0 queued, 0 dead'])
        os.chmod(instance.events_cfg, 0o644)
        result = instance.mailman('rest-events', 'check', check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn('FAIL  {} holds secrets but has mode 644; chmod 600 '
                      'it'.format(instance.events_cfg), result.stdout)

    def test_endpoints_read_again_when_the_file_changes(self):
        # `mailman restart` leaves the REST runner running: the events it
        # makes must reach an endpoint added since it started.
        instance = self.instance()
        instance.add_endpoint('crm', 'https://crm.example.org/hook',
                              new_secret())
        out = instance.python(
            'import os, time\n'
            'from mailman_rest_events.outbox import current_settings\n'
            'print(len(current_settings().endpoints))\n'
            'cfg = current_settings().source\n'
            'text = open(cfg).read()\n'
            'open(cfg, "w").write(text + "[endpoint.chat]\\n'
            'url: https://chat.example.org/\\nsecret: {}\\n")\n'
            'os.utime(cfg, ns=(time.time_ns(), time.time_ns() + 10**9))\n'
            'print(sorted(e.name for e in current_settings().endpoints))\n'
            'open(cfg, "w").write("[endpoint.bad\\n")\n'
            'print(sorted(e.name for e in current_settings().endpoints))\n'
            .format(new_secret()))
        self.assertEqual(out.splitlines(), [
            '1', "['chat', 'crm']", "['chat', 'crm']"])
        self.assertIn('changed but is refused; still using the endpoints '
                      'read before', instance.log())

    def test_missing_runner_section_is_reported(self):
        instance = self.instance()
        with open(instance.cfg_path) as fp:
            text = fp.read()
        with open(instance.cfg_path, 'w') as fp:
            fp.write(text.replace('[runner.rest-events]', '[runner.unused]')
                     .replace('class: mailman_rest_events.runner.'
                              'WebhookRunner', 'class: mailman.runners.'
                              'virgin.VirginRunner\nstart: no'))
        result = instance.mailman('rest-events', 'check', check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn('FAIL  [runner.rest-events] is missing; add it with '
                      'class: mailman_rest_events.runner.WebhookRunner',
                      result.stdout)

    def test_disabled_plugin_changes_nothing(self):
        instance = self.instance(enabled=False)
        instance.add_endpoint('crm', 'https://crm.example.org/hook',
                              new_secret())
        result = instance.mailman('create', '--style-name', 'pgp-default',
                                  'x@example.com')
        self.assertIn('Created mailing list: x@example.com', result.stdout)
        self.assertIn('OK    mailman.cfg wiring is complete',
                      instance.mailman('pgp', 'check').stdout)
        tables = set(instance.python(
            'from mailman.config import config\n'
            'from sqlalchemy import inspect\n'
            'print(" ".join(inspect(config.db.engine).get_table_names()))\n'
        ).split())
        self.assertIn('pgp_mailinglist', tables)
        self.assertNotIn('rest_events_delivery', tables)
