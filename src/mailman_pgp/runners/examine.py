"""Decrypt a message to a PGP list and check its signatures, once.

The incoming and command runners call ``examine()``; the rules only read
the outcome it leaves in ``msgdata['pgp']`` (plain JSON-able data, so it
survives the queue pickles and a hold's pendings).
"""

import email.message
import logging
import re

from mailman.email.message import Message
from public import public

from mailman_pgp.pgp import (
    PGPError, decrypt_message, has_encrypted_parts, is_encrypted,
    signed_content)
from mailman_pgp.pgp._email import outer_from
from mailman_pgp.pgp.decode import AmbiguousPartError, check_envelope
from mailman_pgp.pgp.delivered import UNCOVERED_OUTER, verified_entity
from mailman_pgp.pgp.exchange_repair import repair_exchange


log = logging.getLogger('mailman.plugins.pgp')


def _as_mailman_message(decrypted, original: Message) -> Message:
    """The decrypted message as Mailman's Message class, senders kept.

    The same object, not a re-parse of its serialisation: what goes on is
    what was checked (a second parse could read it differently).
    """
    msg = decrypted
    if not isinstance(msg, Message):
        if not isinstance(msg, email.message.Message):
            raise TypeError(type(msg))
        msg.__class__ = Message
    # What the LMTP runner noted about the message as it arrived.
    for name in ('original_sender', 'original_size'):
        if hasattr(original, name):
            setattr(msg, name, getattr(original, name))
    return msg


# A line break that starts no continuation line, and the characters
# Python's str.splitlines() also breaks lines at (vertical tab, form feed...).
_BARE_LINE_BREAK = re.compile(
    '[\r\n]+(?![ \t])|[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]')


def _mend_headers(msg: Message) -> None:
    """Fold stray line breaks inside header values into spaces, in place.

    A damaged or hostile header can hold a line break that starts no
    continuation line (or a vertical tab, which folding turns into one);
    Python 3.13 (rightly, against header injection)
    refuses to write such a message out, so every later step that stores,
    holds or returns it would fail.  The headers mean the same afterwards,
    and a signature over a part so mended no longer verifies: fail closed.
    """
    for part in msg.walk():
        headers = part._headers
        for index, (name, value) in enumerate(headers):
            if isinstance(value, str) and _BARE_LINE_BREAK.search(
                    value.rstrip('\r\n')):
                headers[index] = (name, _BARE_LINE_BREAK.sub(
                    ' ', value.rstrip('\r\n')))


@public
def verified_message(seen: Message, content, original: Message,
                     where: str = '') -> tuple:
    """(the message members receive, None) built from what the signatures
    cover, outer headers kept; (seen, why) when it cannot be."""
    try:
        entity = verified_entity(content, seen)
    except PGPError as error:
        return seen, str(error)
    if entity is None:
        return seen, None
    out = seen if entity is seen else outer_from(seen, entity)
    dropped = list(content.dropped)
    for name in UNCOVERED_OUTER:
        if name in out:
            dropped.append('the {} header'.format(name))
            del out[name]
    if dropped:
        log.info('%s: message %s: not delivered, as no signature covers '
                 'it: %s', where, seen.get('message-id', 'n/a'),
                 '; '.join(dropped))
    return _as_mailman_message(out, original), None


def _size_cap(mlist) -> int:
    """How large a post may grow when decrypted (and decompressed).

    Generous against the list's own size limit, so real posts pass and a
    small message that inflates to gigabytes is refused, not expanded.
    """
    limit_kb = getattr(mlist, 'max_message_size', 0) or 0
    if limit_kb <= 0:
        return 64 * 1024 * 1024
    return max(4 * 1024 * 1024, 16 * limit_kb * 1024)


@public
def readable_list_key(mlist):
    """(list key, None), (None, None) while it does not exist, or (None,
    why) when it exists but cannot be read (the runners keep the mail)."""
    from mailman_pgp.keystore import key_store
    from mailman_pgp.keystore.store import UnreadableKeyError
    try:
        return key_store().list_key(mlist.list_id), None
    except UnreadableKeyError as error:
        return None, str(error)


@public
def decryption_keys(mlist, list_key) -> list:
    """The list key, then retired list keys still in their grace period
    (mail encrypted to the old key during a rotation)."""
    from mailman_pgp.keystore import key_store
    from mailman_pgp.keystore.retired import retired_list_keys
    return [list_key] + retired_list_keys(key_store(), mlist.list_id)


