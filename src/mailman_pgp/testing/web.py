"""A real Core for the web UI's tests, demo and benchmark.

``WebCore`` starts a throwaway Mailman instance with the plugin (REST, LMTP
in, an SMTP sink out), creates PGP lists and puts people on their rosters
over REST (owners, moderators) or with their GnuPG key confirmed (members),
as the key workflows would.  ``settings_text`` is the mailman-web settings
file docs/web.rst describes, for a SQLite database.
"""

import os
import tempfile

from public import public


@public
class WebCore:
    def __init__(self, root: str | None = None,
                 runners: tuple[str, ...] | None = None):
        # Imported here: settings_text serves Django settings modules.
        from mailman_pgp.testing.exchange import Exchange
        self.root = root or tempfile.mkdtemp(prefix='mailman-pgp-web-')
        self.exchange = Exchange(os.path.join(self.root, 'core'),
                                 say=lambda *args: None, runners=runners)
        self.domains = set()

    @property
    def rest_url(self) -> str:
        return 'http://127.0.0.1:{}'.format(self.exchange.rest_port)

    @property
    def instance(self):
        return self.exchange.instance

    def start(self) -> 'WebCore':
        self.exchange.start()
        return self

    def stop(self) -> None:
        self.exchange.stop()

    def rest(self, method: str, path: str, data: dict | None = None):
        return self.exchange.rest(method, '/3.1/' + path.lstrip('/'), data)

    def create_list(self, fqdn: str, style: str = 'pgp-default',
                    **attributes) -> str:
        """A list (PGP unless ``style`` says otherwise); its list id."""
        domain = fqdn.split('@')[1]
        if domain not in self.domains:
            self.rest('POST', 'domains', {'mail_host': domain})
            self.domains.add(domain)
        self.rest('POST', 'lists', {'fqdn_listname': fqdn,
                                    'style_name': style})
        list_id = fqdn.replace('@', '.')
        if attributes:
            self.rest('PATCH', 'lists/' + list_id + '/config', attributes)
        return list_id

    def add_role(self, list_id: str, email: str, role: str) -> None:
        """Put ``email`` on the owner or moderator roster."""
        self.rest('POST', 'members', {
            'list_id': list_id, 'subscriber': email, 'role': role,
            'pre_verified': True, 'pre_confirmed': True,
            'pre_approved': True})

    def add_member(self, list_id: str, subscriber) -> None:
        """Subscribe a testing.gpg.Subscriber with its key confirmed."""
        path = os.path.join(self.root, subscriber.email + '.asc')
        with open(path, 'w') as fp:
            fp.write(subscriber.public_key())
        self.instance.mailman(
            'shell', '-l', list_id, '-r',
            'mailman_pgp.testing.members.shell_add_member',
            subscriber.email, path)

    def set_and_prove_key(self, list_id: str, subscriber) -> None:
        """Answer a subscription's key steps over REST, as the web UI does
        for ``subscriber`` (a testing.gpg.Subscriber holding the list key):
        set the key, decrypt the statement, sign it, send it back."""
        path = f'plugins/pgp/lists/{list_id}/keys/{subscriber.email}'
        for action in ('set', 'confirm'):
            steps = self.rest('GET', path)['pending']
            [step] = [s for s in steps
                      if s['waiting'] == ('key' if action == 'set'
                                          else 'proof')]
            if action == 'set':
                data = {'key': subscriber.public_key()}
            else:
                statement = subscriber.gpg(
                    '--decrypt', input=step['encrypted_statement'],
                    check=False).stdout.decode()
                data = {'signed': subscriber.gpg(
                    '--clearsign', input=statement).stdout.decode()}
            self.rest('POST', path, dict(data, action=action,
                                         token=step['token']))

    def subscribe(self, list_id: str, email: str,
                  pre_approved: bool = True) -> None:
        """Start a subscription as Postorius would: the key steps follow
        (then moderation, unless ``pre_approved``)."""
        self.rest('POST', 'members', {
            'list_id': list_id, 'subscriber': email, 'pre_verified': True,
            'pre_confirmed': True, 'pre_approved': pre_approved})


@public
def settings_text(rest_url: str, database: str, *, secret: str,
                  debug: bool = False) -> str:
    """mailman-web settings with the app, as docs/web.rst shows them."""
    return f'''\
from mailman_web.settings.base import *      # noqa: F401,F403
from mailman_web.settings.mailman import *   # noqa: F401,F403

# django-pgpmailman, before postorius: its navigation entry "PGP".
INSTALLED_APPS.insert(INSTALLED_APPS.index('postorius'), 'django_pgpmailman')
ROOT_URLCONF = 'django_pgpmailman.site_urls'

SECRET_KEY = {secret!r}
DEBUG = {debug!r}
ALLOWED_HOSTS = ['127.0.0.1', 'localhost', 'testserver']
DATABASES = {{'default': {{'ENGINE': 'django.db.backends.sqlite3',
                         'NAME': {database!r}}}}}
MAILMAN_REST_API_URL = {rest_url!r}
MAILMAN_REST_API_USER = 'restadmin'
MAILMAN_REST_API_PASS = 'restpass'
ACCOUNT_DEFAULT_HTTP_PROTOCOL = 'http'
EMAIL_BACKEND = 'django.core.mail.backends.console.EmailBackend'
COMPRESS_ENABLED = False
STATIC_ROOT = {os.path.join(os.path.dirname(database), 'static')!r}
HAYSTACK_CONNECTIONS = {{'default': {{
    'ENGINE': 'haystack.backends.whoosh_backend.WhooshEngine',
    'PATH': {os.path.join(os.path.dirname(database), 'fulltext_index')!r}}}}}
LOGGING = {{'version': 1, 'disable_existing_loggers': False}}
'''
