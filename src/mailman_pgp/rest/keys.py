"""REST for a subscriber's key steps on one list, and the moderators' queue.

The web UI sets, confirms, changes and revokes keys through the very
handlers of the ``key`` email command: each request becomes the mail a
subscriber would have sent (From: the address, the key or the signed
statement in the body), so both ways share one workflow, one set of
tokens and one set of checks; a key set asked for by mail can be finished
on the web and the other way round.  Core's REST API is admin-only: the
web UI decides who may act for which address.
"""

import io
import logging

from email.mime.text import MIMEText

from mailman.config import config
from mailman.email.message import Message
from mailman.interfaces.pending import IPendings
from mailman.interfaces.subscriptions import ISubscriptionManager
from mailman.model.workflow import WorkflowState
from mailman.rest.helpers import bad_request, etag, no_content, okay
from public import public
from zope.component import getUtility

from mailman_pgp.keystore import key_store
from mailman_pgp.model import PGPAddress
from mailman_pgp.rest.catalog import key_facts
from mailman_pgp.rest.helpers import path_to, request_data

log = logging.getLogger('mailman.plugins.pgp')

ACTIONS = {'set': ('token', 'key'), 'confirm': ('token', 'signed'),
           'change': ('key', 'signature'), 'revoke': ('revocation',)}
# Bigger than any sane public key with its certifications.
MAX_TEXT = 256 * 1024
# A key within MAX_TEXT cannot carry many more user IDs than this.
MAX_UIDS_APPROVAL = 5000
_WAITING = {'pgp_key_received': 'key', 'pgp_proof_received': 'proof'}


def _as_mail(email: str, action: str, fields: dict) -> Message:
    """The mail the subscriber would have sent for ``key <action>``."""
    [text] = [fields[name] for name in ('signed', 'key', 'revocation')
              if fields.get(name)]
    msg = MIMEText(text, 'plain', 'utf-8')
    msg['From'] = email
    msg['Subject'] = 'key ' + action
    return _mailman(msg)


def _mailman(msg) -> Message:
    import email as email_package
    return email_package.message_from_bytes(msg.as_bytes(), Message)


def _fields(data: dict) -> tuple[str, dict]:
    """(action, fields) of a POST, or ValueError naming what is wrong."""
    action = data.pop('action', None)
    if action not in ACTIONS:
        raise ValueError('action must be one of: {}'.format(
            ', '.join(ACTIONS)))
    wanted = ACTIONS[action]
    extra = sorted(set(data) - set(wanted))
    if extra:
        raise ValueError('Unknown attribute(s) for {}: {}; send {}'.format(
            action, ', '.join(extra), ', '.join(wanted)))
    fields = {}
    for name in wanted:
        value = data.get(name)
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f'Missing attribute: {name}')
        if len(value) > MAX_TEXT:
            raise ValueError(f'{name} is too large (over {MAX_TEXT} bytes)')
        # Browsers send pasted text with CRLF; gpg signed it with LF.
        fields[name] = value.replace('\r\n', '\n')
    return action, fields


def _signed_key(fields: dict):
    """For ``change``: the detached signature over the new key, which is
    all the request holds, as the key handlers verify a signed mail."""
    from mailman_pgp.pgp import PGPError, SignedContent, dearmor
    try:
        raw = dearmor(fields['signature'])
    except PGPError as error:
        raise ValueError(f'signature cannot be read: {error}') from None
    return SignedContent('mime', [(fields['key'].encode('utf-8'), raw)])


@public
def pending_steps(mlist, email: str) -> list[dict]:
    """What lists wait for from ``email``: a key, a proof, an approval.

    ``mlist`` None: on every list.
    """
    from mailman.interfaces.listmanager import IListManager
    email = email.lower()
    pendings = getUtility(IPendings)
    lists = getUtility(IListManager)
    steps = []
    for kind in ('pgp-key', 'pgp-key-change'):
        for token, pendable in pendings.find(mlist=mlist, pend_type=kind):
            if pendable.get('email', '').lower() != email:
                continue
            target = mlist or lists.get_by_list_id(pendable.get('list_id'))
            if target is not None:
                steps.append(_step(target, email, token, kind, pendable))
    return steps


def _step(mlist, email: str, token: str, kind: str, pendable) -> dict:
    from mailman_pgp.pgp import Key, encrypt
    from mailman_pgp.workflows.mail import statement
    step = {'token': token, 'list_id': mlist.list_id, 'request': (
        'key change' if kind == 'pgp-key-change'
        else pendable.get('workflow'))}
    if kind == 'pgp-key-change' and pendable.get('stage') == 'rejected':
        step['waiting'] = 'rejected'
        step['key_fingerprint'] = pendable.get('fingerprint')
        return step
    if kind == 'pgp-key-change':
        step['waiting'] = ('proof' if pendable.get('stage') == 'confirm'
                           else 'approval')
        key = Key.load(pendable['key'])
    elif pendable.get('token_owner') == 'moderator':
        step['waiting'], key = 'approval', None
    else:
        state = config.db.store.query(WorkflowState).filter_by(
            token=token).one_or_none()
        step['waiting'] = _WAITING.get(state.step if state else None,
                                       'unknown')
        key = (key_store().address_key(email)
               if step['waiting'] == 'proof' else None)
    if step['waiting'] == 'proof' and key is not None:
        text = statement(mlist, email, key.fingerprint, token)
        step['key_fingerprint'] = key.fingerprint
        step['encrypted_statement'] = str(encrypt(
            text.encode('utf-8'), [key],
            sign_with=key_store().list_key(mlist.list_id)))
    return step


