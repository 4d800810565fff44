"""The web UI's server time and REST round trips, with 2 and 200 PGP lists.

    .venv/bin/python benchmarks/web.py [--lists 200] [--runs 15]

A real Core with the plugin (mailman_pgp.testing.web) and mailman-web with
django-pgpmailman in this process (Django's test client: server time, Core
over HTTP on 127.0.0.1).  Prints the median time of the PGP index, of the
owner settings page and, for scale in the same run, of Postorius' own list
index; and the REST calls each page makes, which must not grow with the
number of lists.  Needs ``pip install 'mailman-pgp[web]'``.
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--lists', type=int, default=200)
    parser.add_argument('--runs', type=int, default=15)
    args = parser.parse_args()
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
