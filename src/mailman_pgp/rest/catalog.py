"""What a web UI needs in one request each: the settings and the lists.

``/plugins/pgp/settings`` describes every per-list setting from its one
declaration (a new setting appears in a form without web code);
``/plugins/pgp/index`` is every PGP list with its key facts and posting
policy, so an index page costs one round trip whatever the number of lists.
"""

import hashlib
import json

from mailman.interfaces.listmanager import IListManager
from mailman.rest.helpers import etag, okay
from public import public
from zope.component import getUtility

from mailman_pgp.keystore import key_store
from mailman_pgp.model import PGPMailingList
from mailman_pgp.model.list_settings import LIST_SETTINGS, SETTING_GROUPS
from mailman_pgp.rest.helpers import path_to

# A hostile key may carry thousands of user IDs: the index shows a few.
MAX_UIDS_SHOWN = 20


@public
class SettingsDescription:
    """/plugins/pgp/settings: name, kind, allowed values, default, help."""

    def on_get(self, request, response):
        okay(response, etag({
            'groups': list(SETTING_GROUPS),
            'entries': [setting.describe() for setting in LIST_SETTINGS],
            'self_link': path_to(self.api, 'settings')}))


def _day(when) -> str | None:
    return None if when is None else when.date().isoformat()


@public
def key_facts(key, uids_shown: int = MAX_UIDS_SHOWN) -> dict:
    """What a page shows of a public key; never key material but armor.

    ``key_uids`` holds the primary user ID first, then up to
    ``uids_shown`` in all."""
    if key is None:
        return {'key_fingerprint': None}
    usability = key.usability()
    uids = key.uids
    return {
        'key_fingerprint': key.fingerprint,
        'key_algorithm': key.algorithm,
        'key_created': _day(key.created),
        'key_expires': _day(key.expires_at),
        'key_usable': bool(usability.can_encrypt and usability.can_sign),
        'key_problems': list(usability.reasons),
        'key_uids': ['{} <{}>'.format(name, email).strip()
                     for name, email in uids[:uids_shown]],
        'key_uid_count': len(uids),
    }


@public
def certifications(mlist, pgp_list, key) -> list[dict]:
    """Who certified the list key: members' emails where their confirmed
    key made the certification, the bare key ID otherwise."""
    from mailman_pgp.pgp import certifier_ids
    from mailman_pgp.rest.listkey import certifying_keys
    ids = certifier_ids(key)
    if not ids:
        return []
    known = {}
    for email, member_key in certifying_keys(mlist, pgp_list):
        for keyid in (member_key.keyid, *member_key.subkey_ids):
            known[keyid] = (email, member_key.fingerprint)
    return [{'key_id': keyid, 'email': known.get(keyid, (None,))[0],
             'key_fingerprint': known.get(keyid, (None, None))[1]}
            for keyid in ids]


@public
def list_summary(api, mlist, pgp_list) -> dict:
    """A PGP list as the index shows it."""
    store = key_store()
    summary = {
        'list_id': mlist.list_id,
        'fqdn_listname': mlist.fqdn_listname,
        'display_name': mlist.display_name,
        'description': mlist.description,
        'advertised': mlist.advertised,
        'request_address': mlist.request_address,
        'settings': pgp_list.settings(),
        'self_link': path_to(api, 'lists', mlist.list_id),
    }
    summary.update(key_facts(store.list_key(mlist.list_id)))
    return summary


@public
class PGPListIndex:
    """/plugins/pgp/index[?advertised=true]: every PGP list at once."""

    def on_get(self, request, response):
        only_advertised = request.get_param_as_bool('advertised') or False
        # One query for the lists, not one per PGP list.
        lists = {mlist.list_id: mlist for mlist in
                 getUtility(IListManager).mailing_lists}
        entries = []
        for pgp_list in PGPMailingList.all():
            mlist = lists.get(pgp_list.list_id)
            if mlist is None or (only_advertised and not mlist.advertised):
                continue
            entries.append(list_summary(self.api, mlist, pgp_list))
        okay(response, json_etag({
            'entries': entries, 'total_size': len(entries),
            'self_link': path_to(self.api, 'index')}))


@public
def json_etag(resource: dict) -> str:
    """Like Mailman's ``etag()``, hashing the JSON rather than a pretty-
    printed repr: several times faster for hundreds of entries."""
    text = json.dumps(resource, sort_keys=True)
    resource['http_etag'] = '"{}"'.format(
        hashlib.sha1(text.encode('utf-8')).hexdigest())
    return json.dumps(resource)
