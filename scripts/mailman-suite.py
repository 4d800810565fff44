#!/usr/bin/env python3
"""Mailman's own test suite, stock and with the plugins wired in (CI).

Downloads the sdist of the installed Mailman (3.3.10) from PyPI and runs its
tests with nose2 as its tox.ini does (flufl.testing's nose plugin and
nose2's layers plugin, from the sdist's unittest.cfg) against the installed
Mailman, several times:

  stock        no plugin (an empty extra testing config);
  pgp          mailman-pgp's shipped wiring (src/mailman_pgp/config/
               mailman.cfg, the test site config of mailman_pgp.testing)
               through MAILMAN_EXTRA_TESTING_CFG, as Mailman's tox.ini does
               for PostgreSQL;
  pgp-runners  the same, and Mailman's runner tests run the plugin's
               runner classes: mailman.runners.incoming.IncomingRunner and
               mailman.runners.command.CommandRunner name
               PGPIncomingRunner and PGPCommandRunner while they run (a
               nose2 plugin in mailman_suite_nose.py does the renaming
               before the tests are imported); only the tests that build
               either runner run;
  events       mailman-rest-events' shipped wiring, with one endpoint (its
               events are recorded, never delivered).

A test that passes stock and does not pass in a wired run (fails, errors or
is missing; it is run once more, alone, first: some of Mailman's tests wait
a bounded time for a runner and fail on a loaded machine) fails this script, unless scripts/mailman-suite-allowlist.txt
names it: those tests only list an inventory (styles, rules, config
sections...) that now includes the plugin's.  Tests that fail stock too
(the machine, the network) are reported, not fatal.

Runs are independent and go two at a time (--jobs), each in its own
network namespace (unshare -n): Mailman's testing.cfg binds fixed ports
(9001, 9024, 9025, 9465, 9587) and its doctests print them.  Without
unshare the runs go one after another.

    python scripts/mailman-suite.py [--jobs 2] [--runs stock,pgp,...]
        [--work DIR] [-P PATTERN] [--compare-only]

-P restricts every run to tests matching PATTERN (flufl.testing's -P), for
trying one module.  --compare-only compares the results of the last runs
in --work again (after an allowlist change).  An allowlist line for a
doctest may carry a regular expression: then every output line the doctest
differs by must match it (a doctest file is one test; this keeps the rest
of the file checked).  Exit status: 0 no difference, 1 a difference, 2 setup.
"""

import argparse
import filecmp
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import time
import xml.etree.ElementTree as ET

from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import version
from importlib.resources import files


HERE = os.path.dirname(os.path.abspath(__file__))
ALLOWLIST = os.path.join(HERE, 'mailman-suite-allowlist.txt')
RUNS = ('stock', 'pgp', 'pgp-runners', 'events')
RUNNER_TESTS = []                       # filled by main(): runner_tests()
TIMEOUT = [2400]                        # seconds a run may take (--timeout)
# Mailman's own pins of its test tools are loose (tox.ini): these worked.
TEST_TOOLS = ('nose2==0.16.0', 'flufl.testing==0.8')
# An endpoint nobody listens on (port 9, discard): events are queued in the
# outbox as on a real site; the webhook runner does not run in the tests.
EVENTS_CFG = """\
[endpoint.suite]
url: http://127.0.0.1:9/mailman-suite
secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
"""


def log(*words):
    print('mailman-suite:', *words, flush=True)


def mailman_dir() -> str:
    import mailman
    return os.path.dirname(mailman.__file__)


def ensure_test_tools() -> None:
    try:
        import flufl.testing.nose  # noqa: F401
        import nose2  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, '-m', 'pip', 'install', '-q',
                        '--disable-pip-version-check', *TEST_TOOLS],
                       check=True)


def fetch_sdist(work: str) -> str:
    """Mailman's sdist (the installed version), unpacked; its directory."""
    release = version('mailman')
    tree = os.path.join(work, 'mailman-' + release)
    if os.path.isfile(os.path.join(tree, 'unittest.cfg')):
        return tree
    subprocess.run([sys.executable, '-m', 'pip', 'download', '-q',
                    '--disable-pip-version-check', '--no-deps',
                    '--no-binary', ':all:', '--dest', work,
                    'mailman==' + release], check=True)
    with tarfile.open(os.path.join(
            work, 'mailman-{}.tar.gz'.format(release))) as archive:
        if hasattr(tarfile, 'data_filter'):      # 3.11.4 on
            archive.extractall(work, filter='data')
        else:
            archive.extractall(work)
    return tree


