"""What is wrong with the key store, for ``mailman pgp check`` and start-up.

One list of checks, so the admin reads at start-up (plugins.log) the same
lines ``mailman pgp check`` prints: key directories and files open to
others, owned by another user or unreadable, and each PGP list's key.
"""

import os
import stat

from public import public


@public
def key_report(store, access=None) -> tuple[list[str], list[str]]:
    """(problems, warnings), each one line with its fix (``access``: the
    caller's access_problems(store), not computed twice)."""
    from mailman_pgp.cli.common import (
        list_key_health, pgp_lists)
    from mailman_pgp.keystore.store import UnreadableKeyError
    from mailman_pgp.wiring import access_problems, permission_problems
    if access is None:
        access = access_problems(store)
    problems = (store.exposed + access +
                permission_problems(store) + retired_modes(store))
    warnings = []
    for mlist in pgp_lists():
        try:
            key = store.list_key(mlist.list_id)
        except UnreadableKeyError as error:
            problems.append(str(error))
            continue
        bad, soon = list_key_health(mlist, key)
        problems += bad
        warnings += soon
    return problems, warnings


@public
def retired_modes(store) -> list[str]:
    """Retired list keys (kept after a rotation) readable by others."""
    problems = []
    top = os.path.join(store.list_keydir, 'retired')
    for directory, _, names in os.walk(top):
        paths = [directory] + [os.path.join(directory, name)
                               for name in sorted(names)
                               if name.endswith('.asc')]
        for path in paths:
            mode = stat.S_IMODE(os.lstat(path).st_mode)
            if mode & 0o077:
                problems.append('{} (retired list keys) has mode {:o}; run '
                                'chmod {} on it'.format(
                                    path, mode,
                                    700 if path == directory else 600))
    return problems
