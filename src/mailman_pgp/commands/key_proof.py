"""What a ``key`` mail proves: the one key it carries, and signatures by a
given key over all of it (see pgp/signed.py), not seen before.

A signature authorises a key command only for what it covers: the command
and every key the command installs must be inside the signed bytes
(``SignedRequest``).  The mail's own headers (Subject, Autocrypt) and
anything beside the signature count for nothing there.

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
def offered_key(mlist, msg, msgdata, results, *, autocrypt: bool):
    """For ``key set``: the one key in the mail (no signature vouches for
    it: the possession proof does), or, with nothing attached, the one in
    the sender's Autocrypt header when ``autocrypt`` allows it (a new
    subscriber: that header never replaces a stored key)."""
    from mailman_pgp.templates import render
    try:
        found = pgp.find_keys(msg)
        if not (found.public_keys or found.private_keys or found.errors):
            key = _autocrypt_key(msg, msgdata)
            if key is not None and not autocrypt:
                say(results, render('list:user:pgp:key-autocrypt-not-used',
                                    mlist, user_email=sender_of(msg)).strip())
                return None
            if key is not None:
                found.public_keys.append(key)
    except pgp.PGPError as error:
        say(results, str(error))
        return None
    return one_public_key(found, results)


@public
def one_public_key(found: pgp.FoundKeys, results):
    """The single usable public key in ``found``, or None (sender told
    why)."""
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


# The first line of a MIME entity (PGP/MIME, the combined form): a header
# field.  Clearsigned text and signed literal data are text.
_FIELD = re.compile(rb'[!-9;-~]+:')
_REPLY = re.compile(r'^((re|aw|sv|fwd?)\s*:\s*)+', re.IGNORECASE)


def _entity(data: bytes) -> Message:
    if _FIELD.match(data):
        return email.message_from_bytes(data, Message)
    return email.message_from_bytes(
        b'Content-Type: text/plain; charset="utf-8"\r\n\r\n' + data, Message)


@public
class SignedRequest:
    """What the signatures of a key mail cover, read from the signed bytes
    only (pgp/signed.py says which bytes a signature covers).

    - PGP/MIME (multipart/signed, also inside the encryption): the signed
      first part; its Subject (protected headers), its text and the keys
      in it (application/pgp-keys parts, armor in the text) count.
    - The combined form (one OpenPGP message, signed and encrypted): the
      whole decrypted entity or text.
    - Clearsigned text: the cleartext; a key is its armor inside the
      cleartext (gpg dash-escapes it), not an attachment beside it.
    """

    def __init__(self, msg, msgdata):
        self.content = msgdata.get('pgp_signed') or pgp.signed_content(msg)
        datas = []
        for data, _raw in self.content.pairs:
            if data not in datas:
                datas.append(data)
        self.entities = [_entity(data) for data in datas]

    @property
    def signed(self) -> bool:
        return self.content.form is not None

    def lines(self) -> list[str]:
        """The signed Subject headers and text lines, whitespace collapsed,
        lower-cased."""
        out = []
        for entity in self.entities:
            subject = entity.get('subject')
            if subject:
                out.append(_REPLY.sub('', collapse(str(subject))).lower())
            for part in entity.walk():
                if part.get_content_type() == 'text/plain':
                    out.extend(collapse(line).lower()
                               for line in _text(part).splitlines())
        return out

    def says(self, command: str) -> bool:
        """A signed line (or signed Subject) is exactly ``command``."""
        return collapse(command).lower() in self.lines()

    def text(self) -> str:
        """All signed text, whitespace collapsed."""
        return collapse('\n'.join(
            _text(part) for entity in self.entities for part in entity.walk()
            if part.get_content_type() == 'text/plain'))

    def keys(self) -> pgp.FoundKeys:
        """The keys inside the signed bytes."""
        found = pgp.FoundKeys([], [], [], [])
        for entity in self.entities:
            more = pgp.find_keys(entity)
            for name in ('public_keys', 'private_keys', 'revocations',
                         'errors'):
                getattr(found, name).extend(getattr(more, name))
        return found


def _text(part) -> str:
    payload = part.get_payload(decode=True) or b''
    try:
        return payload.decode(part.get_content_charset('utf-8'), 'replace')
    except LookupError:
        return payload.decode('utf-8', 'replace')


@public
def partly_signed(content, results) -> bool:
    """True (sender told what) if part of the mail is not signed."""
    if not content.unsigned:
        return False
    say(results, _('Part of the mail is not signed ({}); sign the whole '
                   'mail (PGP/MIME).').format('; '.join(content.unsigned[:5])))
    return True


@public
def verified(msg, msgdata, key, results):
    """Good signatures by ``key`` covering the whole mail, [] if it is not
    signed, or None if a signature is bad or part of the mail unsigned."""
    content = msgdata.get('pgp_signed') or pgp.signed_content(msg)
    if content.form is None:
        return []
    if partly_signed(content, results):
        return None
    try:
        verifications = content.verify([key])
    except pgp.PGPError:
        return None
    if not verifications or any(v.status != 'good' for v in verifications):
        return None
    return verifications


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
