"""The REST root of the plugin: /3.1/plugins/pgp/.

Mailman's router gives child resources (not this root) their ``.api``, and
asks for ``resource`` on every request, so this object holds no state.
"""

from mailman.rest.helpers import NotFound, child, etag, okay
from public import public

from mailman_pgp.rest.addresses import addresses_child
from mailman_pgp.rest.catalog import PGPListIndex, SettingsDescription
from mailman_pgp.rest.config import config_child
from mailman_pgp.rest.lists import lists_child
from mailman_pgp.rest.wkd import wkd_child


@public
class PGPRoot:
    """Routes: lists, addresses, config, index, settings, uris, wkd."""

    def on_get(self, request, response):
        okay(response, etag({
            'name': 'pgp', 'resources': ['addresses', 'config', 'index',
                                         'lists', 'settings', 'uris',
                                         'wkd']}))

    @child()
    def lists(self, context, segments):
        return lists_child(segments)

    @child()
    def addresses(self, context, segments):
        return addresses_child(segments)

    @child()
    def config(self, context, segments):
        return config_child(segments) or (NotFound(), [])

    @child()
    def index(self, context, segments):
        return (PGPListIndex(), []) if not segments else (NotFound(), [])

    @child()
    def settings(self, context, segments):
        return ((SettingsDescription(), []) if not segments
                else (NotFound(), []))

    @child()
    def uris(self, context, segments):
        from mailman_pgp.rest.uris import uris_child
        return uris_child(segments)

    @child()
    def wkd(self, context, segments):
        return wkd_child(segments)
