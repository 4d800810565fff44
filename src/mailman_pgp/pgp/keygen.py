"""List key generation from [keypairs] specs."""

from datetime import timedelta

from public import public

from mailman_pgp.pgp._keyparse import _parse_one
from mailman_pgp.pgp._quiet import constants, pgpy, quiet
from mailman_pgp.pgp.keys import Key
from mailman_pgp.pgp.spec import KeySpec

_C = constants
HASHES = [_C.HashAlgorithm.SHA512, _C.HashAlgorithm.SHA384,
          _C.HashAlgorithm.SHA256]
CIPHERS = [_C.SymmetricKeyAlgorithm.AES256, _C.SymmetricKeyAlgorithm.AES192,
           _C.SymmetricKeyAlgorithm.AES128]
COMPRESSION = [_C.CompressionAlgorithm.Uncompressed,
               _C.CompressionAlgorithm.ZLIB, _C.CompressionAlgorithm.ZIP]


@public
def generate_key(primary: KeySpec, sub: KeySpec, uids: list,
                 expires: timedelta | None = None) -> Key:
    """Generate an unprotected private key: a Sign+Certify primary key and
    an encryption subkey, with uids [(name, email)], the first primary."""
    if not uids:
        raise ValueError('at least one user ID is needed')
    with quiet():
        alg, param = primary._pgpy()
        key = pgpy.PGPKey.new(alg, param)
        for i, (name, email) in enumerate(uids):
            uid = pgpy.PGPUID.new(name, email=email)
            kwargs = {
                'usage': {_C.KeyFlags.Sign, _C.KeyFlags.Certify},
                'hashes': HASHES, 'ciphers': CIPHERS,
                'compression': COMPRESSION,
                'features': {_C.Features.ModificationDetection},
                'primary': i == 0}
            if expires is not None:
                kwargs['key_expiration'] = expires
            key.add_uid(uid, **kwargs)
        salg, sparam = sub._pgpy()
        subkey = pgpy.PGPKey.new(salg, sparam)
        skw = {'usage': {_C.KeyFlags.EncryptCommunications,
                         _C.KeyFlags.EncryptStorage}}
        if expires is not None:
            skw['key_expiration'] = expires
        key.add_subkey(subkey, **skw)
    # Round-trip through bytes so times are whole seconds, as gpg sees them.
    with quiet():
        return Key(_parse_one(bytes(key)))
