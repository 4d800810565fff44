"""PGP/MIME (RFC 3156): signed, encrypted, combined; multiple signatures.

Output: multipart/signed over the CRLF-canonical, 7-bit first part with the
right micalg (section 5), multipart/encrypted (section 4), and combined
sign+encrypt (section 6.2). Input also: nested sign-then-encrypt (6.1) and
several application/pgp-signature parts.
"""

import copy

from dataclasses import dataclass, field
from email.message import Message

from public import public

from mailman_pgp.pgp._email import (
    canonical,
    content_part,
    make_7bit,
    outer_from,
    parse_bytes,
)
from mailman_pgp.pgp._inner import DEFAULT_MAX_SIZE
from mailman_pgp.pgp.carry import carried_signature
from mailman_pgp.pgp.crypto import (
    MICALG, decrypt, encrypt, encrypt_payload, sign_detached, signed_payload)
from mailman_pgp.pgp.errors import guarded, MessageFormatError, SignatureError
from mailman_pgp.pgp.headers import apply_protected_headers, protect
from mailman_pgp.pgp.signed import (
    SIG_TYPE, SignedContent, covering, is_mime_signed, mime_content,
    signed_content)

ENC_TYPE = 'application/pgp-encrypted'


def _protocol(msg):
    return str(msg.get_param('protocol') or '').lower()


@public
@guarded
def is_mime_encrypted(msg: Message) -> bool:
    """multipart/encrypted with protocol application/pgp-encrypted."""
    if msg.get_content_type() != 'multipart/encrypted' or \
            _protocol(msg) != ENC_TYPE:
        return False
    payload = msg.get_payload()
    return isinstance(payload, list) and len(payload) == 2


@public
@guarded
def verify_mime(msg: Message, keys, now=None) -> list:
    """One Verification per signature of a multipart/signed message."""
    if not is_mime_signed(msg):
        raise MessageFormatError('The message is not PGP/MIME signed.')
    return mime_content(msg).verify(keys, now)


@public
@guarded
def sign_mime(msg: Message, key) -> Message:
    """Wrap msg's content in multipart/signed, signed by key."""
    part = content_part(msg)
    if part.get('Content-Type') is None:
        part['Content-Type'] = 'text/plain; charset="us-ascii"'
    make_7bit(part)
    data = canonical(part)
    # Reparse the exact bytes we sign so the part serializes the same way.
    signed = parse_bytes(data.replace(b'\r\n', b'\n'))
    if canonical(signed) != data:
        raise SignatureError('The message cannot be signed as PGP/MIME: its '
                             'content does not serialize stably.')
    sig = Message()
    sig['Content-Type'] = SIG_TYPE + '; name="signature.asc"'
    sig['Content-Description'] = 'OpenPGP digital signature'
    sig['Content-Disposition'] = 'attachment; filename="signature.asc"'
    sig.set_payload(sign_detached(data, key))
    wrapper = Message()
    wrapper['Content-Type'] = 'multipart/signed'
    wrapper.set_param('micalg', MICALG)
    wrapper.set_param('protocol', SIG_TYPE)
    wrapper.set_payload([signed, sig])
    wrapper.preamble = 'This is an OpenPGP/MIME signed message (RFC 4880 ' \
        'and 3156)'
    return outer_from(msg, wrapper)


@public
def encrypted_wrapper(armored: str) -> Message:
    """The RFC 3156 multipart/encrypted around ``armored`` (no headers)."""
    control = Message()
    control['Content-Type'] = ENC_TYPE
    control['Content-Description'] = 'PGP/MIME version identification'
    control.set_payload('Version: 1\n')
    data = Message()
    data['Content-Type'] = 'application/octet-stream; name="encrypted.asc"'
    data['Content-Description'] = 'OpenPGP encrypted message'
    data['Content-Disposition'] = 'inline; filename="encrypted.asc"'
    data.set_payload(armored)
    wrapper = Message()
    wrapper['Content-Type'] = 'multipart/encrypted'
    wrapper.set_param('protocol', ENC_TYPE)
    wrapper.set_payload([control, data])
    wrapper.preamble = 'This is an OpenPGP/MIME encrypted message (RFC ' \
        '4880 and 3156)'
    return wrapper


def _payload_bytes(msg, protect_headers, inner_headers=()):
    part = content_part(msg)
    if part.get('Content-Type') is None:
        part['Content-Type'] = 'text/plain; charset="us-ascii"'
    outer = msg
    if protect_headers:
        outer = copy.copy(msg)
        outer._headers = list(msg._headers)
        protect(part, outer)
    for name, value in inner_headers:
        part[name] = value
    return canonical(part), outer


@public
@guarded
def encrypt_mime(msg: Message, recipients, *, sign_with=None,
                 throw_keyids=False, protect_headers=True) -> Message:
    """multipart/encrypted of msg's content (signed in the combined form of
    RFC 3156 6.2 if sign_with), with RFC 9788 header protection."""
    data, outer = _payload_bytes(msg, protect_headers)
    armored = encrypt(data, recipients, sign_with=sign_with,
                      throw_keyids=throw_keyids)
    return outer_from(outer, encrypted_wrapper(armored))


