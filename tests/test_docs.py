"""The docs read on the forge as in Sphinx: what they copy stays current.

The per-list settings table and the shipped configuration files are
copied into the pages (no ``include``/``literalinclude``, which a forge
does not render); these tests fail when a copy is out of date.
"""

import os
import unittest

from importlib.resources import files

from mailman_pgp.model.list_settings import settings_table_rst


DOCS = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), 'docs')


def page(name: str) -> str:
    with open(os.path.join(DOCS, name), encoding='utf-8') as fp:
        return fp.read()


def indented(text: str) -> str:
    """``text`` as a literal block's body (four spaces, blank lines bare)."""
    return '\n'.join('    ' + line if line.strip() else ''
                     for line in text.rstrip('\n').split('\n')) + '\n'


class TestCopiedIntoDocs(unittest.TestCase):
    def test_settings_table(self):
        table = settings_table_rst()
        self.assertIn(table, page('settings.rst'),
                      'docs/settings.rst: replace the table with:\n' + table)

    def test_wiring(self):
        wiring = files('mailman_pgp.config').joinpath(
            'mailman.cfg').read_text()
        for name in ('install.rst', 'guide-admin.rst'):
            self.assertIn(indented(wiring), page(name), name)

    def test_site_configuration(self):
        cfg = files('mailman_pgp.config').joinpath(
            'mailman_pgp.cfg').read_text()
        self.assertIn(indented(cfg), page('configuration.rst'))

    def test_no_includes(self):
        for name in os.listdir(DOCS):
            if name.endswith('.rst'):
                self.assertNotIn('include::', page(name), name)
