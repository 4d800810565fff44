"""`pip install .` gives a working plugin: the wheel carries its data."""

import os
import subprocess
import sys
import tempfile
import unittest
import zipfile


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class TestWheel(unittest.TestCase):
    def test_wheel_contents(self):
        out = tempfile.mkdtemp()
        subprocess.run([sys.executable, '-m', 'pip', 'wheel', '-q',
                        '--no-deps', '-w', out, ROOT],
                       check=True, capture_output=True, timeout=300)
        wheel, = [name for name in os.listdir(out) if name.endswith('.whl')]
        names = set(zipfile.ZipFile(os.path.join(out, wheel)).namelist())
        for needed in ('mailman_pgp/config/mailman_pgp.cfg',
                       'mailman_pgp/config/mailman.cfg',
                       'mailman_pgp/testing/mailman_pgp.cfg',
                       'mailman_pgp/database/alembic/env.py',
                       'mailman_pgp/database/alembic/script.py.mako',
                       'mailman_pgp/plugin.py',
                       'mailman_pgp/pgp/__init__.py',
                       'django_pgpmailman/urls.py',
                       'django_pgpmailman/templates/django_pgpmailman/'
                       'index.html',
                       'django_pgpmailman/templates/postorius/base.html',
                       'mailman_rest_events/config/rest-events.cfg',
                       'mailman_rest_events/config/mailman.cfg',
                       'mailman_rest_events/runner.py'):
            self.assertIn(needed, names)
        self.assertTrue(any(name.startswith(
            'mailman_pgp/database/alembic/versions/') for name in names))
        metadata = [name for name in names if name.endswith('/METADATA')][0]
        text = zipfile.ZipFile(os.path.join(out, wheel)).read(
            metadata).decode()
        for pin in ('sqlalchemy<2.1,>=2.0', 'click>=8.0', 'PGPy==0.6.0',
                    'mailman<3.4,>=3.3.10', 'cryptography<51,>=43.0',
                    'falcon<4,>=3.1.3; python_version < "3.13"',
                    'falcon<5,>=4.0; python_version >= "3.13"',
                    'standard-nntplib; python_version >= "3.13"',
                    'standard-imghdr; python_version >= "3.13"',
                    'Requires-Python: >=3.10,<3.14',
                    'standardwebhooks<2,>=1.1'):
            self.assertIn(pin, text)
