"""PGPy, imported on first use and with its warnings silenced.

Most Mailman processes never need PGPy: the outgoing runner signs and
encrypts from the packets (``_fastkey``, ``_session``), so importing it
(about 5 MiB) waits until some code really uses it.  ``pgpy`` and
``constants`` here stand for the modules and import them, with the
``speedups`` applied, on the first attribute read.  Code outside this
package never uses them; inside, a module-level name may hold a proxy
(``ST = lazy('pgpy.constants.SignatureType')``) but never a value read
from one.

PGPy warns about its own TODOs and about cryptography deprecations on each
operation; these are noise in Mailman's logs, not facts about the mail.
"""

import contextlib
import importlib
import sys
import threading
import warnings

_lock = threading.Lock()
_loaded = False


def load_pgpy():
    """Import pgpy once, with the speedups applied; return the module."""
    global _loaded
    if not _loaded:
        with _lock:
            if not _loaded:
                with warnings.catch_warnings():
                    warnings.simplefilter('ignore')
                    import pgpy  # noqa: F401
                    import pgpy.constants  # noqa: F401
                    import pgpy.types  # noqa: F401
                    from mailman_pgp.pgp import speedups  # noqa: F401
                _loaded = True
    return sys.modules['pgpy']


class lazy:
    """A pgpy module or name, resolved when one of its attributes is read."""

    __slots__ = ('_path', '_target')

    def __init__(self, path: str):
        self._path = path
        self._target = None

    def _resolve(self):
        if self._target is None:
            load_pgpy()
            module, _, name = self._path.rpartition('.')
            if self._path in sys.modules:
                target = sys.modules[self._path]
            else:
                target = getattr(importlib.import_module(module), name)
            self._target = target
        return self._target

    def __getattr__(self, name):
        return getattr(self._resolve(), name)

    def __repr__(self):
        return f'<lazy {self._path}>'


pgpy = lazy('pgpy')
constants = lazy('pgpy.constants')


@contextlib.contextmanager
def quiet():
    """Suppress PGPy's and cryptography's warnings inside the block."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        yield
