"""``mailman pgp check-keys``: the daily key check, run from cron.

Members hear 14 days before their key expires (once per key and expiry
date); owners hear which members' keys became unusable (once per member
and key) and, 30 days ahead, that the list key expires (once per key and
expiry date).  What was sent is remembered in a small JSON file in
Mailman's data directory, so a daily run does not repeat itself.
Retired list keys whose grace period is over are removed here too.
"""

import json
import os

from datetime import timedelta

import click

from flufl.lock import Lock
from mailman.config import config
from mailman.email.message import OwnerNotification, UserNotification

from mailman_pgp.cli.common import (
    LIST_KEY_WARNING, MEMBER_KEY_WARNING, OneLineCommand, day, list_key_health,
    log, member_emails, now, pgp_lists)
from mailman_pgp.keystore import confirmed_key


STATE_FILE = 'pgp-check-keys.json'


def state_path() -> str:
    return os.path.join(config.DATA_DIR, STATE_FILE)


@click.command('check-keys', cls=OneLineCommand, help="""\
The daily key check; run it from the mailman user's crontab, e.g.
`17 6 * * * mailman pgp check-keys`.  Warns each member whose key expires
within 14 days (once per key and expiry date), tells each list's owners
which members' keys have become unusable (expired, revoked, no encryption
subkey) and warns them 30 days before the list key expires.  Retired list
keys past their grace period are removed.  Prints what it did.""")
def check_keys():
    from mailman_pgp.config import site_config
    from mailman_pgp.keystore import key_store
    from mailman_pgp.keystore.retired import purge_retired
    store = key_store()
    shred_it = site_config().keypairs.shred
    when = now()
    sent = 0
    with Lock(state_path() + '.lck', lifetime=timedelta(seconds=60)):
        state = _load()
        for mlist in pgp_lists():
            list_id = mlist.list_id
            for entry in purge_retired(store, list_id, when, shred_it):
                click.echo('{}: retired key {} removed (its grace period '
                           'ended {})'.format(list_id, entry.fingerprint,
                                              day(entry.until)))
                log.info('%s: retired list key %s removed', list_id,
                         entry.fingerprint)
            sent += _list_key(mlist, store.list_key(list_id), when, state)
            sent += _members(mlist, when, state)
        _save(state)
    click.echo('check-keys: {} notice(s) sent.'.format(sent))


def _list_key(mlist, key, when, state) -> int:
    """Warn the owners of a list key that expires soon (or has)."""
    problems, warnings = list_key_health(mlist, key, when)
    for line in problems + warnings:
        click.echo(line)
    if key is None or key.usability(when).expires_at is None:
        return 0
    expires = key.usability(when).expires_at
    if expires - when > LIST_KEY_WARNING:
        return 0
    tag = 'list {} {} {}'.format(mlist.list_id, key.fingerprint, day(expires))
    if tag in state:
        return 0
    from mailman_pgp.templates import render
    text = render('list:admin:pgp:list-key-expiring', mlist,
                  fingerprint=key.fingerprint, expires=day(expires))
    OwnerNotification(
        mlist, 'The key of {} expires on {}'.format(mlist.display_name,
                                                    day(expires)),
        text, roster=mlist.administrators).send(mlist, pgp_allow_clear=True)
    state[tag] = day(when)
    log.info('%s: owners warned that list key %s expires on %s',
             mlist.list_id, key.fingerprint, day(expires))
    return 1


def _members(mlist, when, state) -> int:
    from mailman_pgp.templates import render
    sent = 0
    unusable = []
    for email in member_emails(mlist):
        key = confirmed_key(email)
        if key is None:
            continue        # never confirmed: delivery already tells them
        report = key.usability(when)
        if not report.can_encrypt:
            tag = 'unusable {} {} {}'.format(mlist.list_id, email,
                                             key.fingerprint)
            if tag not in state:
                state[tag] = day(when)
                unusable.append((email, key, ' '.join(report.reasons)))
            continue
        expires = report.expires_at
        if expires is None or expires - when > MEMBER_KEY_WARNING:
            continue
        # Once per key and expiry date, whichever list gets there first.
        tag = 'expiring {} {}'.format(key.fingerprint, day(expires))
        if tag in state:
            continue
        text = render('list:user:pgp:key-expiring', mlist, wrapped=False,
                      fingerprint=key.fingerprint, expires=day(expires))
        UserNotification(
            email, mlist.request_address,
            'Your key for {} expires on {}'.format(mlist.display_name,
                                                   day(expires)),
            text, mlist.preferred_language).send(
                mlist, pgp_allow_clear=True)
        state[tag] = day(when)
        sent += 1
        click.echo('{}: warned {} (key {} expires on {})'.format(
            mlist.list_id, email, key.fingerprint, day(expires)))
        log.info('%s: %s warned that key %s expires on %s', mlist.list_id,
                 email, key.fingerprint, day(expires))
    if unusable:
        members = '\n'.join('    {} (key {}: {})'.format(
            email, key.fingerprint, reason) for email, key, reason in unusable)
        text = render('list:admin:pgp:keys-unusable', mlist, members=members)
        OwnerNotification(
            mlist, '{}: members whose key became unusable'.format(
                mlist.display_name),
            text, roster=mlist.administrators).send(
                mlist, pgp_allow_clear=True)
        sent += 1
        click.echo('{}: owners told of {} unusable key(s): {}'.format(
            mlist.list_id, len(unusable),
            ', '.join(email for email, _, _ in unusable)))
        log.info('%s: owners told of unusable keys: %s', mlist.list_id,
                 ', '.join('{} {}'.format(email, key.fingerprint)
                           for email, key, _ in unusable))
    return sent


def _load() -> dict:
    try:
        with open(state_path(), encoding='utf-8') as fp:
            state = json.load(fp)
    except (FileNotFoundError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def _save(state: dict) -> None:
    # Forget what is older than a year and a half: the file stays small,
    # and a key's expiry date is in its tag, so a renewal warns again.
    cutoff = day(now() - timedelta(days=550))
    state = {tag: sent for tag, sent in state.items() if sent >= cutoff}
    os.makedirs(os.path.dirname(state_path()), exist_ok=True)
    temp = state_path() + '.tmp'
    with open(temp, 'w', encoding='utf-8') as fp:
        json.dump(state, fp, indent=0, sort_keys=True)
    os.replace(temp, state_path())
