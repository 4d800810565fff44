"""Web Key Directory (draft-koch-openpgp-webkey-service) for list keys.

A client looking for the key of ``crypto@example.org`` fetches
``https://openpgpkey.example.org/.well-known/openpgpkey/example.org/hu/HASH``
(the advanced method) or ``https://example.org/.well-known/openpgpkey/hu/HASH``
(the direct method), HASH being the z-base-32 encoded SHA-1 of the lower-cased
local part.  Every PGP list publishes its key for its posting and -request
addresses, each entry holding only the user ID of its address.  The export
command (``mailman pgp wkd export``) and the REST routes
(``/3.1/plugins/pgp/wkd/<domain>/...``) both answer from here.
"""

import hashlib
import logging

from dataclasses import dataclass

from public import public


log = logging.getLogger('mailman.plugins.pgp')

_ZBASE32 = 'ybndrfg8ejkmcpqxot1uwisza345h769'

# The policy file tells clients the domain has a Web Key Directory; no
# policy flag applies (there is no submission service for list keys).
POLICY = b'# Web Key Directory of the PGP mailing lists (mailman-pgp).\n'


@public
def wkd_hash(local_part: str) -> str:
    """The z-base-32 encoded SHA-1 of the lower-cased ``local_part``."""
    digest = hashlib.sha1(local_part.lower().encode('utf-8')).digest()
    bits = int.from_bytes(digest, 'big')
    # 160 bits are exactly 32 characters of 5 bits each.
    return ''.join(_ZBASE32[(bits >> (5 * (31 - i))) & 31] for i in range(32))


@public
@dataclass(frozen=True)
class Entry:
    """One published key: the address it answers for and its bytes."""
    address: str
    list_id: str
    fingerprint: str
    data: bytes

    @property
    def local_part(self) -> str:
        return self.address.rsplit('@', 1)[0]

    @property
    def domain(self) -> str:
        return self.address.rsplit('@', 1)[1].lower()

    @property
    def hash(self) -> str:
        return wkd_hash(self.local_part)


def _published_addresses(mlist) -> list[str]:
    return [mlist.posting_address, mlist.request_address]


@public
def entries(domain: str | None = None,
            skipped: list | None = None) -> list[Entry]:
    """What the directory publishes (for ``domain``, or every domain):
    each existing PGP list's posting and -request address, with its key.

    A list with no key yet, or whose key has no user ID for an address (an
    imported key), publishes nothing for it; that is logged, and told in
    ``skipped`` (sentences) when given.
    """
    skipped = [] if skipped is None else skipped
    from mailman.interfaces.listmanager import IListManager
    from zope.component import getUtility
    from mailman_pgp.keystore import key_store
    from mailman_pgp.keystore.store import UnreadableKeyError
    from mailman_pgp.model import PGPMailingList
    from mailman_pgp.pgp import minimal_key
    manager = getUtility(IListManager)
    found = []
    for pgp_list in PGPMailingList.all():
        mlist = manager.get_by_list_id(pgp_list.list_id)
        if mlist is None or (domain is not None and
                             mlist.mail_host.lower() != domain.lower()):
            continue
        try:
            key = key_store().list_key(mlist.list_id)
        except UnreadableKeyError as error:
            log.error('%s: not in the Web Key Directory: %s', mlist.list_id,
                      error)
            skipped.append('{}: not published: {}'.format(mlist.list_id,
                                                           error))
            continue
        if key is None:
            skipped.append('{}: not published: the list has no key yet'
                           .format(mlist.list_id))
            continue
        for address in _published_addresses(mlist):
            data = minimal_key(key, address)
            if data is None:
                log.warning('%s: list key %s has no user ID for %s; it is '
                            'not in the Web Key Directory for it',
                            mlist.list_id, key.fingerprint, address)
                skipped.append('{}: not published: list key {} has no user '
                               'ID for it'.format(address, key.fingerprint))
                continue
            found.append(Entry(address, mlist.list_id, key.fingerprint, data))
    return found


@public
def lookup(domain: str, hash: str, local_part: str | None = None):
    """The Entry at ``hu/<hash>`` of ``domain``, or None.

    ``local_part`` is the ``l=`` query parameter a client may send; when
    given it must be the one the hash was made from.
    """
    if local_part is not None and wkd_hash(local_part) != hash:
        return None
    for entry in entries(domain):
        if entry.hash == hash:
            return entry
    return None


@public
def has_directory(domain: str) -> bool:
    """Does ``domain`` publish anything (and so a policy file)?"""
    return bool(entries(domain))
