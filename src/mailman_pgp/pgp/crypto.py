"""Encrypt, decrypt and sign: SEIPD with MDC only, binary literal data.

Output is always integrity protected, never compressed unless asked, with
the cipher every recipient accepts; one session key serves any number of
recipients, optionally with all-zero (hidden) key IDs. Input without
integrity protection, of a newer format, or inflating beyond a limit is
refused with its specific error.
"""

import collections
import hashlib
import time

from dataclasses import dataclass, field

from public import public

from mailman_pgp.pgp import _session as S
from mailman_pgp.pgp import packets as P
from mailman_pgp.pgp._inner import (
    DEFAULT_MAX_SIZE,
    compressed_packet,
    literal_packet,
    one_pass_packet,
    parse_inner,
)
from mailman_pgp.pgp._fastsign import BINARY, SHA512, TEXT
from mailman_pgp.pgp._quiet import constants, lazy, pgpy, quiet
from mailman_pgp.pgp.armor import MESSAGE, SIGNATURE, armor, dearmor
from mailman_pgp.pgp.errors import (
    DecryptionError,
    EncryptionError,
    MessageFormatError,
    PacketError,
    SignatureError,
    UnsupportedError,
    WrongKeyError,
)
from mailman_pgp.pgp.verify import as_keys, verify_raw

public(DEFAULT_MAX_SIZE=DEFAULT_MAX_SIZE)
SIGN_HASH = 'SHA512'
MICALG = 'pgp-sha512'
public(SIGN_HASH=SIGN_HASH, MICALG=MICALG)
_ST = lazy('pgpy.constants.SignatureType')


@public
@dataclass
class Decrypted:
    """A decrypted message: its data and the signatures found inside."""
    data: bytes
    filename: str = ''
    signatures: list = field(default_factory=list, repr=False)

    @property
    def is_signed(self) -> bool:
        return bool(self.signatures)

    def verify(self, keys, now=None) -> list:
        """One Verification per signature inside the encryption."""
        keys = as_keys(keys)
        return [verify_raw(raw, self.data, keys, now)
                for raw in self.signatures]


# -- helpers on Key --------------------------------------------------------

def _signer(key):
    """The pgpy (sub)key that signs for key, and its long key ID."""
    if not key.is_private:
        raise SignatureError('Signing needs the private key.')
    u = key.usability()
    if not u.can_sign:
        raise SignatureError('The key {} cannot sign: {}'.format(
            key.fingerprint, ' '.join(u.reasons)))
    keyid = u.signing_keyids[0] if key.keyid in u.signing_keyids else \
        u.signing_keyids[-1]
    k = key._k if keyid == key.keyid else key._k.subkeys[keyid]
    if _locked(k):
        raise SignatureError(_PROTECTED)
    return k, keyid


_PROTECTED = ('The key is protected by a passphrase; the list needs its key '
              'without one (keys are protected by file permissions).')


def _locked(k) -> bool:
    with quiet():
        return bool(k.is_protected) and not k.is_unlocked


def _cannot_encrypt(key, usability):
    return EncryptionError('The key {} cannot be used to encrypt: {}'.format(
        key.fingerprint, ' '.join(usability.reasons)))


def _recipient(key):
    """Cached Recipient for the newest usable encryption (sub)key."""
    facts = key._facts()
    if facts is not None:
        if facts.recipient is None:
            raise facts.recipient_error or _cannot_encrypt(
                key, facts.usability)
        return facts.recipient
    cached = key._cache.get('recipient')
    if cached is not None:
        return cached
    u = key.usability()
    if not u.can_encrypt:
        raise _cannot_encrypt(key, u)
    with quiet():
        parts = [key._k if kid == key.keyid else key._k.subkeys[kid]
                 for kid in u.encryption_keyids]
        part = max(parts, key=lambda k: k.created)
        if part.is_public is False:
            part = part.pubkey if part.is_primary else part
    rec = S.Recipient(part)
    key._cache['recipient'] = rec
    return rec


def _ciphers(key) -> tuple:
    facts = key._facts()
    if facts is not None:
        return facts.ciphers
    cached = key._cache.get('ciphers')
    if cached is None:
        with quiet():
            uids = sorted(key._k.userids, key=lambda u: not u.is_primary)
            prefs = uids[0].selfsig.cipherprefs if uids and \
                uids[0].selfsig else []
            cached = tuple(int(c) for c in prefs)
        key._cache['ciphers'] = cached
    return cached


