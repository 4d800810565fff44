"""Forms: the settings form is built from Core's description of the
settings, so a new setting appears here without web code."""

from django import forms
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _

# Bigger than any sane public key, revocation or signed statement.
MAX_TEXT = 128 * 1024
_PRIVATE_MARKERS = ('PRIVATE KEY BLOCK', 'SECRET KEY BLOCK')

class DescribedField(BoundField):
    """A field whose input names its help text and its errors
    (``aria-describedby``) and says when it is invalid, so a screen reader
    hears them with the field and the page styles them beside it."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        described = []
        if self.help_text:
            described.append(self.auto_id + '_help')
        if self.errors:
            described.append(self.auto_id + '_errors')
            attrs['aria-invalid'] = 'true'
            css = (widget or self.field.widget).attrs.get('class', '')
            attrs['class'] = (css + ' is-invalid').strip()
        if described:
            attrs['aria-describedby'] = ' '.join(described)
        return attrs


class PageForm(forms.Form):
    """The app's forms: fields described as :class:`DescribedField`."""

    def __getitem__(self, name):
        if name not in self._bound_fields_cache and name in self.fields:
            self._bound_fields_cache[name] = DescribedField(
                self, self.fields[name], name)
        return super().__getitem__(name)


class SettingsForm(PageForm):
    """The per-list settings of one group (a section of the page), built
    from Core's description: labels, choices and help in words from the
    one declaration, so a new setting appears here without web code."""

    GROUP_TITLES = {
        'signatures': _('Signatures'),
        'encryption': _('Encryption'),
        'delivery': _('Delivery'),
        'keys': _('Subscriber keys'),
    }

    def __init__(self, description: dict, current: dict, group: str,
                 *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.description = description
        for entry in description['entries']:
            if entry['group'] != group:
                continue
            self.fields[entry['name']] = self._field(entry)
            self.initial[entry['name']] = current.get(entry['name'],
                                                      entry['default'])

    @staticmethod
    def _field(entry: dict) -> forms.Field:
        common = {'label': entry.get('label') or entry['name'],
                  'help_text': entry['help']}
        choices = [tuple(choice) for choice in entry.get('choices') or
                   [(value, value) for value in entry['allowed']]]
        if entry['kind'] == 'bool':
            return forms.BooleanField(required=False, widget=forms.CheckboxInput(
                attrs={'class': 'form-check-input'}), **common)
        if entry['multiple']:
            return forms.MultipleChoiceField(
                choices=choices, required=False,
                widget=forms.CheckboxSelectMultiple(
                    attrs={'class': 'form-check-input'}), **common)
        if entry['kind'] == 'text':
            return forms.CharField(max_length=200, widget=forms.TextInput(
                attrs={'class': 'form-control'}), **common)
        return forms.ChoiceField(choices=choices, widget=forms.Select(
            attrs={'class': 'form-select'}), **common)

    def rest_data(self) -> dict:
        """What changed, as Core's PATCH takes it."""
        data = {}
        for name in self.changed_data:
            value = self.cleaned_data[name]
            if isinstance(value, bool):
                value = 'true' if value else 'false'
            data[name] = value
        return data

    def add_core_errors(self, description: str) -> None:
        """Put each line of Core's 400 answer on the field it names."""
        for line in description.splitlines():
            name = line.split(':', 1)[0]
            self.add_error(name if name in self.fields else None, line)


class _KeyOperationForm(PageForm):
    """A list key operation: a number of days, maybe a confirmation."""

    number_field = 'days'

    def rest_data(self) -> dict:
        return {self.number_field: self.cleaned_data[self.number_field]}


class ExtendKeyForm(_KeyOperationForm):
    # The key lifetime a new list key gets ([keypairs] key_lifetime).
    days = forms.IntegerField(
        min_value=1, max_value=36500, initial=730,
        label=_('New expiry, in days from today'),
        help_text=_('The key and its fingerprint stay the same; members see '
                    'the new date when they refresh the list key.'),
        widget=forms.NumberInput(attrs={'class': 'form-control'}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id='id_extend_%s', **kwargs)

    def success(self, done: dict) -> str:
        return _('The list key now expires on %(day)s.') % {
            'day': done['expires']}


class RotateKeyForm(_KeyOperationForm):
    number_field = 'grace_days'
    grace_days = forms.IntegerField(
        min_value=0, max_value=3650, initial=30,
        label=_('Days the old key still decrypts'),
        help_text=_('Posts encrypted to the old key are still read for '
                    'this many days.'),
        widget=forms.NumberInput(attrs={'class': 'form-control'}))
    understood = forms.BooleanField(
        label=_('Yes, replace the list key and mail the new one to every '
                'member with a confirmed key.'),
        widget=forms.CheckboxInput(attrs={'class': 'form-check-input'}),
        error_messages={'required': _('Tick this box to confirm.')})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id='id_rotate_%s', **kwargs)

    def success(self, done: dict) -> str:
        return _('New list key %(new)s; %(sent)d member(s) were sent it.') % {
            'new': done['new_fingerprint'], 'sent': done['sent']}


class PastedText(forms.CharField):
    """Text pasted into a box, kept as the user's program produced it.

    Nothing is trimmed (a detached signature covers the key file to its
    last line break); line ends are normalised as in mail, CRLF (what
    browsers send) to LF (what gpg wrote).
    """

    def __init__(self, **kwargs):
        super().__init__(required=False, strip=False, widget=forms.Textarea(
            attrs={'rows': 6, 'class': 'form-control font-monospace',
                   'spellcheck': 'false'}), **kwargs)

    def to_python(self, value):
        return super().to_python(value).replace('\r\n', '\n')


def _refuse_private(text: str) -> None:
    if any(marker in text for marker in _PRIVATE_MARKERS):
        raise forms.ValidationError(_(
            'This is a private key.  It was not stored or sent anywhere.  '
            'Give only your public key, and consider that private key '
            'exposed.'), code='private')


def _uploaded(upload) -> str:
    """The file's text, as the user's program wrote it."""
    if upload.size > MAX_TEXT:
        raise forms.ValidationError(
            _('The file is too large (over %(size)d KiB).'),
            params={'size': MAX_TEXT // 1024}, code='size')
    text = upload.read().decode('utf-8', 'replace').replace('\r\n', '\n')
    _refuse_private(text)
    return text


# What each pasted box holds, by its armor (Core judges the rest).
_ARMOR = {'key': 'PGP PUBLIC KEY BLOCK', 'signature': 'PGP SIGNATURE'}


def _pasted(text: str, name: str) -> str:
    if len(text) > MAX_TEXT:
        raise forms.ValidationError(
            _('The text is too large (over %(size)d KiB).'),
            params={'size': MAX_TEXT // 1024}, code='size')
    _refuse_private(text)
    armor = _ARMOR.get(name)
    if text.strip() and armor and f'-----BEGIN {armor}-----' not in text:
        raise forms.ValidationError(
            _('This is not what the box asks for: paste the whole text, '
              'from -----BEGIN %(armor)s----- to -----END %(armor)s-----, '
              'or upload the file.'), params={'armor': armor},
            code='armor')
    return text


class KeyStepForm(PageForm):
    """One key action for one of the user's addresses on one list.

    Each text can be pasted or uploaded (``<name>_file``); an error is put
    on the box or the upload it comes from.
    """

    REQUIRED = {'set': ('token', 'key'), 'confirm': ('token', 'signed'),
                'change': ('key', 'signature'), 'revoke': ('revocation',)}
    # The label of each text box, per action, and of its upload.
    LABELS = {
        'set': {'key': _('Your public key')},
        'confirm': {'signed': _('The statement, signed with your key')},
        'change': {'key': _('Your new public key'),
                   'signature': _('Signature of the new key file, made '
                                  'with your current key')},
        'revoke': {'revocation': _('Revocation certificate')},
    }
    HELP = {
        'key': _('Paste the whole key, from -----BEGIN PGP PUBLIC KEY '
                 'BLOCK----- to the end, or upload the file your OpenPGP '
                 'program exported.'),
        'signature': _('A detached signature (.asc or .sig) of the new key '
                       'file exactly as exported, made with your current '
                       'key.'),
        'revocation': _('The revocation certificate your OpenPGP program '
                        'made for this key.'),
    }
    UPLOADS = ('key', 'signature', 'revocation')

    email = forms.EmailField(widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[(a, a) for a in REQUIRED],
                               widget=forms.HiddenInput)
    token = forms.CharField(required=False, max_length=100,
                            widget=forms.HiddenInput)
    key = PastedText()
    key_file = forms.FileField(required=False, widget=forms.FileInput(
        attrs={'class': 'form-control'}))
    signed = PastedText()
    signature = PastedText()
    signature_file = forms.FileField(required=False, widget=forms.FileInput(
        attrs={'class': 'form-control'}))
    revocation = PastedText()
    revocation_file = forms.FileField(required=False, widget=forms.FileInput(
        attrs={'class': 'form-control'}))
    # Actions that cannot be undone are ticked for, not just clicked.
    understood = forms.BooleanField(required=False, widget=forms.CheckboxInput(
        attrs={'class': 'form-check-input'}))
    CONFIRM = {'revoke': _('Yes, revoke this key.  The lists stop '
                           'encrypting to it and ask me for a new key.')}

    def __init__(self, *args, action: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        action = action or self.data.get('action')
        self.step = action if action in self.REQUIRED else None
        self.initial.setdefault('action', self.step)
        shown = self.REQUIRED.get(self.step, ())
        for name in ('key', 'signed', 'signature', 'revocation'):
            if name not in shown:
                continue
            field = self.fields[name]
            field.label = self.LABELS[self.step][name]
            field.help_text = self.HELP.get(name, '')
            if name in self.UPLOADS:
                self.fields[name + '_file'].label = _('or upload the file')
        if self.step in self.CONFIRM:
            self.fields['understood'].label = self.CONFIRM[self.step]

    @property
    def confirmation(self):
        """The "yes, I mean it" box, for actions that need one."""
        return self['understood'] if self.step in self.CONFIRM else None

    def boxes(self):
        """[(text box, its upload or None)] this action asks for."""
        return [(self[name], self[name + '_file'] if name in self.UPLOADS
                 else None)
                for name in self.REQUIRED.get(self.step, ()) if name != 'token']

    def clean(self):
        cleaned = super().clean()
        if self.step is None:
            return cleaned
        for name in self.REQUIRED[self.step]:
            if name == 'token':
                if not cleaned.get('token'):
                    self.add_error(None, _('This step has expired; reload '
                                           'the page.'))
                continue
            upload = cleaned.get(name + '_file')
            source = name + '_file' if upload is not None else name
            try:
                value = (_uploaded(upload) if upload is not None
                         else _pasted(cleaned.get(name) or '', name))
            except forms.ValidationError as error:
                if error.code == 'private':
                    # Never shown again, not even to its owner.
                    self.data = self.data.copy()
                    self.data[name] = ''
                self.add_error(source, error)
                continue
            if not value.strip():
                self.add_error(name, _('Paste the text here or upload the '
                                       'file.'))
            cleaned[name] = value
        if self.step in self.CONFIRM and not cleaned.get('understood'):
            self.add_error('understood', _('Tick this box to confirm.'))
        return cleaned

    def rest_data(self) -> dict:
        data = {'action': self.step}
        for name in self.REQUIRED[self.step]:
            data[name] = self.cleaned_data[name]
        return data


class ArchiveForm(PageForm):
    since = forms.DateField(
        required=False, label=_('From'),
        help_text=_('The first day, as YYYY-MM-DD; empty: from the start.'),
        widget=forms.DateInput(attrs={'class': 'form-control',
                                      'type': 'date'}))
    until = forms.DateField(
        required=False, label=_('Until'),
        help_text=_('The last day, as YYYY-MM-DD; empty: up to today.'),
        widget=forms.DateInput(attrs={'class': 'form-control',
                                      'type': 'date'}))

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get('since'), cleaned.get('until')
        if since and until and since > until:
            raise forms.ValidationError(_('"From" is after "Until".'))
        return cleaned
