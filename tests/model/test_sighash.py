"""Replay state: one indexed lookup, idempotent and concurrent-safe stores."""

import threading
import unittest

from mailman.config import config
from mailman.database.transaction import transaction
from mailman.testing.layers import ConfigLayer

from sqlalchemy.orm import Session

from mailman_pgp.model import PGPSigHash


class TestSigHash(unittest.TestCase):
    layer = ConfigLayer

    def test_remember_and_known(self):
        with transaction():
            PGPSigHash.remember(['aa', 'bb'], 'F' * 40)
        self.assertEqual(PGPSigHash.known(['aa', 'cc']), {'aa'})
        with transaction():
            PGPSigHash.remember(['aa', 'cc'], 'F' * 40)    # aa again: fine
        self.assertEqual(PGPSigHash.known(['aa', 'bb', 'cc']),
                         {'aa', 'bb', 'cc'})

    def test_concurrent_writers_lose_and_double_nothing(self):
        # Two sessions (two runners, possibly on two hosts) store
        # overlapping digests and commit; every digest ends up once.
        config.db.store.commit()
        barrier = threading.Barrier(2)
        errors = []

        def writer(digests):
            session = Session(config.db.engine)
            try:
                barrier.wait()
                PGPSigHash.remember_in(session, digests, 'E' * 40)
                session.commit()
            except Exception as error:      # noqa: BLE001 (report it)
                errors.append(error)
            finally:
                session.close()

        threads = [threading.Thread(target=writer, args=(d,))
                   for d in (['d1', 'd2', 'd3'], ['d3', 'd4', 'd1'])]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])
        rows = config.db.store.query(PGPSigHash).all()
        self.assertEqual(sorted(row.hash for row in rows),
                         ['d1', 'd2', 'd3', 'd4'])
