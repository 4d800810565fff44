"""REST for PGP lists: their settings, public key and private key.

Every setting is validated by its one declaration in
``mailman_pgp.model.list_settings``; a PUT or PATCH with any bad value
changes nothing.
"""

import logging

from mailman.interfaces.member import MemberRole
from mailman.rest.helpers import (
    CollectionMixin,
    bad_request,
    child,
    etag,
    forbidden,
    no_content,
    not_found,
    okay,
)
from public import public

from mailman_pgp import pgp
from mailman_pgp.config import site_config
from mailman_pgp.keystore import key_store
from mailman_pgp.model import PGPAddress, PGPMailingList
from mailman_pgp.model.list_settings import SETTINGS_BY_NAME
from mailman_pgp.rest.helpers import (
    Refusal,
    find_list,
    path_to,
    request_data,
)

log = logging.getLogger('mailman.plugins.pgp')

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
        from mailman_pgp.rest.listkey import ListKeyOperation
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


def _no_key_yet(list_id: str) -> str:
    return (f'{list_id} has no key pair yet: it is being generated, or '
            '[keypairs] autogenerate is off and the site administrator has '
            'to import one (mailman pgp import-key)')


def _key_text(data: dict, field: str) -> str:
    """The armored key sent as ``field``, or ValueError saying what to send."""
    extra = sorted(set(data) - {field})
    if extra:
        raise ValueError('Unknown attribute: {}; send only {}'.format(
            ', '.join(extra), field))
    text = data.get(field)
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f'Missing attribute: {field} (an ASCII-armored '
                         'OpenPGP key)')
    return text


@public
class ListPublicKey:
    """The list's public key: read it; merge members' certifications."""

    def __init__(self, mlist, pgp_list):
        self._mlist = mlist
        self._pgp_list = pgp_list

    def on_get(self, request, response):
        key = key_store().list_key(self._mlist.list_id)
        if key is None:
            not_found(response, _no_key_yet(self._mlist.list_id))
            return
        from mailman_pgp.rest.catalog import key_facts, certifications
        okay(response, etag(dict(key_facts(key), **{
            'certifications': certifications(self._mlist, self._pgp_list,
                                             key),
            'list_id': self._mlist.list_id,
            'public_key': key.public_armor(),
            'key_fingerprint': key.fingerprint,
            'self_link': path_to(self.api, 'lists', self._mlist.list_id,
                                 'pubkey')})))

    def on_put(self, request, response):
        list_id = self._mlist.list_id
        current = key_store().list_key(list_id)
        if current is None:
            not_found(response, _no_key_yet(list_id))
            return
        try:
            submitted = pgp.Key.load(
                _key_text(request_data(request), 'public_key'))
        except (TypeError, ValueError) as error:
            bad_request(response, str(error))
            return
        except pgp.PGPError as error:
            bad_request(response, f'public_key cannot be read: {error}')
            return
        if submitted.is_private:
            bad_request(response, 'public_key contains a private key; send '
                        'the public key only (gpg --armor --export)')
            return
        if submitted.fingerprint != current.fingerprint:
            bad_request(response, f'public_key is {submitted.fingerprint}, '
                        f'not the key of {list_id} ({current.fingerprint})')
            return
        merged, accepted, refused = merge_certifications(
            current, submitted, certifying_keys(self._mlist, self._pgp_list))
        if not accepted:
            rosters = ', '.join(sorted(
                role.name for role in self._pgp_list.key_signing_allowed))
            reasons = [item['reason'] for item in refused] or [
                'no new certification by a member of the rosters allowed '
                'to sign the list key ({}) with a confirmed key; other '
                'certifications are not merged'.format(rosters or 'none')]
            bad_request(response, '\n'.join(reasons))
            return
        key_store().set_list_key(list_id, merged)
        log.info('%s: certifications by %s merged into the list key',
                 list_id, ', '.join(item['key_fingerprint']
                                    for item in accepted))
        okay(response, etag({
            'list_id': list_id,
            'key_fingerprint': current.fingerprint,
            'merged': accepted,
            'refused': refused,
            'self_link': path_to(self.api, 'lists', list_id, 'pubkey')}))


# What the facade's merge_certifications says when a signer simply made no
# (new) certification on the key: not a refusal, nothing to merge.
_NOTHING_TO_MERGE = ('No signed UIDs found.', 'No new certifications found.')


