"""mailman-pgp: PGP-enabled mailing lists for GNU Mailman Core 3.3."""

from setuptools import find_namespace_packages, setup


setup(
    name='mailman-pgp',
    version='0.4.0',
    description='PGP-enabled mailing lists for GNU Mailman Core 3.3',
    long_description=open('README.rst', encoding='utf-8').read(),
    long_description_content_type='text/x-rst',
    license='GPLv3',
    python_requires='>=3.10,<3.14',
    package_dir={'': 'src'},
    # Data directories (templates, alembic scripts) are packages to
    # setuptools too: declared, so that the build does not warn of them.
    packages=find_namespace_packages(
        'src', include=['mailman_pgp*', 'django_pgpmailman*',
                        'mailman_rest_events*'],
        exclude=['*.__pycache__']),
    include_package_data=True,
    package_data={'mailman_pgp': [
        'config/*.cfg',
        'database/alembic/*.py',
        'database/alembic/*.mako',
        'database/alembic/versions/*.py',
        'templates/en/*.txt',
        'testing/*.cfg',
    ], 'django_pgpmailman': [
        'templates/*/*.html',
        'static/django_pgpmailman/*.js',
        'static/django_pgpmailman/*.css',
        'static/django_pgpmailman/openpgp/*',
    ], 'mailman_rest_events': ['config/*.cfg']},
    install_requires=[
        'mailman>=3.3.10,<3.4',
        # SQLAlchemy 2.1 breaks Mailman 3.3.10's queries (REST pagination,
        # find_members, email join).
        'sqlalchemy>=2.0,<2.1',
        # click 8.2+ changes only the look of two of Mailman's own help
        # texts; the plugin's commands read the same (docs/install.rst).
        'click>=8.0',
        # 43.0 (Debian 13's) is the oldest that passes the whole suite: 42
        # still runs ciphers through the legacy OpenSSL backend (+2.3 MiB
        # in every delivering process) and older ones decrypt RSA PKCS#1
        # v1.5 with CVE-2023-50782.  50.x is the newest tested; tox runs
        # both ends (oldest, py313).
        'cryptography>=43.0,<51',
        'PGPy==0.6.0',
        # falcon 4 warns (DeprecatedWarning) on every start of Mailman
        # 3.3.10's REST runner; falcon 3 does not install on Python 3.13.
        'falcon>=3.1.3,<4; python_version < "3.13"',
        'falcon>=4.0,<5; python_version >= "3.13"',
        'alembic>=1.6.2,!=1.7.0',
        'zope.interface>=5.0',
        'zope.event',
        'atpublic',
        'flufl.lock>=5.1',
        'lazr.config',
        # mailman-rest-events signs with the Standard Webhooks reference
        # library (pure Python, no dependencies).
        'standardwebhooks>=1.1,<2',
        # Python 3.13 removed nntplib (Mailman 3.3.10 imports it) and imghdr
        # (PGPy 0.6.0 imports it): the "dead batteries" from PyPI.
        'standard-nntplib; python_version >= "3.13"',
        'standard-imghdr; python_version >= "3.13"',
    ],
    extras_require={
        'test': ['pytest', 'pytest-xdist', 'hypothesis', 'psycopg2-binary', 'ruff',
                 # An Autocrypt implementation reads the list's headers.
                 'muacrypt==0.9.1'],
        'docs': ['sphinx'],
        # The web UI (src/django_pgpmailman), installed beside mailman-web.
        'web': ['mailman-web>=0.0.9', 'postorius>=1.3.13,<1.4',
                'hyperkitty>=1.3.12,<1.4', 'django-mailman3>=1.3.15,<1.4',
                'mailmanclient>=3.3.5', 'Django>=4.2,<4.3'],
        # Its tests: pytest-django, and Debian's chromium driven by playwright.
        'webtest': ['pytest-django', 'playwright'],
    },
    classifiers=[
        'Development Status :: 3 - Alpha',
        'Framework :: Mailman',
        'License :: OSI Approved :: GNU General Public License v3 (GPLv3)',
        'Programming Language :: Python :: 3.10',
        'Programming Language :: Python :: 3.11',
        'Programming Language :: Python :: 3.12',
        'Programming Language :: Python :: 3.13',
        'Topic :: Communications :: Email :: Mailing List Servers',
        'Topic :: Security :: Cryptography',
    ],
)
