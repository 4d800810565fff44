"""Temporarily run with another site configuration (tests)."""

import os
import tempfile

from contextlib import contextmanager

from public import public

from mailman_pgp.config import SiteConfig, set_site_config, site_config
from mailman_pgp.keystore import reset_key_store


@public
@contextmanager
def site_options(**options):
    """Override site options given as ``section__option='value'``.

    The rest of the active configuration is kept; restored on exit.
    """
    before = site_config()
    lines = []
    for section, values in before.raw.items():
        lines.append('[{}]'.format(section))
        for option, value in values.items():
            value = options.pop('{}__{}'.format(section, option), value)
            lines.append('{}: {}'.format(option, value))
    if options:
        raise ValueError('unknown options: {}'.format(', '.join(options)))
    fd, path = tempfile.mkstemp(suffix='.cfg')
    with os.fdopen(fd, 'w') as fp:
        fp.write('\n'.join(lines) + '\n')
    try:
        from mailman.config import config
        set_site_config(SiteConfig.load(path, dict(config.paths)))
        reset_key_store()
        yield site_config()
    finally:
        os.unlink(path)
        set_site_config(before)
        reset_key_store()


@public
def wipe_key_directories() -> None:
    """Remove every key file (between tests, like Mailman's DB reset)."""
    import shutil
    site = site_config()
    for path in (site.keydirs.list_keydir, site.keydirs.user_keydir,
                 site.keydirs.archive_keydir):
        shutil.rmtree(path, ignore_errors=True)
    reset_key_store()
    from mailman_pgp.keystore import key_store
    key_store().ensure_directories()
