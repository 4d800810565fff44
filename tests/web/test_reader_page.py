"""The archive reader's page as the server sends it: to members only,
with a policy that lets no other site's script or request in, kept in no
cache, and with key inputs that no form submission can carry."""

import re

READER = '/pgp/lists/ant.example.com/archive/read/'


def test_reader_page_for_members(as_user):
    response = as_user('member').get(READER)
    assert response.status_code == 200
    policy = response['Content-Security-Policy']
    assert "script-src 'self' 'wasm-unsafe-eval'" in policy
    assert "connect-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert response['Cache-Control'] == 'no-store'
    html = response.content.decode()
    for field in ('pgp-reader-key', 'pgp-reader-passphrase'):
        tag = re.search(rf'<input[^>]*id="{field}"[^>]*>', html).group(0)
        assert ' name=' not in tag, tag
    assert 'openpgp/openpgp.min.mjs' in html
    assert as_user('member').post(READER).status_code == 405


def test_archive_page_links_to_reader(as_user):
    html = as_user('member').get(
        '/pgp/lists/ant.example.com/archive/').content.decode()
    assert f'href="{READER}"' in html
