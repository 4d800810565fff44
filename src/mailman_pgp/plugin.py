"""The mailman-pgp plugin object Mailman loads from ``[plugin.pgp]``."""

import logging
import warnings

import zope.event

from mailman.config import config
from mailman.interfaces.plugin import IPlugin
from public import public
from zope.interface import implementer

from mailman_pgp.config import PGPConfigError, SiteConfig, set_site_config


log = logging.getLogger('mailman.plugins.pgp')


@public
def load_site_config() -> SiteConfig:
    """Load the file named by ``[plugin.pgp] configuration:``."""
    try:
        source = str(getattr(config, 'plugin.pgp')['configuration']).strip()
    except Exception:
        source = ''
    paths = dict(config.paths) if getattr(config, 'paths', None) else {}
    return SiteConfig.load(source or None, paths)


@public
@implementer(IPlugin)
class PGPMailman:
    """Hooks run in every Mailman process: idempotent, safe in parallel."""

    name = 'pgp'

    inert = False

    def pre_hook(self):
        warnings.filterwarnings('ignore', module=r'pgpy(\..*)?$')
        from mailman_pgp.compat import mend_mailman
        mend_mailman()
        from mailman_pgp.wiring import controlling
        if controlling():
            # `mailman stop` and `status` need nothing else of ours, and
            # must work whatever our configuration file says.
            self.inert = True
            return
        from mailman_pgp.compat import version_problems
        from mailman_pgp.wiring import refuse
        versions = version_problems()
        if versions:
            refuse('mailman-pgp refuses to load:\n  ' + '\n  '.join(versions),
                   log)
        try:
            site = load_site_config()
        except PGPConfigError as error:
            # A PGP list must not run on settings nobody chose: stop here,
            # as Mailman does for its own configuration errors.
            refuse('mailman-pgp configuration refused:\n{}'.format(error),
                   log)
        set_site_config(site)
        from mailman_pgp.keystore import key_store, reset_key_store
        reset_key_store()
        for exposed in key_store().ensure_directories():
            log.error('key directory: %s', exposed)
        from mailman_pgp.lifecycle import handle_list_deleting
        from mailman_pgp.rules.signature import remember_signatures
        for subscriber in (handle_list_deleting, remember_signatures):
            if subscriber not in zope.event.subscribers:
                zope.event.subscribers.append(subscriber)

    def post_hook(self):
        if self.inert:
            return
        from mailman_pgp.database.schema import ensure_schema
        from mailman_pgp.config import site_config
        from mailman_pgp.wiring import (
            refuse, start_refusal, wiring_problems)
        from mailman.interfaces.mailinglist import IMailingList
        from mailman.interfaces.subscriptions import ISubscriptionManager
        from zope.component import getGlobalSiteManager
        from mailman_pgp.chains.hold import PGPHoldChain
        from mailman_pgp.chains.reject import PGPRejectChain
        from mailman_pgp.workflows.manager import PGPSubscriptionManager
        ensure_schema()
        # Core's workflow classes are not pluggable: replace the adapter
        # (for every caller: REST, email commands, CLI); non-PGP lists get
        # Mailman's own behaviour from it.
        getGlobalSiteManager().registerAdapter(
            PGPSubscriptionManager, (IMailingList,), ISubscriptionManager)
        # Registries are plain dicts filled at start-up: a rejected or held
        # PGP post goes back (or is stored) encrypted, never in clear.
        config.chains['reject'] = PGPRejectChain()
        config.chains['hold'] = PGPHoldChain()
        # No archiver but the encrypted ones, and no digests, for PGP lists.
        from mailman_pgp.archivers.guard import guard_clear_stores
        guard_clear_stores()
        for problem in wiring_problems(config):
            log.error('mailman.cfg: %s', problem)
        refusal = start_refusal(config,
                                site_config().misc.allow_unchecked_start,
                                _key_problems())
        if refusal is not None:
            refuse(refusal, log)

    @property
    def resource(self):
        # Served at /3.1/plugins/pgp/; read on every request, and once in
        # every process when Mailman verifies the plugin.
        return _RESTRoot()


def _key_problems() -> list[str]:
    """At ``mailman start``: log every key store problem (as ``mailman pgp
    check`` prints them) and return those that refuse the start: key files
    Mailman cannot read (another owner, say, after a root ``tar -xzf``)."""
    from mailman_pgp.wiring import access_problems, launching
    if not launching():
        return []
    from mailman_pgp.health import key_report
    from mailman_pgp.keystore import key_store
    store = key_store()
    access = access_problems(store)
    problems, warnings = key_report(store, access)
    for problem in problems:
        log.error('key store: %s', problem)
    for warning in warnings:
        log.warning('key store: %s', warning)
    return access


class _RESTRoot:
    """The REST root, imported when a request reaches it.

    Mailman reads ``resource`` in every process it starts; only the REST
    runner needs falcon and the REST modules (about 4 MiB).  Mailman's own
    proxy for plugin resources forwards attributes the same way.
    """

    def _root(self):
        root = self.__dict__.get('root')
        if root is None:
            from mailman_pgp.rest.root import PGPRoot
            root = self.__dict__['root'] = PGPRoot()
        return root

    def __getattr__(self, name):
        return getattr(self._root(), name)

    def __dir__(self):
        return dir(self._root())
