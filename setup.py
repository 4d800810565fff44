"""mailman-pgp: PGP-enabled mailing lists for GNU Mailman Core 3.3."""

from setuptools import find_packages, setup


setup(
    name='mailman-pgp',
    version='0.4.0.dev0',
    description='PGP-enabled mailing lists for GNU Mailman Core 3.3',
    long_description=open('README.rst', encoding='utf-8').read(),
    long_description_content_type='text/x-rst',
    license='GPLv3',
    python_requires='>=3.10,<3.13',
    package_dir={'': 'src'},
    packages=find_packages('src'),
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
    ], 'mailman_rest_events': ['config/*.cfg']},
    install_requires=[
        'mailman>=3.3.10,<3.4',
        # SQLAlchemy 2.1 breaks Mailman 3.3.10's queries (REST pagination,
        # find_members, email join); click 8.2 garbles its help texts.
        'sqlalchemy>=2.0,<2.1',
        'click<8.2',
        # PGPy 0.6.0 uses CFB from cryptography's deprecated location; only
        # this series is tested.
        'cryptography>=50.0,<51',
        'PGPy==0.6.0',
        'falcon>=3.1.3',
        'alembic>=1.6.2,!=1.7.0',
        'zope.interface>=5.0',
        'zope.event',
        'atpublic',
        'flufl.lock>=5.1',
        'lazr.config',
        # mailman-rest-events signs with the Standard Webhooks reference
        # library (pure Python, no dependencies).
        'standardwebhooks>=1.1,<2',
    ],
    extras_require={
        'test': ['pytest', 'hypothesis', 'psycopg2-binary', 'ruff',
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
        'Topic :: Communications :: Email :: Mailing List Servers',
        'Topic :: Security :: Cryptography',
    ],
)
