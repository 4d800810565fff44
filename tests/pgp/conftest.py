"""Fixtures for the crypto facade tests: a real gpg in a temporary home."""

import os
import shutil
import subprocess
import tempfile

import pytest

from mailman_pgp.pgp import Key, generate_key, parse_key_spec

GPG = shutil.which('gpg') or '/usr/bin/gpg'


class GnuPG:
    """A gpg binary bound to its own GNUPGHOME."""

    def __init__(self, home):
        self.home = home

    def run(self, *args, input=None, check=True):
        cmd = [GPG, '--homedir', self.home, '--batch', '--yes',
               '--no-tty', '--pinentry-mode', 'loopback', '--passphrase', '',
               '--trust-model', 'always', '--status-fd', '2', *args]
        if isinstance(input, str):
            input = input.encode('utf-8')
        proc = subprocess.run(cmd, input=input, capture_output=True,
                              timeout=120, check=False)
        if check and proc.returncode != 0:
            raise AssertionError('gpg {} failed: {}'.format(
                ' '.join(args), proc.stderr.decode('utf-8', 'replace')))
        return proc

    def gen(self, uid, algo, usage='sign', sub=None, expire='never'):
        self.run('--quick-gen-key', uid, algo, usage, expire)
        fpr = self.fingerprint(uid)
        if sub:
            self.run('--quick-add-key', fpr, sub, 'encr', expire)
        return fpr

    def fingerprint(self, uid):
        out = self.run('--with-colons', '--list-keys', uid).stdout.decode()
        for line in out.splitlines():
            if line.startswith('fpr:'):
                return line.split(':')[9]
        raise AssertionError('no key for ' + uid)

    def export(self, fpr, secret=False):
        cmd = '--export-secret-keys' if secret else '--export'
        return self.run('--armor', cmd, fpr).stdout.decode()

    def import_(self, armored):
        return self.run('--import', input=armored)

    def status(self, proc):
        return proc.stderr.decode('utf-8', 'replace')


def new_home():
    home = tempfile.mkdtemp(prefix='mmpgp-gnupg-')
    os.chmod(home, 0o700)
    return home


@pytest.fixture(scope='session')
def gpg_session():
    home = new_home()
    yield GnuPG(home)
    subprocess.run(['gpgconf', '--homedir', home, '--kill', 'all'],
                   capture_output=True, check=False)
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def gpg():
    home = new_home()
    yield GnuPG(home)
    subprocess.run(['gpgconf', '--homedir', home, '--kill', 'all'],
                   capture_output=True, check=False)
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope='session')
def gpg_keys(gpg_session):
    """gpg-made keys: {'rsa': (fpr, Key secret), 'cv25519': (...)}."""
    g = gpg_session
    out = {}
    fpr = g.gen('RSA Sender <rsa@example.org>', 'rsa3072', 'sign',
                sub='rsa3072')
    out['rsa'] = (fpr, Key.load(g.export(fpr, secret=True)))
    fpr = g.gen('Cv Sender <cv@example.org>', 'ed25519', 'sign',
                sub='cv25519')
    out['cv25519'] = (fpr, Key.load(g.export(fpr, secret=True)))
    return out


@pytest.fixture(scope='session')
def list_keys():
    """Facade-made list keys: {'cv25519': Key, 'rsa': Key}."""
    cv = generate_key(parse_key_spec('EdDSA:Ed25519', 'primary'),
                      parse_key_spec('ECDH:Curve25519', 'sub'),
                      [('Test List', 'test@lists.example.com'),
                       ('Test List (requests)',
                        'test-request@lists.example.com')])
    rsa = generate_key(parse_key_spec('RSA:3072', 'primary'),
                       parse_key_spec('RSA:3072', 'sub'),
                       [('RSA List', 'rsa@lists.example.com')])
    return {'cv25519': cv, 'rsa': rsa}


@pytest.fixture(scope='session')
def gpg_world(gpg_session, gpg_keys, list_keys):
    """The session gpg holding the senders' secret keys and the lists'
    public keys; the facade holds the lists' secret keys."""
    for key in list_keys.values():
        gpg_session.import_(key.public_armor())
    return gpg_session


@pytest.fixture
def gpg2():
    """A second, empty gpg home (to check what another user would see)."""
    home = new_home()
    yield GnuPG(home)
    subprocess.run(['gpgconf', '--homedir', home, '--kill', 'all'],
                   capture_output=True, check=False)
    shutil.rmtree(home, ignore_errors=True)
