"""The ``key`` email command: subscribers manage their key by email.

``key set <token>``, ``key confirm <token>``, ``key change``, ``key revoke``,
``key sign`` and ``key receive``, sent to the list's -request address.
Keys and revocation certificates travel as attachments or inline armor,
never as arguments (Mailman lower-cases those; tokens survive that).

The command exists on PGP lists only: Mailman's command registry
(``config.commands``) is one dictionary for every list, and its ``help``
lists all of it.  So the command is not registered at start-up; the PGP
command runner offers it while it handles mail for a PGP list.  A plain
list answers ``key set`` exactly as stock Mailman does.
"""

from contextlib import contextmanager

from mailman.config import config
from mailman.core.i18n import _
from mailman.interfaces.command import ContinueProcessing, IEmailCommand
from mailman.utilities.modules import abstract_component
from public import public
from zope.interface import implementer



SUBCOMMANDS = ('set', 'confirm', 'change', 'revoke', 'sign', 'receive')


@public
@abstract_component             # not in Mailman's registry: see key_offered()
@implementer(IEmailCommand)
class KeyCommand:
    name = 'key'
    argument_description = '<set|confirm|change|revoke|sign|receive> [token]'
    short_description = _('Manage your PGP key on an encrypted list.')
    description = _("""\
Manage the key the list encrypts your mail to, on a PGP-enabled list.

key set <token>      Reply to a key request with your public key attached.
key confirm <token>  Reply to a proof request with the statement, signed
                     with your key.
key change           Sign, with your current key (for a new expiry date:
                     with the updated key), one text whose first line is
                     "key change" and that holds your new public key (or
                     your current key with its new expiry date).  The
                     Subject, an attachment beside the signature, a
                     forwarded mail and an Autocrypt header do not count.
key revoke           Attach the revocation certificate of your key (it
                     proves itself: no signature needed).
key sign             Attach the list's public key with your certification
                     (only for the rosters the list allows).
key receive          Get the list's public key.

Mail to this address should be encrypted to the list's key ("key receive"
sends it).""")

    def process(self, mlist, msg, msgdata, arguments, results):
        """See `IEmailCommand`."""
        from mailman_pgp.model import PGPMailingList
        if not arguments:
            print(_('No sub-command specified, must be one of: {}.').format(
                ', '.join(SUBCOMMANDS)), file=results)
            return ContinueProcessing.no
        subcommand = arguments[0]
        if subcommand not in SUBCOMMANDS:
            print(_('Wrong sub-command specified ({}), must be one of: {}.'
                    ).format(subcommand, ', '.join(SUBCOMMANDS)),
                  file=results)
            return ContinueProcessing.no
        if PGPMailingList.for_list(mlist) is None:
            print(_("This mailing list doesn't have PGP enabled."),
                  file=results)
            return ContinueProcessing.no
        # Imported here: every Mailman process loads its email commands.
        from mailman_pgp.keycmd import handlers as key_handlers
        handler = getattr(key_handlers, 'key_' + subcommand)
        handler(mlist, msg, msgdata, arguments[1:], results)
        _reply(mlist, msg, results)
        # One key command per mail: the rest of the body is the statement,
        # armor or a signature, not more commands.
        return ContinueProcessing.no


@public
@contextmanager
def key_offered():
    """Mailman's commands plus ``key``, while a PGP list's mail is handled.

    Runners handle one message at a time in one thread, so the registry is
    back to stock before the next message, whatever its list.
    """
    added = 'key' not in config.commands
    if added:
        config.commands['key'] = KeyCommand()
    try:
        yield
    finally:
        if added:
            config.commands.pop('key', None)


def _reply(mlist, msg, results) -> None:
    """Answer from -request, without echoing the rest of the mail.

    Mailman's own reply quotes the lines after the command: here that is a
    key, a statement or a signature (once, by mistake, a private key).
    Mailman's note that it ignored the non-text parts is left out too: the
    key command reads them (the attached key, signature or certificate).
    """
    from mailman.email.message import UserNotification
    from mailman_pgp.model import PGPAddress
    results.send_response = False
    ignoring = _('Ignoring non-text/plain MIME parts')
    text = ''.join(line for line in str(results).splitlines(keepends=True)
                   if line.rstrip('\n') != ignoring)
    reply = UserNotification(msg.sender, mlist.request_address,
                             _('The results of your email commands'),
                             text + _('\n- Done.\n'))
    pgp_address = PGPAddress.for_email(msg.sender or '')
    has_key = pgp_address is not None and pgp_address.key_confirmed
    # Without a confirmed key the reply can only go in clear; it carries
    # the command's result, nothing of the list's traffic.
    reply.send(mlist, pgp_allow_clear=not has_key)
