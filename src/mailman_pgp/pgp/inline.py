"""Inline PGP: armored encrypted parts and clearsigned text.

Includes webmail shapes (Mailvelope puts the same armor in the text/plain
and text/html alternatives) and quoted-printable/base64 parts. Against
EFAIL, a message counts as encrypted only when every part is wholly an
encrypted block; decrypted text is never spliced into cleartext.
"""

import copy
import html
import re
from email.message import Message

from public import public

from mailman_pgp.pgp._email import decoded_text, set_text
from mailman_pgp.pgp._inner import DEFAULT_MAX_SIZE, parse_inner
from mailman_pgp.pgp.armor import MESSAGE, SIGNATURE, SIGNED_MESSAGE, armor, find_blocks
from mailman_pgp.pgp.cleartext import read_clearsigned
from mailman_pgp.pgp.crypto import SIGN_HASH, _make_sig, decrypt
from mailman_pgp.pgp.errors import guarded, MessageFormatError, PGPError
from mailman_pgp.pgp.mime import DecryptedMessage
from mailman_pgp.pgp.signed import (
    SignedContent, inline_content, is_encrypted_block, is_whole, leaf_pairs)

_TAG = re.compile(r'<[^>]*>')
_BR = re.compile(r'<br\s*/?>|</p>|</div>', re.IGNORECASE)


def _leaf_text(part):
    text, charset = decoded_text(part)
    if part.get_content_type() == 'text/html':
        text = html.unescape(_TAG.sub('', _BR.sub('\n', text)))
    return text, charset


def _text_leaves(msg):
    for part in msg.walk():
        if not part.is_multipart() and part.get_content_maintype() == 'text':
            yield part


def _blocks(part):
    try:
        text, charset = _leaf_text(part)
        return text, charset, find_blocks(text)
    except PGPError:
        return '', 'us-ascii', []


@public
@guarded
def has_inline_encrypted(msg: Message) -> bool:
    """Any text part holds an armored encrypted block."""
    return any(is_encrypted_block(b) for part in _text_leaves(msg)
               for b in _blocks(part)[2])


@public
@guarded
def is_inline_encrypted(msg: Message) -> bool:
    """Every part is wholly one armored encrypted block (no cleartext)."""
    leaves = [p for p in msg.walk() if not p.is_multipart()]
    if not leaves:
        return False
    for part in leaves:
        if part.get_content_maintype() != 'text':
            return False
        text, _, blocks = _blocks(part)
        if not text.strip():
            continue
        if len(blocks) != 1 or not is_encrypted_block(blocks[0]) \
                or not is_whole(text, blocks[0]):
            return False
    return has_inline_encrypted(msg)


@public
@guarded
def has_inline_signed(msg: Message) -> bool:
    return any(b.kind == SIGNED_MESSAGE or (b.kind == MESSAGE and not
                                            is_encrypted_block(b))
               for part in _text_leaves(msg) for b in _blocks(part)[2])


@public
@guarded
def is_inline_signed(msg: Message) -> bool:
    """Every part is wholly a clearsigned (or opaque signed) block."""
    content = inline_content(msg)
    return content.form == 'inline' and not content.unsigned


@public
@guarded
def verify_inline(msg: Message, keys, now=None) -> list:
    """One Verification per inline signature in msg's text parts."""
    content = inline_content(msg)
    if not content.pairs:
        raise MessageFormatError('The message has no inline signature.')
    return content.verify(keys, now)


@public
@guarded
def strip_inline_signature(msg: Message) -> Message:
    """A copy of msg with clearsigned (and opaque signed) blocks replaced
    by the text they carry."""
    msg = copy.deepcopy(msg)
    for part in _text_leaves(msg):
        text, charset, blocks = _blocks(part)
        signed = [b for b in blocks if _signed_text(b, charset) is not None]
        if not signed:
            continue
        out, pos = [], 0
        for b in signed:
            out.append(text[pos:b.start])
            out.append(_signed_text(b, charset))
            pos = b.end
        out.append(text[pos:])
        set_text(part, ''.join(out), part.get_content_subtype())
    return msg


