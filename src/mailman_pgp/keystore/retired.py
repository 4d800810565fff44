"""Retired list keys: kept for a grace period after a key rotation.

Mail encrypted to the old list key may still be in flight (or sent by a
member whose client has not picked up the new key yet) when a list key is
replaced, so the old key pair stays in the store, for decryption only,
until its grace period ends.  Each one is a file
``<list_keydir>/retired/<list>/<FINGERPRINT>.<YYYYmmddTHHMMSSZ>.asc``, the
timestamp being the end of its grace period (UTC); the directory is 0700
and the file 0600 like every list key.
"""

import os
import re

from dataclasses import dataclass
from datetime import datetime, timezone

from public import public

from mailman_pgp.keystore.files import (
    ensure_directory, locked, safe_file_name, shred, write_atomically)


_NAME = re.compile(r'^([0-9A-F]{40})\.(\d{8}T\d{6}Z)\.asc$')
_STAMP = '%Y%m%dT%H%M%SZ'


@public
@dataclass(frozen=True)
class RetiredKey:
    """A retired list key file: whose key, kept until when, where."""
    fingerprint: str
    until: datetime
    path: str

    def in_grace(self, now: datetime | None = None) -> bool:
        return (now or datetime.now(timezone.utc)) < self.until


@public
def retired_directory(store, list_id: str) -> str:
    """Where ``list_id``'s retired keys live (one directory per list)."""
    return os.path.join(store.list_keydir, 'retired',
                        safe_file_name(list_id)[:-len('.asc')])


@public
def retired_entries(store, list_id: str) -> list[RetiredKey]:
    """Every retired key file of the list, newest grace period first."""
    directory = retired_directory(store, list_id)
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return []
    except PermissionError:
        from mailman_pgp.keystore.files import unreadable_message
        from mailman_pgp.keystore.store import UnreadableKeyError
        raise UnreadableKeyError(unreadable_message(directory)) from None
    entries = []
    for name in names:
        match = _NAME.match(name)
        if match is None:
            continue
        until = datetime.strptime(match.group(2), _STAMP).replace(
            tzinfo=timezone.utc)
        entries.append(RetiredKey(match.group(1), until,
                                  os.path.join(directory, name)))
    entries.sort(key=lambda entry: entry.until, reverse=True)
    return entries


@public
def retire_list_key(store, list_id: str, key, until: datetime) -> RetiredKey:
    """Keep ``key`` (a private list key) for decryption until ``until``."""
    if not key.is_private:
        raise ValueError('a retired list key must include its private key')
    for entry in retired_entries(store, list_id):
        if entry.fingerprint == key.fingerprint:
            _remove(entry.path)         # retired again: one file per key
    ensure_directory(os.path.dirname(retired_directory(store, list_id)))
    directory = ensure_directory(retired_directory(store, list_id))
    until = until.astimezone(timezone.utc).replace(microsecond=0)
    path = os.path.join(directory, '{}.{}.asc'.format(
        key.fingerprint, until.strftime(_STAMP)))
    with locked(path):
        write_atomically(path, store.private_text(key))
    return RetiredKey(key.fingerprint, until, path)


@public
def retired_list_keys(store, list_id: str, now: datetime | None = None):
    """The retired keys of the list still in their grace period."""
    keys = []
    for entry in retired_entries(store, list_id):
        if entry.in_grace(now):
            key = store._read(entry.path)
            if key is not None:
                keys.append(key)
    return keys


@public
def purge_retired(store, list_id: str, now: datetime | None = None,
                  shred_it: bool = True) -> list[RetiredKey]:
    """Remove (shredding, by default) retired keys past their grace."""
    removed = []
    for entry in retired_entries(store, list_id):
        if not entry.in_grace(now):
            _remove(entry.path, shred_it)
            removed.append(entry)
    return removed


def _remove(path: str, shred_it: bool = True) -> None:
    with locked(path):
        if shred_it and os.path.exists(path):
            shred(path)
        elif os.path.exists(path):
            os.unlink(path)
