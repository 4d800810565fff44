"""The list key as published for one address (WKD, Autocrypt).

A Web Key Directory entry or an Autocrypt header carries the public key
with only the user ID of the address it is published for: a client that
looks up the -request address gets no UID it did not ask about, and the
header stays small.  Only self-signatures are kept.
"""

import email.utils

from public import public

from mailman_pgp.pgp import packets as P
from mailman_pgp.pgp.keyops import minimize
from mailman_pgp.pgp.keys import Key


def _uid_email(body: bytes) -> str:
    text = body.decode('utf-8', 'replace')
    address = email.utils.parseaddr(text)[1] or text.strip()
    return address.lower()


@public
def minimal_key(key: Key, address: str) -> bytes | None:
    """Binary public ``key`` with only the user ID(s) for ``address``, or
    None when the key has no user ID for it."""
    wanted = address.lower()
    kept, keep, found = [], True, False
    for packet in P.iter_packets(bytes(minimize(key.public))):
        if packet.tag == P.USER_ID:
            keep = _uid_email(packet.body) == wanted
            found = found or keep
        elif packet.tag == P.USER_ATTRIBUTE:
            keep = False
        elif packet.tag in (P.PUBLIC_KEY, P.PUBLIC_SUBKEY):
            keep = True
        elif packet.tag == P.TRUST:
            continue
        if keep:
            kept.append(packet.raw)
    return b''.join(kept) if found else None
