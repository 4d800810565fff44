"""Sphinx configuration for the mailman-pgp docs.

The per-list settings table is generated from the one declaration in
``mailman_pgp.model.list_settings`` at build time.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'src'))

project = 'mailman-pgp'
author = 'the mailman-pgp developers'
copyright = '2026, ' + author
extensions = []
exclude_patterns = ['_build', '_generated/*.inc']
html_theme = 'alabaster'


def _generate(app):
    from mailman_pgp.model.list_settings import settings_table_rst
    target = os.path.join(HERE, '_generated')
    os.makedirs(target, exist_ok=True)
    path = os.path.join(target, 'settings_table.inc')
    text = settings_table_rst()
    try:
        with open(path) as fp:
            if fp.read() == text:
                return
    except FileNotFoundError:
        pass
    with open(path, 'w') as fp:
        fp.write(text)


def setup(app):
    app.connect('builder-inited', _generate)
