"""A throwaway Mailman instance with both plugins and a webhook endpoint.

Built on mailman-pgp's ``MailmanInstance``: the documented wiring of both
plugins, ``rest-events.cfg`` in the instance's directory.  The webhook
runner can run alone (``runner --runner rest-events``), to be stopped and
killed at will, or under the master with the other runners.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time

from importlib.resources import files

from public import public

from mailman_pgp.testing.instance import MailmanInstance


@public
def wiring(events_cfg: str, enabled: bool = True) -> str:
    """Both plugins' mailman.cfg lines, rest-events reading ``events_cfg``."""
    pgp = files('mailman_pgp.config').joinpath('mailman.cfg').read_text()
    events = files('mailman_rest_events.config').joinpath(
        'mailman.cfg').read_text().replace(
            '/etc/mailman3/rest-events.cfg', events_cfg)
    if not enabled:
        events = events.replace('enabled: yes', 'enabled: no')
    return pgp + '\n' + events


@public
class EventsInstance(MailmanInstance):
    """``endpoints``: {name: (url, secret, extra options)}."""

    all_runners = MailmanInstance.all_runners + ('rest-events',)

    def __init__(self, root: str, *, delivery: str = '', enabled=True,
                 runners: tuple[str, ...] | None = None, **kw):
        root = os.path.abspath(root)
        self.events_cfg = os.path.join(root, 'rest-events.cfg')
        os.makedirs(root, exist_ok=True)
        # The outbox lives in Mailman's database, which on a site of
        # several hosts is one PostgreSQL: with MAILMAN_PGP_TEST_DB=
        # postgresql each instance gets a database of its own there.
        self.pg_database = None
        if kw.get('database_url') is None and \
                os.environ.get('MAILMAN_PGP_TEST_DB') == 'postgresql':
            kw['database_url'] = self._new_pg_database()
        super().__init__(root, wiring=wiring(self.events_cfg, enabled),
                         runners=runners, **kw)
        self.delivery = delivery
        self.endpoints = {}
        self.runner_process = None
        self.write_events_cfg()

    def write_events_cfg(self, text: str | None = None) -> None:
        if text is None:
            text = '[delivery]\n' + self.delivery + '\n'
            for name, (url, secret, extra) in self.endpoints.items():
                text += '[endpoint.{}]\nurl: {}\nsecret: {}\n{}\n'.format(
                    name, url, secret, extra)
        with open(self.events_cfg, 'w') as fp:
            fp.write(text)
        os.chmod(self.events_cfg, 0o600)

    def add_endpoint(self, name: str, url: str, secret: str,
                     extra: str = '') -> None:
        self.endpoints[name] = (url, secret, extra)
        self.write_events_cfg()

    # The webhook runner alone.

    def start_runner(self) -> None:
        assert self.runner_process is None
        command = [os.path.join(os.path.dirname(sys.executable), 'runner'),
                   '-C', self.cfg_path, '--runner', 'rest-events']
        env = {k: v for k, v in os.environ.items()
               if not k.startswith('MAILMAN_')}
        self.runner_log = open(os.path.join(self.root, 'runner.log'), 'a')
        self.runner_process = subprocess.Popen(
            command, stdout=self.runner_log, stderr=subprocess.STDOUT,
            env=env)

    def stop_runner(self, signum: int = signal.SIGTERM,
                    timeout: float = 60) -> int:
        process, self.runner_process = self.runner_process, None
        if process is None:
            return 0
        process.send_signal(signum)
        try:
            return process.wait(timeout)
        finally:
            self.runner_log.close()

    # What the outbox holds (for waiting; tests assert on what arrives).

    def queued(self, dead: bool = False) -> int:
        if self.database_url:
            import psycopg2
            connection = psycopg2.connect(self.database_url)
            try:
                with connection.cursor() as cursor:
                    cursor.execute(
                        'SELECT count(*) FROM rest_events_delivery WHERE '
                        'dead = %s', (dead,))
                    return cursor.fetchone()[0]
            except psycopg2.errors.UndefinedTable:
                return 0
            finally:
                connection.close()
        with sqlite3.connect(self.database_path, timeout=30) as db:
            try:
                return db.execute(
                    'SELECT count(*) FROM rest_events_delivery WHERE dead = '
                    '?', (1 if dead else 0,)).fetchone()[0]
            except sqlite3.OperationalError:
                return 0

    _pg_count = 0

    @classmethod
    def _new_pg_database(cls) -> str:
        from mailman_pgp.testing.postgres import create_database
        EventsInstance._pg_count += 1
        return create_database('mailman_events_{}_{}'.format(
            os.getpid(), cls._pg_count))

    def _drop_pg_database(self) -> None:
        from mailman_pgp.testing.postgres import drop_database
        drop_database(self.database_url)

    def wait_until(self, predicate, timeout: float = 120,
                   what: str = '') -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.1)
        raise AssertionError('timed out waiting for ' + (what or str(
            predicate)) + '\n' + self.log()[-3000:])

    def python(self, code: str, timeout: float = 600) -> str:
        """Run ``code`` in a process of this instance (after initialize);
        it commits what it does itself.  Returns its standard output."""
        script = ('from mailman.core.initialize import initialize\n'
                  'initialize({!r})\n'.format(self.cfg_path) + code)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith('MAILMAN_')}
        result = subprocess.run([sys.executable, '-c', script], env=env,
                                capture_output=True, text=True,
                                timeout=timeout)
        if result.returncode:
            raise RuntimeError('script failed:\n' + result.stdout +
                               result.stderr)
        return result.stdout

    def cleanup(self) -> None:
        if self.runner_process is not None:
            self.stop_runner(signal.SIGKILL)
        if self.database_url and 'mailman_events_' in self.database_url:
            self.stop()
            self._drop_pg_database()
