"""Signatures made from the packets of an unprotected secret key.

The outgoing runner signs every delivery with the list key. Doing it here,
with the system's libcrypto directly (_ossl), spares that process PGPy and
cryptography altogether (about 14 MiB) and gives the same v4 signature gpg makes: creation time and
issuer fingerprint hashed, issuer key ID unhashed (RFC 4880 5.2.3,
RFC 9580 5.2.3.35).
"""

import hashlib
import re
import time

from mailman_pgp.pgp import _ossl
from mailman_pgp.pgp import packets as P
from mailman_pgp.pgp._session import mpi
from mailman_pgp.pgp.errors import SignatureError

BINARY, TEXT = 0x00, 0x01
SHA512 = 10
_MISMATCH = ('The secret part of the list key {} does not match its public '
             'part; the key file is damaged.')


def _int(value: bytes) -> int:
    return int.from_bytes(value, 'big')


def _subpacket(kind: int, data: bytes) -> bytes:
    return bytes([len(data) + 1, kind]) + data


class Signer:
    """One signing-capable secret key part (primary key or subkey)."""

    def __init__(self, part):
        self.alg = part.alg
        self.fpr = part.fpr
        self.keyid = part.keyid
        self._part = part
        self._key = None

    def _private(self):
        """The libcrypto private key, built (and checked) once."""
        if self._key is not None:
            return self._key
        part, mpis = self._part, self._part.secret
        try:        # each checks that the numbers belong together
            if part.alg in (1, 3) and len(mpis) == 4:
                d, p, q = (_int(m) for m in mpis[:3])
                key = _ossl.rsa_private(*part.material, d, p, q)
            elif part.alg == 22 and len(mpis) == 1:
                key = _ossl.ed25519_private(mpis[0].rjust(32, b'\0'))
                if key.raw_public() != part.pub.raw_public():
                    raise ValueError('another public key')
            elif part.alg == 19 and len(mpis) == 1:
                key = _ossl.ec_private(part.oid, _int(mpis[0]))
                if key.spki() != part.pub.spki():
                    raise ValueError('another public key')
            else:
                raise SignatureError('The list key {} uses an algorithm '
                                     'that cannot sign.'.format(self.keyid))
        except ValueError:
            raise SignatureError(_MISMATCH.format(self.keyid)) from None
        self._part = None       # the secret MPIs now live in the key only
        self._key = key
        return key

    def sign(self, data: bytes, sigtype: int = BINARY,
             created: int | None = None) -> bytes:
        """A v4 signature packet over data (binary, or canonical text)."""
        key = self._private()
        if sigtype == TEXT:
            data = re.sub(rb'\r?\n', b'\r\n', data)
        when = int(time.time()) if created is None else created
        hashed = (_subpacket(2, when.to_bytes(4, 'big'))
                  + _subpacket(33, b'\x04' + self.fpr))
        unhashed = _subpacket(16, bytes.fromhex(self.keyid))
        head = (bytes([4, sigtype, self.alg, SHA512])
                + len(hashed).to_bytes(2, 'big') + hashed)
        digest = hashlib.sha512(
            data + head + b'\x04\xff' + len(head).to_bytes(4, 'big')).digest()
        if self.alg in (1, 3):
            mpis = mpi(_ossl.sign_digest(key, 'rsa', digest, b'SHA512'))
        elif self.alg == 22:
            value = _ossl.sign_digest(key, 'ed25519', digest)
            mpis = mpi(value[:32]) + mpi(value[32:])
        else:
            r, s = _ossl.sign_digest(key, 'ecdsa', digest)
            mpis = mpi(r) + mpi(s)
        body = (head + len(unhashed).to_bytes(2, 'big') + unhashed
                + digest[:2] + mpis)
        return P.new_packet(P.SIGNATURE, body)