def sender_key(msg: Message):
    """The sender's confirmed key, or None."""
    from mailman_pgp.keystore import confirmed_key
    return confirmed_key(msg.sender)


def _verify(verify, keys, result) -> list:
    try:
        return verify(keys)
    except PGPError as error:
        result['signature_error'] = str(error)
        return []


def _signature_results(verifications) -> list[dict]:
    return [dict(status=v.status, keyid=v.signer_keyid,
                 fingerprint=v.signer_fingerprint, digest=v.digest.hex(),
                 reason=v.reason)
            for v in verifications]


@public
def examine(mlist, msg: Message, msgdata: dict, list_key, *,
            keep_signed_data: bool = False,
            for_members: bool = False) -> Message:
    """Decrypt ``msg`` if it is encrypted, verify its signatures.

    :return: the message the rest of Mailman should see (the decrypted one
        when decryption worked, else ``msg``).  ``msgdata['pgp']`` gets:
        encrypted (bool), decrypt_error (str or None), partly_encrypted,
        signed ('mime', 'inline' or None), unsigned_parts (what members
        would receive that no signature covers), ambiguous (parts two mail
        programs could read differently), signatures (list of dicts
        with status, keyid, fingerprint, digest, reason), signature_error (a
        malformed signature), sender_key (fingerprint or None).  With
        keep_signed_data, ``msgdata['pgp_signed']`` keeps the SignedContent
        so the key commands can check it against other keys.  The message
        as received is kept in ``pgp_original`` so a
        rejection can return it without revealing the plaintext.  With
        for_members (posts), a signature made inside the encryption goes on
        detached, for members to check (``DecryptedMessage.for_members``).
    """
    _mend_headers(msg)
    msg = repair_exchange(msg)
    result = dict(encrypted=False, decrypt_error=None, partly_encrypted=False,
                  signed=None, unsigned_parts=[], ambiguous=[], signatures=[],
                  signature_error=None, sender_key=None)
    message_id = msg.get('message-id', 'n/a')
    seen, content = msg, None
    if is_encrypted(msg):
        result['encrypted'] = True
        msgdata['pgp_original'] = msg.as_string()
        try:
            decrypted = decrypt_message(msg, decryption_keys(mlist, list_key),
                                        max_size=_size_cap(mlist))
        except PGPError as error:
            result['decrypt_error'] = str(error)
            log.warning('%s: message %s not decrypted: %s', mlist.list_id,
                        message_id, error)
        else:
            seen = _as_mailman_message(
                decrypted.for_members if for_members else decrypted.message,
                msg)
            content = decrypted.content
            if for_members and decrypted.not_carried:
                log.warning('%s: message %s: the author\'s signature does '
                            'not reach members: %s', mlist.list_id,
                            message_id, decrypted.not_carried)
    else:
        result['partly_encrypted'] = has_encrypted_parts(msg)
        try:
            content = signed_content(msg)
        except PGPError as error:
            # Damaged beyond reading: refused, never a crash of the runner.
            result['ambiguous'].append('the message: {}'.format(error))
    if content is not None:
        result['ambiguous'].extend(content.ambiguous)
    try:
        check_envelope(msg)
    except AmbiguousPartError as error:
        result['ambiguous'].insert(0, 'the message: {}'.format(error))
    key = sender_key(seen) if content is not None else None
    verifications = []
    if content is not None and content.form is not None:
        result['signed'] = content.form
        result['unsigned_parts'] = list(content.unsigned)
        if keep_signed_data:
            msgdata['pgp_signed'] = content
        verifications = _verify(content.verify, [key] if key else [], result)
        seen, why = verified_message(seen, content, msg, mlist.list_id)
        if why:
            result['unsigned_parts'].append(why)
    result['sender_key'] = key.fingerprint if key is not None else None
    result['signatures'] = _signature_results(verifications)
    msgdata['pgp'] = result
    log.info('%s: message %s: encrypted=%s signed=%s%s signatures=%s '
             'sender key %s%s', mlist.list_id, message_id,
             result['encrypted'], result['signed'],
             ' (partly)' if result['unsigned_parts'] else
             ' (ambiguous)' if result['ambiguous'] else '', ','.join(
                 '{}:{}'.format(s['status'], s['fingerprint'] or s['keyid'])
                 for s in result['signatures']) or '-',
             result['sender_key'] or '-', ''.join(
                 f'; {s["reason"]}' for s in result['signatures']
                 if s['reason'] and s['status'] != 'unknown'))
    return seen
