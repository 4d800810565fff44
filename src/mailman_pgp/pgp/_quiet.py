"""Import pgpy once, silencing the warnings it emits on every call.

PGPy warns about its own TODOs and about cryptography deprecations on each
operation; these are noise in Mailman's logs, not facts about the mail.
"""

import contextlib
import warnings

with warnings.catch_warnings():
    warnings.simplefilter('ignore')
    import pgpy  # noqa: F401
    from pgpy import constants  # noqa: F401


@contextlib.contextmanager
def quiet():
    """Suppress PGPy's and cryptography's warnings inside the block."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        yield
