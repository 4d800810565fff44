"""``pgp-signature-strip``: drop the poster's signature when the list says so.

List decoration (subject prefix, footer) would break the signature anyway;
with ``strip_original_sig`` members get the content without it (and,
with ``sign_outgoing``, the list's signature instead).
"""

from mailman.core.i18n import _
from mailman.interfaces.handler import IHandler
from public import public
from zope.interface import implementer

from mailman_pgp.handlers.replace import replace_message
from mailman_pgp import pgp


@public
@implementer(IHandler)
class PGPSignatureStrip:
    name = 'pgp-signature-strip'
    description = _("Remove the poster's PGP signature.")

    def process(self, mlist, msg, msgdata):
        from mailman_pgp.model import PGPMailingList
        pgp_list = PGPMailingList.for_list(mlist)
        if pgp_list is None or not pgp_list.strip_original_sig:
            return
        if not pgp.has_signed_parts(msg):
            return
        replace_message(msg, pgp.strip_signature(msg))
