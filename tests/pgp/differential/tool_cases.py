"""The tool-made part of the corpus: keys and signatures from gpg, sq, sqop.

Made once per session in scratch directories (key generation is the slow
part, a few seconds). Case ids are fixed here so that pytest can name each
case before anything is generated.
"""

import hashlib
import os
import time
import shutil
import subprocess
import tempfile

from mailman_pgp.pgp import packets as P
from mailman_pgp.pgp.armor import dearmor

from .case import DATA, TEXTS, Case

GPG_CASES = (
    'gpg-subkey-default', 'gpg-primary', 'gpg-digest-SHA1',
    'gpg-digest-RIPEMD160', 'gpg-digest-MD5', 'gpg-digest-SHA224',
    'gpg-digest-SHA512', 'gpg-text-lf', 'gpg-text-crlf',
    'gpg-text-trailing-space', 'gpg-text-utf8', 'gpg-text-lone-cr',
    'gpg-two-signers', 'gpg-notation-critical', 'gpg-notation-noncritical',
    'gpg-future-2d', 'gpg-expired-key-signed-before',
    'gpg-revoked-key-signed-before', 'gpg-rsa1024', 'gpg-wrong-data',
    'gpg-armored',
)
SQ_CASES = (
    'sq-default', 'sq-notation-critical', 'sq-notation-noncritical',
    'sq-expired-key-signed-before', 'sq-revoked-retired-signed-before',
    'sq-revoked-compromised-signed-before',
    'sq-subkey-revoked-superseded-signed-before', 'sq-future-1d',
    'sq-at-key-creation',
)
SQOP_CASES = (
    'sqop-binary', 'sqop-text-lf', 'sqop-text-crlf', 'sqop-text-utf8',
    'sqop-text-trailing-space', 'sqop-wrong-data',
)
TOOL_CASES = GPG_CASES + SQ_CASES + SQOP_CASES


def _run(cmd, cwd, input=None) -> bytes:
    proc = subprocess.run(cmd, cwd=cwd, input=input, capture_output=True,
                          timeout=120, check=False)
    if proc.returncode != 0:
        raise RuntimeError('{} failed: {}'.format(
            ' '.join(cmd[:3]), proc.stderr.decode('utf-8', 'replace')))
    return proc.stdout


def _binary(data: bytes) -> bytes:
    return dearmor(data.decode()) if data.startswith(b'-----') else data


def now_sig(key: bytes, data: bytes, cwd: str) -> bytes | None:
    """A signature made now by sqop (Sequoia) with key, or None if Sequoia
    refuses to sign with it now (expired, revoked, no signing key)."""
    with open(os.path.join(cwd, 'now.key'), 'wb') as f:
        f.write(key)
    try:
        return _run(['sqop', 'sign', '--no-armor', 'now.key'], cwd, data)
    except RuntimeError:
        return None


class Gpg:
    def __init__(self, home):
        self.home = home

    def __call__(self, *args, input=None, faked=None) -> bytes:
        cmd = ['gpg', '--homedir', self.home, '--batch', '--yes',
               '--no-tty', '--pinentry-mode', 'loopback', '--passphrase', '',
               '--no-auto-check-trustdb', '--trust-model', 'always']
        if faked:
            cmd += ['--faked-system-time', faked + '!']
        return _run(cmd + list(args), self.home, input)

    def gen(self, uid, algo='ed25519', expire='never', faked=None,
            sub=True) -> str:
        self('--quick-gen-key', uid, algo, 'sign', expire, faked=faked)
        out = self('--with-colons', '--list-keys', uid).decode()
        fpr = next(line.split(':')[9] for line in out.splitlines()
                   if line.startswith('fpr:'))
        if sub:
            self('--quick-add-key', fpr, 'ed25519', 'sign', expire,
                 faked=faked)
        return fpr

    def sign(self, fpr, data, *opts, faked=None) -> bytes:
        return self('--detach-sign', '-u', fpr, *opts, '-o', '-',
                    input=data, faked=faked)


def gpg_cases(d) -> list:
    home = os.path.join(d, 'gnupg')
    os.mkdir(home, 0o700)
    g = Gpg(home)
    try:
        return _gpg_cases(g)
    finally:
        subprocess.run(['gpgconf', '--homedir', home, '--kill', 'all'],
                       capture_output=True, check=False)


