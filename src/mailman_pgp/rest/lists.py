"""REST for PGP lists: their settings, and the routes to their key
(``rest/listkey.py``), archive and catalogs.

Every setting is validated by its one declaration in
``mailman_pgp.model.list_settings``; a PUT or PATCH with any bad value
changes nothing.
"""

from mailman.rest.helpers import (
    CollectionMixin,
    bad_request,
    child,
    etag,
    no_content,
    not_found,
    okay,
)
from public import public

from mailman_pgp.model import PGPMailingList
from mailman_pgp.model.list_settings import SETTINGS_BY_NAME
from mailman_pgp.rest.helpers import (
    Refusal,
    find_list,
    path_to,
    request_data,
)
from mailman_pgp.rest.listkey import (
    ListKeyOperation,
    ListPrivateKey,
    ListPublicKey,
)

# Shown by GET, accepted back unchanged by PUT/PATCH (clients round-trip
# what they read), never changed through REST.
READ_ONLY = ('list_id', 'self_link', 'http_etag')


@public
def validate_settings(pgp_list, data: dict, complete: bool) -> dict:
    """Convert ``data`` to stored values, or refuse it whole.

    :param complete: True for PUT (every setting is required).
    :raises ValueError: naming every bad field and its allowed values.
    """
    errors, values = [], {}
    for name, value in data.items():
        if name in READ_ONLY:
            if name == 'list_id' and value != pgp_list.list_id:
                errors.append('Read-only attribute: list_id')
            continue
        setting = SETTINGS_BY_NAME.get(name)
        if setting is None:
            errors.append('Unknown attribute: {}; the settings are {}'.format(
                name, ', '.join(SETTINGS_BY_NAME)))
            continue
        try:
            values[name] = setting.validate(value)
        except (TypeError, ValueError) as error:
            errors.append(str(error))
    if complete:
        missing = [name for name in SETTINGS_BY_NAME if name not in data]
        if missing:
            errors.append('Missing attribute(s): {} (PUT replaces every '
                          'setting; use PATCH to change some)'.format(
                              ', '.join(missing)))
    if not values and not errors:
        errors.append('No setting given; the settings are {}'.format(
            ', '.join(SETTINGS_BY_NAME)))
    if errors:
        raise ValueError('\n'.join(errors))
    return values


class _ListBase(CollectionMixin):
    """The JSON of a PGP list: its id, every setting and its link."""

    def _resource_as_dict(self, pgp_list):
        resource = {
            'list_id': pgp_list.list_id,
            'self_link': path_to(self.api, 'lists', pgp_list.list_id),
        }
        resource.update(pgp_list.settings())
        return resource


@public
class AllPGPLists(_ListBase):
    """/plugins/pgp/lists: every PGP list, paginated like /lists."""

    def _get_collection(self, request):
        return PGPMailingList.all()

    def on_get(self, request, response):
        okay(response, etag(self._make_collection(request)))


@public
class APGPList(_ListBase):
    """/plugins/pgp/lists/<list_id or fqdn_listname>."""

    def __init__(self, identifier: str):
        self._mlist, self._pgp_list, self._refusal = find_list(identifier)

    def on_get(self, request, response):
        if self._refusal:
            not_found(response, self._refusal)
            return
        okay(response, self._resource_as_json(self._pgp_list))

    def _update(self, request, response, complete: bool):
        if self._refusal:
            not_found(response, self._refusal)
            return
        try:
            values = validate_settings(
                self._pgp_list, request_data(request), complete)
        except (TypeError, ValueError) as error:
            bad_request(response, str(error))
            return
        for name, value in values.items():
            setattr(self._pgp_list, name, value)
        no_content(response)

    def on_put(self, request, response):
        self._update(request, response, complete=True)

    def on_patch(self, request, response):
        self._update(request, response, complete=False)

    @child()
    def pubkey(self, context, segments):
        if self._refusal:
            return Refusal(self._refusal), []
        return ListPublicKey(self._mlist, self._pgp_list), []

    @child()
    def key(self, context, segments):
        if self._refusal:
            return Refusal(self._refusal), []
        return ListPrivateKey(self._mlist), []

    @child()
    def keys(self, context, segments):
        from mailman_pgp.rest.keys import SubscriberKey
        if self._refusal or len(segments) != 1:
            return Refusal(self._refusal or 'Use .../keys/<email>'), []
        return SubscriberKey(self._mlist, segments[0]), []

    @child()
    def approvals(self, context, segments):
        from mailman_pgp.rest.keys import KeyApprovals
        if self._refusal or len(segments) > 1:
            return Refusal(self._refusal or 'Use .../approvals/<token>'), []
        return KeyApprovals(self._mlist, *segments), []

    @child('rotate-key')
    def rotate_key(self, context, segments):
        return self._key_operation('rotate-key')

    @child('extend-key')
    def extend_key(self, context, segments):
        return self._key_operation('extend-key')

    def _key_operation(self, name: str):
        if self._refusal:
            return Refusal(self._refusal), []
        return ListKeyOperation(self._mlist, name), []

    @child()
    def uris(self, context, segments):
        from mailman_pgp.rest.uris import uris_child
        if self._refusal:
            return Refusal(self._refusal), []
        return uris_child(segments, self._mlist)

    @child()
    def archive(self, context, segments):
        from mailman_pgp.rest.archive import MemberArchive
        if self._refusal or len(segments) != 1:
            return Refusal(self._refusal or 'Use .../archive/<email>'), []
        return MemberArchive(self._mlist, segments[0]), []


@public
def lists_child(segments):
    """Route /lists and /lists/<id>/... for the plugin root."""
    if not segments:
        return AllPGPLists(), []
    return APGPList(segments[0]), segments[1:]

