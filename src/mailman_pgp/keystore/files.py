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


@public
def foreign_paths(top: str, owner: int) -> tuple[list, list]:
    """What under ``top`` (itself included) is not owned by ``owner``, as
    ``(path, uid)``, and the paths this process cannot read (or, for a
    directory, enter and write): each makes Mailman fail when it runs as
    ``owner``, e.g. files a root ``tar -xzf`` or ``--run-as-root`` left."""
    foreign, unreadable = [], []
    if not os.path.lexists(top):
        return foreign, unreadable

    def visit(path: str, is_dir: bool) -> None:
        try:
            info = os.lstat(path)
        except OSError:
            unreadable.append(path)
            return
        if info.st_uid != owner:
            foreign.append((path, info.st_uid))
        wanted = os.R_OK | os.W_OK | os.X_OK if is_dir else os.R_OK
        if not os.access(path, wanted):
            unreadable.append(path)

    visit(top, os.path.isdir(top))
    for directory, dirs, names in os.walk(
            top, onerror=lambda error: unreadable.append(error.filename)):
        for name in sorted(dirs):
            visit(os.path.join(directory, name), True)
        for name in sorted(names):
            visit(os.path.join(directory, name), False)
    return foreign, sorted(set(unreadable))


@public
def user_name(uid: int) -> str:
    import pwd
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


@public
def unreadable_message(path: str) -> str:
    """What to tell when this process may not read a key file."""
    me = user_name(os.geteuid())
    return '{} cannot be read by {} (the user Mailman runs as); run: ' \
        'chown -R {}: {}'.format(path, me, me, os.path.dirname(path))
