"""Each role's main tasks in Chromium as people do them: the key change
pasted and uploaded, the way in from Postorius and back, the login that
returns to the PGP page, the keyboard alone, and pages that pass axe-core."""

import itertools
import os
import re

import pytest

from tests.web.chromium import barriers, shot


_LISTS = itertools.count(1)


@pytest.fixture
def dog(core):
    """A fresh PGP list, its owner and moderator; ``member(name)`` adds a
    member with a confirmed key."""
    from mailman_pgp.testing.gpg import Subscriber
    list_id = core.web.create_list(f'dog{next(_LISTS)}@example.com')
    core.web.add_role(list_id, 'mod@example.com', 'moderator')
    core.web.add_role(list_id, 'owner@example.com', 'owner')
    people = []

    def member(name: str):
        who = Subscriber(f'{name}@example.com', name.title())
        people.append(who)
        who.import_key(core.web.rest(
            'GET', f'plugins/pgp/lists/{list_id}/pubkey')['public_key'])
        core.web.add_member(list_id, who)
        return who
    yield list_id, member
    for who in people:
        who.close()


def _new_key_signed_by(old, tmp_path, by_new_key=False):
    """A new key for ``old``'s address, exported to a file, and a detached
    signature of that file by the current key (as the docs tell), or by
    the new key (a mistake)."""
    from mailman_pgp.testing.gpg import Subscriber
    new = Subscriber(old.email, 'New')
    key_file = tmp_path / 'new.asc'
    key_file.write_text(new.public_key())
    (new if by_new_key else old).gpg(
        '--armor', '--detach-sign', '--output', str(key_file) + '.asc',
        str(key_file))
    return new, key_file, tmp_path / 'new.asc.asc'


def _prove_change(page, new):
    """The proof step for the new key: decrypt, sign, paste back."""
    step = page.locator('.pgp-step[data-waiting=proof]')
    encrypted = step.locator('pre.pgp-statement').inner_text()
    statement = new.gpg('--decrypt', input=encrypted,
                        check=False).stdout.decode()
    step.locator('textarea[name=signed]').fill(
        new.gpg('--clearsign', input=statement).stdout.decode())
    step.locator('button[type=submit]').click()
    page.wait_for_selector('text=a moderator now approves the change')


@pytest.mark.parametrize('how', ['pasted', 'uploaded'])
def test_key_change(site, core, dog, tmp_path, how):
    """The key change, pasted into the boxes (this always failed: the form
    trimmed the key's last line break, which the signature covers) or
    uploaded; proven with the new key; approved by the moderator."""
    url, as_user = site
    list_id, member = dog
    name = 'fred' if how == 'pasted' else 'gina'
    old = member(name)
    new, key_file, signature_file = _new_key_signed_by(old, tmp_path)
    try:
        page = as_user(name, old.email)
        page.goto(url + '/pgp/keys/')
        manage = page.locator('details.pgp-manage', has_text=list_id)
        manage.locator('summary').click()
        form = manage.locator('form.pgp-change')
        if how == 'pasted':
            form.get_by_label('Your new public key').fill(
                key_file.read_text())
            form.get_by_label('Signature of the new key file').fill(
                signature_file.read_text())
        else:
            form.locator('input[name=key_file]').set_input_files(key_file)
            form.locator('input[name=signature_file]').set_input_files(
                signature_file)
        if how == 'pasted':
            shot(page, 'key-change')
        form.locator('button[type=submit]').click()
        page.wait_for_selector('text=Key change request received')
        _prove_change(page, new)
        moderator = as_user('moderator', 'mod@example.com')
        moderator.goto(url + f'/pgp/lists/{list_id}/keys/')
        card = moderator.locator('.pgp-approval', has_text=old.email)
        assert card.locator('.pgp-primary-uid').inner_text() == \
            f'New <{old.email}>'
        card.locator('button[value=accept]').click()
        grouped = ' '.join(new.fingerprint[i:i + 4] for i in range(0, 40, 4))
        moderator.wait_for_selector(
            f"text=Accepted {old.email}'s key {grouped}.")
        assert core.web.rest('GET', f'plugins/pgp/addresses/{old.email}/key'
                             )['key_fingerprint'] == new.fingerprint
    finally:
        new.close()


