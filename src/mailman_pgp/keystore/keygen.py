"""Give each new PGP list its key pair without blocking list creation.

Elliptic-curve keys take milliseconds and are made at once.  RSA keys can
take seconds, so they are made by a detached process (it outlives a
``mailman create`` that started it) which loads Mailman's configuration
and stores the key in the key store; until the key exists, posts to the
list wait in their queue.

Run as ``python -m mailman_pgp.keystore.keygen MAILMAN_CFG LIST_ID``.
"""

import logging
import subprocess
import sys


from public import public

from mailman_pgp.pgp import generate_key


log = logging.getLogger('mailman.plugins.pgp')


def list_uids(mlist) -> list[tuple[str, str]]:
    """The list key's UIDs: the posting address first, then -request."""
    name = mlist.display_name or mlist.list_name
    return [(name, mlist.posting_address),
            (name, mlist.request_address)]


def _is_quick(spec) -> bool:
    return not str(spec).upper().startswith('RSA')


def generate_for(store, list_id: str, uids, site) -> bool:
    """Make the list key unless it exists; True if this call made it."""
    with store.generating(list_id):
        if store.list_key(list_id) is not None:     # someone was quicker
            return False
        key = generate_key(site.keypairs.primary_key, site.keypairs.sub_key,
                           uids, expires=site.keypairs.key_lifetime)
        store.set_list_key(list_id, key)
        return True


@public
def ensure_list_key(mlist, store, site) -> str:
    """Make sure ``mlist`` has (or will soon have) a key pair.

    :return: 'exists', 'generated', 'generating' (in the background) or
        'disabled' (``[keypairs] autogenerate: no``).
    """
    if store.list_key(mlist.list_id) is not None:
        return 'exists'
    if not site.keypairs.autogenerate:
        log.warning('%s: no list key and autogenerate is off; posts wait '
                    'until `mailman pgp import-key` supplies one',
                    mlist.list_id)
        return 'disabled'
    store.ensure_directories()
    primary, sub = site.keypairs.primary_key, site.keypairs.sub_key
    if _is_quick(primary) and _is_quick(sub):
        generate_for(store, mlist.list_id, list_uids(mlist), site)
        log.info('%s: list key generated (%s, %s)', mlist.list_id,
                 primary, sub)
        return 'generated'
    from mailman.config import config
    subprocess.Popen([sys.executable, '-m', 'mailman_pgp.keystore.keygen',
                      config.filename, mlist.list_id],
                     start_new_session=True, stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     close_fds=True)
    log.info('%s: list key generation started in the background (%s, %s)',
             mlist.list_id, primary, sub)
    return 'generating'


def main(argv: list[str]) -> int:
    """Make a list's key in a process of its own (with Mailman's config)."""
    import time
    from mailman.core.initialize import initialize
    from mailman.database.transaction import transaction
    from mailman.interfaces.listmanager import IListManager
    from zope.component import getUtility
    config_file, list_id = argv
    initialize(config_file)
    from mailman_pgp.config import site_config
    from mailman_pgp.keystore import key_store
    deadline = time.monotonic() + 120
    while True:
        # The creating transaction may not have committed yet.
        with transaction():
            mlist = getUtility(IListManager).get_by_list_id(list_id)
            if mlist is not None:
                made = generate_for(key_store(), list_id, list_uids(mlist),
                                    site_config())
                if made:
                    log.info('%s: list key generated in the background',
                             list_id)
                return 0
        if time.monotonic() > deadline:
            log.error('%s: no such list; no key generated', list_id)
            return 1
        time.sleep(1)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
