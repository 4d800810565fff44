"""Interop with the OpenPGP implementations subscribers use besides GnuPG.

Keys and messages are made at test time by Sequoia (``sq``), RNP (the
library of Thunderbird; ``rnp``/``rnpkeys``), OpenPGP.js (Proton Mail,
Mailvelope; run with node from tests/pgp/interop) and PGPainless (Bouncy
Castle, as Android clients use it; ``pgpainless-cli``). For each tool:

1. a key it makes in its default profile loads and is usable, or is
   refused with a specific PGPError (v6 keys);
2. a message it signs and encrypts to a list key is decrypted and its
   signature is good, or refused with UnsupportedError (AEAD/SEIPDv2);
3. a message the facade signs and encrypts to the tool's key is decrypted
   and verified by the tool.

A tool that is not installed skips its tests (scripts/venv.sh installs
them where it can).
"""

import base64
import email
import json
import os
import shutil
import subprocess
import tempfile
from datetime import timedelta

import pytest

from mailman_pgp.pgp import (
    Key,
    PGPError,
    UnsupportedError,
    decrypt,
    decrypt_message,
    encrypt,
    encrypt_mime,
    find_keys,
    load_keys,
    verify_detached,
)

INTEROP = os.path.join(os.path.dirname(__file__), 'interop')
TEXT = 'Grüße ✓ – ünïcödé\nFrom the start of a line\n'
ENTITY = ('Content-Type: text/plain; charset="utf-8"\r\n'
          'Content-Transfer-Encoding: 8bit\r\n\r\n' + TEXT.replace('\n', '\r\n'))
TIMEOUT = 120


def _run(cmd, input=None, cwd=None, check=True):
    if isinstance(input, str):
        input = input.encode('utf-8')
    proc = subprocess.run(cmd, input=input, capture_output=True, cwd=cwd,
                          timeout=TIMEOUT, check=False)
    if check and proc.returncode != 0:
        raise AssertionError('{} failed ({}): {}'.format(
            ' '.join(cmd[:3]), proc.returncode,
            proc.stderr.decode('utf-8', 'replace')))
    return proc


class Tool:
    """One implementation, with a home of its own and one sender key."""

    name = ''

    def __init__(self, home):
        self.home = home

    def path(self, name, data=None):
        path = os.path.join(self.home, name)
        if data is not None:
            with open(path, 'wb') as f:
                f.write(data.encode('utf-8') if isinstance(data, str) else data)
        return path


class Sequoia(Tool):
    name = 'sq'

    @staticmethod
    def available():
        if shutil.which('sq'):
            return None
        return 'sq (Debian sequoia-sq, or sq before trixie) is not installed'

    def version(self):
        return _run(['sq', '--version']).stdout.decode().strip()

    def generate(self, name, email):
        out = self.path(email + '.key')
        _run(['sq', 'key', 'generate', '--userid', f'{name} <{email}>',
              '--export', out])
        with open(out) as f:
            secret = f.read()
        public = _run(['sq', 'key', 'extract-cert', out]).stdout.decode()
        return {'secret': secret, 'public': public, 'file': out}

    def encrypt_sign(self, text, recipient_armor, sender):
        cert = self.path('recipient.pgp', recipient_armor)
        return _run(['sq', 'encrypt', '--recipient-cert', cert,
                     '--signer-key', sender['file']], input=text
                    ).stdout.decode()

    def sign_detached(self, text, sender):
        return _run(['sq', 'sign', '--detached', '--signer-key',
                     sender['file']], input=text).stdout.decode()

    def decrypt_verify(self, armored, recipient, signer_armor):
        """(plaintext, signature good) as sq sees it."""
        cert = self.path('signer.pgp', signer_armor)
        proc = _run(['sq', 'decrypt', '--recipient-key', recipient['file'],
                     '--signer-cert', cert], input=armored, check=False)
        err = proc.stderr.decode('utf-8', 'replace')
        assert proc.returncode == 0, err
        return proc.stdout, 'Good signature' in err and proc.returncode == 0


