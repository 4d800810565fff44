"""Protected headers: the legacy protected-headers="v1" form and RFC 9788.

On input, the inner Subject, From, To and Cc of a decrypted (or signed)
payload replace the outer placeholders, and legacy display parts are
dropped. On output, protect() injects the headers into the payload root
with hp="cipher" (and the v1 parameter older MUAs read) and obscures the
outer Subject as RFC 9788's baseline policy does.
"""

from email.message import Message

from public import public

from mailman_pgp.pgp.errors import guarded

PROTECTED = ('Subject', 'From', 'To')
# Who else gets the post and where replies go: with protected headers
# present, only the author's (inside) count; an outer one without an
# inside twin is not the author's.
INSIDE_ONLY = ('Cc', 'Reply-To', 'Followup-To')
INJECTED = ('Subject', 'From', 'To', 'Cc', 'Reply-To', 'Date', 'Message-ID',
            'In-Reply-To', 'References', 'Followup-To')
OBSCURED_SUBJECT = '[...]'
public(OBSCURED_SUBJECT=OBSCURED_SUBJECT)


@public
@guarded
def protection_of(part: Message) -> str | None:
    """'v1', 'cipher', 'clear' or None: the protected-headers form of a
    payload root part."""
    hp = part.get_param('hp')
    if isinstance(hp, str) and hp.lower() in ('cipher', 'clear'):
        return hp.lower()
    v1 = part.get_param('protected-headers')
    if isinstance(v1, str) and v1.lower() == 'v1':
        return 'v1'
    return None


def _drop_legacy_display(part: Message) -> None:
    """Remove a legacy display element: a first text/rfc822-headers part
    (Enigmail) or a text part with hp-legacy-display=1 (RFC 9788)."""
    if part.get_content_type() != 'multipart/mixed':
        return
    payload = part.get_payload()
    if not isinstance(payload, list) or len(payload) < 2:
        return
    first = payload[0]
    legacy = first.get_content_type() == 'text/rfc822-headers' and \
        protection_of(first) == 'v1'
    if legacy or str(first.get_param('hp-legacy-display') or '') == '1':
        # Delete in place: copies of the message share the payload list.
        del payload[0]


@public
@guarded
def apply_protected_headers(outer: Message, payload_root: Message, *,
                            modify_payload=True) -> dict:
    """Copy protected headers of payload_root onto outer; return them.

    Only when payload_root carries a protected-headers marker; the outer
    values are replaced, never merged, so the placeholder does not leak.
    Cc, Reply-To and Followup-To outside without a twin inside are
    dropped: whoever relayed the mail added them (Eve's Reply-To on Anne's
    signed post went to members as a protected header, and their replies
    to her).
    With modify_payload False (a signed payload) the payload is untouched.
    """
    form = protection_of(payload_root)
    if form is None:
        return {}
    found = {}
    for name in PROTECTED:
        values = payload_root.get_all(name)
        if values:
            found[name] = values[0]
            del outer[name]
            outer[name] = values[0]
    for name in INSIDE_ONLY:
        values = payload_root.get_all(name)
        del outer[name]
        if values:
            found[name] = values[0]
            outer[name] = values[0]
    del outer['HP-Outer']
    if modify_payload:
        _drop_legacy_display(payload_root)
        del payload_root['HP-Outer']
    return found


@public
@guarded
def protect(inner: Message, outer: Message, *, obscure_subject=True,
            form='cipher') -> None:
    """Inject outer's headers into the payload root inner (RFC 9788), with
    HP-Outer copies, and obscure the outer Subject."""
    for name in INJECTED:
        value = outer.get(name)
        if value is not None:
            del inner[name]
            inner[name] = value
    inner.set_param('protected-headers', 'v1')
    inner.set_param('hp', form)
    if obscure_subject and form == 'cipher' and outer.get('Subject'):
        del outer['Subject']
        outer['Subject'] = OBSCURED_SUBJECT
    for name in INJECTED:
        value = outer.get(name)
        if value is not None:
            inner['HP-Outer'] = f'{name}: {value}'