def choose_cipher(recipients) -> int:
    """AES-256 first, else the strongest AES every recipient lists;
    AES-128 is what every modern implementation must accept."""
    for cipher in S.OUR_CIPHERS:
        if all(cipher in _ciphers(k) for k in recipients):
            return cipher
    return S.AES128


# -- signing ---------------------------------------------------------------

def _make_sig(key, data: bytes, text: bool = False):
    """(signature packet, (type, hash, key algorithm), signer's key ID)."""
    facts = key._facts() if key.is_private else None
    if facts is not None:
        signer = facts.signer
        if signer is None:
            raise SignatureError('The key {} cannot sign: {}'.format(
                key.fingerprint, ' '.join(facts.usability.reasons)))
        sigtype = TEXT if text else BINARY
        return (signer.sign(data, sigtype), (sigtype, SHA512, signer.alg),
                signer.keyid)
    k, keyid = _signer(key)
    halg = getattr(constants.HashAlgorithm, SIGN_HASH)
    with quiet():
        sigtype = _ST.CanonicalDocument if text else _ST.BinaryDocument
        sig = pgpy.PGPSignature.new(sigtype, k.key_algorithm, halg,
                                    k.fingerprint.keyid)
        sig = k._sign(data, sig)
        kinds = (int(sig.type), int(sig.hash_algorithm),
                 int(sig.key_algorithm))
        raw = bytes(sig)
    return raw, kinds, keyid


@public
def sign_detached(data: bytes, key, *, text=False, armored=True):
    """A detached signature over data (binary, or canonical text)."""
    raw, _, _ = _make_sig(key, _bytes(data), text)
    return armor(raw, SIGNATURE) if armored else raw


# Signed bodies, so that one body sent in many batches (individual delivery
# to a large list) is signed once: (digest, signer, compress) -> (when, out).
_SIGNED = collections.OrderedDict()
_SIGNED_SIZE, _SIGNED_AGE = 8, 600.0


def signed_plaintext(data: bytes, key=None, compress=False) -> bytes:
    """Literal data packet, one-pass-signed by key if given.

    The same data signed by the same key within a few minutes gets the same
    signature (the latest few bodies are remembered).
    """
    data = _bytes(data)
    if key is None:
        out = literal_packet(data)
        return compressed_packet(out) if compress else out
    cache_key = (hashlib.sha256(data).digest(), key.fingerprint, compress)
    cached = _SIGNED.get(cache_key)
    if cached is not None and time.monotonic() - cached[0] < _SIGNED_AGE:
        _SIGNED.move_to_end(cache_key)
        return cached[1]
    raw, kinds, keyid = _make_sig(key, data)
    ops = one_pass_packet(*kinds, bytes.fromhex(keyid))
    out = ops + literal_packet(data) + raw
    out = compressed_packet(out) if compress else out
    _SIGNED[cache_key] = (time.monotonic(), out)
    while len(_SIGNED) > _SIGNED_SIZE:
        _SIGNED.popitem(last=False)
    return out


@public
def sign_message(data: bytes, key, *, compress=False, armored=True):
    """An opaque signed OpenPGP message (gpg --sign) holding data."""
    out = signed_plaintext(data, key, compress)
    return armor(out, MESSAGE) if armored else out


# -- encryption ------------------------------------------------------------

def _bytes(data) -> bytes:
    if isinstance(data, str):
        return data.encode('utf-8')
    return bytes(data)


def _encrypt_plain(plain, recipients, throw_keyids, armored):
    recipients = as_keys(recipients)
    if not recipients:
        raise EncryptionError('No recipient key to encrypt to.')
    cipher = choose_cipher(recipients)
    session_key = S.new_session_key(cipher)
    out = [_recipient(k).pkesk(cipher, session_key, throw_keyids)
           for k in recipients]
    out.append(S.seipd_encrypt(cipher, session_key, plain))
    data = b''.join(out)
    return armor(data, MESSAGE) if armored else data


@public
def encrypt(data, recipients, *, sign_with=None, throw_keyids=False,
            compress=False, armored=True):
    """Encrypt (and sign) data to every recipient Key with one session key.
    """
    plain = signed_plaintext(data, sign_with, compress)
    return _encrypt_plain(plain, recipients, throw_keyids, armored)