def test_key_change_signed_by_another_key_says_so(site, core, dog, tmp_path):
    """A signature by the new key, not the current one: the error says
    what failed, under the form, and reloading the address is a page."""
    url, as_user = site
    list_id, member = dog
    old = member('hugo')
    new, key_file, signature_file = _new_key_signed_by(old, tmp_path,
                                                       by_new_key=True)
    try:
        page = as_user('hugo', old.email)
        page.goto(url + '/pgp/keys/')
        manage = page.locator('details.pgp-manage', has_text=list_id)
        manage.locator('summary').click()
        form = manage.locator('form.pgp-change')
        form.get_by_label('Your new public key').fill(key_file.read_text())
        form.get_by_label('Signature of the new key file').fill(
            signature_file.read_text())
        form.locator('button[type=submit]').click()
        error = manage.locator('form.pgp-change .pgp-errors')
        error.wait_for()
        assert ('The signature does not verify with your current key '
                + old.fingerprint) in error.inner_text()
        assert 'Sign the key change request' not in page.content()
        # The failed form is open, with what was pasted still in it.
        assert manage.get_attribute('open') is not None
        # The address bar's address, opened again: a page, not a 405.
        assert page.url.endswith(f'/pgp/keys/{list_id}/')
        response = page.goto(page.url)
        assert response.status == 200
        assert page.url.endswith('/pgp/keys/')
        assert page.locator('h1').inner_text() == 'My keys'
    finally:
        new.close()


def test_login_returns_to_the_pgp_page(site):
    from django.contrib.auth.models import User

    from tests.web.conftest import PASSWORD, make_user
    url, as_user = site
    if not User.objects.filter(username='owner').exists():
        make_user('owner', 'owner@example.com')
    page = as_user(None)
    page.goto(url + '/pgp/lists/ant.example.com/settings/')
    assert '/accounts/login/' in page.url
    page.fill('input[name=login]', 'owner')
    page.fill('input[name=password]', PASSWORD)
    page.click('form.login button[type=submit], form button[type=submit]')
    page.wait_for_url(re.compile(r'.*/pgp/lists/ant\.example\.com/'
                                 r'settings/$'))
    # The Sign In link of a PGP page carries the page too.
    other = as_user(None)
    other.goto(url + '/pgp/lists/ant.example.com/')
    other.get_by_role('link', name='Sign In').first.click()
    assert 'next=/pgp/lists/ant.example.com/' in other.url


def test_pgp_tab_both_ways(site):
    """Postorius' list page has a PGP tab; the PGP page has Postorius'
    header and tabs."""
    url, as_user = site
    page = as_user('owner', 'owner@example.com')
    page.goto(url + '/postorius/lists/ant.example.com/')
    page.locator('li.pgp-tab a').click()
    page.wait_for_url(re.compile(r'.*/pgp/lists/ant\.example\.com/$'))
    assert page.locator('li.pgp-tab a').get_attribute('aria-current') == \
        'page'
    page.get_by_role('link', name='PGP settings').click()
    page.wait_for_url(re.compile(r'.*/pgp/lists/ant\.example\.com/'
                                 r'settings/$'))
    page.get_by_role('link', name='Held messages').click()
    page.wait_for_url(re.compile(r'.*/lists/ant\.example\.com/'
                                 r'held_messages'))
    plain = as_user('admin', 'admin@example.org', superuser=True)
    plain.goto(url + '/postorius/lists/plain.example.com/')
    assert plain.locator('li.pgp-tab').count() == 0


