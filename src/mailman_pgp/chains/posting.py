"""The posting chain of PGP lists: the PGP checks, then Mailman's own."""

from mailman.chains.builtin import BuiltInChain
from mailman.core.i18n import _
from mailman.interfaces.chain import LinkAction
from public import public


@public
class PGPPostingChain(BuiltInChain):
    name = 'pgp-posting-chain'
    description = _('The PGP posting chain: encryption and signature '
                    'checks, then the built-in moderation chain.')

    _link_descriptions = (
        ('pgp-encryption', LinkAction.jump, 'pgp-moderation'),
        ('pgp-signature', LinkAction.jump, 'pgp-moderation'),
    ) + BuiltInChain._link_descriptions
