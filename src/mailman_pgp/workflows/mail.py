"""The mail the key workflows send: key requests, proofs, moderator notes.

A key request goes to an address that has no key yet, so it travels in
clear (signed by the list) and carries nothing from the list's traffic; a
proof request is encrypted to the key being proven.  Both are marked
``pgp_allow_clear`` so delivery sends them as they are.
"""

import email.utils

from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

from mailman.config import config
from mailman.email.message import Message
from public import public

from mailman_pgp.keystore import key_store
from mailman_pgp.pgp import encrypt_mime, sign_mime
from mailman_pgp.templates import render


def _text_part(text: str) -> MIMEText:
    return MIMEText(text, 'plain', 'utf-8')


def _key_part(armored: str, keyid: str) -> MIMEApplication:
    part = MIMEApplication(armored, 'pgp-keys', _encoder=_seven_bit,
                           name='0x{}.asc'.format(keyid))
    part['Content-Disposition'] = 'attachment; filename="0x{}.asc"'.format(
        keyid)
    return part


def _seven_bit(part) -> None:
    part['Content-Transfer-Encoding'] = '7bit'


def _headers(msg, mlist, to: str, subject: str, sender: str) -> Message:
    # The Subject stays readable outside the encryption: it holds only the
    # command and token, and replies from any client must keep it.
    for name, value in (('From', sender), ('To', to), ('Subject', subject),
                        ('Message-ID', email.utils.make_msgid(
                            domain=mlist.mail_host)),
                        ('Date', email.utils.formatdate(localtime=True)),
                        ('Auto-Submitted', 'auto-replied')):
        del msg[name]
        msg[name] = value
    return msg


def _as_mailman(msg) -> Message:
    return email.message_from_bytes(msg.as_bytes(), Message)


def _enqueue(mlist, msg, recipients, **msgdata) -> None:
    config.switchboards['virgin'].enqueue(
        msg, listid=mlist.list_id, recipients=set(recipients),
        nodecorate=True, reduced_list_headers=True, **msgdata)


@public
def send_key_request(mlist, address: str, token: str,
                     template: str = 'list:user:pgp:key-request') -> None:
    """Ask ``address`` for its public key: ``key set <token>``."""
    list_key = key_store().list_key(mlist.list_id)
    text = render(template, mlist, token=token, user_email=address,
                  list_fingerprint=list_key.fingerprint,
                  fingerprint=_current_fingerprint(address))
    content = MIMEMultipart('mixed')
    content.attach(_text_part(text))
    content.attach(_key_part(list_key.public_armor(), list_key.keyid))
    signed = sign_mime(content, list_key)
    msg = _headers(_as_mailman(signed), mlist, address,
                   'key set {}'.format(token), mlist.request_address)
    _enqueue(mlist, msg, [address], pgp_allow_clear=True)


def _current_fingerprint(address: str) -> str:
    from mailman_pgp.model import PGPAddress
    pgp_address = PGPAddress.for_email(address)
    return (pgp_address.key_fingerprint or '') if pgp_address else ''


@public
def statement(mlist, address: str, fingerprint: str, token: str) -> str:
    """The exact text a subscriber signs to prove they hold the key."""
    return render('list:user:pgp:key-statement', mlist, wrapped=False,
                  user_email=address, fingerprint=fingerprint,
                  token=token).strip()


@public
def send_proof_request(mlist, address: str, key, token: str,
                       template: str = 'list:user:pgp:key-confirm-request',
                       **substitutions) -> None:
    """Send the statement to sign, encrypted to ``key``, signed by the list."""
    list_key = key_store().list_key(mlist.list_id)
    text = render(template, mlist, token=token, user_email=address,
                  fingerprint=key.fingerprint,
                  statement=statement(mlist, address, key.fingerprint, token),
                  owner_email=mlist.owner_address, **substitutions)
    subject = 'key confirm {}'.format(token)
    inner = _text_part(text)
    inner['Subject'] = subject
    encrypted = encrypt_mime(inner, [key], sign_with=list_key)
    msg = _headers(_as_mailman(encrypted), mlist, address, subject,
                   mlist.request_address)
    _enqueue(mlist, msg, [address], pgp_allow_clear=True)


@public
def notify_moderators(mlist, address: str, key, token: str,
                      request: str) -> None:
    """Tell the owners a key waits for their approval, key attached."""
    text = render('list:admin:pgp:key-approval', mlist, user_email=address,
                  request=request, fingerprint=key.fingerprint,
                  algorithm=key.algorithm, token=token,
                  uids=', '.join('{} <{}>'.format(name, mail)
                                 for name, mail in key.uids),
                  request_email=mlist.request_address)
    content = MIMEMultipart('mixed')
    content.attach(_text_part(text))
    content.attach(_key_part(key.public_armor(), key.keyid))
    msg = _headers(_as_mailman(content), mlist, mlist.owner_address,
                   'New {} request from {}'.format(request, address),
                   mlist.owner_address)
    _enqueue(mlist, msg, [mlist.owner_address])


@public
def send_list_key(mlist, address: str) -> None:
    """``key receive``: the list's public key, signed by the list."""
    list_key = key_store().list_key(mlist.list_id)
    text = render('list:user:pgp:key-receive', mlist,
                  list_fingerprint=list_key.fingerprint)
    content = MIMEMultipart('mixed')
    content.attach(_text_part(text))
    content.attach(_key_part(list_key.public_armor(), list_key.keyid))
    signed = sign_mime(content, list_key)
    msg = _headers(_as_mailman(signed), mlist, address,
                   '{} public key'.format(mlist.fqdn_listname),
                   mlist.request_address)
    _enqueue(mlist, msg, [address], pgp_allow_clear=True)
