"""``mailman pgp``, as Mailman's command line finds it.

Mailman imports this module in every process, the runners included; the
commands themselves (``mailman_pgp.cli``) are imported when the ``mailman``
command line asks for ``pgp``.
"""

from mailman.interfaces.command import ICLISubCommand
from public import public
from zope.interface import implementer


@public
@implementer(ICLISubCommand)
class PGPCommand:
    name = 'pgp'

    @property
    def command(self):
        from mailman_pgp.cli.group import pgp
        return pgp
