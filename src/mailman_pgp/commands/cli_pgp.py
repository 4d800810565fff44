"""``mailman pgp``: the site admin's commands for PGP lists."""

import click

from mailman.config import config
from mailman.interfaces.command import ICLISubCommand
from public import public
from zope.interface import implementer


@click.group(help='Manage PGP-enabled mailing lists (mailman-pgp).')
def pgp():
    pass


@pgp.command(help="""\
Check that mailman.cfg wires the plugin in completely, that the site
configuration loaded, and that no key directory or list key file can be read
by other users.  Prints every problem with its fix and exits with status 1
if there is any.""")
def check():
    from mailman_pgp.config import site_config
    from mailman_pgp.keystore import key_store
    from mailman_pgp.wiring import permission_problems, wiring_problems
    problems = wiring_problems(config)
    if 'pgp' not in config.plugins:
        problems.insert(0, 'the pgp plugin is not loaded: see the errors '
                        'in plugins.log')
    else:
        problems += permission_problems(key_store())
    if problems:
        for problem in problems:
            click.echo('FAIL  ' + problem)
        click.echo('{} problem(s) found.'.format(len(problems)))
        raise SystemExit(1)
    click.echo('OK    mailman.cfg wiring is complete')
    click.echo('OK    site configuration: ' + site_config().source)
    click.echo('OK    key directories are private to Mailman')


@public
@implementer(ICLISubCommand)
class PGPCommand:
    name = 'pgp'
    command = pgp
