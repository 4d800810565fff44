"""The post fuzzer, longer: more variants, more copies read by mutt.

    .venv/bin/python benchmarks/post_fuzz.py [--variants 100000]
        [--encrypted 5000] [--mutt 500] [--seed 22]

Runs tests/runners/test_post_fuzz.py (Mailman's test layer, examine() and
the pgp-signature rule's verdict on every variant) with those numbers and
prints the counts and the time per variant.  0 violations, or it fails.
"""

import argparse
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--variants', type=int, default=100000)
    parser.add_argument('--encrypted', type=int, default=5000)
    parser.add_argument('--mutt', type=int, default=500,
                        help='delivered copies per seed also read by mutt')
    parser.add_argument('--seed', type=int, default=22)
    parser.add_argument('--quick', action='store_true',
                        help='10,000 variants, 400 encrypted, 10 by mutt')
    args = parser.parse_args()
    if args.quick:
        args.variants, args.encrypted, args.mutt = 10000, 400, 10
    env = dict(os.environ, POST_FUZZ_VARIANTS=str(args.variants),
               POST_FUZZ_ENCRYPTED=str(args.encrypted),
               POST_FUZZ_MUTT=str(args.mutt), POST_FUZZ_SEED=str(args.seed))
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, '-m', 'pytest', '-q', '-s', '-p', 'no:cacheprovider',
         'tests/runners/test_post_fuzz.py', '-k', 'not handful'],
        cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    total = 0
    for line in proc.stdout.splitlines():
        if line.lstrip('.').startswith('post fuzz'):
            print(line.lstrip('.'))
            match = re.search(r"'variants': (\d+)", line)
            total += int(match.group(1)) if match else 0
    if total:
        print('{} variants in {:.0f} s ({:.1f} ms per variant, with the '
              'test layer\'s set-up)'.format(total, elapsed,
                                             1000 * elapsed / total))
    if proc.returncode:
        print(proc.stdout[-4000:], proc.stderr[-2000:])
    return proc.returncode


if __name__ == '__main__':
    sys.exit(main())
