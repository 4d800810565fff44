"""A real Core with the plugin for the web tests, and Django users.

Run with Django settings (test.sh does):
``DJANGO_SETTINGS_MODULE=tests.web.settings python -m pytest tests/web``
"""

import shutil
import types

import pytest

from mailman_pgp.testing.gpg import Subscriber
from mailman_pgp.testing.web import WebCore

ROLES = {'owner': 'owner@example.com', 'moderator': 'mod@example.com',
         'member': 'anne@example.com', 'outsider': 'nobody@example.com'}
PASSWORD = 'correct horse battery staple'


@pytest.fixture(scope='session')
def core(django_db_blocker):
    from django.conf import settings
    web = WebCore().start()
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
