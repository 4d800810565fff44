"""Local archivers that store every message of a PGP list encrypted.

Each archived message is encrypted to the list key and to every key in the
site's archive key directory, so the owner (or an archive custodian) reads
it with gpg while a stolen disk shows nothing.  Mailman's own archivers
would store the decrypted post in clear, so PGP lists use these instead.
"""

import copy
import logging
import os

from datetime import timedelta
from email.message import Message

from flufl.lock import Lock
from mailman.config import config
from mailman.interfaces.archiver import IArchiver
from mailman.interfaces.mailinglist import IListArchiverSet
from public import public
from zope.interface import implementer


log = logging.getLogger('mailman.plugins.pgp')

ENCRYPTED_ARCHIVERS = ('pgp-mbox', 'pgp-maildir')
public(ENCRYPTED_ARCHIVERS=ENCRYPTED_ARCHIVERS)

DIR_MODE = 0o700
FILE_MODE = 0o600


@public
def use_encrypted_archivers(mlist) -> None:
    """Archive ``mlist`` only encrypted: enable ours, disable the rest.

    Called by the PGP styles.  Mailman's archivers (HyperKitty, MHonArc,
    mail-archive, prototype) would keep the decrypted posts in clear.
    """
    for archiver in list(IListArchiverSet(mlist).archivers):
        archiver.is_enabled = archiver.name in ENCRYPTED_ARCHIVERS


@public
class ArchiveError(Exception):
    """A message could not be archived encrypted (and was not archived)."""


@public
def private_directory(path: str) -> str:
    """Create ``path`` and its missing parents 0700; tighten ``path``."""
    from mailman_pgp.keystore.files import ensure_directory
    return ensure_directory(os.path.abspath(path))


def _recipients(mlist) -> list:
    """The list's public key plus every usable archive key."""
    # Imported here: archivers are instantiated while Mailman reads its
    # configuration, before the plugin's pre_hook.
    from mailman_pgp.keystore import key_store
    store = key_store()
    list_key = store.list_key(mlist.list_id)
    if list_key is None:
        raise ArchiveError('{}: no list key yet, message not archived'.format(
            mlist.list_id))
    recipients = [list_key.public]
    for key in store.archive_keys():
        if key.usability().can_encrypt:
            recipients.append(key)
        else:
            log.warning('archive key %s cannot encrypt (%s); skipped',
                        key.fingerprint, '; '.join(key.usability().reasons))
    return recipients


@public
def encrypt_for_archive(mlist, pgp_list, msg: Message) -> Message:
    """``msg`` whole (every header) as a PGP/MIME encrypted message.

    Outside stay only what an mbox or Maildir reader needs to list it:
    Date, Message-ID, the list address and the list's outer Subject.
    """
    from mailman_pgp.pgp import encrypt, encrypted_wrapper
    inner = copy.deepcopy(msg)
    # RFC 9788: clients show the headers of the inner part as the real ones.
    inner.set_param('protected-headers', 'v1')
    armored = encrypt(inner.as_bytes(), _recipients(mlist))
    outer = encrypted_wrapper(armored)
    outer['From'] = mlist.posting_address
    outer['To'] = mlist.posting_address
    outer['Subject'] = pgp_list.outer_subject
    for name in ('Date', 'Message-ID'):
        if msg.get(name) is not None:
            outer[name] = str(msg[name])
    outer['MIME-Version'] = '1.0'
    return outer


@implementer(IArchiver)
class EncryptedArchiver:
    """Common part of pgp-mbox and pgp-maildir; subclasses store the mail.

    Mailman makes a new instance on every ``config.archivers`` access, so
    nothing is kept between calls.
    """

    name = None
    is_enabled = False
    # How long to wait for another runner writing the same archive.
    lock_timeout = timedelta(seconds=30)

    @staticmethod
    def list_url(mlist):
        """Not web-accessible: no URL."""
        return None

    @staticmethod
    def permalink(mlist, msg):
        """Not web-accessible: no permalink."""
        return None

    def archive_message(self, mlist, msg):
        """Store ``msg`` encrypted; a non-PGP list is left to others."""
        from mailman_pgp.config import site_config
        from mailman_pgp.model import PGPMailingList
        pgp_list = PGPMailingList.for_list(mlist)
        if pgp_list is None:
            return None
        name = mlist.fqdn_listname
        if os.sep in name or name.startswith('.'):
            raise ArchiveError('{}: unsafe archive name'.format(name))
        self.write(site_config(), name,
                   encrypt_for_archive(mlist, pgp_list, msg))
        log.debug('%s: message %s archived encrypted by %s', mlist.list_id,
                  msg.get('message-id', 'n/a'), self.name)
        return None

    def write(self, site, name: str, encrypted: Message) -> None:
        """Store an encrypted message, holding the archive's lock."""
        lock = Lock(os.path.join(config.LOCK_DIR, '{}-{}.lock'.format(
            name, self.name)), lifetime=timedelta(seconds=120))
        # TimeOutError propagates: the archive runner logs it, and nothing
        # is written meanwhile.
        lock.lock(timeout=self.lock_timeout)
        try:
            self.store(private_directory(self.base_directory(site)), name,
                       encrypted)
        finally:
            lock.unlock(unconditionally=True)

    def base_directory(self, site) -> str:
        raise NotImplementedError

    def store(self, base: str, name: str, msg: Message) -> None:
        raise NotImplementedError
