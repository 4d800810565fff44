"""The Key wrapper: loading, inspecting and exporting OpenPGP keys.

The rest of the plugin never sees a pgpy object; it gets a Key, whose
properties answer the questions Mailman asks (fingerprint, uids, armor).
"""

import hashlib

from public import public

from mailman_pgp.pgp._keyparse import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_UIDS,
    _binary_chunks,
    _parse_one,
    _split_keys,
    armor_key,
    describe_algorithm,
    v4_fingerprint,
)
from mailman_pgp.pgp import packets as P
from mailman_pgp.pgp._quiet import quiet
from mailman_pgp.pgp.errors import KeyImportError, PacketError, malformed

public(DEFAULT_MAX_UIDS=DEFAULT_MAX_UIDS, DEFAULT_MAX_BYTES=DEFAULT_MAX_BYTES)


@public
class Key:
    """An OpenPGP key (public or private), immutable from the outside."""

    __slots__ = ('__weakref__', '_cache', '_fp', '_pk', '_raw', '_secret')

    def __init__(self, pgpy_key=None, *, raw=None, fingerprint=None,
                 secret=False):
        # Internal: callers use Key.load, load_keys or generate_key. A key
        # may be lazy (raw packets and fingerprint only): PGPy parses it
        # on first use, if ever (see _facts), so loading a thousand keys
        # is cheap.
        self._pk = pgpy_key
        self._raw = raw
        self._secret = secret
        if pgpy_key is not None:
            fingerprint = str(pgpy_key.fingerprint).replace(' ', '')
        self._fp = fingerprint.upper()
        # Derived data that is costly to compute: usability, recipients.
        # Lazily loaded keys share it with every Key of the same bytes, so a
        # process that re-reads its key files does the work once.
        self._cache = _shared_cache(raw) if raw is not None else {}

    @property
    def _k(self):
        """The pgpy key (parsed on first use for lazily loaded keys)."""
        if self._pk is None:
            self._pk = _parse_one(self._raw)
            self._raw = None
        return self._pk

    # -- loading -----------------------------------------------------------
    @classmethod
    def load(cls, data, *, max_uids=DEFAULT_MAX_UIDS,
             max_bytes=DEFAULT_MAX_BYTES) -> 'Key':
        """Load exactly one key from armored or binary data."""
        keys = load_keys(data, max_uids=max_uids, max_bytes=max_bytes,
                         lazy=False)
        if len(keys) != 1:
            raise KeyImportError(
                f'Expected exactly one key but found {len(keys)}; please send only '
                'your own key.')
        return keys[0]

    # -- identity ----------------------------------------------------------
    @property
    def fingerprint(self) -> str:
        """40 upper-case hex digits, no spaces."""
        return self._fp

    @property
    def keyid(self) -> str:
        """The 16 hex digit long key ID of the primary key."""
        return self._fp[-16:]

    @property
    def subkey_ids(self) -> list:
        with malformed():
            return [str(k.fingerprint).replace(' ', '')[-16:]
                    for k in self._k.subkeys.values()]

    @property
    def is_private(self) -> bool:
        if self._pk is None:
            return self._secret
        return not self._pk.is_public

    @property
    def is_protected(self) -> bool:
        """A private key whose secret parts need a passphrase (the facade
        cannot use it)."""
        if not self.is_private:
            return False
        if self._facts() is not None:
            return False        # read from its unprotected packets
        with quiet(), malformed():
            return any(k.is_protected for k in
                       [self._k, *self._k.subkeys.values()])

    @property
    def public(self) -> 'Key':
        """This key without secret material (one object per key, so what
        is derived from it, such as its usability, is derived once)."""
        if not self.is_private:
            return self
        public = self._cache.get('public')
        if public is None:
            with quiet(), malformed():
                public = self._cache['public'] = Key(self._k.pubkey)
        return public

    @property
    def uids(self) -> list:
        """[(name, email)] of the user IDs, primary first."""
        out = []
        with quiet(), malformed():
            uids = [u for u in self._k.userids]
            uids.sort(key=lambda u: not u.is_primary)
            for uid in uids:
                out.append((uid.name or '', uid.email or ''))
        return out

    @property
    def emails(self) -> list:
        return [email.lower() for _, email in self.uids if email]

    @property
    def created(self):
        with malformed():
            return self._k.created

    @property
    def expires_at(self):
        """When the primary key expires according to its valid self
        signatures, or None."""
        return self.usability().expires_at

    @property
    def algorithm(self) -> str:
        """E.g. 'EdDSA/Ed25519 + ECDH/Curve25519' or 'RSA-3072'."""
        with malformed():
            names = [describe_algorithm(self._k)]
            for sub in self._k.subkeys.values():
                name = describe_algorithm(sub)
                if name not in names:
                    names.append(name)
            return ' + '.join(names)

    def usability(self, now=None):
        """Return a Usability report (see mailman_pgp.pgp.policy)."""
        facts = self._facts()
        if facts is not None and now is None:
            return facts.usability
        from mailman_pgp.pgp._keyparse import now_utc
        from mailman_pgp.pgp.policy import evaluate
        now = now_utc(now)
        cert = self._cert()
        with quiet(), malformed(message='The key is malformed and cannot be '
                                'checked; please send it again.'):
            return evaluate(cert, now, now)

    def can_encrypt(self) -> bool:
        """Whether the key can encrypt now: usability().can_encrypt,
        without building the whole report where it is kept packed."""
        facts = self._facts()
        if facts is not None:
            return facts.can_encrypt
        return self.usability().can_encrypt

    def _cert(self):
        """The policy's view of this key (policy.Cert), kept: its
        signatures, back-signatures included, are checked once."""
        cert = self._cache.get('cert')
        if cert is None:
            if self._pk is None:
                from mailman_pgp.pgp._fastkey import fast_key
                fast = fast_key(self._raw)
                cert = fast.cert if fast is not None else None
            if cert is None:
                from mailman_pgp.pgp.usability import pgpy_cert
                with quiet(), malformed(message='The key is malformed and '
                                        'cannot be checked; please send it '
                                        'again.'):
                    cert = pgpy_cert(self._k)
            self._cache['cert'] = cert
        return cert

    def _facts(self):
        """The KeyFacts of a lazily loaded key of the usual shape, else
        None (see _facts); derived again when they may have changed."""
        if self._pk is not None:
            return None
        facts = self._cache.get('facts')
        if facts is None or (facts and not facts.current()):
            from mailman_pgp.pgp._facts import derive_facts
            facts = self._cache['facts'] = derive_facts(self._raw) or False
        return facts or None

    # -- export ------------------------------------------------------------
    def armor(self) -> str:
        """Armored key; private armor for a private key."""
        with quiet(), malformed():
            return armor_key(self._k)

    def public_armor(self) -> str:
        return self.public.armor()

    def __bytes__(self):
        if self._pk is None:
            return self._raw
        with quiet(), malformed():
            return bytes(self._k)

    def __eq__(self, other):
        if not isinstance(other, Key):
            return NotImplemented
        return (self._fp == other._fp
                and self.is_private == other.is_private)

    def __hash__(self):
        return hash((self._fp, self.is_private))

    def __repr__(self):
        return '<Key {} {}{}>'.format(
            self._fp, self.algorithm, ' private' if self.is_private else '')


