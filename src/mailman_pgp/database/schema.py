"""Create the plugin's tables when missing; migrate them with our alembic.

Core creates tables only in a brand-new database and migrates only its own,
so the plugin does both for its tables, in every process's ``post_hook``,
under a lock so that runners starting together do it once.  The plugin's
alembic scripts keep their own version table, never Mailman's.
"""

import logging
import os

from datetime import timedelta
from importlib.resources import files

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from flufl.lock import Lock
from mailman.config import config
from public import public
from sqlalchemy import inspect

from mailman_pgp import model


log = logging.getLogger('mailman.plugins.pgp')

VERSION_TABLE = 'mailman_pgp_alembic_version'


def alembic_config(connection=None) -> AlembicConfig:
    alembic_cfg = AlembicConfig()
    alembic_cfg.set_main_option(
        'script_location', str(files('mailman_pgp.database') / 'alembic'))
    alembic_cfg.attributes['connection'] = connection
    return alembic_cfg


@public
def current_revision(connection) -> str | None:
    context = MigrationContext.configure(
        connection, opts={'version_table': VERSION_TABLE})
    return context.get_current_revision()


@public
def ensure_schema(engine=None) -> str:
    """Bring the plugin tables to the newest revision; return what was done."""
    engine = engine or config.db.engine
    lock = Lock(os.path.join(config.LOCK_DIR, 'mailman_pgp-schema.lck'),
                lifetime=timedelta(minutes=5))
    with lock, engine.begin() as connection:
        alembic_cfg = alembic_config(connection)
        if current_revision(connection) is None:
            existing = set(inspect(connection).get_table_names())
            missing = [table for table in model.PLUGIN_TABLES
                       if table.name not in existing]
            if missing:
                for table in missing:
                    table.create(connection)
                log.info('created tables: %s',
                         ', '.join(table.name for table in missing))
            command.stamp(alembic_cfg, 'head')
            return 'created' if missing else 'stamped'
        command.upgrade(alembic_cfg, 'head')
        return 'upgraded'
