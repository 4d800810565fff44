"""The post fuzzer (mailman_pgp.testing.postfuzz) against examine().

At least 10,000 variants of genuinely signed posts per run, fixed seed
(POST_FUZZ_VARIANTS and POST_FUZZ_SEED change them; benchmarks/post_fuzz.py
runs more); each variant is refused, or what members would receive is
the author's signed text and nothing else.  0 violations.
"""

import email
import logging
import os

from mailman.email.message import Message

from mailman_pgp.rules.signature import signature_problem
from mailman_pgp.runners.examine import examine
from mailman_pgp.testing import postfuzz
from tests.runners.test_incoming import PGPListTestCase

VARIANTS = int(os.environ.get('POST_FUZZ_VARIANTS', '10000'))
# Encrypted to the list key (decrypted by examine()): slower, fewer.
ENCRYPTED = int(os.environ.get('POST_FUZZ_ENCRYPTED', '400'))
SEED = int(os.environ.get('POST_FUZZ_SEED', '22'))


class TestPostFuzz(PGPListTestCase):
    def check(self, data: bytes) -> bytes | None:
        """What the incoming runner decides: None (refused or held), or
        the bytes the pipeline would deliver."""
        msg = email.message_from_bytes(data, Message)
        msgdata = {}
        seen = examine(self.mlist, msg, msgdata, self.list_key)
        if signature_problem(msgdata['pgp']) is not None:
            return None
        return seen.as_bytes()

    def fuzz(self, count: int, wrap=None) -> dict:
        logger = logging.getLogger('mailman.plugins.pgp')
        level = logger.level
        logger.setLevel(logging.WARNING)
        try:
            seeds = postfuzz.seeds(self.anne, 'ant@example.com')
            totals = dict(variants=0, refused=0, delivered=0, violations=[])
            for index, (name, (raw, texts)) in enumerate(sorted(
                    seeds.items())):
                stats = postfuzz.run(self.check, raw, texts,
                                     count // len(seeds) + 1,
                                     SEED * 100 + index, wrap)
                for key in ('variants', 'refused', 'delivered'):
                    totals[key] += stats[key]
                totals['violations'].extend(
                    (name, v) for v in stats['violations'])
        finally:
            logger.setLevel(level)
        print('post fuzz:', {k: v for k, v in totals.items()
                             if k != 'violations'})
        self.assertGreaterEqual(totals['variants'], count)
        self.assertTrue(totals['delivered'] and totals['refused'], totals)
        self.assertEqual(totals['violations'], [])
        return totals

    def test_no_variant_shows_members_what_was_not_signed(self):
        self.fuzz(VARIANTS)

    def test_encrypted_variants_too(self):
        from mailman_pgp.pgp import encrypt
        self.fuzz(ENCRYPTED, lambda data: postfuzz.encrypted(
            data, lambda plain: encrypt(plain, [self.list_key])))
