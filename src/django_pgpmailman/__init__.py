"""django-pgpmailman: the web UI of mailman-pgp, an app for mailman-web.

It talks to Mailman Core only over REST (``MAILMAN_REST_API_URL``), never
imports ``mailman`` or PGPy and never holds a private key.
"""
