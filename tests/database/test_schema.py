"""Plugin tables: created when missing, migrated by our own alembic."""

import unittest

import pytest

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from mailman.config import config
from mailman.database.model import Model
from mailman.testing.layers import ConfigLayer
from sqlalchemy import create_engine, inspect, text

from mailman_pgp.database.schema import (
    VERSION_TABLE, alembic_config, current_revision, ensure_schema)
from mailman_pgp.model import PLUGIN_TABLES


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


class TestMigrations(unittest.TestCase):
    def test_scripts_build_the_declared_schema(self):
        # Upgrading an empty database from base with our scripts gives
        # exactly the tables the models declare.
        engine = create_engine('sqlite://')
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), 'head')
            self.assertEqual(current_revision(connection), head_revision())
            context = MigrationContext.configure(connection)
            names = {table.name for table in PLUGIN_TABLES}
            diff = compare_metadata(context, Model.metadata)
            ours = [entry for entry in diff if _touches(entry, names)]
            self.assertEqual(ours, [])
            self.assertIn(VERSION_TABLE, inspect(connection).get_table_names())
            self.assertNotIn('alembic_version',
                             inspect(connection).get_table_names())


def _touches(entry, names) -> bool:
    for item in (entry if isinstance(entry, list) else [entry]):
        for part in item:
            table = getattr(part, 'table', part)
            if getattr(table, 'name', None) in names:
                return True
            if isinstance(part, str) and part in names:
                return True
    return False


@pytest.mark.database
class TestEnsureSchema(unittest.TestCase):
    layer = ConfigLayer

    def test_stamped_at_start_up(self):
        with config.db.engine.connect() as connection:
            self.assertEqual(current_revision(connection), head_revision())

    def test_missing_tables_are_created_and_rerun_is_harmless(self):
        engine = config.db.engine
        config.db.store.rollback()
        with engine.begin() as connection:
            for table in reversed(PLUGIN_TABLES):
                table.drop(connection)
            connection.execute(text('DROP TABLE ' + VERSION_TABLE))
        self.assertEqual(ensure_schema(), 'created')
        with engine.connect() as connection:
            present = set(inspect(connection).get_table_names())
            self.assertLessEqual({t.name for t in PLUGIN_TABLES}, present)
            self.assertEqual(current_revision(connection), head_revision())
        self.assertEqual(ensure_schema(), 'upgraded')
