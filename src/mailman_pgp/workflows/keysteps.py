"""The key steps shared by the subscription and key-reset workflows.

request the key (``key set <token>``) -> the key arrives -> request the
proof (``key confirm <token>``, encrypted to the key) -> the signed proof
arrives -> the key is confirmed -> ``self.pgp_next``.  The ``key`` command
stores the key and checks the proof, then resumes the workflow.
"""

import logging

from mailman.interfaces.pending import IPendings
from mailman.interfaces.subscriptions import TokenOwner
from mailman.utilities.datetime import now
from zope.component import getUtility
from zope.event import notify

from mailman_pgp.events import KeyConfirmedEvent
from mailman_pgp.workflows.pendables import PendablePGPKey


log = logging.getLogger('mailman.plugins.pgp')

# The steps that wait for the subscriber, by the `key` subcommand resuming.
WAITING_STEPS = {'set': 'pgp_key_received', 'confirm': 'pgp_proof_received'}


class PGPKeyStepsMixin:
    """Needs ``mlist``, ``address``, ``token``, ``save()``, ``push()``."""

    PGP_WORKFLOW = None             # the name stored in the pendable
    KEY_REQUEST_TEMPLATE = 'list:user:pgp:key-request'

    def _set_pgp_token(self, token_owner: TokenOwner) -> None:
        """Like ``_set_token``, with the plugin's pendable type."""
        pendings = getUtility(IPendings)
        if self.token is not None:
            pendings.confirm(self.token)
        self.token_owner = token_owner
        self.token = pendings.add(PendablePGPKey(
            list_id=self.mlist.list_id, email=self.address.email,
            workflow=self.PGP_WORKFLOW, token_owner=token_owner.name,
            when=now().replace(microsecond=0).isoformat()))

    def _pgp_address(self):
        from mailman_pgp.model import PGPAddress
        return PGPAddress.get_or_create(self.address.email)

    def _pgp_key(self):
        from mailman_pgp.keystore import key_store
        pgp_address = self._pgp_address()
        key = key_store().address_key(pgp_address.email)
        if key is None or key.fingerprint != pgp_address.key_fingerprint:
            return None
        return key

    def _step_pgp_key_checks(self):
        pgp_address = self._pgp_address()
        key = self._pgp_key()
        usable = key is not None and key.usability().can_encrypt \
            and key.usability().can_sign
        if usable and pgp_address.key_confirmed:
            # One key per address, shared by all lists: already proven.
            self.push('pgp_key_done')
        elif usable:
            self.push('pgp_send_proof')
        else:
            self.push('pgp_send_key_request')

    def _step_pgp_send_key_request(self):
        from mailman_pgp.workflows.mail import send_key_request
        self._set_pgp_token(TokenOwner.subscriber)
        self.push('pgp_key_received')
        self.save()
        send_key_request(self.mlist, self.address.email, self.token,
                         self.KEY_REQUEST_TEMPLATE)
        log.info('%s: key requested from %s', self.mlist.list_id,
                 self.address.email)
        raise StopIteration

    def _step_pgp_key_received(self):
        # `key set` stored the key (unconfirmed) before resuming us.
        self.push('pgp_send_proof')

    def _step_pgp_send_proof(self):
        from mailman_pgp.workflows.mail import send_proof_request
        key = self._pgp_key()
        self._set_pgp_token(TokenOwner.subscriber)
        self.push('pgp_proof_received')
        self.save()
        send_proof_request(self.mlist, self.address.email, key, self.token)
        log.info('%s: proof of key %s requested from %s', self.mlist.list_id,
                 key.fingerprint, self.address.email)
        raise StopIteration

    def _step_pgp_proof_received(self):
        # `key confirm` checked the signed statement before resuming us.
        pgp_address = self._pgp_address()
        pgp_address.key_confirmed = True
        log.info('%s: key %s of %s confirmed', self.mlist.list_id,
                 pgp_address.key_fingerprint, self.address.email)
        notify(KeyConfirmedEvent(self.mlist, self.address.email,
                                 pgp_address.key_fingerprint))
        self.push('pgp_key_done')

    def _step_pgp_key_done(self):
        self._set_token(TokenOwner.no_one)      # expunges the key token
        self.pgp_key_done = True
        self.push(self.pgp_next)
