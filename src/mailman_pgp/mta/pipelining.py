"""Many copies over one SMTP connection with command pipelining (RFC 2920).

Individual delivery sends one copy per member, and smtplib waits for the
server after each of MAIL, RCPT, DATA and the end of the data: four round
trips a copy, which cost more than encrypting it.  When the server
offers PIPELINING, the end of one copy's data and the next copy's MAIL,
RCPT and DATA go out together, and their replies are read together: one
round trip a copy.  And that round trip is not waited for: the next copy
is encrypted while the server takes this one.  The replies are read in
order, so every recipient still gets its own verdict, as
smtplib.SMTP.sendmail() reports it.
"""

import contextlib
import re
import smtplib

from public import public


_ACCEPTED = (250, 251)


def _quote_periods(data: bytes) -> bytes:
    """The data as DATA sends it: lines starting with a dot doubled, CRLF
    at the end, then the lone dot (what smtplib's data() does)."""
    if data.startswith(b'.'):
        data = b'.' + data
    # After any LF, as smtplib's re.sub(br'(?m)^\.', b'..', data) does.
    data = data.replace(b'\n.', b'\n..')
    if not data.endswith(b'\r\n'):
        data += b'\r\n'
    return data + b'.\r\n'


# An address smtplib.quoteaddr() would only put in angle brackets: a
# dot-atom local part and domain (RFC 5322), nothing parseaddr() rewrites.
_PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")


def quoteaddr(address: str) -> str:
    """smtplib.quoteaddr(address), without its parser for the plain
    addresses lists are made of: that parser was a tenth of an individual
    delivery's time (two addresses a copy)."""
    if _PLAIN_ADDRESS.fullmatch(address):
        return '<' + address + '>'
    return smtplib.quoteaddr(address)


def _commands(sender: str, recipients) -> bytes:
    lines = ['MAIL FROM:{}'.format(quoteaddr(sender))]
    lines += ['RCPT TO:{}'.format(quoteaddr(r)) for r in recipients]
    lines.append('DATA')
    return ''.join(line + '\r\n' for line in lines).encode('ascii')


@public
def can_pipeline(smtp: smtplib.SMTP) -> bool:
    """Whether the connected server offers PIPELINING."""
    smtp.ehlo_or_helo_if_needed()
    return bool(smtp.does_esmtp and smtp.has_extn('pipelining'))


def _made(data) -> bytes:
    return data() if callable(data) else data


@public
def send_pipelined(smtp: smtplib.SMTP, items, results: list) -> None:
    """Send each (sender, recipients, data) of items, an iterable.

    data is the bytes to send (with CRLF), or a callable making them: it
    is called once the copy's commands are on their way, and before the
    replies to the previous copy are read, so that the copy is made while
    the server takes the one before (the server's work and the wait for
    its replies overlap with ours, instead of following it).

    Appends to results, per item, the refused recipients as smtplib's
    sendmail() returns them ({recipient: (code, text)}); a copy refused as
    a whole (at MAIL, DATA or after its data) refuses all its recipients.

    :raises smtplib.SMTPException, OSError: the connection broke; results
        then holds the verdicts of the copies before the break.
    :raises: what making a copy raised, once the copy before it has its
        verdict in results; the copy's transaction is still open, and
        only closing the connection ends it.
    """
    items = iter(items)
    current = next(items, None)
    if current is None:
        return
    smtp.send(_commands(current[0], current[1]))
    data = _made(current[2])
    while current is not None:
        recipients = current[1]
        mail = smtp.getreply()
        refused = {}
        for recipient in recipients:
            code, text = smtp.getreply()
            if code not in _ACCEPTED:
                refused[recipient] = (code, text)
        data_reply = smtp.getreply()
        following = next(items, None)
        commands = (_commands(following[0], following[1])
                    if following is not None else b'')
        if data_reply[0] == 354:
            smtp.send(_quote_periods(data) + commands)
        else:
            # Nothing was accepted for this copy: clear the transaction
            # before the next one (its commands follow the RSET).
            smtp.send(b'RSET\r\n' + commands)
        # The next copy is made while the server takes this one.
        try:
            data = _made(following[2]) if following is not None else None
        except BaseException:
            # This copy's verdict first, if the connection still gives
            # it; the error that stopped the next copy is the one raised.
            with contextlib.suppress(OSError, smtplib.SMTPException):
                results.append(_verdict(smtp, recipients, refused, mail,
                                        data_reply))
            raise
        results.append(_verdict(smtp, recipients, refused, mail,
                                data_reply))
        current = following


def _verdict(smtp, recipients, refused, mail, data_reply) -> dict:
    """The refused recipients of a copy, once its last reply is read."""
    if data_reply[0] == 354:
        end_code, end_text = smtp.getreply()
        if end_code not in _ACCEPTED:
            refused = {r: (end_code, end_text) for r in recipients}
        return refused
    smtp.getreply()         # to the RSET
    if mail[0] not in _ACCEPTED:
        # MAIL refused (452: the server is short of space, for a while):
        # its reply is every recipient's, not the 503 the RCPTs then got.
        return {r: mail for r in recipients}
    return {r: refused.get(r, data_reply) for r in recipients}
