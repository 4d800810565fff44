"""Every page of django_pgpmailman against a real Core with the plugin."""


from django_pgpmailman import core as rest


def calls(function, *args, **kwargs):
    """(result, REST calls it made)."""
    before = rest.calls_made()
    result = function(*args, **kwargs)
    return result, rest.calls_made() - before


def test_index_one_call(as_user, core):
    client = as_user('anonymous')
    response, made = calls(client.get, '/pgp/lists/')
    assert response.status_code == 200
    page = response.content.decode()
    assert made == 1
    key = core.web.rest('GET', 'plugins/pgp/lists/ant.example.com/pubkey')
    fpr = key['key_fingerprint']
    assert ' '.join(fpr[i:i + 4] for i in range(0, 40, 4)) in page
    assert 'bee@example.com' in page
    assert 'plain@example.com' not in page
    assert 'Unsigned posts are rejected, and the sender is told why' in page
    assert '/pgp/lists/ant.example.com/key.asc' in page


def _gpg_fingerprint(who, armored: str) -> str:
    return who.import_key(armored)


def test_public_key_download(as_user, core):
    response = as_user('anonymous').get('/pgp/lists/ant.example.com/key.asc')
    assert response.status_code == 200
    assert response['Content-Type'] == 'application/pgp-keys'
    assert 'filename="ant.example.com.asc"' in response['Content-Disposition']
    expected = core.web.rest('GET', 'plugins/pgp/lists/ant.example.com/'
                             'pubkey')['key_fingerprint']
    assert _gpg_fingerprint(core.anne, response.content.decode()) == expected
    assert as_user('anonymous').get(
        '/pgp/lists/nothing.example.com/key.asc').status_code == 404


def test_list_info(as_user, core):
    page = as_user('anonymous').get('/pgp/lists/ant.example.com/')
    text = page.content.decode()
    assert page.status_code == 200
    assert 'HyperKitty would store the decrypted posts' in text
    assert 'Thunderbird' in text and 'Mailvelope' in text
    assert 'You on this list' not in text
    text = as_user('member').get('/pgp/lists/ant.example.com/')\
        .content.decode()
    assert 'You on this list' in text
    fpr = core.anne.fingerprint
    assert ' '.join(fpr[i:i + 4] for i in range(0, 40, 4)) in text
    assert as_user('anonymous').get(
        '/pgp/lists/plain.example.com/').status_code == 404
    assert as_user('anonymous').get(
        '/pgp/lists/nothing.example.com/').status_code == 404


def test_settings_change_seen_over_rest(as_user, core):
    """Settings in sections as Postorius lays them out, in words from the
    one declaration; a change saved on a section is seen over REST."""
    client = as_user('owner')
    base = '/pgp/lists/ant.example.com/settings/'
    text = client.get(base).content.decode()
    for title in ('Signatures', 'Encryption', 'Delivery', 'Subscriber keys',
                  'The list key'):
        assert f'">{title}</a>' in text, title
    assert '<title>Signatures | PGP settings | ant@example.com' in text
    assert '<label for="id_unsigned_msg_action" class="col-sm-4 ' \
           'col-form-label fw-bold">When a post is not signed</label>' in text
    assert 'aria-describedby="id_unsigned_msg_action_help"' in text
    assert '<option value="hold">Hold it for the moderators</option>' in text
    assert 'Unsigned msg action' not in text and '`' not in text
    keys = client.get(base + 'keys/').content.decode()
    assert ('Members change their key; a moderator approves the new one'
            in keys)
    # Postorius' header and tab bar, with the PGP tab active.
    assert 'href="/postorius/lists/ant.example.com/settings/"' in text \
        or 'href="/mailman3/lists/ant.example.com/settings/"' in text
    assert 'class="nav-item pgp-tab"' in text
    description = core.web.rest('GET', 'plugins/pgp/settings')
    for entry in description['entries']:
        page = client.get(base + entry['group'] + '/').content.decode()
        assert f'name="{entry["name"]}"' in page
    key_page = client.get(base + 'list-key/').content.decode()
    assert 'Downloading the private key is off on this site' in key_page
    signatures = {entry['name']: entry['default'] for entry in
                  description['entries'] if entry['group'] == 'signatures'
                  and entry['kind'] != 'bool'}
    response = client.post(base + 'signatures/',
                           dict(signatures, unsigned_msg_action='hold'))
    assert response.status_code == 302
    assert response['Location'] == base + 'signatures/'
    assert core.web.rest('GET', 'plugins/pgp/lists/ant.example.com')[
        'unsigned_msg_action'] == 'hold'
    response = client.post(base + 'keys/', {
        'key_signing_allowed': ['owner'],
        'key_change_workflow': 'pgp-key-change-mod-workflow'})
    assert response.status_code == 302
    settings = core.web.rest('GET', 'plugins/pgp/lists/ant.example.com')
    assert settings['key_signing_allowed'] == ['owner']
    form = {'nonencrypted_msg_action': 'reject', 'encrypt_outgoing': 'on',
            'outer_subject': 'x' * 300}
    response = client.post(base + 'encryption/', form)
    assert response.status_code == 200
    page = response.content.decode()
    # The error once, under its field, which says it is invalid.
    assert page.count('at most 200 characters') == 1
    assert 'id="id_outer_subject_errors"' in page
    assert 'aria-invalid="true"' in page
    client.post(base + 'signatures/', signatures)
    client.post(base + 'keys/', {
        'key_signing_allowed': ['owner', 'moderator'],
        'key_change_workflow': 'pgp-key-change-mod-workflow'})
    assert core.web.rest('GET', 'plugins/pgp/lists/ant.example.com')[
        'unsigned_msg_action'] == 'reject'
    assert client.get(base + 'nothing/').status_code == 404


