"""The plugin's own alembic environment (own scripts, own version table)."""

from alembic import context
from mailman.database.model import Model

from mailman_pgp.database.schema import VERSION_TABLE
from mailman_pgp import model


def include_object(obj, name, type_, reflected, compare_to):
    """Autogenerate sees only our tables, never Mailman's."""
    table = obj if type_ == 'table' else getattr(obj, 'table', None)
    return table is None or table.name in {
        plugin_table.name for plugin_table in model.PLUGIN_TABLES}


def run_migrations(connection):
    context.configure(connection=connection, target_metadata=Model.metadata,
                      version_table=VERSION_TABLE,
                      include_object=include_object)
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get('connection')
if connection is None:
    from mailman.config import config
    with config.db.engine.begin() as connection:
        run_migrations(connection)
else:
    run_migrations(connection)