class RNP(Tool):
    name = 'rnp'

    @staticmethod
    def available():
        if shutil.which('rnp') and shutil.which('rnpkeys'):
            return None
        return 'rnp/rnpkeys (Debian rnp) are not installed'

    def __init__(self, home, keyring='keyring'):
        super().__init__(home)
        self.keyring = self.path(keyring)
        os.makedirs(self.keyring, mode=0o700, exist_ok=True)

    def rnp(self, prog, *args, input=None, check=True):
        return _run([prog, '--homedir', self.keyring, '--password', '',
                     '--notty', *args], input=input, check=check)

    def fresh(self):
        """The same tool with a new, empty keyring."""
        return RNP(self.home, tempfile.mkdtemp(dir=self.home))

    def version(self):
        return _run(['rnp', '--version']).stdout.decode().splitlines()[0]

    def generate(self, name, email, expert=None):
        uid = f'{name} <{email}>'
        if expert is None:
            self.rnp('rnpkeys', '--generate-key', '--userid', uid)
        else:
            self.rnp('rnpkeys', '--generate-key', '--expert', '--userid', uid,
                     input=expert + '\n')
        public = self.rnp('rnpkeys', '--export-key', email).stdout.decode()
        secret = self.rnp('rnpkeys', '--export-key', '--secret',
                          email).stdout.decode()
        return {'secret': secret, 'public': public, 'uid': email,
                'fingerprint': Key.load(public).fingerprint}

    def _import(self, armored):
        self.rnp('rnpkeys', '--import', self.path('import.asc', armored))
        return Key.load(armored).fingerprint

    def encrypt_sign(self, text, recipient_armor, sender, aead=None):
        fpr = self._import(recipient_armor)
        args = ['--aead=' + aead] if aead else []
        return self.rnp('rnp', '--encrypt', '--sign', '-r', fpr, '-u',
                        sender['fingerprint'], '--armor', *args,
                        '--output', '-', input=text).stdout.decode()

    def sign_detached(self, text, sender):
        data = self.path('data.txt', text)
        self.rnp('rnp', '--sign', '--detach', '--armor', '-u',
                 sender['fingerprint'], '--overwrite',
                 '--output', data + '.asc', data)
        with open(data + '.asc') as f:
            return f.read()

    def decrypt_verify(self, armored, recipient, signer_armor):
        # A keyring holding only the recipient's key and the signer's cert.
        rnp = self.fresh()
        rnp._import(recipient['secret'])
        rnp._import(signer_armor)
        proc = rnp.rnp('rnp', '--decrypt', '--output', '-', input=armored,
                        check=False)
        err = proc.stderr.decode('utf-8', 'replace')
        assert proc.returncode == 0, err
        good = 'Good signature' in err and 'BAD signature' not in err
        return proc.stdout, good


class OpenPGPjs(Tool):
    name = 'openpgpjs'
    SCRIPT = os.path.join(INTEROP, 'openpgpjs.mjs')

    @staticmethod
    def available():
        if not shutil.which('node'):
            return 'node is not installed (OpenPGP.js needs it)'
        if not os.path.isdir(os.path.join(INTEROP, 'node_modules', 'openpgp')):
            return ('OpenPGP.js is not installed: run "npm ci" in '
                    'tests/pgp/interop (scripts/venv.sh does)')
        return None

    def call(self, op, request=None):
        proc = _run(['node', self.SCRIPT, op], input=json.dumps(request or {}),
                    cwd=INTEROP)
        return json.loads(proc.stdout)

    def version(self):
        return self.call('version')['version']

    def generate(self, name, email, v6=False):
        reply = self.call('generate', {'name': name, 'email': email,
                                       'v6': v6})
        return {'secret': reply['privateKey'], 'public': reply['publicKey']}

    def encrypt_sign(self, text, recipient_armor, sender, aead=False):
        return self.call('encrypt', {'recipient': recipient_armor,
                                     'signer': sender['secret'],
                                     'text': text, 'aead': aead})['message']

    def sign_detached(self, text, sender):
        return self.call('sign', {'signer': sender['secret'],
                                  'text': text})['signature']

    def decrypt_verify(self, armored, recipient, signer_armor):
        reply = self.call('decrypt', {'privateKey': recipient['secret'],
                                      'signer': signer_armor,
                                      'message': armored})
        sigs = reply['signatures']
        return (base64.b64decode(reply['data']),
                bool(sigs) and all(s['verified'] is True for s in sigs))