def test_private_key_off_by_default(as_user):
    client = as_user('owner')
    response = client.post('/pgp/lists/ant.example.com/private-key.asc')
    assert response.status_code == 302
    page = client.get(response['Location']).content.decode()
    assert 'allow_read_private_key' in page
    assert 'Downloading the private key is off on this site' in page
    assert 'PRIVATE KEY' not in page


def test_navigation_entry(as_user):
    """The app's copy of Postorius' base template adds "PGP" to the
    navigation bar of every Postorius page too."""
    client = as_user('member')
    for path in ('/pgp/lists/', '/mailman3/lists/'):
        text = client.get(path).content.decode()
        assert 'class="nav-item pgp-nav"><a href="/pgp/lists/"' in text
        assert 'Postorius' in text


def test_wkd_routes_proxy(as_user, core, settings):
    from mailman_pgp.wkd import wkd_hash
    client = as_user('anonymous')
    assert client.get('/.well-known/openpgpkey/example.com/policy')\
        .status_code == 200
    assert client.get('/.well-known/openpgpkey/example.com/hu/'
                      + 'x' * 32).status_code == 404
    found = client.get('/.well-known/openpgpkey/example.com/hu/'
                       + wkd_hash('ant') + '?l=ant')
    assert found.status_code == 200
    assert found['Content-Type'] == 'application/octet-stream'
    assert found.content[:1] in (b'\x99', b'\xc6')  # a public key packet
    # The direct method: the request's host is the list domain (which the
    # site then lists in ALLOWED_HOSTS).
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, 'example.com']
    assert client.get('/.well-known/openpgpkey/hu/' + wkd_hash('ant'),
                      HTTP_HOST='example.com').status_code == 200


