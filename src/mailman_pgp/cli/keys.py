"""``mailman pgp`` key subcommands: export, import, rotate, extend.

Each one checks everything it can before it changes anything, so a
mistake leaves the list key as it was.
"""

from datetime import timedelta

import click

from mailman_pgp.cli.common import (
    OneLineCommand, current_list_key, day, fail,
    find_pgp_list, log, member_emails, now)
from mailman_pgp.keystore import confirmed_key


GRACE_DAYS = 30


@click.command('export-key', cls=OneLineCommand, help="""\
Write a list's key to stdout as ASCII armor, for backups and for moving the
list to another server.  Without --private only the public key is written.
With --private the private key is written too: anyone who obtains it can
read the list's mail and sign as the list, so send it straight to an
encrypted backup (mailman pgp export-key --private LIST | gpg -e -r ADMIN >
LIST.asc.gpg).""")
@click.option('--private', is_flag=True, default=False,
              help='Export the private key (keep the output secret).')
@click.argument('listspec', metavar='LIST')
def export_key(listspec, private):
    mlist = find_pgp_list(listspec)
    key = current_list_key(mlist)
    if not private:
        click.echo(key.public_armor(), nl=False)
        log.info('%s: public list key %s exported', mlist.list_id,
                 key.fingerprint)
        return
    click.echo('Exporting the PRIVATE key {} of {} to stdout: keep it '
               'secret.'.format(key.fingerprint, mlist.list_id), err=True)
    log.warning('%s: PRIVATE list key %s exported by mailman pgp export-key',
                mlist.list_id, key.fingerprint)
    click.echo(key.armor(), nl=False)


@click.command('import-key', cls=OneLineCommand, help="""\
Replace a list's key pair with the private key in FILE (ASCII armor or
binary), e.g. a backup made with `mailman pgp export-key --private`.  The
key is refused unless it is a private key without passphrase that can sign
and encrypt, with user IDs of this list only (its posting address among
them).  A different key it replaces is kept for decrypting mail still in
flight for --grace-days days.""")
@click.option('--grace-days', type=int, default=GRACE_DAYS, show_default=True,
              help='How long a replaced key still decrypts incoming mail.')
@click.argument('listspec', metavar='LIST')
@click.argument('path', metavar='FILE')
def import_key(listspec, path, grace_days):
    from mailman_pgp.keystore import key_store
    from mailman_pgp.keystore.retired import retire_list_key
    from mailman_pgp.pgp import ArmorError, Key, PGPError
    mlist = find_pgp_list(listspec)
    if grace_days < 0:
        fail('--grace-days must be 0 or more')
    try:
        with open(path, 'rb') as fp:
            data = fp.read()
    except OSError as error:
        fail('cannot read {}: {}'.format(path, error.strerror))
    wanted = ('import-key needs the list\'s private key (ASCII armor '
              '"-----BEGIN PGP PRIVATE KEY BLOCK-----" or binary), e.g. a '
              'backup from mailman pgp export-key --private')
    if not data.strip():
        fail('{} is empty; {}'.format(path, wanted))
    try:
        key = Key.load(data)
        report = key.usability()
    except ArmorError:
        fail('{} holds no OpenPGP key; {}'.format(path, wanted))
    except PGPError as error:
        fail('{}: no key could be read: {}'.format(path, error))
    if not key.is_private:
        fail('{} holds the public key {}; import-key needs the private key '
             '(mailman pgp export-key --private)'.format(path, key.fingerprint))
    if key.is_protected:
        fail('{}: the private key is protected by a passphrase; remove it '
             'first (gpg --passwd)'.format(path))
    if not report.usable:
        fail('{}: key {} cannot sign and encrypt: {}'.format(
            path, key.fingerprint, ' '.join(report.reasons)))
    _check_uids(mlist, key, path)
    store = key_store()
    current = store.list_key(mlist.list_id)
    kept = ''
    if current is not None and current.fingerprint != key.fingerprint \
            and current.is_private and grace_days > 0:
        until = now() + timedelta(days=grace_days)
        retire_list_key(store, mlist.list_id, current, until)
        kept = '; {} kept for decryption until {}'.format(
            current.fingerprint, day(until))
    try:
        store.set_list_key(mlist.list_id, key)
    except PGPError as error:       # an older copy of the list key
        fail('{}: {}'.format(path, error))
    log.info('%s: list key %s imported (replacing %s)', mlist.list_id,
             key.fingerprint, current.fingerprint if current else 'none')
    click.echo('Imported list key {} for {}{}.'.format(
        key.fingerprint, mlist.list_id, kept))


