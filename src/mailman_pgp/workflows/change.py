"""``key change``: a member replaces their confirmed key.

The request is signed with the current key; the new key is proven with a
statement encrypted to it and signed with it; with
``pgp-key-change-mod-workflow`` a moderator approves it too.  Until then
the current key stays in use.
"""

import logging

from datetime import timedelta

from mailman.config import config
from mailman.interfaces.pending import IPendings
from lazr.config import as_timedelta
from public import public
from zope.component import getUtility
from zope.event import notify

from mailman_pgp.events import KeyChangedEvent
from mailman_pgp.workflows.pendables import PendablePGPKeyChange


log = logging.getLogger('mailman.plugins.pgp')


def _lifetime() -> timedelta:
    from mailman_pgp.config import site_config
    return site_config().misc.change_request_lifetime


def _describe(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    if hours % 24 == 0:
        days = hours // 24
        return '{} day{}'.format(days, '' if days == 1 else 's')
    return '{} hour{}'.format(hours, '' if hours == 1 else 's')


@public
def start_key_change(mlist, email: str, new_key) -> str:
    """Pend the change and send the proof request to the new key."""
    from mailman_pgp.workflows.mail import send_proof_request
    lifetime = _lifetime()
    token = getUtility(IPendings).add(PendablePGPKeyChange(
        list_id=mlist.list_id, email=email, fingerprint=new_key.fingerprint,
        key=new_key.public_armor(), stage='confirm',
        token_owner='subscriber'), lifetime=lifetime)
    send_proof_request(mlist, email, new_key, token,
                       'list:user:pgp:key-change-request',
                       lifetime=_describe(lifetime))
    log.info('%s: key change of %s to %s requested', mlist.list_id, email,
             new_key.fingerprint)
    return token


@public
def key_change_proven(mlist, token: str, pendable) -> bool:
    """The new key is proven: apply it, or ask a moderator; True if done."""
    from mailman_pgp.model import PGPMailingList
    from mailman_pgp.pgp import Key
    pendings = getUtility(IPendings)
    pendings.confirm(token)                     # expunge: used once
    pgp_list = PGPMailingList.for_list(mlist)
    if pgp_list.key_change_workflow == 'pgp-key-change-workflow':
        _apply(mlist, pendable['email'], pendable['key'])
        return True
    from mailman_pgp.workflows.mail import notify_moderators
    fields = {name: value for name, value in pendable.items()
              if name != 'type'}
    approval = pendings.add(PendablePGPKeyChange(
        fields, stage='approve', token_owner='moderator'),
        lifetime=as_timedelta(config.mailman.moderator_request_life))
    notify_moderators(mlist, pendable['email'], Key.load(pendable['key']),
                      approval, 'key change')
    log.info('%s: key change of %s to %s waits for approval',
             mlist.list_id, pendable['email'], pendable['fingerprint'])
    return False


@public
def approve_key_change(mlist, token: str, pendable) -> None:
    """A moderator sent ``confirm <token>`` for a key change."""
    getUtility(IPendings).confirm(token)
    _apply(mlist, pendable['email'], pendable['key'])


@public
def reject_key_change(mlist, token: str, pendable) -> None:
    """A moderator rejected a key change: the current key stays.  What was
    rejected is kept a while (stage 'rejected', no key) so the member's
    pages can say so."""
    pendings = getUtility(IPendings)
    pendings.confirm(token)
    pendings.add(PendablePGPKeyChange(
        list_id=mlist.list_id, email=pendable['email'],
        fingerprint=pendable['fingerprint'], stage='rejected',
        token_owner='no_one'), lifetime=_lifetime())
    log.info('%s: key change of %s to %s rejected by a moderator',
             mlist.list_id, pendable['email'], pendable['fingerprint'])


def _apply(mlist, email: str, armored: str) -> None:
    from mailman_pgp.keystore import key_store
    from mailman_pgp.model import PGPAddress
    from mailman_pgp.pgp import Key, StaleKeyError
    key = Key.load(armored)
    try:
        key_store().set_address_key(email, key)
    except StaleKeyError:
        # Meanwhile a newer copy of this very key was stored: keep it.
        log.info('%s: older copy of %s for %s not stored (a newer one is)',
                 mlist.list_id, key.fingerprint, email)
    pgp_address = PGPAddress.get_or_create(email)
    old = pgp_address.key_fingerprint
    pgp_address.key_fingerprint = key.fingerprint
    pgp_address.key_confirmed = True
    log.info('%s: key of %s changed from %s to %s', mlist.list_id, email,
             old, key.fingerprint)
    notify(KeyChangedEvent(mlist, email, key.fingerprint, old))