def installed_differs(tree: str) -> list:
    """Test files of the sdist that the installed Mailman lacks or changes.

    The tests run from the installed package (they live inside it); they
    must be the release's.
    """
    source = os.path.join(tree, 'src', 'mailman')
    installed = mailman_dir()
    differ = []
    for root, _dirs, names in os.walk(source):
        relative = os.path.relpath(root, source)
        if '/tests' not in '/' + relative and \
                '/docs' not in '/' + relative:
            continue
        for name in names:
            if not name.endswith(('.py', '.rst')):
                continue
            path = os.path.join(relative, name)
            there = os.path.join(installed, path)
            if not os.path.exists(there) or not filecmp.cmp(
                    os.path.join(root, name), there, shallow=False):
                differ.append(path)
    return differ


def runner_tests() -> list:
    """-P patterns for the tests and doctests that build either runner."""
    top = mailman_dir()
    patterns = []
    for root, _dirs, names in os.walk(top):
        relative = os.path.relpath(root, top)
        if not relative.endswith(('tests', 'docs')):
            continue
        for name in sorted(names):
            if not name.endswith(('.py', '.rst')):
                continue
            with open(os.path.join(root, name), encoding='utf-8') as fp:
                text = fp.read()
            if 'make_testable_runner' not in text or (
                    'IncomingRunner' not in text and
                    'CommandRunner' not in text):
                continue
            if name.endswith('.rst'):
                patterns.append(re.escape(os.path.join(relative, name)) + '$')
            else:
                module = 'mailman.{}.{}.'.format(
                    relative.replace(os.sep, '.'), name[:-3])
                patterns.append('^' + re.escape(module))
    return patterns


def extra_cfg(run: str, directory: str) -> str:
    """The MAILMAN_EXTRA_TESTING_CFG of a run (stock: an empty one).

    Every process of a run inherits it (Mailman's master passes it on to
    its runners), which is how stop_leftovers() finds them.
    """
    if run == 'stock':
        text = '# stock: nothing\n'
    elif run.startswith('pgp'):
        text = files('mailman_pgp.config').joinpath(
            'mailman.cfg').read_text().replace(
                'configuration: python:mailman_pgp.config.mailman_pgp',
                'configuration: python:mailman_pgp.testing.mailman_pgp')
    else:
        events_cfg = os.path.join(directory, 'rest-events.cfg')
        with open(events_cfg, 'w') as fp:
            fp.write(EVENTS_CFG)
        os.chmod(events_cfg, 0o600)
        text = files('mailman_rest_events.config').joinpath(
            'mailman.cfg').read_text().replace(
                '/etc/mailman3/rest-events.cfg', events_cfg)
    path = os.path.join(directory, 'extra-testing.cfg')
    with open(path, 'w') as fp:
        fp.write(text)
    return path


def nose2_cfg(tree: str, run: str, directory: str) -> str:
    """The sdist's unittest.cfg, plus JUnit XML output (and the shim)."""
    with open(os.path.join(tree, 'unittest.cfg')) as fp:
        text = fp.read()
    plugins = ('          nose2.plugins.junitxml\n'
               '          mailman_suite_nose\n')
    text = text.replace('          nose2.plugins.layers\n',
                        '          nose2.plugins.layers\n' + plugins)
    assert plugins in text, 'unexpected unittest.cfg'
    text += '\n[junit-xml]\nalways-on = True\npath = {}\n'.format(
        os.path.join(directory, 'junit.xml'))
    if run == 'pgp-runners':
        text += '\n[pgp-runners]\nalways-on = True\n'
    path = os.path.join(directory, 'unittest.cfg')
    with open(path, 'w') as fp:
        fp.write(text)
    return path


