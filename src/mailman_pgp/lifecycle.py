"""What happens to a PGP list's key and settings when the list is deleted."""

import logging

from mailman.interfaces.listmanager import ListDeletingEvent
from public import public


log = logging.getLogger('mailman.plugins.pgp')


@public
def handle_list_deleting(event) -> None:
    """Delete or shred the list key as configured; drop the settings row."""
    if not isinstance(event, ListDeletingEvent):
        return
    from mailman_pgp.config import site_config
    from mailman_pgp.keystore import key_store
    from mailman_pgp.model import PGPMailingList
    mlist = event.mailing_list
    if PGPMailingList.for_list(mlist) is None:
        return
    site = site_config()
    if site.keypairs.delete:
        removed = key_store().delete_list_key(
            mlist.list_id, shred_it=site.keypairs.shred,
            shred_command=site.keypairs.shred_command)
        if removed:
            log.info('%s: list key %s', mlist.list_id,
                     'shredded' if site.keypairs.shred else 'deleted')
    else:
        log.info('%s: list key kept ([keypairs] delete: no)', mlist.list_id)
    PGPMailingList.delete_for(mlist.list_id)
