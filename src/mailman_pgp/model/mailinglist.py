"""The PGP side of a mailing list: its settings, keyed by list id."""

from mailman.database.model import Model
from mailman.database.transaction import dbconnection
from mailman.database.types import SAUnicode
from public import public
from sqlalchemy import Column, Integer

from mailman_pgp.model.list_settings import LIST_SETTINGS


# Declarative copies the columns of a mixin into the model, so the columns
# come straight from the one declaration of the settings.
_SettingsColumns = type('_SettingsColumns', (), {
    setting.name: setting.column() for setting in LIST_SETTINGS})


@public
class PGPMailingList(Model, _SettingsColumns):
    """A PGP-enabled list.  Its existence is what makes a list a PGP list."""

    __tablename__ = 'pgp_mailinglist'

    id = Column(Integer, primary_key=True)
    list_id = Column(SAUnicode, index=True, unique=True, nullable=False)

    def __init__(self, list_id: str):
        super().__init__()
        self.list_id = list_id
        for setting in LIST_SETTINGS:
            setattr(self, setting.name, setting.default)

    def __repr__(self):
        return '<PGPMailingList {}>'.format(self.list_id)

    @classmethod
    @dbconnection
    def for_list(cls, store, mlist) -> 'PGPMailingList | None':
        """The PGP row of ``mlist`` (a list or a list id), None if not PGP."""
        list_id = getattr(mlist, 'list_id', mlist)
        return store.query(PGPMailingList).filter_by(
            list_id=list_id).one_or_none()

    @classmethod
    @dbconnection
    def create(cls, store, mlist) -> 'PGPMailingList':
        """Make ``mlist`` a PGP list, once (applying a style twice is fine)."""
        existing = PGPMailingList.for_list(mlist)
        if existing is not None:
            return existing
        pgp_list = PGPMailingList(mlist.list_id)
        store.add(pgp_list)
        store.flush()
        return pgp_list

    @classmethod
    @dbconnection
    def all(cls, store) -> list['PGPMailingList']:
        return store.query(PGPMailingList).order_by(
            PGPMailingList.list_id).all()

    @classmethod
    @dbconnection
    def delete_for(cls, store, list_id: str) -> None:
        store.query(PGPMailingList).filter_by(list_id=list_id).delete()

    def settings(self) -> dict:
        """Every setting, as JSON-able values."""
        return {setting.name: setting.to_json(getattr(self, setting.name))
                for setting in LIST_SETTINGS}
