"""The mailman-pgp demo: a throwaway Mailman instance with a PGP list.

Creates a Mailman instance under a temporary directory (SQLite, the plugin
wired in), checks the wiring with `mailman pgp check`, creates a
`pgp-default` list and prints its key fingerprint.  With --keep the
instance directory is kept and printed.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time

from mailman_pgp.testing.instance import MailmanInstance


def say(who: str, text: str) -> None:
    print('{:>10}  {}'.format(who, text))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--keep', action='store_true',
                        help='keep the instance directory and say where')
    args = parser.parse_args()
    started = time.monotonic()
    root = tempfile.mkdtemp(prefix='mailman-pgp-demo-')
    try:
        instance = MailmanInstance(root)
        say('admin', 'mailman pgp check')
        for line in instance.mailman('pgp', 'check').stdout.splitlines():
            say('', line)
        say('admin', 'mailman create --style-name pgp-default '
                     'crypto@example.com')
        say('', instance.mailman('create', '--style-name', 'pgp-default',
                                 'crypto@example.com').stdout.strip())
        from mailman_pgp.pgp import Key
        key_file = os.path.join(instance.var_dir, 'data', 'pgp',
                                'list_keydir', 'crypto.example.com.asc')
        with open(key_file) as fp:
            key = Key.load(fp.read())
        say('list', 'key {} ({})'.format(key.fingerprint, key.algorithm))
        for name, email in key.uids:
            say('', 'uid {} <{}>'.format(name, email))
        say('list', 'key file {} mode {:o}'.format(
            key_file, os.stat(key_file).st_mode & 0o777))
        say('demo', 'done in {:.1f} s'.format(time.monotonic() - started))
        if args.keep:
            say('demo', 'instance kept in {}; run: {} -C {} ...'.format(
                root, instance.mailman_script, instance.cfg_path))
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
