"""The order in which pytest-xdist hands out the suite's scopes.

A scope (a test class, or a module of test functions) runs on one worker.
pytest-xdist's own order (most tests first) handed the few long scopes,
each of one or two tests that start a Mailman instance, out last: one
worker ran them for minutes at the end while the others had nothing left.
Longest first (the classic longest-processing-time rule) ends the workers
together.  The seconds below are each scope's tests summed, measured with
``--durations=0`` (4 workers on 2 cores, 2026-12-06); a scope not listed
counts SECONDS_PER_TEST a test.  A wrong figure only costs time.
"""

SECONDS_PER_TEST = 0.2

SCOPE_SECONDS = {
    'tests/web/test_browser_tasks.py': 110,
    'tests/test_demo.py::TestDemoStops': 91,
    'tests/rest_events/test_faults.py::TestFaults': 85,
    'tests/web/test_reader.py': 72,
    'tests/runners/test_post_fuzz.py::TestPostFuzz': 69,
    'tests/rest_events/test_faults.py::TestDrain': 61,
    'tests/web/test_views.py': 60,
    'tests/web/test_permissions.py': 58,
    'tests/test_instance.py::TestInstance': 52,
    'tests/rest_events/test_events.py::TestEveryEvent': 49,
    'tests/test_clients_e2e.py::TestClients': 47,
    'tests/cli/test_cli_instance.py::TestRealCLI': 46,
    'tests/web/test_browser.py': 45,
    'tests/test_wkd_gpg.py::TestGpgFindsListKey': 38,
    'tests/test_half_start.py::TestKeyFiles': 38,
    'tests/rest_events/test_faults.py::TestRestart': 35,
    'tests/pgp/test_pgp_other_clients.py': 33,
    'tests/test_mailman_suite.py::TestLeftovers': 25,
    'tests/pgp/differential/test_cleartext.py': 23,
    'tests/test_half_start.py::TestControl': 23,
    'tests/test_half_start.py::TestWiring': 21,
    'tests/test_fail_closed.py::TestStartRefused': 20,
    'tests/rest_events/test_plugin.py::TestPlugin': 20,
    'tests/pgp/differential/test_differential.py': 19,
    'tests/runners/test_hostile_corpus.py::TestHostileCorpus': 17,
    'tests/web/test_key_pages.py': 15,
    'tests/mta/test_author_signature.py::TestAuthorSignature': 14,
}


def scope_of(nodeid: str) -> str:
    """The scope pytest-xdist's --dist loadscope groups a test by."""
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
