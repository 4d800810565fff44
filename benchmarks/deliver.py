"""The PGP delivery agents end to end, timed against gpg in the same run.

    .venv/bin/python benchmarks/deliver.py [--quick] [--members N]
        [--no-gpg] [--profile individual|bulk] [--kinds rsa,cv25519]
        [--scale]

A 20 KB post to a PGP list of N members (1000; 100 with --quick), with
RSA-3072 and with Cv25519 keys (list and members alike), delivered by
``mailman_pgp.mta.deliver.deliver`` in individual and in bulk mode,
signed by the list, to an SMTP sink (benchmarks/smtp_sink.py, a process
of its own); then the same sign+encrypt work done by gpg: one gpg call per recipient (individual) or per chunk of
``[mta] max_recipients`` (bulk).  Prints medians, ratios ours/gpg and
ours/Mailman (Mailman's own delivery of the same post, the anchor), and the
peak RSS of the delivering process, next to that of Mailman's own delivery
of the same post to the same members (a plain list, plugin not loaded).

This process makes the keys and runs gpg; setup processes build the
instances; each delivering process (one per key kind, and one for the plain
list) gets the recipients as the outgoing runner does, in the message
metadata, so that its peak RSS is that of a runner delivering to 1000
members.  Member keys are made once and cached (pgp_keyfactory).

``--profile MODE`` runs the timed deliveries of that mode under cProfile
and prints where the time goes (own time and cumulative), per post; the
numbers are in docs/delivery.rst.

``--scale`` (10,000 members unless ``--members``) measures growth in one
run: each list delivers to its first tenth of the members and to all of
them, alternately, and it prints the time (wall and CPU) and peak RSS at
both sizes, next to Mailman's own delivery.
"""

import argparse
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# --compare runs the delivering processes on another checkout's src too.
SRC = os.environ.get('MMPGP_BENCH_SRC') or os.path.join(
    os.path.dirname(HERE), 'src')
sys.path.insert(0, HERE)
sys.path.insert(0, SRC)

from smtp_sink import Sink  # noqa: E402  (benchmarks/ on the path first)

GPG = shutil.which('gpg') or '/usr/bin/gpg'
KINDS = {'rsa': ('RSA:3072', 'RSA:3072'),
         'cv25519': ('EdDSA:Ed25519', 'ECDH:Curve25519')}
# --kinds, for this process and the setup and delivering ones.
if os.environ.get('MMPGP_BENCH_KINDS'):
    KINDS = {kind: spec for kind, spec in KINDS.items()
             if kind in os.environ['MMPGP_BENCH_KINDS'].split(',')}
MAX_RECIPIENTS = 10         # Mailman's default [mta] max_recipients
BODY = ''.join('Line {:05d} of the benchmark post, plain text.\n'.format(i)
               for i in range(440))[:20 * 1024]


# -- Mailman side (setup and delivering processes) ---------------------------

def write_config(work, port, plugin=True):
    """mailman.cfg of the PGP instance, or of the plain one (no plugin)."""
    from importlib.resources import files
    wiring = (files('mailman_pgp.config').joinpath('mailman.cfg').read_text()
              if plugin else '')
    name = 'mailman.cfg' if plugin else 'plain.cfg'
    path = os.path.join(work, name)
    with open(path, 'w') as fp:
        fp.write('[mailman]\nsite_owner: owner@example.org\nlayout: bench\n'
                 '[paths.bench]\nvar_dir: {}\n'
                 '[mta]\nincoming: mailman.mta.null.NullMTA\n'
                 'smtp_host: 127.0.0.1\nsmtp_port: {}\nmax_recipients: {}\n'
                 '{}\n'.format(os.path.join(work, 'var' if plugin else
                                            'var-plain'),
                               port, MAX_RECIPIENTS, wiring))
    return path


def recipients_file(work, kind):
    return os.path.join(work, f'recipients-{kind}.json')


