"""What each ``key`` subcommand does (see eml_key.py for the command).

Each handler checks what it needs, prints one clear result for the sender
(what happened and what to do next) and changes nothing on a refusal; it
returns True when it did what was asked (the web routes answer 200 then).
"""

import email
import logging
import re

from mailman.core.i18n import _
from mailman.email.message import Message
from mailman.interfaces.member import MemberRole
from mailman.interfaces.pending import IPendings
from mailman.interfaces.subscriptions import ISubscriptionManager
from zope.component import getUtility
from zope.event import notify

from mailman_pgp.events import KeyRevokedEvent
from mailman_pgp.keystore import confirmed_key, key_store
from mailman_pgp.model import PGPAddress, PGPSigHash
from mailman_pgp.pgp import (
    PGPError, apply_revocation, find_keys, merge_certifications, minimize,
    sender_autocrypt_key, signed_content, strip_signature)


log = logging.getLogger('mailman.plugins.pgp')


def _say(results, text: str) -> None:
    print(text, file=results)


def _sender(msg) -> str:
    return (msg.sender or '').lower()


def _token(arguments, results) -> str | None:
    if not arguments:
        _say(results, _('Missing token: reply to the message that asked '
                        'you, keeping its subject line.'))
        return None
    if len(arguments) > 1:
        _say(results, _('Extraneous arguments: {}').format(
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


def _autocrypt_key(msg, msgdata):
    """The key in the sender's own Autocrypt header of the mail as it
    arrived (outer headers only: never one from inside the encryption)."""
    received = msg
    if msgdata.get('pgp_original'):
        received = email.message_from_string(msgdata['pgp_original'],
                                             Message)
    key = sender_autocrypt_key(received)
    if key is None or _sender(received) != _sender(msg):
        return None
    return key


def _one_public_key(msg, msgdata, results):
    """The single usable public key attached (or, with none attached, in
    the sender's Autocrypt header), or None (sender told why)."""
    try:
        found = find_keys(msg)
        if not (found.public_keys or found.private_keys or found.errors):
            key = _autocrypt_key(msg, msgdata)
            if key is not None:
                found.public_keys.append(key)
    except PGPError as error:
        _say(results, str(error))
        return None
    if found.private_keys:
        _say(results, _('You sent a private key.  It was not stored.  Send '
                        'only your public key (gpg --armor --export), and '
                        'consider that private key exposed.'))
        return None
    if not found.public_keys:
        reason = str(found.errors[0]) if found.errors else _(
            'No key attached: attach your public key (gpg --armor --export '
            'you@example.org > key.asc).')
        _say(results, reason)
        return None
    if len(found.public_keys) > 1:
        _say(results, _('More than one key attached ({}); send only the one '
                        'key you want to use.').format(', '.join(
                            key.fingerprint for key in found.public_keys)))
        return None
    key = minimize(found.public_keys[0])
    usability = key.usability()
    if not (usability.can_encrypt and usability.can_sign):
        _say(results, _('Key {} cannot be used: it must be able to encrypt '
                        'and to sign ({}).').format(
            key.fingerprint, '; '.join(usability.reasons) or 'no usable '
            'subkey'))
        return None
    if usability.defects:
        _say(results, _('Key {} is refused: {}').format(
            key.fingerprint, ' '.join(usability.defects)))
        return None
    return key


def _verified(msg, msgdata, key, results):
    """Good signatures by ``key`` covering the whole mail, [] if it is not
    signed, or None if a signature is bad or part of the mail unsigned."""
    content = msgdata.get('pgp_signed') or signed_content(msg)
    if content.form is None:
        return []
    if content.unsigned:
        _say(results, _('Part of the mail is not signed ({}); sign the whole '
                        'mail (PGP/MIME).').format(
                            '; '.join(content.unsigned[:5])))
        return None
    try:
        verifications = content.verify([key])
    except PGPError:
        return None
    if not verifications or any(v.status != 'good' for v in verifications):
        return None
    return verifications


def _signed_text(msg, msgdata) -> str:
    """The text covered by the signature, whitespace collapsed."""
    signed = strip_signature(msg)
    texts = []
    for part in signed.walk():
        if part.get_content_type() == 'text/plain':
            payload = part.get_payload(decode=True) or b''
            texts.append(payload.decode(part.get_content_charset('utf-8'),
                                        'replace'))
    return _collapse('\n'.join(texts))


def _collapse(text: str) -> str:
    return re.sub(r'\s+', ' ', text).strip()


def _not_replayed(verifications, results) -> list[str] | None:
    digests = [v.digest.hex() for v in verifications]
    if PGPSigHash.known(digests):
        _say(results, _('This signed mail was already used once; send a '
                        'newly signed one.'))
        return None
    return digests


def key_set(mlist, msg, msgdata, arguments, results):
    sender = _sender(msg)
    token = _token(arguments, results)
    if token is None:
        return
    if _pending(token, 'pgp-key', mlist, sender) is None:
        _say(results, _('Wrong token: it is not waiting for a key from {} '
                        '(or it expired).').format(sender))
        return
    key = _one_public_key(msg, msgdata, results)
    if key is None:
        return
    manager = ISubscriptionManager(mlist)
    key_store().set_address_key(sender, key)
    pgp_address = PGPAddress.get_or_create(sender)
    pgp_address.key_fingerprint = key.fingerprint
    pgp_address.key_confirmed = False
    try:
        manager.resume_key_step(token, 'pgp_key_received')
    except LookupError:
        _say(results, _('Wrong token: it is not waiting for a key (it may '
                        'have been used already).'))
        return
    _say(results, _('Key set: {}.  The list has sent you a statement '
                    'encrypted to this key: sign it and send it back, as '
                    'that message explains.').format(key.fingerprint))
    return True


def key_confirm(mlist, msg, msgdata, arguments, results):
    from mailman_pgp.pgp import Key
    from mailman_pgp.workflows.change import key_change_proven
    from mailman_pgp.workflows.mail import statement
    sender = _sender(msg)
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
        _say(results, _('Wrong token: nothing waits for a proof from {} '
                        '(or it expired).').format(sender))
        return
    if key is None:
        _say(results, _('No key is set for {}; send it first (key set).')
             .format(sender))
        return
    verifications = _verified(msg, msgdata, key, results)
    if verifications == []:
        _say(results, _('The reply is not signed: sign it with the key {}.')
             .format(key.fingerprint))
        return
    if verifications is None:
        _say(results, _('The signature does not verify with the key {}: '
                        'sign the statement with that key.').format(
                            key.fingerprint))
        return
    expected = _collapse(statement(mlist, sender, key.fingerprint, token))
    if expected not in _signed_text(msg, msgdata):
        _say(results, _("The signed text doesn't contain the expected "
                        'statement; copy it exactly from the request.'))
        return
    digests = _not_replayed(verifications, results)
    if digests is None:
        return
    PGPSigHash.remember(digests, key.fingerprint)
    if change is not None:
        if key_change_proven(mlist, token, change):
            _say(results, _('Key changed to {}.').format(key.fingerprint))
        else:
            _say(results, _('Key {} proven; a moderator now approves the '
                            'change.  Your current key stays in use until '
                            'then.').format(key.fingerprint))
        return True
    try:
        ISubscriptionManager(mlist).resume_key_step(
            token, 'pgp_proof_received')
    except LookupError:
        _say(results, _('Wrong token: it is not waiting for a proof (it may '
                        'have been used already).'))
        return
    member = mlist.regular_members.get_member(sender)
    _say(results, _('Key confirmed: {}.').format(key.fingerprint))
    if member is not None:
        _say(results, _('You are subscribed to {}.').format(
            mlist.fqdn_listname))
    elif PGPAddress.for_email(sender).key_confirmed:
        _say(results, _('A moderator will now approve your subscription.'))
    else:
        _say(results, _('A moderator will now approve your key.'))
    return True


def key_change(mlist, msg, msgdata, arguments, results):
    from mailman_pgp.workflows.change import start_key_change
    sender = _sender(msg)
    if arguments:
        _say(results, _('Extraneous arguments: {}').format(' '.join(
            arguments)))
        return
    current = confirmed_key(sender)
    if current is None:
        _say(results, _('You have no confirmed key to change; you get one '
                        'when you subscribe.'))
        return
    new_key = _one_public_key(msg, msgdata, results)
    if new_key is None:
        return
    if new_key.fingerprint == current.fingerprint:
        return _update_key(mlist, msg, msgdata, sender, new_key, results)
    verifications = _verified(msg, msgdata, current, results)
    if not verifications:
        _say(results, _('Sign the key change request with your current key '
                        '{}, so the list knows it comes from you.').format(
                            current.fingerprint))
        return
    digests = _not_replayed(verifications, results)
    if digests is None:
        return
    PGPSigHash.remember(digests, current.fingerprint)
    start_key_change(mlist, sender, new_key)
    _say(results, _('Key change request received: the list has sent a '
                    'statement encrypted to the new key {}; sign it with '
                    'the new key and send it back.').format(
                        new_key.fingerprint))
    return True


def _update_key(mlist, msg, msgdata, sender, updated, results):
    """The same key with new self-signatures (say, a later expiry).

    The mail must be signed with the key as updated: an expired key cannot
    sign any more, the renewed one can, and only its holder can renew it.
    """
    verifications = _verified(msg, msgdata, updated, results)
    if not verifications:
        _say(results, _('Sign the mail with your updated key {}.').format(
            updated.fingerprint))
        return
    current = key_store().address_key(sender)
    lost = set(current.usability().revoked_keyids) - set(
        updated.usability().revoked_keyids)
    if lost:
        # An update must not bring back what a revocation took away.
        _say(results, _('The key you sent lacks revocations the list '
                        'already has (of {}); export the key again from the '
                        'keyring that holds them.').format(
                            ', '.join(sorted(lost))))
        return
    digests = _not_replayed(verifications, results)
    if digests is None:
        return
    PGPSigHash.remember(digests, updated.fingerprint)
    key_store().set_address_key(sender, updated)
    expires = updated.expires_at
    log.info('%s: key %s of %s updated', mlist.list_id, updated.fingerprint,
             sender)
    _say(results, _('Key {} updated{}.').format(
        updated.fingerprint, '' if expires is None else _(
            '; it now expires on {}').format(expires.date().isoformat())))
    return True


def key_revoke(mlist, msg, msgdata, arguments, results):
    from mailman_pgp.workflows.reset import PGPKeyResetWorkflow
    sender = _sender(msg)
    current = confirmed_key(sender)
    if current is None:
        _say(results, _('You have no confirmed key to revoke.'))
        return
    try:
        revocations = find_keys(msg).revocations
    except PGPError as error:
        _say(results, str(error))
        return
    if not revocations:
        _say(results, _('No revocation certificate attached: attach the one '
                        'gpg made (openpgp-revocs.d/<fingerprint>.rev, '
                        'without the leading colon) or gpg --gen-revoke.'))
        return
    updated = current
    try:
        for revocation in revocations:
            updated = apply_revocation(updated, revocation)
    except PGPError as error:
        _say(results, _('Revocation refused: {}').format(error))
        return
    key_store().set_address_key(sender, updated)
    usability = updated.usability()
    if usability.can_encrypt and usability.can_sign:
        _say(results, _('Key updated: the revoked parts of {} are no longer '
                        'used.').format(updated.fingerprint))
        return True
    PGPAddress.for_email(sender).key_confirmed = False
    address = _mailman_address(sender)
    workflow = PGPKeyResetWorkflow(mlist, address)
    list(workflow)
    log.info('%s: key %s of %s revoked; delivery stopped, new key requested',
             mlist.list_id, updated.fingerprint, sender)
    notify(KeyRevokedEvent(mlist, sender, updated.fingerprint))
    _say(results, _('Key {} revoked.  The list no longer sends you posts and '
                    'has asked you for a new key (key set).').format(
                        updated.fingerprint))
    return True


def _mailman_address(email: str):
    from mailman.interfaces.usermanager import IUserManager
    return getUtility(IUserManager).get_address(email)


def key_sign(mlist, msg, msgdata, arguments, results):
    from mailman_pgp.model import PGPMailingList
    sender = _sender(msg)
    signer = confirmed_key(sender)
    if signer is None:
        _say(results, _('You need a confirmed key to certify the list key.'))
        return
    allowed = PGPMailingList.for_list(mlist).key_signing_allowed
    if not any(_on_roster(mlist, role, sender) for role in allowed):
        _say(results, _('You are not allowed to certify the list key (the '
                        'list allows: {}).').format(', '.join(sorted(
                            role.name for role in allowed))))
        return
    try:
        found = find_keys(msg).public_keys
    except PGPError as error:
        _say(results, str(error))
        return
    if len(found) != 1:
        _say(results, _('Attach exactly one key: the list key with your '
                        'certification (gpg --sign-key, then gpg --armor '
                        '--export).'))
        return
    store = key_store()
    list_key = store.list_key(mlist.list_id)
    try:
        merged = merge_certifications(list_key, found[0], signer)
    except PGPError as error:
        _say(results, _('List key not updated: {}').format(error))
        return
    store.set_list_key(mlist.list_id, merged)
    log.info('%s: list key certified by %s', mlist.list_id,
             signer.fingerprint)
    _say(results, _('List key updated with your certification.'))


def _on_roster(mlist, role: MemberRole, email: str) -> bool:
    # As for REST (PUT pubkey): the list's roster of that role.
    return mlist.get_roster(role).get_member(email) is not None


def key_receive(mlist, msg, msgdata, arguments, results):
    from mailman_pgp.workflows.mail import send_list_key
    sender = _sender(msg)
    if not sender:
        return
    send_list_key(mlist, sender)
    _say(results, _('Key sent: the list key comes in a separate message.'))
