"""What each ``key`` subcommand does (see eml_key.py for the command).

Each handler checks what it needs, prints one clear result for the sender
(what happened and what to do next) and changes nothing on a refusal; it
returns True when it did what was asked (the web routes answer 200 then).
"""

from __future__ import annotations

import logging

from mailman.core.i18n import _
from mailman.interfaces.member import MemberRole
from mailman.interfaces.pending import IPendings
from mailman.interfaces.subscriptions import ISubscriptionManager
from zope.component import getUtility
from zope.event import notify

from mailman_pgp.keycmd.proof import (
    SignedRequest, collapse, not_replayed, offered_key, one_public_key,
    partly_signed, say, sender_of, verified)
from mailman_pgp.events import KeyRevokedEvent
from mailman_pgp.keystore import confirmed_key, key_store
from mailman_pgp import model, pgp
from mailman_pgp.templates import render


log = logging.getLogger('mailman.plugins.pgp')

# Set by the REST routes (the web UI): the command itself is the request
# of a logged-in user there; a signature still has to cover the key.
AUTHENTICATED_REQUEST = 'pgp_authenticated_request'


def _token(arguments, results) -> str | None:
    if not arguments:
        say(results, _('Missing token: reply to the message that asked '
                       'you, keeping its subject line.'))
        return None
    if len(arguments) > 1:
        say(results, _('Extraneous arguments: {}').format(
            ' '.join(arguments[1:])))
        return None
    return arguments[0]


def _pending(token: str, kind: str, mlist, sender: str):
    pendable = getUtility(IPendings).confirm(token, expunge=False)
    if (pendable is None or pendable.get('type') != kind
            or pendable.get('list_id') != mlist.list_id
            or pendable.get('email', '').lower() != sender):
        return None
    return pendable


def key_set(mlist, msg, msgdata, arguments, results):
    sender = sender_of(msg)
    token = _token(arguments, results)
    if token is None:
        return
    if _pending(token, 'pgp-key', mlist, sender) is None:
        say(results, _('Wrong token: it is not waiting for a key from {} '
                       '(or it expired).').format(sender))
        return
    # An Autocrypt header offers a key only to a new subscriber: it is
    # covered by no signature, so it never replaces a stored key.
    try:
        new_subscriber = key_store().address_key(sender) is None
    except (ValueError, pgp.PGPError):
        new_subscriber = False      # a damaged key file: a key all the same
    key = offered_key(mlist, msg, msgdata, results,
                      autocrypt=new_subscriber)
    if key is None:
        return
    manager = ISubscriptionManager(mlist)
    if not _store(mlist, sender, key, results):
        return
    pgp_address = model.PGPAddress.get_or_create(sender)
    pgp_address.key_fingerprint = key.fingerprint
    pgp_address.key_confirmed = False
    try:
        manager.resume_key_step(token, 'pgp_key_received')
    except LookupError:
        say(results, _('Wrong token: it is not waiting for a key (it may '
                       'have been used already).'))
        return
    say(results, _('Key set: {}.  The list has sent you a statement '
                   'encrypted to this key: sign it and send it back, as '
                   'that message explains.').format(key.fingerprint))
    return True


def key_confirm(mlist, msg, msgdata, arguments, results):
    from mailman_pgp.pgp import Key
    from mailman_pgp.workflows.change import key_change_proven
    from mailman_pgp.workflows.mail import statement
    sender = sender_of(msg)
    token = _token(arguments, results)
    if token is None:
        return
    change = _pending(token, 'pgp-key-change', mlist, sender)
    subscription = _pending(token, 'pgp-key', mlist, sender)
    if change is not None and change.get('stage') == 'confirm':
        key = Key.load(change['key'])
    elif subscription is not None:
        key = key_store().address_key(sender)
    else:
        say(results, _('Wrong token: nothing waits for a proof from {} '
                       '(or it expired).').format(sender))
        return
    if key is None:
        say(results, _('No key is set for {}; send it first (key set).')
             .format(sender))
        return
    verifications = verified(msg, msgdata, key, results)
    if verifications == []:
        say(results, _('The reply is not signed: sign it with the key {}.')
             .format(key.fingerprint))
        return
    if verifications is None:
        say(results, _('The signature does not verify with the key {}: '
                       'sign the statement with that key.').format(
                            key.fingerprint))
        return
    # The statement names the token (this request) and the key: both
    # inside the signed text.
    expected = collapse(statement(mlist, sender, key.fingerprint, token))
    if expected not in SignedRequest(msg, msgdata).text():
        say(results, _("The signed text doesn't contain the expected "
                       'statement; copy it exactly from the request.'))
        return
    digests = not_replayed(verifications, results)
    if digests is None:
        return
    model.PGPSigHash.remember(digests, key.fingerprint)
    if change is not None:
        if key_change_proven(mlist, token, change):
            say(results, _('Key changed to {}.').format(key.fingerprint))
        else:
            say(results, _('Key {} proven; a moderator now approves the '
                           'change.  Your current key stays in use until '
                           'then.').format(key.fingerprint))
        return True
    try:
        ISubscriptionManager(mlist).resume_key_step(
            token, 'pgp_proof_received')
    except LookupError:
        say(results, _('Wrong token: it is not waiting for a proof (it may '
                       'have been used already).'))
        return
    member = mlist.regular_members.get_member(sender)
    say(results, _('Key confirmed: {}.').format(key.fingerprint))
    if member is not None:
        say(results, _('You are subscribed to {}.').format(
            mlist.fqdn_listname))
    elif model.PGPAddress.for_email(sender).key_confirmed:
        say(results, _('A moderator will now approve your subscription.'))
    else:
        say(results, _('A moderator will now approve your key.'))
    return True


