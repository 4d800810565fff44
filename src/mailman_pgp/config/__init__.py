"""Site configuration of mailman-pgp.

``site_config()`` is the validated configuration of this process, loaded by
the plugin's ``pre_hook`` (every Mailman process runs it).
"""

from public import public

from mailman_pgp.config.site import PGPConfigError, SiteConfig


public(PGPConfigError=PGPConfigError, SiteConfig=SiteConfig)

_current: SiteConfig | None = None


@public
def set_site_config(site: SiteConfig | None) -> None:
    global _current
    _current = site


@public
def site_config() -> SiteConfig:
    """The configuration loaded at start-up (loading it on first use)."""
    global _current
    if _current is None:
        from mailman_pgp.plugin import load_site_config
        _current = load_site_config()
    return _current
