"""REST for subscriber addresses: their key and whether it is confirmed.

Read-only: keys arrive by email (``key set``), so that the subscriber
proves they hold them.
"""

from mailman.rest.helpers import CollectionMixin, child, etag, not_found, okay
from public import public

from mailman_pgp.keystore import key_store
from mailman_pgp.model import PGPAddress
from mailman_pgp.rest.helpers import Refusal, path_to


class _AddressBase(CollectionMixin):
    def _resource_as_dict(self, address):
        return {
            'email': address.email,
            'key_fingerprint': address.key_fingerprint,
            'key_confirmed': address.key_confirmed,
            'self_link': path_to(self.api, 'addresses', address.email),
        }


@public
class AllAddresses(_AddressBase):
    """/plugins/pgp/addresses: every address with a key record."""

    def _get_collection(self, request):
        return PGPAddress.all()

    def on_get(self, request, response):
        okay(response, etag(self._make_collection(request)))


def _unknown(email: str) -> str:
    return f'No PGP key record for address: {email}'


@public
class AnAddress(_AddressBase):
    """/plugins/pgp/addresses/<email>."""

    def __init__(self, email: str):
        self._email = email
        self._address = PGPAddress.for_email(email)

    def on_get(self, request, response):
        if self._address is None:
            not_found(response, _unknown(self._email))
            return
        okay(response, self._resource_as_json(self._address))

    @child()
    def steps(self, context, segments):
        from mailman_pgp.rest.keys import AddressSteps
        return AddressSteps(self._email), []

    @child()
    def key(self, context, segments):
        if self._address is None:
            return Refusal(_unknown(self._email)), []
        return AddressKey(self._address), []


@public
class AddressKey:
    """/plugins/pgp/addresses/<email>/key: the stored public key."""

    def __init__(self, address):
        self._address = address

    def on_get(self, request, response):
        email = self._address.email
        key = key_store().address_key(email)
        if key is None:
            not_found(response, f'No key is stored for {email}')
            return
        from mailman_pgp.rest.catalog import key_facts
        okay(response, etag(dict(key_facts(key), **{
            'email': email,
            'key': key.public_armor(),
            'key_fingerprint': key.fingerprint,
            'key_confirmed': bool(
                self._address.key_confirmed
                and key.fingerprint == self._address.key_fingerprint),
            'self_link': path_to(self.api, 'addresses', email, 'key')})))


@public
def addresses_child(segments):
    """Route /addresses and /addresses/<email>/... for the plugin root."""
    if not segments:
        return AllAddresses(), []
    return AnAddress(segments[0]), segments[1:]
