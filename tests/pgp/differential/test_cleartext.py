"""Cleartext differential: what the plugin calls a signed clearsigned
text, and the text it calls signed, against Sequoia and GnuPG.

Every case of cleartext_cases.py goes, as the bytes of a text/plain part,
through the plugin's own path (signed_content(), the signatures checked
with the signers' keys, strip_inline_signature() for the text delivered
when the signature is stripped), and, as the same bytes, through
``sqop inline-verify`` and ``gpg --decrypt`` (verdict and output text) and
``gpg --verify`` (verdict).

- The plugin accepts only what both accept, and then its signed text and
  its delivered text equal the text both give out.
- It refuses where one of them accepts only for a reason listed in
  cleartext_cases.STRICTER, named by the case, and its refusal says so
  (cleartext_cases.REASONS); a case so listed that the plugin accepts is a
  failure too (the list must stay true).
"""

import base64
import email
import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from .cleartext_cases import REASONS, STRICTER, build
from .conftest import SEQUOIA, SUMMARY


@dataclass
class Verdict:
    accepted: bool
    text: bytes | None          # LF line ends, one final LF
    detail: str = ''
    delivered: bytes | None = None  # the plugin's, with the sig stripped


def _normal(text: bytes) -> bytes:
    return text.replace(b'\r\n', b'\n')


def sqop(case, certs: list) -> Verdict:
    proc = subprocess.run(['sqop', 'inline-verify', *certs], input=case.data,
                          capture_output=True, timeout=60, check=False)
    detail = proc.stderr.decode('utf-8', 'replace').strip()[-160:]
    if proc.returncode != 0:
        return Verdict(False, None, f'exit {proc.returncode}: {detail}')
    return Verdict(True, _normal(proc.stdout), detail)


def gpg(case, home: str, command: str = '--decrypt') -> Verdict:
    """gpg's verdict (and, for --decrypt, its output text)."""
    proc = subprocess.run(
        ['gpg', '--homedir', home, '--batch', '--no-tty', '--trust-model',
         'always', '--status-fd', '2', '--output', '-', command],
        input=case.data, capture_output=True, timeout=60, check=False)
    status = [line for line in proc.stderr.decode('utf-8', 'replace')
              .splitlines() if line.startswith('[GNUPG:] ')]
    good = sum(' GOODSIG ' in line for line in status)
    bad = [line.split()[1] for line in status
           if line.split()[1] in ('BADSIG', 'ERRSIG', 'NODATA')]
    detail = '; '.join(line for line in proc.stderr.decode(
        'utf-8', 'replace').splitlines() if line.startswith('gpg: ') and
        ('WARN' in line or 'rror' in line or 'BAD' in line
         or 'invalid' in line))[:200]
    if proc.returncode != 0 or not good or bad:
        return Verdict(False, None, f'exit {proc.returncode} {bad}: '
                       + detail)
    return Verdict(True, _normal(proc.stdout)
                   if command == '--decrypt' else None, detail)


def plugin(case, keys) -> Verdict:
    """The plugin's verdict, as the pgp-signature rule reaches it: the post
    is inline-signed, nothing is unsigned, every signature is good."""
    from mailman_pgp.pgp import PGPError, strip_inline_signature
    from mailman_pgp.pgp.signed import signed_content
    raw = ('From: anne@example.com\nMIME-Version: 1.0\nContent-Type: '
           f'text/plain; charset="{case.charset}"\n'
           'Content-Transfer-Encoding: base64\n\n').encode() + \
        base64.encodebytes(case.data)
    msg = email.message_from_bytes(raw)
    content = signed_content(msg)
    try:
        checks = content.verify(keys) if content.pairs else []
    except PGPError as error:
        return Verdict(False, None, f'{type(error).__name__}: {error}')
    statuses = [v.status for v in checks]
    if content.form != 'inline' or content.unsigned or not checks or \
            content.ambiguous or statuses != ['good'] * len(checks):
        return Verdict(False, None, '; '.join(
            content.ambiguous + content.unsigned) or
            f'form {content.form}, signatures {statuses}')
    signed = {data for data, _raw in content.pairs}
    if len(signed) != 1:
        return Verdict(True, None, f'{len(signed)} different signed texts')
    stripped = strip_inline_signature(msg)
    delivered = stripped.get_payload(decode=True)
    return Verdict(True, _normal(signed.pop()) + b'\n',
                   delivered=_normal(delivered))


