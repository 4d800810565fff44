"""A PGP list's archive filled with many posts at once (benchmarks, demo).

``mailman shell -l LIST -r mailman_pgp.testing.archive.shell_archive_posts
COUNT`` stores COUNT made-up posts, in threads, through the pgp-mbox
archiver (each one encrypted to the list key, as the archive runner would
store a real post), without mailing them.
"""

import random

from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime

from public import public

WORDS = ('owl barn nest egg vole pellet dusk hoot feather talon wing oak '
         'meadow field hedge mouse moth perch roost flight night moon tree '
         'chick brood survey count ring box watch').split()


def _text(rng: random.Random, lines: int) -> str:
    return '\n'.join(' '.join(rng.choice(WORDS) for _ in range(12))
                     for _ in range(lines)) + '\n'


@public
def made_up_posts(list_address: str, count: int, seed: int = 1):
    """``count`` posts in threads of 1 to 8, a day apart, oldest first."""
    rng = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    made = 0
    while made < count:
        topic = made
        root = None
        for position in range(min(rng.randint(1, 8), count - made)):
            msg = EmailMessage()
            author = rng.choice(('anne', 'bob', 'carol', 'dave'))
            msg['From'] = f'{author.title()} <{author}@example.com>'
            msg['To'] = list_address
            subject = f'Topic {topic}: {rng.choice(WORDS)} survey é'
            msg['Subject'] = ('Re: ' if position else '') + subject
            msg['Date'] = format_datetime(start + timedelta(hours=made))
            msg['Message-ID'] = f'<post-{made}@example.com>'
            if root:
                msg['In-Reply-To'] = root
                msg['References'] = root
            else:
                root = msg['Message-ID']
            msg.set_content(_text(rng, rng.randint(5, 30)))
            made += 1
            yield msg


@public
def shell_archive_posts(mlist, count: str) -> None:
    from mailman_pgp.archivers.local_mbox import LocalMboxArchiver
    archiver = LocalMboxArchiver()
    for msg in made_up_posts(mlist.posting_address, int(count)):
        archiver.archive_message(mlist, msg)
