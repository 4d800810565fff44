"""Plugin tables on Mailman's own ``Model``, in Mailman's database.

The names below load their module on first use (PEP 562), as the crypto
facade's do: every Mailman process loads the plugin's components and checks
the schema, and only the processes that touch a PGP list should pay for
mapping the tables (about 0.6 MiB each).  ``ensure_schema`` creates the
tables a new database lacks.
"""

import importlib

# class -> its module under mailman_pgp.model, in the order the tables are
# created (PLUGIN_TABLES).
_HOME = {
    'PGPMailingList': 'mailinglist',
    'PGPAddress': 'address',
    'PGPSigHash': 'sighash',
    'PGPKey': 'key',
}

__all__ = sorted(_HOME) + ['PLUGIN_TABLES']


def __getattr__(name: str):
    if name == 'PLUGIN_TABLES':
        value = tuple(__getattr__(cls).__table__ for cls in _HOME)
    elif name in _HOME:
        value = getattr(importlib.import_module(
            __name__ + '.' + _HOME[name]), name)
    else:
        raise AttributeError(
            'module {!r} has no attribute {!r}'.format(__name__, name))
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
