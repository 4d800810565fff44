"""The cleartext corpus: clearsigned texts made by gpg, sqop and the
plugin, and mutations of them (dash-escaping, trailing blanks, CR LF,
Hash: lines, other armor headers, checksum lines, packets beside the
signature, charsets, text around the block).

A case is the bytes of a text/plain part and its charset label. A case
may name why the plugin deliberately refuses it where Sequoia or GnuPG
accepts it (``stricter``); that is the only disagreement allowed, and
only in the direction of refusing (see test_cleartext.py).
"""

import base64
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mailman_pgp.pgp import packets as P
from mailman_pgp.pgp.armor import SIGNATURE, armor, find_blocks

OPENPGPJS = Path(__file__).parent.parent / 'interop' / 'openpgpjs.mjs'
# Why the plugin refuses what a reference accepts, per kind of mutation.
STRICTER = {
    'unescaped-dash': 'a text line that starts with "-" must be '
                      'dash-escaped (RFC 9580 7.2 asks readers to warn; '
                      'unescaped, it can pose as armor)',
    'needless-escape': 'only a line starting with "-" (or "From ", as gpg '
                       'escapes them) may be dash-escaped: read as it '
                       'stands, a "- " before any other line is shown and '
                       'covered by nothing',
    'hash-syntax': 'a Hash: header must be exactly "Hash: " and names both '
                   'readers accept; gpg and sqop each accept forms the '
                   'other refuses',
    'other-header': 'armor headers above the text are covered by no '
                    'signature and shown to members (gpg refuses too)',
    'separator': 'exactly one empty line ends the headers (RFC 9580 7.1); '
                 'a line of blanks is not empty',
    'lone-cr': 'a CR that does not end a line is shown differently by '
               'different programs (sqop refuses it too)',
    'checksum': 'one armor checksum line at most, last, matching (gpg '
                'refuses a wrong one, sqop several); none only after base64 '
                'padding (else gpg reads on past the end)',
    'sig-header': 'armor headers in the signature (Version:, Comment:) are '
                  'shown to members and covered by nothing',
    'sig-blank': 'the signature armor needs its empty line (gpg refuses '
                 'too)',
    'packets': 'only v4 signature packets in the signature armor: the '
               'base64 of any other packet can spell words',
    'unhashed': 'only the issuer may travel in the unhashed area: its '
                'base64 is shown and covered by nothing',
    'charset': 'OpenPGP text is UTF-8; the MIME charset label is covered '
               'by no signature, relabelled the bytes show other letters; '
               'mail programs read the bytes by the label, so a label that '
               'cannot read them (or is unknown) is refused',
    'around': 'text beside the block is covered by no signature',
    'sig-end': 'the signature armor ends with its own END line (sqop '
               'refuses too)',
    'hash-undeclared': "every signature's hash algorithm is declared in a "
                       'Hash: header (RFC 9580 7.1; gpg refuses too)',
}

# What the plugin's reason says for each (so a case is refused for the
# reason it is listed under, not for another).
REASONS = {
    'unescaped-dash': ('not dash-escaped',),
    'needless-escape': ('is dash-escaped but does not start with',),
    'hash-syntax': ('Hash: header is not a list', 'not a hash algorithm'),
    'other-header': ('above the signed text',),
    'separator': ('exactly one empty line',),
    'lone-cr': ('carriage return',),
    'checksum': ('checksum',),
    'sig-header': ('armor header lines (',),
    'sig-blank': ('no empty line after its first line',),
    'packets': ('which is not a signature', 'more values than'),
    'unhashed': ('unhashed data',),
    'charset': ('not UTF-8', 'is not signed', 'cannot be read one way',
                'is not valid', 'is unknown'),
    'around': ('outside the signed block', 'is not signed'),
    'sig-end': ('END line',),
    'hash-undeclared': ('does not declare',),
}


@dataclass
class CleartextCase:
    id: str
    data: bytes                 # the part's bytes (transfer-decoded)
    charset: str = 'utf-8'
    stricter: str | None = None  # a key of STRICTER


def _run(cmd, input=None, env=None) -> bytes:
    proc = subprocess.run(cmd, input=input, capture_output=True,
                          timeout=120, check=False, env=env)
    if proc.returncode != 0:
        raise RuntimeError('{} failed: {}'.format(
            ' '.join(cmd[:3]), proc.stderr.decode('utf-8', 'replace')))
    return proc.stdout


