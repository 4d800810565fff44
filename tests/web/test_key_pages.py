"""My keys, key approvals and the member archive, with gpg as the client."""

import os
import re
import time

from tests.web.conftest import make_user

SUBSCRIBER_PRIVATE = 'PRIVATE KEY BLOCK'


def _page(client, path='/pgp/keys/'):
    return client.get(path).content.decode()


def _statement(who, page: str) -> str:
    armored = re.search(r'-----BEGIN PGP MESSAGE-----.*?'
                        r'-----END PGP MESSAGE-----', page, re.S).group(0)
    import html
    return who.gpg('--decrypt', input=html.unescape(armored),
                   check=False).stdout.decode()


def test_set_and_confirm_a_key_in_the_browser_pages(as_user, core, caplog):
    bob = core.bob
    core.web.create_list('bee2@example.com')
    core.web.subscribe('bee2.example.com', bob.email)
    client = as_user('bob')
    page = _page(client)
    assert 'The list waits for your public key' in page
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    step = {'email': bob.email, 'action': 'set', 'token': token}
    # A private key pasted by mistake: refused here, never sent to Core.
    private = bob.private_key()
    response = client.post('/pgp/keys/bee2.example.com/',
                           dict(step, key=private))
    text = response.content.decode()
    assert 'This is a private key.  It was not stored' in text
    assert SUBSCRIBER_PRIVATE not in text
    assert SUBSCRIBER_PRIVATE not in caplog.text
    assert SUBSCRIBER_PRIVATE not in core.web.instance.log()
    # Garbage: said on the box, in words for a page (no gpg commands).
    response = client.post('/pgp/keys/bee2.example.com/',
                           dict(step, key='hello'))
    text = response.content.decode()
    assert 'This is not what the box asks for: paste the whole text, from ' \
        '-----BEGIN PGP PUBLIC KEY BLOCK-----' in text
    assert 'gpg --armor' not in text
    # The public key as a file upload.
    path = os.path.join(core.web.root, 'bob.asc')
    with open(path, 'w') as fp:
        fp.write(bob.public_key())
    with open(path, 'rb') as fp:
        response = client.post('/pgp/keys/bee2.example.com/',
                               dict(step, key_file=fp), follow=True)
    text = response.content.decode()
    assert 'Key set: ' + bob.fingerprint in text
    assert 'Prove that you hold the key' in text
    statement = _statement(bob, text)
    token = re.search(r'name="action" value="confirm"[^>]*><input type="hidden" '
                      r'name="token" value="([^"]+)"', text).group(1)
    assert token in statement
    signed = bob.gpg('--clearsign', input=statement).stdout.decode()
    response = client.post('/pgp/keys/bee2.example.com/', {
        'email': bob.email, 'action': 'confirm', 'token': token,
        'signed': signed.replace('\n', '\r\n')}, follow=True)
    text = response.content.decode()
    assert 'Key confirmed: ' + bob.fingerprint in text
    assert 'Confirmed: the lists encrypt to this key.' in text
    members = core.web.rest('GET', 'lists/bee2.example.com/roster/member')
    assert [m['email'] for m in members['entries']] == [bob.email]


