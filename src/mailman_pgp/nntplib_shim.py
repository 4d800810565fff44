"""``python -m mailman_pgp.nntplib_shim [DIR]``: the nntplib stand-in wheel.

Mailman 3.3.10 declares ``nntplib; python_version >= "3.13"``, a
distribution the index no longer serves, so on Python 3.13 pip cannot
install Mailman (and would fall back to an old mailman-pgp that needs no
3.3.10).  This writes an empty wheel of that name that pulls in
``standard-nntplib`` (PEP 594's "dead battery", the ``nntplib`` module
Mailman imports) and prints its path, so an admin needs only the index::

    pip install --no-deps 'mailman-pgp>=0.4'
    pip install "$(python -m mailman_pgp.nntplib_shim)" 'mailman-pgp>=0.4'

The same distribution as ``scripts/nntplib-shim`` in the source tree (a
test keeps the two alike); nothing here imports Mailman.
"""

import base64
import hashlib
import os
import sys
import tempfile
import zipfile


NAME = 'nntplib'
VERSION = '3.13.0'
REQUIRES = 'standard-nntplib; python_version >= "3.13"'
SUMMARY = ("Placeholder: Mailman 3.3.10's nntplib requirement, met by "
           'standard-nntplib')


def _files() -> dict[str, str]:
    info = '{}-{}.dist-info/'.format(NAME, VERSION)
    return {
        info + 'METADATA': (
            'Metadata-Version: 2.1\nName: {}\nVersion: {}\nSummary: {}\n'
            'Requires-Python: >=3.10\nRequires-Dist: {}\n'.format(
                NAME, VERSION, SUMMARY, REQUIRES)),
        info + 'WHEEL': ('Wheel-Version: 1.0\nGenerator: mailman_pgp.'
                         'nntplib_shim\nRoot-Is-Purelib: true\n'
                         'Tag: py3-none-any\n'),
    }


def write_wheel(directory: str) -> str:
    """Write the wheel into ``directory``; return its path."""
    path = os.path.join(directory, '{}-{}-py3-none-any.whl'.format(
        NAME, VERSION))
    record_name = '{}-{}.dist-info/RECORD'.format(NAME, VERSION)
    records = []
    # A fixed date: the same bytes every time.
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as wheel:
        for name, text in _files().items():
            data = text.encode('utf-8')
            wheel.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)),
                           data)
            digest = base64.urlsafe_b64encode(
                hashlib.sha256(data).digest()).rstrip(b'=').decode()
            records.append('{},sha256={},{}'.format(name, digest, len(data)))
        records.append(record_name + ',,')
        wheel.writestr(zipfile.ZipInfo(record_name, (2020, 1, 1, 0, 0, 0)),
                       '\n'.join(records) + '\n')
    return path


def main(argv: list[str]) -> int:
    directory = argv[0] if argv else tempfile.mkdtemp(prefix='nntplib-')
    os.makedirs(directory, exist_ok=True)
    print(write_wheel(directory))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
