"""The archive reader: the member's browser decrypts the archive.

The page only serves the reader; its script fetches the archive from the
download view (encrypted to the member's key, signed by the list) and
decrypts it with OpenPGP.js and a private key that never leaves the
browser.  Nothing decrypted reaches the server.
"""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from django_pgpmailman.access import require

# Scripts only from this site (the reader's and OpenPGP.js, whose Argon2
# is WebAssembly), requests only to it, pictures only from it (and the
# user's Gravatar in Postorius' header), no plugins, no framing: a post
# that slipped past the reader's text-only rendering still could not run
# script or send what it read away.
POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: https://secure.gravatar.com https://www.gravatar.com",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))


@require_GET
@require('member')
def archive_reader(request, list_id):
    response = render(request, 'django_pgpmailman/archive_reader.html', {
        'list_id': list_id})
    response['Content-Security-Policy'] = POLICY
    # Not kept in the HTTP cache or the back/forward cache: going back to
    # the page never brings a decrypted archive back.
    response['Cache-Control'] = 'no-store'
    response['Referrer-Policy'] = 'same-origin'
    return response