def test_approve_a_key_with_a_hostile_uid(as_user, core, db):
    from mailman_pgp.testing.gpg import Subscriber
    list_id = core.web.create_list('cat@example.com')
    core.web.rest('PATCH', 'plugins/pgp/lists/' + list_id,
                  {'moderate_keys': True})
    core.web.add_role(list_id, 'mod@example.com', 'moderator')
    carl = Subscriber('carl@example.com', 'Carl')
    try:
        for n in range(25):
            carl.gpg('--quick-add-uid', carl.fingerprint,
                     f'Carl {n} <carl{n}@example.com>')
        # The newest user ID is the one gpg makes primary: shown first.
        carl.gpg('--quick-add-uid', carl.fingerprint,
                 '<script>alert(1)</script> <carl@example.com>')
        carl.import_key(core.web.rest(
            'GET', f'plugins/pgp/lists/{list_id}/pubkey')['public_key'])
        make_user('carl', carl.email)
        core.web.subscribe(list_id, carl.email, pre_approved=False)
        client = as_user('anonymous')
        client.force_login(__import__('django.contrib.auth.models', fromlist=[
            'User']).User.objects.get(username='carl'))
        page = _page(client)
        token = re.search(r'name="token" value="([^"]+)"', page).group(1)
        client.post(f'/pgp/keys/{list_id}/', {
            'email': carl.email, 'action': 'set', 'token': token,
            'key': carl.public_key()})
        page = _page(client)
        token = re.search(r'value="confirm"[^>]*><input type="hidden" '
                          r'name="token" value="([^"]+)"', page).group(1)
        signed = carl.gpg('--clearsign',
                          input=_statement(carl, page)).stdout.decode()
        response = client.post(f'/pgp/keys/{list_id}/', {
            'email': carl.email, 'action': 'confirm', 'token': token,
            'signed': signed}, follow=True)
        text = response.content.decode()
        assert 'A moderator will now approve' in text, re.findall(
            r'(?s)<div class="alert.*?</div>', text)
        moderator = as_user('moderator')
        page = _page(moderator, f'/pgp/lists/{list_id}/keys/')
        assert '<script>alert(1)</script>' not in page
        assert '&lt;script&gt;alert(1)&lt;/script&gt;' in page, re.findall(
            r'(?s)User IDs.{0,600}', page)
        # 27 user IDs: the primary one first, all others on request.
        assert 'Show all 26 other user IDs' in page
        assert page.count('carl@example.com') >= 2
        token = re.search(r'name="token" value="([^"]+)"', page).group(1)
        response = moderator.post(f'/pgp/lists/{list_id}/keys/', {
            'token': token, 'action': 'accept'}, follow=True)
        assert 'No key waits for approval.' in response.content.decode()
        members = core.web.rest('GET', f'lists/{list_id}/roster/member')
        assert [m['email'] for m in members['entries']] == [carl.email]
    finally:
        carl.close()


def test_member_archive_decrypts_with_gpg(as_user, core):
    anne, exchange = core.anne, core.web.exchange
    fingerprint = core.web.rest(
        'GET', 'plugins/pgp/lists/ant.example.com/pubkey')['key_fingerprint']
    exchange.lmtp(anne.encrypted_mail('ant@example.com', 'Archived post',
                                      'Only members read this.',
                                      fingerprint),
                  anne.email, 'ant@example.com')
    client = as_user('member')
    deadline = time.monotonic() + 60
    while True:
        response = client.post('/pgp/lists/ant.example.com/archive/', {})
        assert response.status_code == 200
        decrypted = anne.decrypt(response.content)
        assert decrypted.ok
        if b'Only members read this.' in decrypted.plaintext:
            break
        assert time.monotonic() < deadline, 'the post was not archived'
        time.sleep(1)
    assert response['Content-Type'] == 'application/pgp-encrypted'
    assert decrypted.signer == fingerprint
    assert b'Only members read this.' not in response.content
    response = client.post('/pgp/lists/ant.example.com/archive/',
                           {'since': '2999-01-01'})
    assert b'Only members read this.' not in anne.decrypt(
        response.content).plaintext
    response = client.post('/pgp/lists/ant.example.com/archive/',
                           {'since': 'soon'})
    assert 'Enter a valid date' in response.content.decode()


def test_pasted_key_change_keeps_the_signed_bytes(as_user, core, db):
    """The detached signature covers the key file to its last line break;
    pasted text (CRLF from the browser) must reach the check as gpg wrote
    it.  On the form that trimmed it, this always failed."""
    from mailman_pgp.testing.gpg import Subscriber
    list_id = core.web.create_list('fox@example.com')
    kim = Subscriber('kim@example.com', 'Kim')
    new = Subscriber('kim@example.com', 'Kim New')
    try:
        kim.import_key(core.web.rest(
            'GET', f'plugins/pgp/lists/{list_id}/pubkey')['public_key'])
        core.web.add_member(list_id, kim)
        make_user('kim', kim.email)
        client = as_user('anonymous')
        from django.contrib.auth.models import User
        client.force_login(User.objects.get(username='kim'))
        armored = new.public_key()
        assert armored.endswith('\n')
        signature = kim.gpg('--armor', '--detach-sign',
                            input=armored).stdout.decode()
        response = client.post(f'/pgp/keys/{list_id}/', {
            'email': kim.email, 'action': 'change',
            'key': armored.replace('\n', '\r\n'),
            'signature': signature.replace('\n', '\r\n')}, follow=True)
        text = response.content.decode()
        assert 'Key change request received' in text, re.findall(
            r'(?s)<div class="alert.*?</div>', text)
    finally:
        kim.close()
        new.close()
