"""The PGP templates' URIs over REST, as Mailman's ``/uris`` serve its own.

``/3.1/plugins/pgp/uris[/<name>]`` (site-wide) and
``/3.1/plugins/pgp/lists/<list>/uris[/<name>]`` (a PGP list): GET, PUT,
PATCH and DELETE with Mailman's semantics and answers, for the PGP template
names only.  Mailman's own ``/uris`` resources take their names from
Mailman's template registry, which the PGP names stay out of so that plain
lists (and the site and domains) stay stock (see ``mailman_pgp.templates``).
"""

from mailman.rest.helpers import NotFound, etag, not_found, okay
from mailman.rest.uris import AListURI, AllListURIs, AllSiteURIs, ASiteURI
from public import public

from mailman_pgp.templates import NAMES


def _list_prefix(mlist) -> str:
    return 'plugins/pgp/lists/{}'.format(mlist.list_id)


class PGPListURIs(AllListURIs):
    URIs = list(NAMES)

    def __init__(self, mlist):
        super().__init__(mlist)
        self._prefix = _list_prefix(mlist)


class APGPListURI(AListURI):
    def __init__(self, mlist, template):
        super().__init__(mlist, template)
        self._prefix = _list_prefix(mlist)


class PGPSiteURIs(AllSiteURIs):
    URIs = list(NAMES)

    def __init__(self):
        super().__init__()
        self._prefix = 'plugins/pgp'


class APGPSiteURI(ASiteURI):
    def __init__(self, template):
        super().__init__(template)
        self._prefix = 'plugins/pgp'

    def on_get(self, request, response):
        # Mailman's builds the self_link without a prefix.
        from mailman.interfaces.template import ITemplateManager
        from zope.component import getUtility
        template = getUtility(ITemplateManager).raw(self._template, None)
        if template is None:
            not_found(response)
            return
        okay(response, etag(dict(uri=template.uri, self_link=self.api.path_to(
            'plugins/pgp/uris/{}'.format(self._template)))))


@public
def uris_child(segments, mlist=None):
    """Route ``uris[/<name>]`` of the site (``mlist`` None) or a PGP list."""
    if not segments:
        return (PGPSiteURIs() if mlist is None else PGPListURIs(mlist)), []
    if len(segments) > 1 or segments[0] not in NAMES:
        return NotFound(), []
    if mlist is None:
        return APGPSiteURI(segments[0]), []
    return APGPListURI(mlist, segments[0]), []
