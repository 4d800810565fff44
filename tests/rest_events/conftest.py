"""The events tests touch Mailman's database (the outbox lives there): CI
runs them again on PostgreSQL (`pytest -m database`), where each instance
gets a database of its own (mailman_rest_events.testing.instance)."""

import os

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))


def pytest_collection_modifyitems(items):
    for item in items:
        if str(item.path).startswith(HERE + os.sep):
            item.add_marker(pytest.mark.database)