class PGPainless(Tool):
    """PGPainless (Bouncy Castle; used by Android clients), driven through
    its Stateless OpenPGP command line."""

    name = 'pgpainless'

    @staticmethod
    def available():
        if shutil.which('pgpainless-cli'):
            return None
        return 'pgpainless-cli (Debian pgpainless-cli) is not installed'

    def sop(self, *args, input=None, check=True):
        return _run(['pgpainless-cli', *args], input=input, check=check)

    def version(self):
        return self.sop('version').stdout.decode().strip()

    def generate(self, name, email):
        secret = self.sop('generate-key', f'{name} <{email}>').stdout.decode()
        public = self.sop('extract-cert', input=secret).stdout.decode()
        return {'secret': secret, 'public': public,
                'file': self.path(email + '.key', secret)}

    def encrypt_sign(self, text, recipient_armor, sender):
        cert = self.path('recipient.cert', recipient_armor)
        return self.sop('encrypt', '--sign-with', sender['file'], cert,
                        input=text).stdout.decode()

    def sign_detached(self, text, sender):
        return self.sop('sign', sender['file'], input=text).stdout.decode()

    def decrypt_verify(self, armored, recipient, signer_armor):
        cert = self.path('signer.cert', signer_armor)
        key = self.path('recipient.key', recipient['secret'])
        verifications = tempfile.mktemp(dir=self.home,
                                        suffix='.verifications')
        proc = self.sop('decrypt', '--verify-with', cert,
                        '--verifications-out', verifications, key,
                        input=armored, check=False)
        assert proc.returncode == 0, proc.stderr.decode('utf-8', 'replace')
        with open(verifications) as f:
            good = bool(f.read().strip())
        return proc.stdout, good


TOOLS = {cls.name: cls
         for cls in (Sequoia, RNP, OpenPGPjs, PGPainless)}


@pytest.fixture(scope='session', params=sorted(TOOLS))
def tool(request):
    cls = TOOLS[request.param]
    missing = cls.available()
    if missing:
        pytest.skip(missing)
    home = tempfile.mkdtemp(prefix=f'mmpgp-{cls.name}-')
    os.chmod(home, 0o700)
    yield cls(home)
    shutil.rmtree(home, ignore_errors=True)


def _need(name):
    missing = TOOLS[name].available()
    if missing:
        pytest.skip(missing)


@pytest.fixture(scope='session')
def sender(tool):
    """The tool's own key, made in its default profile."""
    return tool.generate('Interop Sender', f'{tool.name}@example.org')


def _wrapper(armored: str) -> email.message.Message:
    """A multipart/encrypted mail as a MUA would send it, reparsed."""
    raw = ('From: Anne <anne@example.org>\r\n'
           'To: test@lists.example.com\r\nSubject: Interop\r\n'
           'MIME-Version: 1.0\r\n'
           'Content-Type: multipart/encrypted; boundary="ENC"; '
           'protocol="application/pgp-encrypted"\r\n\r\n'
           '--ENC\r\nContent-Type: application/pgp-encrypted\r\n\r\n'
           'Version: 1\r\n\r\n'
           '--ENC\r\nContent-Type: application/octet-stream\r\n\r\n'
           + armored.replace('\r\n', '\n').replace('\n', '\r\n')
           + '\r\n--ENC--\r\n')
    return email.message_from_bytes(raw.encode('ascii'))


def _plain():
    msg = email.message.Message()
    msg['From'] = 'Test List <test@lists.example.com>'
    msg['To'] = 'Anne <anne@example.org>'
    msg['Subject'] = 'Secret subject'
    msg['Content-Type'] = 'text/plain; charset="utf-8"'
    msg['Content-Transfer-Encoding'] = '8bit'
    msg.set_payload(TEXT.encode('utf-8'))
    return msg


# -- (1) keys ---------------------------------------------------------------

def test_tool_version(tool):
    assert tool.version()


def test_default_key_loads_and_is_usable(tool, sender):
    public = Key.load(sender['public'])
    assert not public.is_private
    assert public.emails == [f'{tool.name}@example.org']
    u = public.usability()
    assert u.can_encrypt and u.can_sign, u.reasons
    secret = Key.load(sender['secret'])
    assert secret.is_private and secret.fingerprint == public.fingerprint
    assert secret.public.fingerprint == public.fingerprint
    # The key also comes through find_keys when attached to a mail.
    msg = email.message_from_string(
        'Content-Type: multipart/mixed; boundary="B"\n\n--B\n'
        'Content-Type: text/plain\n\nmy key\n--B\n'
        'Content-Type: application/pgp-keys\n\n' + sender['public'] +
        '\n--B--\n')
    assert [k.fingerprint for k in find_keys(msg).keys] == [public.fingerprint]


