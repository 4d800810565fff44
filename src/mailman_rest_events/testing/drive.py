"""Real Mailman operations that make many events at once (tests, benchmark).

Run inside an instance's process (``EventsInstance.python``).
"""

from mailman.app.lifecycle import create_list
from mailman.database.transaction import transaction
from mailman.interfaces.domain import IDomainManager
from mailman.interfaces.listmanager import IListManager
from mailman.interfaces.usermanager import IUserManager
from public import public
from zope.component import getUtility


@public
def subscribe_many(fqdn: str, first: int, count: int) -> None:
    """Subscribe m<first>@example.org ... in order, one transaction.

    Each subscription is a ``member.subscribed`` event, numbered in the
    address so a receiver can check the order.
    """
    with transaction():
        mlist = getUtility(IListManager).get(fqdn)
        if mlist is None:
            domains = getUtility(IDomainManager)
            if domains.get(fqdn.split('@')[1]) is None:
                domains.add(fqdn.split('@')[1])
            mlist = create_list(fqdn)
            mlist.send_welcome_message = False
            mlist.admin_notify_mchanges = False
    users = getUtility(IUserManager)
    with transaction():
        for number in range(first, first + count):
            address = users.create_address('m{:05d}@example.org'.format(
                number))
            mlist.subscribe(address)


@public
def add_domains(first: int, count: int) -> None:
    """Add the domains d<first>.example.org ... in order, one transaction.

    Each is a ``domain.created`` event.  Adding a domain is the cheapest
    real operation that makes one (a seventh of a subscription), so tests
    that need thousands of events queued use it.
    """
    domains = getUtility(IDomainManager)
    with transaction():
        for number in range(first, first + count):
            domains.add('d{:05d}.example.org'.format(number))
