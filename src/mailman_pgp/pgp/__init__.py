"""The crypto facade: every OpenPGP operation of mailman-pgp.

This is the only package that imports pgpy; the rest of the plugin uses
the names re-exported here.
"""

from mailman_pgp.pgp import speedups  # noqa: F401  (installs PGPy fixes)
from mailman_pgp.pgp.armor import armor, crc24, dearmor, find_blocks, is_armored
from mailman_pgp.pgp.errors import (
    ArmorError,
    DecompressionBombError,
    DecryptionError,
    EncryptionError,
    KeyImportError,
    MessageFormatError,
    NoIntegrityError,
    PacketError,
    PGPError,
    SignatureError,
    UnsupportedError,
    WrongKeyError,
)
from mailman_pgp.pgp.keygen import generate_key
from mailman_pgp.pgp.keys import DEFAULT_MAX_BYTES, DEFAULT_MAX_UIDS, Key, load_keys
from mailman_pgp.pgp.spec import (
    ALLOWED_PRIMARY_SPECS,
    ALLOWED_SUB_SPECS,
    KeySpec,
    parse_key_spec,
)
from mailman_pgp.pgp.usability import Usability

__all__ = [
    'ALLOWED_PRIMARY_SPECS',
    'ALLOWED_SUB_SPECS',
    'DEFAULT_MAX_BYTES',
    'DEFAULT_MAX_UIDS',
    'ArmorError',
    'DecompressionBombError',
    'DecryptionError',
    'EncryptionError',
    'Key',
    'KeyImportError',
    'KeySpec',
    'MessageFormatError',
    'NoIntegrityError',
    'PGPError',
    'PacketError',
    'SignatureError',
    'UnsupportedError',
    'Usability',
    'WrongKeyError',
    'armor',
    'crc24',
    'dearmor',
    'find_blocks',
    'generate_key',
    'is_armored',
    'load_keys',
    'parse_key_spec',
]