def test_rnp_ed25519_key(tmp_path):
    """Thunderbird 128 makes Ed25519/Cv25519 keys by default (rnp expert
    choice 22: EdDSA + ECDH)."""
    _need('rnp')
    rnp = RNP(str(tmp_path))
    made = rnp.generate('Tb User', 'tb@example.org', expert='22')
    key = Key.load(made['public'])
    assert key.algorithm == 'EdDSA/Ed25519 + ECDH/Curve25519'
    u = key.usability()
    assert u.can_encrypt and u.can_sign, u.reasons


def test_sq_rsa_key(tmp_path):
    _need('sq')
    out = str(tmp_path / 'rsa.key')
    _run(['sq', 'key', 'generate', '--cipher-suite', 'rsa3k', '--userid',
          'Sq Rsa <sqrsa@example.org>', '--export', out])
    with open(out) as f:
        key = Key.load(f.read())
    assert key.algorithm.startswith('RSA-3072')
    assert key.usability().usable


def test_openpgpjs_v6_key_refused(tmp_path):
    """OpenPGP.js with v6Keys (RFC 9580 profile): refused with a reason."""
    _need('openpgpjs')
    made = OpenPGPjs(str(tmp_path)).generate('Js Six', 'six@example.org',
                                             v6=True)
    for armored in (made['public'], made['secret']):
        with pytest.raises(UnsupportedError, match='version 6 key'):
            Key.load(armored)


# -- (2) the tool writes to the list -------------------------------------------

@pytest.mark.parametrize('kind', ['cv25519', 'rsa'])
def test_tool_encrypts_and_signs_to_list(tool, sender, list_keys, kind):
    lst = list_keys[kind]
    ct = tool.encrypt_sign(ENTITY, lst.public_armor(), sender)
    signer = Key.load(sender['public'])
    # Data level: exactly the bytes the tool was given, signature good.
    result = decrypt(ct, lst)
    assert result.data.replace(b'\r\n', b'\n') == \
        ENTITY.replace('\r\n', '\n').encode('utf-8')
    vs = result.verify([signer])
    assert vs and all(v.good for v in vs), vs
    assert {v.signer_fingerprint for v in vs} == {signer.fingerprint}
    # Mail level: a multipart/encrypted mail carrying it.
    back = decrypt_message(_wrapper(ct), lst)
    assert back.message['Subject'] == 'Interop'
    assert back.message.get_payload(decode=True).decode('utf-8') \
        .replace('\r\n', '\n') == TEXT
    vs = back.verify([signer])
    assert vs and all(v.good for v in vs), vs
    # Another key does not make the signature good.
    other = list_keys['rsa' if kind == 'cv25519' else 'cv25519'].public
    assert not any(v.good for v in back.verify([other]))


def test_tool_detached_signature(tool, sender):
    signer = Key.load(sender['public'])
    sig = tool.sign_detached(ENTITY, sender)
    vs = verify_detached(ENTITY.encode('utf-8'), sig, [signer])
    assert vs and all(v.good for v in vs), vs
    tampered = ENTITY.replace('Grüße', 'Gruße').encode('utf-8')
    assert not any(v.valid for v in verify_detached(tampered, sig, [signer]))


@pytest.mark.parametrize('mode', ['ocb', 'eax'])
def test_rnp_aead_refused(tmp_path, list_keys, mode):
    """rnp --aead writes AEAD encrypted data packets (tag 20)."""
    _need('rnp')
    rnp = RNP(str(tmp_path))
    made = rnp.generate('Rnp Aead', 'aead@example.org')
    lst = list_keys['cv25519']
    ct = rnp.encrypt_sign(ENTITY, lst.public_armor(), made, aead=mode)
    with pytest.raises(UnsupportedError, match='AEAD'):
        decrypt(ct, lst)
    with pytest.raises(UnsupportedError, match='AEAD'):
        decrypt_message(_wrapper(ct), lst)


def test_openpgpjs_seipdv2_refused(tmp_path, list_keys):
    """What OpenPGP.js sends to a key advertising SEIPDv2: v6 PKESK and
    SEIPDv2 with OCB."""
    _need('openpgpjs')
    js = OpenPGPjs(str(tmp_path))
    made = js.generate('Js Aead', 'jsaead@example.org')
    lst = list_keys['cv25519']
    ct = js.encrypt_sign(ENTITY, lst.public_armor(), made, aead=True)
    with pytest.raises(UnsupportedError, match='SEIPDv2'):
        decrypt(ct, lst)
    with pytest.raises(UnsupportedError, match='SEIPDv2'):
        decrypt_message(_wrapper(ct), lst)


