"""The archive reader in a real headless Chromium: the member's browser
decrypts the archive with OpenPGP.js and a gpg-made private key that no
request carries; nothing is written to web storage; a hostile post is
shown as text."""

import base64
import re
import time

import pytest

from mailman_pgp.testing.gpg import Subscriber
from tests.web.chromium import shot

LIST = 'owl@example.com'
HOSTILE_SUBJECT = '<img src=x onerror="window.pwned=1">Hostile'
HOSTILE_BODY = ('<script>window.pwned = 2</script>'
                '<b onmouseover="window.pwned=3">bold</b> harmless words')
STORAGE = '''async () => ({
    local: localStorage.length,
    session: sessionStorage.length,
    indexedDB: (await indexedDB.databases()).length,
    caches: typeof caches === 'undefined' ? 0 : (await caches.keys()).length,
})'''


def _post(core, list_id, subject, body, *, reply_to=None) -> str:
    """A post by anne (signed, encrypted to the list); its Message-ID."""
    anne = core.anne
    fingerprint = core.web.rest('GET', f'plugins/pgp/lists/{list_id}/'
                                'pubkey')['key_fingerprint']
    message_id = f'<{subject.encode().hex()[:24]}.{time.time_ns()}@example.com>'
    mail = anne.encrypted_mail(LIST, subject, body, fingerprint,
                               message_id=message_id)
    if reply_to:
        mail = mail.replace(b'\nSubject: ', f'\nIn-Reply-To: {reply_to}\n'
                            f'References: {reply_to}\nSubject: '.encode(), 1)
    core.web.exchange.lmtp(mail, anne.email, LIST)
    return message_id


@pytest.fixture(scope='module')
def owl(core):
    """A PGP list whose archive holds a thread of two posts, another post
    and a hostile one."""
    web, anne = core.web, core.anne
    list_id = web.create_list(LIST)
    web.add_member(list_id, anne)
    anne.import_key(web.rest('GET', f'plugins/pgp/lists/{list_id}/pubkey')[
        'public_key'])
    first = _post(core, list_id, 'Nesting season', 'The barn owls are back.')
    # A reply under another subject: threaded by its References alone.
    _post(core, list_id, 'Eggs already',
          'Two eggs in the oak tree nest box.', reply_to=first)
    _post(core, list_id, 'Pellets', 'Dissecting pellets: voles mostly.')
    _post(core, list_id, HOSTILE_SUBJECT, HOSTILE_BODY)
    deadline = time.monotonic() + 90
    while web.rest('GET', f'plugins/pgp/lists/{list_id}/archive/'
                   f'{anne.email}')['count'] < 4:
        assert time.monotonic() < deadline, 'the posts were not archived'
        time.sleep(1)
    return list_id


def _member(core, list_id, name, algorithm, passphrase, tmp_path):
    """A new member with a gpg-made key; (subscriber, secret key file)."""
    email = f'{name}@example.com'
    subscriber = Subscriber(email, algorithm=algorithm)
    if passphrase:
        # gpg answers its own new-passphrase question from --passphrase.
        subscriber.gpg('--passphrase', passphrase, '--passwd',
                       subscriber.fingerprint)
    armored = subscriber.gpg('--passphrase', passphrase,
                             '--export-secret-keys', '--armor',
                             subscriber.fingerprint).stdout
    assert b'PRIVATE KEY' in armored
    path = tmp_path / 'my-key.asc'
    path.write_bytes(armored)
    core.web.add_member(list_id, subscriber)
    return subscriber, path


class Watcher:
    """Every request the page makes, with its URL, headers and body."""

    def __init__(self, page):
        self.requests = []
        self.errors = []
        page.on('request', lambda request: self.requests.append(request))
        page.on('pageerror', lambda error: self.errors.append(str(error)))

    def carried(self, secrets: list[bytes]) -> list[str]:
        """The requests that carry any of the secrets."""
        found = []
        for request in self.requests:
            data = b'\n'.join([
                request.url.encode(),
                '\n'.join(f'{k}: {v}' for k, v in
                          request.headers.items()).encode(),
                request.post_data_buffer or b''])
            if any(secret in data for secret in secrets):
                found.append(request.method + ' ' + request.url)
        return found


def _secrets(armored: bytes, passphrase: str) -> list[bytes]:
    """What would betray the key: its armored lines, its bytes in binary
    and in base64, the passphrase (also URL-encoded)."""
    lines = [line for line in armored.splitlines()
             if len(line) >= 40 and not line.startswith(b'-----')]
    body = b''.join(line for line in armored.splitlines()[2:]
                    if line and not line.startswith((b'-', b'=')))
    binary = base64.b64decode(body)
    # Whole 64-byte pieces: a few bytes could be in any picture.
    secrets = lines + [binary[i:i + 64] for i in range(0, len(binary) - 63,
                                                        64)]
    if passphrase:
        from urllib.parse import quote_plus
        secrets += [passphrase.encode(), quote_plus(passphrase).encode()]
    return secrets


def _open_reader(page, url, list_id, key_path, passphrase):
    page.goto(f'{url}/pgp/lists/{list_id}/archive/')
    page.click('a[href$="/archive/read/"]')
    page.wait_for_selector('form.pgp-reader-open')
    page.set_input_files('#pgp-reader-key', str(key_path))
    page.fill('#pgp-reader-passphrase', passphrase)
    page.click('form.pgp-reader-open button[type=submit]')