def setup_instance(cfg, work, n):
    """Create one list per key kind with n members and their keys."""
    from mailman.app.lifecycle import create_list
    from mailman.config import config
    from mailman.core.initialize import initialize
    from mailman.interfaces.domain import IDomainManager
    from mailman.interfaces.member import MemberRole
    from mailman.interfaces.usermanager import IUserManager
    from zope.component import getUtility
    initialize(cfg)
    from mailman_pgp.keystore import key_store
    from mailman_pgp.model import PGPAddress, PGPMailingList
    from mailman_pgp.pgp import Key, load_keys
    getUtility(IDomainManager).add('example.org')
    users = getUtility(IUserManager)
    store = key_store()
    for kind in KINDS:
        mlist = create_list(f'{kind}@example.org', style_name='pgp-default')
        mlist.send_welcome_message = False
        mlist.admin_notify_mchanges = False
        with open(os.path.join(work, f'list-{kind}.asc')) as fp:
            store.set_list_key(mlist.list_id, Key.load(fp.read()))
        PGPMailingList.for_list(mlist).sign_outgoing = True
        with open(os.path.join(work, f'members-{kind}.asc')) as fp:
            keys = load_keys(fp.read(), max_bytes=None)[:n]
        for key in keys:
            email = key.emails[0]
            address = users.create_address(email)
            mlist.subscribe(address, MemberRole.member)
            store.set_address_key(email, key)
            row = PGPAddress.get_or_create(email)
            row.key_fingerprint = key.fingerprint
            row.key_confirmed = True
        with open(recipients_file(work, kind), 'w') as fp:
            json.dump([k.emails[0] for k in keys], fp)
        config.db.commit()


def setup_plain(cfg, work):
    """A plain list with the members of the first PGP list."""
    from mailman.app.lifecycle import create_list
    from mailman.config import config
    from mailman.core.initialize import initialize
    from mailman.interfaces.domain import IDomainManager
    from mailman.interfaces.member import MemberRole
    from mailman.interfaces.usermanager import IUserManager
    from zope.component import getUtility
    initialize(cfg)
    getUtility(IDomainManager).add('example.org')
    mlist = create_list('plain@example.org')
    mlist.send_welcome_message = False
    mlist.admin_notify_mchanges = False
    users = getUtility(IUserManager)
    with open(recipients_file(work, next(iter(KINDS)))) as fp:
        for email in json.load(fp):
            mlist.subscribe(users.create_address(email), MemberRole.member)
    config.db.commit()


def deliver_runs(cfg, port, iterations, work, kind):
    """Time deliver() to one list (kind, or 'plain' for Mailman's own
    delivery) in each mode; return the results as a dict."""
    sink = Sink(port).start()
    from mailman.config import config
    from mailman.core.initialize import initialize
    from mailman.email.message import Message
    from mailman.interfaces.listmanager import IListManager
    from zope.component import getUtility
    initialize(cfg)
    if kind == 'plain':
        from mailman.mta.deliver import deliver
        modes = ('mailman',)
    else:
        from mailman_pgp.model import PGPMailingList
        from mailman_pgp.mta.deliver import deliver
        modes = ('individual', 'bulk')
    results = dict(baseline_rss_mib=rss_mib('VmRSS'))
    mlist = getUtility(IListManager).get(f'{kind}@example.org')
    # As the outgoing runner gets them: in the message metadata.
    with open(recipients_file(work, next(iter(KINDS)) if kind == 'plain'
                              else kind)) as fp:
        recipients = json.load(fp)
    # --scale: the first MMPGP_BENCH_LIMIT members only (the same ones for
    # every list: the plain list's members are the first kind's).
    limit = int(os.environ.get('MMPGP_BENCH_LIMIT') or 0)
    recipients = set(recipients[:limit] if limit else recipients)
    for mode in modes:
        if kind != 'plain':
            PGPMailingList.for_list(mlist).delivery_mode = mode
            config.db.commit()
        times, cpus = [], []
        for i in range(iterations + 1):       # the first one warms up
            msg = Message()
            msg['From'] = 'poster@example.org'
            msg['To'] = mlist.posting_address
            msg['Subject'] = '[{}] benchmark'.format(kind)
            msg['Message-ID'] = '<bench-{}-{}-{}@example.org>'.format(
                kind, mode, i)
            msg.set_payload(BODY, 'us-ascii')
            before = sink.messages
            profile = os.environ.get('MMPGP_PROFILE', '')
            profiler = None
            if i and profile.startswith(mode + ':'):
                import cProfile
                profiler = cProfile.Profile()
                profiler.enable()
            start, cpu = time.perf_counter(), time.process_time()
            deliver(mlist, msg, dict(recipients=set(recipients),
                                     to_list=True, listid=mlist.list_id))
            times.append(time.perf_counter() - start)
            cpus.append(time.process_time() - cpu)
            if profiler is not None:
                profiler.disable()
                profiler.dump_stats('{}.{}-{}'.format(
                    profile.split(':', 1)[1], kind, i))
            sent = sink.messages - before
        # CPU time of the process (the sink thread included): what a busy
        # machine's other jobs disturb least.
        results[mode] = dict(cold=times[0],
                             median=statistics.median(times[1:]),
                             cpu=statistics.median(cpus[1:]),
                             messages=sent)
    results['peak_rss_mib'] = rss_mib('VmHWM')
    results['pgpy_loaded'] = 'pgpy' in sys.modules
    results['cryptography_loaded'] = 'cryptography' in sys.modules
    return results


