"""The crypto facade: every OpenPGP operation of mailman-pgp.

This is the only package that imports pgpy (on first use: see _quiet);
the rest of the plugin uses the names re-exported here and never sees a
pgpy object. Every failure is a PGPError subclass whose message a
subscriber can act on.

Keys: Key.load / load_keys / import_key (minimal, third-party
certifications dropped), generate_key(parse_key_spec(...)), Key.usability(),
merge_certifications, apply_revocation, find_keys(msg), staleness (an
older copy of a stored key is refused).
Data: encrypt / encrypt_each / decrypt / sign_detached / sign_message /
verify_detached; results are Decrypted and Verification objects.
Validity of keys, subkeys, bindings and signatures: policy.py only, asked
by every path (fast key reader, PGPy reader, key import, verification).
Mail: is_encrypted / is_signed / has_*_parts / decrypt_message /
verify_message / signed_content (what signatures cover: the one
definition of "signed") / strip_signature for input in any form; sign_mime /
encrypt_mime / encrypt_mime_each (RFC 3156, RFC 9788 protected headers)
and clearsign / sign_inline for output.
"""

from mailman_pgp.pgp.armor import armor, crc24, dearmor, find_blocks, is_armored
from mailman_pgp.pgp.autocrypt import autocrypt_header, sender_autocrypt_key
from mailman_pgp.pgp.crypto import (
    DEFAULT_MAX_SIZE,
    MICALG,
    Decrypted,
    choose_cipher,
    decrypt,
    encrypt,
    encrypt_each,
    sign_detached,
    sign_message,
)
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
    StaleKeyError,
    UnsupportedError,
    WrongKeyError,
)
from mailman_pgp.pgp.freshness import staleness
from mailman_pgp.pgp.found import FoundKeys, Revocation, find_keys
from mailman_pgp.pgp.headers import OBSCURED_SUBJECT, apply_protected_headers, protect
from mailman_pgp.pgp.inline import (
    clearsign,
    decrypt_inline,
    is_inline_encrypted,
    is_inline_signed,
    sign_inline,
    strip_inline_signature,
    verify_inline,
)
from mailman_pgp.pgp.keygen import generate_key
from mailman_pgp.pgp.keyops import (
    apply_revocation,
    certifier_ids,
    import_key,
    merge_certifications,
    minimize,
)
from mailman_pgp.pgp.keys import (
    DEFAULT_MAX_BYTES, DEFAULT_MAX_UIDS, Key, clear_key_cache, load_keys)
from mailman_pgp.pgp.message import (
    decrypt_message,
    has_encrypted_parts,
    has_signed_parts,
    is_encrypted,
    is_signed,
    signature_form,
    strip_signature,
    verify_message,
)
from mailman_pgp.pgp.minimal import minimal_key
from mailman_pgp.pgp.mime import (
    encrypted_wrapper,
    DecryptedMessage,
    decrypt_mime,
    encrypt_mime,
    encrypt_mime_each,
    is_mime_encrypted,
    is_mime_signed,
    sign_mime,
    verify_mime,
)
from mailman_pgp.pgp.signed import SignedContent, signed_content
from mailman_pgp.pgp.spec import (
    ALLOWED_PRIMARY_SPECS,
    ALLOWED_SUB_SPECS,
    KeySpec,
    parse_key_spec,
)
from mailman_pgp.pgp.usability import Usability
from mailman_pgp.pgp.verify import Verification, verify_detached

__all__ = [
    'clear_key_cache',
    'ALLOWED_PRIMARY_SPECS',
    'ALLOWED_SUB_SPECS',
    'DEFAULT_MAX_BYTES',
    'DEFAULT_MAX_SIZE',
    'DEFAULT_MAX_UIDS',
    'MICALG',
    'OBSCURED_SUBJECT',
    'ArmorError',
    'DecompressionBombError',
    'Decrypted',
    'DecryptedMessage',
    'DecryptionError',
    'EncryptionError',
    'FoundKeys',
    'Key',
    'KeyImportError',
    'KeySpec',
    'MessageFormatError',
    'NoIntegrityError',
    'PGPError',
    'PacketError',
    'Revocation',
    'SignatureError',
    'StaleKeyError',
    'SignedContent',
    'UnsupportedError',
    'Usability',
    'Verification',
    'WrongKeyError',
    'apply_protected_headers',
    'apply_revocation',
    'armor',
    'autocrypt_header',
    'choose_cipher',
    'clearsign',
    'crc24',
    'dearmor',
    'decrypt',
    'decrypt_inline',
    'decrypt_message',
    'decrypt_mime',
    'encrypt',
    'encrypt_each',
    'encrypt_mime',
    'encrypted_wrapper',
    'encrypt_mime_each',
    'find_blocks',
    'find_keys',
    'generate_key',
    'has_encrypted_parts',
    'has_signed_parts',
    'import_key',
    'is_armored',
    'is_encrypted',
    'is_inline_encrypted',
    'is_inline_signed',
    'is_mime_encrypted',
    'is_mime_signed',
    'is_signed',
    'load_keys',
    'certifier_ids',
    'merge_certifications',
    'minimal_key',
    'minimize',
    'parse_key_spec',
    'protect',
    'sender_autocrypt_key',
    'sign_detached',
    'sign_inline',
    'sign_message',
    'sign_mime',
    'signed_content',
    'signature_form',
    'staleness',
    'strip_inline_signature',
    'strip_signature',
    'verify_detached',
    'verify_inline',
    'verify_message',
    'verify_mime',
]
