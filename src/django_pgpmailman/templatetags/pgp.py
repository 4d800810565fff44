"""Template filters: fingerprints in groups of four, actions in words."""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

# What each Mailman moderation action means for a post, in plain words.
ACTION_WORDS = {
    'reject': _('rejected, and the sender is told why'),
    'discard': _('discarded without notice'),
    'hold': _('held for the moderators'),
    'accept': _('accepted'),
    'defer': _('passed on to the other checks'),
}


@register.filter
def fingerprint(value) -> str:
    """``ABCD1234...`` as ``ABCD 1234 ...``; anything else unchanged."""
    text = str(value or '')
    if not text.isalnum():
        return text
    return ' '.join(text[i:i + 4] for i in range(0, len(text), 4))


@register.filter
def action_words(value) -> str:
    return ACTION_WORDS.get(str(value), str(value))


@register.filter
def get(mapping, key):
    """``mapping|get:key`` for dictionaries with computed keys."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def is_pgp_list(mlist) -> bool:
    """For the PGP tab in Postorius' tab bar."""
    from django_pgpmailman.suite import is_pgp_list as ask
    return ask(getattr(mlist, 'list_id', ''))