def test_rotate_and_extend_the_list_key(as_user, core):
    list_id = core.web.create_list('eel@example.com')
    core.web.add_role(list_id, 'owner@example.com', 'owner')
    old = core.web.rest('GET', f'plugins/pgp/lists/{list_id}/pubkey')
    client = as_user('owner')
    base = f'/pgp/lists/{list_id}/'
    # The default, on a brand-new key, is taken (it used to be refused).
    page = client.get(base + 'settings/list-key/').content.decode()
    assert 'value="730"' in page
    response = client.post(base + 'extend-key/', {'days': '730'})
    assert response.status_code == 302
    page = client.get(response['Location']).content.decode()
    expires = core.web.rest('GET', f'plugins/pgp/lists/{list_id}/pubkey')[
        'key_expires']
    assert f'The list key now expires on {expires}.' in page
    # Refused: the reason once, under the field, in words (no --days).
    response = client.post(base + 'extend-key/', {'days': '1'})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('already expires on') == 1
    assert 'id="id_extend_days_errors"' in page
    assert '--days' not in page and 'could not be renewed' not in page
    # Rotating mails every member: only with the box ticked.
    response = client.post(base + 'rotate-key/', {'grace_days': '7'})
    assert 'Tick this box to confirm.' in response.content.decode()
    assert core.web.rest('GET', f'plugins/pgp/lists/{list_id}/pubkey')[
        'key_fingerprint'] == old['key_fingerprint']
    page = client.post(base + 'rotate-key/', {
        'grace_days': '7', 'understood': 'on'}, follow=True).content.decode()
    new = core.web.rest('GET', f'plugins/pgp/lists/{list_id}/pubkey')
    assert new['key_fingerprint'] != old['key_fingerprint']
    assert 'New list key ' + new['key_fingerprint'] in page
    page = client.post(base + 'extend-key/', {'days': '900'},
                       follow=True).content.decode()
    expires = core.web.rest('GET', f'plugins/pgp/lists/{list_id}/pubkey')[
        'key_expires']
    assert f'The list key now expires on {expires}.' in page
    # A reload of a form's address is a page, not "405".
    for path in ('extend-key/', 'rotate-key/', 'private-key.asc'):
        response = client.get(base + path)
        assert response.status_code == 302
        assert response['Location'] == base + 'settings/list-key/'


def test_forbidden_pages_say_why(as_user):
    page = as_user('member').get('/pgp/lists/ant.example.com/settings/')
    assert page.status_code == 403
    assert 'You are not an owner of ant.example.com.' in \
        page.content.decode()
    page = as_user('member').get('/pgp/lists/ant.example.com/keys/')
    assert 'You are not a moderator or owner of ant.example.com.' in \
        page.content.decode()
    page = as_user('owner').get('/pgp/lists/ant.example.com/archive/')
    assert 'You are not a member of ant.example.com' in \
        page.content.decode()


def test_every_page_has_its_title(as_user):
    client = as_user('owner')
    for path, title in (
            ('/pgp/lists/', 'PGP lists'),
            ('/pgp/keys/', 'My keys'),
            ('/pgp/lists/ant.example.com/', 'PGP | ant@example.com'),
            ('/pgp/lists/ant.example.com/keys/',
             'Key approvals | ant@example.com'),
            ('/pgp/lists/ant.example.com/settings/list-key/',
             'The list key | PGP settings | ant@example.com')):
        page = client.get(path).content.decode()
        assert f'<title>{title} - ' in page, (path, page[:600])


def test_oversized_upload_refused_before_core(as_user):
    from django.core.files.uploadedfile import SimpleUploadedFile
    client = as_user('outsider')
    big = SimpleUploadedFile('key.asc', b'A' * (200 * 1024),
                             content_type='application/pgp-keys')
    response, made = calls(client.post, '/pgp/keys/ant.example.com/', {
        'email': 'nobody@example.com', 'action': 'set', 'token': 't',
        'key_file': big})
    assert response.status_code == 200
    assert 'The file is too large (over 128 KiB).' in \
        response.content.decode()
    # Only the page itself (index, the address's key, steps, memberships).
    assert made == 4


def test_core_unreachable_is_a_clear_page(as_user, settings):
    from mailman_pgp.testing.sink import free_port
    settings.MAILMAN_REST_API_URL = f'http://127.0.0.1:{free_port()}'
    response = as_user('anonymous').get('/pgp/lists/')
    assert response.status_code == 503
    assert 'Mailman Core cannot be reached' in response.content.decode()


def test_oversized_paste_gets_the_form_back(as_user, settings):
    """Beyond Django's limit for text fields: not a bare "Bad Request
    (400)", but the form's page saying why."""
    client = as_user('member')
    big = 'A' * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post('/pgp/keys/ant.example.com/', {
        'email': 'anne@example.com', 'action': 'revoke', 'revocation': big})
    assert response.status_code == 302
    page = client.get(response['Location'], follow=True).content.decode()
    assert 'What you sent is too large' in page
    assert '<h1>My keys</h1>' in page
