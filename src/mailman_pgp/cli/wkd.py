"""``mailman pgp wkd export``: the Web Key Directory as static files.

The tree goes under ``DIR/.well-known/openpgpkey/`` for a web server to
serve as it is.  Each file is replaced atomically (a client never reads a
half-written key), and a re-run removes the files it wrote before that no
longer belong (a deleted list, a list moved to another domain).  It knows
its own files by a manifest beside them, so keys that someone else put in
the same directory are left alone.
"""

import json
import os
import tempfile

import click

from mailman_pgp.cli.common import OneLineCommand, fail
from mailman_pgp.wkd import POLICY, entries


MANIFEST = '.mailman-pgp-wkd.json'


def _write(path: str, data: bytes) -> None:
    """Replace ``path`` by ``data`` atomically, readable by the web server."""
    directory = os.path.dirname(path)
    os.makedirs(directory, mode=0o755, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix='.tmp-')
    try:
        with os.fdopen(fd, 'wb') as fp:
            fp.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _read_manifest(root: str) -> dict:
    try:
        with open(os.path.join(root, MANIFEST), encoding='utf-8') as fp:
            manifest = json.load(fp)
        return manifest if isinstance(manifest, dict) else {}
    except (FileNotFoundError, ValueError):
        return {}


def _plan(found, method: str) -> dict:
    """{path relative to openpgpkey/: (domain, bytes)}."""
    planned = {}
    for entry in found:
        prefix = entry.domain + '/' if method == 'advanced' else ''
        planned[prefix + 'hu/' + entry.hash] = (entry.domain, entry.data)
        planned[prefix + 'policy'] = (entry.domain, POLICY)
    return planned


def _remove_stale(root: str, stale: list[str]) -> None:
    for relative in stale:
        path = os.path.join(root, relative)
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        # Empty hu/ and domain directories go too; others stay.
        directory = os.path.dirname(path)
        while directory != root:
            try:
                os.rmdir(directory)
            except OSError:
                break
            directory = os.path.dirname(directory)


@click.command(cls=OneLineCommand, help="""\
Write the Web Key Directory of PGP lists under DIR/.well-known/openpgpkey/:
for each list, its key with only the matching user ID, at the hu/ path of
its posting address and of its -request address, and a policy file per
domain.  --method advanced (default) serves https://openpgpkey.DOMAIN/ and
holds a folder per domain; --method direct serves https://DOMAIN/ and takes
one domain.  Re-running replaces each file atomically and removes the
files of lists that no longer exist.""")
@click.argument('directory', type=click.Path(file_okay=False))
@click.option('--domain', help='Only the lists of this mail domain.')
@click.option('--method', type=click.Choice(['advanced', 'direct']),
              default='advanced', show_default=True)
def export(directory, domain, method):
    skipped = []
    found = entries(domain, skipped)
    for sentence in skipped:
        click.echo('WARN  ' + sentence, err=True)
    domains = sorted({entry.domain for entry in found} |
                     ({domain.lower()} if domain else set()))
    if method == 'direct' and len(domains) > 1:
        fail('The direct method serves one domain, and the PGP lists are '
             'in {}: pass --domain (or use --method advanced)'.format(
                 ', '.join(domains)))
    if domain is None and not found:
        fail('No PGP list has a key to publish yet.')
    root = os.path.join(directory, '.well-known', 'openpgpkey')
    os.makedirs(root, mode=0o755, exist_ok=True)
    old = _read_manifest(root)
    planned = _plan(found, method)
    for relative, (_, data) in sorted(planned.items()):
        _write(os.path.join(root, relative), data)
    # With --domain, only that domain's old files may go; others are kept.
    def in_scope(owner):
        return domain is None or owner == domain.lower()
    stale = sorted(path for path, owner in old.items()
                   if path not in planned and in_scope(owner))
    _remove_stale(root, stale)
    manifest = {path: owner for path, owner in old.items()
                if not in_scope(owner)}
    manifest.update({path: owner for path, (owner, _) in planned.items()})
    _write(os.path.join(root, MANIFEST),
           json.dumps(manifest, indent=1, sort_keys=True).encode())
    for entry in found:
        click.echo('{} {} ({})'.format(entry.address, entry.hash,
                                       entry.fingerprint))
    click.echo('{} key file(s) written for {}; {} old file(s) removed.'
               .format(sum(1 for path in planned if '/hu/' in '/' + path),
                       ', '.join(domains) or 'no domain', len(stale)))


@click.group(help="""\
Web Key Directory: publish list keys where OpenPGP clients look them up
(gpg --locate-keys, Thunderbird, K-9).  Run `mailman pgp wkd export --help`.""")
def wkd():
    pass


wkd.add_command(export)
