"""The web app talks to Core only over REST: it never imports Mailman,
the plugin or PGPy, in its source or at run time."""

import ast
import os
import subprocess
import sys
import tempfile

import django_pgpmailman

from mailman_pgp.testing.web import settings_text

APP = os.path.dirname(django_pgpmailman.__file__)
FORBIDDEN = ('mailman', 'mailman_pgp', 'pgpy', 'cryptography')


def test_no_forbidden_imports_in_source():
    for folder, _dirs, files in os.walk(APP):
        for name in files:
            if not name.endswith('.py'):
                continue
            path = os.path.join(folder, name)
            with open(path) as fp:
                tree = ast.parse(fp.read(), path)
            for node in ast.walk(tree):
                names = ([alias.name for alias in node.names]
                         if isinstance(node, ast.Import) else
                         [node.module or ''] if isinstance(
                             node, ast.ImportFrom) else [])
                for module in names:
                    assert module.split('.')[0] not in FORBIDDEN, (
                        path, module)


def test_no_forbidden_modules_loaded():
    root = tempfile.mkdtemp(prefix='mailman-pgp-boundary-')
    with open(os.path.join(root, 'boundary_settings.py'), 'w') as fp:
        fp.write(settings_text('http://127.0.0.1:1',
                               os.path.join(root, 'web.db'), secret='x'))
    script = (
        'import sys, django\n'
        'django.setup()\n'
        'from django.urls import resolve\n'
        'import django_pgpmailman.site_urls\n'
        'from django_pgpmailman.views import keys, lists, wkd\n'
        'resolve("/pgp/lists/")\n'
        f'print(sorted(m for m in sys.modules if m.split(".")[0] in '
        f'{FORBIDDEN!r}))\n')
    env = dict(os.environ, DJANGO_SETTINGS_MODULE='boundary_settings',
               PYTHONPATH=os.pathsep.join([root, os.environ.get(
                   'PYTHONPATH', '')]))
    out = subprocess.run([sys.executable, '-c', script], env=env, cwd=root,
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == '[]', out.stdout
