"""Print every case's verdicts: cd tests/pgp && python -m differential [-a]

Without -a only the cases where the facade and Sequoia disagree; '*' after
the fast path's count means _fastkey decided (else it fell back to PGPy).
"""

import shutil
import sys
from concurrent.futures import ThreadPoolExecutor

from .hand_cases import build
from .tool_cases import build as build_tools
from .verdicts import facade, facade_key, reference


def main(everything: bool) -> int:
    cases = build() + build_tools(shutil.which)
    with ThreadPoolExecutor(4) as pool:
        refs = list(pool.map(reference, cases))
    differ = 0
    for case, ref in zip(cases, refs):
        fast, pgpy = facade(case, 'fast'), facade(case, 'pgpy')
        bad = not fast.good == pgpy.good == ref.good
        keys = ''
        if ref.now_ok is not None:
            kf, kp = facade_key(case, 'fast'), facade_key(case, 'pgpy')
            keys = ' key-now: sequoia={} fast={}{} pgpy={}'.format(
                int(ref.now_ok), kf.good, '*' if kf.fast_path else '',
                kp.good)
            bad = bad or not kf.good == kp.good == ref.now_ok
        differ += bad
        if bad or everything:
            print('{} {:48} sequoia={} fast={}{} pgpy={}{} | {} | {} | {}'
                  .format('DIFF' if bad else '    ', case.id, ref.good,
                          fast.good, '*' if fast.fast_path else '',
                          pgpy.good, keys, ref.detail[:80],
                          fast.detail[:60], pgpy.detail[:60]))
    print(f'{len(cases)} cases, {differ} disagree')
    return 1 if differ else 0


if __name__ == '__main__':
    sys.exit(main('-a' in sys.argv))
