"""nose2 plugins for scripts/mailman-suite.py (loaded by every run).

DoctestIds: nose2 names a doctest file by its base name only
(``doctest.lists_rst``), and twelve of Mailman's share a base name with
another (``rest/docs/lists.rst``, ``model/docs/lists.rst``...): each gets
its path (``doctest.rest/docs/lists.rst``) so that runs compare test by
test.

PGPRunners (on in the pgp-runners run only: ``[pgp-runners]
always-on = True``): Mailman's runner tests build ``IncomingRunner`` and
``CommandRunner`` themselves (``make_testable_runner(IncomingRunner,
'in')``), so the ``[runner.in]`` and ``[runner.command]`` lines of the
plugin's wiring never reach them.  Before the test modules are imported,
both names in Mailman's modules are made to refer to the plugin's
subclasses: ``from mailman.runners.incoming import IncomingRunner`` in a
test then gets ``PGPIncomingRunner``.  The stand-ins keep Mailman's class
names, from which ``make_testable_runner()`` derives the runner's name
(``in``, ``command``) when a test gives none.
"""

import os

from nose2.events import Plugin


class DoctestIds(Plugin):
    configSection = 'doctest-ids'
    alwaysOn = True

    def startTestRun(self, event):
        import mailman
        top = os.path.dirname(mailman.__file__)
        for test in _tests(event.suite):
            doctest = getattr(test, '_dt_test', None)
            if doctest is not None and doctest.filename:
                name = 'doctest.' + os.path.relpath(doctest.filename, top)
                test.id = lambda name=name: name


class PGPRunners(Plugin):
    configSection = 'pgp-runners'
    alwaysOn = False

    def createTests(self, event):
        import mailman.runners.command
        import mailman.runners.incoming
        from mailman_pgp.runners.command import PGPCommandRunner
        from mailman_pgp.runners.incoming import PGPIncomingRunner
        mailman.runners.incoming.IncomingRunner = type(
            'IncomingRunner', (PGPIncomingRunner,), {})
        mailman.runners.command.CommandRunner = type(
            'CommandRunner', (PGPCommandRunner,), {})


def _tests(suite):
    for test in suite:
        if hasattr(test, '__iter__'):
            yield from _tests(test)
        else:
            yield test
