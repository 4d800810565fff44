"""Autocrypt Level 1 headers: the list's, and a subscriber's key in one.

Out: mail the list sends from its own addresses carries
``Autocrypt: addr=...; prefer-encrypt=mutual; keydata=...`` with the list
key as published for that address (`minimal_key`), so Thunderbird, K-9 and
Delta Chat learn it.  In: ``sender_autocrypt_key`` reads the key a client
put in the top-level ``Autocrypt`` header for its own From address, as the
Autocrypt Level 1 specification (section 2.3) says a receiver must:
``Autocrypt-Gossip`` and headers inside MIME parts are never looked at, a
header for another address is ignored, and two valid headers for the
address mean none.
"""

import base64
import binascii
import email.utils

from public import public

from mailman_pgp.pgp.errors import PGPError
from mailman_pgp.pgp.keys import Key
from mailman_pgp.pgp.minimal import minimal_key

# Keydata lines as Thunderbird folds them.
_LINE = 72


@public
def autocrypt_header(key: Key, address: str,
                     uid_address: str | None = None, *,
                     gossip: bool = False) -> str | None:
    """The ``Autocrypt`` header value for ``address``, folded, or None when
    ``key`` has no user ID for ``uid_address`` (default ``address``).

    With ``gossip``, the ``Autocrypt-Gossip`` value (Autocrypt Level 1
    section 2.7: no prefer-encrypt), which goes only inside the encryption.
    """
    data = minimal_key(key, uid_address or address)
    if data is None:
        return None
    encoded = base64.b64encode(data).decode('ascii')
    lines = [encoded[i:i + _LINE] for i in range(0, len(encoded), _LINE)]
    return 'addr={}; {}keydata=\n {}'.format(
        address, '' if gossip else 'prefer-encrypt=mutual; ',
        '\n '.join(lines))


def _attributes(value: str) -> dict | None:
    """The attributes of one header value, or None if it is invalid."""
    attributes = {}
    for item in value.split(';'):
        item = item.strip()
        if not item:
            continue
        name, equals, content = item.partition('=')
        name = name.strip().lower()
        if not equals or name in attributes:
            return None
        attributes[name] = content.strip()
    if 'addr' not in attributes or 'keydata' not in attributes:
        return None
    # Unknown critical attributes (not starting with '_') void the header.
    if any(name not in ('addr', 'keydata', 'prefer-encrypt')
           and not name.startswith('_') for name in attributes):
        return None
    return attributes


@public
def sender_autocrypt_key(msg) -> Key | None:
    """The key in ``msg``'s own Autocrypt header for its From address.

    :return: None when there is no single valid header for that address.
    :raises PGPError: when that header's keydata is not one OpenPGP key.
    """
    senders = email.utils.getaddresses(msg.get_all('from') or [])
    if len(senders) != 1 or not senders[0][1]:
        return None
    sender = senders[0][1].lower()
    found = []
    for value in msg.get_all('autocrypt') or []:
        attributes = _attributes(str(value))
        if attributes is None or attributes['addr'].lower() != sender:
            continue
        found.append(attributes['keydata'])
    if len(found) != 1:
        return None
    try:
        data = base64.b64decode(''.join(found[0].split()), validate=True)
    except (binascii.Error, ValueError):
        raise PGPError('The keydata of your Autocrypt header is not valid '
                       'base64.') from None
    return Key.load(data)