# -- (3) the list writes to the tool -----------------------------------------

@pytest.mark.parametrize('stored', [False, True],
                         ids=['generated', 'stored'])
@pytest.mark.parametrize('kind', ['cv25519', 'rsa'])
def test_list_encrypts_and_signs_to_tool(tool, sender, list_keys, kind,
                                         stored):
    # A stored list key (read back from its file, as the outgoing runner
    # reads it) signs from its packets, without PGPy.
    lst = load_keys(list_keys[kind].armor())[0] if stored \
        else list_keys[kind]
    rcpt = Key.load(sender['public'])
    out = encrypt_mime(_plain(), [rcpt], sign_with=lst)
    wire = email.message_from_bytes(out.as_bytes())
    ct = wire.get_payload()[1].get_payload(decode=True).decode('ascii')
    data, good = tool.decrypt_verify(ct, sender, lst.public_armor())
    assert good, f'{tool.name} did not find a good signature'
    inner = email.message_from_bytes(data)
    assert inner['Subject'] == 'Secret subject'
    assert inner.get_payload(decode=True).decode('utf-8') \
        .replace('\r\n', '\n') == TEXT


# What each client does with a bulk copy (docs/delivery.rst): one
# ciphertext, one session key encrypted to several member keys, every key
# ID written as zero.  Measured here, with each tool's default settings.
BULK_READ = {'sq': True, 'openpgpjs': True, 'pgpainless': True,
             'rnp': False}   # RNP (Thunderbird): "failed to obtain decrypting key"


def test_bulk_copy_with_all_zero_key_ids(tool, sender, list_keys):
    lst = list_keys['cv25519']
    member = Key.load(sender['public'])
    another = Key.load(list_keys['rsa'].public_armor())
    ct = encrypt(ENTITY.encode('utf-8'), [another, member], sign_with=lst,
                 throw_keyids=True)
    try:
        data, good = tool.decrypt_verify(ct, sender, lst.public_armor())
    except AssertionError as refused:
        read, why = False, str(refused)[:300]
    else:
        read, why = bool(good and TEXT.split()[0] in data.decode(
            'utf-8', 'replace')), 'read'
    assert read == BULK_READ[tool.name], why


def test_tool_rejects_tampered_list_signature(tool, sender, list_keys):
    """The tool's check is real: the wrong signer key is not good."""
    lst = list_keys['cv25519']
    out = encrypt_mime(_plain(), [Key.load(sender['public'])], sign_with=lst)
    ct = out.get_payload()[1].get_payload(decode=True).decode('ascii')
    try:
        _, good = tool.decrypt_verify(ct, sender,
                                      list_keys['rsa'].public_armor())
    except (AssertionError, PGPError):
        good = False
    assert not good


# -- pinned output (no tool needed): the two facade bugs these tools found --

# rnpkeys --expert (22: EdDSA + ECDH, Thunderbird's default) and
# rnp --sign --detach over PINNED_TEXT: RNP writes a Signature Expiration
# Time of 0 ("never") into every signature, which PGPy's expires_at
# reported as expired at creation, so every Thunderbird signature was
# "expired".
RNP_PINNED_KEY = """-----BEGIN PGP PUBLIC KEY BLOCK-----

xjMEawbK4xYJKwYBBAHaRw8BAQdAmSYh51L6EHnvfTWzckvGeWj4xx5uOV8o12DZrFXGwv3NGFRi
IFBpbiA8cGluQGV4YW1wbGUub3JnPsKOBBMWCAA3FiEEZ2e2XYYFcL02gxX5ahQouQz1jrIFAmsG
yuMFCQPCZwACGwMECwkIBwUVCAkKCwUWAgMBAAAKCRBqFCi5DPWOsifWAPdq0+aN3MsMTzJdjSlV
Mv65GehNFRXaYvEVNT/DRHdsAP9Pjjtefk2nRdoI7QKMR7E6/EXRIySvYI7bgC89gKysAs44BGsG
yuMSCisGAQQBl1UBBQEBB0AtTjYTmLEYTtrtHRqAul7q7TqaCFBCRd7HPw0uk9jSCAMBCAfCfgQY
FggAJhYhBGdntl2GBXC9NoMV+WoUKLkM9Y6yBQJrBsrjBQkDwmcAAhsMAAoJEGoUKLkM9Y6yAzQA
/0Usyz1+jzvgtQOT2emFPtibjE9JMBTuPS67aIL7mHKCAQDtl32otGs2MrT4iz7J29aX6N1E7o1l
JznFSpjqyKBAAQ==
=E/nn
-----END PGP PUBLIC KEY BLOCK-----
"""
RNP_PINNED_SIG = """-----BEGIN PGP SIGNATURE-----

wnsEABYIACMWIQRnZ7ZdhgVwvTaDFflqFCi5DPWOsgUCawbK4wUDAAAAAAAKCRBqFCi5DPWOsnxw
APwKF9+jHmBGIrlIM2nMuPsOsxYRFi2M0Qa6Q1h0y1xxSAD8C4IhrEBz7WHklwmtXQ2rwO/aLv+/
RApszcIFwWDqawM=
=s55M
-----END PGP SIGNATURE-----
"""
PINNED_TEXT = 'Grüße ✓\n'.encode('utf-8')

