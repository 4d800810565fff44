"""``mailman pgp``: the site admin's commands for PGP lists.

The key subcommands live in ``keys`` (export, import, rotate, extend) and
``checks`` (the daily ``check-keys``); this module holds the group,
``check`` and ``lists``.  ``commands/cli_pgp.py`` hands the group to
Mailman's command line.
"""

import click

from mailman.config import config

from mailman_pgp.cli.checks import check_keys
from mailman_pgp.cli.common import (
    OneLineCommand, day, member_emails,
    pgp_lists)
from mailman_pgp.cli.keys import (
    export_key, extend_key, import_key, rotate_key)
from mailman_pgp.cli.members import reset_key
from mailman_pgp.cli.wkd import wkd
from mailman_pgp.keystore import confirmed_key


@click.group(help="""\
Manage PGP-enabled mailing lists (mailman-pgp): check the installation,
list PGP lists with their key state, back up, restore, rotate and renew
list keys, and warn about expiring keys (check-keys, daily from cron).
Run `mailman pgp COMMAND --help` for each command.""")
def pgp():
    pass


@pgp.command(cls=OneLineCommand, help="""\
Check the installation and every PGP list's key: that mailman.cfg wires the
plugin in completely, that the site configuration loaded, that no key
directory or key file can be read by other users, that every one is owned
by (and readable to) the user Mailman runs as, that every PGP list has a
usable key pair, and which list keys expire within 30 days.  Prints every
problem (FAIL) and warning (WARN) with its fix, and optional parts not wired
(NOTE); exits with status 1 if there is any problem (warnings and notes alone
exit 0).""")
def check():
    from mailman_pgp.config import site_config
    from mailman_pgp.keystore import key_store
    from mailman_pgp.wiring import wiring_notes, wiring_problems
    problems = wiring_problems(config)
    warnings, lists = [], []
    if 'pgp' not in config.plugins:
        problems.insert(0, 'the pgp plugin is not loaded: see the errors '
                        'in plugins.log')
    else:
        from mailman_pgp.health import key_report
        lists = pgp_lists()
        bad, warnings = key_report(key_store())
        problems += bad
    for note in wiring_notes(config):
        click.echo('NOTE  ' + note)
    for warning in warnings:
        click.echo('WARN  ' + warning)
    if problems:
        for problem in problems:
            click.echo('FAIL  ' + problem)
        click.echo('{} problem(s) found.'.format(len(problems)))
        raise SystemExit(1)
    click.echo('OK    mailman.cfg wiring is complete')
    click.echo('OK    site configuration: ' + site_config().source)
    click.echo('OK    key directories are private to Mailman')
    click.echo('OK    {} PGP list(s), each with a usable key'.format(
        len(lists)))


@pgp.command(cls=OneLineCommand, help="""\
Show every PGP list with its key: fingerprint, algorithm, creation and
expiry dates, retired keys still kept for decryption after a rotation, and
how many members have a confirmed key (only they receive posts).""")
def lists():
    from mailman_pgp.keystore import key_store
    from mailman_pgp.keystore.store import UnreadableKeyError
    store = key_store()
    found = pgp_lists()
    if not found:
        click.echo('No PGP lists.')
        return
    unreadable = 0
    for mlist in found:
        click.echo(mlist.list_id)
        try:
            _show_list(store, mlist)
        except UnreadableKeyError as error:
            click.echo('  CANNOT BE READ: {}'.format(error))
            unreadable += 1
    if unreadable:
        raise SystemExit(1)


def _show_list(store, mlist) -> None:
    from mailman_pgp.keystore.retired import retired_entries
    key = store.list_key(mlist.list_id)
    if key is None:
        click.echo('  key:       none (being generated, or import one '
                   'with mailman pgp import-key)')
    else:
        report = key.usability()
        state = 'usable' if report.usable else 'NOT USABLE: ' + ' '.join(
            report.reasons)
        click.echo('  key:       {} ({})'.format(key.fingerprint, state))
        click.echo('  algorithm: {}'.format(key.algorithm))
        click.echo('  created:   {}'.format(day(key.created)))
        click.echo('  expires:   {}'.format(day(report.expires_at)))
    for entry in retired_entries(store, mlist.list_id):
        click.echo('  retired:   {} (kept for decryption until {})'.format(
            entry.fingerprint, day(entry.until)))
    emails = member_emails(mlist)
    with_key = sum(1 for email in emails
                   if confirmed_key(email) is not None)
    click.echo('  members:   {} ({} with a confirmed key, {} without)'
               .format(len(emails), with_key, len(emails) - with_key))


for _command in (export_key, import_key, rotate_key, extend_key, check_keys,
                 reset_key, wkd):
    pgp.add_command(_command)

