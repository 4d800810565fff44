"""The whole exchange on a real Mailman: the demo and the end-to-end test.

A throwaway instance runs every runner (`mailman start`), mail comes in
over LMTP and goes out to an SMTP sink, the list is set up over REST, and
each subscriber is GnuPG with its own home, mailing the list.
"""

import base64
import email.utils
import json
import smtplib
import time
import urllib.request

from public import public

from mailman_pgp.testing.conversation import plain_text, statement_in
from mailman_pgp.testing.gpg import Subscriber
from mailman_pgp.testing.instance import MailmanInstance
from mailman_pgp.testing.sink import SMTPSink, free_port


@public
class Exchange:
    """A Mailman instance, its SMTP sink, and the people who mail it."""

    def __init__(self, root: str, say=print, timeout: float = 60,
                 runners: tuple[str, ...] | None = None):
        self.say = say
        self.timeout = timeout
        self.sink = SMTPSink()
        self.rest_port = free_port()
        self.instance = MailmanInstance(
            root, lmtp_port=free_port(), smtp_port=self.sink.port,
            rest_port=self.rest_port, runners=runners)
        self.list_address = None
        self.list_fingerprint = None

    # Running.

    def start(self) -> None:
        self.sink.start()
        self.instance.start()
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                self.rest('GET', '/3.1/system/versions')
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)

    def stop(self) -> None:
        self.instance.stop()
        self.sink.stop()

    def rest(self, method: str, path: str, data: dict | None = None):
        body = None if data is None else json.dumps(data).encode()
        request = urllib.request.Request(
            'http://127.0.0.1:{}{}'.format(self.rest_port, path),
            data=body, method=method)
        request.add_header('Authorization', 'Basic ' + base64.b64encode(
            b'restadmin:restpass').decode())
        if body is not None:
            request.add_header('Content-Type', 'application/json')
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
        return json.loads(text) if text else None

    def lmtp(self, raw: bytes, sender: str, to: str) -> None:
        # SMTP lines end in CRLF (smtplib leaves bytes as they are).
        raw = raw.replace(b'\r\n', b'\n').replace(b'\n', b'\r\n')
        with smtplib.LMTP('127.0.0.1', self.instance.lmtp_port) as server:
            server.sendmail(sender, [to], raw)

    # The story.

    def create_list(self, fqdn: str, **settings) -> str:
        """A pgp-default list with ``settings``; returns its fingerprint."""
        domain = fqdn.split('@')[1]
        self.rest('POST', '/3.1/domains', {'mail_host': domain})
        self.rest('POST', '/3.1/lists', {'fqdn_listname': fqdn,
                                         'style_name': 'pgp-default'})
        list_id = fqdn.replace('@', '.')
        if settings:
            self.rest('PATCH', '/3.1/plugins/pgp/lists/' + list_id, settings)
        self.list_address = fqdn
        self.request_address = fqdn.replace('@', '-request@')
        self.list_fingerprint = self.rest(
            'GET', '/3.1/plugins/pgp/lists/{}/pubkey'.format(list_id))[
                'key_fingerprint']
        return self.list_fingerprint

    def wait(self, to: str, subject: str = ''):
        return self.sink.wait_for(to, subject, timeout=self.timeout)

    def readable(self, who: Subscriber, delivery):
        """The message ``who`` reads in ``delivery`` (decrypted if need be:
        its Subject is then the protected one)."""
        message = delivery.message
        if message.get_content_type() == 'multipart/encrypted':
            decrypted = who.decrypt(delivery.data)
            inner = email.message_from_bytes(decrypted.plaintext)
            if inner['subject'] is not None:
                del message['subject']
                message['Subject'] = inner['subject']
            message.set_payload(inner.get_payload())
            for name in ('content-type', 'content-transfer-encoding'):
                del message[name]
                if inner[name] is not None:
                    message[name] = inner[name]
        return message

    def wait_read(self, who: Subscriber, subject: str):
        """The next message to ``who`` whose Subject, as ``who`` reads it,
        starts with ``subject``."""
        def match(delivery):
            shown = str(self.readable(who, delivery)['subject'] or '')
            return ' '.join(shown.split()).startswith(subject)
        delivery = self.sink.wait_for(who.email, timeout=self.timeout,
                                      match=match)
        return delivery, self.readable(who, delivery)

    def results(self, who: Subscriber, expected: str) -> str:
        """The command results sent to ``who``; they must say ``expected``."""
        text = plain_text(self.wait_read(
            who, 'The results of your email command')[1])
        if expected not in text:
            raise AssertionError('{} expected {!r} in:\n{}'.format(
                who.email, expected, text))
        return text

    def subscribe(self, who: Subscriber, key_set=None) -> None:
        """join -> confirm -> key set -> key confirm, all by email.

        ``key_set(who, to, subject, list_fingerprint) -> bytes`` builds the
        key set reply (default: the key attached, encrypted to the list).
        """
        request = self.request_address
        self.lmtp(who.plain_mail(request, 'join', ''), who.email, request)
        self.say(who.email, 'join (to {})'.format(request))
        confirmation = self.wait(who.email, 'Your confirmation is needed')
        self.results(who, 'Confirmation email sent')
        # Replying goes to the list's -confirm+TOKEN address.
        confirm_address = email.utils.parseaddr(
            confirmation.message['from'])[1]
        self.lmtp(who.plain_mail(confirm_address, 'Re: ' +
                                 confirmation.subject, ''),
                  who.email, confirm_address)
        self.say(who.email, 'confirms (reply to {}...)'.format(
            confirm_address[:24]))
        key_request = self.wait(who.email, 'key set')
        token = key_request.subject.split()[-1]
        fingerprint = who.import_key(key_request.data.decode('ascii',
                                                             'replace'))
        self.say('list', 'asks {} for a key: "key set {}...", signed, list '
                 'key attached'.format(who.email, token[:8]))
        if key_set is None:
            raw = who.encrypted_mail(request, 'Re: key set ' + token,
                                     who.public_key(), fingerprint)
        else:
            raw = key_set(who, request, 'Re: key set ' + token, fingerprint)
        self.lmtp(raw, who.email, request)
        self.say(who.email, 'key set: sends {} key {}, encrypted to the '
                 'list'.format(who.algorithm, who.fingerprint))
        proof_request = self.wait(who.email, 'key confirm')
        self.results(who, 'Key set: ' + who.fingerprint)
        decrypted = who.decrypt(proof_request.data)
        if not decrypted.ok or decrypted.signer != self.list_fingerprint:
            raise AssertionError('bad proof request:\n' + decrypted.status)
        token = proof_request.subject.split()[-1]
        statement = statement_in(decrypted.plaintext)
        self.say('list', 'sends "key confirm {}...": a statement encrypted '
                 'to that key, signed by the list'.format(token[:8]))
        raw = who.encrypted_mail(request, 'Re: key confirm ' + token,
                                 statement, self.list_fingerprint)
        self.lmtp(raw, who.email, request)
        self.say(who.email, 'key confirm: returns the statement, signed, '
                 'encrypted to the list')
        self.results(who, 'You are subscribed')
        self.say('list', '{} is subscribed with a proven key'.format(
            who.email))

    def post(self, who: Subscriber, subject: str, body: str, *,
             sign: bool = True, raw: bytes | None = None) -> bytes:
        raw = raw or who.encrypted_mail(
            self.list_address, subject, body, self.list_fingerprint,
            sign=sign, protect_subject=True)
        self.lmtp(raw, who.email, self.list_address)
        return raw

    def copy_of(self, who: Subscriber, subject: str):
        """``who``'s copy of the post ``subject``: (delivery, decryption)."""
        def match(delivery):
            shown = str(self.readable(who, delivery)['subject'] or '')
            return shown.endswith(subject)
        delivery = self.sink.wait_for(who.email, timeout=self.timeout,
                                      match=match)
        return delivery, who.decrypt(delivery.data)

    def rejection(self, who: Subscriber) -> str:
        """The reason in the next rejection notice to ``who``."""
        def match(delivery):
            return 'rejected' in plain_text(self.readable(who, delivery))
        delivery = self.sink.wait_for(who.email, timeout=self.timeout,
                                      match=match)
        text = plain_text(self.readable(who, delivery))
        # Mailman's notice: "... was rejected for the following reasons:"
        after = text[text.index('reasons:') + len('reasons:'):]
        return next(line.strip() for line in after.splitlines()
                    if line.strip())


