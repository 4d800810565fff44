"""Run Mailman's zope-style test layers under pytest, with the plugin wired.

A test class sets ``layer = ConfigLayer`` (or SMTPLayer, RESTLayer...).
With MAILMAN_PGP_TEST_DB=postgresql the layers use a fresh database on the
PostgreSQL server at $MAILMAN_PGP_TEST_PG (default
postgresql://postgres@127.0.0.1:5432), dropped again at the end.  With
MAILMAN_PGP_TEST_KEYSTORE=database the keys live in that database.
"""

import os
import sys
import tempfile

import pytest


HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SRC = os.path.join(ROOT, 'src')
if os.path.isdir(SRC):
    sys.path.insert(0, SRC)
    # Runner subprocesses (REST, LMTP layers) import the plugin too.
    os.environ['PYTHONPATH'] = os.pathsep.join(
        p for p in (SRC, os.environ.get('PYTHONPATH')) if p)

# The web UI's tests need Django settings (test.sh gives them):
# DJANGO_SETTINGS_MODULE=tests.web.settings.
collect_ignore = [] if os.environ.get('DJANGO_SETTINGS_MODULE') else ['web']

_WORK = tempfile.mkdtemp(prefix='mailman-pgp-tests-')
_PG_DATABASE = None


def _free_port() -> int:
    import socket
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


# Mailman's testing.cfg binds fixed ports (SMTP 9025, LMTP 9024, REST 9001):
# each test process (an xdist worker, or a second run beside this one) gets
# its own, so that runs can go in parallel.  tests.rest.support reads the
# REST port from the environment.
os.environ['MAILMAN_PGP_TEST_REST_PORT'] = str(_free_port())
_WORKER_PORTS = (
    '[mta]\nsmtp_port: {}\nlmtp_port: {}\n[webservice]\nport: {}\n'.format(
        _free_port(), _free_port(), os.environ['MAILMAN_PGP_TEST_REST_PORT']))


def _postgres_section() -> str:
    global _PG_DATABASE
    from mailman_pgp.testing.postgres import create_database
    _PG_DATABASE = create_database(
        'mailman_pgp_test_{}'.format(os.getpid()))
    return ('[database]\nclass: mailman.database.postgresql.'
            'PostgreSQLDatabase\nurl: {}\n'.format(_PG_DATABASE))


def _write_testing_cfg() -> str:
    from importlib.resources import files
    wiring = files('mailman_pgp.config').joinpath('mailman.cfg').read_text()
    site = 'python:mailman_pgp.testing.mailman_pgp'
    if os.environ.get('MAILMAN_PGP_TEST_KEYSTORE') == 'database':
        site = os.path.join(_WORK, 'mailman_pgp.cfg')
        with open(site, 'w') as fp:
            fp.write(files('mailman_pgp.testing').joinpath(
                'mailman_pgp.cfg').read_text())
            fp.write('[keystore]\nbackend: database\n')
    wiring = wiring.replace(
        'configuration: python:mailman_pgp.config.mailman_pgp',
        'configuration: ' + site)
    if os.environ.get('MAILMAN_PGP_TEST_DB') == 'postgresql':
        wiring += '\n' + _postgres_section()
    wiring += '\n' + _WORKER_PORTS
    path = os.path.join(_WORK, 'mailman-pgp-testing.cfg')
    with open(path, 'w') as fp:
        fp.write(wiring)
    return path


os.environ['MAILMAN_EXTRA_TESTING_CFG'] = _write_testing_cfg()

from mailman.testing.layers import (   # noqa: E402
    ConfigLayer, MockAndMonkeyLayer, RESTLayer, SMTPLayer)

MockAndMonkeyLayer.testing_mode = True   # what nose2's start callback does
_active = []                             # layers set up now, base first


def _lineage(layer):
    return [c for c in reversed(layer.__mro__) if c is not object]


