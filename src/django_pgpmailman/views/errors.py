"""What a request too large for Django gets: its form back, with a reason.

Django refuses a POST whose text fields exceed ``DATA_UPLOAD_MAX_MEMORY_SIZE``
before any view runs (the CSRF check reads them first) and answers a bare
"Bad Request (400)".  For the PGP pages this handler sends the browser back
to the page of the form, which says why; elsewhere it is Django's own.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import RequestDataTooBig
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.views import defaults


def _ours(request) -> bool:
    try:
        return (resolve(request.path_info).url_name or '').startswith('pgp_')
    except Resolver404:
        return False


def bad_request(request, exception, template_name='400.html'):
    if (isinstance(exception, RequestDataTooBig) and _ours(request)
            and request.method == 'POST'):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
        messages.error(request, _(
            'What you sent is too large (over %(size)d KiB) and was not '
            'read: give only the public key, signature or statement the '
            'page asks for, or upload it as a file.') % {'size': limit})
        # The GET of each form's address shows the form's page.
        return redirect(request.path)
    return defaults.bad_request(request, exception, template_name)
