"""The ``[mta] outgoing`` callable: encrypted delivery for PGP lists.

Non-PGP lists go to Mailman's own ``deliver`` unchanged.  For a PGP list
every copy is PGP/MIME encrypted to its recipient's confirmed, usable key
(and signed by the list key when the list's ``sign_outgoing`` is set), with
the real Subject protected inside and the outer one obscured.  The agent is
`PGPIndividualDelivery` (one copy per recipient, the default, and always
with VERP or personalization) or, when the list's ``delivery_mode`` is
'bulk', `PGPBulkDelivery` (one copy per chunk, key IDs hidden).

Every recipient with a usable key gets every message of a PGP list
encrypted: postings, digests, and mail the list makes (welcome, notices,
command replies, held message notices to moderators).

List traffic (postings and digests, ``to_list`` or ``isdigest``, and
encrypted mail to the list's -owner address) never reaches a recipient
without a usable key (none,
unconfirmed, expired, revoked): they are left out of the delivery, not
refused (so Mailman does not retry them), told at most once a day, and the
owners get a summary.

Mail the list makes itself carries nothing of the list's traffic (held and
rejected posts travel in it only as received, encrypted: see
chains/hold.py, chains/reject.py), so a recipient without a usable key gets
it in clear, signed by the list key: Mailman's subscription confirmation,
the key request, notices to owners who have no key (Mailman sends those to
the -owner address, so they come back through the owner pipeline
unencrypted).  A message that is
already PGP/MIME encrypted or signed (e.g. the ``key confirm`` request,
encrypted by the workflow to the key being confirmed) goes as it is.
``msgdata['pgp_allow_clear'] = True`` says the same explicitly (the key
workflows set it).
"""

import logging
import time

from mailman.config import config
from mailman.interfaces.mailinglist import Personalization
from mailman.interfaces.mta import SomeRecipientsFailed
from mailman.mta.deliver import deliver as mailman_deliver
from mailman.utilities.string import expand
from public import public



log = logging.getLogger('mailman.plugins.pgp')
smtp_log = logging.getLogger('mailman.smtp')


@public
class PGPDeliveryUnavailable(RuntimeError):
    """Raised so the outgoing runner keeps the message in the shunt queue."""


@public
def is_list_traffic(msgdata) -> bool:
    """A posting, a digest of postings, or encrypted mail to the owners, as
    opposed to mail the list (or Mailman, through -owner) makes itself."""
    result = msgdata.get('pgp')
    return bool(msgdata.get('isdigest') or msgdata.get('to_list')
                or (result is not None and result.get('encrypted')))


@public
def make_agent(mlist, pgp_list, msgdata, allow_clear=False):
    """The delivery agent for a message of a PGP list."""
    from mailman_pgp.mta.bulk import PGPBulkDelivery
    from mailman_pgp.mta.individual import PGPIndividualDelivery
    individual = (allow_clear
                  or msgdata.get('verp', False)
                  or mlist.personalize != Personalization.none
                  or pgp_list.delivery_mode != 'bulk')
    if individual:
        return PGPIndividualDelivery()
    return PGPBulkDelivery(int(config.mta.max_recipients))


@public
def deliver(mlist, msg, msgdata):
    """Deliver a message to the outgoing mail server, encrypted for a PGP
    list (see the module docstring)."""
    from mailman_pgp.keystore import key_store
    from mailman_pgp.model import PGPMailingList
    pgp_list = PGPMailingList.for_list(mlist) if mlist is not None else None
    if pgp_list is None:
        return mailman_deliver(mlist, msg, msgdata)
    # The agents and the crypto are imported by the first PGP delivery:
    # Mailman's outgoing runner resolves this callable when it starts.
    from mailman_pgp.mta.autocrypt import add_autocrypt, author_gossip
    from mailman_pgp.mta.keys import recipient_keys
    from mailman_pgp.mta.notices import report_withheld
    recipients = msgdata.get('recipients')
    if not recipients:
        return
    message_id = msg.get('message-id', 'n/a').strip()
    allow_clear = (bool(msgdata.get('pgp_allow_clear'))
                   or not is_list_traffic(msgdata))
    list_key = key_store().list_key(mlist.list_id)
    if list_key is None and pgp_list.sign_outgoing and not allow_clear:
        log.error('%s: message %s not delivered: the list has no key to '
                  'sign with', mlist.list_id, message_id)
        raise PGPDeliveryUnavailable(
            'the list {} has no key'.format(mlist.list_id))
    add_autocrypt(mlist, msg, list_key)
    keys = recipient_keys(recipients)
    agent = make_agent(mlist, pgp_list, msgdata, allow_clear)
    agent.setup_pgp(pgp_list, list_key, keys, allow_clear,
                    gossip=author_gossip(msg, msgdata))
    withheld = {} if allow_clear else keys.withheld
    t0 = time.time()
    try:
        refused = agent.deliver(mlist, msg, msgdata)
    except BaseException:
        # Maybe with a transaction open: a QUIT would be read as data.
        agent._connection.drop()
        raise
    agent._connection.quit()
    t1 = time.time()
    log.info('%s: message %s sent %s to %d recipient(s) (%s, list key %s)',
             mlist.list_id, message_id,
             type(agent).__name__, len(recipients) - len(withheld),
             'signed' if pgp_list.sign_outgoing else 'unsigned',
             list_key.fingerprint if list_key is not None else '-')
    report_withheld(mlist, msg, withheld,
                    notify=is_list_traffic(msgdata))
    _log_and_raise(mlist, msg, msgdata, refused, t1 - t0)


def _log_and_raise(mlist, msg, msgdata, refused, elapsed):
    """Log as Mailman's deliver() does; raise for refused recipients
    (>= 500 but 552 permanent, else temporary)."""
    size = getattr(msg, 'original_size', msgdata.get('original_size'))
    substitutions = dict(
        msgid=msg.get('message-id', 'n/a').strip(),
        listname=mlist.fqdn_listname,
        sender=msgdata.get('original-sender', msg.sender),
        recip=len(msgdata['recipients']),
        size=size if size is not None else len(msg.as_string()),
        time=elapsed, refused=len(refused), smtpcode='n/a', smtpmsg='n/a')
    templates = config.logging.smtp

    def write(template):
        if template.lower() != 'no':
            smtp_log.info('%s', expand(template, mlist, substitutions))

    write(templates.every)
    write(templates.refused if refused else templates.success)
    temporary, permanent = [], []
    for recipient, (code, smtp_message) in refused.items():
        if code >= 500 and code != 552:
            permanent.append((recipient, code, smtp_message))
        else:
            temporary.append(recipient)
        substitutions.update(recip=recipient, smtpcode=code,
                             smtpmsg=smtp_message)
        write(templates.failure)
    if temporary or permanent:
        raise SomeRecipientsFailed(temporary, permanent)
