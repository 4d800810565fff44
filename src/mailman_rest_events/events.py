"""What each Mailman event becomes on the wire: a type, a list id, ids.

Only identifiers a receiver can look up over Mailman's REST API go out
(list id, member id, address, message id, fingerprints), never a token,
password or key, and for a PGP list nothing of a message (not even its
subject).  One builder per event class; ``handle_event`` is the zope
subscriber and runs in whichever process the event happens in.
"""

import logging

from mailman.interfaces.address import AddressVerificationEvent
from mailman.interfaces.chain import (
    AcceptEvent, DiscardEvent, HoldEvent, RejectEvent)
from mailman.interfaces.domain import DomainCreatedEvent, DomainDeletedEvent
from mailman.interfaces.listmanager import ListCreatedEvent, ListDeletedEvent
from mailman.interfaces.member import SubscriptionEvent, UnsubscriptionEvent
from mailman.interfaces.subscriptions import (
    SubscriptionConfirmationNeededEvent, SubscriptionInvitationNeededEvent,
    UnsubscriptionConfirmationNeededEvent)
from public import public

from mailman_rest_events.outbox import enqueue


log = logging.getLogger('mailman.plugins.rest_events')

# Set by the plugin when mailman-pgp is enabled: (list id) -> is a PGP list.
_pgp_list_lookup = None


@public
def set_pgp_list_lookup(lookup) -> None:
    global _pgp_list_lookup
    _pgp_list_lookup = lookup


def is_private_list(mlist) -> bool:
    """Whether a list's messages must not leave in any form (PGP lists).

    Fails closed: when in doubt, the list is private.
    """
    try:
        if (mlist.posting_chain or '').startswith('pgp-'):
            return True
        return _pgp_list_lookup is not None and _pgp_list_lookup(
            mlist.list_id)
    except Exception:
        return True


def _domain_created(event):
    return 'domain.created', None, {'mail_host': event.domain.mail_host}


def _domain_deleted(event):
    return 'domain.deleted', None, {'mail_host': event.mail_host}


def _list_created(event):
    mlist = event.mailing_list
    # The list id is fixed at creation; it is what REST looks lists up by.
    list_id = mlist.list_id
    # list.settings_changed stays quiet while the style sets the new list up.
    mlist._rest_events_new = True
    return 'list.created', list_id, {
        'list_id': list_id, 'fqdn_listname': mlist.fqdn_listname,
        'mail_host': mlist.mail_host}


def _list_deleted(event):
    # Mailman makes a list id from the posting address once, this way.
    list_id = event.fqdn_listname.replace('@', '.', 1)
    return 'list.deleted', list_id, {
        'list_id': list_id, 'fqdn_listname': event.fqdn_listname}


def _member(event):
    member = event.member
    kind = ('member.subscribed' if isinstance(event, SubscriptionEvent)
            else 'member.unsubscribed')
    list_id = event.mlist.list_id
    return kind, list_id, {
        'list_id': list_id, 'member_id': member.member_id.hex,
        'address': member.address.email, 'role': member.role.name}


def _pending(event):
    # The event carries the confirmation token: it never goes out.
    list_id = event.mlist.list_id
    if isinstance(event, UnsubscriptionConfirmationNeededEvent):
        return 'member.unsubscription_pending', list_id, {
            'list_id': list_id, 'address': event.email,
            'waiting_for': 'confirmation'}
    waiting = ('invitation' if isinstance(
        event, SubscriptionInvitationNeededEvent) else 'confirmation')
    return 'member.subscription_pending', list_id, {
        'list_id': list_id, 'address': event.email, 'waiting_for': waiting}


_MESSAGE_TYPES = {AcceptEvent: 'message.accepted', HoldEvent: 'message.held',
                  RejectEvent: 'message.rejected',
                  DiscardEvent: 'message.discarded'}


def _message(event):
    if event.msgdata.get('rest_events'):
        return None             # travels with the post (accept.py)
    kind = _MESSAGE_TYPES[type(event)]
    return (kind,) + _message_data(event.mlist, event.msg)


def _message_data(mlist, msg) -> tuple:
    list_id = mlist.list_id
    data = {'list_id': list_id,
            'message_id': _header(msg, 'message-id'),
            'message_id_hash': _header(msg, 'message-id-hash'),
            'sender': msg.sender}
    if not is_private_list(mlist):
        data['subject'] = _header(msg, 'subject')
    return list_id, data


@public
def message_event_rows(kind: str, mlist, msg) -> list[dict]:
    """The outbox rows of a message event, not yet added anywhere."""
    from mailman_rest_events.outbox import rows, wanted
    if not wanted(kind, mlist.list_id):
        return []               # no endpoint wants it: not even a lookup
    return rows(kind, *_message_data(mlist, msg))


def _header(msg, name) -> str | None:
    value = msg.get(name)
    return None if value is None else ' '.join(str(value).split())


def _address_verified(event):
    address = event.address
    if address.verified_on is None:       # un-verification: not reported
        return None
    return 'address.verified', None, {'address': address.email}


def _pgp_key(event):
    list_id = event.mlist.list_id
    data = {'list_id': list_id, 'address': event.email,
            'fingerprint': event.fingerprint}
    if event.old_fingerprint is not None:
        data['old_fingerprint'] = event.old_fingerprint
    return event.event_type, list_id, data


def _pgp_list_key(event):
    list_id = event.mlist.list_id
    return 'pgp.list_key_rotated', list_id, {
        'list_id': list_id, 'fingerprint': event.fingerprint,
        'old_fingerprint': event.old_fingerprint}


BUILDERS = {
    DomainCreatedEvent: _domain_created,
    DomainDeletedEvent: _domain_deleted,
    ListCreatedEvent: _list_created,
    ListDeletedEvent: _list_deleted,
    SubscriptionEvent: _member,
    UnsubscriptionEvent: _member,
    SubscriptionConfirmationNeededEvent: _pending,
    SubscriptionInvitationNeededEvent: _pending,
    UnsubscriptionConfirmationNeededEvent: _pending,
    AcceptEvent: _message,
    HoldEvent: _message,
    RejectEvent: _message,
    DiscardEvent: _message,
    AddressVerificationEvent: _address_verified,
}


@public
def register_pgp_events() -> None:
    """Add mailman-pgp's key events (only when that plugin is enabled)."""
    from mailman_pgp.events import (
        KeyChangedEvent, KeyConfirmedEvent, KeyRevokedEvent,
        ListKeyRotatedEvent)
    for kind in (KeyConfirmedEvent, KeyChangedEvent, KeyRevokedEvent):
        BUILDERS[kind] = _pgp_key
    BUILDERS[ListKeyRotatedEvent] = _pgp_list_key


@public
def handle_event(event) -> None:
    """The zope.event subscriber: queue the event, never disturb the caller.

    A failure here is logged and swallowed: the change itself (a post, a
    subscription) matters more than its notification.
    """
    builder = BUILDERS.get(type(event))
    if builder is None:
        return
    try:
        built = builder(event)
        if built is not None:
            enqueue(*built)
    except Exception:
        log.exception('rest-events: could not queue %s',
                      type(event).__name__)