@pytest.mark.parametrize('algorithm,passphrase', [
    ('cv25519', ''), ('cv25519', 'owls at dusk'),
    ('rsa', ''), ('rsa', 'owls at dusk')],
    ids=['cv25519', 'cv25519-passphrase', 'rsa', 'rsa-passphrase'])
def test_member_reads_archive_decrypted_in_browser(site, core, owl, tmp_path,
                                                   algorithm, passphrase):
    url, as_user = site
    name = f'{algorithm}-{"locked" if passphrase else "open"}'
    subscriber, key_path = _member(core, owl, name, algorithm, passphrase,
                                   tmp_path)
    try:
        page = as_user(name, subscriber.email)
        watcher = Watcher(page)
        _open_reader(page, url, owl, key_path, passphrase)
        status = page.wait_for_selector('.pgp-reader-status.alert-success',
                                        timeout=60_000)
        list_fpr = core.web.rest('GET', f'plugins/pgp/lists/{owl}/pubkey')[
            'key_fingerprint']
        assert '4 posts in 3 threads' in status.inner_text()
        assert list_fpr[-4:] in status.inner_text()
        threads = page.locator('table.pgp-reader-threads tbody tr')
        assert threads.count() == 3
        row = threads.filter(has_text='Nesting season')
        assert row.locator('td').nth(1).inner_text() == '2'
        assert 'Anne' in row.locator('td').nth(2).inner_text()
        # The thread, its newest post open; the first one opens on click.
        row.locator('button').click()
        posts = page.locator('.pgp-reader-thread details.pgp-reader-post')
        assert posts.count() == 2
        assert 'Two eggs in the oak tree' in posts.nth(1).inner_text()
        posts.nth(0).locator('summary').click()
        assert 'The barn owls are back.' in posts.nth(0).locator(
            'pre').inner_text()
        shot(page, 'archive-reader')
        # Search within the decrypted text.
        page.fill('#pgp-reader-search', 'voles')
        page.wait_for_selector('text=1 of 4 posts contain')
        results = page.locator('.pgp-reader-results li')
        assert results.count() == 1
        results.locator('button').click()
        assert page.locator('.pgp-reader-thread mark').first.inner_text() \
            == 'voles'
        # The key and the passphrase went nowhere; nothing was stored.
        assert any(r.method == 'POST' and r.url.endswith('/archive/')
                   for r in watcher.requests)
        assert watcher.carried(_secrets(key_path.read_bytes(),
                                        passphrase)) == []
        assert page.evaluate(STORAGE) == {
            'local': 0, 'session': 0, 'indexedDB': 0, 'caches': 0}
        assert {c['name'] for c in page.context.cookies()} <= {
            'csrftoken', 'sessionid'}
        assert page.input_value('#pgp-reader-passphrase') == ''
        assert watcher.errors == []
        # Forget: the decrypted posts leave the page.
        page.click('button.pgp-reader-forget')
        assert 'voles' not in page.content()
        assert 'barn owls' not in page.content()
    finally:
        subscriber.close()


def test_hostile_post_is_shown_as_text(site, core, owl, tmp_path):
    url, as_user = site
    subscriber, key_path = _member(core, owl, 'hostile-reader', 'cv25519',
                                   '', tmp_path)
    try:
        page = as_user('hostile-reader', subscriber.email)
        _open_reader(page, url, owl, key_path, '')
        page.wait_for_selector('.pgp-reader-status.alert-success',
                               timeout=60_000)
        row = page.locator('table.pgp-reader-threads tbody tr',
                           has_text='Hostile')
        assert row.locator('button').inner_text() == '[Owl] ' + HOSTILE_SUBJECT
        row.locator('button').click()
        post = page.locator('.pgp-reader-thread details.pgp-reader-post')
        assert HOSTILE_BODY in post.locator('pre').inner_text()
        post.locator('pre').hover()
        reader = page.locator('section.pgp-reader')
        assert reader.locator('img, script, b').count() == 0
        assert page.evaluate('window.pwned') is None
    finally:
        subscriber.close()


def test_reader_says_what_is_wrong_with_the_key(site, core, owl, tmp_path):
    """A public key, a missing or wrong passphrase, someone else's key:
    each gets its own answer, and nothing is shown."""
    url, as_user = site
    subscriber, key_path = _member(core, owl, 'careful', 'cv25519',
                                   'right one', tmp_path)
    stranger = Subscriber('stranger@example.com')
    try:
        page = as_user('careful', subscriber.email)
        public = tmp_path / 'public.asc'
        public.write_text(subscriber.public_key())
        other = tmp_path / 'other.asc'
        other.write_text(stranger.private_key())
        for path, passphrase, answer in [
                (public, '', 'This file holds a public key'),
                (key_path, '', 'Your key is protected by a passphrase'),
                (key_path, 'wrong one', 'The passphrase does not unlock'),
                (other, '', 'This key cannot open the archive: it is '
                 'encrypted to key')]:
            _open_reader(page, url, owl, path, passphrase)
            status = page.wait_for_selector('.pgp-reader-status.alert-danger',
                                            timeout=60_000)
            assert answer in status.inner_text()
            assert page.locator('section.pgp-reader').is_hidden()
        assert re.search(r'key [0-9A-F]{16}', status.inner_text())
    finally:
        stranger.close()
        subscriber.close()
