"""Put GnuPG subscribers on a PGP list directly (tests of later stages).

The key workflows that get a member here by email have their own tests;
these helpers set the same state for tests that start after them.
"""

from mailman.interfaces.member import MemberRole
from mailman.interfaces.usermanager import IUserManager
from public import public
from zope.component import getUtility

from mailman_pgp.keystore import key_store
from mailman_pgp.model import PGPAddress
from mailman_pgp.pgp import Key


@public
def set_confirmed_key(email: str, armored_public_key: str,
                      confirmed: bool = True) -> Key:
    key = Key.load(armored_public_key)
    key_store().set_address_key(email, key)
    address = PGPAddress.get_or_create(email)
    address.key_fingerprint = key.fingerprint
    address.key_confirmed = confirmed
    return key


@public
def add_pgp_member(mlist, subscriber, *, confirmed: bool = True,
                   role: MemberRole = MemberRole.member):
    """Subscribe ``subscriber`` (a testing.gpg.Subscriber) with its key."""
    user_manager = getUtility(IUserManager)
    address = user_manager.get_address(subscriber.email)
    if address is None:
        address = user_manager.create_address(subscriber.email,
                                              subscriber.name)
    from mailman.utilities.datetime import now
    address.verified_on = now()
    member = mlist.subscribe(address, role)
    set_confirmed_key(subscriber.email, subscriber.public_key(), confirmed)
    return member


# For `mailman shell -l LIST -r mailman_pgp.testing.members.<name> ARGS`
# (tests that drive several real instances).

@public
def shell_set_key(mlist, email: str, path: str) -> None:
    with open(path) as fp:
        key = set_confirmed_key(email, fp.read())
    print('set', email, key.fingerprint)


@public
def shell_show_key(mlist, email: str) -> None:
    from mailman_pgp.model import PGPAddress
    address = PGPAddress.for_email(email)
    key = key_store().address_key(email)
    print('key', email, address.key_fingerprint if address else None,
          key.fingerprint if key else None)


@public
def shell_remember(mlist, fingerprint: str, *digests: str) -> None:
    from mailman_pgp.model import PGPSigHash
    PGPSigHash.remember(digests, fingerprint)
    print('remembered', len(digests))


@public
def shell_add_member(mlist, email: str, path: str) -> None:
    """Subscribe ``email`` with the key in file ``path``, confirmed."""
    from mailman.interfaces.member import MemberRole
    from mailman.interfaces.usermanager import IUserManager
    from mailman.utilities.datetime import now
    user_manager = getUtility(IUserManager)
    address = user_manager.get_address(email) or \
        user_manager.create_address(email)
    address.verified_on = now()
    mlist.subscribe(address, MemberRole.member, send_welcome_message=False)
    shell_set_key(mlist, email, path)
