"""Many distinct recipient keys, fast, for the benchmarks.

RSA-3072 generation takes seconds per key, so RSA recipients share one
primary and one subkey material and differ by creation time (hence by
fingerprint); the cost of encrypting to each is the same as for distinct
material. Cv25519 keys are generated for real. Keyrings are cached on disk.
"""

import copy
import os
from datetime import datetime, timedelta, timezone

from mailman_pgp.pgp import Key, generate_key, load_keys, parse_key_spec
from mailman_pgp.pgp._keyparse import _parse_one
from mailman_pgp.pgp._quiet import constants as C
from mailman_pgp.pgp._quiet import pgpy, quiet
from mailman_pgp.pgp.keygen import _preferences

CACHE = os.path.join(os.environ.get('TMPDIR', '/tmp'), 'mmpgp-bench-cache')


def _rsa_keys(n):
    with quiet():
        base = pgpy.PGPKey.new(C.PubKeyAlgorithm.RSAEncryptOrSign, 3072)
        sub = pgpy.PGPKey.new(C.PubKeyAlgorithm.RSAEncryptOrSign, 3072)
        now = datetime.now(timezone.utc).replace(microsecond=0)  # noqa: UP017
        out = []
        for i in range(n):
            when = now - timedelta(days=1, seconds=i)
            k = pgpy.PGPKey()
            k._key = copy.copy(base._key)
            k._key.keymaterial = base._key.keymaterial
            k._key.created = when
            s = pgpy.PGPKey()
            s._key = copy.copy(sub._key)
            s._key.keymaterial = sub._key.keymaterial
            s._key.created = when
            k.add_uid(pgpy.PGPUID.new(f'RSA Member {i}',
                                      email=f'rsa{i}@example.org'),
                      usage={C.KeyFlags.Sign, C.KeyFlags.Certify},
                      **_preferences())
            k.add_subkey(s, usage={C.KeyFlags.EncryptCommunications,
                                   C.KeyFlags.EncryptStorage})
            out.append(Key(_parse_one(bytes(k))))
        return out


def _cv_keys(n):
    return [generate_key(parse_key_spec('EdDSA:Ed25519', 'primary'),
                         parse_key_spec('ECDH:Curve25519', 'sub'),
                         [(f'Cv Member {i}',
                           f'cv{i}@example.org')])
            for i in range(n)]


def secret_keys(kind: str, n: int) -> list:
    """n private keys of kind 'rsa' or 'cv25519', cached."""
    os.makedirs(CACHE, exist_ok=True)
    path = os.path.join(CACHE, f'{kind}-{n}.asc')
    if os.path.exists(path):
        with open(path) as fp:
            return load_keys(fp.read(), max_bytes=None)
    # A larger cached keyring serves too (--quick after a full run).
    for name in sorted(os.listdir(CACHE)):
        size = name[len(kind) + 1:-4] if name.startswith(kind + '-') \
            and name.endswith('.asc') else ''
        if size.isdigit() and int(size) > n:
            with open(os.path.join(CACHE, name)) as fp:
                return load_keys(fp.read(), max_bytes=None)[:n]
    keys = _rsa_keys(n) if kind == 'rsa' else _cv_keys(n)
    with open(path + '.tmp', 'w') as fp:
        fp.write(''.join(k.armor() for k in keys))
    os.replace(path + '.tmp', path)
    return keys
