"""Keys kept in Mailman's database (``[keystore] backend: database``).

With several Mailman hosts on one PostgreSQL database, keys must be shared
like the rest of the state: one row per list key pair or subscriber key.
"""

from mailman.database.model import Model
from mailman.database.types import SAUnicode
from public import public
from sqlalchemy import Column, DateTime, Integer, String, Text, UniqueConstraint


@public
class PGPKey(Model):
    """One armored key: kind ('list' or 'address') and name (id, email)."""

    __tablename__ = 'pgp_key'
    __table_args__ = (UniqueConstraint('kind', 'name',
                                       name='uq_pgp_key_kind_name'),)

    id = Column(Integer, primary_key=True)
    kind = Column(String(16), nullable=False)
    name = Column(SAUnicode, nullable=False)
    fingerprint = Column(String(64), nullable=False)
    armor = Column(Text, nullable=False)
    updated_at = Column(DateTime, nullable=False)
