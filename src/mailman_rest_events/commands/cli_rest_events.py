"""``mailman rest-events``: check the setup, and the dead-letter queue."""

import json
import os
import stat
import time

import click

from mailman.config import config
from mailman.interfaces.command import ICLISubCommand
from public import public
from zope.interface import implementer


def _store():
    return config.db.store


def _when(seconds: float) -> str:
    return time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(seconds))


@click.group(help="""\
Mailman's events as Standard Webhooks (mailman-rest-events): check the
configuration, and list, retry or purge the events no endpoint took (the
dead-letter queue).  Run `mailman rest-events COMMAND --help` for each.""")
def rest_events():
    pass


@rest_events.command(help="""\
Check rest-events.cfg and the mailman.cfg wiring: every endpoint's options,
the [runner.rest-events] section, that the file with the secrets is not
readable by other users.  Prints each problem (FAIL) and the endpoints;
exits with status 1 if there is any problem.""")
def check():
    from mailman_rest_events.outbox import counts, current_settings
    from mailman_rest_events.plugin import plugin_name, wiring_problems
    problems = wiring_problems()
    if plugin_name() is None:
        problems.insert(0, '[plugin.rest_events] is missing or not enabled')
    settings = current_settings()
    source = settings.source
    if not source.startswith(('python:', '(')) and os.path.exists(source):
        mode = stat.S_IMODE(os.stat(source).st_mode)
        if mode & 0o077 and settings.endpoints:
            problems.append('{} holds secrets but has mode {:o}; chmod 600 '
                            'it'.format(source, mode))
    if problems:
        for problem in problems:
            click.echo('FAIL  ' + problem)
        click.echo('{} problem(s) found.'.format(len(problems)))
        raise SystemExit(1)
    queued = counts(_store())
    click.echo('OK    mailman.cfg wiring is complete')
    click.echo('OK    configuration: {}'.format(source))
    for endpoint in settings.endpoints:
        click.echo('OK    endpoint {}: events {}, lists {}, timeout {:g}s; '
                   '{} queued, {} dead'.format(
                       endpoint.name,
                       endpoint.events.pattern if endpoint.events else 'all',
                       endpoint.lists.pattern if endpoint.lists else 'all',
                       endpoint.timeout,
                       queued.get((endpoint.name, False), 0),
                       queued.get((endpoint.name, True), 0)))
    configured = {endpoint.name for endpoint in settings.endpoints}
    # Endpoints set `enabled: no` (or removed) keep their dead letters.
    for name in sorted({name for name, _ in queued} - configured):
        click.echo('NOTE  endpoint {} (disabled or no longer configured): '
                   '{} queued, {} dead; see mailman rest-events list '
                   '--endpoint {}'.format(name, queued.get((name, False), 0),
                                          queued.get((name, True), 0), name))
    if not settings.endpoints:
        click.echo('OK    no endpoint configured: no event is queued')


@rest_events.command('list', help="""\
List the dead-letter queue: the events an endpoint refused (4xx) or did not
take within retry_for.  With --json, one JSON object per line, with the
event's body.""")
@click.option('--endpoint', help='Only this endpoint.')
@click.option('--json', 'as_json', is_flag=True, help='JSON lines.')
def list_dead(endpoint, as_json):
    from mailman_rest_events.outbox import counts, dead_letters
    rows = dead_letters(_store(), endpoint)
    for row in rows:
        if as_json:
            click.echo(json.dumps({
                'id': row.id, 'endpoint': row.endpoint,
                'webhook_id': row.webhook_id, 'type': row.event_type,
                'list_id': row.list_id, 'queued': _when(row.created),
                'attempts': row.attempts, 'last_error': row.last_error,
                'body': json.loads(row.body)}))
        else:
            click.echo('{:>6}  {}  {}  {}  {}  {} attempt(s), last: {}'.format(
                row.id, _when(row.created), row.endpoint, row.event_type,
                row.webhook_id, row.attempts, row.last_error))
    if not as_json:
        live = sum(count for (name, dead), count in counts(_store()).items()
                   if not dead and (endpoint is None or name == endpoint))
        click.echo('{} dead-lettered event(s); {} waiting to be sent.'.format(
            len(rows), live))


def _pick(ids, everything, endpoint, verb):
    from mailman_rest_events.outbox import select_dead
    if bool(ids) == bool(everything):
        raise click.ClickException(
            'name the events by id (see mailman rest-events list) or give '
            '--all, not both (see: mailman rest-events {} --help)'.format(verb))
    query = select_dead(_store(), tuple(ids), endpoint, everything)
    if ids:
        from mailman_rest_events.model import Delivery
        found = {row.id for row in query.with_entities(Delivery.id)}
        missing = [str(i) for i in ids if i not in found]
        if missing:
            # Nothing done: a typo must not pass as "0 event(s)".
            raise click.ClickException(
                'no dead-lettered event with id {}{} (see mailman '
                'rest-events list); nothing done'.format(
                    ', '.join(missing),
                    ' of endpoint ' + endpoint if endpoint else ''))
    return query


@rest_events.command(help="""\
Put dead-lettered events back in their endpoint's queue, at their old
place (before newer events), with a fresh retry period.""")
@click.argument('ids', nargs=-1, type=int)
@click.option('--all', 'everything', is_flag=True,
              help='Every dead-lettered event (of --endpoint).')
@click.option('--endpoint', help='Only this endpoint.')
def retry(ids, everything, endpoint):
    from mailman_rest_events.model import Delivery
    count = _pick(ids, everything, endpoint, 'retry').update(
        {Delivery.dead: False, Delivery.attempts: 0,
         Delivery.next_attempt: 0.0, Delivery.created: time.time()},
        synchronize_session=False)
    click.echo('{} event(s) queued again.'.format(count))


@rest_events.command(help="Delete dead-lettered events for good.")
@click.argument('ids', nargs=-1, type=int)
@click.option('--all', 'everything', is_flag=True,
              help='Every dead-lettered event (of --endpoint).')
@click.option('--endpoint', help='Only this endpoint.')
def purge(ids, everything, endpoint):
    count = _pick(ids, everything, endpoint, 'purge').delete(
        synchronize_session=False)
    click.echo('{} event(s) purged.'.format(count))


@public
@implementer(ICLISubCommand)
class RESTEvents:
    name = 'rest-events'
    command = rest_events
