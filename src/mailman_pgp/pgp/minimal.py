"""The list key as published for one address (WKD, Autocrypt).

A Web Key Directory entry or an Autocrypt header carries the public key
with only the user ID of the address it is published for: a client that
looks up the -request address gets no UID it did not ask about, and the
header stays small.  Only self-signatures are kept.

The usual key shape is cut straight from its packets (the outgoing runner
adds Autocrypt headers and does not load PGPy); anything else goes through
PGPy.  The result is kept with the key's other derived data.
"""

import email.utils
import hashlib

from public import public

from mailman_pgp.pgp import packets as P
from mailman_pgp.pgp._fastkey import public_key_body, signature_issuer
from mailman_pgp.pgp.keys import Key

_PUBLIC_TAG = {P.SECRET_KEY: P.PUBLIC_KEY, P.SECRET_SUBKEY: P.PUBLIC_SUBKEY,
               P.PUBLIC_KEY: P.PUBLIC_KEY, P.PUBLIC_SUBKEY: P.PUBLIC_SUBKEY}


class _Unusual(Exception):
    """A shape the packet path leaves to PGPy."""


def _uid_email(body: bytes) -> str:
    text = body.decode('utf-8', 'replace')
    address = email.utils.parseaddr(text)[1] or text.strip()
    return address.lower()


def _public_packets(raw: bytes):
    """(tag, raw public packet) of the key, self-signatures only."""
    keyid = None
    for packet in P.iter_packets(raw):
        if packet.tag in _PUBLIC_TAG:
            body = public_key_body(packet.body)
            if body is None:
                raise _Unusual
            if keyid is None:
                keyid = hashlib.sha1(b'\x99' + len(body).to_bytes(2, 'big')
                                     + body).digest()[-8:].hex().upper()
            yield packet.tag, P.new_packet(_PUBLIC_TAG[packet.tag], body)
        elif packet.tag == P.SIGNATURE:
            issuer = signature_issuer(packet.body)
            if issuer is None:
                raise _Unusual
            if issuer == keyid:
                yield packet.tag, packet.raw
        elif packet.tag != P.TRUST:
            yield packet.tag, packet.raw


def _cut(packets, wanted: str) -> bytes | None:
    kept, keep, found = [], True, False
    for tag, raw in packets:
        if tag == P.USER_ID:
            keep = _uid_email(next(P.iter_packets(raw)).body) == wanted
            found = found or keep
        elif tag == P.USER_ATTRIBUTE:
            keep = False
        elif tag in _PUBLIC_TAG:
            keep = True
        elif tag == P.TRUST:
            continue
        if keep:
            kept.append(raw)
    return b''.join(kept) if found else None


@public
def minimal_key(key: Key, address: str) -> bytes | None:
    """Binary public ``key`` with only the user ID(s) for ``address``, or
    None when the key has no user ID for it."""
    wanted = address.lower()
    cached = key._cache.get(('minimal', wanted), False)
    if cached is not False:
        return cached
    try:
        data = _cut(list(_public_packets(bytes(key))), wanted)
    except _Unusual:
        from mailman_pgp.pgp.keyops import minimize
        data = _cut(((p.tag, p.raw) for p in P.iter_packets(
            bytes(minimize(key.public)))), wanted)
    key._cache[('minimal', wanted)] = data
    return data