@pytest.fixture(scope='module')
def judged():
    if not (SEQUOIA and shutil.which('gpg')):
        if os.environ.get('MAILMAN_PGP_REQUIRE_SEQUOIA'):
            pytest.fail('sqop and gpg are required (MAILMAN_PGP_REQUIRE_'
                        'SEQUOIA is set) but not installed')
        pytest.skip('sqop (Sequoia) or gpg is not installed')
    from mailman_pgp.pgp import clear_key_cache, load_keys
    cases, signers = build()
    d = tempfile.mkdtemp(prefix='mmpgp-clear-ref-')
    try:
        certs = []
        for i, cert in enumerate(signers.certs):
            certs.append(os.path.join(d, f'cert{i}.pgp'))
            with open(certs[-1], 'wb') as f:
                f.write(cert)
        home = os.path.join(d, 'gnupg')
        os.mkdir(home, 0o700)
        subprocess.run(['gpg', '--homedir', home, '--batch', '--import',
                        *certs], capture_output=True, check=True)
        with ThreadPoolExecutor(2) as pool:
            sq = list(pool.map(lambda c: sqop(c, certs), cases))
            gp = list(pool.map(lambda c: gpg(c, home), cases))
            gv = list(pool.map(lambda c: gpg(c, home, '--verify'), cases))
        clear_key_cache()
        keys = [k for cert in signers.certs for k in load_keys(cert)]
        ours = [plugin(case, keys) for case in cases]
        yield list(zip(cases, sq, gp, gv, ours))
    finally:
        signers.close()
        shutil.rmtree(d, ignore_errors=True)


def judge(case, sq: Verdict, gp: Verdict, gv: Verdict,
          ours: Verdict) -> str | None:
    """Why the plugin's answer on case is wrong, or None."""
    refs = {'sqop inline-verify': sq, 'gpg --decrypt': gp,
            'gpg --verify': gv}
    if ours.accepted:
        refusing = [n for n, r in refs.items() if not r.accepted]
        if refusing:
            return 'the plugin accepts, {} refuse(s) ({})'.format(
                ', '.join(refusing), ' | '.join(
                    refs[n].detail for n in refusing))
        if case.stricter:
            return f'listed as refused ({case.stricter}) but accepted'
        for name, ref in refs.items():
            if ref.text is None:
                continue        # gpg --verify gives no text
            if ours.text != ref.text:
                return f'signed text {ours.text!r} but {name} gives ' \
                    f'{ref.text!r}'
            if ours.delivered != ref.text:
                return f'delivers {ours.delivered!r} but {name} gives ' \
                    f'{ref.text!r}'
        return None
    accepting = [n for n, r in refs.items() if r.accepted]
    if accepting and case.stricter not in STRICTER:
        return 'the plugin refuses ({}) where {} accept(s), and the case ' \
            'names no reason for being stricter'.format(
                ours.detail, ', '.join(accepting))
    if accepting and not any(hint in ours.detail
                             for hint in REASONS[case.stricter]):
        return 'the plugin refuses for another reason ({}) than the one ' \
            'listed ({})'.format(ours.detail, case.stricter)
    return None


def test_cleartext_differential(judged):
    wrong = [(case.id, why) for case, *verdicts in judged
             if (why := judge(case, *verdicts))]
    counts = {'accepted by all': 0, 'refused by all': 0,
              'refused by the plugin only (listed)': 0}
    for case, sq, gp, gv, ours in judged:
        if ours.accepted:
            counts['accepted by all'] += ours.accepted
        elif sq.accepted or gp.accepted or gv.accepted:
            counts['refused by the plugin only (listed)'] += 1
        else:
            counts['refused by all'] += 1
    SUMMARY['cleartext'] = (len(judged), counts)
    print(f'cleartext differential: {len(judged)} cases, ' + ', '.join(
        f'{n} {what}' for what, n in counts.items()))
    assert not wrong, '\n'.join(f'{cid}: {why}' for cid, why in wrong)


def test_corpus_exercises_every_listed_refusal(judged):
    """Each reason for being stricter is needed by some case (a reference
    accepts it), so none is listed for nothing."""
    used = {case.stricter for case, sq, gp, gv, ours in judged
            if not ours.accepted and (sq.accepted or gp.accepted
                                      or gv.accepted)}
    assert set(STRICTER) - used == set()
