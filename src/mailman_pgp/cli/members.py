"""``mailman pgp reset-key``: a member lost their key; ask for a new one."""

import click

from mailman_pgp.cli.common import (
    OneLineCommand, fail, find_pgp_list, log)


@click.command('reset-key', cls=OneLineCommand, help="""\
For a member who lost their private key (and so can neither sign a `key
change` nor revoke it): forget their key, stop sending them posts, and mail
them a new key request (`key set`), as after a revocation.  Run again, the
new request replaces the earlier one (whose token stops working).  Their new key is
proven as at subscription, and approved by a moderator where the list
moderates subscriptions or keys.  Check by a channel you trust that the
request really comes from the member before you run this.""")
@click.argument('listspec', metavar='LIST')
@click.argument('email', metavar='ADDRESS')
def reset_key(listspec, email):
    from mailman.interfaces.usermanager import IUserManager
    from zope.component import getUtility
    from mailman_pgp.model import PGPAddress
    from mailman_pgp.keystore import key_store
    from mailman_pgp.workflows.reset import (
        PGPKeyResetWorkflow, supersede_resets)
    mlist = find_pgp_list(listspec)
    email = email.lower()
    if mlist.members.get_member(email) is None:
        fail('{} is not a member of {}'.format(email, mlist.list_id))
    pgp_address = PGPAddress.for_email(email)
    old = pgp_address.key_fingerprint if pgp_address else None
    if pgp_address is not None:
        pgp_address.key_confirmed = False
        pgp_address.key_fingerprint = None
    key_store().delete_address_key(email)
    superseded = supersede_resets(mlist, email)
    address = getUtility(IUserManager).get_address(email)
    workflow = PGPKeyResetWorkflow(mlist, address)
    list(workflow)
    log.info('%s: key %s of %s reset by the site admin; new key requested',
             mlist.list_id, old, email)
    click.echo('Key of {} reset (was {}); a new key request went to them{}.'
               .format(email, old or 'none', '; it replaces the earlier '
                       'one, whose token no longer works' if superseded
                       else ''))
