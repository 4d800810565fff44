"""No cleartext store for a PGP list: archivers and digests stay off.

The PGP styles turn Mailman's own archivers and digests off, but an owner
(Core REST, Postorius' "Archivers" page), a site admin enabling an archiver
site-wide (Mailman then enables it for every list), or a direct database
change could turn them back on, and HyperKitty, MHonArc, prototype or the
digest mbox would store decrypted posts.  So, for PGP lists only:

- the list's archiver set (Mailman's ``IListArchiverSet`` adapter, used by
  REST, Postorius through REST, and the archive runner) refuses to enable
  an archiver other than the encrypted ones (ValueError: REST answers 400)
  and reports one enabled anyway as disabled, so it never archives;
- setting ``digests_enabled`` refuses the same way, and the PGP posting
  pipeline never collects digests.

A plain list's archiver set is Mailman's, without the encrypted archivers
(they archive PGP lists only): REST and Postorius show it as stock.
"""

import logging
import threading
from contextlib import contextmanager

from mailman.interfaces.mailinglist import IListArchiverSet
from public import public
from zope.interface import implementer

from mailman_pgp.archivers import ENCRYPTED_ARCHIVERS


log = logging.getLogger('mailman.plugins.pgp')


def _is_pgp_list(mlist) -> bool:
    from mailman.config import config
    from mailman_pgp.model import PGPMailingList
    with config.db.store.no_autoflush:
        return PGPMailingList.for_list(mlist) is not None


def _clear_store_refused(what: str) -> ValueError:
    return ValueError(
        '{} would store the posts of this PGP list in clear; only the '
        'encrypted archivers ({}) may archive it'.format(
            what, ', '.join(ENCRYPTED_ARCHIVERS)))


class _ClearArchiver:
    """A list's cleartext archiver of a PGP list: never enabled."""

    def __init__(self, archiver, mlist):
        self._archiver = archiver
        self._mlist = mlist

    def __getattr__(self, name):
        return getattr(self._archiver, name)

    @property
    def is_enabled(self) -> bool:
        if self._archiver.is_enabled:
            log.warning('%s: archiver %s is enabled for this PGP list; '
                        'skipped (it would store posts in clear)',
                        self._mlist.list_id, self._archiver.name)
        return False

    @is_enabled.setter
    def is_enabled(self, value) -> None:
        if value:
            raise _clear_store_refused(
                'The {} archiver'.format(self._archiver.name))
        self._archiver.is_enabled = False


@public
@implementer(IListArchiverSet)
class PGPListArchiverSet:
    """Mailman's archiver set of a list, guarded for PGP lists."""

    def __init__(self, mlist):
        from mailman.model.mailinglist import ListArchiverSet
        self._archivers = ListArchiverSet(mlist)
        self._mlist = mlist
        self._pgp = _is_pgp_list(mlist)

    def _guarded(self, archiver):
        if archiver is None:
            return None
        if archiver.name in ENCRYPTED_ARCHIVERS:
            return archiver if self._pgp else None
        if not self._pgp:
            return archiver
        return _ClearArchiver(archiver, self._mlist)

    @property
    def archivers(self):
        for archiver in self._archivers.archivers:
            guarded = self._guarded(archiver)
            if guarded is not None:
                yield guarded

    def get(self, archiver_name):
        return self._guarded(self._archivers.get(archiver_name))


_styling = threading.local()


@public
@contextmanager
def restyling():
    """While a PGP style re-applies Mailman's base style (which turns
    digests on before the PGP style turns them off again)."""
    _styling.active = True
    try:
        yield
    finally:
        _styling.active = False


def _refuse_digests(mlist, value, _oldvalue, _initiator):
    if value and not getattr(_styling, 'active', False) and \
            _is_pgp_list(mlist):
        raise ValueError('Digests would collect the posts of this PGP list '
                         'in clear; they cannot be enabled for a PGP list')
    return value


@public
def guard_clear_stores() -> None:
    """Install both guards (the plugin's post_hook; idempotent)."""
    from mailman.interfaces.mailinglist import IMailingList
    from mailman.model.mailinglist import MailingList
    from sqlalchemy import event
    from zope.component import getGlobalSiteManager
    getGlobalSiteManager().registerAdapter(
        PGPListArchiverSet, (IMailingList,), IListArchiverSet)
    if not event.contains(MailingList.digests_enabled, 'set',
                          _refuse_digests):
        event.listen(MailingList.digests_enabled, 'set', _refuse_digests,
                     retval=True)
