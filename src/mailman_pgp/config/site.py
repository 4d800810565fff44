"""The site configuration: schema, loading and validation.

The file named by ``[plugin.pgp] configuration:`` is read on top of the
packaged defaults.  Every value is checked here, once, at start-up, so that a
typo cannot silently weaken a list (a misspelt ``allow_read_private_key``
would otherwise fall back to a default nobody chose).
"""

import os
import re

from configparser import ConfigParser, Error as ConfigParserError
from dataclasses import dataclass
from datetime import timedelta
from importlib.resources import files
from string import Template
from typing import Any, Callable

from lazr.config import as_boolean, as_timedelta
from public import public


DEFAULTS_RESOURCE = 'python:mailman_pgp.config.mailman_pgp'


@public
class PGPConfigError(ValueError):
    """The site configuration is unusable; the message says where and why."""


@dataclass(frozen=True)
class Option:
    kind: str                       # what the value means, for error texts
    convert: Callable[[str], Any]   # raises ValueError with what is allowed


def _boolean(value: str) -> bool:
    try:
        return as_boolean(value)
    except ValueError:
        raise ValueError('use yes or no') from None


def _lifetime(value: str) -> timedelta | None:
    """A lazr timedelta (``1d``, ``12h``, ``2w``) or years as gpg counts
    them (``2y``: 730 days, alone or before the rest: ``1y30d``); ``0``
    means "never"."""
    if value.strip() in ('0', '0d'):
        return None
    years = re.fullmatch(r'\s*(\d+)y(.*)', value)
    try:
        delta = timedelta(days=365 * int(years.group(1))) if years else \
            timedelta(0)
        rest = years.group(2).strip() if years else value
        if rest:
            delta += as_timedelta(rest)
    except ValueError:
        raise ValueError(
            'use a duration such as 30d, 12h, 2w or 2y (0 for never)') \
            from None
    if delta <= timedelta(0):
        raise ValueError('use a positive duration (0 for never)')
    return delta


def _duration(value: str) -> timedelta:
    delta = _lifetime(value)
    if delta is None:
        raise ValueError('use a positive duration such as 1d or 12h')
    return delta


def _key_spec(role: str) -> Callable[[str], Any]:
    def convert(value: str):
        # Imported here: only the facade knows which key types work.
        from mailman_pgp.pgp import parse_key_spec
        return parse_key_spec(value.strip(), role)
    return convert


def _path(value: str) -> str:
    """An absolute directory, after Mailman's path substitutions."""
    return value.strip()                # expanded by SiteConfig.load()


def _command(value: str) -> str:
    return value.strip()


def _secret_file(value: str) -> str | None:
    """Empty, or an absolute path to a readable, non-empty file."""
    value = value.strip()
    if not value:
        return None
    if not os.path.isabs(value):
        raise ValueError('use an absolute path, or leave it empty')
    try:
        with open(value, 'rb') as fp:
            if not fp.readline().rstrip(b'\r\n'):
                raise ValueError('the file is empty: put the passphrase on '
                                 'its first line')
    except OSError as error:
        raise ValueError('cannot read it: {}'.format(error.strerror)) \
            from None
    return value


def _backend(value: str) -> str:
    value = value.strip()
    if value not in ('file', 'database'):
        raise ValueError('use file or database')
    return value


SCHEMA: dict[str, dict[str, Option]] = {
    'keydirs': {
        'list_keydir': Option('directory', _path),
        'user_keydir': Option('directory', _path),
        'archive_keydir': Option('directory', _path),
    },
    'keystore': {
        'backend': Option('key store backend', _backend),
    },
    'keypairs': {
        'autogenerate': Option('yes/no', _boolean),
        'primary_key': Option('primary key type', _key_spec('primary')),
        'sub_key': Option('encryption subkey type', _key_spec('sub')),
        'key_lifetime': Option('duration', _lifetime),
        'delete': Option('yes/no', _boolean),
        'shred': Option('yes/no', _boolean),
        'shred_command': Option('command', _command),
        'passphrase_file': Option('passphrase file', _secret_file),
    },
    'archiving': {
        'mailbox_dir': Option('directory', _path),
        'maildir_dir': Option('directory', _path),
    },
    'misc': {
        'change_request_lifetime': Option('duration', _duration),
        'collect_sig_hashes': Option('yes/no', _boolean),
        'allow_unchecked_start': Option('yes/no', _boolean),
    },
    'rest': {
        'allow_read_private_key': Option('yes/no', _boolean),
        'allow_write_private_key': Option('yes/no', _boolean),
        'allow_read_config': Option('yes/no', _boolean),
    },
}

