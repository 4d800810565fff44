"""The key store: list key pairs, subscriber keys and archive keys.

The only code that touches key files.  Reads are cached and refreshed when
the file changes (another runner, or an admin replacing the file by hand).
"""

import logging
import os
import shlex
import subprocess
import threading

from public import public

from mailman_pgp.keystore.files import (
    ensure_directory, locked, safe_file_name, shred, write_atomically)
from mailman_pgp.pgp import Key


log = logging.getLogger('mailman.plugins.pgp')


@public
class KeyStore:
    """Key files in the directories named by the site's ``[keydirs]``."""

    def __init__(self, list_keydir: str, user_keydir: str,
                 archive_keydir: str):
        self.list_keydir = list_keydir
        self.user_keydir = user_keydir
        self.archive_keydir = archive_keydir
        self._cache: dict[str, tuple[tuple, Key]] = {}
        self._cache_lock = threading.Lock()

    @classmethod
    def from_site_config(cls, site) -> 'KeyStore':
        return cls(site.keydirs.list_keydir, site.keydirs.user_keydir,
                   site.keydirs.archive_keydir)

    def ensure_directories(self) -> None:
        for path in (self.list_keydir, self.user_keydir,
                     self.archive_keydir):
            ensure_directory(path)

    # Paths.

    def list_key_path(self, list_id: str) -> str:
        return os.path.join(self.list_keydir, safe_file_name(list_id))

    def address_key_path(self, email: str) -> str:
        return os.path.join(self.user_keydir, safe_file_name(email))

    # Reading.

    def _read(self, path: str) -> Key | None:
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            with self._cache_lock:
                self._cache.pop(path, None)
            return None
        signature = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        with self._cache_lock:
            cached = self._cache.get(path)
        if cached is not None and cached[0] == signature:
            return cached[1]
        with open(path, encoding='ascii') as fp:
            key = Key.load(fp.read())
        with self._cache_lock:
            self._cache[path] = (signature, key)
        return key

    def list_key(self, list_id: str) -> Key | None:
        """The list's key pair, or None while it does not exist (yet)."""
        return self._read(self.list_key_path(list_id))

    def address_key(self, email: str) -> Key | None:
        return self._read(self.address_key_path(email))

    def archive_keys(self) -> list[Key]:
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

    # Writing.

    def _write(self, path: str, key: Key) -> None:
        with locked(path):
            write_atomically(path, key.armor())

    def set_list_key(self, list_id: str, key: Key) -> None:
        if not key.is_private:
            raise ValueError('a list key must include its private key')
        self._write(self.list_key_path(list_id), key)

    def set_address_key(self, email: str, key: Key) -> None:
        """Store a subscriber's public key (never a private one)."""
        self._write(self.address_key_path(email), key.public)

    def delete_address_key(self, email: str) -> None:
        path = self.address_key_path(email)
        with locked(path):
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass

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
