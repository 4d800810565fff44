"""The web UI's server time and REST round trips, with 2 and 200 PGP lists;
with --reader, the archive reader's speed in Chromium against gpg.

    .venv/bin/python benchmarks/web.py [--lists 200] [--runs 15]
    .venv/bin/python benchmarks/web.py --reader [--posts 1000] [--runs 5]

A real Core with the plugin (mailman_pgp.testing.web) and mailman-web with
django-pgpmailman in this process (Django's test client: server time, Core
over HTTP on 127.0.0.1).  Prints the median time of the PGP index, of the
owner settings page and, for scale in the same run, of Postorius' own list
index; and the REST calls each page makes, which must not grow with the
number of lists.  Needs ``pip install 'mailman-pgp[web]'``.

--reader: a PGP list whose archive holds 1,000 made-up posts in threads
(mailman_pgp.testing.archive), a member with a gpg-made key, mailman-web
served on 127.0.0.1 and Debian's Chromium (playwright, ``[webtest]``).
The first run fetches the archive from Core (the server's time is shown
apart); the timed runs get the same download again from the browser's
request routing, so they time the page load, OpenPGP.js decrypting and
checking the list's signature, parsing the mbox and listing the threads.
gpg decrypts (and checks) the same download in the same run; the ratio
is reader / gpg.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'src'))


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def setup_django(root: str, rest_url: str):
    from mailman_pgp.testing.web import settings_text
    with open(os.path.join(root, 'bench_settings.py'), 'w') as fp:
        fp.write(settings_text(rest_url, os.path.join(root, 'web.db'),
                               secret='benchmark'))
    sys.path.insert(0, root)
    os.environ['DJANGO_SETTINGS_MODULE'] = 'bench_settings'
    import django
    django.setup()
    from django.core.management import call_command
    call_command('migrate', verbosity=0)
    from allauth.account.models import EmailAddress
    from django.contrib.auth.models import User
    user = User.objects.create_user('owner', 'owner@example.com', 'x')
    EmailAddress.objects.create(user=user, email='owner@example.com',
                                verified=True, primary=True)
    from django.test import Client
    client = Client()
    client.force_login(user)
    return client


def measure(client, runs: int) -> dict:
    from django_pgpmailman import core

    def page(path):
        def get():
            response = client.get(path)
            assert response.status_code == 200, (path, response)
        before = core.calls_made()
        get()
        return core.calls_made() - before, median_ms(get, runs)

    return {'PGP index /pgp/lists/': page('/pgp/lists/'),
            'owner settings page': page(
                '/pgp/lists/l000.example.com/settings/'),
            "Postorius' list index": (None, median_ms(
                lambda: client.get('/postorius/lists/'), runs))}


def serve_django() -> str:
    """mailman-web (and its static files) on a free port, in threads."""
    import threading
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.servers.basehttp import (ThreadedWSGIServer,
                                              WSGIRequestHandler)
    from django.core.wsgi import get_wsgi_application

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadedWSGIServer(('127.0.0.1', 0), Quiet)
    server.set_app(StaticFilesHandler(get_wsgi_application()))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return 'http://127.0.0.1:{}'.format(server.server_port)


def reader(args) -> int:
    from playwright.sync_api import sync_playwright

    from mailman_pgp.testing.gpg import Subscriber
    from mailman_pgp.testing.web import WebCore
    root = tempfile.mkdtemp(prefix='mailman-pgp-bench-reader-')
    web = WebCore(os.path.join(root, 'core')).start()
    member = Subscriber('reader@example.com', algorithm=args.algorithm)
    try:
        list_id = web.create_list('big@example.com')
        web.add_member(list_id, member)
        member.import_key(web.rest('GET', f'plugins/pgp/lists/{list_id}/'
                                   'pubkey')['public_key'])
        start = time.monotonic()
        web.instance.mailman('shell', '-l', list_id, '-r',
                             'mailman_pgp.testing.archive.'
                             'shell_archive_posts', str(args.posts),
                             timeout=3600)
        print(f'{args.posts} posts archived ({time.monotonic() - start:.0f}'
              ' s)', flush=True)
        setup_django(root, web.rest_url)
        from allauth.account.models import EmailAddress
        from django.contrib.auth.models import User
        user = User.objects.create_user('reader', member.email, 'pw')
        EmailAddress.objects.create(user=user, email=member.email,
                                    verified=True, primary=True)
        key_path = os.path.join(root, 'my-key.asc')
        with open(key_path, 'w') as fp:
            fp.write(member.private_key())
        url = serve_django()
        page_url = f'{url}/pgp/lists/{list_id}/archive/read/'
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=os.environ.get('MAILMAN_PGP_CHROMIUM',
                                               '/usr/bin/chromium'),
                args=['--no-sandbox'])
            page = browser.new_page()
            page.goto(f'{url}/accounts/login/')
            page.fill('input[name=login]', 'reader')
            page.fill('input[name=password]', 'pw')
            page.click('form button[type=submit]')
            page.wait_for_load_state()

            def read() -> float:
                page.goto(page_url)
                page.set_input_files('#pgp-reader-key', key_path)
                began = time.perf_counter()
                page.click('form.pgp-reader-open button[type=submit]')
                status = page.wait_for_selector(
                    '.pgp-reader-status.alert-success, '
                    '.pgp-reader-status.alert-danger', timeout=3_600_000)
                took = time.perf_counter() - began
                assert f'{args.posts} posts' in status.inner_text(), \
                    status.inner_text()
                return took

            with page.expect_response(
                    lambda r: r.request.method == 'POST' and
                    r.url.endswith('/archive/'), timeout=3_600_000) as got:
                first = read()
            armored = got.value.body()
            page.route('**/archive/', lambda route: route.fulfill(
                status=200, content_type='application/pgp-encrypted',
                body=armored) if route.request.method == 'POST'
                else route.continue_())
            browser_ms = median_ms(read, args.runs)
            rows = page.locator('table.pgp-reader-threads tbody tr').count()
            browser.close()

        def gpg():
            result = member.gpg('--decrypt', input=armored)
            assert b'Topic 0' in result.stdout
            assert b'GOODSIG' in result.stderr
        gpg_ms = median_ms(gpg, args.runs)
        print(f'\narchive download: {len(armored) / 1e6:.1f} MB armored, '
              f'{rows} threads; first read with the server building it: '
              f'{first:.1f} s')
        print(f'{"reader in Chromium (load, decrypt, list)":<44} '
              f'{browser_ms:>9.0f} ms')
        print(f'{"gpg --decrypt of the same download":<44} '
              f'{gpg_ms:>9.0f} ms')
        print(f'{"ratio reader / gpg":<44} {browser_ms / gpg_ms:>11.1f}x')
        return 0
    finally:
        member.close()
        web.stop()
        shutil.rmtree(root, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--lists', type=int, default=200)
    parser.add_argument('--runs', type=int,
                        help='timed runs (15; 5 with --reader)')
    parser.add_argument('--reader', action='store_true',
                        help="the archive reader's speed instead")
    parser.add_argument('--posts', type=int, default=1000)
    parser.add_argument('--algorithm', default='cv25519',
                        choices=('cv25519', 'rsa'))
    args = parser.parse_args()
    if args.reader:
        os.environ.setdefault('DJANGO_ALLOW_ASYNC_UNSAFE', 'true')
        args.runs = args.runs or 5
        return reader(args)
    args.runs = args.runs or 15
    from mailman_pgp.testing.web import WebCore
    root = tempfile.mkdtemp(prefix='mailman-pgp-bench-web-')
    web = WebCore(os.path.join(root, 'core')).start()
    try:
        client = setup_django(root, web.rest_url)
        results = {}
        made = 0
        for count in (2, args.lists):
            start = time.monotonic()
            while made < count:
                list_id = web.create_list(f'l{made:03d}@example.com')
                if made == 0:
                    web.add_role(list_id, 'owner@example.com', 'owner')
                made += 1
            print(f'{count} PGP lists ready ({time.monotonic() - start:.0f}'
                  ' s to create)', flush=True)
            results[count] = measure(client, args.runs)
        few, many = results[2], results[args.lists]
        print(f'\n{"page":<26} {"REST calls":>12} {"2 lists":>10} '
              f'{args.lists:>6} lists {"vs Postorius":>13}')
        for name in few:
            calls = '-' if few[name][0] is None else \
                f'{few[name][0]} / {many[name][0]}'
            ratio = many[name][1] / many["Postorius' list index"][1]
            print(f'{name:<26} {calls:>12} {few[name][1]:>8.1f} ms '
                  f'{many[name][1]:>8.1f} ms {ratio:>12.2f}x')
        constant = all(few[n][0] == many[n][0] for n in few)
        print('\nREST calls per page constant in the number of lists:',
              'yes' if constant else 'NO')
        return 0 if constant else 1
    finally:
        web.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
