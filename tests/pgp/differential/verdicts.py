"""Verdicts on one case: Sequoia's (sqv, sqop), gpg's and the facade's.

A verdict is the number of good signatures in the case. sqv says whether
there is at least one (its exit status); sqop prints one line per good
signature; gpgv prints one GOODSIG status line per good signature. The
facade answers per signature (verify_detached, as the incoming runner
does for multipart/signed), on each of its two paths:

- fast: the certificate loaded lazily (load_keys), as the key store does;
  its usability comes from pgp/_fastkey.py when the key is of the usual
  shape and still lazy when it is judged (else from PGPy);
- pgpy: the certificate parsed by PGPy at once (load_keys(lazy=False));
  its usability comes from pgp/usability.py.

Sequoia is also asked whether the signing key may sign now (a signature
made now by it must verify too), and facade_key() puts the same question
to Key.usability().
"""

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass

SQV, SQOP, GPGV = (shutil.which(n) for n in ('sqv', 'sqop', 'gpgv'))
# sqv refuses any signature made after now; the Sequoia library (and so
# sqop) tolerates 30 minutes of clock skew. Give sqv the same tolerance so
# the two agree on "created in the future".
CLOCK_SKEW = 30 * 60


def not_after() -> str:
    """sqv's --not-after: now plus the clock skew."""
    return time.strftime('%Y-%m-%dT%H:%M:%SZ',
                         time.gmtime(time.time() + CLOCK_SKEW))


@dataclass
class Reference:
    sqv: bool
    sqop: int | None          # good signatures, None when sqop fails
    gpg: int | None           # GOODSIG lines, None when gpgv is absent
    detail: str = ''
    # Whether the signing key may sign now: Sequoia's verdict on a
    # signature made now by it (None: not asked).
    now_ok: bool | None = None
    now_detail: str = ''

    @property
    def good(self) -> int:
        """Sequoia's count of good signatures: sqop's lines, checked
        against sqv's verdict; none if the key is not valid now."""
        if self.now_ok is False and self.sqv:
            return 0
        if self.sqop is not None and (self.sqop > 0) == self.sqv:
            return self.sqop
        return int(self.sqv)

    @property
    def tools_agree(self) -> bool:
        """sqv and sqop give the same verdict."""
        return ((self.sqop or 0) > 0) == self.sqv


def _run(cmd, cwd, stdin=None):
    with open(os.path.join(cwd, stdin), 'rb') if stdin else \
            open(os.devnull, 'rb') as f:
        return subprocess.run(cmd, cwd=cwd, stdin=f, capture_output=True,
                              timeout=60, check=False)


def reference(case) -> Reference:
    """Run sqv, sqop verify and gpgv on the case in a scratch directory."""
    d = tempfile.mkdtemp(prefix='mmpgp-diff-')
    try:
        certs = []
        for i, blob in enumerate(case.certs):
            certs.append(f'cert{i}.pgp')
            with open(os.path.join(d, certs[-1]), 'wb') as f:
                f.write(blob)
        with open(os.path.join(d, 'keyring.pgp'), 'wb') as f:
            f.write(b''.join(case.certs))
        for name, blob in (('sig', case.sig), ('data', case.data)):
            with open(os.path.join(d, name), 'wb') as f:
                f.write(blob)
        keyring = [a for c in certs for a in ('--keyring', c)]
        sqv = _run([SQV, *keyring, '--not-after', not_after(), 'sig',
                    'data'], d)
        sqop = _run([SQOP, 'verify', 'sig', *certs], d, 'data')
        n_sqop = None
        if sqop.returncode == 0:
            n_sqop = len([line for line in sqop.stdout.splitlines()
                          if line.strip()])
        elif sqop.returncode == 3:      # NO_SIGNATURE: none is good
            n_sqop = 0
        n_gpg = None
        if GPGV:
            gpg = _run([GPGV, '--homedir', d, '--keyring',
                        os.path.join(d, 'keyring.pgp'), '--status-fd', '1',
                        'sig', 'data'], d)
            n_gpg = sum(1 for line in gpg.stdout.splitlines()
                        if line.startswith(b'[GNUPG:] GOODSIG '))
        detail = _last_line(sqv.stderr)
        now_ok, now_detail = None, ''
        if case.now_refused:
            now_ok, now_detail = False, 'Sequoia will not sign with it now'
        elif case.now_sig is not None:
            with open(os.path.join(d, 'now.sig'), 'wb') as f:
                f.write(case.now_sig)
            now = _run([SQV, *keyring, '--not-after', not_after(),
                        'now.sig', 'data'], d)
            now_ok = now.returncode == 0
            now_detail = _last_line(now.stderr)
        if sqv.returncode == 0 and now_ok is False:
            detail = 'key not valid now: ' + now_detail
        return Reference(sqv.returncode == 0, n_sqop, n_gpg, detail,
                         now_ok, now_detail)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def _last_line(stderr: bytes) -> str:
    lines = [line.strip() for line in
             stderr.decode('utf-8', 'replace').splitlines()
             if line.strip() and not line.startswith('WARNING')]
    return ' '.join(lines[-2:])[:200]


