"""Forms: the settings form is built from Core's description of the
settings, so a new setting appears here without web code."""

from django import forms
from django.utils.translation import gettext_lazy as _

# Bigger than any sane public key, revocation or signed statement.
MAX_TEXT = 128 * 1024
_PRIVATE_MARKERS = ('PRIVATE KEY BLOCK', 'SECRET KEY BLOCK')

GROUP_TITLES = {
    'signatures': _('Signatures'),
    'encryption': _('Encryption'),
    'delivery': _('Delivery'),
    'keys': _('Keys'),
}


class SettingsForm(forms.Form):
    """Every per-list setting Core describes, grouped."""

    def __init__(self, description: dict, current: dict, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.description = description
        for entry in description['entries']:
            self.fields[entry['name']] = self._field(entry)
            value = current.get(entry['name'], entry['default'])
            self.initial[entry['name']] = value

    @staticmethod
    def _field(entry: dict) -> forms.Field:
        common = {'label': entry['name'].replace('_', ' ').capitalize(),
                  'help_text': entry['help']}
        choices = [(value, value) for value in entry['allowed']]
        if entry['kind'] == 'bool':
            return forms.BooleanField(required=False, **common)
        if entry['multiple']:
            return forms.MultipleChoiceField(
                choices=choices, required=False,
                widget=forms.CheckboxSelectMultiple, **common)
        if entry['kind'] == 'text':
            return forms.CharField(max_length=200, **common)
        return forms.ChoiceField(choices=choices, **common)

    def groups(self):
        """[(title, [bound fields])] in the order Core gives."""
        out = []
        for group in self.description['groups']:
            fields = [self[entry['name']]
                      for entry in self.description['entries']
                      if entry['group'] == group]
            if fields:
                out.append((GROUP_TITLES.get(group, group), fields))
        return out

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


def _text(cleaned: dict, name: str) -> str:
    """The text pasted into ``name``, or the file uploaded as
    ``name``_file; refuses private keys and oversized input."""
    upload = cleaned.get(name + '_file')
    text = cleaned.get(name) or ''
    if upload is not None:
        if upload.size > MAX_TEXT:
            raise forms.ValidationError(
                _('The file is too large (over %(size)d KiB).'),
                params={'size': MAX_TEXT // 1024})
        text = upload.read().decode('utf-8', 'replace')
    if len(text) > MAX_TEXT:
        raise forms.ValidationError(
            _('The text is too large (over %(size)d KiB).'),
            params={'size': MAX_TEXT // 1024})
    if any(marker in text for marker in _PRIVATE_MARKERS):
        raise forms.ValidationError(_(
            'This is a private key.  It was not stored or sent anywhere.  '
            'Send only your public key (gpg --armor --export), and consider '
            'that private key exposed.'))
    return text.replace('\r\n', '\n')


class KeyStepForm(forms.Form):
    """One key action for one of the user's addresses on one list."""

    REQUIRED = {'set': ('token', 'key'), 'confirm': ('token', 'signed'),
                'change': ('key', 'signature'), 'revoke': ('revocation',)}

    email = forms.EmailField(widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[(a, a) for a in REQUIRED],
                               widget=forms.HiddenInput)
    token = forms.CharField(required=False, max_length=100,
                            widget=forms.HiddenInput)
    key = forms.CharField(required=False, label=_('Public key (paste)'),
                          widget=forms.Textarea(attrs={'rows': 6}))
    key_file = forms.FileField(required=False, label=_('or upload it'))
    signed = forms.CharField(
        required=False, label=_('The statement, signed (gpg --clearsign)'),
        widget=forms.Textarea(attrs={'rows': 8}))
    signature = forms.CharField(
        required=False,
        label=_('Signature of the new key file by your current key '
                '(gpg --armor --detach-sign new.asc)'),
        widget=forms.Textarea(attrs={'rows': 6}))
    signature_file = forms.FileField(required=False,
                                     label=_('or upload new.asc.asc'))
    revocation = forms.CharField(
        required=False, label=_('Revocation certificate'),
        widget=forms.Textarea(attrs={'rows': 6}))
    revocation_file = forms.FileField(required=False,
                                      label=_('or upload it'))

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get('action')
        if action not in self.REQUIRED:
            return cleaned
        for name in self.REQUIRED[action]:
            try:
                value = (cleaned.get(name) or '' if name == 'token'
                         else _text(cleaned, name))
            except forms.ValidationError as error:
                self.add_error(name, error)
                continue
            if not value.strip():
                self.add_error(name, _('This field is required.'))
            cleaned[name] = value
        return cleaned

    def rest_data(self) -> dict:
        action = self.cleaned_data['action']
        data = {'action': action}
        for name in self.REQUIRED[action]:
            data[name] = self.cleaned_data[name]
        return data


class ArchiveForm(forms.Form):
    since = forms.DateField(required=False, label=_('From (YYYY-MM-DD)'))
    until = forms.DateField(required=False, label=_('Until (YYYY-MM-DD)'))

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get('since'), cleaned.get('until')
        if since and until and since > until:
            raise forms.ValidationError(_('"From" is after "Until".'))
        return cleaned