def can_unshare() -> list | None:
    """The unshare command line that gives a run its own loopback."""
    command = ['unshare', '--net']
    if os.getuid() != 0:
        command.append('--map-root-user')
    try:
        done = subprocess.run(command + ['true'], capture_output=True)
    except FileNotFoundError:
        return None
    return command if done.returncode == 0 else None


def loopback_up() -> None:
    """Bring up ``lo`` in a new network namespace (no iproute2 needed)."""
    import fcntl
    import socket
    import struct
    get_flags, set_flags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack('16sh', b'lo', 0)
        flags = struct.unpack('16sh', fcntl.ioctl(sock, get_flags,
                                                  request))[1]
        fcntl.ioctl(sock, set_flags, struct.pack('16sh', b'lo',
                                                 flags | iff_up))


def run_one(run: str, tree: str, work: str, unshare: list | None,
            patterns: list, directory: str | None = None) -> dict:
    directory = directory or os.path.join(work, run)
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith('MAILMAN_')}
    extra = extra_cfg(run, directory)
    env['MAILMAN_EXTRA_TESTING_CFG'] = extra
    env['PYTHONPATH'] = os.pathsep.join(
        p for p in (HERE, env.get('PYTHONPATH')) if p)
    site = os.path.dirname(mailman_dir())
    command = [sys.executable, '-m', 'nose2', '-c',
               nose2_cfg(tree, run, directory), '-s', mailman_dir(),
               '-t', site]
    if run == 'pgp-runners':
        patterns = patterns + RUNNER_TESTS
    for pattern in patterns:
        command += ['-P', pattern]
    if unshare:
        command = unshare + [sys.executable, os.path.abspath(__file__),
                             '--loopback-then'] + command
    began = time.monotonic()
    with open(os.path.join(directory, 'output.txt'), 'w') as output:
        try:
            status = subprocess.run(
                command, stdout=output, stderr=subprocess.STDOUT, env=env,
                cwd=directory, timeout=TIMEOUT[0]).returncode
        except subprocess.TimeoutExpired:
            status = 'killed after {} s'.format(TIMEOUT[0])
    seconds = time.monotonic() - began
    left = stop_leftovers('MAILMAN_EXTRA_TESTING_CFG=' + extra)
    results = read_junit(os.path.join(directory, 'junit.xml'))
    log('{:<12} {:4d} tests in {:5.0f} s (nose2 exit {}{})'.format(
        run, len(results), seconds, status,
        '; {} runner(s) left behind, stopped'.format(left) if left else ''))
    return results


def stop_leftovers(variable: str) -> int:
    """Stop the processes a run left behind; how many there were.

    Some of Mailman's tests start a master or runners and, on a slow
    machine, leave them running when they fail.  They are found by the
    environment variable only this run's processes have.
    """
    needle = b'\0' + variable.encode() + b'\0'
    found = []
    for name in os.listdir('/proc'):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            with open('/proc/{}/environ'.format(name), 'rb') as fp:
                if needle in b'\0' + fp.read() + b'\0':
                    found.append(int(name))
        except OSError:
            continue
    for signum in (signal.SIGTERM, signal.SIGKILL):
        for pid in found:
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(map(_running, found)):
            time.sleep(0.2)
    return len(found)


def _running(pid: int) -> bool:
    """Whether pid is a process that still runs: gone, or a zombie
    waiting for its parent to reap it, it is not."""
    try:
        with open('/proc/{}/stat'.format(pid), 'rb') as fp:
            stat = fp.read()
    except OSError:
        return False
    # pid (comm) state ...: comm may hold spaces and parentheses.
    return stat[stat.rindex(b')') + 2:][:1] != b'Z'


def read_junit(path: str) -> dict:
    """{test id: 'pass' | 'skip' | the failure's report} from JUnit XML."""
    results = {}
    if not os.path.exists(path):
        return results
    for case in ET.parse(path).getroot().iter('testcase'):
        test = '{}.{}'.format(case.get('classname'), case.get('name'))
        outcome = 'pass'
        for child in case:
            if child.tag in ('failure', 'error'):
                outcome = child.text or child.tag
            elif child.tag == 'skipped' and outcome == 'pass':
                outcome = 'skip'
        results[test] = outcome
    return results


