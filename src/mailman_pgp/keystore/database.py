"""The key store in Mailman's database, for several hosts on one database.

Same interface as the file store; list and subscriber keys are rows of
``pgp_key`` (written in the caller's transaction, so a key change commits
with the rest).  Archive keys and retired list keys stay files.  Reads are
cached per row and refreshed when the row changes.
"""

from __future__ import annotations

import logging

from contextlib import contextmanager

from mailman.config import config
from mailman.utilities.datetime import now
from public import public

from mailman_pgp.keystore.store import KeyStore
from mailman_pgp import pgp


log = logging.getLogger('mailman.plugins.pgp')


@public
class DatabaseKeyStore(KeyStore):
    """Keys as rows; directories only for archive and retired keys."""

    backend = 'database'

    def _row(self, kind: str, name: str):
        from mailman_pgp.model import PGPKey
        return config.db.store.query(PGPKey).filter_by(
            kind=kind, name=name).one_or_none()

    def _get(self, kind: str, name: str) -> pgp.Key | None:
        row = self._row(kind, name)
        cache_key = '{}:{}'.format(kind, name)
        if row is None:
            with self._cache_lock:
                self._cache.pop(cache_key, None)
            return None
        # A renewed key keeps its fingerprint: compare the armor too.
        signature = (row.fingerprint, row.updated_at, hash(row.armor))
        with self._cache_lock:
            cached = self._cache.get(cache_key)
        if cached is not None and cached[0] == signature:
            return cached[1]
        key = self.load_text(row.armor)
        with self._cache_lock:
            self._cache[cache_key] = (signature, key)
        return key

    def _put(self, kind: str, name: str, key: pgp.Key) -> None:
        from mailman_pgp.model import PGPKey
        row = self._row(kind, name)
        if row is None:
            row = PGPKey(kind=kind, name=name)
            config.db.store.add(row)
        row.fingerprint = key.fingerprint
        row.armor = self.private_text(key)
        row.updated_at = now()
        config.db.store.flush()

    def _remove(self, kind: str, name: str) -> bool:
        row = self._row(kind, name)
        if row is None:
            return False
        config.db.store.delete(row)
        config.db.store.flush()
        return True

    @contextmanager
    def generating(self, list_id: str):
        # The unique (kind, name) row decides between two makers.
        yield

    def list_key_path(self, list_id: str) -> str:
        raise NotImplementedError('list keys are in the database')

    def delete_list_key(self, list_id: str, shred_it: bool = True,
                        shred_command: str = '') -> bool:
        """Delete the row; shredding is up to the database's storage."""
        return self._remove('list', list_id)
