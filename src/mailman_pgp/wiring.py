"""Check the mailman.cfg lines the plugin needs (DESIGN.md "Wiring").

Every missing or wrong line is one problem, phrased as the fix.  The plugin
logs them at start-up and ``mailman pgp check`` prints them.
"""

import os
import stat
import sys

from lazr.config import as_boolean
from public import public


PLUGIN_CLASS = 'mailman_pgp.plugin.PGPMailman'
PLUGIN_NAME = 'pgp'

# (section, option, expected value, why it matters)
REQUIRED = (
    ('plugin.pgp', 'class', PLUGIN_CLASS,
     'the plugin is not loaded'),
    ('plugin.pgp', 'enabled', 'yes',
     'the plugin is not loaded'),
    ('plugin.pgp', 'component_package', 'mailman_pgp',
     'the PGP styles, chain, pipeline and commands are not found'),
    ('runner.in', 'class', 'mailman_pgp.runners.incoming.PGPIncomingRunner',
     'posts to PGP lists are not decrypted and checked'),
    ('runner.command', 'class',
     'mailman_pgp.runners.command.PGPCommandRunner',
     'encrypted command mail is ignored'),
    ('mta', 'outgoing', 'mailman_pgp.mta.deliver.deliver',
     'PGP list posts would not be encrypted to members'),
)

# Optional parts: not wired (or disabled) is a note, not a problem; wired
# and enabled, their class must be right.  (section, class, what it is)
OPTIONAL = (
    ('archiver.pgp-mbox',
     'mailman_pgp.archivers.local_mbox.LocalMboxArchiver',
     'the encrypted mbox archiver'),
    ('archiver.pgp-maildir',
     'mailman_pgp.archivers.local_maildir.LocalMaildirArchiver',
     'the encrypted maildir archiver'),
)


def _value(config, section: str, option: str) -> str | None:
    try:
        return str(getattr(config, section)[option]).strip()
    except Exception:       # lazr raises several kinds for a missing name
        return None


def _same(option: str, actual: str | None, expected: str) -> bool:
    if actual is None:
        return False
    if option in ('enabled', 'enable'):
        try:
            return as_boolean(actual) == as_boolean(expected)
        except ValueError:
            return False
    return actual == expected


def _problem(config, section, option, expected, why) -> str | None:
    actual = _value(config, section, option)
    if not _same(option, actual, expected):
        shown = 'missing' if not actual else 'is {!r}'.format(actual)
        return '[{}] {}: {}; set it to {} ({} without it)'.format(
            section, option, shown, expected, why)
    if option in ('class', 'outgoing') and not _importable(actual):
        return ('[{}] {}: {} cannot be imported; is mailman-pgp installed '
                'in the Python that runs Mailman?'.format(
                    section, option, actual))
    return None


@public
def wiring_problems(config, only=None) -> list[str]:
    """The mailman.cfg lines that are missing or wrong, each with its fix
    (of the (section, option) pairs in ``only``, if given)."""
    problems = []
    wanted = REQUIRED + tuple(
        (section, 'class', expected, what + ' does not work')
        for section, expected, what in OPTIONAL
        if _enabled(config, section))
    for section, option, expected, why in wanted:
        if only is not None and (section, option) not in only:
            continue
        problem = _problem(config, section, option, expected, why)
        if problem is not None:
            problems.append(problem)
    return problems


@public
def start_refusal(config, allowed: bool, key_problems=()) -> str | None:
    """Why ``mailman start`` (and its master and runners) must not run, or
    None.  Every wiring problem refuses (half-wired, Mailman would start,
    then crash-loop a runner or shunt posts), and so does a key file
    Mailman cannot read.  ``allowed`` ([misc] allow_unchecked_start)
    waives the wiring, never the keys."""
    if not starting():
        return None
    problems = [] if allowed else wiring_problems(config)
    problems += list(key_problems)
    if not problems:
        return None
    return ('mailman-pgp refuses to start: Mailman would run half-wired '
            '(PGP lists unchecked, delivered in clear, or their mail '
            'stuck).  Fix:\n  {}\n(or, knowing why, set [misc] '
            'allow_unchecked_start: yes in the mailman-pgp configuration to '
            'start despite the mailman.cfg lines; PGP list posts are then '
            'held).'.format('\n  '.join(problems)))


def _command() -> tuple[str, str | None]:
    """This process's program name and, for ``mailman``, its subcommand."""
    argv = sys.argv if sys.argv else ['']
    program = os.path.basename(argv[0])
    args = iter(argv[1:])
    for arg in args:
        if arg in ('-C', '--config'):
            next(args, None)
        elif not arg.startswith('-'):
            return program, arg
    return program, None


@public
def starting() -> bool:
    """This process is `mailman start`, the master or a runner."""
    program, _ = _command()
    return program in ('master', 'runner') or launching()


@public
def launching() -> bool:
    """This process is `mailman start` itself (before the master runs)."""
    return _command() == ('mailman', 'start')


