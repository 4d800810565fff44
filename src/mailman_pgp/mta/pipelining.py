"""Many copies over one SMTP connection with command pipelining (RFC 2920).

Individual delivery sends one copy per member, and smtplib waits for the
server after each of MAIL, RCPT, DATA and the end of the data: four round
trips a copy, which cost more than encrypting it.  When the server
offers PIPELINING, the end of one copy's data and the next copy's MAIL,
RCPT and DATA go out together, and their replies are read together: one
round trip a copy.  The replies are read in order, so every recipient
still gets its own verdict, as smtplib.SMTP.sendmail() reports it.
"""

import re
import smtplib

from public import public


_ACCEPTED = (250, 251)


def _quote_periods(data: bytes) -> bytes:
    """The data as DATA sends it: lines starting with a dot doubled, CRLF
    at the end, then the lone dot (what smtplib's data() does)."""
    if data.startswith(b'.'):
        data = b'.' + data
    data = data.replace(b'\r\n.', b'\r\n..')
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


@public
def send_pipelined(smtp: smtplib.SMTP, items, results: list) -> None:
    """Send each (sender, recipients, data bytes with CRLF) of items.

    Appends to results, per item, the refused recipients as smtplib's
    sendmail() returns them ({recipient: (code, text)}); a copy refused as
    a whole (at MAIL, DATA or after its data) refuses all its recipients.

    :raises smtplib.SMTPException, OSError: the connection broke; results
        then holds the verdicts of the copies before the break.
    """
    if not items:
        return
    smtp.send(_commands(items[0][0], items[0][1]))
    for index, (sender, recipients, data) in enumerate(items):
        mail_code, mail_text = smtp.getreply()
        refused = {}
        for recipient in recipients:
            code, text = smtp.getreply()
            if code not in _ACCEPTED:
                refused[recipient] = (code, text)
        data_code, data_text = smtp.getreply()
        following = (_commands(*items[index + 1][:2])
                     if index + 1 < len(items) else b'')
        if data_code == 354:
            smtp.send(_quote_periods(data) + following)
            end_code, end_text = smtp.getreply()
            if end_code not in _ACCEPTED:
                refused = {r: (end_code, end_text) for r in recipients}
        else:
            # Nothing was accepted for this copy: clear the transaction
            # before the next one (its commands follow the RSET).
            smtp.send(b'RSET\r\n' + following)
            smtp.getreply()
            code, text = ((mail_code, mail_text) if mail_code not in
                          _ACCEPTED else (data_code, data_text))
            refused = {r: refused.get(r, (code, text)) for r in recipients}
        results.append(refused)
