"""What members receive of a signed post: built from what was verified.

The checks in signed.py read a post once; members' programs read the copy
the list sends.  So that both read the same thing, the content that goes
on down the pipeline is built here from the verified entity alone, never
from a second parse of the received message:

- a multipart/signed: the exact bytes its signature covers (the part
  that was written out as those bytes to check them, nothing else of the
  message) and a fresh signature part holding the same signatures; no
  preamble, no epilogue, no file name or description of the signature
  part;
- a payload signed inside the encryption: that payload as decrypted;
- inline signatures (or inline encryption): each text as one text/plain
  part (its charset kept, nothing else of its headers), in one flat
  multipart/mixed when there are several; no preamble, epilogue, file
  name, description or parameter such as format=flowed.

The outer headers stay the message's own (see docs/security.rst).
"""

from email.message import Message

from public import public

from mailman_pgp.pgp._email import canonical, parse_bytes
from mailman_pgp.pgp.armor import SIGNATURE, armor
from mailman_pgp.pgp.decode import strict_text
from mailman_pgp.pgp.errors import MessageFormatError
from mailman_pgp.pgp.signed import SIG_TYPE, SignedContent

# Outer headers that members' programs show or act on by default (a reply
# address, a read receipt, an organisation, a caption) and that no
# signature covers: not delivered with a signed post.  From, To, Cc,
# Subject and Date stay (see docs/security.rst).
UNCOVERED_OUTER = ('reply-to', 'mail-reply-to', 'mail-followup-to', 'sender',
                   'organization', 'comments', 'keywords', 'summary',
                   'x-face', 'face', 'disposition-notification-to',
                   'return-receipt-to', 'x-confirm-reading-to', 'importance',
                   'priority', 'x-priority', 'sensitivity', 'expires',
                   'supersedes')
public(UNCOVERED_OUTER=UNCOVERED_OUTER)

_MICALG = ('pgp-sha256', 'pgp-sha384', 'pgp-sha512', 'pgp-sha224',
           'pgp-sha1', 'pgp-sha3-256', 'pgp-sha3-512')


def _signature_part(raws: list) -> Message:
    part = Message()
    part['Content-Type'] = SIG_TYPE + '; name="signature.asc"'
    part['Content-Description'] = 'OpenPGP digital signature'
    part['Content-Disposition'] = 'attachment; filename="signature.asc"'
    part.set_payload(armor(b''.join(raws), SIGNATURE))
    return part


def _mime(content: SignedContent, micalg: str) -> Message:
    data, signed = content.signed_part, content.signed_entity
    if signed is None:
        signed = parse_bytes(data.replace(b'\r\n', b'\n'))
        if canonical(signed) != data:
            raise MessageFormatError(
                'The signed part does not read back as the bytes that '
                'were signed.')
    # else: the very part whose canonical() bytes were verified.
    wrapper = Message()
    wrapper['Content-Type'] = 'multipart/signed'
    wrapper.set_param('micalg', micalg if micalg in _MICALG
                      else 'pgp-sha256')
    wrapper.set_param('protocol', SIG_TYPE)
    raws = []
    for _data, raw in content.pairs:
        if raw not in raws:
            raws.append(raw)
    wrapper.set_payload([signed, _signature_part(raws)])
    return wrapper


def _text_part(text: str, charset: str) -> Message:
    part = Message()
    part['Content-Type'] = 'text/plain'
    text = text.replace('\r\n', '\n')
    try:
        text.encode('ascii')
        part.set_payload(text, 'us-ascii')
    except UnicodeEncodeError:
        part.set_payload(text, charset if charset.lower() != 'us-ascii'
                         else 'utf-8')
    return part


def _inline(received: Message) -> Message:
    """Every leaf is wholly signed (or empty): its text is all it brings.
    """
    parts = []
    for leaf in received.walk():
        if leaf.is_multipart():
            continue
        text, charset = strict_text(leaf)
        if text.strip():
            parts.append(_text_part(text, charset))
    if len(parts) == 1:
        return parts[0]
    wrapper = Message()
    wrapper['Content-Type'] = 'multipart/mixed'
    wrapper.set_payload(parts)
    return wrapper


@public
def verified_entity(content: SignedContent, received: Message
                    ) -> Message | None:
    """The content members receive, built from the verified entity; None
    when the post is not wholly signed (the rules refuse it, or deliver it
    as the unsigned post it is)."""
    if content.form is None or content.error or content.unsigned \
            or content.ambiguous or not content.pairs:
        return None
    if content.covered is not None:
        # Parsed once from those bytes (protected headers applied).
        return received
    if content.signed_part is not None:
        return _mime(content, str(received.get_param('micalg') or '')
                     .lower())
    return _inline(received)
