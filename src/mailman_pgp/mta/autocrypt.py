"""The Autocrypt header on mail a PGP list sends from its own addresses.

Key challenges and the plugin's replies come from the list's -request
address, Mailman's command results and notices from -bounces, moderation
notices from -owner, list-made mail from the posting address: each
carries an Autocrypt Level 1 header for its From address with the list
key (only the user ID of that address; -owner and -bounces, which have
none, get the posting address's), so Autocrypt clients (Thunderbird,
K-9/Thunderbird for Android, Delta Chat) learn the list key and encrypt to
it.  Mail whose From is anyone else (a member's post, the one-off
-confirm+token sender, the site owner) gets none: an Autocrypt header must
be for the From address.  Every ``Autocrypt``, ``Autocrypt-Gossip`` and
``OpenPGP`` header (a key ID and where to fetch the key,
draft-josefsson-openpgp-mailnews-header) a message arrives with comes from
the poster or whoever relayed the mail, outside any signature: they are
dropped from everything the list sends (posts, mail to the owners, in
clear or not), so that members' and owners' programs learn no key the list
did not check (Eve relaying Anne's signed post with an Autocrypt header
for Anne's address and her own key made every Autocrypt client take Eve's
key as Anne's; her clear mail to -owner, From the list's own address, kept
her Autocrypt header in place of the list's).

Inside the encryption, a member's post carries the author's key as an
``Autocrypt-Gossip`` header (the author's confirmed key, the one their
signature was checked with), so that members' programs can check the
author's signature without looking the key up anywhere.
"""

import email.utils

from public import public

from mailman_pgp.pgp import autocrypt_header


# Headers that hand members' programs a key or where to fetch one.
_KEY_HEADERS = ('Autocrypt', 'Autocrypt-Gossip', 'OpenPGP')


def _own_address(mlist, msg) -> str | None:
    senders = email.utils.getaddresses(msg.get_all('from') or [])
    if len(senders) != 1:
        return None
    sender = senders[0][1].lower()
    own = (mlist.posting_address, mlist.request_address, mlist.owner_address,
           mlist.bounces_address)
    return sender if sender in [a.lower() for a in own] else None


@public
def add_autocrypt(mlist, msg, list_key) -> None:
    """Drop the key headers ``msg`` arrived with; set the list's Autocrypt
    header when it is from a list address."""
    for name in _KEY_HEADERS:
        del msg[name]
    if list_key is None:
        return
    address = _own_address(mlist, msg)
    if address is None:
        return
    value = autocrypt_header(list_key, address)
    if value is None:
        value = autocrypt_header(list_key, address,
                                 uid_address=mlist.posting_address)
    if value is not None:
        msg['Autocrypt'] = value


@public
def author_gossip(msg, msgdata) -> str | None:
    """The ``Autocrypt-Gossip`` value with the key of the post's author,
    when a good signature by the author's confirmed key was found on it."""
    from mailman_pgp.keystore import key_store
    result = msgdata.get('pgp') or {}
    fingerprint = result.get('sender_key')
    if not fingerprint or not msgdata.get('to_list') or not any(
            s.get('status') == 'good' and s.get('fingerprint') == fingerprint
            for s in result.get('signatures') or ()):
        return None
    senders = email.utils.getaddresses(msg.get_all('from') or [])
    if len(senders) != 1 or not senders[0][1]:
        return None
    address = senders[0][1]
    key = key_store().address_key(address.lower())
    if key is None or key.fingerprint != fingerprint:
        return None
    return autocrypt_header(key, address, gossip=True)
