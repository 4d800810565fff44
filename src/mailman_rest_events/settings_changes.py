"""``list.settings_changed``: Mailman has no such event, so watch the rows.

A SQLAlchemy ``before_update`` listener on the list's settings rows (Core's
``mailinglist`` and, with mailman-pgp, ``pgp_mailinglist``) sees every
change, whatever made it: REST, the CLI, ``mailman shell``, a style.  It
sends the names of the changed settings, never their values.  Counters
Mailman keeps for itself (post ids, digest volume...) are not settings.
"""

import logging

from public import public
from sqlalchemy import event, inspect


log = logging.getLogger('mailman.plugins.rest_events')

# Columns Mailman updates as it works, not settings anyone chose.
BOOKKEEPING = frozenset({
    'id', 'list_name', 'mail_host', '_list_id', 'list_id', 'created_at',
    'next_request_id', 'next_digest_number', 'digest_last_sent_at', 'volume',
    'last_post_at', 'post_id', 'usenet_watermark'})


def _listener(prefix: str):
    def before_update(mapper, connection, target):
        state = inspect(target)
        # committed_state holds only the attributes set since the last flush:
        # a post's counters cost a set difference, not a walk of 100 columns.
        touched = state.committed_state.keys() - BOOKKEEPING
        if not touched or getattr(target, '_rest_events_new', False):
            return
        changed = sorted(prefix + name.lstrip('_') for name in touched
                         if name in state.attrs and
                         state.attrs[name].history.has_changes())
        if not changed:
            return
        try:
            from mailman_rest_events.outbox import enqueue_on_connection
            list_id = target.list_id
            enqueue_on_connection(connection, 'list.settings_changed',
                                  list_id, {'list_id': list_id,
                                            'changed': changed})
        except Exception:
            log.exception('rest-events: could not queue '
                          'list.settings_changed')
    return before_update


_watched = set()


@public
def watch(model, prefix: str = '') -> None:
    """Report changes of ``model``'s columns (once per process)."""
    if model in _watched:
        return
    event.listen(model, 'before_update', _listener(prefix))
    _watched.add(model)
