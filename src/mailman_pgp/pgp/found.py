"""Keys and revocation certificates found in a message.

Subscribers send keys as application/pgp-keys parts or as inline armor in
the text; each key is reported separately, public or private, and
revocation signatures are told apart from keys.
"""

from dataclasses import dataclass
from email.message import Message

from public import public

from mailman_pgp.pgp import packets as P
from mailman_pgp.pgp._email import decoded_text
from mailman_pgp.pgp._keyparse import DEFAULT_MAX_BYTES, DEFAULT_MAX_UIDS
from mailman_pgp.pgp.armor import PRIVATE_KEY, PUBLIC_KEY, SIGNATURE, find_blocks
from mailman_pgp.pgp.errors import guarded, PGPError
from mailman_pgp.pgp.keys import load_keys
from mailman_pgp.pgp.verify import parse_signature

# Signature types of key, subkey and user ID revocations (RFC 4880 5.2.1).
_REVOCATIONS = {0x20: 'key', 0x28: 'subkey', 0x30: 'uid'}


@public
@dataclass
class Revocation:
    """A revocation signature found in a message."""
    raw: bytes
    signer_keyid: str
    kind: str          # 'key', 'subkey' or 'uid'


@public
@dataclass
class FoundKeys:
    """What a message carried: keys, revocations and refused data."""
    public_keys: list
    private_keys: list
    revocations: list
    errors: list       # PGPError instances for blocks that were refused

    @property
    def keys(self) -> list:
        return self.public_keys + self.private_keys


def _blobs(msg):
    """(binary data) of every key-ish block in msg."""
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        if ctype == 'application/pgp-keys':
            data = part.get_payload(decode=True) or b''
            if data[:1] and data[0] & 0x80:
                yield data
                continue
            text = data.decode('utf-8', 'replace')
        elif part.get_content_maintype() == 'text':
            try:
                text, _ = decoded_text(part)
            except PGPError as error:
                yield error
                continue
        else:
            continue
        try:
            blocks = find_blocks(text)
        except PGPError as error:
            yield error
            continue
        for block in blocks:
            if block.kind in (PUBLIC_KEY, PRIVATE_KEY, SIGNATURE):
                yield block.data


def _revocations(data):
    out = []
    for p in P.iter_packets(data):
        if p.tag != P.SIGNATURE or p.version != 4:
            return None
        sig = parse_signature(p.raw)
        if sig.type not in _REVOCATIONS:
            return None
        kind = _REVOCATIONS[sig.type]
        out.append(Revocation(p.raw, str(sig.signer).upper(), kind))
    return out


@public
@guarded
def find_keys(msg: Message, *, max_uids=DEFAULT_MAX_UIDS,
              max_bytes=DEFAULT_MAX_BYTES) -> FoundKeys:
    """Every key and revocation certificate in msg."""
    found = FoundKeys([], [], [], [])
    for data in _blobs(msg):
        if isinstance(data, PGPError):
            found.errors.append(data)
            continue
        try:
            first = next(P.iter_packets(data))
            if first.tag == P.SIGNATURE:
                revs = _revocations(data)
                if revs is None:
                    continue
                found.revocations.extend(revs)
                continue
            for key in load_keys(data, max_uids=max_uids,
                                 max_bytes=max_bytes):
                (found.private_keys if key.is_private
                 else found.public_keys).append(key)
        except PGPError as error:
            found.errors.append(error)
    return found
