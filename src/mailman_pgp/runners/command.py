"""The ``command`` runner: encrypted command mail is decrypted first.

Mailman's command runner reads only the Subject and the first text/plain
part, so a PGP/MIME command would be ignored.  For PGP lists the message is
decrypted with the list key and its signatures checked (``msgdata['pgp']``,
as for posts) before Mailman's commands and the ``key`` command see it.
"""

import logging

from mailman.runners.command import CommandRunner
from public import public

from mailman_pgp.runners.guard import NeedsPlugin


log = logging.getLogger('mailman.plugins.pgp')


@public
class PGPCommandRunner(NeedsPlugin, CommandRunner):
    """Mailman's command runner, decrypting for PGP lists."""

    def _dispose(self, mlist, msg, msgdata):
        from mailman_pgp.commands.eml_key import key_offered
        from mailman_pgp.model import PGPMailingList
        if PGPMailingList.for_list(mlist) is None:
            # A plain list: stock Mailman, without the key command.
            return super()._dispose(mlist, msg, msgdata)
        with key_offered():
            return self._dispose_pgp(mlist, msg, msgdata)

    def _dispose_pgp(self, mlist, msg, msgdata):
        from mailman_pgp.pgp import is_encrypted
        from mailman_pgp.runners.examine import examine, readable_list_key
        list_key, _problem = readable_list_key(mlist)
        if list_key is None:
            if is_encrypted(msg):
                msgdata['pgp_waiting_for_key'] = True
                return True             # cannot be read yet: keep it
            return super()._dispose(mlist, msg, msgdata)
        if 'pgp' not in msgdata:
            msg = examine(mlist, msg, msgdata, list_key,
                          keep_signed_data=True)
        if msgdata['pgp']['encrypted'] and not _may_command(msg, msgdata):
            _refuse(mlist, msg)
            return False
        return super()._dispose(mlist, msg, msgdata)


def _first_words(msg) -> list[str]:
    """The words Mailman's command finder would read first."""
    words = str(msg.get('subject') or '').lower().split()[:2]
    for part in msg.walk():
        if part.get_content_type() == 'text/plain':
            payload = part.get_payload(decode=True) or b''
            for line in payload.decode('utf-8', 'replace').splitlines():
                if line.strip():
                    words += line.lower().split()[:2]
                    break
            break
    return words


def _may_command(msg, msgdata) -> bool:
    """May Mailman's commands read this decrypted mail (and quote it)?

    The list must not be a decryption oracle: anyone could send a captured
    post to -request and read the reply that quotes it.  So decrypted
    command mail is acted on only when it is signed by the sender's
    confirmed key (the reply then goes to them, encrypted), or when it is
    a ``key`` command (those check their own signatures and never quote
    the mail).
    """
    from mailman_pgp.rules.signature import signature_problem
    if signature_problem(msgdata['pgp']) is None:
        return True
    words = _first_words(msg)
    return 'key' in words[:2] or 'key' in words[2:4]


def _refuse(mlist, msg) -> None:
    from mailman.core.i18n import _
    from mailman.email.message import UserNotification
    log.warning('%s: encrypted command mail %s from %s refused: not signed '
                'by a confirmed key', mlist.list_id,
                msg.get('message-id', 'n/a'), msg.sender)
    if not msg.sender:
        return
    UserNotification(
        msg.sender, mlist.request_address,
        _('The results of your email commands'),
        _('Encrypted command mail is acted on only when it is signed with '
          'your confirmed key, or when it is a "key" command.  Nothing '
          'was done.\n')).send(mlist)
