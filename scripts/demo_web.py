"""./demo.sh --web: mailman-web with django-pgpmailman on a real Core.

A throwaway Mailman instance with the plugin (as the demo starts it), a
PGP list ant@example.com with an owner, a moderator and two members whose
GnuPG keys are confirmed, one post of anne's in the archive, and carol,
whose subscription waits for her key (set it on "My keys" with gpg
--homedir <her home>); the list has moderators approve new keys, so the
moderator then has carol's key to approve.  mailman-web runs on SQLite
with Django's runserver until Ctrl-C or SIGTERM; then everything this
script started is stopped and removed.
"""

import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from mailman_pgp.testing.gpg import Subscriber
from mailman_pgp.testing.sink import free_port
from mailman_pgp.testing.web import WebCore, settings_text

MAKE_USERS = '''
import sys
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User
for line in sys.stdin:
    name, email, password, admin = line.split()
    user = User.objects.create_user(name, email, password,
                                    is_superuser=admin == 'yes',
                                    is_staff=admin == 'yes')
    EmailAddress.objects.create(user=user, email=email, verified=True,
                                primary=True)
'''


def say(text: str = '') -> None:
    print(text, flush=True)


def _stop(signum, frame):
    raise KeyboardInterrupt


def main() -> int:
    root = tempfile.mkdtemp(prefix='mailman-pgp-web-demo-')
    core = WebCore(os.path.join(root, 'core'))
    people = {name: Subscriber(f'{name}@example.com', name.title())
              for name in ('anne', 'bart', 'carol')}
    server = None
    # Also when started in the background, where SIGINT is ignored.
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        say('starting Mailman Core with mailman-pgp in ' + root)
        core.start()
        ant = core.create_list('ant@example.com',
                               description='A PGP list for the demo')
        core.add_role(ant, 'owner@example.com', 'owner')
        core.add_role(ant, 'moderator@example.com', 'moderator')
        # The moderator approves new keys: carol's, once she proves it.
        core.rest('PATCH', 'plugins/pgp/lists/' + ant,
                  {'moderate_keys': True})
        list_key = core.rest('GET', f'plugins/pgp/lists/{ant}/pubkey')
        for person in people.values():
            person.import_key(list_key['public_key'])
        for name in ('anne', 'bart'):
            core.add_member(ant, people[name])
        core.subscribe(ant, people['carol'].email)
        # A post in the archive, signed by anne and encrypted to the list.
        core.exchange.lmtp(people['anne'].encrypted_mail(
            'ant@example.com', 'Welcome to the PGP list',
            'The first post, for the archive.',
            list_key['key_fingerprint']), people['anne'].email,
            'ant@example.com')
        web = os.path.join(root, 'web')
        os.makedirs(web)
        config = os.path.join(web, 'settings.py')
        with open(config, 'w') as fp:
            fp.write(settings_text(core.rest_url,
                                   os.path.join(web, 'mailman-web.db'),
                                   secret=secrets.token_urlsafe(32)))
        env = dict(os.environ, MAILMAN_WEB_CONFIG=config)
        env.pop('DJANGO_SETTINGS_MODULE', None)
        manage = os.path.join(os.path.dirname(sys.executable), 'mailman-web')
        say('preparing mailman-web (SQLite) in ' + web)
        subprocess.run([manage, 'migrate', '--no-input'], env=env,
                       check=True, capture_output=True)
        accounts = [('admin', 'admin@example.org', 'yes'),
                    ('owner', 'owner@example.com', 'no'),
                    ('moderator', 'moderator@example.com', 'no')] + [
            (name, f'{name}@example.com', 'no') for name in people]
        passwords = {name: secrets.token_urlsafe(9) for name, *_ in accounts}
        subprocess.run([manage, 'shell', '-c', MAKE_USERS], env=env,
                       check=True, capture_output=True, text=True,
                       input=''.join(f'{n} {e} {passwords[n]} {a}\n'
                                     for n, e, a in accounts))
        port = free_port()
        server = subprocess.Popen(
            [manage, 'runserver', '--insecure', '--noreload',
             f'127.0.0.1:{port}'], env=env,
            stdout=open(os.path.join(web, 'runserver.log'), 'w'),
            stderr=subprocess.STDOUT)
        core.instance._wait_for_port(port, 60)
        say()
        say(f'web: http://127.0.0.1:{port}/pgp/lists/')
        say(f'     (log in at http://127.0.0.1:{port}/accounts/login/)')
        for name, email, admin in accounts:
            role = {'admin': 'superuser', 'owner': 'list owner',
                    'moderator': 'list moderator'}.get(
                name, 'member with a confirmed key' if name != 'carol'
                else 'subscribing: her key is awaited')
            say(f'  {name:10} password {passwords[name]:14} {email:24} '
                f'{role}')
        say('GnuPG homes (each holds the list key too):')
        for name, person in people.items():
            say(f'  {name:10} gpg --homedir {person.home}')
        say(f'REST: {core.rest_url}/3.1/ (restadmin / restpass)')
        say(f'LMTP: 127.0.0.1:{core.instance.lmtp_port} (mail in; post as '
            'a member: sign and encrypt to the list key)')
        say(f'SMTP: 127.0.0.1:{core.exchange.sink.port} (mail out, kept '
            'by this process)')
        say('Running until Ctrl-C.')
        while server.poll() is None:
            time.sleep(1)
        say('runserver stopped (see runserver.log)')
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        say('stopping...')
        if server is not None and server.poll() is None:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
        core.stop()
        for person in people.values():
            person.close()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