def _ellipsis_match(want: str, got: str, normalize: bool) -> bool:
    """doctest's ELLIPSIS (and NORMALIZE_WHITESPACE: flufl.testing's
    flags) on one line."""
    if normalize:
        want, got = ' '.join(want.split()), ' '.join(got.split())
    return re.fullmatch('.*'.join(map(re.escape, want.split('...'))),
                        got, re.S) is not None


def doctest_differences(report: str) -> list | None:
    """The output lines a doctest failure differs by ('+ '/'- ' first).

    Pairs that only differ where the expected line has ``...``, or in
    white space, are left out (ndiff shows them, doctest's ELLIPSIS and
    NORMALIZE_WHITESPACE accepted them).  None when an example
    failed otherwise (an exception, a failed set-up).
    """
    examples = report.split('\nFailed example:\n')[1:]
    if not examples:
        return None
    differences = []
    for example in examples:
        marker = 'Differences (ndiff with -expected +actual):\n'
        if marker not in example:
            return None
        minus, plus = [], []
        for line in example.split(marker, 1)[1].split('\n'):
            if line.startswith('-' * 20):
                break
            tag, text = line[4:6], line[6:]
            if tag == '- ':
                minus.append(text)
            elif tag == '+ ':
                plus.append(text)
        # Exact pairs first: a looser one could take another's partner.
        for normalize in (False, True):
            for want in list(minus):
                for got in plus:
                    if _ellipsis_match(want, got, normalize):
                        plus.remove(got)
                        minus.remove(want)
                        break
        differences += ['- ' + want for want in minus]
        differences += ['+ ' + got for got in plus]
    return differences


def read_allowlist() -> dict:
    """{(run, test id): regex or None}; run ``*``: every wired run."""
    allowed = {}
    with open(ALLOWLIST) as fp:
        for number, line in enumerate(fp, 1):
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            what, dashes, why = line.partition(' -- ')
            fields = what.split(None, 2)
            regex = fields[2].strip() if len(fields) == 3 else None
            if not dashes or not why.strip() or len(fields) < 2 or (
                    regex is not None and not (
                        len(regex) > 2 and regex[0] == regex[-1] == '/')):
                sys.exit('{}:{}: want "<run|*> <test id> [/<regex>/] -- '
                         '<why>"'.format(ALLOWLIST, number))
            allowed[fields[0], fields[1]] = (
                None if regex is None else re.compile(regex[1:-1]))
    return allowed


def allowed_difference(regex, report: str) -> list:
    """What of a failure an allowlist line does not explain ([] if all)."""
    if regex is None:
        return []
    differences = doctest_differences(report)
    if differences is None:
        return ['(not only a difference in the output)']
    return [line for line in differences if not regex.search(line[2:])]


def compare(results: dict, quiet: bool = False) -> list:
    """The (run, test) pairs that pass stock and not wired, unexplained."""
    say = (lambda *words: None) if quiet else log
    stock = results.get('stock', {})
    broken = sorted(t for t, outcome in stock.items()
                    if outcome not in ('pass', 'skip'))
    if broken and not quiet:
        log('{} test(s) fail stock too (reported, not fatal):'.format(
            len(broken)))
        for test in broken:
            print('    ' + test)
    allowed = read_allowlist()
    used = set()
    differences = []
    for run, wired in results.items():
        if run == 'stock':
            continue
        for test in sorted(wired.keys() | stock.keys()):
            if run == 'pgp-runners' and not any(
                    re.search(pattern, test) for pattern in RUNNER_TESTS):
                continue
            if stock.get(test) != 'pass' or wired.get(test) == 'pass':
                continue
            outcome = wired.get(test)
            key = next((key for key in ((run, test), ('*', test))
                        if key in allowed), None)
            if key is not None and outcome not in (None, 'skip'):
                used.add(key)
                unexplained = allowed_difference(allowed[key], outcome)
                if not unexplained:
                    continue
                differences.append((run, test))
                say('{}: {} fails wired beyond its allowlist line:'.format(
                    run, test))
                if not quiet:
                    for line in unexplained:
                        print('    ' + line)
                continue
            differences.append((run, test))
            say('{}: passes stock, {} wired: {}'.format(
                run, {None: 'missing', 'skip': 'skipped'}.get(
                    outcome, 'fails'), test))
    wired_runs = [run for run in results if run != 'stock']
    for run, test in sorted(set(allowed) - used):
        if any(results[each].get(test) == 'pass' for each in (
                wired_runs if run == '*' else [run]) if each in results):
            say('allowlisted, yet passes (remove the line?): {} {}'.format(
                run, test))
    return differences