def _check_uids(mlist, key, path) -> None:
    allowed = {mlist.posting_address.lower(), mlist.request_address.lower(),
               mlist.owner_address.lower()}
    emails = set(key.emails)
    if mlist.posting_address.lower() not in emails or emails - allowed:
        fail('{}: the user IDs of key {} ({}) do not match {}: it needs {} '
             'and only addresses of this list'.format(
                 path, key.fingerprint, ', '.join(sorted(emails)) or 'none',
                 mlist.list_id, mlist.posting_address))


@click.command('rotate-key', cls=OneLineCommand, help="""\
Replace a list's key pair with a new one (after a compromise, or before
the old one expires).  The new key is made as configured in [keypairs] of
the site configuration and certified by the old key; the list switches to
it at once; the old key still decrypts incoming mail for --grace-days days.
Every member with a confirmed, usable key is sent the new public key,
signed by the old key and encrypted to them; members without one get
nothing.""")
@click.option('--grace-days', type=int, default=GRACE_DAYS, show_default=True,
              help='How long the old key still decrypts incoming mail.')
@click.argument('listspec', metavar='LIST')
def rotate_key(listspec, grace_days):
    mlist = find_pgp_list(listspec)
    done = rotate_list_key(mlist, grace_days)
    click.echo('Rotated the list key of {}: {} -> {}.'.format(
        mlist.list_id, done['old_fingerprint'], done['new_fingerprint']))
    click.echo('The old key decrypts incoming mail until {}.'.format(
        done['grace_until'] if grace_days > 0 else 'now (no grace period)'))
    without = done['without_key']
    click.echo('New key sent to {} member(s); {} without a usable key got '
               'nothing{}'.format(done['sent'], len(without), (
                   ': ' + ', '.join(without)) if without else '.'))


def rotate_list_key(mlist, grace_days: int) -> dict:
    """Rotate and announce (the CLI and REST); ClickException if refused,
    with nothing changed."""
    from mailman_pgp.config import site_config
    from mailman_pgp.keystore import key_store
    from mailman_pgp.keystore.keygen import list_uids
    from mailman_pgp.keystore.retired import retire_list_key
    from mailman_pgp.pgp import PGPError, generate_key
    from mailman_pgp.pgp.lifecycle import certify
    if grace_days < 0:
        fail('--grace-days must be 0 or more')
    old = current_list_key(mlist)
    report = old.usability()
    if report.expired and old.is_private:
        fail('the list key {} of {} has expired; renew it first (mailman pgp '
             'extend-key {} --days 30), then rotate'.format(
                 old.fingerprint, mlist.list_id, mlist.list_id))
    if not old.is_private or not report.can_sign:
        fail('the list key {} of {} cannot sign, so it cannot vouch for a '
             'new key; install one with mailman pgp import-key'.format(
                 old.fingerprint, mlist.list_id))
    site = site_config()
    try:
        new = certify(generate_key(
            site.keypairs.primary_key, site.keypairs.sub_key,
            list_uids(mlist), expires=site.keypairs.key_lifetime), old)
    except PGPError as error:
        fail('the new key could not be made: {}'.format(error))
    until = now() + timedelta(days=grace_days)
    # Build every announcement before switching: a failure changes nothing.
    messages, without = _announcements(mlist, old, new, until)
    store = key_store()
    if grace_days > 0:
        retire_list_key(store, mlist.list_id, old, until)
    store.set_list_key(mlist.list_id, new)
    from mailman_pgp.workflows.mail import _enqueue
    for email, msg in messages:
        _enqueue(mlist, msg, [email], pgp_allow_clear=True)
    from zope.event import notify
    from mailman_pgp.events import ListKeyRotatedEvent
    notify(ListKeyRotatedEvent(mlist, new.fingerprint, old.fingerprint))
    log.info('%s: list key rotated from %s to %s; old key kept until %s; '
             'new key sent to %d member(s), %d without a usable key',
             mlist.list_id, old.fingerprint, new.fingerprint, day(until),
             len(messages), len(without))
    return {'old_fingerprint': old.fingerprint,
            'new_fingerprint': new.fingerprint,
            'grace_until': day(until) if grace_days > 0 else None,
            'sent': len(messages), 'without_key': without}


