"""A throwaway Mailman instance with the plugin wired in (demo and tests).

Everything lives under one directory: mailman.cfg, var/, SQLite database.
Commands run through the real ``mailman`` CLI of this Python environment.
"""

import os
import subprocess
import sys
import time

from importlib.resources import files

from public import public


# Every runner a Mailman 3.3 master may start (those that start by default
# and those that do not), for ``runners``.
MAILMAN_RUNNERS = ('archive', 'bad', 'bounces', 'command', 'digest', 'in',
                   'lmtp', 'nntp', 'out', 'pipeline', 'rest', 'retry',
                   'shunt', 'task', 'virgin')

# What a post, an email command and the web UI go through: tests that need
# no bounce processing, digests, retries or periodic tasks start only these
# (each runner is a process that costs two seconds of CPU to start).
public(MAIL_RUNNERS=('archive', 'command', 'in', 'lmtp', 'out', 'pipeline',
                     'rest', 'virgin'))


@public
class MailmanInstance:
    """One Mailman instance in ``root``; nothing outside it is touched.

    ``runners``: only these start with the master (default: Mailman's own
    choice, every runner a site runs)."""

    all_runners = MAILMAN_RUNNERS

    def __init__(self, root: str, *, site_cfg: str | None = None,
                 lmtp_port: int | None = None, smtp_port: int | None = None,
                 rest_port: int | None = None, database_url: str | None = None,
                 wiring: str | None = None,
                 runners: tuple[str, ...] | None = None):
        self.root = os.path.abspath(root)
        self.var_dir = os.path.join(self.root, 'var')
        self.cfg_path = os.path.join(self.root, 'mailman.cfg')
        self.site_cfg_path = os.path.join(self.root, 'mailman_pgp.cfg')
        # Ports the caller does not care about are free ones all the same:
        # Mailman's defaults (8024, 8001) would collide with a second
        # instance started beside this one (parallel test workers).
        from mailman_pgp.testing.sink import free_port
        self._awaited_ports = [p for p in (rest_port, lmtp_port) if p]
        self.lmtp_port = lmtp_port or free_port()
        self.smtp_port = smtp_port
        self.rest_port = rest_port or free_port()
        self.database_url = database_url
        # See _command().
        self.confined = False
        os.makedirs(self.root, exist_ok=True)
        with open(self.site_cfg_path, 'w') as fp:
            fp.write(site_cfg or '')
        if wiring is None:
            wiring = files('mailman_pgp.config').joinpath(
                'mailman.cfg').read_text()
        wiring = wiring.replace(
            'python:mailman_pgp.config.mailman_pgp', self.site_cfg_path)
        if runners is not None:
            wiring += ''.join('\n[runner.{}]\nstart: no\n'.format(name)
                              for name in self.all_runners
                              if name not in runners)
        with open(self.cfg_path, 'w') as fp:
            fp.write(self._base_config() + '\n' + wiring)

    def _base_config(self) -> str:
        lines = ['[mailman]', 'layout: instance', 'site_owner: '
                 'owner@example.com', '[paths.instance]',
                 'var_dir: ' + self.var_dir,
                 '[mta]',
                 'incoming: mailman.mta.null.NullMTA']
        if self.lmtp_port:
            lines += ['lmtp_host: 127.0.0.1',
                      'lmtp_port: {}'.format(self.lmtp_port)]
        if self.smtp_port:
            lines += ['smtp_host: 127.0.0.1',
                      'smtp_port: {}'.format(self.smtp_port)]
        lines += ['[webservice]', 'hostname: 127.0.0.1',
                  'port: {}'.format(self.rest_port),
                  'admin_user: restadmin', 'admin_pass: restpass',
                  'workers: 1']
        if self.database_url:
            lines += ['[database]',
                      'class: mailman.database.postgresql.PostgreSQLDatabase',
                      'url: ' + self.database_url]
        # Runner logs in one place; quiet the noisy ones.
        lines += ['[logging.plugins]', 'level: info']
        return '\n'.join(lines) + '\n'

    @property
    def mailman_script(self) -> str:
        return os.path.join(os.path.dirname(sys.executable), 'mailman')

    def _command(self, confined: bool | None = None) -> list[str]:
        """``mailman -C <cfg>``, with --run-as-root when this process is
        root.  ``confined`` (default: the instance's): without the
        capabilities that let root read any file, so a key file of
        another owner fails as it does for Mailman's own user (`list` in
        Debian): PermissionError."""
        command = [self.mailman_script, '-C', self.cfg_path]
        if os.geteuid() == 0:
            command.append('--run-as-root')
        if self.confined if confined is None else confined:
            command[:0] = ['setpriv',
                           '--bounding-set=-dac_override,-dac_read_search']
        return command

    def mailman(self, *args: str, check: bool = True,
                timeout: float = 120, confined: bool | None = None
                ) -> subprocess.CompletedProcess:
        """Run ``mailman -C <cfg> ARGS``; output captured as text."""
        command = self._command(confined)
        env = dict(os.environ)
        env.pop('MAILMAN_EXTRA_TESTING_CFG', None)
        env.pop('MAILMAN_CONFIG_FILE', None)
        result = subprocess.run(command + list(args), capture_output=True,
                                text=True, env=env, timeout=timeout)
        if check and result.returncode != 0:
            raise RuntimeError('mailman {} failed ({}):\n{}{}'.format(
                ' '.join(args), result.returncode, result.stdout,
                result.stderr))
        return result

    def start(self, timeout: float = 300) -> None:
        # Generous: on a loaded 2-core machine (parallel test workers) the
        # thirteen runners take two minutes to listen; a fast start waits
        # no longer for it.
        # The master daemonizes and keeps the output files open: give it a
        # file, not a pipe we would wait on.
        command = self._command()
        env = dict(os.environ)
        env.pop('MAILMAN_EXTRA_TESTING_CFG', None)
        start_log = os.path.join(self.root, 'start.log')
        masters_before = self._masters_started()
        with open(start_log, 'w') as log:
            result = subprocess.run(command + ['start', '--force'],
                                    stdout=log, stderr=subprocess.STDOUT,
                                    env=env, timeout=120)
        if result.returncode != 0:
            with open(start_log) as log:
                raise RuntimeError('mailman start failed ({}):\n{}'.format(
                    result.returncode, log.read()))
        # `mailman start` returns before the master has written its pid
        # file and set its signal handlers: a `mailman stop` then found no
        # pid file ("Is the master even running?") and the master ran on.
        # It logs "Master started" once it handles SIGTERM.
        deadline = time.monotonic() + timeout
        while self._masters_started() == masters_before:
            if time.monotonic() > deadline:
                with open(start_log) as log:
                    raise TimeoutError('the master did not start:\n{}{}'
                                       .format(log.read(), self.log(
                                           'mailman')[-2000:]))
            time.sleep(0.1)
        for port in self._awaited_ports:
            self._wait_for_port(port, timeout)

    def _masters_started(self) -> int:
        return self.log('mailman').count('Master started')

    def stop(self, timeout: float = 300) -> None:
        """Stop, and wait until the master has gone: on a loaded machine
        its runners take more than 30 s to leave, and a `start` before
        then finds it still running (exit 2, "already running")."""
        self.mailman('stop', check=False, timeout=300)
        pid_file = os.path.join(self.var_dir, 'master.pid')
        deadline = time.monotonic() + timeout
        while os.path.exists(pid_file) and time.monotonic() < deadline:
            time.sleep(0.2)

    @staticmethod
    def _wait_for_port(port: int, timeout: float) -> None:
        import socket
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(('127.0.0.1', port), 1):
                    return
            except OSError:
                time.sleep(0.2)
        raise TimeoutError('nothing listens on port {}'.format(port))

    def log(self, name: str = 'plugins') -> str:
        try:
            with open(os.path.join(self.var_dir, 'logs', name + '.log')) as fp:
                return fp.read()
        except FileNotFoundError:
            return ''

    @property
    def database_path(self) -> str:
        return os.path.join(self.var_dir, 'data', 'mailman.db')
