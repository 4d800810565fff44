"""What a ``key`` mail proves: the one key it carries, and signatures by a
given key over all of it (see pgp/signed.py), not seen before.

Each function tells the sender why, through ``results``, when it refuses.
"""

from __future__ import annotations

import email
import re

from mailman.core.i18n import _
from mailman.email.message import Message
from public import public

from mailman_pgp.model import PGPSigHash
from mailman_pgp import pgp


@public
def say(results, text: str) -> None:
    print(text, file=results)


@public
def sender_of(msg) -> str:
    return (msg.sender or '').lower()


def _autocrypt_key(msg, msgdata):
    """The key in the sender's own Autocrypt header of the mail as it
    arrived (outer headers only: never one from inside the encryption)."""
    received = msg
    if msgdata.get('pgp_original'):
        received = email.message_from_string(msgdata['pgp_original'],
                                             Message)
    key = pgp.sender_autocrypt_key(received)
    if key is None or sender_of(received) != sender_of(msg):
        return None
    return key


@public
def one_public_key(msg, msgdata, results):
    """The single usable public key attached (or, with none attached, in
    the sender's Autocrypt header), or None (sender told why)."""
    try:
        found = pgp.find_keys(msg)
        if not (found.public_keys or found.private_keys or found.errors):
            key = _autocrypt_key(msg, msgdata)
            if key is not None:
                found.public_keys.append(key)
    except pgp.PGPError as error:
        say(results, str(error))
        return None
    if found.private_keys:
        say(results, _('You sent a private key.  It was not stored.  Send '
                       'only your public key (gpg --armor --export), and '
                       'consider that private key exposed.'))
        return None
    if not found.public_keys:
        reason = str(found.errors[0]) if found.errors else _(
            'No key attached: attach your public key (gpg --armor --export '
            'you@example.org > key.asc).')
        say(results, reason)
        return None
    if len(found.public_keys) > 1:
        say(results, _('More than one key attached ({}); send only the one '
                       'key you want to use.').format(', '.join(
                            key.fingerprint for key in found.public_keys)))
        return None
    key = pgp.minimize(found.public_keys[0])
    usability = key.usability()
    if not (usability.can_encrypt and usability.can_sign):
        say(results, _('Key {} cannot be used: it must be able to encrypt '
                       'and to sign ({}).').format(
            key.fingerprint, '; '.join(usability.reasons) or 'no usable '
            'subkey'))
        return None
    if usability.defects:
        say(results, _('Key {} is refused: {}').format(
            key.fingerprint, ' '.join(usability.defects)))
        return None
    return key


@public
def verified(msg, msgdata, key, results):
    """Good signatures by ``key`` covering the whole mail, [] if it is not
    signed, or None if a signature is bad or part of the mail unsigned."""
    content = msgdata.get('pgp_signed') or pgp.signed_content(msg)
    if content.form is None:
        return []
    if content.unsigned:
        say(results, _('Part of the mail is not signed ({}); sign the whole '
                       'mail (PGP/MIME).').format(
                            '; '.join(content.unsigned[:5])))
        return None
    try:
        verifications = content.verify([key])
    except pgp.PGPError:
        return None
    if not verifications or any(v.status != 'good' for v in verifications):
        return None
    return verifications


@public
def signed_text(msg, msgdata) -> str:
    """The text covered by the signature, whitespace collapsed."""
    signed = pgp.strip_signature(msg)
    texts = []
    for part in signed.walk():
        if part.get_content_type() == 'text/plain':
            payload = part.get_payload(decode=True) or b''
            texts.append(payload.decode(part.get_content_charset('utf-8'),
                                        'replace'))
    return collapse('\n'.join(texts))


@public
def collapse(text: str) -> str:
    return re.sub(r'\s+', ' ', text).strip()


@public
def not_replayed(verifications, results) -> list[str] | None:
    digests = [v.digest.hex() for v in verifications]
    if PGPSigHash.known(digests):
        say(results, _('This signed mail was already used once; send a '
                       'newly signed one.'))
        return None
    return digests
