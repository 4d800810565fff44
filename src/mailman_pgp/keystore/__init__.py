"""Key files: list key pairs, subscriber keys, archive keys."""

from public import public


_store = None


@public
def key_store():
    """This process's KeyStore, built from the site configuration."""
    global _store
    from mailman_pgp.config import site_config
    from mailman_pgp.keystore.database import DatabaseKeyStore
    from mailman_pgp.keystore.store import KeyStore
    site = site_config()
    kind = (DatabaseKeyStore if site.keystore.backend == 'database'
            else KeyStore)
    if (_store is None or type(_store) is not kind
            or _store.list_keydir != site.keydirs.list_keydir):
        _store = kind.from_site_config(site)
    return _store


@public
def reset_key_store():
    """Forget the store (tests push another configuration)."""
    global _store
    _store = None


@public
def confirmed_key(email: str):
    """The key ``email`` proved it holds (``key confirm``), or None.

    None also when the stored key is not the confirmed one (replaced by
    hand, say): only the fingerprint the subscriber proved counts.
    """
    from mailman_pgp.model import PGPAddress
    address = PGPAddress.for_email(email) if email else None
    if address is None or not address.key_confirmed \
            or not address.key_fingerprint:
        return None
    key = key_store().address_key(address.email)
    if key is None or key.fingerprint != address.key_fingerprint:
        return None
    return key
