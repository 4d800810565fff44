"""The hand-made part of the corpus: keys and signatures no tool makes.

Each case is (certificates, data, detached signature); its verdict is
whatever Sequoia says, never written here.
"""

import time

from .case import Corpus
from .hand_keys import (
    back_signatures, baseline, flags, self_sig_hashes, validity)
from .hand_sigs import (
    future, garbled, hashes, issuers, several, sig_types, subpackets,
    text_mode, v3)


def build(now: int | None = None) -> list:
    """Every hand-made case; future ones are relative to now."""
    now = int(now or time.time())
    c = Corpus(now)
    for part in (baseline, hashes, self_sig_hashes, sig_types,
                 back_signatures, flags, validity, subpackets, several,
                 text_mode, issuers, v3, garbled):
        part(c)
    future(c, now)
    ids = [case.id for case in c.cases]
    assert len(ids) == len(set(ids)), 'duplicate case ids'
    return c.cases

