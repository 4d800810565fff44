"""What a message's signatures cover: the one definition of "signed".

A message is signed only when everything members will receive (after
decryption, protected headers aside) is covered byte for byte by a
signature: the whole payload (a signature inside the encryption, or a
multipart/signed of exactly two parts), or every text leaf being wholly one
signed block.  Whatever no signature covers (free text around a clearsigned
block, a third part, HTML, an attachment, armor header lines) is named in
``unsigned``; such a message is partially signed, and the rules treat it as
unsigned.  Every path that asks "is this signed, and by whom" (posts, key
commands, held posts) uses this module.
"""

from dataclasses import dataclass, field
from email.message import Message

from public import public

from mailman_pgp.pgp import packets as P
from mailman_pgp.pgp._email import canonical
from mailman_pgp.pgp._inner import parse_inner, signed_message_problem
from mailman_pgp.pgp.armor import MESSAGE, SIGNED_MESSAGE, find_blocks
from mailman_pgp.pgp.cleartext import (
    armored_signature_problem, charset_problem, read_clearsigned)
from mailman_pgp.pgp.decode import (
    AmbiguousPartError, check_entity, check_headers, strict_payload,
    strict_text)
from mailman_pgp.pgp.errors import (
    MessageFormatError, PGPError, SignatureError, guarded)
from mailman_pgp.pgp.verify import as_keys, signature_packets, verify_raw

SIG_TYPE = 'application/pgp-signature'


@public
@dataclass
class SignedContent:
    """The signatures of a message, the bytes each covers, and what no
    signature covers."""
    form: str | None = None       # 'mime', 'inline' or None (no signature)
    # (signed data, raw signature packet) pairs.
    pairs: list = field(default_factory=list, repr=False)
    # What members would receive that no signature covers, in words.
    unsigned: list = field(default_factory=list)
    # Why the signatures could not be read (a malformed signature part).
    error: str | None = None
    # What members receive is built from these (see delivered.py): the
    # exact bytes a multipart/signed covers, or the whole payload a
    # signature inside the encryption covers (else: each leaf's text).
    signed_part: bytes | None = field(default=None, repr=False)
    covered: bytes | None = field(default=None, repr=False)
    # The part that canonical() wrote out as signed_part.
    signed_entity: Message | None = field(default=None, repr=False)
    # Parts two mail programs could read differently (see decode.py): no
    # signature vouches for what members would see, in words.
    ambiguous: list = field(default_factory=list)
    # What members could see that is covered by nothing and is therefore
    # not delivered (preamble, file names, parameters...), in words.
    dropped: list = field(default_factory=list)

    def add(self, pairs, why: str | None = None) -> None:
        """Take a leaf's signatures (each once) or what it lacks."""
        self.pairs.extend(pair for pair in pairs if pair not in self.pairs)
        if why:
            self.unsigned.append(why)

    @property
    def partial(self) -> bool:
        """Some of the content is signed, some is not."""
        return bool(self.pairs) and bool(self.unsigned)

    def verify(self, keys, now=None) -> list:
        """One Verification per signature."""
        if self.error:
            raise SignatureError(self.error)
        keys = as_keys(keys)
        return [verify_raw(raw, data, keys, now) for data, raw in self.pairs]


def _label(part: Message, index: int) -> str:
    name = part.get_filename()
    return 'part {} ({}{})'.format(
        index, part.get_content_type(),
        ', "{}"'.format(name[:60]) if name else '')


def _bare_label(part: Message, index: int) -> str:
    """A part's label for plugins.log: no file name (that is content)."""
    return 'part {} ({})'.format(index, part.get_content_type())


def is_whole(text: str, block) -> bool:
    """True if block is all there is in text, whitespace aside."""
    return not text[:block.start].strip() and not text[block.end:].strip()


def is_encrypted_block(block) -> bool:
    if block.kind != MESSAGE:
        return False
    try:
        first = next(P.iter_packets(block.data))
    except (PGPError, StopIteration):
        return False
    return first.tag in (P.PKESK, P.SKESK, P.SEIPD, P.SED, P.AEAD)


