"""Load: posts through a PGP list with its members, next to a plain list.

Pushes N posts (default 1000) by members of a list with M members (default
100) through Mailman's own in, pipeline and out runners, in this process,
with the plugin wired in and an SMTP sink on loopback (benchmarks/smtp_sink.py:
data read in blocks, as an MTA in C reads it), first for a
pgp-default list (posts signed and encrypted to the list key by the
members; every copy encrypted to its member), then the same load on a plain
list.  Prints throughput and the process's peak RSS after each.

    python benchmarks/load.py [--posts N] [--members M] [--quick]
        [--profile]

``--profile`` runs the PGP list's load under cProfile and prints where the
time goes (own and cumulative time); docs/delivery.rst has the figures.
"""

import argparse
import email
import resource
import sys
import tempfile
import time

from email.mime.text import MIMEText


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup(root: str):
    from mailman_pgp.testing.instance import MailmanInstance
    from smtp_sink import Sink
    sink = Sink().start()
    instance = MailmanInstance(root, smtp_port=sink.port)
    from mailman.core.initialize import initialize
    initialize(instance.cfg_path)
    return sink


def make_list(fqdn: str, members, pgp: bool):
    from mailman.app.lifecycle import create_list
    from mailman.database.transaction import transaction
    from mailman.interfaces.domain import IDomainManager
    from mailman.interfaces.member import MemberRole
    from mailman.interfaces.usermanager import IUserManager
    from zope.component import getUtility
    from mailman_pgp.testing.members import set_confirmed_key
    with transaction():
        domain = fqdn.split('@')[1]
        if getUtility(IDomainManager).get(domain) is None:
            getUtility(IDomainManager).add(domain)
        mlist = create_list(fqdn, style_name='pgp-default' if pgp else None)
        mlist.send_welcome_message = False
        for address, key in members:
            user_address = getUtility(IUserManager).get_address(address)
            if user_address is None:
                user_address = getUtility(IUserManager).create_address(
                    address)
                from mailman.utilities.datetime import now
                user_address.verified_on = now()
            mlist.subscribe(user_address, MemberRole.member)
            if pgp:
                set_confirmed_key(address, key.public_armor())
    return mlist


def posts(mlist, members, count: int, pgp: bool):
    from mailman.email.message import Message
    from mailman_pgp.keystore import key_store
    from mailman_pgp.pgp import encrypt_mime
    list_key = key_store().list_key(mlist.list_id) if pgp else None
    body = ('Load test post. ' * 4 + '\n') * 320      # about 20 KB
    for number in range(count):
        address, key = members[number % len(members)]
        inner = MIMEText(body + str(number), 'plain', 'utf-8')
        msg = encrypt_mime(inner, [list_key.public], sign_with=key) \
            if pgp else inner
        msg['From'] = address
        msg['To'] = mlist.posting_address
        msg['Subject'] = 'Post {}'.format(number)
        msg['Message-ID'] = '<load-{}-{}@example.com>'.format(
            mlist.list_name, number)
        raw = msg.as_bytes()
        mailman_msg = email.message_from_bytes(raw, Message)
        mailman_msg.original_sender = address
        mailman_msg.original_size = len(raw)
        yield mailman_msg, len(raw)


def run(mlist, members, count: int, pgp: bool, sink) -> dict:
    from mailman.config import config
    from mailman.runners.outgoing import OutgoingRunner
    from mailman.runners.pipeline import PipelineRunner
    from mailman.testing.helpers import make_testable_runner
    from mailman_pgp.runners.incoming import PGPIncomingRunner
    prepared = list(posts(mlist, members, count, pgp))
    before = sink.received
    started = time.monotonic()
    for msg, size in prepared:
        config.switchboards['in'].enqueue(
            msg, listid=mlist.list_id, to_list=True, original_size=size)
    for runner, queue in ((PGPIncomingRunner, 'in'),
                          (PipelineRunner, 'pipeline'),
                          (OutgoingRunner, 'out')):
        make_testable_runner(runner, queue).run()
    elapsed = time.monotonic() - started
    copies = sink.received - before
    return dict(seconds=elapsed, posts_per_s=count / elapsed,
                copies=copies, rss=peak_rss_mib())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--posts', type=int, default=1000)
    parser.add_argument('--members', type=int, default=100)
    parser.add_argument('--quick', action='store_true',
                        help='50 posts, 20 members')
    parser.add_argument('--profile', action='store_true',
                        help='profile the PGP list\'s run (cProfile)')
    args = parser.parse_args()
    if args.quick:
        args.posts, args.members = 50, 20
    sink = setup(tempfile.mkdtemp(prefix='mailman-pgp-load-'))
    from mailman_pgp.pgp import KeySpec, generate_key
    members = [('member{}@example.org'.format(n),
                generate_key(KeySpec('EdDSA', 'Ed25519'),
                             KeySpec('ECDH', 'Curve25519'),
                             [('Member', 'member{}@example.org'.format(n))]))
               for n in range(args.members)]
    print('{} posts of ~20 KB, {} members each, in, pipeline and out '
          'runners in one process'.format(args.posts, args.members))
    print('{:<12} {:>9} {:>11} {:>8} {:>14}'.format(
        'list', 'seconds', 'posts/s', 'copies', 'peak RSS MiB'))
    results = {}
    for name, pgp in (('pgp', True), ('plain', False)):
        mlist = make_list('{}@example.com'.format(name), members, pgp)
        profiler = None
        if pgp and args.profile:
            import cProfile
            profiler = cProfile.Profile()
            profiler.enable()
        result = results[name] = run(mlist, members, args.posts, pgp, sink)
        if profiler is not None:
            import pstats
            profiler.disable()
            stats = pstats.Stats(profiler)
            stats.sort_stats('tottime').print_stats(30)
            stats.sort_stats('cumulative').print_stats(60)
        print('{:<12} {:>9.1f} {:>11.1f} {:>8} {:>14.1f}'.format(
            name, result['seconds'], result['posts_per_s'], result['copies'],
            result['rss']))
        expected = args.posts * args.members
        if result['copies'] != expected:
            print('  ({} copies expected)'.format(expected))
    print('pgp/plain time ratio: {:.1f}x'.format(
        results['pgp']['seconds'] / results['plain']['seconds']))
    sink.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
