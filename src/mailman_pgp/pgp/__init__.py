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

The names below load their module on first use (PEP 562): every Mailman
process imports the plugin's components, and only the processes that handle
PGP mail (in, command, out, archive, REST) should pay for the crypto.
"""

import importlib

# module (under mailman_pgp.pgp) -> the names it gives the facade.
_MODULES = {
    'armor': (
        'armor', 'crc24', 'dearmor', 'find_blocks', 'is_armored',
    ),
    'autocrypt': (
        'autocrypt_header', 'sender_autocrypt_key',
    ),
    'crypto': (
        'DEFAULT_MAX_SIZE', 'Decrypted', 'MICALG', 'choose_cipher', 'decrypt',
        'encrypt', 'encrypt_each', 'sign_detached', 'sign_message',
    ),
    'errors': (
        'ArmorError', 'DecompressionBombError', 'DecryptionError',
        'EncryptionError', 'KeyImportError', 'MessageFormatError',
        'NoIntegrityError', 'PGPError', 'PacketError', 'SignatureError',
        'StaleKeyError', 'UnsupportedError', 'WrongKeyError',
    ),
    'found': (
        'FoundKeys', 'Revocation', 'find_keys',
    ),
    'freshness': (
        'staleness',
    ),
    'headers': (
        'OBSCURED_SUBJECT', 'apply_protected_headers', 'protect',
    ),
    'inline': (
        'clearsign', 'decrypt_inline', 'is_inline_encrypted',
        'is_inline_signed', 'sign_inline', 'strip_inline_signature',
        'verify_inline',
    ),
    'keygen': (
        'generate_key',
    ),
    'keyops': (
        'apply_revocation', 'certifier_ids', 'import_key',
        'merge_certifications', 'minimize',
    ),
    'keys': (
        'DEFAULT_MAX_BYTES', 'DEFAULT_MAX_UIDS', 'Key', 'clear_key_cache',
        'load_keys',
    ),
    'message': (
        'decrypt_message', 'has_encrypted_parts', 'has_signed_parts',
        'is_encrypted', 'is_signed', 'signature_form', 'strip_signature',
        'verify_message',
    ),
    'mime': (
        'DecryptedMessage', 'EncryptedCopies', 'decrypt_mime',
        'encrypt_mime', 'encrypt_mime_each', 'encrypted_wrapper',
        'is_mime_encrypted',
        'is_mime_signed', 'sign_mime', 'verify_mime',
    ),
    'minimal': (
        'minimal_key',
    ),
    'signed': (
        'SignedContent', 'signed_content',
    ),
    'spec': (
        'ALLOWED_PRIMARY_SPECS', 'ALLOWED_SUB_SPECS', 'KeySpec',
        'parse_key_spec',
    ),
    'usability': (
        'Usability',
    ),
    'verify': (
        'Verification', 'verify_detached',
    ),
}
_HOME = {name: module for module, names in _MODULES.items()
         for name in names}

__all__ = sorted(_HOME)

# A name that is also a submodule's would be replaced by that submodule the
# first time the submodule is imported: bound now, as the eager imports did.
from mailman_pgp.pgp.armor import armor  # noqa: E402, F401


def __getattr__(name: str):
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(
            'module {!r} has no attribute {!r}'.format(__name__, name))
    value = getattr(importlib.import_module(__name__ + '.' + module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_HOME))
