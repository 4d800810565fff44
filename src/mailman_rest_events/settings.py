"""``rest-events.cfg``: endpoints and retry timings, checked as a whole.

Every problem is reported with the file, the section and the option, all at
once, so that an admin fixes the file in one go.  Nothing here imports
Mailman: ``mailman rest-events check``, the plugin and the tests share it.
"""

import base64
import configparser
import re

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from public import public

from mailman_rest_events.catalogue import EVENT_TYPES


_UNITS = {'ms': 0.001, 's': 1, 'm': 60, 'h': 3600, 'd': 86400}
_DURATION = re.compile(r'^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$')

GENERAL = 'delivery'
_GENERAL_OPTIONS = {
    # option: (default, lowest, highest) in seconds
    'first_retry': ('5s', 0.01, 3600),
    'max_interval': ('1h', 0.01, 86400),
    'retry_for': ('3d', 0, 30 * 86400),
    'poll_interval': ('1s', 0.01, 60),
}
_ENDPOINT_OPTIONS = ('url', 'secret', 'events', 'lists', 'timeout',
                     'enabled')


@public
class RESTEventsConfigError(Exception):
    """The configuration file is refused; ``str()`` lists every problem."""

    def __init__(self, problems: list[str]):
        super().__init__('\n'.join(problems))
        self.problems = problems


@public
def parse_duration(text: str) -> float:
    """'500ms', '5s', '10m', '1h', '3d' or plain seconds -> seconds."""
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(text)
    return float(match.group(1)) * _UNITS[match.group(2) or 's']


@public
@dataclass(frozen=True)
class Endpoint:
    name: str
    url: str
    secrets: tuple[str, ...] = field(repr=False)
    events: re.Pattern | None = None
    lists: re.Pattern | None = None
    timeout: float = 10.0

    def wants(self, event_type: str, list_id: str | None) -> bool:
        if self.events is not None and not self.events.search(event_type):
            return False
        if self.lists is not None and (
                list_id is None or not self.lists.search(list_id)):
            return False
        return True


@public
@dataclass(frozen=True)
class Settings:
    source: str = '(none)'
    endpoints: tuple[Endpoint, ...] = ()
    first_retry: float = 5.0
    max_interval: float = 3600.0
    retry_for: float = 3 * 86400.0
    poll_interval: float = 1.0

    def endpoint(self, name: str) -> Endpoint | None:
        for endpoint in self.endpoints:
            if endpoint.name == name:
                return endpoint
        return None

    @classmethod
    def parse(cls, text: str, source: str) -> 'Settings':
        """Settings from the text of a file; all problems raised at once."""
        problems = []

        def problem(section, option, message):
            where = '[{}] {}: '.format(section, option) if option else \
                '[{}]: '.format(section)
            problems.append('{}: {}{}'.format(source, where, message))

        parser = configparser.ConfigParser(
            interpolation=None, inline_comment_prefixes=('#', ';'),
            default_section='\0no default section')
        try:
            parser.read_string(text, source)
        except configparser.Error as error:
            raise RESTEventsConfigError(['{}: {}'.format(
                source, ' '.join(str(error).split()))]) from None
        values = {}
        endpoints = []
        for section in parser.sections():
            if section == GENERAL:
                values = _general(parser[section], problem)
            elif section.startswith('endpoint.') and len(section) > 9:
                endpoint = _endpoint(section, parser[section], problem)
                if endpoint is not None:
                    endpoints.append(endpoint)
            else:
                problem(section, None, 'unknown section; expected '
                        '[{}] or [endpoint.NAME]'.format(GENERAL))
        if problems:
            raise RESTEventsConfigError(problems)
        return cls(source=source, endpoints=tuple(endpoints), **values)


def _general(section, problem) -> dict:
    values = {}
    for option in section:
        if option not in _GENERAL_OPTIONS:
            problem(section.name, option, 'unknown option; known: ' +
                    ', '.join(_GENERAL_OPTIONS))
    for option, (default, low, high) in _GENERAL_OPTIONS.items():
        text = section.get(option, default)
        try:
            seconds = parse_duration(text)
        except ValueError:
            problem(section.name, option, '{!r} is not a duration (e.g. '
                    '500ms, 5s, 10m, 1h, 3d)'.format(text))
            continue
        if not low <= seconds <= high:
            problem(section.name, option, '{!r} is out of range ({}s to '
                    '{}s)'.format(text, low, high))
            continue
        values[option] = seconds
    return values


