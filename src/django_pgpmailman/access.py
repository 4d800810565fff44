"""Who may do what: the one place where the app checks permissions.

Core's REST API is admin-only, so this is the only access control there
is.  Roles come from Core's rosters matched against the user's *verified*
addresses (as Postorius does); Django superusers may do everything.
"""

import functools

from allauth.account.models import EmailAddress
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from django_pgpmailman import core

# What each page needs; owners may do what moderators may.
SATISFIES = {
    'owner': {'owner'},
    'moderator': {'owner', 'moderator'},
    'member': {'member'},
}


def verified_emails(user) -> list[str]:
    """The user's verified addresses, lower-cased."""
    if not user.is_authenticated:
        return []
    return sorted({address.email.lower() for address in
                   EmailAddress.objects.filter(user=user, verified=True)})


def is_own_address(user, email: str) -> bool:
    return (email or '').lower() in verified_emails(user)


def list_roles(request, list_id: str) -> frozenset:
    """The user's roles on the list (owner, moderator, member)."""
    cache = request.__dict__.setdefault('_pgp_roles', {})
    if list_id not in cache:
        roles = set()
        for email in verified_emails(request.user):
            found = core.call('members/find', params={
                'list_id': list_id, 'subscriber': email})
            roles.update(entry['role'] for entry in found.get('entries', []))
        cache[list_id] = frozenset(roles)
    return cache[list_id]


def may(request, list_id: str, role: str) -> bool:
    """True if the user may act as ``role`` on the list."""
    user = request.user
    if not user.is_authenticated:
        return False
    if user.is_superuser and role != 'member':
        return True
    return bool(SATISFIES[role] & list_roles(request, list_id))


def refusal(role: str, list_id: str) -> str:
    """Why the page is refused, as Postorius says it."""
    return {
        'owner': _('You are not an owner of %(list)s.'),
        'moderator': _('You are not a moderator or owner of %(list)s.'),
        'member': _('You are not a member of %(list)s: its archive is for '
                    'members, with their own key.'),
    }[role] % {'list': list_id}


def require(role: str | None):
    """Decorate a view taking ``list_id``: anonymous users go to the login
    page, users without ``role`` on the list get 403.  ``role`` None: any
    logged-in user."""
    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            list_id = kwargs.get('list_id')
            if role is not None and not may(request, list_id, role):
                raise PermissionDenied(refusal(role, list_id))
            return view(request, *args, **kwargs)
        return wrapper
    return decorator
