"""The suite's own scheduling: longest scopes first, each kept together."""

import types

from tests.schedule import SCOPE_SECONDS, longest_first, scope_of


def _items(*nodeids):
    return [types.SimpleNamespace(nodeid=n) for n in nodeids]


def test_scope_is_xdist_loadscope_s():
    assert scope_of('tests/a.py::TestA::test_x') == 'tests/a.py::TestA'
    assert scope_of('tests/a.py::test_x[1-2]') == 'tests/a.py'


def test_web_tests_share_one_scope():
    # One worker starts the web tests' Core, not each that gets a module.
    assert scope_of('tests/web/test_views.py::test_x') == 'tests/web'
    assert scope_of('tests/web/test_reader.py::test_y[rsa]') == 'tests/web'
    assert scope_of('tests/webby.py::test_z') == 'tests/webby.py'


def test_longest_first_keeps_each_scope_together_in_its_order():
    slow = next(iter(SCOPE_SECONDS))
    items = _items('tests/few.py::test_1', 'tests/many.py::test_1',
                   'tests/few.py::test_2', slow + '::test_1',
                   'tests/many.py::test_2', 'tests/many.py::test_3')
    longest_first(items)
    assert [i.nodeid for i in items] == [
        slow + '::test_1', 'tests/many.py::test_1', 'tests/many.py::test_2',
        'tests/many.py::test_3', 'tests/few.py::test_1',
        'tests/few.py::test_2']


def test_measured_scopes_exist():
    # A renamed test would silently lose its place at the front.
    import os
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for scope in SCOPE_SECONDS:
        path, _, cls = scope.partition('::')
        if os.path.isdir(os.path.join(root, path)):
            continue
        with open(os.path.join(root, path)) as fp:
            assert not cls or 'class {}('.format(cls) in fp.read(), scope
