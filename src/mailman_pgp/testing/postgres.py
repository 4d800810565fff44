"""Throwaway PostgreSQL databases for the tests (CI runs the database tests
on the machine's server): made fresh, dropped even while connected."""

import os

from public import public


@public
def pg_server() -> str:
    """The server's URL, without a database: $MAILMAN_PGP_TEST_PG."""
    return os.environ.get('MAILMAN_PGP_TEST_PG',
                          'postgresql://postgres@127.0.0.1:5432')


def _run(server: str, *statements: str) -> None:
    import psycopg2
    connection = psycopg2.connect(server + '/postgres')
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


@public
def create_database(name: str) -> str:
    """A new, empty database ``name`` (an older one of that name dropped);
    its URL."""
    server = pg_server()
    _run(server, 'DROP DATABASE IF EXISTS ' + name, 'CREATE DATABASE ' + name)
    return '{}/{}'.format(server, name)


@public
def drop_database(url: str) -> None:
    """Drop the database at ``url``, closing its connections."""
    server, name = url.rsplit('/', 1)
    _run(server, 'DROP DATABASE IF EXISTS {} WITH (FORCE)'.format(name))
