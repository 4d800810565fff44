"""Every per-list PGP setting, declared once.

The model's columns, the REST validation and the documentation table are
all derived from ``LIST_SETTINGS``, so a new setting is one line here.
"""

import json

from dataclasses import dataclass, field
from typing import Any

from lazr.config import as_boolean
from mailman.database.types import Enum, SAUnicode
from mailman.interfaces.action import Action
from mailman.interfaces.member import MemberRole
from public import public
from sqlalchemy import Boolean, Column
from sqlalchemy.types import TypeDecorator


class RoleSet(TypeDecorator):
    """A set of MemberRole, stored as comma-separated role names."""

    impl = SAUnicode
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return ','.join(sorted(role.name for role in value))

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return frozenset(MemberRole[name] for name in value.split(',') if name)


@public
@dataclass(frozen=True)
class ListSetting:
    """One per-list setting: name, kind, default and a one-line description.

    ``kind`` is one of ``action`` (a Mailman moderation action), ``bool``,
    ``choice`` (one of ``choices``), ``roles`` (a set of roster names) or
    ``text``.  ``group`` is where a form shows it: ``signatures``,
    ``encryption``, ``delivery`` or ``keys``.  ``label`` and
    ``choice_labels`` are the words a form shows for the setting and for
    each value (actions and roles have theirs below).
    """

    name: str
    kind: str
    default: Any
    description: str
    choices: tuple[str, ...] = field(default=())
    group: str = 'signatures'
    label: str = ''
    choice_labels: tuple[str, ...] = field(default=())

    def column(self) -> Column:
        if self.kind == 'action':
            return Column(Enum(Action), nullable=False, default=self.default)
        if self.kind == 'bool':
            return Column(Boolean, nullable=False, default=self.default)
        if self.kind == 'roles':
            return Column(RoleSet, nullable=False, default=self.default)
        return Column(SAUnicode, nullable=False, default=self.default)

    @property
    def allowed(self) -> list[str]:
        """The allowed values, as a REST client spells them."""
        if self.kind == 'action':
            return [action.name for action in Action]
        if self.kind == 'bool':
            return ['true', 'false']
        if self.kind == 'roles':
            return [role.name for role in MemberRole]
        return list(self.choices)

    @property
    def labelled_choices(self) -> list[list[str]]:
        """[[value, words]] for each allowed value, in the allowed order."""
        words = (dict(zip(self.choices, self.choice_labels))
                 if self.kind == 'choice' else
                 ACTION_LABELS if self.kind == 'action' else
                 ROLE_LABELS if self.kind == 'roles' else
                 {'true': 'Yes', 'false': 'No'})
        return [[value, words.get(value, value)] for value in self.allowed]

    def validate(self, value: Any) -> Any:
        """Convert a REST value to the stored one.

        :raises ValueError: with a message naming the allowed values.
        """
        if self.kind == 'action':
            if isinstance(value, Action):
                return value
            try:
                return Action[str(value).strip().lower()]
            except KeyError:
                raise ValueError(self._refusal(value)) from None
        if self.kind == 'bool':
            if isinstance(value, bool):
                return value
            try:
                return as_boolean(str(value))
            except ValueError:
                raise ValueError(self._refusal(value)) from None
        if self.kind == 'roles':
            return self._roles(value)
        if self.kind == 'choice':
            if value not in self.choices:
                raise ValueError(self._refusal(value))
            return value
        if not isinstance(value, str) or not value.strip() \
                or len(value) > 200 or '\n' in value or '\r' in value:
            raise ValueError('{}: {!r} is not allowed: use one line of text '
                             '(1 to 200 characters)'.format(self.name, value))
        return value

    def _roles(self, value: Any) -> frozenset:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith('['):
                try:
                    value = json.loads(text.replace("'", '"'))
                except ValueError:
                    raise ValueError(self._refusal(value)) from None
            else:
                value = [part for part in text.replace(',', ' ').split()]
        if not isinstance(value, (list, tuple, set, frozenset)):
            raise ValueError(self._refusal(value))
        roles = set()
        for item in value:
            if isinstance(item, MemberRole):
                roles.add(item)
                continue
            try:
                roles.add(MemberRole[str(item).strip().lower()])
            except KeyError:
                raise ValueError(self._refusal(item)) from None
        return frozenset(roles)

    def to_json(self, value: Any) -> Any:
        if self.kind == 'action':
            return value.name
        if self.kind == 'roles':
            return sorted(role.name for role in value)
        return value

    def describe(self) -> dict:
        """This setting as REST describes it to a client building a form."""
        return {'name': self.name, 'kind': self.kind, 'group': self.group,
                'allowed': [] if self.kind == 'text' else self.allowed,
                'multiple': self.kind == 'roles',
                'default': self.to_json(self.default),
                'label': self.label or self.name,
                'choices': ([] if self.kind == 'text'
                            else self.labelled_choices),
                'help': self.description}

    def default_text(self) -> str:
        value = self.to_json(self.default)
        if isinstance(value, list):
            return ', '.join(value)
        if isinstance(value, bool):
            return 'true' if value else 'false'
        return str(value)

    def _refusal(self, value: Any) -> str:
        return '{}: {!r} is not allowed; use {}{}'.format(
            self.name, value, 'a list of ' if self.kind == 'roles' else '',
            ' or '.join(', '.join(self.allowed).rsplit(', ', 1)))