def key_change(mlist, msg, msgdata, arguments, results):
    """The current key signs one text holding ``key change`` and the new
    key (or the same key, updated, signed with itself): see
    SignedRequest for what counts as inside."""
    from mailman_pgp.workflows.change import start_key_change
    sender = sender_of(msg)
    if arguments:
        say(results, _('Extraneous arguments: {}').format(' '.join(
            arguments)))
        return
    current = confirmed_key(sender)
    if current is None:
        say(results, _('You have no confirmed key to change; you get one '
                       'when you subscribe.'))
        return
    request = SignedRequest(msg, msgdata)
    if not request.signed:
        _sign_with(current, results)
        return
    if request.content.error:
        say(results, request.content.error)
        return
    if partly_signed(request.content, results):
        return
    new_key = _signed_key(mlist, msg, request, 'key change', results,
                          authenticated=msgdata.get(AUTHENTICATED_REQUEST))
    if new_key is None:
        return
    if new_key.fingerprint == current.fingerprint:
        return _update_key(mlist, msg, msgdata, sender, new_key, results)
    verifications = verified(msg, msgdata, current, results)
    if verifications == []:
        _sign_with(current, results)
        return
    if verifications is None:
        say(results, _('The signature does not verify with your current key '
                       '{}: it must be made with that key, over the new key '
                       'exactly as exported.').format(current.fingerprint))
        return
    digests = not_replayed(verifications, results)
    if digests is None:
        return
    model.PGPSigHash.remember(digests, current.fingerprint)
    start_key_change(mlist, sender, new_key)
    say(results, _('Key change request received: the list has sent a '
                   'statement encrypted to the new key {}; sign it with '
                   'the new key and send it back.').format(
                        new_key.fingerprint))
    return True


def _sign_with(current, results) -> None:
    say(results, _('Sign the key change request with your current key '
                   '{}, so the list knows it comes from you.').format(
                        current.fingerprint))


def _signed_key(mlist, msg, request, command: str, results, *,
                authenticated=False):
    """The one usable key of the signed entity that starts with
    ``command`` (see SignedRequest; on the web the logged-in user's
    request is the command, and the one signed text holds the key)."""
    entity = request.request(command)
    if entity is None and authenticated:
        entity = request.entities[0] if request.entities else None
    try:
        found = request.keys(entity) if entity is not None \
            else request.keys()
    except pgp.PGPError as error:
        say(results, str(error))
        return None
    if not (found.public_keys or found.private_keys or found.errors):
        _refuse(mlist, msg, 'key-outside-signature', command, results)
        return None
    if entity is None:
        _refuse(mlist, msg, 'key-command-unsigned', command, results)
        return None
    return one_public_key(found, results)


def _refuse(mlist, msg, template: str, command: str, results) -> None:
    log.warning('%s: %s from %s (message %s) refused: %s', mlist.list_id,
                command, sender_of(msg), msg.get('message-id', 'n/a'),
                template)
    say(results, render('list:user:pgp:' + template, mlist,
                        command=command).strip())


def _store(mlist, sender: str, key, results) -> bool:
    """Store ``key`` for ``sender`` unless it is an older copy of the
    stored one (the key store refuses those; the reply says why)."""
    try:
        key_store().set_address_key(sender, key)
    except pgp.StaleKeyError as error:
        log.warning('%s: older copy of key %s of %s refused', mlist.list_id,
                    key.fingerprint, sender)
        say(results, render('list:user:pgp:key-stale', mlist,
                            reason=str(error),
                            fingerprint=key.fingerprint).strip())
        return False
    return True


