"""The key store: list key pairs, subscriber keys and archive keys.

The only code that touches key files.  Reads are cached and refreshed when
the file changes (another runner, or an admin replacing the file by hand).
"""

from __future__ import annotations

import logging
import os
import shlex
import struct
import subprocess
import threading

from contextlib import contextmanager

from public import public

from mailman_pgp.keystore.files import (
    ensure_directory, locked, safe_file_name, shred, unreadable_message,
    write_atomically)
from mailman_pgp.keystore.seal import is_sealed, read_passphrase, seal, unseal
from mailman_pgp import pgp


log = logging.getLogger('mailman.plugins.pgp')
EXPOSED = ('{path} had mode {mode:o}: other users could read the keys in it '
           '(now 700). Whoever could may have copied them: rotate the list '
           'keys kept there (mailman pgp rotate-key LIST)')


@public
class UnreadableKeyError(ValueError):
    """A stored key exists but cannot be loaded; the message says why."""


@public
class KeyStore:
    """Key files in the directories named by the site's ``[keydirs]``."""

    backend = 'file'

    def __init__(self, list_keydir: str, user_keydir: str,
                 archive_keydir: str, passphrase: bytes | None = None):
        self.list_keydir = list_keydir
        self.passphrase = passphrase
        self.passphrase_file = None
        self.user_keydir = user_keydir
        self.archive_keydir = archive_keydir
        self._cache: dict[str, tuple[tuple, pgp.Key]] = {}
        self._cache_lock = threading.Lock()
        # Key directories this process found open to others (and closed).
        self.exposed: list[str] = []

    @classmethod
    def from_site_config(cls, site) -> 'KeyStore':
        passphrase_file = site.keypairs.passphrase_file
        store = cls(site.keydirs.list_keydir, site.keydirs.user_keydir,
                    site.keydirs.archive_keydir,
                    read_passphrase(passphrase_file) if passphrase_file
                    else None)
        store.passphrase_file = passphrase_file
        return store

    def private_text(self, key: pgp.Key) -> str:
        """How a key is written: private keys sealed when configured."""
        if key.is_private and self.passphrase is not None:
            return seal(key.armor(), self.passphrase)
        return key.armor()

    def load_text(self, text: str) -> pgp.Key:
        """The key in ``text`` as written by ``private_text``.

        Public keys load lazily: the facade checks and encrypts to them
        from their packets, so a thousand member keys stay small in memory.
        """
        if is_sealed(text):
            text = unseal(text, self.passphrase)
        keys = pgp.load_keys(text, lazy=True)
        if len(keys) != 1:
            raise pgp.KeyImportError('a key file holds {} keys'.format(
                len(keys)))
        return keys[0]

    def ensure_directories(self) -> list[str]:
        """Create the key directories 0700; return (and remember in
        ``exposed``) what was found open to other users before closing it."""
        found = []
        for path in (self.list_keydir, self.user_keydir,
                     self.archive_keydir):
            try:
                ensure_directory(path, found)
            except PermissionError:
                pass    # owned by another user: access_problems() says so
        exposed = [EXPOSED.format(path=path, mode=mode)
                   for path, mode in found]
        self.exposed += exposed
        return exposed

    # Paths (the file backend).

    def list_key_path(self, list_id: str) -> str:
        return self._path('list', list_id)

    def address_key_path(self, email: str) -> str:
        return self._path('address', email.lower())

    # The primitives a backend provides: get, put, remove by (kind, name).

    def _path(self, kind: str, name: str) -> str:
        directory = {'list': self.list_keydir,
                     'address': self.user_keydir}[kind]
        return os.path.join(directory, safe_file_name(name))

    def _get(self, kind: str, name: str) -> pgp.Key | None:
        return self._read(self._path(kind, name))

    def _put(self, kind: str, name: str, key: pgp.Key) -> None:
        path = self._path(kind, name)
        with locked(path):
            write_atomically(path, self.private_text(key))

    def _remove(self, kind: str, name: str) -> bool:
        path = self._path(kind, name)
        with locked(path):
            try:
                os.unlink(path)
            except FileNotFoundError:
                return False
        return True

    @contextmanager
    def generating(self, list_id: str):
        """Held while a list key is made, so two makers make one key.

        A lock of its own: writing the key takes the key file's lock.
        """
        with locked(self._path('list', list_id) + '.generating'):
            yield

    def _read(self, path: str) -> pgp.Key | None:
        try:
            return self._read_cached(path)
        except PermissionError:
            raise UnreadableKeyError(unreadable_message(path)) from None

    def _read_cached(self, path: str) -> pgp.Key | None:
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            with self._cache_lock:
                self._cache.pop(path, None)
            return None
        # Packed: 57 bytes instead of 160 for each of thousands of files.
        signature = struct.pack('<QQQ', stat.st_ino,
                                stat.st_mtime_ns & (2 ** 64 - 1),
                                stat.st_size)
        with self._cache_lock:
            cached = self._cache.get(path)
        if cached is not None and cached[0] == signature:
            return cached[1]
        with open(path, encoding='ascii') as fp:
            key = self.load_text(fp.read())
        with self._cache_lock:
            self._cache[path] = (signature, key)
        return key

    # What the plugin uses.

    def list_key(self, list_id: str) -> pgp.Key | None:
        """The list's key pair, or None while it does not exist (yet).

        :raises UnreadableKeyError: the key exists but cannot be used (a
            sealed key without the right passphrase, a damaged file).
        """
        try:
            return self._get('list', list_id)
        except (ValueError, pgp.PGPError) as error:
            raise UnreadableKeyError('the key of {} cannot be read: {}'
                                     .format(list_id, error)) from None

    def address_key(self, email: str) -> pgp.Key | None:
        return self._get('address', email.lower())

    def archive_keys(self) -> list[pgp.Key]:
        """Every public key in the archive key directory."""
        keys = []
        try:
            names = sorted(os.listdir(self.archive_keydir))
        except FileNotFoundError:
            return keys
        for name in names:
            if name.endswith('.asc') and not name.startswith('.'):
                key = self._read(os.path.join(self.archive_keydir, name))
                if key is not None:
                    keys.append(key.public)
        return keys

    def set_list_key(self, list_id: str, key: pgp.Key) -> None:
        """Store a list's key pair.

        :raises StaleKeyError: ``key`` is an older copy of the stored one.
        """
        if not key.is_private:
            raise ValueError('a list key must include its private key')
        try:
            stored = self.list_key(list_id)
        except UnreadableKeyError:
            stored = None       # replacing a key no one can read any more
        self._refuse_stale(stored, key)
        self._put('list', list_id, key)

    def set_address_key(self, email: str, key: pgp.Key) -> None:
        """Store a subscriber's public key (never a private one).

        :raises StaleKeyError: ``key`` is an older copy of the key stored
            for ``email`` (it would roll back a self-signature, an expiry
            or a revocation); the stored copy stays.
        """
        try:
            stored = self.address_key(email)
        except (ValueError, pgp.PGPError):
            stored = None       # a damaged file: nothing to compare with
        self._refuse_stale(stored, key)
        self._put('address', email.lower(), key.public)

    @staticmethod
    def _refuse_stale(stored: pgp.Key | None, key: pgp.Key) -> None:
        """Every write of a key the store already holds passes here."""
        if stored is None or stored.fingerprint != key.fingerprint \
                or bytes(stored) == bytes(key):
            return
        reasons = pgp.staleness(stored, key)
        if reasons:
            raise pgp.StaleKeyError('The key {} you sent is an older copy of '
                                'the one the list has: {}.'.format(
                                    key.fingerprint, '; '.join(reasons)))

    def delete_address_key(self, email: str) -> None:
        self._remove('address', email.lower())

    def delete_list_key(self, list_id: str, shred_it: bool = True,
                        shred_command: str = '') -> bool:
        """Remove (and optionally shred) a list key; True if one existed."""
        path = self.list_key_path(list_id)
        with locked(path):
            if not os.path.exists(path):
                return False
            if shred_it and shred_command:
                subprocess.run(shlex.split(shred_command) + [path],
                               check=False, timeout=120,
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
            if shred_it and os.path.exists(path):
                shred(path)
            if os.path.exists(path):
                os.unlink(path)
        with self._cache_lock:
            self._cache.pop(path, None)
        return True
