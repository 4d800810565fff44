"""Pages about PGP lists: index, info, owner settings, key approvals,
the member archive, and key downloads."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.http import require_POST

from django_pgpmailman import core
from django_pgpmailman.access import may, require, verified_emails
from django_pgpmailman.core import CoreError, pgp
from django_pgpmailman.forms import ArchiveForm, SettingsForm


def _or_404(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except CoreError as error:
        if error.status in (400, 404):
            raise Http404(error.description) from None
        raise


def _attachment(content, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response['Content-Disposition'] = f'attachment; filename="{filename}"'
    response['X-Content-Type-Options'] = 'nosniff'
    return response


@require_GET
def index(request):
    """Every advertised PGP list (all of them for superusers): one call."""
    params = None if request.user.is_superuser else {'advertised': 'true'}
    lists = core.call(pgp('index'), params=params)['entries']
    return render(request, 'django_pgpmailman/index.html', {'lists': lists})


@require_GET
def public_key(request, list_id):
    key = _or_404(core.call, pgp('lists', list_id, 'pubkey'))
    return _attachment(key['public_key'], 'application/pgp-keys',
                       f'{list_id}.asc')


@require_POST
@require('owner')
def private_key(request, list_id):
    """Only where the site allows it ([rest] allow_read_private_key)."""
    try:
        key = core.call(pgp('lists', list_id, 'key'))
    except CoreError as error:
        messages.error(request, error.description)
        return redirect('pgp_list_settings', list_id=list_id)
    return _attachment(key['key'], 'application/pgp-keys',
                       f'{list_id}.private.asc')


def _private_key_allowed() -> bool:
    try:
        return core.call(pgp('config', 'rest', 'allow_read_private_key'))[
            'allow_read_private_key'] in ('yes', 'true', 'on', '1')
    except CoreError:
        return False


@require_POST
@require('owner')
def key_operation(request, list_id, operation):
    """Rotate the list key (members are sent the new one) or extend it."""
    name = 'grace_days' if operation == 'rotate-key' else 'days'
    try:
        done = core.call(pgp('lists', list_id, operation),
                         {name: request.POST.get(name, '')})
    except CoreError as error:
        if error.status != 400:
            raise
        messages.error(request, error.description)
    else:
        if operation == 'rotate-key':
            messages.success(request, _(
                'New list key %(new)s; %(sent)d member(s) were sent it.') % {
                'new': done['new_fingerprint'], 'sent': done['sent']})
        else:
            messages.success(request, _('The list key now expires on '
                                        '%(day)s.') % {'day': done['expires']})
    return redirect('pgp_list_settings', list_id=list_id)


@require_GET
def list_info(request, list_id):
    mlist = _or_404(core.call, 'lists/' + core.q(list_id))
    pgp_list = _or_404(core.call, pgp('lists', list_id))
    try:
        key = core.call(pgp('lists', list_id, 'pubkey'))
    except CoreError:
        key = None
    mine = [core.call(pgp('lists', list_id, 'keys', email))
            for email in verified_emails(request.user)]
    return render(request, 'django_pgpmailman/list_info.html', {
        'mlist': mlist, 'list_id': list_id, 'settings': pgp_list,
        'key': key, 'mine': mine,
        'is_owner': may(request, list_id, 'owner'),
        'is_moderator': may(request, list_id, 'moderator')})


@require_http_methods(['GET', 'POST'])
@require('owner')
def list_settings(request, list_id):
    description = core.call(pgp('settings'))
    current = _or_404(core.call, pgp('lists', list_id))
    form = SettingsForm(description, current,
                        request.POST if request.method == 'POST' else None)
    if request.method == 'POST' and form.is_valid():
        data = form.rest_data()
        if not data:
            messages.info(request, _('Nothing changed.'))
            return redirect('pgp_list_settings', list_id=list_id)
        try:
            core.call(pgp('lists', list_id), data, 'PATCH')
        except CoreError as error:
            if error.status != 400:
                raise
            form.add_core_errors(error.description)
        else:
            messages.success(request, _('The settings were saved.'))
            return redirect('pgp_list_settings', list_id=list_id)
    return render(request, 'django_pgpmailman/settings.html', {
        'list_id': list_id, 'form': form,
        'private_key_allowed': _private_key_allowed()})


@require_http_methods(['GET', 'POST'])
@require('moderator')
def approvals(request, list_id):
    if request.method == 'POST':
        token = request.POST.get('token', '')
        action = request.POST.get('action')
        try:
            core.call(pgp('lists', list_id, 'approvals', token),
                      {'action': action})
        except CoreError as error:
            messages.error(request, error.description)
        else:
            messages.success(request, _('Accepted.') if action == 'accept'
                             else _('Rejected.'))
        return redirect('pgp_list_keys', list_id=list_id)
    queue = _or_404(core.call, pgp('lists', list_id, 'approvals'))
    return render(request, 'django_pgpmailman/approvals.html', {
        'list_id': list_id, 'queue': queue['entries']})


@require_http_methods(['GET', 'POST'])
@require('member')
def archive(request, list_id):
    """The list archive as one mbox, encrypted to the member's key."""
    form = ArchiveForm(request.POST if request.method == 'POST' else None)
    if request.method == 'POST' and form.is_valid():
        params = {name: form.cleaned_data[name].isoformat()
                  for name in ('since', 'until') if form.cleaned_data[name]}
        refusals = []
        for email in verified_emails(request.user):
            try:
                found = core.call(pgp('lists', list_id, 'archive', email),
                                  params=params)
            except CoreError as error:
                refusals.append(error.description)
                continue
            return _attachment(found['archive'], 'application/pgp-encrypted',
                               f'{list_id}.mbox.asc')
        for refusal in refusals:
            form.add_error(None, refusal)
    return render(request, 'django_pgpmailman/archive.html', {
        'list_id': list_id, 'form': form})
