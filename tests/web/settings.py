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