def _announcements(mlist, old, new, until) -> tuple[list, list]:
    """([(email, message)], [emails without a usable key])."""
    from email.mime.multipart import MIMEMultipart
    from mailman_pgp.pgp import encrypt_mime
    from mailman_pgp.templates import render
    from mailman_pgp.workflows.mail import (
        _as_mailman, _headers, _key_part, _text_part)
    text = render('list:user:pgp:list-key-rotated', mlist,
                  old_fingerprint=old.fingerprint,
                  new_fingerprint=new.fingerprint, grace_until=day(until),
                  expires=day(new.expires_at))
    subject = 'New key of the {} mailing list'.format(mlist.fqdn_listname)
    messages, without = [], []
    for email in member_emails(mlist):
        key = confirmed_key(email)
        if key is None or not key.usability().can_encrypt:
            without.append(email)
            continue
        content = MIMEMultipart('mixed')
        content.attach(_text_part(text))
        content.attach(_key_part(new.public_armor(), new.keyid))
        content['Subject'] = subject
        encrypted = encrypt_mime(content, [key], sign_with=old)
        messages.append((email, _headers(
            _as_mailman(encrypted), mlist, email, subject,
            mlist.request_address)))
    return messages, without


@click.command('extend-key', cls=OneLineCommand, help="""\
Renew a list's key so that it expires --days days from today, with new
self-signatures (the key and its fingerprint stay the same; members who
refresh it see the new date).  Run it before the key expires; `mailman pgp
check` and `check-keys` warn 30 days ahead.  Refused if the new date would
not be later than the current one (a new key lives [keypairs] key_lifetime,
730 days by default: --days 730 on a new list moves it by hours).""")
@click.option('--days', type=int, required=True,
              help='The key expires this many days from today.')
@click.argument('listspec', metavar='LIST')
def extend_key(listspec, days):
    mlist = find_pgp_list(listspec)
    done = extend_list_key(mlist, days)
    click.echo('The list key {} of {} now expires on {} (was {}).'.format(
        done['key_fingerprint'], mlist.list_id, done['expires'],
        done['was']))
    click.echo('Members see the new date once they refresh the key '
               '(email command: key receive).')


def extend_list_key(mlist, days: int) -> dict:
    """Renew the list key (the CLI and REST); ClickException if refused."""
    from mailman_pgp.keystore import key_store
    from mailman_pgp.pgp import PGPError
    from mailman_pgp.pgp.lifecycle import extend_expiry
    if days <= 0:
        fail('the number of days must be 1 or more')
    key = current_list_key(mlist)
    if not key.is_private:
        fail('the list key file of {} holds no private key'.format(
            mlist.list_id))
    current = key.expires_at
    target = now() + timedelta(days=days)
    if current is None:
        fail('the list key {} of {} never expires; nothing to extend'.format(
            key.fingerprint, mlist.list_id))
    # Later by any amount: a new key lives [keypairs] key_lifetime days, and
    # that same number from today (the documented example) must be taken.
    if target <= current:
        fail('the list key {} already expires on {}; {} days from today '
             'would not move that date forward (use more days)'.format(
                 key.fingerprint, day(current), days))
    try:
        renewed = extend_expiry(key, target)
    except PGPError as error:
        fail(str(error))
    key_store().set_list_key(mlist.list_id, renewed)
    log.info('%s: list key %s now expires on %s (was %s)', mlist.list_id,
             key.fingerprint, day(renewed.expires_at), day(current))
    return {'key_fingerprint': key.fingerprint,
            'expires': day(renewed.expires_at), 'was': day(current)}
