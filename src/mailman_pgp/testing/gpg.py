"""A subscriber whose mail client is GnuPG (tests and the demo).

Each subscriber has its own GNUPGHOME and builds mail the way a PGP/MIME
client does: RFC 3156 signed, encrypted, or signed and encrypted in one
OpenPGP message, optionally with protected headers.
"""

import os
import shutil
import subprocess
import tempfile

from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.policy import SMTP
from email.utils import formatdate, make_msgid

from public import public


GPG = shutil.which('gpg') or '/usr/bin/gpg'
# Homes of this process's subscribers not closed yet (the test session
# closes what a test left open: these, never another run's).
OPEN_HOMES: set[str] = set()
ALGORITHMS = {
    'cv25519': ('ed25519', 'cv25519'),
    'rsa': ('rsa3072', 'rsa3072'),
    'rsa2048': ('rsa2048', 'rsa2048'),
    'rsa1024': ('rsa1024', 'rsa1024'),     # refused by the key policy
}


@public
@dataclass
class Decryption:
    """What gpg said about a message it decrypted."""
    plaintext: bytes
    status: str
    ok: bool
    signer: str | None = None                  # VALIDSIG primary fpr
    recipients: list[str] = field(default_factory=list)   # ENC_TO key ids


@public
class Subscriber:
    """One person with a GnuPG keyring and an email address."""

    def __init__(self, email: str, name: str = '', algorithm: str = 'cv25519',
                 expire: str = 'never', faked_time: str | None = None):
        self.email = email
        # e.g. '20200101T000000': make and use the key as if it were then.
        self.faked_time = faked_time
        self.name = name or email.split('@')[0].title()
        self.home = tempfile.mkdtemp(prefix='mmpgp-subscriber-')
        os.chmod(self.home, 0o700)
        OPEN_HOMES.add(self.home)
        primary, sub = ALGORITHMS[algorithm]
        uid = '{} <{}>'.format(self.name, email)
        self.gpg('--quick-gen-key', uid, primary, 'sign,cert', expire)
        self.fingerprint = self._fingerprint(email)
        self.gpg('--quick-add-key', self.fingerprint, sub, 'encr', expire)

    def gpg(self, *args: str, input: bytes | str | None = None,
            check: bool = True) -> subprocess.CompletedProcess:
        command = [GPG, '--homedir', self.home, '--batch', '--yes',
                   '--no-tty', '--pinentry-mode', 'loopback',
                   '--passphrase', '', '--trust-model', 'always',
                   '--status-fd', '2']
        if self.faked_time:
            # Frozen ('!'): every gpg run is at that very second.  A running
            # clock restarted at it in each run, so on a loaded machine a
            # key made in one run could be a second younger than a
            # signature made in the next ("did not exist yet").
            command += ['--faked-system-time', self.faked_time + '!',
                        '--ignore-time-conflict']
        command += list(args)
        if isinstance(input, str):
            input = input.encode('utf-8')
        result = subprocess.run(command, input=input, capture_output=True,
                                timeout=120)
        if check and result.returncode != 0:
            raise RuntimeError('gpg {} failed: {}'.format(
                ' '.join(args), result.stderr.decode('utf-8', 'replace')))
        return result

    def _fingerprint(self, who: str) -> str:
        listing = self.gpg('--with-colons', '--list-keys', who).stdout
        for line in listing.decode().splitlines():
            if line.startswith('fpr:'):
                return line.split(':')[9]
        raise LookupError(who)

    def close(self) -> None:
        subprocess.run(['gpgconf', '--homedir', self.home, '--kill', 'all'],
                       capture_output=True, check=False)
        shutil.rmtree(self.home, ignore_errors=True)
        OPEN_HOMES.discard(self.home)

    # Keys.

    def public_key(self) -> str:
        return self.gpg('--armor', '--export', self.fingerprint).stdout.decode()

    def private_key(self) -> str:
        return self.gpg('--armor', '--export-secret-keys',
                        self.fingerprint).stdout.decode()

    def revoke(self) -> str:
        """Revoke the key with the certificate gpg made; return the cert."""
        path = os.path.join(self.home, 'openpgp-revocs.d',
                            self.fingerprint + '.rev')
        with open(path) as fp:
            certificate = fp.read().replace(
                ':-----BEGIN PGP PUBLIC KEY BLOCK-----',
                '-----BEGIN PGP PUBLIC KEY BLOCK-----')
        self.gpg('--import', input=certificate)
        return certificate

    def import_key(self, armored: str) -> str:
        """Import a key; return its fingerprint."""
        status = self.gpg('--import', input=armored).stderr.decode()
        for line in status.splitlines():
            if line.startswith('[GNUPG:] IMPORT_OK'):
                return line.split()[-1]
        raise RuntimeError('nothing imported:\n' + status)

    # Mail.

    def _inner(self, body: str, subject: str | None,
               protect_subject: bool) -> EmailMessage:
        inner = EmailMessage()
        inner.set_content(body, cte='quoted-printable')  # 7-bit safe
        if protect_subject and subject is not None:
            inner.replace_header(
                'Content-Type', 'text/plain; charset="utf-8"; '
                'protected-headers="v1"')
            inner['Subject'] = subject
        return inner

    def _outer(self, to: str, subject: str, message_id: str | None,
               payload: Message) -> bytes:
        payload['From'] = '{} <{}>'.format(self.name, self.email)
        payload['To'] = to
        payload['Subject'] = subject
        payload['Message-ID'] = message_id or make_msgid(
            domain=self.email.split('@')[1])
        payload['Date'] = formatdate(localtime=False)
        return payload.as_bytes(policy=SMTP.clone(linesep='\n'))

    def encrypted_mail(self, to: str, subject: str, body: str,
                       recipient: str, *, sign: bool = True,
                       protect_subject: bool = False,
                       message_id: str | None = None,
                       extra_gpg: tuple[str, ...] = ()) -> bytes:
        """RFC 3156 encrypted (and, by default, signed in one message)."""
        inner = self._inner(body, subject, protect_subject)
        data = inner.as_bytes(policy=SMTP)
        args = ['--armor', '--encrypt', '--recipient', recipient]
        if sign:
            args += ['--sign', '--local-user', self.fingerprint]
        ciphertext = self.gpg(*extra_gpg, *args, input=data).stdout
        shown = '...' if protect_subject else subject
        return self.wrap_encrypted(ciphertext.decode('ascii'), to, shown,
                                   message_id=message_id)

    def wrap_encrypted(self, armored: str, to: str, subject: str, *,
                       message_id: str | None = None) -> bytes:
        """An RFC 3156 multipart/encrypted mail around ``armored``."""
        outer = MIMEMultipart('encrypted',
                              protocol='application/pgp-encrypted')
        outer.attach(MIMEApplication('Version: 1\n', 'pgp-encrypted',
                                     _encoder=_noop))
        outer.attach(MIMEApplication(armored, 'octet-stream', _encoder=_noop,
                                     name='encrypted.asc'))
        return self._outer(to, subject, message_id, outer)

    def nested_mail(self, to: str, subject: str, body: str,
                    recipient: str) -> bytes:
        """RFC 3156 section 6.1: multipart/signed, then encrypted.

        The signature is made at this subscriber's (possibly faked) time;
        the encryption always at the real time.
        """
        signed = self._signed_entity(body)
        faked, self.faked_time = self.faked_time, None
        try:
            ciphertext = self.gpg('--armor', '--encrypt', '--recipient',
                                  recipient, input=signed.as_bytes(
                                      policy=SMTP)).stdout
        finally:
            self.faked_time = faked
        return self.wrap_encrypted(ciphertext.decode('ascii'), to, subject)

    def signed_mail(self, to: str, subject: str, body: str, *,
                    message_id: str | None = None) -> bytes:
        """RFC 3156 multipart/signed, not encrypted."""
        return self._outer(to, subject, message_id,
                           self._signed_entity(body))

    def _signed_entity(self, body: str) -> MIMEMultipart:
        inner = self._inner(body, None, False)
        signed_text = inner.as_bytes(policy=SMTP)     # CRLF canonical
        signature = self.gpg('--armor', '--detach-sign', '--local-user',
                             self.fingerprint, '--digest-algo', 'SHA256',
                             input=signed_text).stdout
        outer = MIMEMultipart('signed', protocol='application/pgp-signature',
                              micalg='pgp-sha256')
        outer.attach(inner)
        outer.attach(MIMEApplication(signature.decode('ascii'),
                                     'pgp-signature', _encoder=_noop,
                                     name='signature.asc'))
        return outer

    def plain_mail(self, to: str, subject: str, body: str, *,
                   message_id: str | None = None,
                   attachments: tuple[tuple[str, str], ...] = ()) -> bytes:
        """Plain mail; attachments are (content-type, text) pairs."""
        msg = EmailMessage()
        msg.set_content(body)
        for content_type, text in attachments:
            maintype, subtype = content_type.split('/')
            msg.add_attachment(text.encode('utf-8'), maintype=maintype,
                               subtype=subtype, filename='key.asc')
        return self._outer(to, subject, message_id, msg)

    def decrypt(self, data: bytes) -> Decryption:
        """Decrypt (and verify) the OpenPGP part of a received message."""
        import email
        msg = email.message_from_bytes(data)
        if msg.get_content_type() == 'multipart/encrypted':
            data = msg.get_payload()[1].get_payload(decode=True)
        result = self.gpg('--decrypt', input=data, check=False)
        status = result.stderr.decode('utf-8', 'replace')
        signer = None
        recipients = []
        for line in status.splitlines():
            words = line.split()
            if line.startswith('[GNUPG:] VALIDSIG'):
                signer = words[-1]
            elif line.startswith('[GNUPG:] ENC_TO'):
                recipients.append(words[2])
        ok = 'DECRYPTION_OKAY' in status and 'DECRYPTION_FAILED' not in status
        return Decryption(result.stdout, status, ok, signer, recipients)


def _noop(part) -> None:
    part['Content-Transfer-Encoding'] = '7bit'
