"""Chromium for the browser tests: Debian's, driven by playwright.

Screenshots go to $MAILMAN_PGP_SCREENSHOTS when it is set (docs/web.rst
uses them).  Importing this module skips a test module, saying why, when
Chromium, sassc or playwright is missing; the fixtures ``browser`` and
``site`` are in conftest.py.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get('MAILMAN_PGP_CHROMIUM', '/usr/bin/chromium')
if not shutil.which(CHROMIUM):
    pytest.skip(f'no Chromium at {CHROMIUM} (apt-get install chromium)',
                allow_module_level=True)
if not shutil.which('sassc'):
    pytest.skip("no sassc: the login page's CSS (HyperKitty, django-mailman3) "
                'needs it (apt-get install sassc)', allow_module_level=True)
sync_api = pytest.importorskip(
    'playwright.sync_api',
    reason="the playwright package is missing (pip install "
    "'mailman-pgp[webtest]')")
# Playwright's sync API runs an event loop in this thread; Django's ORM
# (test users, the live server's database) is used from it knowingly.
os.environ.setdefault('DJANGO_ALLOW_ASYNC_UNSAFE', 'true')


def shot(page, name: str) -> None:
    """A full-page picture for the docs, when asked for."""
    target = os.environ.get('MAILMAN_PGP_SCREENSHOTS')
    if target:
        os.makedirs(target, exist_ok=True)
        page.screenshot(path=os.path.join(target, name + '.png'),
                        full_page=True)


def download(page, selector: str) -> bytes:
    with page.expect_download() as info:
        page.click(selector)
    with open(info.value.path(), 'rb') as fp:
        return fp.read()


AXE = os.path.join(os.path.dirname(__file__), 'axe', 'node_modules',
                   'axe-core', 'axe.min.js')
# What axe calls serious or critical: a barrier for some people.
BARRIERS = ('serious', 'critical')


def barriers(page) -> list[str]:
    """axe-core's serious and critical violations on the page, in words."""
    if not os.path.exists(AXE):
        pytest.skip('no axe-core: scripts/venv.sh runs npm ci in '
                    'tests/web/axe')
    page.add_script_tag(path=AXE)
    found = page.evaluate('''async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(
                n => n.target.join(' ') + ' ' + n.failureSummary)}));
    }''')
    return ['{id} ({impact}): {help}: {nodes}'.format(**v) for v in found
            if v['impact'] in BARRIERS]
