"""Errors of the crypto facade.

Every failure of an OpenPGP operation is a PGPError, so callers catch one
class; the message is written for the subscriber who has to act on it.
"""

from public import public


@public
class PGPError(Exception):
    """Base of every error raised by mailman_pgp.pgp."""


@public
class ArmorError(PGPError):
    """ASCII armor is malformed or its checksum does not match."""


@public
class PacketError(PGPError):
    """OpenPGP packets are truncated, malformed or in an unexpected order."""


@public
class UnsupportedError(PGPError):
    """A newer OpenPGP format (v5/v6 keys, SEIPDv2, AEAD/OCB) was used."""


@public
class NoIntegrityError(PGPError):
    """Encrypted data without integrity protection (SED) is refused (EFAIL)."""


@public
class DecompressionBombError(PGPError):
    """Compressed data inflates beyond the configured limit."""


@public
class DecryptionError(PGPError):
    """The data could not be decrypted (corrupt, tampered, bad MDC)."""


@public
class WrongKeyError(DecryptionError):
    """The message is not encrypted to any key we hold."""


@public
class KeyImportError(PGPError):
    """A key was refused on import (absurd size, no usable parts, ...)."""


@public
class StaleKeyError(KeyImportError):
    """An older copy of a stored key was offered (it would roll it back)."""


@public
class SignatureError(PGPError):
    """A signature could not be made or is structurally unusable."""


@public
class EncryptionError(PGPError):
    """A message could not be encrypted to the given recipients."""


@public
class MessageFormatError(PGPError):
    """An email message does not have the PGP/MIME or inline shape expected."""


@public
def malformed(error_class=PacketError, message=None):
    """Context manager: turn any non-PGPError raised inside (by PGPy on
    damaged input) into error_class, so callers only ever see PGPError."""
    import contextlib

    @contextlib.contextmanager
    def manager():
        try:
            yield
        except PGPError:
            raise
        except Exception as error:  # noqa: BLE001 (PGPy raises anything)
            raise error_class(message or 'The OpenPGP data is malformed '
                              '({}).'.format(type(error).__name__)) from None
    return manager()


def guarded(function):
    """Decorator for message-level functions: the email package raises
    LookupError, UnicodeError, ... on damaged mail; callers see
    MessageFormatError instead."""
    import functools

    @functools.wraps(function)
    def wrapper(*args, **kws):
        try:
            return function(*args, **kws)
        except PGPError:
            raise
        except Exception as error:  # noqa: BLE001 (damaged mail)
            raise MessageFormatError(
                'The message is malformed and could not be processed '
                '({}).'.format(type(error).__name__)) from None
    return wrapper
