"""scripts/mailman-suite.py: what counts as a difference from stock.

Only the comparison; the runs themselves are CI's step 5.
"""

import importlib.util
import os
import re
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _script():
    spec = importlib.util.spec_from_file_location(
        'mailman_suite', os.path.join(ROOT, 'scripts', 'mailman-suite.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


suite = _script()

REPORT = """\
AssertionError: Failed doctest test for styles.rst
----------------------------------------------------------------------
File "styles.rst", line 22, in styles.rst
Failed example:
    print(style)
Differences (ndiff with -expected +actual):
    - <mailman.interfaces.chain.HoldEvent ...>
    + <mailman.interfaces.chain.HoldEvent object at 0x7f>
      legacy-default
    + pgp-default
{}
"""


class TestDoctestDifferences(unittest.TestCase):
    def test_ellipsis_pairs_are_no_difference(self):
        self.assertEqual(suite.doctest_differences(REPORT.format('')),
                         ['+ pgp-default'])

    def test_an_exception_is_never_only_output(self):
        report = ('Failed example:\n    x()\nException raised:\n'
                  '    Traceback...\n')
        self.assertIsNone(suite.doctest_differences(report))

    def test_allowlist_regex_must_explain_every_line(self):
        regex = re.compile('^pgp-(announce|default)$')
        self.assertEqual(suite.allowed_difference(
            regex, REPORT.format('')), [])
        self.assertEqual(suite.allowed_difference(
            regex, REPORT.format('    + key  - Manage your PGP key')),
            ['+ key  - Manage your PGP key'])


class TestCompare(unittest.TestCase):
    def compare(self, stock, wired, run='pgp'):
        return len(suite.compare({'stock': stock, run: wired}))

    def test_a_test_failing_wired_only_is_a_difference(self):
        self.assertEqual(self.compare({'a.T.t': 'pass'}, {'a.T.t': 'boom'}),
                         1)

    def test_missing_or_skipped_wired_is_a_difference(self):
        self.assertEqual(self.compare({'a.T.t': 'pass', 'a.T.u': 'pass'},
                                      {'a.T.u': 'skip'}), 2)

    def test_failing_stock_too_is_reported_not_counted(self):
        self.assertEqual(self.compare({'a.T.t': 'boom'}, {'a.T.t': 'boom'}),
                         0)

    def test_allowlisted_inventory_test(self):
        test = 'mailman.rest.tests.test_lists.TestListStyles.test_styles'
        self.assertEqual(self.compare({test: 'pass'}, {test: 'boom'}), 0)

    def test_the_allowlist_reads(self):
        allowed = suite.read_allowlist()
        self.assertTrue(allowed)
        for (run, _test), _regex in allowed.items():
            self.assertIn(run, ('*',) + suite.RUNS[1:])


class TestLeftovers(unittest.TestCase):
    def test_processes_of_the_run_are_stopped_others_not(self):
        import subprocess
        import sys
        marker = 'MAILMAN_EXTRA_TESTING_CFG=/tmp/run-{}/x.cfg'.format(
            os.getpid())
        name, value = marker.split('=', 1)
        sleep = [sys.executable, '-c', 'import time; time.sleep(60)']
        left = subprocess.Popen(sleep, env=dict(os.environ, **{name: value}))
        other = subprocess.Popen(sleep, env=dict(os.environ, **{
            name: value + '.other'}))
        # Python 3.13 may start them with vfork: Popen returns while exec
        # is still setting up the new environment, which /proc shows empty
        # until then (a leftover of a real run has long been running).
        for child in (left, other):
            _wait_for_environment(child.pid, name.encode())
        try:
            self.assertEqual(suite.stop_leftovers(marker), 1)
            self.assertIsNotNone(left.wait(10))
            self.assertIsNone(other.poll())
        finally:
            other.kill()
            other.wait()


def _wait_for_environment(pid: int, name: bytes) -> None:
    import time
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with open('/proc/{}/environ'.format(pid), 'rb') as fp:
            if name in fp.read():
                return
        time.sleep(0.01)