@public
def new_subscriber(email: str, algorithm: str) -> Subscriber:
    subscriber = Subscriber(email, algorithm=algorithm)
    subscriber.algorithm = {'rsa': 'RSA-3072', 'rsa2048': 'RSA-2048',
                            'cv25519': 'Ed25519/Cv25519'}[algorithm]
    return subscriber


@public
def run_story(exchange: Exchange, people: list[Subscriber]) -> dict:
    """The demo's story; returns what each reader saw (for the test)."""
    say = exchange.say
    fingerprint = exchange.create_list('crypto@example.com',
                                       sign_outgoing=True)
    say('owner', 'POST /3.1/lists crypto@example.com, style pgp-default; '
        'PATCH /3.1/plugins/pgp/lists/crypto.example.com sign_outgoing')
    say('list', 'key ' + fingerprint)
    for person in people:
        exchange.subscribe(person)
    poster, *readers = people
    body = 'The meeting moved to Thursday, 10:00.'
    post = exchange.post(poster, 'Meeting', body)
    say(poster.email, 'posts "Meeting", signed and encrypted to the list')
    outcome = dict(readers={})
    for reader in readers:
        delivery, decrypted = exchange.copy_of(reader, 'Meeting')
        readable = body in decrypted.plaintext.decode('utf-8', 'replace')
        outcome['readers'][reader.email] = dict(
            readable=readable, signer=decrypted.signer,
            recipients=decrypted.recipients, outer=delivery.subject)
        say(reader.email, 'gets it (outer Subject "{}", encrypted to key '
            '{} only): gpg decrypts it: {}; good signature by the list key: '
            '{}'.format(delivery.subject, ', '.join(decrypted.recipients),
                        'yes' if readable else 'NO',
                        'yes' if decrypted.signer == fingerprint else 'NO'))
    exchange.post(readers[0], 'Unsigned', 'not signed', sign=False)
    say(readers[0].email, 'posts an encrypted message without signing it')
    outcome['unsigned'] = exchange.rejection(readers[0])
    say('list', 'rejects it, telling the sender: ' + outcome['unsigned'])
    exchange.post(poster, '', '', raw=post)
    say('someone', 'sends the first post again, unchanged (a replay)')
    outcome['replay'] = exchange.rejection(poster)
    say('list', 'rejects it: ' + outcome['replay'])
    outcome['fingerprint'] = fingerprint
    return outcome