@public
def merge_certifications(current, submitted, signers):
    """Merge each signer's new certifications; (key, merged, refused).

    ``merged`` and ``refused`` are lists of ``{email, key_fingerprint}``
    dicts, ``refused`` ones with the ``reason``.
    """
    merged, accepted, refused = current, [], []
    for email, signer in signers:
        item = {'email': email, 'key_fingerprint': signer.fingerprint}
        try:
            merged = pgp.merge_certifications(merged, submitted, signer)
        except pgp.KeyImportError as error:
            if str(error) in _NOTHING_TO_MERGE:
                continue
            item['reason'] = 'the certification by {} ({}) is refused: {}' \
                .format(email, signer.fingerprint, error)
            refused.append(item)
        else:
            accepted.append(item)
    return merged, accepted, refused


@public
def certifying_keys(mlist, pgp_list) -> list:
    """(email, key) of members in the ``key_signing_allowed`` rosters
    whose key is confirmed: the only certifiers the list key accepts."""
    allowed = pgp_list.key_signing_allowed or frozenset()
    roster_of = {
        MemberRole.owner: mlist.owners,
        MemberRole.moderator: mlist.moderators,
        MemberRole.member: mlist.members,
        MemberRole.nonmember: mlist.nonmembers,
    }
    emails = set()
    for role in allowed:
        for address in roster_of[role].addresses:
            emails.add(address.email.lower())
    keys = []
    for email in sorted(emails):
        record = PGPAddress.for_email(email)
        if record is None or not record.key_confirmed:
            continue
        key = key_store().address_key(email)
        if key is not None and key.fingerprint == record.key_fingerprint:
            keys.append((email, key))
    return keys


@public
class ListPrivateKey:
    """The list's private key, only where the site allows it.

    The key is never logged: only its fingerprint is.
    """

    def __init__(self, mlist):
        self._mlist = mlist

    def on_get(self, request, response):
        if not site_config().rest.allow_read_private_key:
            forbidden(response, 'Reading list private keys over REST is '
                      'disabled: the site administrator can allow it with '
                      '[rest] allow_read_private_key: yes in the mailman-pgp '
                      'configuration')
            return
        key = key_store().list_key(self._mlist.list_id)
        if key is None:
            not_found(response, _no_key_yet(self._mlist.list_id))
            return
        log.info('%s: list private key %s read over REST',
                 self._mlist.list_id, key.fingerprint)
        okay(response, etag({
            'list_id': self._mlist.list_id,
            'key': key.armor(),
            'key_fingerprint': key.fingerprint,
            'self_link': path_to(self.api, 'lists', self._mlist.list_id,
                                 'key')}))

    def on_put(self, request, response):
        if not site_config().rest.allow_write_private_key:
            forbidden(response, 'Replacing list private keys over REST is '
                      'disabled: the site administrator can allow it with '
                      '[rest] allow_write_private_key: yes in the mailman-pgp '
                      'configuration')
            return
        try:
            key = pgp.Key.load(_key_text(request_data(request), 'key'))
        except (TypeError, ValueError) as error:
            bad_request(response, str(error))
            return
        except pgp.PGPError as error:
            bad_request(response, f'key cannot be read: {error}')
            return
        problem = _list_key_problem(self._mlist, key)
        if problem:
            bad_request(response, problem)
            return
        try:
            key_store().set_list_key(self._mlist.list_id, key)
        except pgp.StaleKeyError as error:
            bad_request(response, str(error))
            return
        log.info('%s: list key replaced over REST by %s',
                 self._mlist.list_id, key.fingerprint)
        no_content(response)


def _list_key_problem(mlist, key) -> str | None:
    """Why ``key`` cannot be the key pair of ``mlist``, or None."""
    if not key.is_private:
        return ('Cannot set a public key: send the list private key '
                '(gpg --armor --export-secret-keys), without a passphrase')
    usability = key.usability()
    if not usability.usable:
        return 'The key cannot both sign and encrypt: {}'.format(
            '; '.join(usability.reasons) or 'no usable subkeys')
    if usability.defects:
        return 'The key is refused: ' + ' '.join(usability.defects)
    if mlist.posting_address.lower() not in key.emails:
        return ('The key has no user ID with the list address {}; its user '
                'IDs are: {}'.format(mlist.posting_address,
                                     ', '.join(key.emails) or 'none'))
    return None


@public
def lists_child(segments):
    """Route /lists and /lists/<id>/... for the plugin root."""
    if not segments:
        return AllPGPLists(), []
    return APGPList(segments[0]), segments[1:]