def _gpg_cases(g) -> list:
    out = []
    fpr = g.gen('Gina <gina@example.org>')
    crt = g('--export', fpr)
    key = g('--export-secret-keys', fpr)

    def add(id, sig, data=DATA, cert=crt, secret=key):
        out.append(Case(id, [cert], data, _binary(sig), 'gpg',
                        secret=secret))
    add('gpg-subkey-default', g.sign(fpr, DATA))
    add('gpg-primary', g.sign(fpr + '!', DATA))
    for h in ('SHA1', 'RIPEMD160', 'MD5', 'SHA224', 'SHA512'):
        add(f'gpg-digest-{h}', g.sign(fpr, DATA, '--digest-algo', h))
    for name in ('lf', 'crlf', 'trailing-space', 'utf8', 'lone-cr'):
        add(f'gpg-text-{name}', g.sign(fpr, TEXTS[name], '--textmode'),
            TEXTS[name])
    add('gpg-two-signers', g('--detach-sign', '-u', fpr + '!', '-u', fpr,
                             '-o', '-', input=DATA))
    out[-1].count = 2
    add('gpg-notation-critical', g.sign(
        fpr, DATA, '--sig-notation', '!crit@example.org=1'))
    add('gpg-notation-noncritical', g.sign(
        fpr, DATA, '--sig-notation', 'note@example.org=1'))
    add('gpg-future-2d', g.sign(fpr, DATA, faked=_gpg_time(2)))
    add('gpg-wrong-data', g.sign(fpr, DATA), DATA + b'x')
    add('gpg-armored', g.sign(fpr, DATA, '--armor'))
    # A key that expired after 60 days, used on day 30.
    old = g.gen('Old <old@example.org>', expire='60d',
                faked='20240101T000000')
    add('gpg-expired-key-signed-before',
        g.sign(old, DATA, faked='20240131T000000'), cert=g('--export', old),
        secret=g('--export-secret-keys', old))
    rev = g.gen('Rev <rev@example.org>')
    sig = g.sign(rev, DATA)
    cert = _gpg_revoke(g, rev)
    add('gpg-revoked-key-signed-before', sig, cert=cert,
        secret=g('--export-secret-keys', rev))
    weak = g.gen('Weak <weak@example.org>', 'rsa1024', sub=False)
    add('gpg-rsa1024', g.sign(weak, DATA), cert=g('--export', weak),
        secret=g('--export-secret-keys', weak))
    return out


def _gpg_time(days) -> str:
    return time.strftime('%Y%m%dT%H%M%S',
                         time.gmtime(time.time() + days * 86400))


def _gpg_revoke(g, fpr) -> bytes:
    path = os.path.join(g.home, 'openpgp-revocs.d', fpr + '.rev')
    with open(path) as f:
        text = f.read().replace('\n:-----', '\n-----')
    g('--import', input=text.encode())
    return g('--export', fpr)