def _call(layer, name):
    # Like nose2's layers plugin: only methods the class defines itself.
    if name in layer.__dict__:
        getattr(layer, name)()
    if layer is ConfigLayer and name == 'setUp':
        _use_worker_ports()
    if layer is SMTPLayer and name == 'tearDown':
        # Its tearDown stops the server but keeps it, and setUp refuses to
        # run again: an xdist worker may come back to the layer.
        SMTPLayer.smtpd = None


def _use_worker_ports():
    """ConfigLayer pushes testing.cfg's fixed ports after the extra testing
    config: put this process's ports back on top, here and in the file its
    runner subprocesses read."""
    from mailman.config import config
    config.push('worker ports', _WORKER_PORTS)
    with open(config.filename, 'a') as fp:
        fp.write('\n' + _WORKER_PORTS)


def _layer_of(item):
    cls = getattr(item, 'cls', None)
    return getattr(cls, 'layer', None) or getattr(item.module, 'layer', None)


def pytest_collection_modifyitems(session, config, items):
    # Group tests by layer lineage so that each layer is set up once
    # (SMTPLayer cannot be set up twice in one process).
    for item in items:
        if _layer_of(item) is not None:
            item.add_marker('database')

    def key(item):
        layer = _layer_of(item)
        return () if layer is None else tuple(
            c.__module__ + '.' + c.__qualname__ for c in _lineage(layer))
    items.sort(key=key)
    if os.environ.get('PYTEST_XDIST_WORKER'):
        # The controller hands scopes out in this order (see schedule.py);
        # in one process, layer order matters more.
        from tests.schedule import longest_first
        longest_first(items)


def pytest_configure(config):
    # Keep the order schedule.py gives (xdist's own puts scopes with the
    # most tests first, which left the longest ones to the end).
    if hasattr(config.option, 'loadscopereorder'):
        config.option.loadscopereorder = False


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """--dist loadscope, with the scopes of tests.schedule.scope_of: the
    web tests all go to one worker, which starts their Core once."""
    if config.getvalue('dist') != 'loadscope':
        return None
    from xdist.scheduler import LoadScopeScheduling
    from tests.schedule import scope_of

    class SharedFixtureScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return scope_of(nodeid)

    return SharedFixtureScheduling(config, log)


def _leave_reaping_layers():
    """Tear down RESTLayer (and what stands on it) before a test without a
    layer: its master loop runs in a thread of this process and reaps any
    child with os.wait(), so a test's own subprocess (a `mailman` command)
    would lose its exit status and report 0.  Under pytest-xdist a worker
    goes from layered tests to others in any order."""
    while any(issubclass(cls, RESTLayer) for cls in _active):
        _call(_active.pop(), 'tearDown')


def _switch_to(layer):
    want = _lineage(layer)
    while _active and _active[-1] not in want:
        _call(_active.pop(), 'tearDown')
    for cls in want:
        if cls not in _active:
            _call(cls, 'setUp')
            _active.append(cls)


@pytest.fixture(autouse=True)
def _mailman_layer(request):
    layer = _layer_of(request.node)
    if layer is None:
        _leave_reaping_layers()
        yield
        return
    _switch_to(layer)
    for cls in _lineage(layer):
        _call(cls, 'testSetUp')
    yield
    for cls in reversed(_lineage(layer)):
        _call(cls, 'testTearDown')
    from mailman_pgp.testing.site import wipe_key_directories
    wipe_key_directories()


def pytest_sessionfinish(session, exitstatus):
    while _active:
        _call(_active.pop(), 'tearDown')
    _stop_leftover_gpg_homes()
    if _PG_DATABASE:
        from mailman_pgp.testing.postgres import drop_database
        drop_database(_PG_DATABASE)


def _stop_leftover_gpg_homes():
    """Stop the gpg-agents of GnuPG subscribers a test did not close: this
    process's only (another test run or a demo beside it keeps its own)."""
    import shutil
    import subprocess
    from mailman_pgp.testing.gpg import OPEN_HOMES
    for home in list(OPEN_HOMES):
        subprocess.run(['gpgconf', '--homedir', home, '--kill', 'all'],
                       capture_output=True, check=False)
        shutil.rmtree(home, ignore_errors=True)
