"""Shared pieces of the ``mailman pgp`` subcommands.

Every mistake an admin can make (an unknown list, an unreadable file, the
wrong kind of key, a bad option) ends in one ``Error: ...`` line on stderr
and exit status 1, before anything is changed.
"""

import logging

from datetime import datetime, timedelta, timezone

import click

from mailman.interfaces.listmanager import IListManager
from zope.component import getUtility


log = logging.getLogger('mailman.plugins.pgp')

# Owners are warned this long before a list key expires.
LIST_KEY_WARNING = timedelta(days=30)
# Members are warned this long before their own key expires.
MEMBER_KEY_WARNING = timedelta(days=14)


class OneLineCommand(click.Command):
    """A subcommand whose usage mistakes are one line, like its others."""

    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:
            raise click.ClickException('{} (see: mailman pgp {} --help)'.format(
                error.format_message(), self.name)) from None


def fail(message: str):
    """End the command: one line on stderr, exit status 1."""
    raise click.ClickException(message)


def now() -> datetime:
    return datetime.now(timezone.utc)


def day(when) -> str:
    return 'never' if when is None else when.strftime('%Y-%m-%d')


def find_pgp_list(spec: str):
    """The PGP mailing list named by a posting address or list id."""
    from mailman_pgp.model import PGPMailingList
    mlist = getUtility(IListManager).get(spec)
    if mlist is None:
        fail('No such list: {}'.format(spec))
    if PGPMailingList.for_list(mlist) is None:
        fail('{} is not a PGP list'.format(mlist.list_id))
    return mlist


def pgp_lists() -> list:
    """Every PGP list that still exists in Mailman, by list id."""
    from mailman_pgp.model import PGPMailingList
    manager = getUtility(IListManager)
    found = []
    for pgp_list in PGPMailingList.all():
        mlist = manager.get_by_list_id(pgp_list.list_id)
        if mlist is not None:
            found.append(mlist)
    return found


def current_list_key(mlist):
    """The list's key pair; an error if it has none (yet)."""
    from mailman_pgp.keystore import key_store
    key = key_store().list_key(mlist.list_id)
    if key is None:
        fail('{} has no list key yet (see: mailman pgp import-key)'.format(
            mlist.list_id))
    return key


def member_emails(mlist) -> list[str]:
    """The addresses of the list's regular members (not owners)."""
    return sorted({member.address.email.lower()
                   for member in mlist.members.members})


def list_key_health(mlist, key, when: datetime | None = None):
    """(problems, warnings) about a list's key, each one line with its fix.

    A problem stops the list from working; a warning says it soon will.
    """
    when = when or now()
    list_id = mlist.list_id
    if key is None:
        return ['{}: has no list key; posts wait until one exists (mailman '
                'pgp import-key {} FILE)'.format(list_id, list_id)], []
    report = key.usability(when)
    if not key.is_private:
        return ['{}: the list key file holds no private key; restore it '
                'with mailman pgp import-key'.format(list_id)], []
    if not report.usable:
        return ['{}: list key {} cannot {}: {} (mailman pgp {} {})'.format(
            list_id, key.fingerprint,
            'sign or encrypt' if not report.can_sign else 'encrypt',
            ' '.join(report.reasons),
            'extend-key' if report.expired else 'rotate-key',
            list_id + (' --days 365' if report.expired else ''))], []
    expires = report.expires_at
    if expires is not None and expires - when <= LIST_KEY_WARNING:
        return [], ['{}: list key {} expires on {} ({} days); renew it with '
                    'mailman pgp extend-key {} --days 365'.format(
                        list_id, key.fingerprint, day(expires),
                        max(0, (expires - when).days), list_id)]
    return [], []
