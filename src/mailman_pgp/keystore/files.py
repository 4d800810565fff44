"""Key files on disk: safe names, strict modes, atomic replace, locking.

Kept free of Mailman so the background key generator can use it too.
"""

import hashlib
import os
import re
import stat
import tempfile

from contextlib import contextmanager
from datetime import timedelta

from flufl.lock import Lock
from public import public


DIR_MODE = 0o700
FILE_MODE = 0o600
# Names kept readable for admins; anything else is hashed.  '%' is not in
# the readable set, so a hashed name can never equal a readable one.
_READABLE = re.compile(r'^[a-z0-9][a-z0-9._+@-]{0,199}$')


@public
def safe_file_name(name: str) -> str:
    """A file name for ``name`` that cannot leave its directory.

    ``ann@example.com`` stays readable; ``../x``, ``/``, NUL, non-ASCII and
    very long names become a SHA-256 based name.
    """
    lowered = name.lower()
    if _READABLE.match(lowered) and '..' not in lowered:
        return lowered + '.asc'
    digest = hashlib.sha256(name.encode('utf-8', 'surrogatepass'))
    return '%' + digest.hexdigest() + '.asc'


@public
def ensure_directory(path: str, found: list | None = None) -> str:
    """Create ``path`` 0700 (missing parents too), and tighten it if it
    exists.  A mode that let others in is added to ``found`` as
    ``(path, mode)`` first, so the caller can say what was exposed."""
    missing = []
    head = path
    while head and not os.path.isdir(head):
        missing.append(head)
        head = os.path.dirname(head)
    for directory in reversed(missing):
        try:
            os.mkdir(directory, DIR_MODE)
        except FileExistsError:
            pass
        else:
            os.chmod(directory, DIR_MODE)   # whatever the umask
    mode = stat.S_IMODE(os.stat(path).st_mode)
    if mode != DIR_MODE:
        if mode & 0o077 and found is not None:
            found.append((path, mode))
        os.chmod(path, DIR_MODE)
    return path


@public
@contextmanager
def locked(path: str):
    """Hold the NFS-safe lock of the key file at ``path``."""
    lock = Lock(path + '.lck', lifetime=timedelta(seconds=60))
    lock.lock(timeout=timedelta(seconds=30))
    try:
        yield
    finally:
        lock.unlock(unconditionally=True)


@public
def write_atomically(path: str, text: str) -> None:
    """Replace ``path`` with ``text``, 0600: readers see old or new, whole.

    The caller holds the lock.  A crash at any point leaves the old file.
    """
    directory = ensure_directory(os.path.dirname(path))
    fd, temp = tempfile.mkstemp(dir=directory, prefix='.tmp-',
                                suffix='.asc')   # mkstemp: mode 0600
    try:
        with os.fdopen(fd, 'w', encoding='ascii') as fp:
            fp.write(text)
            fp.flush()
            os.fsync(fp.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


@public
def shred(path: str, passes: int = 3) -> None:
    """Overwrite ``path`` with random data, then remove it."""
    size = os.path.getsize(path)
    with open(path, 'r+b', buffering=0) as fp:
        for _ in range(passes):
            fp.seek(0)
            fp.write(os.urandom(max(size, 1)))
            os.fsync(fp.fileno())
    os.unlink(path)
