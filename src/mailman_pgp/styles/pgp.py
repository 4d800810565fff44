"""The PGP list styles: ``pgp-default`` and ``pgp-announce``."""

import logging

from mailman.core.i18n import _
from mailman.interfaces.styles import IStyle
from mailman.styles.default import LegacyAnnounceOnly, LegacyDefaultStyle
from public import public
from zope.interface import implementer


log = logging.getLogger('mailman.plugins.pgp')


class PGPStyleMixin:
    """Make a list a PGP list: chain, pipeline, settings row, key pair."""

    def apply(self, mailing_list):
        from mailman_pgp.archivers.guard import restyling
        with restyling():
            # Mailman's own style turns digests on; ours off just below.
            super().apply(mailing_list)
        # Imported here: styles are imported before logging and the
        # database exist (Mailman's initialize_1).
        from mailman_pgp.config import site_config
        from mailman_pgp.keystore import key_store
        from mailman_pgp.keystore.keygen import ensure_list_key
        from mailman_pgp.model import PGPMailingList
        mailing_list.posting_chain = 'pgp-posting-chain'
        mailing_list.posting_pipeline = 'pgp-posting-pipeline'
        # Mailman collects digests as plaintext in the list's data
        # directory: not for a PGP list.
        mailing_list.digests_enabled = False
        from mailman_pgp.archivers import use_encrypted_archivers
        PGPMailingList.create(mailing_list)
        ensure_list_key(mailing_list, key_store(), site_config())
        # Only the encrypted archivers archive a PGP list.
        use_encrypted_archivers(mailing_list)


@public
@implementer(IStyle)
class PGPDefaultStyle(PGPStyleMixin, LegacyDefaultStyle):
    name = 'pgp-default'
    description = _('Ordinary discussion mailing list style, PGP-enabled: '
                    'posts are signed and encrypted.')


@public
@implementer(IStyle)
class PGPAnnounceStyle(PGPStyleMixin, LegacyAnnounceOnly):
    name = 'pgp-announce'
    description = _('Announce only mailing list style, PGP-enabled: posts '
                    'are signed and encrypted.')
