"""The plugin object Mailman loads from ``[plugin.rest_events]``."""

import logging
import os

from datetime import timedelta

import zope.event

from mailman.config import config
from mailman.interfaces.plugin import IPlugin
from public import public
from zope.interface import implementer

from mailman_rest_events.settings import RESTEventsConfigError, Settings


log = logging.getLogger('mailman.plugins.rest_events')

RUNNER_CLASS = 'mailman_rest_events.runner.WebhookRunner'


@public
def plugin_name() -> str | None:
    """The NAME of the enabled ``[plugin.NAME]`` section that is us."""
    for name, section in config.plugin_configs:
        if section['class'] == 'mailman_rest_events.plugin.RESTEventsPlugin':
            return name
    return None


@public
def load_settings() -> Settings:
    """Read and check the file named by ``configuration:``."""
    from mailman.config.config import load_external
    name = plugin_name() or 'rest_events'
    try:
        source = str(getattr(config, 'plugin.' + name)['configuration'])
    except Exception:
        source = ''
    source = source.strip()
    if not source:
        return Settings()
    try:
        text = load_external(source)
    except (OSError, ValueError, ModuleNotFoundError) as error:
        raise RESTEventsConfigError(['{}: cannot be read: {}'.format(
            source, getattr(error, 'strerror', None) or error)]) from None
    return Settings.parse(text, source)


@public
def wiring_problems() -> list[str]:
    """mailman.cfg lines the plugin needs that are missing."""
    section = getattr(config, 'runner.rest-events', None)
    if section is None:
        return ['[runner.rest-events] is missing; add it with class: ' +
                RUNNER_CLASS]
    if section['class'] != RUNNER_CLASS:
        return ['[runner.rest-events] class: is {!r}; set it to {}'.format(
            section['class'], RUNNER_CLASS)]
    return []


def _pgp_enabled() -> bool:
    from lazr.config import as_boolean
    section = getattr(config, 'plugin.pgp', None)
    return section is not None and as_boolean(section['enabled'])


@public
@implementer(IPlugin)
class RESTEventsPlugin:
    """Hooks run in every Mailman process: they only wire things up."""

    inert = False

    def pre_hook(self):
        from mailman_pgp.wiring import controlling, refuse
        if controlling():
            # `mailman stop` and `status` must work whatever
            # rest-events.cfg says (it may have broken while Mailman ran).
            self.inert = True
            return
        try:
            settings = load_settings()
        except RESTEventsConfigError as error:
            refuse('mailman-rest-events configuration refused:\n{}'.format(
                error), log)
        from mailman_rest_events.outbox import set_settings
        set_settings(settings)
        # Imported before the database exists: a brand-new database gets
        # the outbox table along with Mailman's.
        import mailman_rest_events.model  # noqa: F401
        from mailman.model.mailinglist import MailingList
        from mailman_rest_events.events import (
            handle_event, register_pgp_events, set_pgp_list_lookup)
        from mailman_rest_events.settings_changes import watch
        if _pgp_enabled():
            from mailman_pgp.model import PGPMailingList
            register_pgp_events()
            set_pgp_list_lookup(
                lambda list_id: PGPMailingList.for_list(list_id) is not None)
            watch(PGPMailingList, 'pgp.')
        watch(MailingList)
        if handle_event not in zope.event.subscribers:
            zope.event.subscribers.append(handle_event)

    def post_hook(self):
        if self.inert:
            return
        from flufl.lock import Lock
        from mailman_rest_events.model import TABLES
        lock = Lock(os.path.join(config.LOCK_DIR, 'rest_events-schema.lck'),
                    lifetime=timedelta(minutes=5))
        with lock, config.db.engine.begin() as connection:
            for table in TABLES:
                table.create(connection, checkfirst=True)
                # Indexes added since the table was made (0.4.0 on).
                for index in table.indexes:
                    index.create(connection, checkfirst=True)
        from mailman_rest_events.accept import install
        install()
        problems = wiring_problems()
        for problem in problems:
            log.error('mailman.cfg: %s', problem)
        from mailman_pgp.wiring import refuse, starting
        if problems and starting():
            refuse('mailman-rest-events refuses to start: its events would '
                   'wait, never sent.  Fix mailman.cfg:\n  {}'.format(
                       '\n  '.join(problems)), log)

    @property
    def resource(self):
        return None