def test_keyboard_alone_changes_a_setting(site, core):
    """The owner changes a setting with Tab, a letter and Enter only."""
    url, as_user = site
    page = as_user('owner', 'owner@example.com')
    page.goto(url + '/pgp/lists/ant.example.com/settings/')

    def tab_to(selector: str) -> None:
        for _ in range(80):
            page.keyboard.press('Tab')
            if page.evaluate('s => document.activeElement.matches(s)',
                             selector):
                return
        raise AssertionError('Tab never reaches ' + selector)
    tab_to('select[name=inline_pgp_action]')
    page.keyboard.press('h')              # "Hold it for the moderators"
    tab_to('form.pgp-settings button[type=submit]')
    page.keyboard.press('Enter')
    page.wait_for_selector('text=The settings were saved.')
    assert core.web.rest('GET', 'plugins/pgp/lists/ant.example.com')[
        'inline_pgp_action'] == 'hold'
    core.web.rest('PATCH', 'plugins/pgp/lists/ant.example.com',
                  {'inline_pgp_action': 'defer'})


def _pages(core, list_id):
    """(who, path, screenshot) of every page, for each role that sees it."""
    base = f'/pgp/lists/{list_id}/'
    return [
        (None, '/pgp/lists/', 'index'),
        (None, base, None),
        ('member', base, 'list-info'),
        ('member', '/pgp/keys/', None),
        ('member', base + 'archive/', 'archive'),
        ('owner', base + 'settings/', 'settings'),
        ('owner', base + 'settings/keys/', 'settings-keys'),
        ('owner', base + 'settings/list-key/', 'settings-list-key'),
        ('moderator', base + 'keys/', 'approvals'),
        ('carol', '/pgp/keys/', 'my-keys'),
        ('member', base + 'settings/', None),       # 403
    ]


def test_every_page_passes_axe(site, core, dog):
    """No serious or critical axe-core violation on any page, as each
    role sees it (a key waiting for approval on the moderator's page, a
    key awaited on carol's)."""
    from mailman_pgp.testing.gpg import Subscriber
    url, as_user = site
    list_id, member = dog
    member('ivan')
    core.web.rest('PATCH', f'plugins/pgp/lists/{list_id}',
                  {'moderate_keys': True})
    jane = Subscriber('jane@example.com', 'Jane')
    carol = Subscriber('carol@example.com', 'Carol')
    try:
        jane.import_key(core.web.rest(
            'GET', f'plugins/pgp/lists/{list_id}/pubkey')['public_key'])
        core.web.subscribe(list_id, jane.email, pre_approved=False)
        core.web.set_and_prove_key(list_id, jane)
        assert core.web.rest('GET', f'plugins/pgp/lists/{list_id}/'
                             'approvals')['total_size'] == 1
        core.web.subscribe(list_id, carol.email)
        logins = {'member': ('ivan', 'ivan@example.com'),
                  'owner': ('owner', 'owner@example.com'),
                  'moderator': ('moderator', 'mod@example.com'),
                  'carol': ('carol', carol.email)}
        pages = {}
        found = {}
        for who, path, picture in _pages(core, list_id):
            if who not in pages:
                pages[who] = as_user(*logins[who]) if who else as_user(None)
            page = pages[who]
            page.goto(url + path)
            if picture:
                shot(page, picture)
            problems = barriers(page)
            if problems:
                found[f'{who} {path}'] = problems
        assert not found, '\n'.join(f'{where}: {problem}'
                                    for where, problems in found.items()
                                    for problem in problems)
    finally:
        jane.close()
        carol.close()


def test_docs_use_the_screenshots():
    here = os.path.dirname(__file__)
    with open(os.path.join(here, '..', '..', 'docs', 'web.rst')) as fp:
        docs = fp.read()
    for _who, _path, picture in _pages(None, 'x'):
        if picture:
            assert f'images/web/{picture}.png' in docs, picture
