"""My keys: the user's addresses, their keys, and the key steps on the web.

The steps are those of the email ``key`` command (Core runs the same
handlers), so a step asked for by mail can be finished here.
"""

import itertools

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from django_pgpmailman import core
from django_pgpmailman.access import is_own_address, require, verified_emails
from django_pgpmailman.core import CoreError, pgp
from django_pgpmailman.forms import KeyStepForm


class _Forms:
    """One form per step and action on the page, each with its own ids;
    the form that failed takes the place of its empty twin."""

    def __init__(self, failed: KeyStepForm | None, failed_list: str | None):
        self._numbers = itertools.count(1)
        self._failed = failed
        self._failed_list = failed_list
        self.placed = False

    def __call__(self, email: str, list_id: str, action: str,
                 token: str = '') -> KeyStepForm:
        auto_id = 'id_step{}_%s'.format(next(self._numbers))
        failed = self._failed
        if (failed is not None and failed.step == action
                and self._failed_list == list_id
                and failed.data.get('email', '').lower() == email):
            failed.auto_id = auto_id
            self.placed = True
            return failed
        return KeyStepForm(action=action, auto_id=auto_id, initial={
            'email': email, 'token': token})


def _address(email: str, pgp_lists: set, forms: _Forms) -> dict:
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
    for step in steps:
        action = {'key': 'set', 'proof': 'confirm'}.get(step['waiting'])
        step['form'] = action and forms(email, step['list_id'], action,
                                        step['token'])
    confirmed = bool(key and key.get('key_confirmed'))
    lists = [{'list_id': list_id,
              'change': confirmed and forms(email, list_id, 'change'),
              'revoke': confirmed and forms(email, list_id, 'revoke')}
             for list_id in memberships]
    return {'email': email, 'key': key, 'steps': steps, 'lists': lists}


def _page(request, failed=None, failed_list=None):
    pgp_lists = {entry['list_id'] for entry in
                 core.call(pgp('index'))['entries']}
    forms = _Forms(failed, failed_list)
    addresses = [_address(email, pgp_lists, forms)
                 for email in verified_emails(request.user)]
    return render(request, 'django_pgpmailman/my_keys.html', {
        'addresses': addresses, 'pgp_current': 'my_keys',
        # A step no longer on the page (done meanwhile): its errors on top.
        'unplaced': None if forms.placed else failed})


@require_GET
@require(None)
def my_keys(request):
    return _page(request)


# Error reports never carry what was pasted (a private key, by mistake).
@sensitive_post_parameters('key', 'signed', 'signature', 'revocation')
@require_http_methods(['GET', 'POST'])
@require(None)
def key_step(request, list_id):
    """POST one step; a GET (a reload of a failed step) shows My keys."""
    if request.method == 'GET':
        return redirect('pgp_my_keys')
    # Whose key: checked first, so nothing about another's key is said.
    email = request.POST.get('email', '')
    if not is_own_address(request.user, email):
        raise PermissionDenied(_('%(email)s is not one of your verified '
                                 'addresses.') % {'email': email})
    form = KeyStepForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, list_id)
    try:
        answer = core.call(pgp('lists', list_id, 'keys', email),
                           form.rest_data())
    except CoreError as error:
        if error.status not in (400, 404):
            raise
        form.add_error(None, error.description)
        return _page(request, form, list_id)
    messages.success(request, answer.get('result') or _('Done.'))
    return redirect('pgp_my_keys')