def _block_pairs(block, charset: str, label: str) -> tuple[list, str | None]:
    """(pairs, None) for a signed block; what it lacks as the second item
    (with the pairs it does carry, which are checked all the same)."""
    if block.kind == SIGNED_MESSAGE:
        signed = read_clearsigned(block, charset)
        pairs = [(signed.data, raw) for raw in signed.signatures]
        if signed.problem:
            return pairs, 'the signed block in {}: {}'.format(
                label, signed.problem)
    elif block.kind == MESSAGE and not is_encrypted_block(block):
        inner = parse_inner(block.data)
        if inner.literal is None or not inner.signatures:
            return [], 'the armored message in {} carries no ' \
                'signature'.format(label)
        pairs = [(inner.literal, raw) for raw in inner.signatures]
        why = signed_message_problem(block.data, armored_signature_problem)
        if not why and not _is_utf8(inner.literal):
            # Read (signature stripped) in the MIME charset, covered by
            # nothing.
            why = 'its text is not UTF-8, the only character set a ' \
                'signature vouches for'
        if why:
            return pairs, 'the armored message in {}: {}'.format(label, why)
    else:
        return [], '{} is not signed'.format(label)
    # Armor header lines (Comment:, Version:...) are shown to members and
    # covered by no signature.
    names = sorted(block.headers)
    if names:
        return pairs, 'the armor header lines ({}) of the signed block in ' \
            '{}'.format(', '.join(names), label)
    return pairs, None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode('utf-8')
    except UnicodeDecodeError:
        return False
    return True


@public
def leaf_pairs(part: Message, index: int) -> tuple[list, str | None]:
    """(pairs, None) when a leaf is wholly one signed block (or empty),
    ([], what is not signed) otherwise; AmbiguousPartError when its text
    cannot be read one way only."""
    label = _label(part, index)
    if part.get_content_maintype() != 'text':
        return [], '{} is not signed'.format(label)
    try:
        text, charset = strict_text(part)
    except AmbiguousPartError as error:
        # Reported apart (SignedContent.ambiguous), not as unsigned.
        raise AmbiguousPartError('{}: {}'.format(label, error)) from None
    if not text.strip():
        return [], None
    try:
        blocks = find_blocks(text)
    except PGPError as error:
        why = charset_problem(text, charset)
        if why:
            # Read in its label's charset (UTF-7 turns "+" runs of the
            # armor into other letters) the block breaks: the label is
            # the cause, and whether the armor survives depends on the
            # signature's random bytes.
            return [], '{}: {}'.format(label, why)
        return [], '{} holds a damaged armored block ({})'.format(
            label, str(error).rstrip('.'))
    if part.get_content_type() == 'text/html':
        # A signed block inside HTML covers text, not the markup around it.
        return _signatures_in(blocks, charset, label), \
            '{} is HTML, which no inline signature covers'.format(label)
    if not blocks:
        return [], '{} is not signed'.format(label)
    if len(blocks) > 1 or not is_whole(text, blocks[0]):
        return _signatures_in(blocks, charset, label), \
            'the text outside the signed block in {}'.format(label)
    try:
        return _block_pairs(blocks[0], charset, label)
    except PGPError:
        return [], 'the signed block in {} is damaged'.format(label)


def _signatures_in(blocks, charset: str, label: str) -> list:
    """The signatures of blocks in a leaf that has more than them: they
    are checked too (a bad one is reported), but cover only themselves."""
    pairs = []
    for block in blocks:
        try:
            pairs.extend(_block_pairs(block, charset, label)[0])
        except PGPError:
            continue
    return pairs


def _leaves(msg: Message) -> list:
    return [part for part in msg.walk() if not part.is_multipart()]


# Leaf headers members' programs show (as a file name, a caption) that no
# inline signature covers.
_SHOWN = ('content-disposition', 'content-description', 'content-id',
          'content-location', 'content-base')


def unsigned_shown(part: Message, label: str) -> list:
    """What a part's own headers show members beyond its text, in words:
    file names, descriptions, Content-Type parameters (format=flowed
    re-flows the text), a preamble and an epilogue."""
    shown = ['the {} of {}'.format(name.title(), label)
             for name in _SHOWN if part.get(name)]
    params = [key.lower() for key, _ in part.get_params([])[1:]
              if key.lower() not in ('charset', 'boundary')]
    if params:
        shown.append('the Content-Type parameters ({}) of {}'.format(
            ', '.join(sorted(set(params))), label))
    for name in ('preamble', 'epilogue'):
        if (getattr(part, name, None) or '').strip():
            shown.append('the {} of {}'.format(name, label))
    return shown


