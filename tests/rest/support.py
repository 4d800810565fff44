"""Calling the plugin's REST API in-process, and pushing site options."""

import base64
import os
import tempfile
from contextlib import contextmanager

from falcon.testing import TestClient
from mailman.config import config

from mailman_pgp.config import SiteConfig, set_site_config, site_config
from mailman_pgp.keystore import reset_key_store
from mailman_pgp.pgp import generate_key, parse_key_spec

BASE = '/3.1/plugins/pgp/'
LINK = 'http://localhost:{}/3.1/plugins/pgp/'.format(
    os.environ.get('MAILMAN_PGP_TEST_REST_PORT', '9001'))


def auth_headers():
    token = f'{config.webservice.admin_user}:{config.webservice.admin_pass}'
    return {'Authorization': 'Basic ' + base64.b64encode(
        token.encode()).decode()}


def call(method, path, json=None, data=None, auth=True):
    """One in-process request; returns falcon's Result."""
    # Imported late: Mailman's REST modules need an initialized config.
    from mailman.rest.wsgiapp import make_application
    app = make_application()
    client = TestClient(lambda environ, start: app(environ, start))
    headers = auth_headers() if auth else {}
    kwargs = {'headers': headers}
    if json is not None:
        kwargs['json'] = json
    if data is not None:
        from urllib.parse import urlencode
        kwargs['body'] = urlencode(data, doseq=True)
        headers['Content-Type'] = 'application/x-www-form-urlencoded'
    return client.simulate_request(method, (BASE + path).rstrip('/'),
                                   **kwargs)


def core(method, path, data=None):
    """One in-process request to Mailman's own API (``/3.1/<path>``)."""
    from mailman.rest.wsgiapp import make_application
    app = make_application()
    client = TestClient(lambda environ, start: app(environ, start))
    headers = auth_headers()
    kwargs = {'headers': headers}
    if data is not None:
        from urllib.parse import urlencode
        kwargs['body'] = urlencode(data)
        headers['Content-Type'] = 'application/x-www-form-urlencoded'
    return client.simulate_request(method, '/3.1/' + path, **kwargs)


def description(result) -> str:
    return result.json['description']


def new_key(*uids):
    """A quick Ed25519/Curve25519 key pair with (name, email) user IDs."""
    return generate_key(parse_key_spec('EdDSA:Ed25519', 'primary'),
                        parse_key_spec('ECDH:Curve25519', 'sub'), list(uids))


@contextmanager
def site_options(**options):
    """Run with ``section__option='value'`` site options, then restore."""
    before = site_config()
    lines = []
    for section, values in before.raw.items():
        lines.append(f'[{section}]')
        for option, value in values.items():
            value = options.pop(f'{section}__{option}', value)
            lines.append(f'{option}: {value}')
    assert not options, options
    fd, path = tempfile.mkstemp(suffix='.cfg')
    with os.fdopen(fd, 'w') as fp:
        fp.write('\n'.join(lines) + '\n')
    try:
        set_site_config(SiteConfig.load(path, dict(config.paths)))
        reset_key_store()
        yield
    finally:
        os.unlink(path)
        set_site_config(before)
        reset_key_store()
