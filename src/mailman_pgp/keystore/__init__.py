"""Key files: list key pairs, subscriber keys, archive keys."""

from public import public


_store = None


@public
def key_store():
    """This process's KeyStore, built from the site configuration."""
    global _store
    from mailman_pgp.config import site_config
    from mailman_pgp.keystore.store import KeyStore
    site = site_config()
    if _store is None or _store.list_keydir != site.keydirs.list_keydir:
        _store = KeyStore.from_site_config(site)
    return _store


@public
def reset_key_store():
    """Forget the store (tests push another configuration)."""
    global _store
    _store = None