# What each Mailman moderation action does to a post, as a form says it.
ACTION_LABELS = {
    'hold': 'Hold it for the moderators',
    'reject': 'Reject it, telling the sender why',
    'discard': 'Discard it without telling anyone',
    'accept': 'Accept it',
    'defer': 'Let the other checks decide',
}
ROLE_LABELS = {'member': 'Members', 'owner': 'Owners',
               'moderator': 'Moderators', 'nonmember': 'Non-members'}

KEY_CHANGE_WORKFLOWS = ('pgp-key-change-workflow',
                        'pgp-key-change-mod-workflow')

LIST_SETTINGS: tuple[ListSetting, ...] = (
    ListSetting('unsigned_msg_action', 'action', Action.reject,
                'Taken when a post is not signed.',
                label='When a post is not signed'),
    ListSetting('inline_pgp_action', 'action', Action.defer,
                'Taken when a post is signed with inline PGP instead of '
                'PGP/MIME (let the other checks decide: accept it like a '
                'PGP/MIME signature).',
                label='When a post is signed with inline PGP'),
    ListSetting('expired_sig_action', 'action', Action.reject,
                'Taken when the signature or the key that made it has '
                'expired.',
                label='When the signature or its key has expired'),
    ListSetting('revoked_sig_action', 'action', Action.reject,
                'Taken when the key that made the signature is revoked.',
                label='When the signing key is revoked'),
    ListSetting('invalid_sig_action', 'action', Action.reject,
                "Taken when the signature does not verify with the sender's "
                'confirmed key, or the sender has none.',
                label='When the signature does not verify'),
    ListSetting('duplicate_sig_action', 'action', Action.reject,
                'Taken when the same signature was already accepted before '
                '(a replayed post).',
                label='When a signature was seen before (a replay)'),
    ListSetting('strip_original_sig', 'bool', False,
                "Remove the poster's signature before distributing the post.",
                label="Remove the poster's signature"),
    ListSetting('sign_outgoing', 'bool', False,
                'Sign every post sent to members with the list key.',
                label='Sign posts with the list key'),
    ListSetting('nonencrypted_msg_action', 'action', Action.reject,
                'Taken when a post is not encrypted to the list key.',
                group='encryption',
                label='When a post is not encrypted'),
    ListSetting('encrypt_outgoing', 'bool', True,
                "Encrypt every post sent to members to the member's key.",
                group='encryption',
                label='Encrypt posts to each member'),
    ListSetting('key_change_workflow', 'choice',
                'pgp-key-change-mod-workflow',
                'What happens when a member changes their key: the new key '
                'is used once the member proves it, or once a moderator '
                'approves it too.', KEY_CHANGE_WORKFLOWS,
                group='keys', label='When a member changes their key',
                choice_labels=(
                    'Members change their key; the new one is used at once',
                    'Members change their key; a moderator approves the '
                    'new one')),
    ListSetting('key_signing_allowed', 'roles',
                frozenset({MemberRole.owner, MemberRole.moderator}),
                'Rosters whose members may certify the list key with their '
                'own key (the key sign email command).',
                group='keys', label='Who may certify the list key'),
    ListSetting('moderate_keys', 'bool', False,
                'Moderators approve every new subscriber key, even when the '
                'subscription policy does not moderate subscriptions.',
                group='keys', label='Moderators approve new keys'),
    ListSetting('delivery_mode', 'choice', 'individual',
                'Individual: one copy per member, encrypted to that key only '
                '(every mail program reads it).  Bulk: one copy per group '
                'of members with hidden key IDs (cheaper, but only some '
                'mail programs read it).', ('individual', 'bulk'),
                group='delivery', label='How posts are encrypted to members',
                choice_labels=('One copy per member', 'One copy per group '
                               'of members (bulk)')),
    ListSetting('outer_subject', 'text', '[...]',
                'The Subject shown outside the encryption; the real one '
                'travels encrypted (RFC 9788).', group='encryption',
                label='Subject shown outside the encryption'),
)

SETTING_GROUPS = ('signatures', 'encryption', 'delivery', 'keys')

SETTINGS_BY_NAME: dict[str, ListSetting] = {
    setting.name: setting for setting in LIST_SETTINGS}
public(LIST_SETTINGS=LIST_SETTINGS, SETTING_GROUPS=SETTING_GROUPS,
       SETTINGS_BY_NAME=SETTINGS_BY_NAME,
       KEY_CHANGE_WORKFLOWS=KEY_CHANGE_WORKFLOWS)


@public
def settings_table_rst() -> str:
    """The per-list settings as an RST table, for the docs."""
    rows = [('Setting', 'Default', 'Allowed values', 'Meaning')]
    for setting in LIST_SETTINGS:
        allowed = ('one line of text' if setting.kind == 'text'
                   else ', '.join(setting.allowed))
        rows.append(('``{}``'.format(setting.name),
                     '``{}``'.format(setting.default_text()),
                     allowed, setting.description))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    rule = '  '.join('=' * width for width in widths)
    lines = [rule, '  '.join(c.ljust(w) for c, w in zip(rows[0], widths)),
             rule]
    lines += ['  '.join(c.ljust(w) for c, w in zip(row, widths)).rstrip()
              for row in rows[1:]]
    lines.append(rule)
    return '\n'.join(lines) + '\n'