@public
def refuse(message: str, log) -> None:
    """Stop this process: logged, and on standard error for the admin."""
    log.error('%s', message)
    print(message, file=sys.stderr)
    raise SystemExit(1)


@public
def controlling() -> bool:
    """This process is `mailman stop` or `mailman status`: they must work
    whatever a plugin's own configuration file says, or an admin could not
    stop a Mailman whose plugin configuration broke while it ran."""
    program, command = _command()
    return program == 'mailman' and command in ('stop', 'status')


@public
def wiring_notes(config) -> list[str]:
    """Optional parts the site has not wired: worth knowing, not wrong."""
    return ['[{}] is not enabled: {} is not offered (optional; to offer '
            'it, set class: {} and enable: yes)'.format(section, what,
                                                        expected)
            for section, expected, what in OPTIONAL
            if not _enabled(config, section)]


def _enabled(config, section: str) -> bool:
    return _same('enable', _value(config, section, 'enable'), 'yes')


def _importable(dotted: str) -> bool:
    """Whether dotted names an importable class or function.

    The plugin's own names are looked up in the module's source, not
    imported: every Mailman process checks the wiring, and importing the
    delivery agents or runners would load the crypto into processes that
    never use it (the process that runs them imports them anyway).
    """
    module_name, _, name = dotted.rpartition('.')
    if module_name.startswith('mailman_pgp.'):
        return _defined_in(module_name, name)
    from mailman.utilities.modules import find_name
    try:
        find_name(dotted)
    except (ImportError, AttributeError):
        return False
    return True


def _defined_in(module_name: str, name: str) -> bool:
    import ast
    import importlib.util
    try:
        spec = importlib.util.find_spec(module_name)
        with open(spec.origin, encoding='utf-8') as fp:
            tree = ast.parse(fp.read())
    except (ImportError, AttributeError, TypeError, OSError, SyntaxError,
            ValueError):
        return False
    return any(isinstance(node, (ast.ClassDef, ast.FunctionDef)) and
               node.name == name for node in tree.body)


@public
def permission_problems(store) -> list[str]:
    """Key directories or files that others than Mailman can read."""
    problems = []
    for directory in (store.list_keydir, store.user_keydir,
                      store.archive_keydir):
        if not os.path.isdir(directory):
            continue
        mode = stat.S_IMODE(os.stat(directory).st_mode)
        if mode & 0o077:
            problems.append('{} has mode {:o}; run chmod 700 on it'.format(
                directory, mode))
    passphrase_file = getattr(store, 'passphrase_file', None)
    if passphrase_file and os.path.exists(passphrase_file):
        mode = stat.S_IMODE(os.stat(passphrase_file).st_mode)
        if mode & 0o077:
            problems.append('{} (the site passphrase) has mode {:o}; run '
                            'chmod 600 on it'.format(passphrase_file, mode))
    try:
        names = sorted(os.listdir(store.list_keydir))
    except OSError:         # missing, or unreadable: access_problems() says
        names = []
    for name in names:
        path = os.path.join(store.list_keydir, name)
        mode = stat.S_IMODE(os.lstat(path).st_mode)
        if name.endswith('.asc') and mode & 0o077:
            problems.append(
                '{} (a list private key) has mode {:o}; run chmod 600 on '
                'it'.format(path, mode))
    return problems


@public
def mailman_uid() -> int:
    """The user Mailman runs as: the owner of its var directory (``list``
    on Debian), whoever runs this command (root, with --run-as-root)."""
    from mailman.config import config
    try:
        return os.stat(config.VAR_DIR).st_uid
    except OSError:
        return os.geteuid()


@public
def access_problems(store, owner: int | None = None) -> list[str]:
    """Key directories and files Mailman cannot use: owned by another user
    or unreadable to this process, each with the ``chown`` that fixes it."""
    from mailman_pgp.keystore.files import foreign_paths
    from mailman_pgp.keystore.files import user_name as _user
    owner = mailman_uid() if owner is None else owner
    user, me = _user(owner), _user(os.geteuid())
    tops = [store.list_keydir, store.user_keydir, store.archive_keydir]
    passphrase_file = getattr(store, 'passphrase_file', None)
    if passphrase_file:
        tops.append(passphrase_file)
    problems = []
    for top in dict.fromkeys(tops):
        foreign, unreadable = foreign_paths(top, owner)
        fix = 'run: chown -R {}: {}'.format(user, top)
        if foreign:
            path, uid = foreign[0]
            more = (' (and {} more under {})'.format(len(foreign) - 1, top)
                    if len(foreign) > 1 else '')
            problems.append(
                '{} is owned by {}, not by {} (the user Mailman runs as, '
                'who owns {}){}; Mailman cannot use it: {}'.format(
                    path, _user(uid), user, _var_dir(), more, fix))
        elif unreadable:
            problems.append('{} cannot be read by {}; {}'.format(
                unreadable[0], me, fix))
    return problems


def _var_dir() -> str:
    from mailman.config import config
    return config.VAR_DIR
