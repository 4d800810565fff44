"""The system's libcrypto (OpenSSL 3), as Python's hashlib links it: the
functions _ossl calls, with their C signatures."""

import ctypes

from ctypes import POINTER, c_char_p, c_int, c_size_t, c_void_p

from mailman_pgp.compat import system_libcrypto


def _load() -> ctypes.CDLL:
    """The libcrypto Python's hashlib uses (already mapped), else the
    system's."""
    path = system_libcrypto()
    try:
        return ctypes.CDLL(path or 'libcrypto.so.3')
    except OSError:
        raise ImportError('mailman-pgp needs the system libcrypto of '
                          'OpenSSL 3 (Debian: libssl3), the one Python\'s '
                          'hashlib links') from None


lib = _load()
if lib.OpenSSL_version_num() < 0x30000000:       # pragma: no cover
    raise ImportError('mailman-pgp needs OpenSSL 3.0 or later for '
                      'hashlib and the plugin')

_SIGNATURES = {
    'EVP_PKEY_free': (None, [c_void_p]),
    'EVP_PKEY_new_raw_public_key': (c_void_p, [c_int, c_void_p, c_char_p,
                                               c_size_t]),
    'EVP_PKEY_new_raw_private_key': (c_void_p, [c_int, c_void_p, c_char_p,
                                                c_size_t]),
    'EVP_PKEY_get_raw_public_key': (c_int, [c_void_p, c_char_p,
                                            POINTER(c_size_t)]),
    'd2i_PUBKEY': (c_void_p, [c_void_p, POINTER(c_char_p), ctypes.c_long]),
    'd2i_PrivateKey': (c_void_p, [c_int, c_void_p, POINTER(c_char_p),
                                  ctypes.c_long]),
    'i2d_PUBKEY': (c_int, [c_void_p, POINTER(c_void_p)]),
    'EVP_PKEY_CTX_new': (c_void_p, [c_void_p, c_void_p]),
    'EVP_PKEY_CTX_new_from_name': (c_void_p, [c_void_p, c_char_p, c_char_p]),
    'EVP_PKEY_CTX_free': (None, [c_void_p]),
    'EVP_PKEY_CTX_set_rsa_padding': (c_int, [c_void_p, c_int]),
    'EVP_PKEY_CTX_set_signature_md': (c_int, [c_void_p, c_void_p]),
    'EVP_PKEY_CTX_set_group_name': (c_int, [c_void_p, c_char_p]),
    'EVP_PKEY_check': (c_int, [c_void_p]),
    'EVP_PKEY_encrypt_init': (c_int, [c_void_p]),
    'EVP_PKEY_encrypt': (c_int, [c_void_p, c_char_p, POINTER(c_size_t),
                                 c_char_p, c_size_t]),
    'EVP_PKEY_sign_init': (c_int, [c_void_p]),
    'EVP_PKEY_sign': (c_int, [c_void_p, c_char_p, POINTER(c_size_t),
                              c_char_p, c_size_t]),
    'EVP_PKEY_keygen_init': (c_int, [c_void_p]),
    'EVP_PKEY_keygen': (c_int, [c_void_p, POINTER(c_void_p)]),
    'EVP_PKEY_derive_init': (c_int, [c_void_p]),
    'EVP_PKEY_derive_set_peer': (c_int, [c_void_p, c_void_p]),
    'EVP_PKEY_derive': (c_int, [c_void_p, c_char_p, POINTER(c_size_t)]),
    'EVP_PKEY_get1_encoded_public_key': (c_size_t, [c_void_p,
                                                    POINTER(c_void_p)]),
    'EVP_MD_CTX_new': (c_void_p, []),
    'EVP_MD_CTX_free': (None, [c_void_p]),
    'EVP_DigestVerifyInit': (c_int, [c_void_p, c_void_p, c_void_p, c_void_p,
                                     c_void_p]),
    'EVP_DigestVerify': (c_int, [c_void_p, c_char_p, c_size_t, c_char_p,
                                 c_size_t]),
    'EVP_DigestSignInit': (c_int, [c_void_p, c_void_p, c_void_p, c_void_p,
                                   c_void_p]),
    'EVP_DigestSign': (c_int, [c_void_p, c_char_p, POINTER(c_size_t),
                               c_char_p, c_size_t]),
    'EVP_get_digestbyname': (c_void_p, [c_char_p]),
    'EVP_CIPHER_fetch': (c_void_p, [c_void_p, c_char_p, c_char_p]),
    'AES_set_encrypt_key': (c_int, [c_char_p, c_int, c_void_p]),
    'AES_wrap_key': (c_int, [c_void_p, c_char_p, c_char_p, c_char_p,
                             ctypes.c_uint]),
    'EVP_CIPHER_CTX_new': (c_void_p, []),
    'EVP_CIPHER_CTX_free': (None, [c_void_p]),
    'EVP_CipherInit_ex': (c_int, [c_void_p, c_void_p, c_void_p, c_char_p,
                                  c_char_p, c_int]),
    'EVP_CipherUpdate': (c_int, [c_void_p, c_char_p, POINTER(c_int),
                                 c_char_p, c_int]),
    'EVP_CipherFinal_ex': (c_int, [c_void_p, c_char_p, POINTER(c_int)]),
    'CRYPTO_free': (None, [c_void_p, c_char_p, c_int]),
    'RSA_new': (c_void_p, []),
    'RSA_free': (None, [c_void_p]),
    'RSA_set0_key': (c_int, [c_void_p, c_void_p, c_void_p, c_void_p]),
    'BN_bin2bn': (c_void_p, [c_char_p, c_int, c_void_p]),
    'BN_free': (None, [c_void_p]),
    'EVP_PKEY_new': (c_void_p, []),
    'EVP_PKEY_assign': (c_int, [c_void_p, c_int, c_void_p]),
    'ERR_clear_error': (None, []),
}
for _name, (_res, _args) in _SIGNATURES.items():
    _function = getattr(lib, _name)
    _function.restype, _function.argtypes = _res, _args


def check(ok) -> None:
    """Raise ValueError (the OpenSSL error queue emptied) unless ok."""
    if ok is None or ok <= 0:
        lib.ERR_clear_error()
        raise ValueError('libcrypto refused the operation')