def _endpoint(name, section, problem) -> Endpoint | None:
    bad = []

    def fail(option, message):
        bad.append(option)
        problem(name, option, message)

    for option in section:
        if option not in _ENDPOINT_OPTIONS:
            fail(option, 'unknown option; known: ' +
                 ', '.join(_ENDPOINT_OPTIONS))
    url = section.get('url', '').strip()
    parts = urlsplit(url)
    if not url:
        fail('url', 'missing')
    elif parts.scheme not in ('http', 'https') or not parts.hostname:
        # The URL may hold a token: never repeat it.
        fail('url', 'not an http:// or https:// URL with a host name')
    secrets = tuple(section.get('secret', '').split())
    if not secrets:
        fail('secret', 'missing; make one with: python3 -c "import base64,'
             'os; print(\'whsec_\' + base64.b64encode(os.urandom(32))'
             '.decode())"')
    for secret in secrets:
        problem_text = _secret_problem(secret)
        if problem_text:
            fail('secret', problem_text)
            break
    patterns = {}
    for option in ('events', 'lists'):
        text = section.get(option, '').strip()
        if not text:
            patterns[option] = None
            continue
        try:
            patterns[option] = re.compile(text)
        except re.error as error:
            fail(option, '{!r} is not a regular expression: {}'.format(
                text, error))
    if patterns.get('events') is not None and not any(
            patterns['events'].search(kind) for kind in EVENT_TYPES):
        fail('events', '{!r} matches no event type; known: {}'.format(
            patterns['events'].pattern, ', '.join(EVENT_TYPES)))
    elif patterns.get('events') is not None:
        # A typo in one alternative (member\.subscibed|list\.created)
        # still matches through the others: check each on its own.
        for alternative in dead_alternatives(patterns['events'].pattern):
            fail('events', 'the alternative {!r} of {!r} matches no event '
                 'type (a typo?); known: {}'.format(
                     alternative, patterns['events'].pattern,
                     ', '.join(EVENT_TYPES)))
    timeout = 10.0
    text = section.get('timeout', '10s')
    try:
        timeout = parse_duration(text)
        if not 0 < timeout <= 300:
            fail('timeout', '{!r} is out of range (more than 0, at most '
                 '300s)'.format(text))
    except ValueError:
        fail('timeout', '{!r} is not a duration (e.g. 500ms, 10s)'.format(
            text))
    try:
        enabled = section.getboolean('enabled', True)
    except ValueError:
        fail('enabled', '{!r} is not yes or no'.format(section['enabled']))
        enabled = False
    if bad or not enabled:
        return None
    return Endpoint(name=name[len('endpoint.'):], url=url, secrets=secrets,
                    events=patterns['events'], lists=patterns['lists'],
                    timeout=timeout)


def _secret_problem(secret: str) -> str | None:
    # Never echo the secret itself, not even in an error.
    if not secret.startswith('whsec_'):
        return 'must start with whsec_ (a Standard Webhooks secret)'
    try:
        key = base64.b64decode(secret[6:], validate=True)
    except ValueError:
        return 'is not whsec_ followed by base64'
    if not 24 <= len(key) <= 64:
        return 'must hold 24 to 64 bytes (it holds {})'.format(len(key))
    return None


@public
def dead_alternatives(pattern: str) -> list[str]:
    """The alternatives (``a|b``, at any depth) that let ``pattern`` match
    no event type when the alternation is reduced to them alone."""
    dead = []
    for start, end, bars in _alternations(pattern):
        cuts = [start] + [bar + 1 for bar in bars]
        ends = bars + [end]
        for cut, stop in zip(cuts, ends):
            alternative = pattern[cut:stop]
            try:
                alone = re.compile(pattern[:start] + alternative +
                                   pattern[end:])
            except re.error:
                continue
            if not any(alone.search(kind) for kind in EVENT_TYPES):
                dead.append(alternative)
    return dead


def _alternations(pattern: str) -> list[tuple[int, int, list[int]]]:
    """(content start, content end, positions of its '|') of the whole
    pattern and of each group that holds a '|'."""
    found = []
    stack = [(0, [])]
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == '\\':
            i += 2
            continue
        if c == '[':                    # a class: ']' first is literal
            i += 2 if pattern[i + 1:i + 2] == '^' else 1
            i += 1 if pattern[i:i + 1] == ']' else 0
            while i < len(pattern) and pattern[i] != ']':
                i += 2 if pattern[i] == '\\' else 1
        elif c == '(':
            stack.append((_content_start(pattern, i), []))
        elif c == ')' and len(stack) > 1:
            start, bars = stack.pop()
            if bars:
                found.append((start, i, bars))
        elif c == '|':
            stack[-1][1].append(i)
        i += 1
    start, bars = stack[0]
    if bars and len(stack) == 1:
        found.append((start, len(pattern), bars))
    return found


def _content_start(pattern: str, i: int) -> int:
    """Where the alternatives of the group opened at ``i`` begin."""
    if pattern[i + 1:i + 2] != '?':
        return i + 1
    if pattern[i + 2:i + 4] == 'P<' or (pattern[i + 2:i + 3] == '<' and
                                         pattern[i + 3:i + 4] not in '=!'):
        return pattern.find('>', i) + 1
    if pattern[i + 2:i + 4] in ('<=', '<!'):
        return i + 4
    return i + 3                        # (?: (?= (?!
