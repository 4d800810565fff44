"""Every owner and moderator page and action refuses members, non-members
and anonymous users; owners, moderators and superusers get through."""

import pytest

LIST = '/pgp/lists/ant.example.com/'
# (method, path, data, who may)
PAGES = [
    ('get', LIST + 'settings/', None, {'owner', 'admin'}),
    ('post', LIST + 'settings/', {'unsigned_msg_action': 'reject'},
     {'owner', 'admin'}),
    ('post', LIST + 'private-key.asc', {}, {'owner', 'admin'}),
    ('post', LIST + 'extend-key/', {'days': '1'}, {'owner', 'admin'}),
    ('post', LIST + 'rotate-key/', {'grace_days': '-1'}, {'owner', 'admin'}),
    ('get', LIST + 'keys/', None, {'owner', 'moderator', 'admin'}),
    ('post', LIST + 'keys/', {'token': 'x', 'action': 'accept'},
     {'owner', 'moderator', 'admin'}),
    ('get', LIST + 'archive/', None, {'member'}),
    ('post', LIST + 'archive/', {}, {'member'}),
    ('get', LIST + 'archive/read/', None, {'member'}),
]
WHO = ['anonymous', 'outsider', 'member', 'moderator', 'owner', 'admin']


@pytest.mark.parametrize('method,path,data,allowed', PAGES,
                         ids=[f'{m} {p}' for m, p, _d, _a in PAGES])
def test_roles(as_user, method, path, data, allowed):
    for who in WHO:
        client = as_user(who)
        if method == 'get':
            response = client.get(path)
        else:
            response = client.post(path, data)
        if who == 'anonymous':
            assert response.status_code == 302, who
            assert response['Location'].startswith('/accounts/login/'), who
        elif who in allowed:
            assert response.status_code in (200, 302), (who, response)
            if response.status_code == 302:
                assert 'login' not in response['Location'], who
        else:
            assert response.status_code == 403, (who, path)


def test_unverified_address_gives_no_role(db, core, client):
    from tests.web.conftest import make_user
    user = make_user('pretender', 'Owner@example.com', verified=False)
    client.force_login(user)
    assert client.get(LIST + 'settings/').status_code == 403
    assert client.get(LIST + 'keys/').status_code == 403


def test_key_steps_only_for_own_addresses(as_user):
    client = as_user('outsider')
    response = client.post('/pgp/keys/ant.example.com/', {
        'email': 'anne@example.com', 'action': 'revoke',
        'revocation': 'x'})
    assert response.status_code == 403
    assert as_user('anonymous').get('/pgp/keys/').status_code == 302


def test_no_get_changes_state(as_user, core):
    """A GET of a form's address (a reload after a failed submit) shows
    the form's page and changes nothing."""
    client = as_user('owner')
    before = core.web.rest('GET', 'plugins/pgp/lists/ant.example.com/pubkey')
    for path in ('private-key.asc', 'rotate-key/', 'extend-key/'):
        response = client.get(LIST + path)
        assert response.status_code == 302
        assert response['Location'] == LIST + 'settings/list-key/'
    assert client.get('/pgp/keys/ant.example.com/')['Location'] == \
        '/pgp/keys/'
    assert core.web.rest('GET', 'plugins/pgp/lists/ant.example.com/pubkey'
                         ) == before


def test_csrf_everywhere(users, core):
    from django.test import Client
    client = Client(enforce_csrf_checks=True)
    client.force_login(users['owner'])
    for path, data in ((LIST + 'settings/', {'sign_outgoing': 'on'}),
                       (LIST + 'keys/', {'token': 'x', 'action': 'accept'}),
                       (LIST + 'private-key.asc', {}),
                       (LIST + 'rotate-key/', {'grace_days': '1'}),
                       ('/pgp/keys/ant.example.com/', {})):
        assert client.post(path, data).status_code == 403, path
