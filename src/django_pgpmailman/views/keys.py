"""My keys: the user's addresses, their keys, and the key steps on the web.

The steps are those of the email ``key`` command (Core runs the same
handlers), so a step asked for by mail can be finished here.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from django_pgpmailman import core
from django_pgpmailman.access import is_own_address, require, verified_emails
from django_pgpmailman.core import CoreError, pgp
from django_pgpmailman.forms import KeyStepForm


def _address(email: str, pgp_lists: set) -> dict:
    try:
        key = core.call(pgp('addresses', email, 'key'))
    except CoreError as error:
        if error.status != 404:
            raise
        key = None
    steps = core.call(pgp('addresses', email, 'steps'))['entries']
    found = core.call('members/find', params={'subscriber': email})
    memberships = sorted({entry['list_id'] for entry in
                          found.get('entries', [])
                          if entry['role'] == 'member'
                          and entry['list_id'] in pgp_lists})
    return {'email': email, 'key': key, 'steps': steps,
            'lists': memberships}


def _page(request, form=None, failed=None):
    pgp_lists = {entry['list_id'] for entry in
                 core.call(pgp('index'))['entries']}
    addresses = [_address(email, pgp_lists)
                 for email in verified_emails(request.user)]
    return render(request, 'django_pgpmailman/my_keys.html', {
        'addresses': addresses, 'form': form, 'failed': failed})


@require_GET
@require(None)
def my_keys(request):
    return _page(request)


# Error reports never carry what was pasted (a private key, by mistake).
@sensitive_post_parameters('key', 'signed', 'signature', 'revocation')
@require_POST
@require(None)
def key_step(request, list_id):
    form = KeyStepForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, failed=request.POST.get('action'))
    email = form.cleaned_data['email']
    if not is_own_address(request.user, email):
        raise PermissionDenied
    try:
        answer = core.call(pgp('lists', list_id, 'keys', email),
                           form.rest_data())
    except CoreError as error:
        if error.status not in (400, 404):
            raise
        form.add_error(None, error.description)
        return _page(request, form, failed=form.cleaned_data['action'])
    messages.success(request, answer.get('result') or _('Done.'))
    return redirect('pgp_my_keys')
