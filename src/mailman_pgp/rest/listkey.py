"""REST for the list key: its public part (read, certifications merged),
its private part (where the site allows it), and its lifecycle (rotate,
extend its expiry).

Rotation and extension are the same functions as ``mailman pgp
rotate-key`` and ``extend-key`` (the announcement to members included), so
both refuse the same things.
"""

import logging

from click import ClickException
from mailman.interfaces.member import MemberRole
from mailman.rest.helpers import (
    bad_request,
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
from mailman_pgp.model import PGPAddress
from mailman_pgp.rest.helpers import path_to, request_data

log = logging.getLogger('mailman.plugins.pgp')


def _days(data: dict, name: str, default: int | None) -> int:
    value = data.get(name, default)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(f'{name} must be a whole number of days') from None


@public
class ListKeyOperation:
    """POST /plugins/pgp/lists/<list>/rotate-key {grace_days} or
    /extend-key {days}."""

    def __init__(self, mlist, operation: str):
        self._mlist = mlist
        self._operation = operation

    def on_post(self, request, response):
        from mailman_pgp.cli.keys import (
            GRACE_DAYS, extend_list_key, rotate_list_key)
        try:
            data = request_data(request)
            if self._operation == 'rotate-key':
                done = rotate_list_key(self._mlist, _days(
                    data, 'grace_days', GRACE_DAYS))
            else:
                done = extend_list_key(self._mlist, _days(data, 'days', None))
        except (TypeError, ValueError) as error:
            bad_request(response, str(error))
            return
        except ClickException as error:
            bad_request(response, error.message)
            return
        okay(response, etag(dict(done, list_id=self._mlist.list_id)))


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


def _submitted_key(request, response, field: str):
    """The key sent as ``field``, or None after answering 400 with why."""
    try:
        return pgp.Key.load(_key_text(request_data(request), field))
    except (TypeError, ValueError) as error:
        bad_request(response, str(error))
    except pgp.PGPError as error:
        bad_request(response, f'{field} cannot be read: {error}')
    return None


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
        submitted = _submitted_key(request, response, 'public_key')
        if submitted is None:
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
        key = _submitted_key(request, response, 'key')
        if key is None:
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
