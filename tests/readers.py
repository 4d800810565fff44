"""What a member's program says about a copy: gpg, RNP, sq and OpenPGP.js.

Each reader decrypts the copy with the member's secret key, takes the
author's key from the ``Autocrypt-Gossip`` header inside the encryption,
finds the author's signature as a mail program does (a multipart/signed:
its first part's bytes as they stand in the decrypted text, CRLF; or a
clearsigned block in a text part) and checks it with its own code.
RNP is Thunderbird's OpenPGP library; OpenPGP.js is Mailvelope's and
Proton's.  A reader that is not installed is reported by ``missing()``.
"""

import base64
import email
import json
import os
import re
import shutil
import subprocess
import tempfile

from dataclasses import dataclass

from mailman_pgp.pgp import Key
from mailman_pgp.pgp.armor import PUBLIC_KEY, armor

INTEROP = os.path.join(os.path.dirname(__file__), 'pgp', 'interop')
TIMEOUT = 120
READERS = ('gpg', 'rnp', 'sq', 'openpgpjs')


@dataclass
class Reading:
    """What one reader reported for one copy."""
    plaintext: bytes
    author_good: bool          # a good signature by the gossiped key
    author_fingerprint: str    # the gossiped key's fingerprint
    list_good: bool            # a good list signature on the encryption
    form: str                  # 'detached' or 'cleartext'


def missing(reader: str) -> str | None:
    need = {'gpg': ['gpg'], 'rnp': ['rnp', 'rnpkeys'], 'sq': ['sq'],
            'openpgpjs': ['node']}[reader]
    absent = [tool for tool in need if shutil.which(tool) is None]
    if absent:
        return '{} not installed'.format(', '.join(absent))
    if reader == 'openpgpjs' and not os.path.isdir(
            os.path.join(INTEROP, 'node_modules', 'openpgp')):
        return 'OpenPGP.js not installed (npm ci in tests/pgp/interop)'
    return None


def _run(cmd, input=None, check=True):
    if isinstance(input, str):
        input = input.encode('utf-8')
    proc = subprocess.run(cmd, input=input, capture_output=True,
                          timeout=TIMEOUT, check=False,
                          cwd=INTEROP if cmd[0] == 'node' else None)
    if check and proc.returncode != 0:
        raise AssertionError('{} failed ({}): {}'.format(
            ' '.join(cmd[:3]), proc.returncode,
            proc.stderr.decode('utf-8', 'replace')))
    return proc


def ciphertext(raw: bytes) -> bytes:
    """The armored OpenPGP message of a multipart/encrypted copy."""
    msg = email.message_from_bytes(raw)
    assert msg.get_content_type() == 'multipart/encrypted', \
        msg.get_content_type()
    return msg.get_payload()[1].get_payload(decode=True)


def gossiped_key(plaintext: bytes) -> str:
    """The armored key in the decrypted root's Autocrypt-Gossip header."""
    root = email.message_from_bytes(plaintext)
    values = root.get_all('Autocrypt-Gossip') or []
    assert len(values) == 1, 'Autocrypt-Gossip headers: {}'.format(values)
    keydata = re.search(r'keydata=(.*)$', str(values[0]), re.S).group(1)
    return armor(base64.b64decode(''.join(keydata.split())), PUBLIC_KEY)


def signed_parts(plaintext: bytes):
    """(first part's bytes, armored signature) of the multipart/signed in
    the decrypted text, cut from the raw bytes as a mail program does."""
    text = plaintext.replace(b'\r\n', b'\n').replace(b'\n', b'\r\n')
    root = email.message_from_bytes(text)
    signed = [p for p in root.walk()
              if p.get_content_type() == 'multipart/signed']
    if not signed:
        return None
    boundary = signed[0].get_boundary().encode('ascii')
    delimiter = re.compile(rb'(?:^|\r\n)--' + re.escape(boundary)
                           + rb'(--)?[ \t]*\r\n')
    marks = list(delimiter.finditer(text))
    first = text[marks[0].end():marks[1].start()]
    second = text[marks[1].end():marks[2].start()]
    head, _, body = second.partition(b'\r\n\r\n')
    assert b'application/pgp-signature' in head.lower(), head
    return first, body.decode('ascii')


def clearsigned_block(plaintext: bytes) -> str | None:
    """The clearsigned block of the first text part that holds one."""
    root = email.message_from_bytes(plaintext)
    for part in root.walk():
        if part.get_content_type() != 'text/plain':
            continue
        text = part.get_payload(decode=True).decode(
            part.get_content_charset() or 'utf-8')
        match = re.search(r'-----BEGIN PGP SIGNED MESSAGE-----\n.*?'
                          r'-----END PGP SIGNATURE-----\n?', text.replace(
                              '\r\n', '\n'), re.S)
        if match:
            return match.group(0)
    return None


class Reader:
    """One reading client with a home of its own, holding the member's
    secret key and the list's public key."""

    name = ''

    def __init__(self, member_secret: str, list_public: str):
        self.home = tempfile.mkdtemp(prefix='mmpgp-reader-')
        os.chmod(self.home, 0o700)
        self.member_secret = member_secret
        self.list_public = list_public
        self.list_fingerprint = Key.load(list_public).fingerprint

    def close(self):
        shutil.rmtree(self.home, ignore_errors=True)

    def path(self, name, data):
        path = os.path.join(self.home, name)
        with open(path, 'wb') as fp:
            fp.write(data.encode('utf-8') if isinstance(data, str) else data)
        return path

    def read(self, raw: bytes, author: str | None = None) -> Reading:
        """Decrypt a copy and check the author's signature inside with
        ``author`` (default: the key gossiped inside)."""
        plaintext, list_good = self.decrypt(ciphertext(raw))
        author = author or gossiped_key(plaintext)
        parts = signed_parts(plaintext)
        if parts is not None:
            good, form = self.verify_detached(parts[0], parts[1], author), \
                'detached'
        else:
            block = clearsigned_block(plaintext)
            assert block is not None, 'no author signature in:\n{}'.format(
                plaintext.decode('utf-8', 'replace'))
            good, form = self.verify_cleartext(block, author), 'cleartext'
        return Reading(plaintext, good, Key.load(author).fingerprint,
                       list_good, form)


