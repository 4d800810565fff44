"""One entry point per question the plugin asks of a message.

Each function picks the right form (PGP/MIME, multisig or inline) so that
rules, runners and handlers never need to know which one the sender's MUA
used.
"""

import copy
from email.message import Message

from public import public

from mailman_pgp.pgp._email import outer_from
from mailman_pgp.pgp._inner import DEFAULT_MAX_SIZE
from mailman_pgp.pgp.errors import guarded, MessageFormatError
from mailman_pgp.pgp.headers import apply_protected_headers
from mailman_pgp.pgp.inline import (
    decrypt_inline,
    has_inline_encrypted,
    has_inline_signed,
    is_inline_encrypted,
    strip_inline_signature,
)
from mailman_pgp.pgp.mime import (
    decrypt_mime,
    is_mime_encrypted,
    is_mime_signed,
)
from mailman_pgp.pgp.signed import signed_content


@public
@guarded
def is_encrypted(msg: Message) -> bool:
    """PGP/MIME encrypted, or inline encrypted as a whole."""
    return is_mime_encrypted(msg) or is_inline_encrypted(msg)


@public
@guarded
def has_encrypted_parts(msg: Message) -> bool:
    """Some part is encrypted (a mixed message is not is_encrypted)."""
    return is_mime_encrypted(msg) or has_inline_encrypted(msg)


@public
@guarded
def is_signed(msg: Message) -> bool:
    """Everything in msg is covered by signatures (see signed.py)."""
    content = signed_content(msg)
    return content.form is not None and not content.unsigned


@public
@guarded
def has_signed_parts(msg: Message) -> bool:
    return is_mime_signed(msg) or has_inline_signed(msg)


@public
@guarded
def signature_form(msg: Message) -> str | None:
    """'mime', 'inline' or None (no signature at all)."""
    return signed_content(msg).form


@public
@guarded
def decrypt_message(msg: Message, keys, *, max_size=DEFAULT_MAX_SIZE):
    """Decrypt a PGP/MIME or wholly inline-encrypted message.

    Returns a DecryptedMessage: .message (outer and protected headers
    restored), .verify(keys) for the signatures inside, .protected_headers.
    """
    if is_mime_encrypted(msg):
        return decrypt_mime(msg, keys, max_size=max_size)
    if is_inline_encrypted(msg):
        return decrypt_inline(msg, keys, max_size=max_size)
    if has_inline_encrypted(msg):
        return decrypt_inline(msg, keys, max_size=max_size)  # raises
    raise MessageFormatError('The message is not encrypted.')


@public
@guarded
def verify_message(msg: Message, keys, now=None) -> list:
    """One Verification per signature of a PGP/MIME (also several
    signatures) or inline signed message."""
    content = signed_content(msg)
    if content.form is None:
        raise MessageFormatError('The message is not signed.')
    return content.verify(keys, now)


@public
@guarded
def strip_signature(msg: Message) -> Message:
    """A copy of msg without its signature, signed content intact."""
    if is_mime_signed(msg):
        content = copy.deepcopy(msg.get_payload()[0])
        out = outer_from(msg, content)
        apply_protected_headers(out, content, modify_payload=False)
        return out
    if has_inline_signed(msg):
        return strip_inline_signature(msg)
    return copy.deepcopy(msg)
