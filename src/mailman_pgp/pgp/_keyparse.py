"""Parsing helpers behind Key.load: size limits, version checks, splitting."""

import hashlib
from datetime import datetime, timezone

from mailman_pgp.pgp import packets as P
from mailman_pgp.pgp._quiet import pgpy, quiet
from mailman_pgp.pgp.armor import PRIVATE_KEY, PUBLIC_KEY, find_blocks
from mailman_pgp.pgp.armor import armor as _armor
from mailman_pgp.pgp.errors import (
    ArmorError,
    KeyImportError,
    PacketError,
    PGPError,
    UnsupportedError,
)

# datetime.UTC is Python 3.11+; the plugin supports 3.10.
UTC = timezone.utc  # noqa: UP017
DEFAULT_MAX_UIDS = 100
DEFAULT_MAX_BYTES = 1024 * 1024


def _split_keys(data: bytes, max_uids, max_bytes):
    """Split binary key data into one packet list per primary key."""
    if max_bytes is not None and len(data) > max_bytes:
        raise KeyImportError(
            f'The key data is {len(data)} bytes, more than the {max_bytes} bytes accepted; '
            'please send a minimal key (gpg --export-options export-minimal '
            '--export).')
    groups = []
    for p in P.iter_packets(data):
        if p.tag in (P.PUBLIC_KEY, P.SECRET_KEY):
            groups.append([])
        elif not groups:
            if p.tag in (P.MARKER, P.TRUST, P.PADDING):
                continue
            raise PacketError('The data does not start with an OpenPGP key.')
        if p.tag in P.KEY_TAGS:
            if p.version in (5, 6):
                raise UnsupportedError(
                    f'This is a version {p.version} key, a newer format this list '
                    'cannot use yet; please use a version 4 key (GnuPG 2.2 '
                    'or 2.4 make them by default).')
            if p.version != 4:
                raise UnsupportedError(
                    f'This is a version {p.version} key, an obsolete or unknown '
                    'format; please use a version 4 key.')
        elif p.tag == P.SIGNATURE and p.version != 4:
            continue  # v3/v5/v6 signatures: not ours to judge, drop them.
        elif p.tag in (P.TRUST, P.MARKER, P.PADDING):
            continue
        groups[-1].append(p)
    for group in groups:
        n = sum(1 for p in group if p.tag in (P.USER_ID, P.USER_ATTRIBUTE))
        if max_uids is not None and n > max_uids:
            raise KeyImportError(
                f'The key has {n} user IDs, more than the {max_uids} accepted; please '
                'remove unused user IDs and send it again.')
    return [(b''.join(p.raw for p in group), group[0]) for group in groups]


def v4_fingerprint(packet) -> str:
    """Fingerprint of a v4 public key packet (RFC 4880 12.2)."""
    body = packet.body
    data = b'\x99' + len(body).to_bytes(2, 'big') + body
    return hashlib.sha1(data).hexdigest().upper()


def _parse_one(blob: bytes):
    try:
        with quiet():
            key, _ = pgpy.PGPKey.from_blob(blob)
    except PGPError:
        raise
    except Exception as error:  # noqa: BLE001 (PGPy raises anything)
        raise PacketError('The key could not be read: its packets are '
                          f'malformed ({type(error).__name__}).') \
            from None
    if key._key is None:
        raise PacketError('The data does not contain a key.')
    return key


def _binary_chunks(data):
    """Return a list of binary blobs from armored or binary data."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        data = bytes(data)
        if data[:1] and data[0] & 0x80:
            return [data]
        data = data.decode('utf-8', 'surrogateescape')
    if not isinstance(data, str):
        raise TypeError('key data must be str or bytes')
    blocks = [b for b in find_blocks(data) if b.kind in (PUBLIC_KEY,
                                                           PRIVATE_KEY)]
    if not blocks:
        raise ArmorError('No PGP key was found; please send the key as an '
                         'armored "-----BEGIN PGP PUBLIC KEY BLOCK-----".')
    return [b.data for b in blocks]


def describe_algorithm(k) -> str:
    """Short human name of one pgpy key's algorithm."""
    alg = k.key_algorithm.name
    names = {'RSAEncryptOrSign': 'RSA', 'RSAEncrypt': 'RSA', 'RSASign': 'RSA',
             'EdDSA': 'EdDSA', 'ECDSA': 'ECDSA', 'ECDH': 'ECDH',
             'DSA': 'DSA', 'ElGamal': 'ElGamal'}
    name = names.get(alg, alg)
    size = k.key_size
    if isinstance(size, int):
        return f'{name}-{size}'
    curves = {'NIST_P256': 'nistp256', 'NIST_P384': 'nistp384',
              'NIST_P521': 'nistp521', 'Brainpool_P256': 'brainpoolP256r1',
              'Brainpool_P384': 'brainpoolP384r1',
              'Brainpool_P512': 'brainpoolP512r1', 'SECP256K1': 'secp256k1'}
    curve = getattr(size, 'name', str(size))
    return f'{name}/{curves.get(curve, curve)}'


def now_utc(now=None):
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        return now.replace(tzinfo=UTC)
    return now


def armor_key(k) -> str:
    kind = PUBLIC_KEY if k.is_public else PRIVATE_KEY
    return _armor(bytes(k), kind)