class Signers:
    """Anne's key (gpg, Ed25519) used by gpg, RNP (Thunderbird's library),
    OpenPGP.js (Mailvelope's), PGPainless and the plugin's own clearsign();
    Bob's (sqop); certs holds every public key."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix='mmpgp-clear-')
        self.home = os.path.join(self.dir, 'gnupg')
        os.mkdir(self.home, 0o700)
        self.gpg('--quick-gen-key', 'Anne <anne@example.com>', 'ed25519',
                 'sign', 'never')
        self.anne = self.gpg('--export')
        self.anne_secret = self.gpg('--export-secret-keys')
        self.bob_key = _run(['sqop', 'generate-key',
                             'Bob <bob@example.com>'])
        self.bob = _run(['sqop', 'extract-cert'], self.bob_key)
        self.certs = [self.anne, self.bob]
        self.anne_file = os.path.join(self.dir, 'anne.key')
        with open(self.anne_file, 'wb') as f:
            f.write(self.gpg('--armor', '--export-secret-keys'))
        self.rnp_home = os.path.join(self.dir, 'rnp')
        os.mkdir(self.rnp_home, 0o700)
        if shutil.which('rnp'):
            _run(['rnpkeys', '--homedir', self.rnp_home, '--import',
                  self.anne_file])

    def gpg(self, *args, input=None) -> bytes:
        return _run(['gpg', '--homedir', self.home, '--batch', '--yes',
                     '--no-tty', '--pinentry-mode', 'loopback',
                     '--passphrase', '', '--trust-model', 'always', *args],
                    input)

    def sign(self, how: str, text: bytes) -> bytes:
        if how == 'gpg':
            return self.gpg('--clearsign', input=text)
        if how == 'gpg-sha512':
            return self.gpg('--clearsign', '--digest-algo', 'SHA512',
                            input=text)
        if how == 'sqop':
            path = os.path.join(self.dir, 'bob.key')
            with open(path, 'wb') as f:
                f.write(self.bob_key)
            return _run(['sqop', 'inline-sign', '--as', 'clearsigned',
                         path], text)
        if how == 'rnp':
            return _run(['rnp', '--homedir', self.rnp_home, '--clearsign',
                         '--password', '', '-u', 'anne@example.com'], text)
        if how == 'openpgpjs':
            request = json.dumps({'signer': self.gpg(
                '--armor', '--export-secret-keys').decode(),
                'text': text.decode('utf-8')}).encode()
            reply = _run(['node', str(OPENPGPJS), 'clearsign'], request)
            return json.loads(reply)['message'].encode('utf-8')
        if how == 'pgpainless':
            return _run(['pgpainless-cli', 'inline-sign', '--as',
                         'clearsigned', self.anne_file], text)
        if how == 'plugin':
            from mailman_pgp.pgp import Key, clearsign
            key = Key.load(self.anne_secret)
            return clearsign(text.decode('utf-8'), key).encode('utf-8')
        raise ValueError(how)

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


TEXTS = {
    'plain': b'Hello list,\nthis is a signed post.\n',
    'dashes': b'- a dash line\n-- \n---\n-----BEGIN PGP SIGNATURE-----\n'
              b'From the start\n',
    'trailing': b'trailing spaces   \ntrailing tab\t\n \t \nend\n',
    'utf8': 'Grüße aus Köln ✓ 日本語\n'.encode(),
    'crlf': b'line one\r\nline two\r\n',
    'no-final-newline': b'no newline at the end',
    'empty-lines': b'\n\nmiddle\n\n\n',
    'long-line': b'x' * 1000 + b'\n',
}
SIGNERS = ('gpg', 'gpg-sha512', 'sqop', 'rnp', 'openpgpjs', 'plugin')
# The bases every mutation is applied to.
MUTATED = ('gpg/dashes', 'gpg/trailing', 'sqop/plain', 'plugin/utf8',
           'gpg-sha512/crlf', 'rnp/dashes', 'openpgpjs/trailing')


def build() -> tuple[list, Signers]:
    signers = Signers()
    cases, bases = [], {}
    signers_here = [how for how in SIGNERS if _installed(how)]
    for how in signers_here:
        for name, text in TEXTS.items():
            if how in ('plugin', 'openpgpjs') and b'\r' in text:
                continue        # they take text, not CR LF bytes
            data = signers.sign(how, text)
            bases[f'{how}/{name}'] = data
            cases.append(CleartextCase(f'{how}/{name}', data))
    if shutil.which('pgpainless-cli'):
        # A JVM start per text: one text is enough to see its form.
        cases.append(CleartextCase('pgpainless/dashes', signers.sign(
            'pgpainless', TEXTS['dashes'])))
    cases.extend(_two_signers(signers))
    cases.extend(_charsets(signers))
    for base in (b for b in MUTATED if b in bases):
        for mid, data, stricter in mutations(bases[base]):
            cases.append(CleartextCase(f'{base}/{mid}', data,
                                       stricter=stricter))
    return cases, signers


def _installed(how: str) -> bool:
    if how == 'rnp':
        return bool(shutil.which('rnp'))
    if how == 'openpgpjs':
        return bool(shutil.which('node')) and (
            OPENPGPJS.parent / 'node_modules' / 'openpgp').is_dir()
    return True


def _two_signers(signers) -> list:
    text = TEXTS['plain']
    anne = signers.sign('gpg', text)
    bob = signers.sign('sqop', text)
    head, a_sig = _split(anne)
    _, b_sig = _split(bob)
    both = armor(a_sig + b_sig, SIGNATURE).encode()
    declared = re.sub(rb'(?m)^Hash: .*$', b'Hash: SHA256,SHA512', head)
    return [CleartextCase('two-signers/gpg+sqop', declared + both),
            CleartextCase('two-signers/one-hash-undeclared', head + both,
                          stricter='hash-undeclared')]


def _charsets(signers) -> list:
    utf8 = signers.sign('gpg', TEXTS['utf8'])
    latin1 = signers.sign('gpg', 'Grüße aus Köln\n'.encode('latin-1'))
    plain = signers.sign('gpg', TEXTS['plain'])
    return [
        CleartextCase('charset/utf8-as-latin1', utf8, 'iso-8859-1',
                      'charset'),
        CleartextCase('charset/utf8-as-us-ascii', utf8, 'us-ascii',
                      'charset'),
        CleartextCase('charset/latin1-as-latin1', latin1, 'iso-8859-1',
                      'charset'),
        CleartextCase('charset/latin1-as-utf8', latin1, 'utf-8',
                      'charset'),
        CleartextCase('charset/ascii-as-latin1', plain, 'iso-8859-1'),
        CleartextCase('charset/ascii-as-windows-1252', plain,
                      'windows-1252'),
        # The label cannot read the part (its armor has "+"): mail
        # programs would show something else than sqop and gpg verify.
        CleartextCase('charset/ascii-as-utf-7', plain, 'utf-7', 'charset'),
        CleartextCase('charset/ascii-as-utf-16', plain, 'utf-16', 'charset'),
        CleartextCase('charset/ascii-as-unknown', plain, 'x-unknown',
                      'charset'),
        CleartextCase('charset/utf7-escaped-dash', plain.replace(
            b'\nthis', b'\n+AC0-this'), 'utf-7', 'charset'),
    ]


def _split(data: bytes) -> tuple[bytes, bytes]:
    """(everything before the signature armor, the signature bytes)."""
    at = _sig_at(data)
    return data[:at], find_blocks(data[at:].decode())[0].data


def _sig_at(data: bytes) -> int:
    return re.search(rb'(?m)^-----BEGIN PGP SIGNATURE-----', data).start()


def _lines_sub(pattern: bytes, repl: bytes, data: bytes, count=1) -> bytes:
    return re.sub(pattern, repl, data, count=count, flags=re.MULTILINE)


def _with_sig(data: bytes, sig: bytes) -> bytes:
    return _split(data)[0] + armor(sig, SIGNATURE).encode()


def _unhashed(sig: bytes, sub: bytes) -> bytes:
    [packet] = P.iter_packets(sig)
    body = packet.body
    h = int.from_bytes(body[4:6], 'big')
    u = int.from_bytes(body[6 + h:8 + h], 'big')
    body = body[:6 + h] + (u + len(sub)).to_bytes(2, 'big') + sub + \
        body[8 + h:]
    return P.new_packet(P.SIGNATURE, body)


def _extra_mpi(sig: bytes) -> bytes:
    [packet] = P.iter_packets(sig)
    return P.new_packet(P.SIGNATURE, packet.body + b'\x00\x20' +
                        b'Wire')


def mutations(data: bytes):
    """(id, bytes, stricter key or None) for each mutation of data."""
    nl = b'\r\n' if data.startswith(b'-----BEGIN PGP SIGNED MESSAGE-----'
                                   b'\r\n') else b'\n'
    head, sig = _split(data)
    hash_line = re.search(rb'^Hash: [^\r\n]*', data, re.MULTILINE).group(0)
    crc = re.search(rb'^=[A-Za-z0-9+/]{4}\r?$', data, re.MULTILINE)
    # Without a checksum line, unpadded base64 is refused (gpg reads on).
    unpadded = None if len(sig) % 3 else 'checksum'
    yield 'as-is', data, None
    yield 'lf-to-crlf', re.sub(rb'\r?\n', b'\r\n', data), None
    yield 'crlf-to-lf', data.replace(b'\r\n', b'\n'), None
    yield 'text-crlf-only', head.replace(b'\r\n', b'\n').replace(
        b'\n', b'\r\n') + data[len(head):].replace(b'\r\n', b'\n'), None
    # Hash: lines.
    for mid, new, why in (
            ('hash-none', b'', None),
            ('hash-sha1', b'Hash: SHA1', None),
            ('hash-sha256', b'Hash: SHA256', None),
            ('hash-sha512', b'Hash: SHA512', None),
            ('hash-two-lines', hash_line + nl + b'Hash: SHA384', None),
            ('hash-list', b'Hash: SHA256,SHA512', None),
            ('hash-list-space', b'Hash: SHA256, SHA512', 'hash-syntax'),
            ('hash-repeated', hash_line + nl + hash_line, None),
            ('hash-lower', hash_line.lower().replace(b'hash:', b'Hash:'),
             'hash-syntax'),
            ('hash-words', hash_line + b', Wire the money', 'hash-syntax'),
            ('hash-unknown', hash_line + b',FOO', 'hash-syntax'),
            ('hash-md5', b'Hash: MD5,SHA256,SHA512', 'hash-syntax'),
            ('hash-sha3', b'Hash: SHA3-256,SHA256,SHA512', 'hash-syntax'),
            ('hash-trailing-comma', b'Hash: SHA256,SHA512,', 'hash-syntax'),
            ('hash-trailing-blank', hash_line + b'  ', 'hash-syntax'),
            ('hash-double-space', hash_line.replace(b': ', b':  '),
             'hash-syntax'),
            ('hash-no-space', hash_line.replace(b': ', b':'),
             'hash-syntax'),
            ('hash-empty', b'Hash: ' + nl + hash_line, 'hash-syntax'),
            ('comment-header', hash_line + nl + b'Comment: Wire money',
             'other-header'),
            ('not-dash-escaped-header', hash_line + nl +
             b'NotDashEscaped: You need GnuPG', 'other-header'),
            ('charset-header', hash_line + nl + b'Charset: ISO-8859-1',
             'other-header'),
            ('header-leading-blank', b' ' + hash_line, 'other-header')):
        line = re.escape(hash_line) + rb'\r?\n' if not new else \
            re.escape(hash_line)
        yield mid, re.sub(line, new, data, count=1), why
    # The empty line after the headers.
    sep = hash_line + nl + nl
    body_at = data.index(sep) + len(sep)
    text_end = _sig_at(data)
    text = data[body_at:text_end]
    yield 'separator-blank', data.replace(sep, hash_line + nl + b' ' + nl,
                                          1), 'separator'
    yield 'separator-tab', data.replace(sep, hash_line + nl + b'\t' + nl,
                                        1), 'separator'
    yield 'separator-missing', data.replace(sep, hash_line + nl, 1), None
    yield 'separator-two', data.replace(sep, sep + nl, 1), None
    # Dash-escaping.
    if re.search(rb'(?m)^- -[^ ]', text):
        yield 'unescape-first', _lines_sub(rb'^- (-[^ ])', rb'\1', data), \
            'unescaped-dash'
    yield 'dash-tab', data.replace(sep, sep + b'-\tdash' + nl, 1), \
        'unescaped-dash'
    yield 'dash-alone', data.replace(sep, sep + b'-' + nl, 1), \
        'unescaped-dash'
    yield 'escaped-empty', data.replace(sep, sep + b'- ' + nl, 1), None
    # Trailing blanks and line ends.
    yield 'escape-plain-lines', data[:body_at] + re.sub(
        rb'(?m)^(?=[A-Za-z])', b'- ', text) + data[text_end:], \
        'needless-escape' if re.search(rb'(?m)^(?!From )[A-Za-z]', text) \
        else None
    text_nl = b'\r\n' if b'\r\n' in text else b'\n'
    blanked = re.sub(rb'(?=\n)', b' \t ', text.replace(b'\r\n', b'\n'))
    yield 'trailing-blanks-added', data[:body_at] + blanked.replace(
        b'\n', text_nl) + data[text_end:], None
    yield 'begin-trailing-blank', data.replace(
        b'MESSAGE-----', b'MESSAGE-----  ', 1), None
    yield 'sig-begin-trailing-blank', data.replace(
        b'SIGNATURE-----' + nl, b'SIGNATURE----- ' + nl, 1), None
    yield 'sig-end-trailing-blank', data.replace(
        b'END PGP SIGNATURE-----', b'END PGP SIGNATURE-----\t', 1), None
    end = re.search(rb'\r?\n', text)
    if end and end.end() < len(text):
        cut, after = body_at + end.start(), body_at + end.end()
        for mid, char, why in (('lone-cr', b'\r', 'lone-cr'),
                               ('form-feed', b'\x0c', None),
                               ('line-separator', '\u2028'.encode(), None),
                               ('nel', '\x85'.encode(), None)):
            yield f'break-{mid}', data[:cut] + char + data[after:], why
        yield 'cr-before-line-end', data[:cut] + b'\r\r\n' + data[after:], \
            'lone-cr'
    # Checksum lines.
    if crc:
        c = crc.group(0).rstrip(b'\r')
        yield 'crc-none', data.replace(c + nl, b'', 1), unpadded
        yield 'crc-wrong', data.replace(c, b'=AAAA', 1), 'checksum'
        yield 'crc-twice', data.replace(c, c + nl + c, 1), 'checksum'
        yield 'crc-words', data.replace(c, b'=Wire' + nl + b'=Cash' + nl
                                        + c, 1), 'checksum'
        yield 'crc-malformed', data.replace(c, b'=A!A!', 1), 'checksum'
    # The signature armor.
    yield 'sig-version-header', data.replace(
        b'SIGNATURE-----' + nl, b'SIGNATURE-----' + nl + b'Version: 1'
        + nl, 1), 'sig-header'
    yield 'sig-comment-header', data.replace(
        b'SIGNATURE-----' + nl, b'SIGNATURE-----' + nl + b'Comment: Wire'
        + nl, 1), 'sig-header'
    yield 'sig-no-blank', data.replace(
        b'SIGNATURE-----' + nl + nl, b'SIGNATURE-----' + nl, 1), \
        'sig-blank'
    b64 = base64.b64encode(sig).decode()   # armor() adds the checksum
    rewrapped = '\n'.join(b64[i:i + 76] for i in range(0, len(b64), 76))
    yield 'sig-rewrapped-76', head + (
        '-----BEGIN PGP SIGNATURE-----\n\n' + rewrapped +
        '\n-----END PGP SIGNATURE-----\n').encode(), unpadded
    yield 'sig-blank-inside', head + (
        '-----BEGIN PGP SIGNATURE-----\n\n' + b64[:20] + '\n\n' + b64[20:]
        + '\n-----END PGP SIGNATURE-----\n').encode(), unpadded
    yield 'sig-no-end', data.replace(b'-----END PGP SIGNATURE-----', b'',
                                     1), 'sig-end'
    yield 'sig-wrong-end', data.replace(b'END PGP SIGNATURE', b'END PGP '
                                        b'MESSAGE', 1), 'sig-end'
    # Packets beside the signature.
    for mid, extra, first in (
            ('padding-after', P.new_packet(P.PADDING, b'Wire money'), False),
            ('padding-before', P.new_packet(P.PADDING, b'Wire money'), True),
            ('marker-after', P.new_packet(P.MARKER, b'PGP'), False),
            ('marker-before', P.new_packet(P.MARKER, b'PGP'), True),
            ('user-id-after', P.new_packet(P.USER_ID, b'Wire'), False),
            ('literal-after', P.new_packet(P.LITERAL, b'b\0\0\0\0\0Wire'),
             False),
            ('unknown-tag-after', P.new_packet(60, b'Wire'), False),
            ('garbage-after', b'\x00\x01\x02', False),
            ('signature-twice', sig, False)):
        packed = extra + sig if first else sig + extra
        yield mid, _with_sig(data, packed), \
            None if mid == 'signature-twice' else 'packets'
    yield 'unhashed-notation', _with_sig(data, _unhashed(
        sig, bytes([9, 100]) + b'WireCash')), 'unhashed'
    yield 'extra-mpi', _with_sig(data, _extra_mpi(sig)), 'packets'
    # Text around the block.
    yield 'text-before', b'Dear all,' + nl + data, 'around'
    yield 'text-after', data + b'Wire the money' + nl, 'around'
    yield 'begin-leading-blank', b' ' + data, 'around'
