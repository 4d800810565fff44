"""Small REST helpers shared by the plugin's resources."""

from mailman.interfaces.listmanager import IListManager
from mailman.rest.helpers import get_request_params, not_found
from public import public
from zope.component import getUtility

from mailman_pgp.model import PGPMailingList

# Under /<api>/plugins/<name>/: the name the wiring documents.
PLUGIN_PATH = 'plugins/pgp'


@public
def path_to(api, *parts: str) -> str:
    """The self_link of a plugin resource, as Mailman spells its own."""
    return api.path_to('/'.join((PLUGIN_PATH,) + parts))


@public
def request_data(request) -> dict:
    """The request's attributes (JSON object or form fields).

    :raises TypeError: when a JSON body is not an object, so that the
        client learns what shape is expected instead of a bare 400.
    """
    data = get_request_params(request)
    if not isinstance(data, dict):
        raise TypeError('The request body must be a JSON object of '
                        'attribute names and values')
    return dict(data)


@public
class Refusal:
    """A child resource answering every method with one specific error.

    Mailman's ``NotFound()`` child gives a bare 404; a list owner deserves
    to know whether the list is missing or merely not a PGP list.
    """

    def __init__(self, reason: str, status=not_found):
        self._reason = reason
        self._status = status

    def _answer(self, request, response):
        self._status(response, self._reason)

    on_get = on_put = on_patch = on_post = on_delete = _answer


@public
def find_list(identifier: str):
    """(mlist, pgp_list, refusal) for a list id or fqdn listname.

    ``refusal`` is None when both exist, otherwise the reason to give.
    """
    manager = getUtility(IListManager)
    if '@' in identifier:
        mlist = manager.get(identifier)
    else:
        mlist = manager.get_by_list_id(identifier)
    if mlist is None:
        return None, None, f'No such mailing list: {identifier}'
    pgp_list = PGPMailingList.for_list(mlist)
    if pgp_list is None:
        return mlist, None, (
            f'{mlist.list_id} is not a PGP list (create PGP lists with the style '
            'pgp-default or pgp-announce)')
    return mlist, pgp_list, None

