"""The web UI in a real headless Chromium (Debian's, driven by playwright),
with gpg doing the subscriber's part."""

import time

from tests.web.chromium import download, shot

def test_owner_reads_index_downloads_key_changes_setting(site, core):
    url, as_user = site
    page = as_user('owner', 'owner@example.com')
    fingerprint = core.web.rest('GET', 'plugins/pgp/lists/ant.example.com/'
                                'pubkey')['key_fingerprint']
    row = page.locator('table.pgp-index tr', has_text='ant@example.com')
    grouped = ' '.join(fingerprint[i:i + 4] for i in range(0, 40, 4))
    assert row.locator('code.pgp-fingerprint').inner_text() == grouped
    assert page.locator('li.pgp-nav').count() >= 1
    shot(page, 'index')
    armored = download(page, 'table.pgp-index tr:has-text("ant@example.com")'
                       ' a.pgp-download')
    assert core.anne.import_key(armored.decode()) == fingerprint
    page.goto(url + '/pgp/lists/ant.example.com/')
    shot(page, 'list-info')
    page.goto(url + '/pgp/lists/ant.example.com/settings/')
    page.select_option('select[name=unsigned_msg_action]', 'hold')
    shot(page, 'settings')
    page.click('form.pgp-settings button[type=submit]')
    page.wait_for_selector('text=The settings were saved.')
    assert core.web.rest('GET', 'plugins/pgp/lists/ant.example.com')[
        'unsigned_msg_action'] == 'hold'
    page.select_option('select[name=unsigned_msg_action]', 'reject')
    page.click('form.pgp-settings button[type=submit]')
    page.wait_for_selector('text=The settings were saved.')


def test_subscriber_joins_sets_key_is_approved_and_posts(site, core):
    """Only the browser and gpg: join on Postorius' list page, set and
    prove the key on My keys; the moderator approves; dave posts."""
    from mailman_pgp.testing.gpg import Subscriber
    url, as_user = site
    list_id = core.web.create_list('dog@example.com')
    core.web.rest('PATCH', 'plugins/pgp/lists/' + list_id,
                  {'moderate_keys': True})
    core.web.add_role(list_id, 'mod@example.com', 'moderator')
    dave = Subscriber('dave@example.com', 'Dave')
    try:
        page = as_user('dave', dave.email)
        page.goto(url + f'/postorius/lists/{list_id}/')
        page.click(f'form[action$="/lists/{list_id}/subscribe"] '
                   '[type=submit]')
        page.wait_for_load_state()
        page.goto(url + '/pgp/keys/')
        page.fill('.pgp-step[data-waiting=key] textarea[name=key]',
                  dave.public_key())
        page.click('.pgp-step[data-waiting=key] button[type=submit]')
        page.wait_for_selector('text=Key set: ' + dave.fingerprint)
        shot(page, 'my-keys')
        encrypted = page.inner_text('pre.pgp-statement')
        statement = dave.gpg('--decrypt', input=encrypted,
                             check=False).stdout.decode()
        assert 'dave@example.com' in statement
        signed = dave.gpg('--clearsign', input=statement).stdout.decode()
        page.fill('.pgp-step[data-waiting=proof] textarea[name=signed]',
                  signed)
        page.click('.pgp-step[data-waiting=proof] button[type=submit]')
        page.wait_for_selector('text=A moderator will now approve')
        moderator = as_user('moderator', 'mod@example.com')
        moderator.goto(url + f'/pgp/lists/{list_id}/keys/')
        card = moderator.locator('.pgp-approval', has_text=dave.email)
        assert dave.fingerprint[:4] in card.inner_text()
        shot(moderator, 'approvals')
        card.locator('button[value=accept]').click()
        moderator.wait_for_selector('text=No key waits for approval.')
        members = core.web.rest('GET', f'lists/{list_id}/roster/member')
        assert [m['email'] for m in members['entries']] == [dave.email]
        # The list key from the list page, then a post by mail.
        page.goto(url + f'/pgp/lists/{list_id}/')
        list_key = download(page, 'a.pgp-download').decode()
        fingerprint = dave.import_key(list_key)
        exchange = core.web.exchange
        exchange.lmtp(dave.encrypted_mail('dog@example.com', 'From the web',
                                          'Joined in the browser.',
                                          fingerprint),
                      dave.email, 'dog@example.com')
        delivery = exchange.sink.wait_for(
            dave.email, match=lambda d: 'Joined in the browser.'.encode()
            in dave.decrypt(d.data).plaintext)
        assert dave.decrypt(delivery.data).signer in (None, fingerprint)
    finally:
        dave.close()


def test_member_downloads_and_decrypts_archive(site, core):
    url, as_user = site
    anne = core.anne
    fingerprint = core.web.rest('GET', 'plugins/pgp/lists/ant.example.com/'
                                'pubkey')['key_fingerprint']
    core.web.exchange.lmtp(anne.encrypted_mail(
        'ant@example.com', 'Browser archive', 'Seen in the browser test.',
        fingerprint), anne.email, 'ant@example.com')
    page = as_user('member', anne.email)
    page.goto(url + '/pgp/lists/ant.example.com/archive/')
    shot(page, 'archive')
    deadline = time.monotonic() + 60
    while True:
        data = download(page, 'form.pgp-archive button[type=submit]')
        decrypted = anne.decrypt(data)
        assert decrypted.ok
        assert decrypted.signer == fingerprint
        if b'Seen in the browser test.' in decrypted.plaintext:
            break
        assert time.monotonic() < deadline, 'the post was not archived'
        time.sleep(1)
