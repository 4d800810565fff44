"""The ``pgp-signature`` rule, and remembering accepted signatures.

The checks run in a fixed order; the first that fails decides, with its
own action: unsigned, inline-signed, no confirmed key, made by another key,
bad signature, expired, revoked, replayed.
"""

import logging

from mailman.core.i18n import _
from mailman.interfaces.chain import AcceptEvent
from mailman.interfaces.rules import IRule
from public import public
from zope.interface import implementer

from mailman_pgp.rules.moderate import hold_unexamined, record_action


log = logging.getLogger('mailman.plugins.pgp')


@public
def signature_problem(result: dict, *, inline_allowed: bool = True
                      ) -> tuple[str, str] | None:
    """The first failed check of an examined message, or None when every
    word members receive is signed by the sender's confirmed key.

    :return: (the list setting whose action applies, the reason).
    """
    signatures = result['signatures']
    key = result['sender_key']
    with _.defer_translation():
        if result.get('ambiguous'):
            # Checked first: it may hide a signature, or Eve's words.
            return ('unsigned_msg_action',
                    _('The message cannot be read one way only, so no '
                      'signature can vouch for what members would see; '
                      'send it again from your mail program ({})')
                    .format('; '.join(result['ambiguous'][:5])))
        if not result['signed']:
            return ('unsigned_msg_action',
                    _('The message is not signed; sign it with your '
                      'confirmed key'))
        if result.get('unsigned_parts'):
            # Unsigned content must not ride along under a good signature.
            return ('unsigned_msg_action',
                    _('Only part of the message is signed; sign the whole '
                      'message with your confirmed key (not signed: {})')
                    .format('; '.join(result['unsigned_parts'][:5])))
        if result['signed'] == 'inline' and not inline_allowed:
            return ('inline_pgp_action',
                    _('The message is signed with inline PGP; use PGP/MIME'))
        if key is None:
            return ('invalid_sig_action',
                    _('You have no confirmed key on this list, so your '
                      'signature cannot be checked'))
        if result.get('signature_error') or not signatures:
            return ('invalid_sig_action',
                    _('The signature is malformed: {}').format(
                        result.get('signature_error') or 'none found'))
        for signature in signatures:
            if signature['status'] == 'unknown':
                return ('invalid_sig_action',
                        _('Signature made by key {}, but your confirmed key '
                          'is {}').format(signature['fingerprint']
                                          or signature['keyid'], key))
        # The facade says which policy check refused a signature (reason).
        for signature in signatures:
            if signature['status'] == 'invalid':
                return ('invalid_sig_action', signature.get('reason')
                        or _('The signature by your key {} does not verify: '
                             'the message was changed after signing').format(
                                 key))
        for signature in signatures:
            if signature['status'] == 'expired':
                return ('expired_sig_action',
                        _('The signature or your key {} has expired').format(
                            key) + _detail(signature))
        for signature in signatures:
            if signature['status'] == 'revoked':
                return ('revoked_sig_action',
                        _('Your key {} has been revoked').format(key)
                        + _detail(signature))
        if any(s['status'] != 'good' for s in signatures):
            return ('invalid_sig_action',
                    _('A signature on the message is not good'))
    return None


def _detail(signature) -> str:
    reason = signature.get('reason')
    return f' ({reason})' if reason else ''


def _problem(pgp_list, result):
    """(action, reason) of the first failed check, or None."""
    # 'defer' and 'accept' allow the inline form; its signatures still
    # decide, as for PGP/MIME.
    problem = signature_problem(result, inline_allowed=(
        pgp_list.inline_pgp_action.name in ('defer', 'accept')))
    if problem is None:
        return None
    return getattr(pgp_list, problem[0]), problem[1]


@public
@implementer(IRule)
class PGPSignature:
    """Check the post's signatures against the sender's confirmed key."""

    name = 'pgp-signature'
    description = _('The message is not signed by the sender\'s confirmed '
                    'key, or its signature was seen before.')
    record = True

    def check(self, mlist, msg, msgdata):
        from mailman_pgp.model import PGPMailingList, PGPSigHash
        pgp_list = PGPMailingList.for_list(mlist)
        result = msgdata.get('pgp')
        if pgp_list is None:
            return False
        if result is None:
            return hold_unexamined(mlist, msg, msgdata)
        if result['decrypt_error']:
            return False        # the pgp-encryption rule refuses it
        problem = _problem(pgp_list, result)
        if problem is not None:
            return record_action(msgdata, problem[0], msg.sender, problem[1])
        digests = [s['digest'] for s in result['signatures']]
        if PGPSigHash.known(digests):
            if msgdata.get('_bak_count'):
                # Mailman restored this queue file after a crash: the post
                # was accepted (and its signature stored) before it, so it
                # is on its way already.  Not a replay by the poster.
                log.info('%s: message %s was accepted before a crash; '
                         'not processed twice', mlist.list_id,
                         msg.get('message-id', 'n/a'))
                msgdata['pgp_action'] = 'discard'
                return True
            with _.defer_translation():
                reason = _('This exact signed message was posted before '
                           '(a replay); sign a new message to post again')
            if record_action(msgdata, pgp_list.duplicate_sig_action,
                             msg.sender, reason):
                return True
        msgdata['pgp_sig_hashes'] = digests
        return False


@public
def remember_signatures(event) -> None:
    """On AcceptEvent, store the accepted post's signature digests."""
    if not isinstance(event, AcceptEvent):
        return
    digests = event.msgdata.get('pgp_sig_hashes')
    result = event.msgdata.get('pgp')
    if not digests or not result or not result.get('sender_key'):
        return
    from mailman_pgp.config import site_config
    from mailman_pgp.model import PGPSigHash
    if not site_config().misc.collect_sig_hashes:
        return
    PGPSigHash.remember(digests, result['sender_key'])
    log.info('%s: message %s: %d signature digest(s) stored for %s',
             event.mlist.list_id, event.msg.get('message-id', 'n/a'),
             len(digests), result['sender_key'])
