"""REST for the list key's lifecycle: rotate it, extend its expiry.

The same functions as ``mailman pgp rotate-key`` and ``extend-key`` (the
announcement to members included), so both refuse the same things.
"""

from click import ClickException
from mailman.rest.helpers import bad_request, etag, okay
from public import public

from mailman_pgp.rest.helpers import request_data


def _days(data: dict, name: str, default: int | None) -> int:
    value = data.get(name, default)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(f'{name} must be a whole number of days') from None


@public
class ListKeyOperation:
    """POST /plugins/pgp/lists/<list>/rotate-key {grace_days} or
    /extend-key {days}."""

    def __init__(self, mlist, operation: str):
        self._mlist = mlist
        self._operation = operation

    def on_post(self, request, response):
        from mailman_pgp.cli.keys import (
            GRACE_DAYS, extend_list_key, rotate_list_key)
        try:
            data = request_data(request)
            if self._operation == 'rotate-key':
                done = rotate_list_key(self._mlist, _days(
                    data, 'grace_days', GRACE_DAYS))
            else:
                done = extend_list_key(self._mlist, _days(data, 'days', None))
        except (TypeError, ValueError) as error:
            bad_request(response, str(error))
            return
        except ClickException as error:
            bad_request(response, error.message)
            return
        okay(response, etag(dict(done, list_id=self._mlist.list_id)))