@public
def signed_payload(data, sign_with=None, compress=False) -> bytes:
    """The packets to encrypt for data (one-pass signed by sign_with): made
    once per post, then encrypted per copy with encrypt_payload()."""
    return signed_plaintext(data, sign_with, compress)


@public
def encrypt_payload(plain: bytes, recipients, *, throw_keyids=False,
                    armored=True):
    """Encrypt prepared packets (signed_payload) to recipients with a new
    session key: the per-copy part of encrypt()."""
    return _encrypt_plain(plain, recipients, throw_keyids, armored)


@public
def encrypt_each(data, recipient_groups, *, sign_with=None,
                 throw_keyids=False, compress=False, armored=True) -> list:
    """Sign once, then encrypt one copy per group of recipient Keys."""
    plain = signed_plaintext(data, sign_with, compress)
    return [_encrypt_plain(plain, group, throw_keyids, armored)
            for group in recipient_groups]


# -- decryption ------------------------------------------------------------

_ZERO = b'\0' * 8


def _secret_parts(keys):
    parts = []
    for key in as_keys(keys):
        if not key.is_private:
            continue
        with quiet():
            for k in [key._k, *key._k.subkeys.values()]:
                if _locked(k):
                    raise DecryptionError(_PROTECTED)
                alg = int(k.key_algorithm)
                if alg in S.RSA_ALGS or alg == S.ECDH_ALG:
                    parts.append((bytes.fromhex(str(k.fingerprint)
                                                .replace(' ', '')[-16:]),
                                  alg, k))
    return parts


def _session_keys(pkesks, parts):
    """Yield (cipher, key) candidates; record why none may come."""
    for body in pkesks:
        parsed = S.parse_pkesk(body)
        if parsed is None:
            continue
        keyid, alg = parsed
        for pid, palg, part in parts:
            if palg != alg and not (alg in S.RSA_ALGS
                                    and palg in S.RSA_ALGS):
                continue
            if keyid != pid and keyid != _ZERO:
                continue
            result = S.decrypt_session_key(body, part)
            if result is not None:
                yield result


@public
def decrypt(data, keys, *, max_size=DEFAULT_MAX_SIZE) -> Decrypted:
    """Decrypt an OpenPGP message (armored or binary) with private keys."""
    raw = dearmor(data, None) if not (isinstance(data, bytes)
                                      and data[:1] and data[0] & 0x80) \
        else data
    packets = list(P.iter_packets(raw))
    P.check_message_packets(packets)
    pkesks, seipd, skesk = [], None, False
    for p in packets:
        if p.tag == P.PKESK:
            pkesks.append(p.body)
        elif p.tag == P.SKESK:
            skesk = True
        elif p.tag == P.SEIPD:
            if seipd is not None:
                raise PacketError('The message has two encrypted parts.')
            seipd = p.body
        elif p.tag in (P.MARKER, P.PADDING):
            continue
        elif p.tag in (P.LITERAL, P.COMPRESSED, P.ONE_PASS, P.SIGNATURE):
            raise MessageFormatError('The message is not encrypted.')
        else:
            raise PacketError(f'Unexpected packet (tag {p.tag}) in an encrypted '
                              'message.')
    if seipd is None:
        raise PacketError('The message contains no encrypted data.')
    parts = _secret_parts(keys)
    if not parts:
        raise DecryptionError('Decryption needs a private key; none was '
                              'given.')
    error = None
    for cipher, session_key in _session_keys(pkesks, parts):
        try:
            plain = S.seipd_decrypt(cipher, session_key, seipd)
        except DecryptionError as e:
            error = e
            continue
        inner = parse_inner(plain, max_size)
        if inner.literal is None:
            raise PacketError('The encrypted message contains no data.')
        return Decrypted(inner.literal, inner.filename, inner.signatures)
    if error is not None:
        raise error
    ours = {pid for pid, _, _ in parts}
    ids = [S.parse_pkesk(b) for b in pkesks]
    if any(i is not None and i[0] in ours for i in ids):
        raise DecryptionError('The session key of the message could not be '
                              'decrypted; the message is damaged.')
    if pkesks and all(i is None for i in ids):
        raise UnsupportedError('The message is encrypted in a newer format '
                               '(v6 key packets) this list cannot read.')
    if skesk and not pkesks:
        raise WrongKeyError('The message is encrypted with a password, not '
                            'to the list key.')
    raise WrongKeyError('The message is not encrypted to the list key; '
                        'please encrypt it to the key of the list.')