def rss_mib(field):
    """VmRSS (now) or VmHWM (peak) of this process, in MiB."""
    with open('/proc/self/status') as fp:
        for line in fp:
            if line.startswith(field + ':'):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- gpg side (this process) --------------------------------------------------

class Gpg:
    def __init__(self, list_key, members):
        self.home = tempfile.mkdtemp(prefix='mmpgp-bench-gpg-')
        os.chmod(self.home, 0o700)
        self.list_fpr = list_key.fingerprint
        self.run('--import', input=list_key.armor().encode())
        self.run('--import', input=''.join(
            k.public_armor() for k in members).encode())
        self.members = [k.fingerprint for k in members]

    def run(self, *args, input=None):
        proc = subprocess.run(
            [GPG, '--homedir', self.home, '--batch', '--yes', '--no-tty',
             '--quiet', '--pinentry-mode', 'loopback', '--passphrase', '',
             '--trust-model', 'always', *args],
            input=input, capture_output=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr.decode('utf-8', 'replace'))
        return proc.stdout

    def sign_encrypt(self, recipients, data, hidden):
        args = ['--armor', '--sign', '--encrypt', '--local-user',
                self.list_fpr]
        if hidden:
            args.append('--throw-keyids')
        for fpr in recipients:
            args += ['--recipient', fpr]
        return self.run(*args, input=data)

    def individual(self, data):
        for fpr in self.members:
            self.sign_encrypt([fpr], data, False)

    def bulk(self, data):
        for start in range(0, len(self.members), MAX_RECIPIENTS):
            self.sign_encrypt(self.members[start:start + MAX_RECIPIENTS],
                              data, True)

    def close(self):
        subprocess.run(['gpgconf', '--homedir', self.home, '--kill', 'all'],
                       capture_output=True, check=False)
        shutil.rmtree(self.home, ignore_errors=True)


def list_key(kind):
    """The list key of this kind, made once and cached."""
    from pgp_keyfactory import CACHE
    from mailman_pgp.pgp import Key, generate_key, parse_key_spec
    os.makedirs(CACHE, exist_ok=True)
    path = os.path.join(CACHE, f'list-{kind}.asc')
    if os.path.exists(path):
        with open(path) as fp:
            return Key.load(fp.read())
    primary, sub = KINDS[kind]
    key = generate_key(parse_key_spec(primary, 'primary'),
                       parse_key_spec(sub, 'sub'),
                       [('Bench list', f'{kind}@example.org')])
    with open(path, 'w') as fp:
        fp.write(key.armor())
    return key


