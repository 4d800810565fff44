"""Mailman 3.3.10 on Python 3.13 (and falcon 4): what its processes need.

Mailman 3.3.10 looks up every template with
``resources.enter_context(files('mailman').joinpath('templates'))``.  Up to
Python 3.12 a ``Path`` was a (no-op) context manager; 3.13 removed that, so
each lookup raises ``TypeError`` and the runner shunts the message: no
notice, no reply, no rejection reaches anyone, on any list.  Until Mailman
ships the fix, every process that loads the plugin gets ``files`` in
``mailman.utilities.i18n`` (and only there) returning a traversable whose
``joinpath()`` is ``importlib.resources.as_file()``: what Mailman meant.

Python 3.13 also needs falcon 4 (falcon 3 does not install there), which
warns on every start of the REST runner that Mailman sets a deprecated
option; the option still works, so that one warning is not shown.
"""

import sys
import warnings

from importlib import resources

from public import public


class _Enterable:
    """A package's resources whose paths can be entered, as on 3.12."""

    def __init__(self, traversable):
        self._traversable = traversable

    def joinpath(self, *names):
        return resources.as_file(self._traversable.joinpath(*names))

    def __getattr__(self, name):
        return getattr(self._traversable, name)


def _files(package):
    return _Enterable(resources.files(package))


@public
def mend_mailman() -> None:
    """Let Mailman 3.3.10 find its templates on Python 3.13 and start its
    REST runner on falcon 4 without a warning about its own code."""
    warnings.filterwarnings(
        'ignore', message=r'The RequestOptions\.auto_parse_form_urlencoded '
        'option is deprecated')
    if sys.version_info < (3, 13):
        return
    from mailman.utilities import i18n
    i18n.files = _files


# What setup.py requires; pip can be talked out of it (--no-deps, an
# environment that already had Mailman 3.3.9, the 2017 mailman-pgp 0.3.0
# pulling SQLAlchemy 2.1), and then Mailman half works.
NEEDED = (('mailman', (3, 3, 10), (3, 4), "'mailman>=3.3.10,<3.4'"),
          ('sqlalchemy', (2, 0), (2, 1), "'sqlalchemy>=2.0,<2.1'"))


def _release(version: str) -> tuple:
    """The leading release numbers: '3.3.10' -> (3, 3, 10), '2.1.0b1' ->
    (2, 1, 0)."""
    import re
    return tuple(int(n) for n in re.findall(r'\d+', re.match(
        r'[\d.]*\d', version).group()))


@public
def system_libcrypto(maps: str | None = None) -> str | None:
    """The path of the libcrypto Python's hashlib links, as this process
    maps it (``maps``: the text of /proc/self/maps), or None where that
    cannot be told.  Delivery calls it directly (pgp/_ossl.py)."""
    if maps is None:
        import _hashlib  # noqa: F401  (maps the library hashlib links)
        try:
            with open('/proc/self/maps') as fp:
                maps = fp.read()
        except OSError:
            return None
    for line in maps.splitlines():
        path = line.split(' ', 5)[-1].strip()
        if '/libcrypto.so.' in path:
            return path
    return None


def _openssl_problem(libcrypto: str | None) -> str | None:
    if libcrypto is None:
        return None     # not Linux, or a static OpenSSL: _ossl says so
    release = libcrypto.rsplit('/libcrypto.so.', 1)[1]
    if release.split('.')[0].isdigit() and int(release.split('.')[0]) >= 3:
        return None
    return ('mailman-pgp needs OpenSSL 3.0 or later, but this Python links '
            '{}: run Mailman on a Python built with OpenSSL 3 (Debian 12 '
            'and later, Ubuntu 22.04 and later)'.format(libcrypto))


@public
def version_problems(installed: dict | None = None,
                     libcrypto: str | None = '') -> list[str]:
    """Mailman or SQLAlchemy releases this plugin does not run with, each
    with the pip command that fixes it (``installed``: name -> version, by
    default what this Python has), and an OpenSSL older than 3.0
    (``libcrypto``: its path, by default the one this Python links)."""
    if installed is None:
        from importlib.metadata import PackageNotFoundError, version
        installed = {}
        for name, *_ in NEEDED:
            try:
                installed[name] = version(name)
            except PackageNotFoundError:
                installed[name] = None
    problems = []
    for name, low, high, spec in NEEDED:
        found = installed.get(name)
        if found is None:
            continue
        if not low <= _release(found) < high:
            problems.append(
                'mailman-pgp needs {} but this Python has {} {}: run pip '
                'install {} (in the environment that runs Mailman)'.format(
                    spec.strip("'"), name, found, spec))
    openssl = _openssl_problem(system_libcrypto() if libcrypto == ''
                               else libcrypto)
    if openssl is not None:
        problems.append(openssl)
    return problems
