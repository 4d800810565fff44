"""REST: a member's copy of the list archive, encrypted to their key.

The pgp-mbox archive is decrypted with the list key in memory, the
messages in the asked date range become one mbox, and that mbox leaves
only encrypted to the member's confirmed key and signed by the list.
Nothing is written to disk; nobody without a confirmed key gets anything.
"""

import io
import logging
import mailbox
import os

from datetime import date
from email.generator import BytesGenerator
from email.utils import parsedate_to_datetime

from mailman.rest.helpers import bad_request, etag, forbidden, not_found, okay
from public import public

from mailman_pgp.config import site_config
from mailman_pgp.keystore import confirmed_key, key_store
from mailman_pgp.rest.helpers import path_to

log = logging.getLogger('mailman.plugins.pgp')


def _day(request, name: str) -> date | None:
    value = request.get_param(name)
    if not value:
        return None
    return date.fromisoformat(value)


def _sent_on(msg) -> date | None:
    try:
        return parsedate_to_datetime(msg['Date']).date()
    except (TypeError, ValueError, IndexError):
        return None


@public
def plaintext_mbox(mlist, since: date | None, until: date | None):
    """(mbox bytes, count, unreadable) of the archive in the range."""
    from mailman_pgp.pgp import PGPError, decrypt_message
    from mailman_pgp.runners.examine import decryption_keys
    path = os.path.join(site_config().archiving.mailbox_dir,
                        mlist.fqdn_listname)
    out = io.BytesIO()
    count = unreadable = 0
    if not os.path.exists(path):
        return b'', 0, 0
    keys = decryption_keys(mlist, key_store().list_key(mlist.list_id))
    archive = mailbox.mbox(path, create=False)
    try:
        for stored in archive:
            day = _sent_on(stored)
            if day is not None and ((since and day < since)
                                    or (until and day > until)):
                continue
            try:
                decrypted = decrypt_message(stored, keys)
            except PGPError:
                unreadable += 1
                continue
            # The archivers encrypt the whole post: its own headers (the
            # thread's In-Reply-To and References among them) are inside.
            msg = decrypted.payload or decrypted.message
            msg.set_unixfrom(stored.get_from() and 'From ' +
                             stored.get_from())
            BytesGenerator(out, mangle_from_=True).flatten(msg, unixfrom=True)
            out.write(b'\n')
            count += 1
    finally:
        archive.close()
    return out.getvalue(), count, unreadable


@public
class MemberArchive:
    """/plugins/pgp/lists/<list>/archive/<email>[?since=&until=]."""

    def __init__(self, mlist, email: str):
        self._mlist = mlist
        self._email = email.lower()

    def on_get(self, request, response):
        from mailman_pgp.pgp import encrypt
        mlist = self._mlist
        if mlist.members.get_member(self._email) is None:
            forbidden(response, f'{self._email} is not a member of '
                      f'{mlist.list_id}: only members get the archive')
            return
        key = confirmed_key(self._email)
        if key is None or not key.usability().can_encrypt:
            forbidden(response, f'{self._email} has no confirmed key that '
                      'can encrypt: the archive is never sent in clear')
            return
        try:
            since, until = _day(request, 'since'), _day(request, 'until')
        except ValueError:
            bad_request(response, 'since and until are dates: YYYY-MM-DD')
            return
        list_key = key_store().list_key(mlist.list_id)
        if list_key is None:
            not_found(response, f'{mlist.list_id} has no list key')
            return
        data, count, unreadable = plaintext_mbox(mlist, since, until)
        armored = str(encrypt(data, [key], sign_with=list_key))
        log.info('%s: archive (%d message(s)) sent to %s encrypted to %s',
                 mlist.list_id, count, self._email, key.fingerprint)
        okay(response, etag({
            'list_id': mlist.list_id, 'email': self._email,
            'key_fingerprint': key.fingerprint, 'count': count,
            'unreadable': unreadable, 'archive': armored,
            'self_link': path_to(self.api, 'lists', mlist.list_id,
                                 'archive', self._email)}))
