"""REST for the Web Key Directory: what a web server (or the web UI)
serves at ``/.well-known/openpgpkey/``.

``GET /3.1/plugins/pgp/wkd/<domain>/hu/<hash>[?l=<local part>]`` answers
the binary key (application/octet-stream) as the WKD draft requires, and
``GET /3.1/plugins/pgp/wkd/<domain>/policy`` the domain's policy file;
both 404 when the domain publishes nothing there.  Answers come from
``mailman_pgp.wkd``, as the files of ``mailman pgp wkd export`` do.
"""

import falcon

from mailman.rest.helpers import NotFound, not_found
from public import public

from mailman_pgp.wkd import POLICY, has_directory, lookup


def _binary(response, data: bytes, content_type: str) -> None:
    response.status = falcon.HTTP_200
    response.content_type = content_type
    response.data = data


@public
class WKDKey:
    """/wkd/<domain>/hu/<hash>."""

    def __init__(self, domain: str, hash: str):
        self._domain = domain
        self._hash = hash

    def on_get(self, request, response):
        entry = lookup(self._domain, self._hash, request.get_param('l'))
        if entry is None:
            not_found(response, 'No key in the Web Key Directory of {} '
                      'at {}'.format(self._domain, self._hash))
            return
        _binary(response, entry.data, 'application/octet-stream')


@public
class WKDPolicy:
    """/wkd/<domain>/policy."""

    def __init__(self, domain: str):
        self._domain = domain

    def on_get(self, request, response):
        if not has_directory(self._domain):
            not_found(response, 'No PGP list publishes keys for {}'.format(
                self._domain))
            return
        _binary(response, POLICY, 'text/plain; charset=utf-8')


@public
def wkd_child(segments):
    """Route /wkd/<domain>/policy and /wkd/<domain>/hu/<hash>."""
    if len(segments) == 2 and segments[1] == 'policy':
        return WKDPolicy(segments[0]), []
    if len(segments) == 3 and segments[1] == 'hu':
        return WKDKey(segments[0], segments[2]), []
    return NotFound(), []
