"""Digests of accepted signatures, so that a replayed post is recognised."""

from mailman.database.model import Model
from mailman.database.transaction import dbconnection
from mailman.utilities.datetime import now
from public import public
from sqlalchemy import Column, DateTime, String


@public
class PGPSigHash(Model):
    """One accepted signature: its digest (hex), who made it, and when."""

    __tablename__ = 'pgp_sighash'

    hash = Column(String(128), primary_key=True)
    fingerprint = Column(String(64), index=True, nullable=False)
    created_at = Column(DateTime, nullable=False)

    def __init__(self, digest: str, fingerprint: str):
        super().__init__()
        self.hash = digest
        self.fingerprint = fingerprint
        self.created_at = now()

    @classmethod
    @dbconnection
    def known(cls, store, digests) -> set[str]:
        """Which of ``digests`` were seen before: one indexed query."""
        digests = list(digests)
        if not digests:
            return set()
        rows = store.query(PGPSigHash.hash).filter(
            PGPSigHash.hash.in_(digests))
        return {row.hash for row in rows}

    @classmethod
    @dbconnection
    def remember(cls, store, digests, fingerprint: str) -> None:
        """Store ``digests`` for ``fingerprint``; ones already known stay."""
        cls.remember_in(store, digests, fingerprint)

    @staticmethod
    def remember_in(store, digests, fingerprint: str) -> None:
        """``remember`` in the session ``store``.

        Runners on several hosts may accept the same signature at once:
        the insert skips rows another one just wrote instead of failing.
        """
        rows = [dict(hash=digest, fingerprint=fingerprint,
                     created_at=now()) for digest in sorted(set(digests))]
        if not rows:
            return
        dialect = store.get_bind().dialect.name
        if dialect == 'postgresql':
            from sqlalchemy.dialects.postgresql import insert
        elif dialect == 'sqlite':
            from sqlalchemy.dialects.sqlite import insert
        else:                   # MySQL and others: check, then insert
            for row in rows:
                if store.get(PGPSigHash, row['hash']) is None:
                    store.add(PGPSigHash(row['hash'], fingerprint))
            return
        store.execute(insert(PGPSigHash).values(rows).on_conflict_do_nothing(
            index_elements=['hash']))
