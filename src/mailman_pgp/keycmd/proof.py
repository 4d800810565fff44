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

from mailman_pgp import model, pgp


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
# field.
_FIELD = re.compile(rb'[!-9;-~]+:')


def _entity(data: bytes, text: bool) -> Message:
    if not text and _FIELD.match(data):
        return email.message_from_bytes(data, Message)
    return email.message_from_bytes(
        b'Content-Type: text/plain; charset="utf-8"\r\n\r\n' + data, Message)


def _own_leaves(part):
    """The leaves of ``part`` that are its author's own: not inside an
    embedded message (message/rfc822: someone else's mail, forwarded) and
    not HTML (where a quoted text loses its "> " marks)."""
    if part.get_content_maintype() == 'message':
        return
    if part.is_multipart():
        for sub in part.get_payload():
            yield from _own_leaves(sub)
    elif part.get_content_type() != 'text/html':
        yield part


def _first_line(entity) -> str:
    """The first non-blank line of the entity's first own text/plain
    part, whitespace collapsed, lower-cased."""
    for part in _own_leaves(entity):
        if part.get_content_type() == 'text/plain':
            for line in _text(part).splitlines():
                if line.strip():
                    return collapse(line).lower()
            return ''
    return ''


@public
class SignedRequest:
    """What the signatures of a key mail cover, read from the signed bytes
    only (pgp/signed.py says which bytes a signature covers).

    A signature covers bytes, not every line in them: a reply, a forward
    or another of the sender's signed texts in the same mail holds other
    people's words.  So the request is ONE signed entity that starts with
    the command, and the keys it installs are that entity's own:

    - PGP/MIME (multipart/signed, also inside the encryption) and the
      combined form (one OpenPGP message, signed and encrypted): the whole
      signed entity.  The command is its own Subject header (protected
      headers) exactly, or the first line of its first text/plain part;
      its keys are application/pgp-keys parts and armor in its text, not
      in an embedded message (a forward) or in HTML.
    - Clearsigned text (each block on its own): plain text, never read as
      a MIME entity; the command is its first line, a key is its armor
      inside the cleartext (gpg dash-escapes it).
    """

    def __init__(self, msg, msgdata):
        self.content = msgdata.get('pgp_signed') or pgp.signed_content(msg)
        text = self.content.form != 'mime'
        datas = []
        for data, _raw in self.content.pairs:
            if data not in datas:
                datas.append(data)
        if not text:
            # The first covers the whole payload; signatures within it
            # cover parts of the same bytes.
            datas = datas[:1]
        self.entities = [_entity(data, text) for data in datas]

    @property
    def signed(self) -> bool:
        return self.content.form is not None

    def request(self, command: str) -> Message | None:
        """The signed entity that starts with ``command``, or None."""
        command = collapse(command).lower()
        for entity in self.entities:
            subject = collapse(str(entity.get('subject') or '')).lower()
            if command in (subject, _first_line(entity)):
                return entity
        return None

    def text(self) -> str:
        """All signed text, whitespace collapsed."""
        return collapse('\n'.join(
            _text(part) for entity in self.entities for part in entity.walk()
            if part.get_content_type() == 'text/plain'))

    def keys(self, entity: Message | None = None) -> pgp.FoundKeys:
        """The keys of ``entity`` (by default: of every signed entity)."""
        found = pgp.FoundKeys([], [], [], [])
        for one in self.entities if entity is None else [entity]:
            own = Message()
            own['Content-Type'] = 'multipart/mixed'
            own.set_payload(list(_own_leaves(one)))
            more = pgp.find_keys(own)
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
    if model.PGPSigHash.known(digests):
        say(results, _('This signed mail was already used once; send a '
                       'newly signed one.'))
        return None
    return digests