@public
class EncryptedCopies:
    """A message made ready to encrypt, once per post: its payload
    serialised (protected headers, ``inner_headers``), signed if
    ``sign_with``, and the multipart/encrypted around it built.  Each
    copy then costs only its session key, the encryption of the prepared
    packets, their armor and a shallow message.

    :param inner_headers: (name, value) pairs for the root of the
        encrypted payload only (``Autocrypt-Gossip``).
    :param outer_subject: the Subject outside the encryption, if any.
    """

    @guarded
    def __init__(self, msg: Message, *, sign_with=None,
                 protect_headers=True, inner_headers=(),
                 outer_subject=None):
        data, outer = _payload_bytes(msg, protect_headers, inner_headers)
        if outer_subject is not None and outer.get('Subject') is not None:
            if outer is msg:
                outer = copy.copy(msg)
                outer._headers = list(msg._headers)
            del outer['Subject']
            outer['Subject'] = outer_subject
        self.plain = signed_payload(data, sign_with)
        self.template = outer_from(outer, encrypted_wrapper(''))
        self.control, self.data_part = self.template.get_payload()

    @guarded
    def copy_for(self, recipients, *, throw_keyids=False) -> Message:
        """A multipart/encrypted copy for recipients (one session key)."""
        armored = encrypt_payload(self.plain, recipients,
                                  throw_keyids=throw_keyids)
        part = Message()
        part.__dict__.update(self.data_part.__dict__)
        part._headers = list(self.data_part._headers)
        part._payload = armored
        out = Message()
        out.__dict__.update(self.template.__dict__)
        out._headers = list(self.template._headers)
        out._payload = [self.control, part]
        return out


@public
def encrypt_mime_each(msg: Message, recipient_groups, *, sign_with=None,
                      throw_keyids=False, protect_headers=True,
                      inner_headers=()) -> list:
    """One multipart/encrypted copy per recipient group, signed once."""
    prepared = EncryptedCopies(msg, sign_with=sign_with,
                               protect_headers=protect_headers,
                               inner_headers=inner_headers)
    return [prepared.copy_for(group, throw_keyids=throw_keyids)
            for group in recipient_groups]


@public
@dataclass
class DecryptedMessage:
    """A decrypted message with outer headers and protected headers
    restored, and what its signatures cover (checked once the sender's key
    is known)."""
    message: Message
    content: SignedContent = field(default_factory=SignedContent)
    protected_headers: dict = field(default_factory=dict)
    # PGP/MIME: the decrypted entity with its own headers (an archived
    # post is the whole message, In-Reply-To and References included).
    payload: Message | None = None
    # The message as members get it: ``message`` with a signature made
    # inside the encryption carried on as a detached one (see carry.py).
    posted: Message | None = None
    # Why such a signature could not be carried on, or None.
    not_carried: str | None = None

    @property
    def for_members(self) -> Message:
        return self.posted if self.posted is not None else self.message

    @property
    def is_signed(self) -> bool:
        return self.content.form is not None

    def verify(self, keys, now=None) -> list:
        """Verifications of every signature, inside and within."""
        return self.content.verify(keys, now)


@public
@guarded
def decrypt_mime(msg: Message, keys, *, max_size=DEFAULT_MAX_SIZE):
    """Decrypt a multipart/encrypted message into a DecryptedMessage."""
    if not is_mime_encrypted(msg):
        raise MessageFormatError('The message is not PGP/MIME encrypted.')
    body = msg.get_payload()[1]
    data = body.get_payload(decode=True)
    if not data:
        raise MessageFormatError('The PGP/MIME encrypted part is empty.')
    result = decrypt(data, keys, max_size=max_size)
    # The payload travels CRLF-canonical; Mailman's messages use LF.
    inner = parse_bytes(result.data.replace(b'\r\n', b'\n'))
    nested = is_mime_signed(inner)
    out = outer_from(msg, inner)
    target = inner.get_payload()[0] if nested else inner
    protected = apply_protected_headers(out, target,
                                        modify_payload=not nested)
    if result.signatures:
        # Signed inside the encryption (RFC 3156 6.2): all of it covered.
        content = covering(result.data, result.signatures, inner)
    else:
        content = signed_content(inner)
    carried, not_carried = None, None
    if result.signatures:
        # Members get the author's signature as a detached one over
        # exactly the bytes it covers.
        carried, not_carried = carried_signature(result.data,
                                                 result.signatures)
    posted = None
    if carried is not None:
        posted = outer_from(msg, carried)
        apply_protected_headers(posted, carried.get_payload()[0],
                                modify_payload=False)
    return DecryptedMessage(out, content, protected, payload=inner,
                            posted=posted, not_carried=not_carried)
