"""A real Core with the plugin for the web tests, and Django users.

Run with Django settings (test.sh does):
``DJANGO_SETTINGS_MODULE=tests.web.settings python -m pytest tests/web``
"""

import re
import shutil
import types

import pytest

from mailman_pgp.testing.gpg import Subscriber
from mailman_pgp.testing.instance import MAIL_RUNNERS
from mailman_pgp.testing.web import WebCore

ROLES = {'owner': 'owner@example.com', 'moderator': 'mod@example.com',
         'member': 'anne@example.com', 'outsider': 'nobody@example.com'}
PASSWORD = 'correct horse battery staple'


@pytest.fixture(scope='session')
def core(django_db_blocker):
    from django.conf import settings
    web = WebCore(runners=MAIL_RUNNERS).start()
    anne = Subscriber('anne@example.com', 'Anne')
    bob = Subscriber('bob@example.com', 'Bob')
    try:
        ant = web.create_list('ant@example.com', description='Ants only')
        web.create_list('bee@example.com')
        web.create_list('plain@example.com', style='legacy-default')
        for role in ('owner', 'moderator'):
            web.add_role(ant, ROLES[role], role)
        web.add_member(ant, anne)
        anne.import_key(web.rest('GET', 'plugins/pgp/lists/' + ant +
                                 '/pubkey')['public_key'])
        bob.import_key(web.rest('GET', 'plugins/pgp/lists/' + ant +
                                '/pubkey')['public_key'])
        settings.MAILMAN_REST_API_URL = web.rest_url
        yield types.SimpleNamespace(web=web, ant=ant, anne=anne, bob=bob)
    finally:
        anne.close()
        bob.close()
        web.stop()
        shutil.rmtree(web.root, ignore_errors=True)


def make_user(name: str, email: str, *, superuser: bool = False,
              verified: bool = True):
    from allauth.account.models import EmailAddress
    from django.contrib.auth.models import User
    user = User.objects.create_user(name, email, PASSWORD,
                                    is_superuser=superuser,
                                    is_staff=superuser)
    EmailAddress.objects.create(user=user, email=email, verified=verified,
                                primary=True)
    return user


@pytest.fixture
def users(db, core):
    made = {role: make_user(role, email) for role, email in ROLES.items()}
    made['admin'] = make_user('admin', 'admin@example.org', superuser=True)
    made['bob'] = make_user('bob', 'bob@example.com')
    return made


@pytest.fixture
def as_user(client, users):
    def login(role):
        if role == 'anonymous':
            client.logout()
        else:
            client.force_login(users[role])
        return client
    return login


@pytest.fixture(scope='module')
def browser():
    from tests.web.chromium import CHROMIUM, sync_api
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=['--no-sandbox'])
        yield browser
        browser.close()


@pytest.fixture
def site(live_server, browser, core, transactional_db):
    contexts = []

    def as_user(name, email=None, **kwargs):
        """A page logged in as ``name`` (made if new); None: anonymous."""
        from django.contrib.auth.models import User
        context = browser.new_context(accept_downloads=True,
                                      viewport={'width': 1200,
                                                'height': 900})
        contexts.append(context)
        page = context.new_page()
        if name is None:
            return page
        if not User.objects.filter(username=name).exists():
            make_user(name, email, **kwargs)
        page.goto(live_server.url + '/accounts/login/?next=/pgp/lists/')
        page.fill('input[name=login]', name)
        page.fill('input[name=password]', PASSWORD)
        page.click('form.login button[type=submit], '
                   'form button[type=submit]')
        page.wait_for_url(re.compile(r'.*/pgp/lists/$'))
        return page
    yield live_server.url, as_user
    for context in contexts:
        context.close()