def _signed_text(block, charset):
    """The text a signed block carries, or None if it is not signed."""
    if block.kind == SIGNED_MESSAGE:
        # The text as the signature covers it (trailing blanks removed),
        # the text Sequoia and gpg give out; nothing if not wholly signed.
        signed = read_clearsigned(block, charset)
        return None if signed.problem else signed.text
    if block.kind != MESSAGE or is_encrypted_block(block):
        return None
    try:
        data = parse_inner(block.data).literal
    except PGPError:
        return None
    if data is None:
        return None
    for cs in ('utf-8', charset, 'latin-1'):
        try:
            return data.decode(cs).replace('\r\n', '\n')
        except (LookupError, ValueError):
            continue
    return None  # pragma: no cover


def _decrypt_text(block, keys, max_size, charset):
    result = decrypt(block.data, keys, max_size=max_size)
    want = block.headers.get('Charset') or 'utf-8'
    for cs in (want, 'utf-8', charset, 'latin-1'):
        try:
            return result, result.data.decode(cs)
        except (LookupError, ValueError):
            continue
    return result, result.data.decode('latin-1')  # pragma: no cover


@public
@guarded
def decrypt_inline(msg: Message, keys, *,
                   max_size=DEFAULT_MAX_SIZE) -> DecryptedMessage:
    """Decrypt a wholly inline-encrypted message (see is_inline_encrypted).
    """
    if not is_inline_encrypted(msg):
        raise MessageFormatError(
            'The message mixes encrypted and unencrypted parts and is not '
            'decrypted; please encrypt the whole message.')
    msg = copy.deepcopy(msg)
    content = SignedContent('inline')
    cache = {}
    leaves = [p for p in msg.walk() if not p.is_multipart()]
    for index, part in enumerate(leaves, 1):
        _text, charset, blocks = _blocks(part)
        if not blocks:
            continue
        key = blocks[0].data
        if key not in cache:
            cache[key] = _decrypt_text(blocks[0], keys, max_size, charset)
        result, plain = cache[key]
        set_text(part, plain, 'plain')
        if result.signatures:
            # Signed inside the encryption: the whole block is covered.
            content.add((result.data, raw) for raw in result.signatures)
        else:
            # Encrypted only: its text must itself be wholly a signed block.
            content.add(*leaf_pairs(part, index))
    if not content.pairs:
        content.form = None
    _collapse_alternatives(msg)
    return DecryptedMessage(msg, content, {})


def _collapse_alternatives(msg):
    """Mailvelope: identical decrypted alternatives become one text/plain.
    """
    for part in msg.walk():
        if part.get_content_type() != 'multipart/alternative':
            continue
        subs = part.get_payload()
        texts = {s.get_payload(decode=True) for s in subs
                 if not s.is_multipart()}
        if len(subs) > 1 and len(texts) == 1 and \
                not any(s.is_multipart() for s in subs):
            first = subs[0]
            del part['Content-Type']
            del part['Content-Transfer-Encoding']
            for name, value in first.items():
                part[name] = value
            part.set_payload(first.get_payload())


@public
@guarded
def clearsign(text: str, key, charset='utf-8') -> str:
    """A cleartext-signed block of text (RFC 4880 section 7)."""
    lines = text.replace('\r\n', '\n').rstrip('\n').split('\n')
    data = '\r\n'.join(line.rstrip(' \t') for line in lines).encode(charset)
    raw, _, _ = _make_sig(key, data, text=True)
    escaped = ['- ' + line if line.startswith('-') else line
               for line in lines]
    return ('-----BEGIN PGP SIGNED MESSAGE-----\nHash: {}\n\n{}\n{}'.format(
        SIGN_HASH, '\n'.join(escaped), armor(raw, SIGNATURE)))


@public
@guarded
def sign_inline(msg: Message, key) -> Message:
    """A copy of msg with every text/plain part clearsigned."""
    msg = copy.deepcopy(msg)
    for part in _text_leaves(msg):
        if part.get_content_subtype() != 'plain':
            continue
        text, _ = decoded_text(part)
        set_text(part, clearsign(text, key), 'plain')
    return msg
