"""Pages about PGP lists: index, info, owner settings, key approvals,
the member archive, and key downloads."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from django_pgpmailman import core
from django_pgpmailman.access import require, verified_emails
from django_pgpmailman.core import CoreError, pgp
from django_pgpmailman.forms import (
    ArchiveForm, ExtendKeyForm, RotateKeyForm, SettingsForm)
from django_pgpmailman.suite import list_context
from django_pgpmailman.templatetags.pgp import fingerprint

# The settings page's sections: Core's groups of settings, then the key.
KEY_SECTION = 'list-key'


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
    return render(request, 'django_pgpmailman/index.html', {
        'lists': lists, 'pgp_current': 'index'})


@require_GET
def public_key(request, list_id):
    key = _or_404(core.call, pgp('lists', list_id, 'pubkey'))
    return _attachment(key['public_key'], 'application/pgp-keys',
                       f'{list_id}.asc')


@require_http_methods(['GET', 'POST'])
@require('owner')
def private_key(request, list_id):
    """Only where the site allows it ([rest] allow_read_private_key); a
    GET (a reload) shows the page the button is on."""
    if request.method == 'GET':
        return redirect('pgp_list_settings_section', list_id=list_id,
                        section=KEY_SECTION)
    try:
        key = core.call(pgp('lists', list_id, 'key'))
    except CoreError as error:
        messages.error(request, error.description)
        return redirect('pgp_list_settings_section', list_id=list_id,
                        section=KEY_SECTION)
    return _attachment(key['key'], 'application/pgp-keys',
                       f'{list_id}.private.asc')


def _private_key_allowed() -> bool:
    try:
        return core.call(pgp('config', 'rest', 'allow_read_private_key'))[
            'allow_read_private_key'] in ('yes', 'true', 'on', '1')
    except CoreError:
        return False


OPERATIONS = {'extend-key': ExtendKeyForm, 'rotate-key': RotateKeyForm}


@require_http_methods(['GET', 'POST'])
@require('owner')
def key_operation(request, list_id, operation):
    """Extend the list key, or rotate it (members are sent the new one);
    the form comes back with its errors on the key section."""
    if request.method == 'GET':
        return redirect('pgp_list_settings_section', list_id=list_id,
                        section=KEY_SECTION)
    form = OPERATIONS[operation](request.POST)
    if form.is_valid():
        try:
            done = core.call(pgp('lists', list_id, operation),
                             form.rest_data())
        except CoreError as error:
            if error.status != 400:
                raise
            form.add_error(form.number_field, error.description)
        else:
            messages.success(request, form.success(done))
            return redirect('pgp_list_settings_section', list_id=list_id,
                            section=KEY_SECTION)
    return _settings_page(request, list_id, KEY_SECTION,
                          {operation: form})


@require_GET
def list_info(request, list_id):
    pgp_list = _or_404(core.call, pgp('lists', list_id))
    context = list_context(request, list_id, 'info', _('PGP'))
    try:
        key = core.call(pgp('lists', list_id, 'pubkey'))
    except CoreError:
        key = None
    mine = [core.call(pgp('lists', list_id, 'keys', email))
            for email in verified_emails(request.user)]
    return render(request, 'django_pgpmailman/list_info.html', dict(
        context, settings=pgp_list, key=key, mine=mine))


def _sections(description: dict) -> list:
    """[(slug, title)] of the settings page's side menu."""
    return [(group, SettingsForm.GROUP_TITLES.get(group, group))
            for group in description['groups']] + [
        (KEY_SECTION, _('The list key'))]


def _settings_page(request, list_id, section, forms=None, description=None):
    """The settings page on ``section``: a group of settings (``forms``:
    its form), or the list key with its operations (``forms``: the one that
    failed, by name)."""
    description = description or core.call(pgp('settings'))
    sections = _sections(description)
    if section not in dict(sections):
        raise Http404(_('No such section of the PGP settings.'))
    context = list_context(request, list_id, 'settings', _('PGP settings'))
    context.update(sections=sections, section=section,
                   section_title=dict(sections)[section])
    if section == KEY_SECTION:
        forms = forms or {}
        context.update(
            key=core.call(pgp('lists', list_id, 'pubkey')),
            extend=forms.get('extend-key') or ExtendKeyForm(),
            rotate=forms.get('rotate-key') or RotateKeyForm(),
            private_key_allowed=_private_key_allowed())
    else:
        context['form'] = forms
    return render(request, 'django_pgpmailman/settings.html', context)


@require_http_methods(['GET', 'POST'])
@require('owner')
def list_settings(request, list_id, section=None):
    description = core.call(pgp('settings'))
    section = section or description['groups'][0]
    if section == KEY_SECTION:
        if request.method == 'POST':
            return redirect('pgp_list_settings_section', list_id=list_id,
                            section=section)
        return _settings_page(request, list_id, section,
                              description=description)
    if section not in description['groups']:
        raise Http404(_('No such section of the PGP settings.'))
    current = _or_404(core.call, pgp('lists', list_id))
    form = SettingsForm(description, current, section,
                        request.POST if request.method == 'POST' else None)
    if request.method == 'POST' and form.is_valid():
        data = form.rest_data()
        here = redirect('pgp_list_settings_section', list_id=list_id,
                        section=section)
        if not data:
            messages.info(request, _('Nothing changed.'))
            return here
        try:
            core.call(pgp('lists', list_id), data, 'PATCH')
        except CoreError as error:
            if error.status != 400:
                raise
            form.add_core_errors(error.description)
        else:
            messages.success(request, _('The settings were saved.'))
            return here
    return _settings_page(request, list_id, section, form, description)


@require_http_methods(['GET', 'POST'])
@require('moderator')
def approvals(request, list_id):
    if request.method == 'POST':
        token = request.POST.get('token', '')
        action = request.POST.get('action')
        queue = core.call(pgp('lists', list_id, 'approvals'))['entries']
        item = next((i for i in queue if i['token'] == token), None)
        try:
            core.call(pgp('lists', list_id, 'approvals', token),
                      {'action': action})
        except CoreError as error:
            if error.status != 400:
                raise
            messages.error(request, error.description)
        else:
            words = {'email': item['email'],
                     'fingerprint': fingerprint(item['key_fingerprint'])}
            messages.success(request, (
                _("Accepted %(email)s's key %(fingerprint)s.")
                if action == 'accept' else
                _("Rejected %(email)s's key %(fingerprint)s.")) % words)
        return redirect('pgp_list_keys', list_id=list_id)
    queue = _or_404(core.call, pgp('lists', list_id, 'approvals'))
    return render(request, 'django_pgpmailman/approvals.html', dict(
        list_context(request, list_id, 'approvals', _('Key approvals')),
        queue=queue['entries']))


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
    return render(request, 'django_pgpmailman/archive.html', dict(
        list_context(request, list_id, 'archive', _('Archive')),
        form=form))
