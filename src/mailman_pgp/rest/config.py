"""REST for the plugin's site configuration: read-only, never secrets."""

from mailman.rest.helpers import etag, forbidden, not_found, okay
from public import public

from mailman_pgp.config import site_config
from mailman_pgp.config.site import SCHEMA, SECRET_OPTIONS


def _shown(section: str, option: str) -> str:
    """The option as the site wrote it; directories after substitution."""
    site = site_config()
    if SCHEMA[section][option].kind == 'directory':
        return site.get(section, option)
    return site.raw[section][option]


def _section(section: str) -> dict:
    return {option: _shown(section, option) for option in SCHEMA[section]
            if (section, option) not in SECRET_OPTIONS}


@public
class PGPConfiguration:
    """/plugins/pgp/config[/<section>[/<option>]]."""

    def __init__(self, section: str | None = None,
                 option: str | None = None):
        self._section = section
        self._option = option

    def on_get(self, request, response):
        if not site_config().rest.allow_read_config:
            forbidden(response, 'Reading the mailman-pgp configuration over '
                      'REST is disabled: the site administrator can allow it '
                      'with [rest] allow_read_config: yes')
            return
        section, option = self._section, self._option
        if section is None:
            okay(response, etag({name: _section(name) for name in SCHEMA}))
            return
        if section not in SCHEMA:
            not_found(response, 'Unknown section: {}; the sections are {}'
                      .format(section, ', '.join(SCHEMA)))
            return
        if option is None:
            okay(response, etag(_section(section)))
            return
        if option not in SCHEMA[section]:
            not_found(response, 'Unknown option: [{}] {}; its options are {}'
                      .format(section, option, ', '.join(SCHEMA[section])))
            return
        if (section, option) in SECRET_OPTIONS:
            forbidden(response, f'[{section}] {option} is secret and never shown')
            return
        okay(response, etag({option: _shown(section, option)}))


@public
def config_child(segments):
    """Route /config, /config/<section> and /config/<section>/<option>."""
    if len(segments) > 2:
        return None
    return PGPConfiguration(*segments), []