# A dict in least recently used order (an OrderedDict costs 45 bytes more
# per key).
_SHARED: dict[bytes, dict] = {}
_SHARED_MAX = 20000


def _shared_cache(raw: bytes) -> dict:
    digest = hashlib.sha256(raw).digest()
    cache = _SHARED.pop(digest, None)
    if cache is None:
        cache = {}
        if len(_SHARED) >= _SHARED_MAX:
            del _SHARED[next(iter(_SHARED))]
    _SHARED[digest] = cache
    return cache


@public
def clear_key_cache() -> None:
    """Forget derived data (usability, recipient material) of loaded keys.
    """
    _SHARED.clear()


def _lazy_fingerprint(first) -> str | None:
    """The fingerprint of a key that may load lazily: any v4 public key,
    and an unprotected secret key of the usual shape (else PGPy reads it
    at once, and says what is wrong with it)."""
    if first.tag == P.PUBLIC_KEY:
        return v4_fingerprint(first)
    from mailman_pgp.pgp._fastkey import secret_fingerprint
    return secret_fingerprint(first.body)


@public
def load_keys(data, *, max_uids=DEFAULT_MAX_UIDS,
              max_bytes=DEFAULT_MAX_BYTES, lazy=True) -> list:
    """Load every key in data (armored, possibly several blocks, or binary).

    Absurd keys (more than max_uids user IDs, more than max_bytes of data)
    raise KeyImportError; pass None to lift a limit. With lazy, keys are
    parsed by PGPy on first use (if ever: see _facts), so a malformed
    packet inside a key shows up then, as PacketError.
    """
    if isinstance(data, (bytes, bytearray, str)) and max_bytes is not None \
            and len(data) > 2 * max_bytes:
        raise KeyImportError(f'The key data is larger than the {max_bytes} bytes '
                             'accepted; please send a minimal key.'
                             )
    keys = []
    for chunk in _binary_chunks(data):
        for blob, first in _split_keys(chunk, max_uids, max_bytes):
            fingerprint = _lazy_fingerprint(first) if lazy else None
            if fingerprint is not None:
                keys.append(Key(raw=blob, fingerprint=fingerprint,
                                secret=first.tag == P.SECRET_KEY))
            else:
                keys.append(Key(_parse_one(blob)))
    if not keys:
        raise PacketError('No key was found in the data.')
    return keys
