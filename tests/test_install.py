"""Installing from the index alone.

The name mailman-pgp on the index also holds the 2017 release 0.3.0, which
pip picks on Python 3.13 when Mailman 3.3.10 cannot be installed (its
``nntplib`` requirement), with Mailman 3.3.9 and SQLAlchemy 2.1.  So every
install line names ``mailman-pgp>=0.4``, the plugin refuses to load beside
the wrong Mailman or SQLAlchemy, and the nntplib stand-in comes with the
package (``python -m mailman_pgp.nntplib_shim``).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile

from mailman_pgp.compat import system_libcrypto, version_problems
from mailman_pgp.nntplib_shim import NAME, REQUIRES, VERSION, write_wheel
from mailman_pgp.testing.instance import MailmanInstance

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class TestVersions(unittest.TestCase):
    def test_the_wrong_mailman_or_sqlalchemy_is_named(self):
        self.assertEqual(version_problems(), [])
        self.assertEqual(version_problems(
            {'mailman': '3.3.10', 'sqlalchemy': '2.0.36'}), [])
        self.assertEqual(version_problems(
            {'mailman': '3.3.9', 'sqlalchemy': '2.1.0'}), [
            "mailman-pgp needs mailman>=3.3.10,<3.4 but this Python has "
            "mailman 3.3.9: run pip install 'mailman>=3.3.10,<3.4' (in the "
            'environment that runs Mailman)',
            "mailman-pgp needs sqlalchemy>=2.0,<2.1 but this Python has "
            "sqlalchemy 2.1.0: run pip install 'sqlalchemy>=2.0,<2.1' (in "
            'the environment that runs Mailman)'])

    def test_an_openssl_before_3_is_named(self):
        # What this Python links: found in this process's memory map.
        self.assertIn('/libcrypto.so.3', system_libcrypto())
        self.assertEqual(version_problems(libcrypto=None), [])
        maps = ('7f2c59600000-7f2c59800000 r-xp 00000000 08:01 1234    '
                '          /usr/lib/x86_64-linux-gnu/libcrypto.so.1.1\n')
        old = system_libcrypto(maps)
        self.assertEqual(old, '/usr/lib/x86_64-linux-gnu/libcrypto.so.1.1')
        self.assertEqual(version_problems(libcrypto=old), [
            'mailman-pgp needs OpenSSL 3.0 or later, but this Python links '
            '/usr/lib/x86_64-linux-gnu/libcrypto.so.1.1: run Mailman on a '
            'Python built with OpenSSL 3 (Debian 12 and later, Ubuntu 22.04 '
            'and later)'])
        self.assertEqual(version_problems(
            libcrypto='/usr/lib/libcrypto.so.3'), [])

    def test_mailman_refuses_to_run_beside_sqlalchemy_2_1(self):
        # What pip installs for the 2017 release: SQLAlchemy 2.1 (here its
        # metadata only, found first on the path).
        fake = tempfile.mkdtemp(prefix='sa21-')
        self.addCleanup(shutil.rmtree, fake, True)
        info = os.path.join(fake, 'sqlalchemy-2.1.0.dist-info')
        os.makedirs(info)
        with open(os.path.join(info, 'METADATA'), 'w') as fp:
            fp.write('Metadata-Version: 2.1\nName: SQLAlchemy\n'
                     'Version: 2.1.0\n')
        site = MailmanInstance(tempfile.mkdtemp(prefix='mm-'))
        self.addCleanup(shutil.rmtree, site.root, True)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            p for p in (fake, os.environ.get('PYTHONPATH')) if p))
        result = subprocess.run(site._command() + ['info'], env=env,
                                capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 1, result.stdout)
        self.assertIn("mailman-pgp refuses to load:\n  mailman-pgp needs "
                      "sqlalchemy>=2.0,<2.1 but this Python has sqlalchemy "
                      "2.1.0: run pip install 'sqlalchemy>=2.0,<2.1'",
                      result.stderr)
        self.assertNotIn('Traceback', result.stderr)


class TestNntplibStandIn(unittest.TestCase):
    def test_wheel_is_the_source_trees_stand_in(self):
        with open(os.path.join(ROOT, 'scripts', 'nntplib-shim',
                               'pyproject.toml')) as fp:
            text = fp.read()
        self.assertIn('\nname = "{}"\n'.format(NAME), text)
        self.assertIn('\nversion = "{}"\n'.format(VERSION), text)
        self.assertIn("\ndependencies = ['{}']\n".format(REQUIRES), text)

    def test_module_prints_an_installable_wheel(self):
        directory = tempfile.mkdtemp(prefix='shim-')
        self.addCleanup(shutil.rmtree, directory, True)
        result = subprocess.run(
            [sys.executable, '-m', 'mailman_pgp.nntplib_shim', directory],
            capture_output=True, text=True, check=True)
        path = result.stdout.strip()
        self.assertEqual(path, os.path.join(
            directory, 'nntplib-3.13.0-py3-none-any.whl'))
        with zipfile.ZipFile(path) as wheel:
            metadata = wheel.read(
                'nntplib-3.13.0.dist-info/METADATA').decode()
            self.assertIn('Requires-Dist: standard-nntplib; python_version '
                          '>= "3.13"', metadata)
        with open(path, 'rb') as fp:
            first = fp.read()
        with open(write_wheel(directory), 'rb') as fp:
            self.assertEqual(fp.read(), first)


class TestDocs(unittest.TestCase):
    def test_every_install_line_names_0_4(self):
        paths = [os.path.join(ROOT, 'README.rst')] + [
            os.path.join(ROOT, 'docs', name)
            for name in sorted(os.listdir(os.path.join(ROOT, 'docs')))
            if name.endswith('.rst')]
        wrong = []
        for path in paths:
            with open(path, encoding='utf-8') as fp:
                for number, line in enumerate(fp, 1):
                    for match in re.finditer(
                            r"pip install[^\n`]*?(\S*mailman-pgp\S*)", line):
                        if '>=0.4' not in match.group(1):
                            wrong.append('{}:{}: {}'.format(
                                os.path.basename(path), number,
                                line.strip()))
        self.assertEqual(wrong, [])
