"""Plugin tables on Mailman's own ``Model``, in Mailman's database."""

from mailman_pgp.model.address import PGPAddress
from mailman_pgp.model.key import PGPKey
from mailman_pgp.model.mailinglist import PGPMailingList
from mailman_pgp.model.sighash import PGPSigHash


PLUGIN_TABLES = (PGPMailingList.__table__, PGPAddress.__table__,
                 PGPSigHash.__table__, PGPKey.__table__)

__all__ = ['PGPAddress', 'PGPKey', 'PGPMailingList', 'PGPSigHash',
           'PLUGIN_TABLES']
