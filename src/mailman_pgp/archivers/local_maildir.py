"""pgp-maildir: one Maildir per PGP list, every message encrypted."""

import itertools
import os
import socket
import time

from public import public

from mailman_pgp.archivers import (
    FILE_MODE, EncryptedArchiver, private_directory)


_counter = itertools.count()


@public
class LocalMaildirArchiver(EncryptedArchiver):
    """Delivers into ``<[archiving] maildir_dir>/<fqdn_listname>/new``.

    Written by hand rather than with ``mailbox.Maildir``, which creates its
    files with the process umask: ours are 0600 from the first byte.
    """

    name = 'pgp-maildir'

    def base_directory(self, site) -> str:
        return site.archiving.maildir_dir

    def store(self, base, name, msg):
        maildir = private_directory(os.path.join(base, name))
        for sub in ('tmp', 'new', 'cur'):
            private_directory(os.path.join(maildir, sub))
        now = time.time()
        unique = '{}.M{}P{}Q{}.{}'.format(
            int(now), int(now % 1 * 1e6), os.getpid(), next(_counter),
            socket.gethostname().replace('/', r'\057').replace(':', r'\072'))
        temp = os.path.join(maildir, 'tmp', unique)
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        try:
            with os.fdopen(fd, 'wb') as fp:
                fp.write(msg.as_bytes())
                fp.flush()
                os.fsync(fp.fileno())
            os.rename(temp, os.path.join(maildir, 'new', unique))
        except BaseException:
            if os.path.exists(temp):
                os.unlink(temp)
            raise
