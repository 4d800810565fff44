"""The plugin's templates, found and overridden the way Mailman's are.

A site admin overrides one per list, per domain or site-wide, in Mailman's
order: a URI set in Mailman's template manager (over REST:
``/3.1/plugins/pgp/uris`` and ``/3.1/plugins/pgp/lists/<list>/uris``, see
``mailman_pgp.rest.uris``), else a file of the same name (plus ``.txt``) in
Mailman's template directories.  The packaged text is the fallback.

The names are deliberately not in Mailman's ``ALL_TEMPLATES``: Mailman's
REST ``/uris`` resources (site, domain, list) take that registry as the
set every full PUT must carry, so plain lists and Postorius would see and
need the PGP names.
"""

from importlib.resources import files
from urllib.error import URLError

from mailman.interfaces.template import ITemplateLoader
from mailman.utilities.i18n import TemplateNotFoundError, find
from mailman.utilities.string import expand, wrap
from public import public
from zope.component import getUtility


NAMES = (
    'list:user:pgp:key-request',
    'list:user:pgp:key-confirm-request',
    'list:user:pgp:key-statement',
    'list:user:pgp:key-change-request',
    'list:user:pgp:key-receive',
    'list:user:pgp:key-reset',
    'list:user:pgp:key-expiring',
    'list:admin:pgp:key-approval',
    'list:admin:pgp:keys-unusable',
    'list:user:pgp:member-key-attention',
    'list:admin:pgp:keyless-members',
    'list:user:pgp:list-key-rotated', 'list:admin:pgp:list-key-expiring',
    'list:user:pgp:key-command-unsigned',
    'list:user:pgp:key-outside-signature',
    'list:user:pgp:key-stale',
    'list:user:pgp:key-autocrypt-not-used',
)


def _text(name: str, mlist) -> str:
    try:
        # A URI set for the list, its domain or the site.  Mailman's loader
        # answers URLError when there is none (the name has no default URI).
        return getUtility(ITemplateLoader).get(name, mlist)
    except URLError:
        pass
    try:
        _path, fp = find(name + '.txt', mlist,
                         mlist.preferred_language.code)
    except TemplateNotFoundError:
        return _packaged(name)
    with fp:
        return fp.read()


def _packaged(name: str) -> str:
    return files('mailman_pgp.templates').joinpath(
        'en', name + '.txt').read_text(encoding='utf-8')


@public
def render(name: str, mlist, *, wrapped: bool = False, **substitutions) -> str:
    """The text of template ``name`` for ``mlist``, substituted."""
    assert name in NAMES, name
    text = expand(_text(name, mlist), mlist, substitutions)
    return wrap(text) if wrapped else text