class GnuPG(Reader):
    name = 'gpg'

    def gpg(self, *args, input=None, check=True):
        return _run(['gpg', '--homedir', self.home, '--batch', '--no-tty',
                     '--pinentry-mode', 'loopback', '--passphrase', '',
                     '--status-fd', '2', *args], input=input, check=check)

    def _good(self, status: str, fingerprint: str) -> bool:
        return any(line.startswith('[GNUPG:] VALIDSIG') and
                   line.split()[-1] == fingerprint
                   for line in status.splitlines()) and \
            '[GNUPG:] BADSIG' not in status

    def decrypt(self, armored):
        self.gpg('--import', input=self.member_secret)
        self.gpg('--import', input=self.list_public)
        proc = self.gpg('--decrypt', input=armored)
        return proc.stdout, self._good(proc.stderr.decode(),
                                       self.list_fingerprint)

    def verify_detached(self, data, signature, author):
        self.gpg('--import', input=author)
        proc = self.gpg('--verify', self.path('sig.asc', signature),
                        self.path('data', data), check=False)
        return self._good(proc.stderr.decode(), Key.load(author).fingerprint)

    def verify_cleartext(self, block, author):
        self.gpg('--import', input=author)
        proc = self.gpg('--verify', input=block, check=False)
        return self._good(proc.stderr.decode(), Key.load(author).fingerprint)


class RNP(Reader):
    name = 'rnp'

    def rnp(self, prog, *args, input=None, check=True):
        return _run([prog, '--homedir', self.home, '--password', '',
                     '--notty', *args], input=input, check=check)

    def _import(self, armored):
        self.rnp('rnpkeys', '--import', self.path('import.asc', armored))

    @staticmethod
    def _good(proc) -> bool:
        err = proc.stderr.decode('utf-8', 'replace')
        return proc.returncode == 0 and 'Good signature' in err and \
            'BAD signature' not in err and 'Signature verification failure' \
            not in err

    def decrypt(self, armored):
        self._import(self.member_secret)
        self._import(self.list_public)
        proc = self.rnp('rnp', '--decrypt', '--output', '-', input=armored)
        return proc.stdout, self._good(proc)

    def verify_detached(self, data, signature, author):
        self._import(author)
        return self._good(self.rnp(
            'rnp', '--verify', self.path('sig.asc', signature), '--source',
            self.path('data', data), check=False))

    def verify_cleartext(self, block, author):
        self._import(author)
        return self._good(self.rnp('rnp', '--verify', self.path(
            'clear.asc', block), check=False))


class Sequoia(Reader):
    name = 'sq'

    @staticmethod
    def _good(proc) -> bool:
        err = proc.stderr.decode('utf-8', 'replace')
        return proc.returncode == 0 and 'good signature' in err.lower() \
            and 'bad signature' not in err.lower()

    def decrypt(self, armored):
        proc = _run(['sq', 'decrypt', '--recipient-key', self.path(
            'member.key', self.member_secret), '--signer-cert', self.path(
                'list.cert', self.list_public)], input=armored, check=False)
        if proc.returncode != 0:
            # Unsigned by the list: sq then fails the verification step.
            proc = _run(['sq', 'decrypt', '--recipient-key', self.path(
                'member.key', self.member_secret)], input=armored)
            return proc.stdout, False
        return proc.stdout, self._good(proc)

    def verify_detached(self, data, signature, author):
        return self._good(_run([
            'sq', 'verify', '--signer-cert', self.path('author.cert', author),
            '--detached', self.path('sig.asc', signature),
            self.path('data', data)], check=False))

    def verify_cleartext(self, block, author):
        return self._good(_run([
            'sq', 'verify', '--signer-cert', self.path('author.cert', author),
            self.path('clear.asc', block)], check=False))


class OpenPGPjs(Reader):
    name = 'openpgpjs'

    def call(self, op, request):
        proc = _run(['node', os.path.join(INTEROP, 'openpgpjs.mjs'), op],
                    input=json.dumps(request))
        return json.loads(proc.stdout)

    @staticmethod
    def _good(signatures) -> bool:
        return bool(signatures) and all(s['verified'] is True
                                        for s in signatures)

    def decrypt(self, armored):
        reply = self.call('decrypt', {'privateKey': self.member_secret,
                                      'signer': self.list_public,
                                      'message': armored.decode('ascii')})
        return base64.b64decode(reply['data']), self._good(
            reply['signatures'])

    def verify_detached(self, data, signature, author):
        return self._good(self.call('verify', {
            'signer': author, 'signature': signature,
            'data': base64.b64encode(data).decode('ascii')})['signatures'])

    def verify_cleartext(self, block, author):
        return self._good(self.call('verify', {
            'signer': author, 'cleartext': block})['signatures'])


CLASSES = {cls.name: cls for cls in (GnuPG, RNP, Sequoia, OpenPGPjs)}


def read(reader: str, raw: bytes, member_secret: str,
         list_public: str, author: str | None = None) -> Reading:
    """``reader``'s reading of the copy ``raw``."""
    instance = CLASSES[reader](member_secret, list_public)
    try:
        return instance.read(raw, author)
    finally:
        instance.close()
