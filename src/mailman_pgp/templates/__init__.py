"""The plugin's templates, found and overridden the way Mailman's are.

Each name is added to Mailman's template registry, so a site admin can
override it per list, per domain or site-wide: with a file of the same name
in Mailman's template directories, or with a URI set over REST
(``/3.1/lists/<list-id>/uris``).  The packaged text is the fallback.
"""

from importlib.resources import files
from urllib.error import URLError

from mailman.interfaces.template import ALL_TEMPLATES, ITemplateLoader
from mailman.utilities.i18n import TemplateNotFoundError
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


@public
def register_templates() -> None:
    """Make Mailman's template loader and REST know our names."""
    for name in NAMES:
        ALL_TEMPLATES.setdefault(name, name + '.txt')


def _packaged(name: str) -> str:
    return files('mailman_pgp.templates').joinpath(
        'en', name + '.txt').read_text(encoding='utf-8')


@public
def render(name: str, mlist, *, wrapped: bool = False, **substitutions) -> str:
    """The text of template ``name`` for ``mlist``, substituted."""
    assert name in NAMES, name
    try:
        text = getUtility(ITemplateLoader).get(name, mlist)
    except (URLError, TemplateNotFoundError, LookupError):
        text = _packaged(name)
    text = expand(text, mlist, substitutions)
    return wrap(text) if wrapped else text
