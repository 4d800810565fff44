"""The PGP pages inside Postorius: its list header and tab bar.

Postorius' tab bar (``postorius/menu/list_nav.html``, which this app's copy
extends with a PGP tab) needs its own list object and the user's roles as
Postorius names them; the roles come from :mod:`access`, the one place that
decides them.
"""

from postorius.auth.utils import set_list_access_props
from postorius.models import List

from django_pgpmailman import core
from django_pgpmailman.access import may


def list_context(request, list_id: str, current: str, title: str) -> dict:
    """What every PGP list page shows around its content: Postorius'
    header and tabs, and the PGP tabs the user may open."""
    mlist = List.objects.get_or_404(fqdn_listname=list_id)
    user = request.user
    roles = {role: may(request, list_id, role)
             for role in ('owner', 'moderator', 'member')}
    if user.is_authenticated:
        user.is_list_owner = roles['owner']
        user.is_list_moderator = roles['moderator']
        set_list_access_props(user, mlist)
    return {'list': mlist, 'list_id': list_id, 'pgp_current': current,
            'title': title,
            'is_owner': roles['owner'], 'is_moderator': roles['moderator'],
            'is_member': roles['member']}


def is_pgp_list(list_id: str) -> bool:
    """For Postorius' pages: is there a PGP tab to show?  (One request.)"""
    try:
        core.call(core.pgp('lists', list_id))
    except core.CoreError:
        return False
    return True
