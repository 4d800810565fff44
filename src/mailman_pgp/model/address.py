"""A subscriber address's key state: which key, and whether it is proven."""

from mailman.database.model import Model
from mailman.database.transaction import dbconnection
from mailman.database.types import SAUnicode
from public import public
from sqlalchemy import Boolean, Column, Integer, String


@public
class PGPAddress(Model):
    """One per email address, across all lists (as in the 2017 plugin).

    The key itself lives in the key store; this row records its fingerprint
    and whether the subscriber proved they hold it (``key confirm``).
    """

    __tablename__ = 'pgp_address'

    id = Column(Integer, primary_key=True)
    email = Column(SAUnicode, index=True, unique=True, nullable=False)
    key_fingerprint = Column(String(64))
    key_confirmed = Column(Boolean, nullable=False, default=False)

    def __init__(self, email: str):
        super().__init__()
        self.email = email.lower()
        self.key_fingerprint = None
        self.key_confirmed = False

    def __repr__(self):
        return '<PGPAddress {} {} {}>'.format(
            self.email, self.key_fingerprint,
            'confirmed' if self.key_confirmed else 'unconfirmed')

    @classmethod
    @dbconnection
    def for_email(cls, store, email: str) -> 'PGPAddress | None':
        return store.query(PGPAddress).filter_by(
            email=email.lower()).one_or_none()

    @classmethod
    @dbconnection
    def get_or_create(cls, store, email: str) -> 'PGPAddress':
        existing = PGPAddress.for_email(email)
        if existing is not None:
            return existing
        address = PGPAddress(email)
        store.add(address)
        store.flush()
        return address

    @classmethod
    @dbconnection
    def all(cls, store) -> list['PGPAddress']:
        return store.query(PGPAddress).order_by(PGPAddress.email).all()