def child(*args, src=None):
    env = dict(os.environ, PYTHONWARNINGS='ignore')
    if src:
        env['MMPGP_BENCH_SRC'] = src
    out = subprocess.run([sys.executable, __file__, *args], check=True,
                         capture_output=True, text=True, env=env)
    return out.stdout


def prepare(n):
    """A work directory with both instances set up for n members."""
    from pgp_keyfactory import secret_keys
    work = tempfile.mkdtemp(prefix='mmpgp-bench-deliver-')
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    cfg = write_config(work, port)
    plain_cfg = write_config(work, port, plugin=False)
    keys = {}
    for kind in KINDS:
        keys[kind] = (list_key(kind), secret_keys(kind, max(n, 100))[:n])
        with open(os.path.join(work, f'list-{kind}.asc'), 'w') as fp:
            fp.write(keys[kind][0].armor())
        with open(os.path.join(work, f'members-{kind}.asc'), 'w') as fp:
            fp.write(''.join(k.public_armor() for k in keys[kind][1]))
    child('--setup', cfg, work, str(n))
    child('--setup-plain', plain_cfg, work)
    return work, port, cfg, plain_cfg, keys


def profile_main(args):
    """Where the time of one delivery goes (cProfile), per kind."""
    import pstats
    n = args.members or (100 if args.quick else 1000)
    iterations = args.iterations or 2
    work, port, cfg, _, _ = prepare(n)
    stats_base = os.path.join(work, 'profile')
    for kind in args.kinds.split(','):
        os.environ['MMPGP_PROFILE'] = args.profile + ':' + stats_base
        result = json.loads(child('--deliver', cfg, str(port),
                                  str(iterations), work, kind))
        del os.environ['MMPGP_PROFILE']
        files = [os.path.join(work, f) for f in sorted(os.listdir(work))
                 if f.startswith(f'profile.{kind}-')]
        print(f'# {args.profile} delivery, {kind}, {n} members: median '
              f'{result[args.profile]["median"]:.3f} s, profiled over '
              f'{len(files)} run(s)')
        stats = pstats.Stats(*files)
        stats.sort_stats('tottime').print_stats(25)
        stats.sort_stats('cumulative').print_stats(40)
    shutil.rmtree(work, ignore_errors=True)


