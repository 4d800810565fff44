"""The PGP runners refuse to work while the plugin itself is not loaded.

With ``[runner.in]`` or ``[runner.command]`` naming a PGP runner but no
(enabled) ``[plugin.pgp]``, none of the plugin's code runs in ``mailman
start``, so nothing can refuse there.  Its runners are the first of its
code to run: they process nothing (every message stays in its queue, where
Mailman's own runner would shunt it with ``KeyError: 'pgp-posting-chain'``),
say why, and stop the master, so Mailman does not run half-wired.
"""

import logging
import os
import signal

from public import public


log = logging.getLogger('mailman.plugins.pgp')
runner_log = logging.getLogger('mailman.runner')

PLUGIN_LINES = ('[plugin.pgp]\n'
                'class: mailman_pgp.plugin.PGPMailman\n'
                'enabled: yes\n'
                'component_package: mailman_pgp\n'
                'configuration: python:mailman_pgp.config.mailman_pgp')


@public
def plugin_loaded() -> bool:
    from mailman.config import config
    from mailman_pgp.plugin import PGPMailman
    return any(isinstance(plugin, PGPMailman)
               for plugin in config.plugins.values())


@public
def missing_plugin_message(runner: str, cls: str) -> str:
    return ('mailman-pgp refuses to run: [runner.{}] class: {} needs the '
            'pgp plugin, which is not loaded ([plugin.pgp] is missing or '
            'not enabled, or the plugin failed to load: see mailman.log).  '
            'Add to mailman.cfg:\n{}\nor take mailman-pgp\'s runner lines '
            'out.  Mailman is stopped; messages stay in their queues.'
            .format(runner, cls, PLUGIN_LINES))


@public
class NeedsPlugin:
    """Mixed into the PGP runners, before Mailman's runner class."""

    def __init__(self, name, slice=None):
        super().__init__(name, slice)
        self._refusal = None
        if not plugin_loaded():
            cls = '{}.{}'.format(type(self).__module__,
                                 type(self).__qualname__)
            self._refusal = missing_plugin_message(name, cls)
            log.error('%s', self._refusal)
            runner_log.error('%s', self._refusal)
            if os.environ.get('MAILMAN_UNDER_MASTER_CONTROL') is not None:
                _stop_master()

    def _one_iteration(self):
        if self._refusal is not None:
            return 0        # nothing dequeued: the messages wait
        return super()._one_iteration()


def _stop_master() -> None:
    """SIGTERM to the master: it stops every runner and leaves.  Its whole
    process group when it leads one (as `mailman start` makes it), so a
    runner it forks a moment later goes too."""
    master = os.getppid()
    if os.getpgid(0) == master:
        os.killpg(master, signal.SIGTERM)
    else:
        os.kill(master, signal.SIGTERM)
