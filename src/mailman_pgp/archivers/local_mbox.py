"""pgp-mbox: one mbox file per PGP list, every message encrypted."""

import mailbox
import os

from public import public

from mailman_pgp.archivers import FILE_MODE, EncryptedArchiver


@public
class LocalMboxArchiver(EncryptedArchiver):
    """Appends to ``<[archiving] mailbox_dir>/<fqdn_listname>``.

    Read it with any mbox reader; each message decrypts with
    ``gpg --decrypt`` (see docs/archives.rst).
    """

    name = 'pgp-mbox'

    def base_directory(self, site) -> str:
        return site.archiving.mailbox_dir

    def store(self, base, name, msg):
        path = os.path.join(base, name)
        # Create it 0600 ourselves: mailbox would honour the umask.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
        try:
            if os.fstat(fd).st_mode & 0o777 != FILE_MODE:
                os.fchmod(fd, FILE_MODE)
        finally:
            os.close(fd)
        mbox = mailbox.mbox(path, factory=None, create=False)
        mbox.lock()             # fcntl and dot lock, for mail readers
        try:
            mbox.add(msg)
            mbox.flush()
        finally:
            mbox.unlock()
            mbox.close()
