"""The REST root of the plugin: /3.1/plugins/pgp/."""

from mailman.rest.helpers import child, etag, okay
from public import public


@public
class PGPRoot:
    """Routes are added by the REST issue; the root answers already."""

    def on_get(self, request, response):
        okay(response, etag(dict(name='pgp')))

    @child()
    def lists(self, context, segments):
        from mailman.rest.helpers import NotFound
        return NotFound(), []