def _update_key(mlist, msg, msgdata, sender, updated, results):
    """The same key with new self-signatures (say, a later expiry).

    The mail must be signed with the key as updated: an expired key cannot
    sign any more, the renewed one can, and only its holder can renew it.
    An older copy of the key is refused by the key store.
    """
    verifications = verified(msg, msgdata, updated, results)
    if not verifications:
        say(results, _('Sign the mail with your updated key {}.').format(
            updated.fingerprint))
        return
    digests = not_replayed(verifications, results)
    if digests is None:
        return
    if not _store(mlist, sender, updated, results):
        return
    model.PGPSigHash.remember(digests, updated.fingerprint)
    expires = updated.expires_at
    log.info('%s: key %s of %s updated', mlist.list_id, updated.fingerprint,
             sender)
    say(results, _('Key {} updated{}.').format(
        updated.fingerprint, '' if expires is None else _(
            '; it now expires on {}').format(expires.date().isoformat())))
    return True


def key_revoke(mlist, msg, msgdata, arguments, results):
    from mailman_pgp.workflows.reset import PGPKeyResetWorkflow
    sender = sender_of(msg)
    current = confirmed_key(sender)
    if current is None:
        say(results, _('You have no confirmed key to revoke.'))
        return
    try:
        revocations = pgp.find_keys(msg).revocations
    except pgp.PGPError as error:
        say(results, str(error))
        return
    if not revocations:
        say(results, _('No revocation certificate attached: attach the one '
                       'gpg made (openpgp-revocs.d/<fingerprint>.rev, '
                       'without the leading colon) or gpg --gen-revoke.'))
        return
    updated = current
    try:
        for revocation in revocations:
            updated = pgp.apply_revocation(updated, revocation)
    except pgp.PGPError as error:
        say(results, _('Revocation refused: {}').format(error))
        return
    key_store().set_address_key(sender, updated)
    usability = updated.usability()
    if usability.can_encrypt and usability.can_sign:
        say(results, _('Key updated: the revoked parts of {} are no longer '
                       'used.').format(updated.fingerprint))
        return True
    model.PGPAddress.for_email(sender).key_confirmed = False
    address = _mailman_address(sender)
    workflow = PGPKeyResetWorkflow(mlist, address)
    list(workflow)
    log.info('%s: key %s of %s revoked; delivery stopped, new key requested',
             mlist.list_id, updated.fingerprint, sender)
    notify(KeyRevokedEvent(mlist, sender, updated.fingerprint))
    say(results, _('Key {} revoked.  The list no longer sends you posts and '
                   'has asked you for a new key (key set).').format(
                        updated.fingerprint))
    return True


def _mailman_address(email: str):
    from mailman.interfaces.usermanager import IUserManager
    return getUtility(IUserManager).get_address(email)


def key_sign(mlist, msg, msgdata, arguments, results):
    from mailman_pgp.model import PGPMailingList
    sender = sender_of(msg)
    signer = confirmed_key(sender)
    if signer is None:
        say(results, _('You need a confirmed key to certify the list key.'))
        return
    allowed = PGPMailingList.for_list(mlist).key_signing_allowed
    if not any(_on_roster(mlist, role, sender) for role in allowed):
        say(results, _('You are not allowed to certify the list key (the '
                       'list allows: {}).').format(', '.join(sorted(
                            role.name for role in allowed))))
        return
    try:
        found = pgp.find_keys(msg).public_keys
    except pgp.PGPError as error:
        say(results, str(error))
        return
    if len(found) != 1:
        say(results, _('Attach exactly one key: the list key with your '
                       'certification (gpg --sign-key, then gpg --armor '
                       '--export).'))
        return
    store = key_store()
    list_key = store.list_key(mlist.list_id)
    try:
        merged = pgp.merge_certifications(list_key, found[0], signer)
    except pgp.PGPError as error:
        say(results, _('List key not updated: {}').format(error))
        return
    store.set_list_key(mlist.list_id, merged)
    log.info('%s: list key certified by %s', mlist.list_id,
             signer.fingerprint)
    say(results, _('List key updated with your certification.'))


def _on_roster(mlist, role: MemberRole, email: str) -> bool:
    # As for REST (PUT pubkey): the list's roster of that role.
    return mlist.get_roster(role).get_member(email) is not None


def key_receive(mlist, msg, msgdata, arguments, results):
    from mailman_pgp.workflows.mail import send_list_key
    sender = sender_of(msg)
    if not sender:
        return
    send_list_key(mlist, sender)
    say(results, _('Key sent: the list key comes in a separate message.'))
