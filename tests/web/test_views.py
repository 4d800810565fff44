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
    client = as_user('owner')
    page = client.get('/pgp/lists/ant.example.com/settings/')
    text = page.content.decode()
    for title in ('Signatures', 'Encryption', 'Delivery', 'Keys'):
        assert f'<legend>{title}</legend>' in text
    description = core.web.rest('GET', 'plugins/pgp/settings')
    for entry in description['entries']:
        assert f'name="{entry["name"]}"' in text
    assert 'Private key download is off on this site' in text
    form = {entry['name']: entry['default'] for entry in
            description['entries'] if entry['kind'] != 'bool'}
    form['unsigned_msg_action'] = 'hold'
    form['key_signing_allowed'] = ['owner']
    form['encrypt_outgoing'] = 'on'
    response = client.post('/pgp/lists/ant.example.com/settings/', form)
    assert response.status_code == 302
    settings = core.web.rest('GET', 'plugins/pgp/lists/ant.example.com')
    assert settings['unsigned_msg_action'] == 'hold'
    assert settings['key_signing_allowed'] == ['owner']
    assert settings['encrypt_outgoing'] is True
    form['outer_subject'] = 'x' * 300
    response = client.post('/pgp/lists/ant.example.com/settings/', form)
    assert response.status_code == 200
    assert 'at most 200 characters' in response.content.decode()
    form.update(unsigned_msg_action='reject', outer_subject='[...]',
                key_signing_allowed=['owner', 'moderator'])
    client.post('/pgp/lists/ant.example.com/settings/', form)
    assert core.web.rest('GET', 'plugins/pgp/lists/ant.example.com')[
        'unsigned_msg_action'] == 'reject'


def test_private_key_off_by_default(as_user):
    client = as_user('owner')
    response = client.post('/pgp/lists/ant.example.com/private-key.asc')
    assert response.status_code == 302
    page = client.get(response['Location']).content.decode()
    assert 'allow_read_private_key' in page
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
    page = client.post(f'/pgp/lists/{list_id}/extend-key/', {'days': '1'},
                       follow=True).content.decode()
    assert 'already expires on' in page
    page = client.post(f'/pgp/lists/{list_id}/rotate-key/',
                       {'grace_days': '7'}, follow=True).content.decode()
    new = core.web.rest('GET', f'plugins/pgp/lists/{list_id}/pubkey')
    assert new['key_fingerprint'] != old['key_fingerprint']
    assert 'New list key ' + new['key_fingerprint'] in page
    page = client.post(f'/pgp/lists/{list_id}/extend-key/', {'days': '900'},
                       follow=True).content.decode()
    expires = core.web.rest('GET', f'plugins/pgp/lists/{list_id}/pubkey')[
        'key_expires']
    assert f'The list key now expires on {expires}.' in page


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