def retry(results: dict, differences: list, tree: str, work: str,
          unshare: list | None) -> None:
    """Run the differing tests of each wired run once more, alone.

    Some of Mailman's tests wait a bounded time for a runner (test_master)
    and fail on a loaded machine, stock or wired; one that passes the
    second time is not a difference.
    """
    by_run = {}
    for run, test in differences:
        if test.startswith('doctest.'):
            pattern = re.escape(test[len('doctest.'):]) + '$'
        else:
            pattern = '^' + re.escape(test) + '$'
        by_run.setdefault(run, []).append(pattern)
    for run, patterns in by_run.items():
        again = run_one(run, tree, work, unshare, patterns,
                        directory=os.path.join(work, run + '.again'))
        passed = [test for _run, test in differences
                  if _run == run and again.get(test) == 'pass']
        log('{}: {} of {} differing test(s) pass when run again'.format(
            run, len(passed), len(patterns)))
        for test in passed:
            results[run][test] = 'pass'


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0])
    parser.add_argument('--jobs', type=int, default=2)
    parser.add_argument('--runs', default=','.join(RUNS))
    parser.add_argument('--work', default=os.path.join(
        os.getcwd(), '.mailman-suite'))
    parser.add_argument('-P', dest='patterns', action='append', default=[])
    parser.add_argument('--timeout', type=int, default=TIMEOUT[0],
                        help='seconds a run may take; then it is stopped '
                        'and its unfinished tests count as missing')
    parser.add_argument('--compare-only', action='store_true',
                        help='compare the results of the last runs again '
                        '(after an allowlist change)')
    args = parser.parse_args()
    TIMEOUT[0] = args.timeout
    runs = [run for run in args.runs.split(',') if run]
    unknown = set(runs) - set(RUNS)
    if unknown or 'stock' not in runs:
        parser.error('runs: stock and any of {}'.format(', '.join(RUNS)))
    os.makedirs(args.work, exist_ok=True)
    work = os.path.abspath(args.work)
    RUNNER_TESTS[:] = runner_tests()
    if args.compare_only:
        return verdict({run: read_junit(os.path.join(work, run, 'junit.xml'))
                        for run in runs}, work)
    ensure_test_tools()
    tree = fetch_sdist(work)
    differ = installed_differs(tree)
    if differ:
        log('the installed Mailman is not the sdist\'s: ' +
            ', '.join(differ[:10]))
        return 2
    unshare = can_unshare()
    jobs = args.jobs if unshare else 1
    if not unshare:
        log('no unshare: runs one after another (fixed ports)')
    began = time.monotonic()
    # The longest runs first, so that two jobs finish together.
    order = sorted(runs, key=lambda run: run == 'pgp-runners')
    with ThreadPoolExecutor(jobs) as pool:
        futures = {run: pool.submit(run_one, run, tree, work, unshare,
                                    args.patterns) for run in order}
        results = {run: futures[run].result() for run in runs}
    log('all runs: {:.0f} s with {} job(s)'.format(
        time.monotonic() - began, jobs))
    if results['stock']:
        differences = compare(results, quiet=True)
        if differences and len(differences) <= 50:
            retry(results, differences, tree, work, unshare)
    return verdict(results, work)


def verdict(results: dict, work: str) -> int:
    if not results['stock']:
        log('the stock run has no results: see {}/stock/output.txt'.format(
            work))
        return 2
    differences = compare(results)
    if differences:
        log('{} test(s) pass stock and not wired: a plain Mailman '
            'behaves differently with the plugins (or add the test to {} '
            'if it only lists an inventory)'.format(len(differences),
                                                    ALLOWLIST))
        return 1
    log('no difference from stock Mailman')
    return 0


if __name__ == '__main__':
    if sys.argv[1:2] == ['--loopback-then']:
        loopback_up()
        os.execv(sys.argv[2], sys.argv[2:])
    sys.exit(main())
