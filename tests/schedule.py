"""The order in which pytest-xdist hands out the suite's scopes.

A scope (a test class, a module of test functions, or a directory of
SHARED_SCOPES) runs on one worker.
pytest-xdist's own order (most tests first) handed the few long scopes,
each of one or two tests that start a Mailman instance, out last: one
worker ran them for minutes at the end while the others had nothing left.
Longest first (the classic longest-processing-time rule) ends the workers
together.  The seconds below are each scope's tests summed, measured per
test (4 workers on 2 cores, 2026-12-07, a fresh clone); a scope not
listed counts SECONDS_PER_TEST a test.  A wrong figure only costs time.
"""

SECONDS_PER_TEST = 0.2

SCOPE_SECONDS = {
    'tests/web': 199,
    'tests/test_demo.py::TestDemoStops': 73,
    'tests/rest_events/test_faults.py::TestFaults': 66,
    'tests/runners/test_post_fuzz.py::TestPostFuzz': 58,
    'tests/test_instance.py::TestInstance': 54,
    'tests/cli/test_cli_instance.py::TestRealCLI': 47,
    'tests/test_clients_e2e.py::TestClients': 47,
    'tests/rest_events/test_faults.py::TestDrain': 44,
    'tests/rest_events/test_events.py::TestEveryEvent': 43,
    'tests/rest_events/test_faults.py::TestRestart': 38,
    'tests/test_wkd_gpg.py::TestGpgFindsListKey': 35,
    'tests/test_half_start.py::TestKeyFiles': 35,
    'tests/test_half_start.py::TestWiring': 35,
    'tests/pgp/test_pgp_other_clients.py': 30,
    'tests/test_fail_closed.py::TestStartRefused': 27,
    'tests/test_half_start.py::TestControl': 25,
    'tests/rest_events/test_plugin.py::TestPlugin': 22,
    'tests/runners/test_hostile_corpus.py::TestHostileCorpus': 21,
    'tests/pgp/differential/test_cleartext.py': 18,
    'tests/pgp/differential/test_differential.py': 16,
    'tests/mta/test_author_signature.py::TestAuthorSignature': 15,
}


# Scopes that share a costly per-worker fixture run as one scope: every web
# test uses the session's Core (a Mailman instance, about 30 s of CPU to
# start under load), which each worker that got a web module started again.
SHARED_SCOPES = ('tests/web',)


def scope_of(nodeid: str) -> str:
    """The scope a test runs in (on one worker): its class or module, as
    pytest-xdist's --dist loadscope has it, or a directory of SHARED_SCOPES
    (the conftest's scheduler uses this)."""
    for shared in SHARED_SCOPES:
        if nodeid.startswith(shared + '/'):
            return shared
    return nodeid.rsplit('::', 1)[0]


def longest_first(items: list) -> None:
    """Sort items so that their scopes come longest first, each scope's
    tests together and in their order."""
    first, count = {}, {}
    for index, item in enumerate(items):
        scope = scope_of(item.nodeid)
        first.setdefault(scope, index)
        count[scope] = count.get(scope, 0) + 1

    def cost(scope):
        return SCOPE_SECONDS.get(scope, count[scope] * SECONDS_PER_TEST)

    items.sort(key=lambda item: (-cost(scope_of(item.nodeid)),
                                 first[scope_of(item.nodeid)]))
