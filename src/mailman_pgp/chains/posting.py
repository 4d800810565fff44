"""The posting chain of PGP lists: the PGP checks, then Mailman's own."""

from mailman.chains.builtin import BuiltInChain
from mailman.core.i18n import _
from public import public


@public
class PGPPostingChain(BuiltInChain):
    name = 'pgp-posting-chain'
    description = _('The PGP posting chain: PGP checks, then the built-in '
                    'moderation chain.')

    _link_descriptions = BuiltInChain._link_descriptions