@public
class AddressSteps:
    """/plugins/pgp/addresses/<email>/steps: pending steps on every list."""

    def __init__(self, email: str):
        self._email = email

    def on_get(self, request, response):
        steps = pending_steps(None, self._email)
        okay(response, etag({'entries': steps, 'total_size': len(steps)}))


@public
class SubscriberKey:
    """/plugins/pgp/lists/<list>/keys/<email>: state, and key actions."""

    def __init__(self, mlist, email: str):
        self._mlist = mlist
        self._email = email.lower()

    def _state(self) -> dict:
        record = PGPAddress.for_email(self._email)
        key = key_store().address_key(self._email)
        state = {
            'list_id': self._mlist.list_id, 'email': self._email,
            'key_confirmed': bool(record and record.key_confirmed and key
                                  and key.fingerprint ==
                                  record.key_fingerprint),
            'member': self._mlist.members.get_member(self._email)
            is not None,
            'pending': pending_steps(self._mlist, self._email),
            'self_link': path_to(self.api, 'lists', self._mlist.list_id,
                                 'keys', self._email)}
        state.update(key_facts(key))
        return state

    def on_get(self, request, response):
        okay(response, etag(self._state()))

    def on_post(self, request, response):
        from mailman_pgp.keycmd import handlers as key_handlers
        try:
            action, fields = _fields(request_data(request))
        except (TypeError, ValueError) as error:
            bad_request(response, str(error))
            return
        # The logged-in user's request is the command; the signatures
        # must still cover the key (see key_handlers.key_change).
        msgdata = {key_handlers.AUTHENTICATED_REQUEST: True}
        if action == 'change':
            try:
                msgdata['pgp_signed'] = _signed_key(fields)
            except ValueError as error:
                bad_request(response, str(error))
                return
        msg = _as_mail(self._email, action, fields)
        results = io.StringIO()
        arguments = [fields['token'].strip()] if 'token' in fields else []
        handler = getattr(key_handlers, 'key_' + action)
        done = handler(self._mlist, msg, msgdata, arguments, results)
        text = results.getvalue().strip()
        log.info('%s: web key %s for %s: %s', self._mlist.list_id, action,
                 self._email, 'done' if done else 'refused')
        if not done:
            bad_request(response, text)
            return
        state = self._state()
        state['result'] = text
        okay(response, etag(state))


@public
def approval_queue(mlist) -> list[dict]:
    """Keys that wait for a moderator: subscriptions, resets, changes."""
    from mailman_pgp.pgp import Key
    pendings = getUtility(IPendings)
    queue = []
    for kind in ('subscription', 'pgp-key', 'pgp-key-change'):
        for token, pendable in pendings.find(mlist=mlist, pend_type=kind):
            if kind == 'pgp-key-change':
                if pendable.get('stage') != 'approve':
                    continue
                key = Key.load(pendable['key'])
            elif pendable.get('token_owner') != 'moderator':
                continue
            else:
                key = key_store().address_key(pendable.get('email', ''))
            item = {'token': token, 'email': pendable.get('email'),
                    'request': {'subscription': 'subscription',
                                'pgp-key': 'key reset',
                                'pgp-key-change': 'key change'}[kind],
                    'when': pendable.get('when')}
            # Every user ID: the moderator judges the whole key.
            item.update(key_facts(key, uids_shown=MAX_UIDS_APPROVAL))
            queue.append(item)
    return queue


@public
class KeyApprovals:
    """/plugins/pgp/lists/<list>/approvals[/<token>]: approve or reject."""

    def __init__(self, mlist, token: str | None = None):
        self._mlist = mlist
        self._token = token

    def on_get(self, request, response):
        queue = approval_queue(self._mlist)
        okay(response, etag({'entries': queue, 'total_size': len(queue)}))

    def on_post(self, request, response):
        try:
            data = request_data(request)
        except TypeError as error:
            bad_request(response, str(error))
            return
        action = data.get('action')
        if self._token is None or action not in ('accept', 'reject'):
            bad_request(response, 'POST action=accept or action=reject to '
                        '.../approvals/<token>')
            return
        waiting = {item['token']: item for item in
                   approval_queue(self._mlist)}
        item = waiting.get(self._token)
        if item is None:
            bad_request(response, 'No key waits for approval with this '
                        'token (it may have been handled already)')
            return
        manager = ISubscriptionManager(self._mlist)
        if action == 'accept':
            manager.confirm(self._token)
        elif item['request'] == 'key change':
            from mailman_pgp.workflows.change import reject_key_change
            reject_key_change(self._mlist, self._token, getUtility(
                IPendings).confirm(self._token, expunge=False))
        else:
            manager.discard(self._token)
        log.info('%s: %s of %s with key %s %sed by a moderator',
                 self._mlist.list_id, item['request'], item['email'],
                 item['key_fingerprint'], action.rstrip('e'))
        no_content(response)
