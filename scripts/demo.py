"""The mailman-pgp demo: a real Mailman with a PGP list and three GnuPG users.

A throwaway Mailman instance (SQLite, every runner, LMTP in, an SMTP sink
out) gets a pgp-default list over REST.  Three subscribers, each with its
own GnuPG home (one RSA, two Curve25519), subscribe by email: join,
confirm, key set, key confirm.  One posts a signed and encrypted message;
the other two decrypt it and check the list's signature.  Then an unsigned
post and a replay are refused, with the reasons the sender is given.
"""

import argparse
import shutil
import signal
import sys
import tempfile
import time

from mailman_pgp.testing.exchange import (
    Exchange, new_subscriber, run_story)


def say(who: str, text: str) -> None:
    print('{:>20}  {}'.format(who, text), flush=True)


def story(exchange) -> None:
    people = [new_subscriber('anne@example.org', 'rsa'),
              new_subscriber('bart@example.org', 'cv25519'),
              new_subscriber('cris@example.org', 'cv25519')]
    try:
        outcome = run_story(exchange, people)
    finally:
        for person in people:
            person.close()
    for email, seen in outcome['readers'].items():
        if not seen['readable'] or seen['signer'] != outcome['fingerprint']:
            raise SystemExit('{} could not read or verify the post'.format(
                email))


class Stopped(BaseException):
    """SIGTERM or SIGHUP (a service manager, a closed terminal)."""


def stop_on_signals() -> None:
    """Make SIGTERM and SIGHUP end the demo as Ctrl-C does: through the
    ``finally`` that stops Mailman.  Once stopping, further ones wait."""
    def stop(signum, frame):
        ignore_signals()
        raise Stopped(signal.Signals(signum).name)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, stop)


def ignore_signals() -> None:
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, signal.SIG_IGN)


def keep_running(exchange) -> None:
    """Say how to reach the instance, then wait for a signal."""
    say('demo', 'Mailman keeps running until you press Ctrl-C (or the '
        'demo gets SIGTERM or SIGHUP):')
    say('', 'REST   http://127.0.0.1:{}/3.1/plugins/pgp/lists '
        '(user restadmin, password restpass)'.format(exchange.rest_port))
    say('', 'LMTP   127.0.0.1:{} (mail in)'.format(
        exchange.instance.lmtp_port))
    say('', 'SMTP   127.0.0.1:{} (mail out, kept by this process)'
        .format(exchange.sink.port))
    say('', 'CLI    {} -C {} --run-as-root pgp lists'.format(
        exchange.instance.mailman_script, exchange.instance.cfg_path))
    while True:
        time.sleep(3600)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--keep', action='store_true',
                        help='keep the instance running and say how to '
                        'reach it')
    args = parser.parse_args()
    started = time.monotonic()
    stop_on_signals()
    root = tempfile.mkdtemp(prefix='mailman-pgp-demo-')
    exchange = Exchange(root, say=say)
    say('demo', 'starting Mailman in ' + root)
    finished = False
    # One try for the whole run, banner and waiting included: whenever
    # Ctrl-C, SIGTERM or SIGHUP comes, the finally stops what was started.
    try:
        exchange.start()
        story(exchange)
        finished = True
        say('demo', 'done in {:.0f} s'.format(time.monotonic() - started))
        if args.keep:
            keep_running(exchange)
    except (KeyboardInterrupt, Stopped) as stopped:
        say('demo', 'stopping ({})'.format(str(stopped) or 'Ctrl-C'))
        return 0 if finished else 1
    except BaseException:
        print('\nplugins.log:\n' + exchange.instance.log()[-4000:],
              file=sys.stderr)
        raise
    finally:
        ignore_signals()        # a second signal must not cut this short
        exchange.stop()
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
