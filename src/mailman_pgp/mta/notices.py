"""Members left out of a delivery because they have no usable key.

They are removed from the delivery (not refused, which would make Mailman
retry for days), the message's log says how many, each member is told at
most once a day that their key needs attention, and the owners get a
summary of who was told.  The once-a-day state is a small JSON file in the
list's data directory, under a lock.
"""

import json
import logging
import os

from datetime import datetime, timedelta

from flufl.lock import Lock
from mailman.email.message import OwnerNotification, UserNotification
from mailman.utilities.datetime import now
from public import public

from mailman_pgp.mta import keys as K
from mailman_pgp.templates import render


log = logging.getLogger('mailman.plugins.pgp')

STATE_FILE = 'pgp-key-notices.json'
NOTICE_INTERVAL = timedelta(days=1)
REASONS = {
    K.NO_KEY: 'you have no confirmed key on this list',
    K.UNCONFIRMED: 'your key has not been confirmed yet',
    K.EXPIRED: 'your key has expired',
    K.REVOKED: 'your key has been revoked',
    K.UNUSABLE: 'your key cannot be used for encryption (it may have '
                 'expired or been revoked)',
}


def _state_path(mlist) -> str:
    return os.path.join(mlist.data_path, STATE_FILE)


@public
def due_notices(mlist, recipients) -> list:
    """Those of recipients not told within a day; records them as told."""
    path = _state_path(mlist)
    os.makedirs(mlist.data_path, exist_ok=True)
    current = now()
    with Lock(path + '.lck', lifetime=timedelta(seconds=30)):
        try:
            with open(path, encoding='utf-8') as fp:
                told = json.load(fp)
        except (FileNotFoundError, ValueError):
            told = {}
        # Forget what is older than the interval; the file stays small.
        told = {email: when for email, when in told.items()
                if current - datetime.fromisoformat(when) < NOTICE_INTERVAL}
        due = sorted(r for r in recipients if r.lower() not in told)
        for recipient in due:
            told[recipient.lower()] = current.isoformat()
        tmp = path + '.tmp'
        with open(tmp, 'w', encoding='utf-8') as fp:
            json.dump(told, fp)
        os.replace(tmp, path)
    return due


def _tell_member(mlist, recipient, reason):
    text = render('list:user:pgp:member-key-attention', mlist,
                  reason=REASONS.get(reason, reason),
                  request_email=mlist.request_address,
                  owner_email=mlist.owner_address)
    notice = UserNotification(
        recipient, mlist.request_address,
        'Your key for {} needs attention'.format(mlist.display_name),
        text, mlist.preferred_language)
    # Nothing of the list's traffic: it may reach a key-less member.
    notice.send(mlist, pgp_allow_clear=True)


def _tell_owners(mlist, message_id, told):
    members = '\n'.join('    {} ({})'.format(r, reason)
                        for r, reason in told)
    text = render('list:admin:pgp:keyless-members', mlist,
                  message_id=message_id, count=str(len(told)),
                  members=members)
    OwnerNotification(
        mlist, '{}: members without a usable key'.format(mlist.display_name),
        text, roster=mlist.administrators).send(mlist, pgp_allow_clear=True)


@public
def report_withheld(mlist, msg, withheld: dict, *, notify: bool) -> None:
    """Log the recipients left out; tell them and the owners if notify."""
    if not withheld:
        return
    message_id = msg.get('message-id', 'n/a').strip()
    counts = {}
    for reason in withheld.values():
        counts[reason] = counts.get(reason, 0) + 1
    log.warning('%s: message %s not sent to %d recipient(s) without a '
                'usable key (%s)', mlist.list_id, message_id, len(withheld),
                ', '.join('{}: {}'.format(reason, count)
                          for reason, count in sorted(counts.items())))
    if not notify:
        return
    due = due_notices(mlist, withheld)
    for recipient in due:
        _tell_member(mlist, recipient, withheld[recipient])
    if due:
        _tell_owners(mlist, message_id,
                     [(r, withheld[r]) for r in due])
