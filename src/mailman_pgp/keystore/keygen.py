"""Give each new PGP list its key pair without blocking list creation.

Elliptic-curve keys take milliseconds and are made at once.  RSA keys can
take seconds, so they are made by a detached process (it outlives a
``mailman create`` that started it) which writes the key file atomically;
until the file exists, posts to the list wait in their queue.

Run as ``python -m mailman_pgp.keystore.keygen PATH PRIMARY SUB DAYS UID...``
with each UID as ``Name <address>``.
"""

import logging
import os
import subprocess
import sys

from datetime import timedelta
from email.utils import parseaddr

from public import public

from mailman_pgp.keystore.files import locked, write_atomically
from mailman_pgp.pgp import generate_key, parse_key_spec


log = logging.getLogger('mailman.plugins.pgp')


def list_uids(mlist) -> list[tuple[str, str]]:
    """The list key's UIDs: the posting address first, then -request."""
    name = mlist.display_name or mlist.list_name
    return [(name, mlist.posting_address),
            (name, mlist.request_address)]


def _is_quick(spec) -> bool:
    return not str(spec).upper().startswith('RSA')


def _generate_into(path: str, primary, sub, lifetime: timedelta | None,
                   uids: list[tuple[str, str]]) -> None:
    with locked(path):
        if os.path.exists(path):        # someone else was quicker
            return
        key = generate_key(primary, sub, uids, expires=lifetime)
        write_atomically(path, key.armor())


@public
def ensure_list_key(mlist, store, site) -> str:
    """Make sure ``mlist`` has (or will soon have) a key pair.

    :return: 'exists', 'generated', 'generating' (in the background) or
        'disabled' (``[keypairs] autogenerate: no``).
    """
    path = store.list_key_path(mlist.list_id)
    if os.path.exists(path):
        return 'exists'
    if not site.keypairs.autogenerate:
        log.warning('%s: no list key and autogenerate is off; posts wait '
                    'until `mailman pgp import-key` supplies one',
                    mlist.list_id)
        return 'disabled'
    store.ensure_directories()
    primary, sub = site.keypairs.primary_key, site.keypairs.sub_key
    lifetime = site.keypairs.key_lifetime
    uids = list_uids(mlist)
    if _is_quick(primary) and _is_quick(sub):
        _generate_into(path, primary, sub, lifetime, uids)
        log.info('%s: list key generated (%s, %s)', mlist.list_id,
                 primary, sub)
        return 'generated'
    days = 0 if lifetime is None else max(1, lifetime.days)
    arguments = [sys.executable, '-m', 'mailman_pgp.keystore.keygen', path,
                 str(primary), str(sub), str(days)]
    arguments += ['{} <{}>'.format(name, email) for name, email in uids]
    subprocess.Popen(arguments, start_new_session=True,
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL, close_fds=True)
    log.info('%s: list key generation started in the background (%s, %s)',
             mlist.list_id, primary, sub)
    return 'generating'


def main(argv: list[str]) -> int:
    path, primary, sub, days, *uids = argv
    lifetime = timedelta(days=int(days)) if int(days) > 0 else None
    _generate_into(path, parse_key_spec(primary, 'primary'),
                   parse_key_spec(sub, 'sub'), lifetime,
                   [parseaddr(uid) for uid in uids])
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