# OpenPGP.js 6.3.2 generateKey() default (v4 Ed25519/Cv25519): its
# preferred hash algorithms list SHA3-512 (14) and SHA3-256 (12), which
# PGPy has no names for; it refused the whole key (PacketError).
OPENPGPJS_PINNED_KEY = """-----BEGIN PGP PUBLIC KEY BLOCK-----

xjMEawbK7RYJKwYBBAHaRw8BAQdA10Sfr4eQ0uQsWSJ6s+4W+DsCCwaQna7A
ikhrNRfiHWLNGkpzIFBpbiA8anNwaW5AZXhhbXBsZS5vcmc+wsATBBMWCgCF
BYJrBsrtAwsJBwkQIDq4oT6qcwVFFAAAAAAAHAAgc2FsdEBub3RhdGlvbnMu
b3BlbnBncGpzLm9yZ7e0lcZjdYuvOCyZQ9cb8LanSMejhAOrciqhCrJqebLd
BRUKCA4MBBYAAgECGQECmwMCHgEWIQTZc9hm0We4diVexfAgOrihPqpzBQAA
oHMBAN83PyujsKLQ4x8EUSOTYs+APJCGoTxkjAPLe/Oau7qHAQDiv9L38PEJ
qtyyJV3zque3TadgGTjdlYNboFBEPZN/Bc44BGsGyu0SCisGAQQBl1UBBQEB
B0DJLS29dytHVgL2Bl+HiFbJpqvy91a6xnLhoIdRcpZoFQMBCAfCvgQYFgoA
cAWCawbK7QkQIDq4oT6qcwVFFAAAAAAAHAAgc2FsdEBub3RhdGlvbnMub3Bl
bnBncGpzLm9yZ1JcxPcpVTyJ698sbcHygtG2oksrHawphXcZKKpP86q9ApsM
FiEE2XPYZtFnuHYlXsXwIDq4oT6qcwUAAEUlAP0cFC++uRQVwnjNOSjiVMKC
P5MXW93MHVb31JTxUcaXRQD/akOFx5QWwYYBQ87qQ8M9aG5cdBVkQPfHYxoz
fdUW+Q0=
=K0xW
-----END PGP PUBLIC KEY BLOCK-----
"""


def test_pinned_rnp_signature_zero_expiration_never_expires():
    key = Key.load(RNP_PINNED_KEY)
    now = key.created + timedelta(days=1)  # the key expires after 2 years
    [v] = verify_detached(PINNED_TEXT, RNP_PINNED_SIG, [key], now=now)
    assert v.valid and not v.expired and v.good, v
    assert v.signer_fingerprint == key.fingerprint
    [v] = verify_detached(PINNED_TEXT + b'x', RNP_PINNED_SIG, [key], now=now)
    assert not v.valid


def test_pinned_openpgpjs_key_with_sha3_preferences():
    key = Key.load(OPENPGPJS_PINNED_KEY)
    [lazy] = load_keys(OPENPGPJS_PINNED_KEY)
    assert key.fingerprint == lazy.fingerprint
    assert key.emails == ['jspin@example.org']
    for k in (key, lazy):
        u = k.usability(now=key.created + timedelta(days=1))
        assert u.can_encrypt and u.can_sign, u.reasons
    # The unknown preferences are kept, so the key re-exports unchanged
    # and its self-signatures still verify.
    assert bytes(Key.load(key.armor())) == bytes(key)
    assert Key.load(key.armor()).usability(
        now=key.created + timedelta(days=1)).usable
