"""The differential corpus, built and judged by Sequoia once per session."""

import os
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest

from .hand_cases import build as build_hand
from .tool_cases import build as build_tools
from .verdicts import reference

SEQUOIA = bool(shutil.which('sqv') and shutil.which('sqop'))
# Filled by the corpus fixture, printed at the end of the run.
SUMMARY = {}


@pytest.fixture(scope='session')
def corpus():
    """{case id: (Case, Reference)} for every case, judged by Sequoia."""
    if not SEQUOIA:
        if os.environ.get('MAILMAN_PGP_REQUIRE_SEQUOIA'):
            pytest.fail('sqv and sqop are required (MAILMAN_PGP_REQUIRE_'
                        'SEQUOIA is set, as in .ci/run) but not installed')
        pytest.skip('sqv and sqop (Sequoia; Debian packages sqv, sqop) are '
                    'not installed: no reference to compare with')
    # Built again now: future-dated cases are relative to the clock, and
    # collection may have happened minutes ago.
    cases = build_hand() + build_tools(shutil.which)
    with ThreadPoolExecutor(4) as pool:
        refs = list(pool.map(reference, cases))
    out = {case.id: (case, ref) for case, ref in zip(cases, refs)}
    SUMMARY['cases'] = cases
    SUMMARY['sqop'] = [c.id for c, r in zip(cases, refs)
                       if not r.tools_agree]
    SUMMARY['gpg'] = [(c.id, r) for c, r in zip(cases, refs)
                      if r.gpg is not None and (r.gpg > 0) != (r.good > 0)]
    return out


def pytest_terminal_summary(terminalreporter):
    if 'cleartext' in SUMMARY:
        total, counts = SUMMARY['cleartext']
        terminalreporter.write_sep('-', 'cleartext differential (test_'
                                   'cleartext.py)')
        terminalreporter.write_line(f'{total} cases: ' + ', '.join(
            f'{n} {what}' for what, n in counts.items()))
    cases = SUMMARY.get('cases')
    if not cases:
        return
    tr = terminalreporter
    origins = {}
    for case in cases:
        origins[case.origin] = origins.get(case.origin, 0) + 1
    tr.write_sep('-', 'differential corpus (tests/pgp/differential)')
    tr.write_line('{} cases ({})'.format(len(cases), ', '.join(
        f'{n} {origin}' for origin, n in sorted(origins.items()))))
    if SUMMARY['sqop']:
        tr.write_line('sqv and sqop disagree (sqv used) on: '
                      + ', '.join(SUMMARY['sqop']))
    if SUMMARY['gpg']:
        tr.write_line('gpg disagrees with Sequoia (gpg not used) on: '
                      + ', '.join(cid for cid, _ in SUMMARY['gpg']))
