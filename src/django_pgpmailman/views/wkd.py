"""Web Key Directory: the list keys, served as Core's plugin route gives
them (advanced method ``/.well-known/openpgpkey/<domain>/hu/<hash>``,
direct method ``/.well-known/openpgpkey/hu/<hash>`` on the list domain)."""

from django.http import HttpResponse, HttpResponseNotFound
from django.views.decorators.http import require_GET

from django_pgpmailman import core


def _proxy(path: str, params=None) -> HttpResponse:
    try:
        status, content_type, content = core.call_raw(path, params)
    except core.CoreError:
        return HttpResponse(status=503)
    if status != 200:
        return HttpResponseNotFound()
    response = HttpResponse(content, content_type=content_type or
                            'application/octet-stream')
    response['Access-Control-Allow-Origin'] = '*'
    return response


def _direct_domain(request) -> str:
    return request.get_host().rsplit(':', 1)[0].lower()


@require_GET
def key(request, hashed, domain=None):
    domain = domain or _direct_domain(request)
    local = request.GET.get('l')
    return _proxy('plugins/pgp/wkd/{}/hu/{}'.format(
        core.q(domain), core.q(hashed)), {'l': local} if local else None)


@require_GET
def policy(request, domain=None):
    domain = domain or _direct_domain(request)
    return _proxy('plugins/pgp/wkd/{}/policy'.format(core.q(domain)))