# Options whose raw value must never be shown (REST, logs): none yet, but the
# REST config route consults this before showing anything.
SECRET_OPTIONS: frozenset[tuple[str, str]] = frozenset()
# (The passphrase file's path is not secret; its content is never read
# into the configuration.)


def _read(parser: ConfigParser, text: str, source: str) -> None:
    try:
        parser.read_string(text, source=source)
    except ConfigParserError as error:
        raise PGPConfigError('{}: cannot be parsed: {}'.format(
            source, str(error).splitlines()[0])) from None


def _expand(value: str, paths: dict[str, str]) -> str:
    substitutions = {}
    for name, path in paths.items():
        substitutions[name] = path
        substitutions[name.lower()] = path
    return Template(value).safe_substitute(substitutions)


def read_source(source: str) -> tuple[str, str]:
    """Return (text, shown name) of a ``python:`` resource or absolute path."""
    if source.startswith('python:'):
        package, _, resource = source[7:].rpartition('.')
        path = files(package).joinpath(resource + '.cfg')
        return path.read_text(encoding='utf-8'), str(path)
    if not os.path.isabs(source):
        raise PGPConfigError(
            '[plugin.pgp] configuration: {!r} must be an absolute path or '
            'python:package.module'.format(source))
    try:
        with open(source, encoding='utf-8') as fp:
            return fp.read(), source
    except OSError as error:
        raise PGPConfigError('{}: cannot be read: {}'.format(
            source, error.strerror)) from None


@public
class SiteConfig:
    """The validated site configuration: ``site.section.option`` values."""

    def __init__(self, values: dict[str, dict[str, Any]],
                 raw: dict[str, dict[str, str]], source: str):
        self._values = values
        self.raw = raw
        self.source = source

    def __getattr__(self, section: str):
        try:
            return _Section(self._values[section])
        except KeyError:
            raise AttributeError(section) from None

    def get(self, section: str, option: str) -> Any:
        return self._values[section][option]

    @classmethod
    def load(cls, source: str | None = None,
             paths: dict[str, str] | None = None) -> 'SiteConfig':
        """Read the defaults, then ``source`` on top, and check everything.

        :param source: ``python:pkg.module`` or an absolute path; None or
            empty for the packaged defaults alone.
        :param paths: Mailman's path variables (``config.paths``).
        :raises PGPConfigError: naming file, section, option and what is
            allowed, for every problem found.
        """
        defaults_text, defaults_name = read_source(DEFAULTS_RESOURCE)
        parser = ConfigParser(interpolation=None)
        _read(parser, defaults_text, defaults_name)
        shown = defaults_name
        errors = []
        if source:
            text, shown = read_source(source)
            user = ConfigParser(interpolation=None)
            _read(user, text, shown)
            for section in user.sections():
                if section not in SCHEMA:
                    errors.append(
                        '{}: unknown section [{}]; allowed sections: {}'
                        .format(shown, section, ', '.join(
                            '[{}]'.format(name) for name in SCHEMA)))
                    continue
                for option in user.options(section):
                    if option not in SCHEMA[section]:
                        errors.append(
                            '{}: [{}] unknown option {!r}; allowed options: '
                            '{}'.format(shown, section, option,
                                        ', '.join(SCHEMA[section])))
                        continue
                    parser.set(section, option, user.get(section, option))
        values: dict[str, dict[str, Any]] = {}
        raw: dict[str, dict[str, str]] = {}
        for section, options in SCHEMA.items():
            values[section] = {}
            raw[section] = {}
            for option, spec in options.items():
                text = parser.get(section, option)
                raw[section][option] = text
                try:
                    value = spec.convert(text)
                    if spec.kind == 'directory':
                        value = _expand(value, paths or {})
                        if not os.path.isabs(value):
                            raise ValueError(
                                'use an absolute path (Mailman path '
                                'variables such as $data_dir are allowed)')
                except ValueError as error:
                    errors.append('{}: [{}] {}: {!r} is not a valid {}: {}'
                                  .format(shown, section, option, text,
                                          spec.kind, error))
                    continue
                values[section][option] = value
        if errors:
            raise PGPConfigError('\n'.join(errors))
        return cls(values, raw, shown)


class _Section:
    def __init__(self, values: dict[str, Any]):
        self._values = values

    def __getattr__(self, option: str) -> Any:
        try:
            return self._values[option]
        except KeyError:
            raise AttributeError(option) from None

