"""Private list keys sealed with the site passphrase on disk.

With ``[keypairs] passphrase_file`` set, every private list key is stored
encrypted (scrypt-derived key, AES-256-GCM) and opened in memory only.
A stolen key directory or database dump then holds no usable list key
without the passphrase file, which can live elsewhere (another disk, a
secrets mount).  Public keys are not sealed.
"""

import base64
import os
import threading

from public import public


BEGIN = '-----BEGIN MAILMAN-PGP SEALED KEY-----'
END = '-----END MAILMAN-PGP SEALED KEY-----'
_SALT, _NONCE = 16, 12
_derived: dict[tuple[bytes, bytes], bytes] = {}
_lock = threading.Lock()


def _aead(key: bytes):
    """AES-GCM, imported on use: before cryptography 43 the module pulls in
    the legacy OpenSSL backend (2.3 MiB) in every process that imports it.
    (All of cryptography is imported on use here: every Mailman process
    reads the key store's settings, few open a sealed key.)"""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    return AESGCM(key)


@public
class SealError(ValueError):
    """A sealed key cannot be opened: no or the wrong passphrase."""


def _key(passphrase: bytes, salt: bytes) -> bytes:
    with _lock:
        cached = _derived.get((passphrase, salt))
    if cached is None:
        from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
        cached = Scrypt(salt=salt, length=32, n=2 ** 15, r=8,
                        p=1).derive(passphrase)
        with _lock:
            _derived[(passphrase, salt)] = cached
    return cached


@public
def is_sealed(text: str) -> bool:
    return text.lstrip().startswith(BEGIN)


@public
def seal(text: str, passphrase: bytes) -> str:
    salt, nonce = os.urandom(_SALT), os.urandom(_NONCE)
    sealed = _aead(_key(passphrase, salt)).encrypt(
        nonce, text.encode('ascii'), BEGIN.encode())
    body = base64.b64encode(salt + nonce + sealed).decode('ascii')
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return '\n'.join([BEGIN, *lines, END]) + '\n'


@public
def unseal(text: str, passphrase: bytes | None) -> str:
    if passphrase is None:
        raise SealError('the list key is sealed, but no [keypairs] '
                        'passphrase_file is configured')
    from cryptography.exceptions import InvalidTag
    body = text.strip()[len(BEGIN):-len(END)]
    try:
        data = base64.b64decode(''.join(body.split()))
        salt, nonce = data[:_SALT], data[_SALT:_SALT + _NONCE]
        plain = _aead(_key(passphrase, salt)).decrypt(
            nonce, data[_SALT + _NONCE:], BEGIN.encode())
    except (InvalidTag, ValueError):
        raise SealError('the list key cannot be opened with the site '
                        'passphrase (wrong passphrase_file, or damaged)'
                        ) from None
    return plain.decode('ascii')


@public
def read_passphrase(path: str) -> bytes:
    """The passphrase: the file's first line, without its line end."""
    with open(path, 'rb') as fp:
        line = fp.readline().rstrip(b'\r\n')
    if not line:
        raise ValueError('{} is empty'.format(path))
    return line
