"""The crypto facade's hot paths timed against gpg, in one run.

    PYTHONPATH=src .venv/bin/python benchmarks/pgp_hot_paths.py [--quick]

Each row prints the median time of the facade and of the gpg binary doing
the same job, and the ratio ours/gpg. gpg runs as Mailman would run it: one
process per operation, keys in a GNUPGHOME.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'src'))

from pgp_keyfactory import secret_keys  # noqa: E402

from mailman_pgp.pgp import (  # noqa: E402
    clear_key_cache,
    decrypt,
    encrypt,
    encrypt_each,
    generate_key,
    load_keys,
    parse_key_spec,
)

GPG = shutil.which('gpg') or '/usr/bin/gpg'


class Gpg:
    def __init__(self):
        self.home = tempfile.mkdtemp(prefix='mmpgp-bench-')
        os.chmod(self.home, 0o700)

    def cmd(self, *args):
        return [GPG, '--homedir', self.home, '--batch', '--yes', '--no-tty',
                '--quiet', '--pinentry-mode', 'loopback', '--passphrase', '',
                '--trust-model', 'always', *args]

    def run(self, *args, input=None):
        proc = subprocess.run(self.cmd(*args), input=input,
                              capture_output=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr.decode('utf-8', 'replace'))
        return proc.stdout

    def close(self):
        subprocess.run(['gpgconf', '--homedir', self.home, '--kill', 'all'],
                       capture_output=True, check=False)
        shutil.rmtree(self.home, ignore_errors=True)


def median_time(fn, iterations):
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def row(name, ours, theirs, iterations):
    a = median_time(ours, iterations)
    b = median_time(theirs, iterations)
    print(f'{name:<44} {a * 1000:>10.1f} ms {b * 1000:>10.1f} ms {a / b:>7.2f}x', flush=True)
    return a / b


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--quick', action='store_true',
                        help='fewer recipients and iterations (< 1 minute)')
    args = parser.parse_args(argv)
    n_bulk = 100 if args.quick else 1000
    n_each = 20 if args.quick else 100
    n_load = 100 if args.quick else 1000
    iters = 3 if args.quick else 5
    small, big = os.urandom(20 * 1024), os.urandom(1024 * 1024)

    lists = {
        'rsa': generate_key(parse_key_spec('RSA:3072', 'primary'),
                            parse_key_spec('RSA:3072', 'sub'),
                            [('Bench List', 'bench@lists.example.org')]),
        'cv25519': generate_key(parse_key_spec('EdDSA:Ed25519', 'primary'),
                                parse_key_spec('ECDH:Curve25519', 'sub'),
                                [('Bench List', 'cvb@lists.example.org')]),
    }
    members = {kind: secret_keys(kind, max(n_bulk, n_load))
               for kind in lists}
    gpg = Gpg()
    try:
        for kind, lst in lists.items():
            gpg.run('--import', input=lst.armor().encode())
            blob = ''.join(k.public_armor() for k in members[kind][:n_bulk])
            gpg.run('--import', input=blob.encode())
            # The first member also posts: gpg holds its secret key.
            gpg.run('--import', input=members[kind][0].armor().encode())
        print('{:<52} {:>13} {:>13} {:>8}'.format(
            'row', 'facade', 'gpg', 'ratio'))
        for kind, lst in lists.items():
            pubs = [k.public for k in members[kind][:n_bulk]]
            for label, data in (('20 KB', small), ('1 MB', big)):
                row(f'bulk sign+encrypt {label} to {n_bulk} ({kind})',
                    lambda d=data, p=pubs, lst=lst: encrypt(
                        d, [*p, lst.public], sign_with=lst,
                        throw_keyids=True),
                    lambda d=data, p=pubs, lst=lst: gpg.run(
                        '--armor', '--throw-keyids', '--encrypt', '--sign',
                        '--local-user', lst.fingerprint,
                        '--recipient', lst.fingerprint,
                        *[a for k in p for a in ('--recipient',
                                                 k.fingerprint)],
                        input=d),
                    max(1, iters // 2) if data is big else iters)
            # Informative, not targets: keys read from armor each time, as
            # a keystore re-reading its files would. Cold: first sight in
            # the process (PGPy parse + self-signature checks, ~1 ms per
            # key); warm: the derived data is shared by content hash.
            armored = ''.join(k.armor() for k in pubs).encode()
            def cold(a=armored, lst=lst, clear=True):
                if clear:
                    clear_key_cache()
                encrypt(small, [*load_keys(a, max_bytes=None), lst.public],
                        sign_with=lst, throw_keyids=True)

            cold(clear=False)  # warm the shared cache once
            row('  (re-read keys, warm) bulk 20 KB to {} ({})'.format(
                n_bulk, kind),
                lambda c=cold: c(clear=False),
                lambda p=pubs, lst=lst: gpg.run(
                    '--armor', '--throw-keyids', '--encrypt', '--sign',
                    '--local-user', lst.fingerprint,
                    '--recipient', lst.fingerprint,
                    *[a for k in p for a in ('--recipient', k.fingerprint)],
                    input=small),
                max(1, iters // 2))
            row('  (re-read keys, cold) bulk 20 KB to {} ({})'.format(n_bulk, kind),
                cold,
                lambda p=pubs, lst=lst: gpg.run(
                    '--armor', '--throw-keyids', '--encrypt', '--sign',
                    '--local-user', lst.fingerprint,
                    '--recipient', lst.fingerprint,
                    *[a for k in p for a in ('--recipient', k.fingerprint)],
                    input=small),
                max(1, iters // 2))
            each = pubs[:n_each]
            row(f'individual sign+encrypt 20 KB x {n_each} ({kind})',
                lambda e=each, lst=lst: encrypt_each(
                    small, [[k, lst.public] for k in e], sign_with=lst),
                lambda e=each, lst=lst: [gpg.run(
                    '--armor', '--encrypt', '--sign', '--local-user',
                    lst.fingerprint, '--recipient', k.fingerprint,
                    '--recipient', lst.fingerprint, input=small)
                    for k in e],
                max(1, iters // 2))
            sender = members[kind][0]
            sender_pub = sender.public
            for attempt in range(3):
                # Rarely gpg-agent fails right after many imports; retry.
                ct = gpg.run('--armor', '--encrypt', '--sign', '--local-user',
                             sender.fingerprint, '--recipient',
                             lst.fingerprint, input=small)
                try:
                    gpg.run('--decrypt', input=ct)
                    break
                except RuntimeError as error:
                    print('  (gpg hiccup, retrying: {})'.format(
                        str(error).strip().splitlines()[-1]), flush=True)
                    gpg.run('--import', input=lst.armor().encode())
                    gpg.run('--import', input=sender.armor().encode())

            def ours_dv(ct=ct, lst=lst, sender_pub=sender_pub):
                result = decrypt(ct, lst)
                assert all(v.good for v in result.verify(sender_pub))

            row(f'decrypt+verify gpg-made 20 KB ({kind})', ours_dv,
                lambda ct=ct: gpg.run('--decrypt', input=ct), iters * 3)
            blob = ''.join(k.public_armor()
                           for k in members[kind][:n_load]).encode()
            path = os.path.join(gpg.home, 'load.asc')
            with open(path, 'wb') as fp:
                fp.write(blob)
            row(f'load {n_load} public keys ({kind})',
                lambda b=blob: load_keys(b, max_bytes=None),
                lambda: gpg.run('--with-colons', '--show-keys', path),
                iters)
    finally:
        gpg.close()


if __name__ == '__main__':
    main()
