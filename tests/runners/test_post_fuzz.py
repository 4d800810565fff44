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
from mailman_pgp.testing import postfuzz, postseeds
from tests.runners.test_incoming import PGPListTestCase

VARIANTS = int(os.environ.get('POST_FUZZ_VARIANTS', '10000'))
# Encrypted to the list key (decrypted by examine()): slower, fewer.
ENCRYPTED = int(os.environ.get('POST_FUZZ_ENCRYPTED', '400'))
# Delivered copies also read by mutt (a real mail program), per seed.
RENDERED = int(os.environ.get('POST_FUZZ_MUTT', '10'))
SEED = int(os.environ.get('POST_FUZZ_SEED', '22'))


class TestPostFuzz(PGPListTestCase):
    def check(self, data: bytes) -> bytes | None:
        """What the incoming runner decides: None (refused or held), or
        the bytes the pipeline would deliver."""
        msg = email.message_from_bytes(data, Message)
        msgdata = {}
        seen = examine(self.mlist, msg, msgdata, self.list_key,
                       for_members=True)
        if signature_problem(msgdata['pgp']) is not None:
            return None
        return seen.as_bytes()

    def fuzz(self, count: int, wrap=None, rendered: int = 0) -> dict:
        from mailman_pgp.testing import mutt
        renderer = mutt.mutt_view if mutt.available() else None
        if rendered and renderer is None:
            print('post fuzz: mutt (or script) is not installed; Python\'s '
                  'and the lenient reader only')
        logger = logging.getLogger('mailman.plugins.pgp')
        level = logger.level
        logger.setLevel(logging.WARNING)
        try:
            seeds = postseeds.seeds(self.anne, 'ant@example.com')
            totals = dict(variants=0, refused=0, delivered=0, rendered=0,
                          violations=[])
            for index, (name, (raw, texts)) in enumerate(sorted(
                    seeds.items())):
                stats = postfuzz.run(self.check, raw, texts,
                                     count // len(seeds) + 1,
                                     SEED * 100 + index, wrap, renderer,
                                     rendered)
                for key in ('variants', 'refused', 'delivered', 'rendered'):
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
        totals = self.fuzz(VARIANTS, rendered=RENDERED)
        from mailman_pgp.testing import mutt
        if mutt.available() and RENDERED:
            self.assertTrue(totals['rendered'])

    def test_encrypted_variants_too(self):
        from mailman_pgp.pgp import encrypt
        self.fuzz(ENCRYPTED, lambda data: postfuzz.encrypted(
            data, lambda plain: encrypt(plain, [self.list_key])))

    def test_a_handful_end_to_end(self):
        # The same verdicts and copies through the live runners: in, then
        # the pipeline, up to the out queue.  One delivered variant per
        # seed (a second one would be a replay of its signature).
        import random
        from mailman.runners.pipeline import PipelineRunner
        from mailman.testing.helpers import (
            get_queue_messages, make_testable_runner)
        from mailman_pgp.pgp import encrypt

        def wrap(data):
            return postfuzz.encrypted(
                data, lambda plain: encrypt(plain, [self.list_key]))
        seeds = postseeds.seeds(self.anne, 'ant@example.com')
        rng = random.Random(SEED)
        for name, (raw, texts) in sorted(seeds.items()):
            allowed = postfuzz.allowed_lines(texts, self.check(wrap(raw)))
            wanted = dict(delivered=1, refused=2)
            for _ in range(60):
                variant = wrap(postfuzz.mutate(rng, raw))
                expected = self.check(variant)
                kind = 'refused' if expected is None else 'delivered'
                if not wanted[kind]:
                    continue
                wanted[kind] -= 1
                self.post(variant)
                make_testable_runner(PipelineRunner, 'pipeline').run()
                out = get_queue_messages('out')
                get_queue_messages('virgin')
                if expected is None:
                    self.assertEqual(out, [], name)
                else:
                    self.assertEqual(len(out), 1, name)
                    self.assertEqual(postfuzz.violations(
                        out[0].msg.as_bytes(), allowed), [])
                if not any(wanted.values()):
                    break
            self.assertFalse(any(wanted.values()), (name, wanted))
