"""Every event type the plugin sends, in one place (config checks, docs)."""

from public import public


EVENT_TYPES = (
    'domain.created',
    'domain.deleted',
    'list.created',
    'list.deleted',
    'list.settings_changed',
    'member.subscribed',
    'member.unsubscribed',
    'member.subscription_pending',
    'member.unsubscription_pending',
    'message.accepted',
    'message.held',
    'message.rejected',
    'message.discarded',
    'address.verified',
    'pgp.key_confirmed',
    'pgp.key_changed',
    'pgp.key_revoked',
    'pgp.list_key_rotated',
)

public(EVENT_TYPES=EVENT_TYPES)