@dataclass
class FacadeVerdict:
    good: int
    detail: str               # statuses, or the error
    fast_path: bool = False   # the fast path really decided usability


def facade(case, path: str) -> FacadeVerdict:
    """The facade's verdict on the case along path 'fast' or 'pgpy'."""
    from mailman_pgp.pgp import PGPError, clear_key_cache, load_keys
    from mailman_pgp.pgp import verify_detached
    clear_key_cache()
    keys = []
    try:
        for blob in case.certs:
            keys.extend(load_keys(blob, lazy=(path == 'fast')))
    except PGPError as error:
        return FacadeVerdict(0, f'key refused: {error}')
    try:
        results = verify_detached(case.data, case.sig, keys)
    except PGPError as error:
        return FacadeVerdict(0, f'{type(error).__name__}: {error}',
                             _fast(keys))
    # Distinct good signatures: sqop reports a repeated one once.
    good = len({v.digest for v in results if v.good})
    return FacadeVerdict(good, ','.join(v.status for v in results),
                         _fast(keys))


def _fast(keys) -> bool:
    """Whether _fastkey judged a key: verification reads the policy's view
    of a lazily loaded key (Key._cert) from its packets when it is of the
    usual shape, Key.usability() its facts (pgp/_facts.py); once PGPy has
    parsed the key, usability.py reads it."""
    for k in keys:
        cert = k._cache.get('cert')
        if k._cache.get('facts') or getattr(cert, 'reader', '') == 'packets':
            return True
    return False


def signing_keyid(case) -> str | None:
    """The key ID that made the case's signature made now."""
    from mailman_pgp.pgp.verify import parse_signature
    if case.now_sig is None:
        return None
    return str(parse_signature(case.now_sig).signer).upper()


def facade_key(case, path: str) -> FacadeVerdict:
    """Whether the facade's Key.usability() lets the key that Sequoia was
    asked about sign now (1) or not (0), along path 'fast' or 'pgpy'."""
    from mailman_pgp.pgp import PGPError, clear_key_cache, load_keys
    clear_key_cache()
    keyid = signing_keyid(case)
    try:
        keys = [k for blob in case.certs
                for k in load_keys(blob, lazy=(path == 'fast'))]
        if keyid is not None:
            keys = [k for k in keys if keyid == k.keyid or keyid in
                    k.subkey_ids] if path == 'pgpy' else [
                k for k in keys if _holds(k, keyid)]
        if not keys:
            return FacadeVerdict(0, f'no key holds {keyid}')
        # Sequoia tries every certificate holding the key; so does this.
        reports = [(k, k.usability()) for k in keys]
    except PGPError as error:
        return FacadeVerdict(0, f'key refused: {error}')
    able = [(k, r) for k, r in reports if (r.signing_keyids if keyid is None
                                           else keyid in r.signing_keyids)]
    key, report = (able or reports)[0]
    return FacadeVerdict(int(bool(able)), '; '.join(report.reasons) or
                         'can sign', _fast([key]))


def _holds(key, keyid) -> bool:
    """Whether a lazily loaded key holds keyid, without parsing it with
    PGPy (which would take it off the fast path)."""
    from mailman_pgp.pgp import packets as P
    from mailman_pgp.pgp._keyparse import v4_fingerprint
    if key.keyid == keyid:
        return True
    for p in P.iter_packets(bytes(key)):
        if p.tag == P.PUBLIC_SUBKEY and p.body[:1] == b'\x04' and \
                v4_fingerprint(p)[-16:] == keyid:
            return True
    return False