def inline_content(msg: Message) -> SignedContent:
    """Every leaf must be wholly one clearsigned or signed armored block;
    members receive those texts and nothing else of the message."""
    content = SignedContent('inline')
    index = 0
    for part in msg.walk():
        if part.is_multipart():
            _container(content, part, msg)
            continue
        index += 1
        try:
            content.add(*leaf_pairs(part, index))
        except AmbiguousPartError as error:
            content.ambiguous.append(str(error))
        content.dropped.extend(unsigned_shown(part, _bare_label(part, index)))
    if not content.pairs:
        content.form = None
    return content


def _container(content: SignedContent, part: Message, root: Message):
    """A multipart (or an attached message) around inline-signed leaves:
    its structure is not delivered, its shown headers never cover."""
    label = 'the {} container'.format(part.get_content_type())
    try:
        check_headers(part)
    except AmbiguousPartError as error:
        content.ambiguous.append('{}: {}'.format(label, error))
    if part.get_content_type() == 'message/rfc822':
        inner = part.get_payload()[0]
        names = sorted({name for name in inner.keys()
                        if not name.lower().startswith('content-')
                        and name.lower() != 'mime-version'})
        if names:
            content.add([], 'the headers ({}) of the attached message'
                        .format(', '.join(names[:8])))
    if part is not root:
        content.dropped.extend(unsigned_shown(part, label))
    else:
        content.dropped.extend(
            'the {} of the message'.format(name)
            for name in ('preamble', 'epilogue')
            if (getattr(part, name, None) or '').strip())


def _protocol(msg: Message) -> str:
    return str(msg.get_param('protocol') or '').lower()


@public
def is_mime_signed(msg: Message) -> bool:
    """multipart/signed with a PGP signature protocol (also multisig)."""
    return (msg.get_content_type() == 'multipart/signed'
            and _protocol(msg) in (SIG_TYPE, 'multipart/mixed')
            and isinstance(msg.get_payload(), list)
            and len(msg.get_payload()) >= 2)


def mime_content(msg: Message) -> SignedContent:
    """A multipart/signed covers its first part; it has exactly two."""
    parts = msg.get_payload()
    unsigned = ['part {} of the multipart/signed message'.format(i)
                for i in range(3, len(parts) + 1)]
    ambiguous = []
    for label, entity in (('the multipart/signed message', msg),
                          ('the signed part', parts[0])):
        try:
            check_headers(msg) if entity is msg else check_entity(entity)
        except AmbiguousPartError as error:
            ambiguous.append('{}: {}'.format(label, error))
    if ambiguous:
        # Refused whatever the signatures say (and perhaps not writable).
        return SignedContent('mime', [], unsigned, ambiguous=ambiguous)
    raws = []
    for index, leaf in enumerate(_leaves(parts[1]), 1):
        if leaf.get_content_type() == SIG_TYPE:
            try:
                raws.extend(signature_packets(strict_payload(leaf)))
            except AmbiguousPartError as error:
                return SignedContent('mime', [], unsigned, ambiguous=[
                    'the signature part: {}'.format(error)])
        else:
            unsigned.append('{} beside the signature'.format(
                _label(leaf, index)))
    if not raws:
        raise MessageFormatError('The PGP/MIME signed message has no '
                                 'signature part.')
    data = canonical(parts[0])
    dropped = [
        'the {} of the multipart/signed message'.format(name)
        for name in ('preamble', 'epilogue')
        if (getattr(msg, name, None) or '').strip()]
    for index, leaf in enumerate(_leaves(parts[1]), 1):
        dropped.extend(unsigned_shown(leaf, 'the signature ' + _bare_label(
            leaf, index)))
    return SignedContent('mime', [(data, raw) for raw in raws], unsigned,
                         signed_part=data, signed_entity=parts[0],
                         ambiguous=ambiguous, dropped=dropped)


@public
@guarded
def signed_content(msg: Message) -> SignedContent:
    """What the signatures of ``msg`` (as members will receive it) cover."""
    if is_mime_signed(msg):
        try:
            return mime_content(msg)
        except PGPError as error:
            return SignedContent('mime', error=str(error))
    return inline_content(msg)


@public
def covering(data: bytes, raws: list, inner: Message) -> SignedContent:
    """Signatures made inside the encryption over the whole decrypted
    payload ``data`` cover all of it; signatures within it are checked too.
    """
    within = signed_content(inner)
    ambiguous = []
    try:
        check_entity(inner)
    except AmbiguousPartError as error:
        ambiguous.append('the decrypted message: {}'.format(error))
    return SignedContent('mime', [(data, raw) for raw in raws] + within.pairs,
                         error=within.error, covered=data,
                         ambiguous=ambiguous)