def scale_main(args):
    """Growth from a tenth of the members to all of them, in one run: each
    list delivers to its first n/10 members and to all n, alternately
    (twice each), so that both sizes see the same machine."""
    n = args.members or 10000
    iterations = args.iterations or 2
    t0 = time.perf_counter()
    work, port, cfg, plain_cfg, _ = prepare(n)
    print(f'# growth from {n // 10} to {n} members, 20 KB post, '
          f'{iterations} timed runs per process (medians of two processes '
          f'per size); setup {time.perf_counter() - t0:.0f} s', flush=True)
    runs = {}
    for _ in range(2):
        for size in (n // 10, n):
            os.environ['MMPGP_BENCH_LIMIT'] = str(size)
            for kind in [*KINDS, 'plain']:
                result = json.loads(child(
                    '--deliver', plain_cfg if kind == 'plain' else cfg,
                    str(port), str(iterations), work, kind))
                runs.setdefault((kind, size), []).append(result)
    del os.environ['MMPGP_BENCH_LIMIT']

    def median(kind, size, mode, field='median'):
        return statistics.median(r[mode][field] for r in runs[kind, size])

    def peak(kind, size):
        return max(r['peak_rss_mib'] for r in runs[kind, size])

    rows = [(f'{mode} ({kind})', kind, mode) for kind in KINDS
            for mode in ('individual', 'bulk')]
    rows.append(('Mailman, plain list', 'plain', 'mailman'))
    print('{:<24} {:>9} {:>9} {:>7} {:>9} {:>9} {:>7}'.format(
        'row', f'{n // 10}', f'{n}', 'growth', 'CPU', 'CPU', 'growth'))
    for label, kind, mode in rows:
        small, big = median(kind, n // 10, mode), median(kind, n, mode)
        cpu_s, cpu_b = (median(kind, n // 10, mode, 'cpu'),
                        median(kind, n, mode, 'cpu'))
        print('{:<24} {:>7.2f} s {:>7.2f} s {:>6.1f}x {:>7.2f} s {:>7.2f} s '
              '{:>6.1f}x'.format(label, small, big, big / small, cpu_s,
                                 cpu_b, cpu_b / cpu_s), flush=True)
    for size in (n // 10, n):
        print('peak RSS, {} members: {}; Mailman {:.1f} MiB'.format(
            size, ', '.join('{} {:.1f} MiB ({:+.1f})'.format(
                kind, peak(kind, size), peak(kind, size) - peak('plain', size))
                for kind in KINDS), peak('plain', size)))
    shutil.rmtree(work, ignore_errors=True)


def compare(src, ours, plain, run):
    """The same deliveries with the plugin in src: wall and CPU time,
    each as a ratio to Mailman's own delivery."""
    cfg, port, iterations, work = run
    wall, cpu = plain['mailman']['median'], plain['mailman']['cpu']
    print('{:<22} {:>22} {:>22}'.format('', '--compare', 'this tree'))
    print('{:<22} {:>11} {:>10} {:>11} {:>10}'.format(
        'row (ratio /Mailman)', 'wall', 'CPU', 'wall', 'CPU'))
    for kind in KINDS:
        other = json.loads(child('--deliver', cfg, str(port),
                                 str(iterations), work, kind, src=src))
        for mode in ('individual', 'bulk'):
            a, b = other[mode], ours[kind][mode]
            print('{:<22} {:>5.2f}s {:>4.1f}x {:>5.2f}s {:>3.1f}x {:>5.2f}s '
                  '{:>4.1f}x {:>5.2f}s {:>3.1f}x'.format(
                      f'{mode} ({kind})', a['median'], a['median'] / wall,
                      a['cpu'], a['cpu'] / cpu, b['median'],
                      b['median'] / wall, b['cpu'], b['cpu'] / cpu),
                  flush=True)
    print('{:<22} {:>5.2f}s {:>11.2f}s'.format('Mailman, plain list', wall,
                                               cpu))


def main(argv=None):
    global KINDS
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--quick', action='store_true',
                        help='100 members (well under a minute)')
    parser.add_argument('--members', type=int)
    parser.add_argument('--iterations', type=int)
    parser.add_argument('--profile', choices=('individual', 'bulk'))
    parser.add_argument('--compare', metavar='SRC',
                        help='also deliver with the plugin in SRC (another '
                        'checkout\'s src directory), same instance and run')
    parser.add_argument('--no-gpg', action='store_true',
                        help='skip the gpg rows (ratios to Mailman only)')
    parser.add_argument('--kinds', default=','.join(KINDS))
    parser.add_argument('--scale', action='store_true',
                        help='growth from members/10 to members (10000 '
                        'unless --members), in one run')
    parser.add_argument('--setup', nargs=3, help=argparse.SUPPRESS)
    parser.add_argument('--setup-plain', nargs=2, help=argparse.SUPPRESS)
    parser.add_argument('--deliver', nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.kinds != ','.join(KINDS):
        os.environ['MMPGP_BENCH_KINDS'] = args.kinds
        KINDS = {kind: spec for kind, spec in KINDS.items()
                 if kind in args.kinds.split(',')}
    if args.setup:
        cfg, work, n = args.setup
        return setup_instance(cfg, work, int(n))
    if args.setup_plain:
        return setup_plain(*args.setup_plain)
    if args.deliver:
        cfg, port, iterations, work, kind = args.deliver
        print(json.dumps(deliver_runs(cfg, int(port), int(iterations), work,
                                      kind)))
        return
    if args.profile:
        return profile_main(args)
    if args.scale:
        return scale_main(args)
    # Here, not at the top: the delivering processes import only Mailman.
    from pgp_hot_paths import median_time       # one timing rule
    n = args.members or (100 if args.quick else 1000)
    iterations = args.iterations or 3
    t0 = time.perf_counter()
    work, port, cfg, plain_cfg, keys = prepare(n)
    print(f'# {n} members, 20 KB post, max_recipients {MAX_RECIPIENTS}, '
          f'{iterations} timed runs (medians); setup '
          f'{time.perf_counter() - t0:.0f} s', flush=True)
    ours = {kind: json.loads(child('--deliver', cfg, str(port),
                                   str(iterations), work, kind))
            for kind in KINDS}
    plain = json.loads(child('--deliver', plain_cfg, str(port),
                             str(iterations), work, 'plain'))
    if args.compare:
        compare(args.compare, ours, plain, (cfg, port, iterations, work))
    mailman = plain['mailman']['median']
    print('{:<24} {:>10} {:>10} {:>10} {:>8} {:>9} {:>7}'.format(
        'row', 'ours', 'ours cold', 'gpg', '/gpg', '/Mailman', 'copies'))
    ratios, versus = {}, {}
    data = BODY.encode()
    for kind, (lkey, members) in keys.items():
        gpg = None if args.no_gpg else Gpg(lkey, members)
        try:
            for mode in ('individual', 'bulk'):
                theirs = None if gpg is None else median_time(
                    lambda: getattr(gpg, mode)(data), iterations)
                row = ours[kind][mode]
                if theirs is not None:
                    ratios[f'{kind}/{mode}'] = row['median'] / theirs
                versus[f'{kind}/{mode}'] = row['median'] / mailman
                print('{:<24} {:>8.2f} s {:>8.2f} s {:>10} {:>8} {:>8.2f}x '
                      '{:>7}'.format(
                          f'{mode} ({kind})', row['median'], row['cold'],
                          '-' if theirs is None else f'{theirs:.2f} s',
                          '-' if theirs is None else
                          f'{row["median"] / theirs:.2f}x',
                          row['median'] / mailman, row['messages']),
                      flush=True)
        finally:
            if gpg is not None:
                gpg.close()
    row = plain['mailman']
    print('{:<24} {:>8.2f} s {:>8.2f} s {:>10} {:>8} {:>9} {:>7}'.format(
        'Mailman, plain list', row['median'], row['cold'], '', '', '',
        row['messages']))
    for kind in KINDS:
        print('peak RSS delivering to {} members ({}): {:.1f} MiB ({:.1f} '
              'MiB once initialized; PGPy {}imported, cryptography {}'
              'imported)'.format(
                  n, kind, ours[kind]['peak_rss_mib'],
                  ours[kind]['baseline_rss_mib'],
                  '' if ours[kind]['pgpy_loaded'] else 'not ',
                  '' if ours[kind]['cryptography_loaded'] else 'not '))
    print('peak RSS of Mailman delivering the same post to the same members '
          '(plain list, no plugin): {:.1f} MiB ({:.1f} MiB once '
          'initialized)'.format(plain['peak_rss_mib'],
                                plain['baseline_rss_mib']))
    peak = max(ours[kind]['peak_rss_mib'] for kind in KINDS)
    targets = {'individual': 0.3, 'bulk': 1.0}
    if ratios:
        speed = all(r <= targets[k.split('/')[1]]
                    for k, r in ratios.items())
        print('speed targets against gpg (individual <= 0.3x, bulk <= '
              '1.0x):', 'met' if speed else 'NOT met')
    anchors = {'individual': 3.0, 'bulk': 1.3}
    speed = all(r <= anchors[k.split('/')[1]] for k, r in versus.items())
    print('speed targets against Mailman\'s own delivery (individual <= '
          '3x, bulk <= 1.3x):', 'met' if speed else 'NOT met')
    print('memory target (peak RSS < 100 MiB): {} ({:.1f} MiB, {:+.1f} MiB '
          'over Mailman\'s own delivery)'.format(
              'met' if peak < 100 else 'NOT met', peak,
              peak - plain['peak_rss_mib']))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
