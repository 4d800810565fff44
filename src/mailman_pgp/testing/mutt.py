"""Mutt as a third reader of a delivered copy (for the post fuzzer).

Mutt (Debian package ``mutt``) has no batch renderer, so it runs under
``script`` (a pseudo terminal) on a one-message maildir and pipes the
message as it would display it (``pipe_decode``: headers, then every text
part decoded, format=flowed applied) to a file.  Returns (envelope, shown)
as the readers in lenient.py do; None when mutt is not installed.
"""

import os
import shutil
import subprocess
import tempfile

from mailman_pgp.testing.lenient import ENVELOPE, SHOWN, _LINE

MUTT = shutil.which('mutt')
SCRIPT = shutil.which('script')
_RC = '''set pipe_decode=yes
set weed=no
set wait_key=no
set text_flowed=yes
set reflow_text=yes
set charset=utf-8
set allow_8bit=yes
set header_cache=""
set implicit_autoview=no
'''


def available() -> bool:
    return bool(MUTT and SCRIPT)


def mutt_view(data: bytes):
    if not available():
        return None
    with tempfile.TemporaryDirectory(prefix='mmpgp-mutt-') as home:
        box = os.path.join(home, 'box')
        for sub in ('cur', 'new', 'tmp'):
            os.makedirs(os.path.join(box, sub))
        with open(os.path.join(box, 'new', '1.fuzz'), 'wb') as fp:
            fp.write(data)
        rc, out = os.path.join(home, 'rc'), os.path.join(home, 'out')
        os.makedirs(os.path.join(home, 'Mail'))     # else mutt asks
        with open(rc, 'w') as fp:
            fp.write(_RC + 'set folder={}\n'.format(home))
        command = ('{} -n -F {} -R -f {} -e \'push "<pipe-message>cat > {}'
                   '<enter><quit>"\''.format(MUTT, rc, box, out))
        env = dict(os.environ, TERM='dumb', HOME=home, MAIL=box)
        # stdin stays open: at end of input mutt would only ring the bell.
        with open(os.path.join(home, 'screen'), 'wb') as screen:
            proc = subprocess.Popen([SCRIPT, '-qec', command, '/dev/null'],
                                    env=env, stdin=subprocess.PIPE,
                                    stdout=screen, stderr=subprocess.STDOUT)
            try:
                proc.wait(timeout=30)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
                proc.stdin.close()
        if not os.path.exists(out):
            raise RuntimeError('mutt showed nothing')
        with open(out, 'rb') as fp:
            text = fp.read().decode('utf-8', 'replace')
    head, _, body = text.partition('\n\n')
    envelope, shown = [], []
    for line in _LINE.split(head):
        name, colon, value = line.partition(':')
        if not colon or line[:1] in (' ', '\t'):
            continue
        name = name.strip().lower()
        if name in ENVELOPE:
            envelope.append((name, value.strip()))
        elif name in SHOWN:
            shown.append(value.strip())
    shown.append(body)
    return envelope, shown
