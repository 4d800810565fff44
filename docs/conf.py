"""Sphinx configuration for the mailman-pgp docs.

The pages are plain reStructuredText that reads on the forge too: the
per-list settings table and the shipped configuration files are copied
into them, and tests/test_docs.py keeps the copies in sync.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'src'))

project = 'mailman-pgp'
author = 'the mailman-pgp developers'
copyright = '2026, ' + author
extensions = []
exclude_patterns = ['_build']
html_theme = 'alabaster'
