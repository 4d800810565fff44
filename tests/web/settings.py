"""Django settings of the web tests: mailman-web's, as docs/web.rst says.

The Core URL is set by the ``core`` fixture once its instance runs.
"""

import atexit
import os
import shutil
import tempfile

from mailman_pgp.testing.web import settings_text

_HERE = tempfile.mkdtemp(prefix='mailman-pgp-django-')
atexit.register(shutil.rmtree, _HERE, True)
exec(settings_text('http://127.0.0.1:1', os.path.join(_HERE, 'web.db'),
                   secret='tests-only'))

# Django's advice for test suites: a fast hasher (PBKDF2 took 0.18 s of CPU
# per password, and every test makes its six users and logs them in).
# The site itself keeps mailman-web's hashers.
PASSWORD_HASHERS = ['django.contrib.auth.hashers.MD5PasswordHasher']