def sq_cases(d) -> list:
    out = []

    def sq(*args, input=None) -> bytes:
        return _run(['sq', *args], d, input)

    def key(name, *opts):
        path = os.path.join(d, name + '.key')
        if '--expires-in' not in opts:
            opts += ('--expires', 'never')
        sq('key', 'generate', '--userid', f'<{name}@example.org>',
           '--export', path, *opts)
        with open(path, 'rb') as f:
            secret = f.read()
        return path, secret, sq('key', 'extract-cert', '--binary', path)

    def sign(path, data=DATA, *opts):
        return sq('sign', '--detached', '--binary', '--signer-key', path,
                  *opts, input=data)

    def add(id, sig, cert, secret, data=DATA):
        out.append(Case(id, [cert], data, sig, 'sq', secret=secret))
    path, secret, crt = key('sam', '--creation-time', '2024-01-01')
    add('sq-default', sign(path), crt, secret)
    add('sq-notation-critical', sign(path, DATA, '--notation',
                                     '!crit@example.org', 'v'), crt, secret)
    add('sq-notation-noncritical', sign(path, DATA, '--notation',
                                        'note@example.org', 'v'), crt, secret)
    add('sq-future-1d', sign(path, DATA, '--time', _iso(1)), crt, secret)
    # sq signs no earlier than the key's creation; the signature made
    # before it is hand-made (signature-before-key-creation).
    add('sq-at-key-creation', sign(path, DATA, '--time',
                                       '2024-01-01T00:00:00Z'), crt, secret)
    path, secret, crt = key('exp', '--creation-time', '2024-01-01',
                            '--expires-in', '60d')
    add('sq-expired-key-signed-before', sign(
        path, DATA, '--time', '2024-01-31'), crt, secret)
    for reason in ('retired', 'compromised'):
        path, secret, crt = key('rev' + reason, '--creation-time',
                                '2024-01-01')
        sig = sign(path, DATA, '--time', '2024-01-31')
        rev = _binary(sq('revoke', 'certificate', '--certificate', path,
                         '--time', '2024-03-01', reason, 'test'))
        add(f'sq-revoked-{reason}-signed-before', sig,
            _insert_after_primary(crt, rev), secret)
    path, secret, crt = key('subrev', '--creation-time', '2024-01-01')
    sig = sign(path, DATA, '--time', '2024-01-31')
    signing = _signing_subkey(crt)
    # sq prints the whole key with the revocation in it.
    revoked = sq('revoke', 'subkey', '--certificate', path, '--time',
                 '2024-03-01', signing, 'superseded', 'test')
    add('sq-subkey-revoked-superseded-signed-before', sig,
        sq('key', 'extract-cert', '--binary', input=revoked), secret)
    return out


def _iso(days) -> str:
    return time.strftime('%Y-%m-%dT%H:%M:%SZ',
                         time.gmtime(time.time() + days * 86400))


def _insert_after_primary(cert: bytes, sig: bytes) -> bytes:
    first = next(iter(P.iter_packets(cert))).raw
    return first + sig + cert[len(first):]


def _signing_subkey(cert: bytes) -> str:
    """The fingerprint of the subkey whose binding has the sign flag."""
    current = None
    for p in P.iter_packets(cert):
        if p.tag == P.PUBLIC_SUBKEY:
            current = hashlib.sha1(b'\x99' + len(p.body).to_bytes(2, 'big')
                                   + p.body).hexdigest().upper()
        elif p.tag == P.SIGNATURE and current and p.body[1] == 0x18:
            hlen = int.from_bytes(p.body[4:6], 'big')
            hashed = p.body[6:6 + hlen]
            pos = 0
            while pos < len(hashed):
                n, kind = hashed[pos], hashed[pos + 1] & 0x7F
                if kind == 27 and hashed[pos + 2] & 0x02:
                    return current
                pos += 1 + n
    raise AssertionError('no signing subkey')


def sqop_cases(d) -> list:
    out = []
    secret = _run(['sqop', 'generate-key', '--no-armor',
                   '<sophie@example.org>'], d)
    with open(os.path.join(d, 'sophie.key'), 'wb') as f:
        f.write(secret)
    crt = _run(['sqop', 'extract-cert', '--no-armor'], d, secret)

    def sign(data, as_='binary'):
        return _run(['sqop', 'sign', '--no-armor', '--as', as_,
                     'sophie.key'], d, data)

    def add(id, sig, data=DATA):
        out.append(Case(id, [crt], data, sig, 'sqop', secret=secret))
    add('sqop-binary', sign(DATA))
    for name in ('lf', 'crlf', 'utf8', 'trailing-space'):
        add(f'sqop-text-{name}', sign(TEXTS[name], 'text'), TEXTS[name])
    add('sqop-wrong-data', sign(DATA), DATA + b'x')
    return out


def build(tools_present) -> list:
    """Every tool-made case whose tool is installed."""
    out = []
    d = tempfile.mkdtemp(prefix='mmpgp-diff-tools-')
    try:
        for tool, make in (('gpg', gpg_cases), ('sq', sq_cases),
                           ('sqop', sqop_cases)):
            if tools_present(tool):
                out.extend(make(d))
        for case in out:
            if case.count == 1:
                case.now_sig = now_sig(case.secret, case.data, d)
                case.now_refused = case.now_sig is None
            case.secret = None
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return out
