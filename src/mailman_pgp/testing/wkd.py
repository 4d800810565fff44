"""A Web Key Directory on 127.0.0.1 that gpg really queries (tests).

gpg's dirmngr fetches ``https://DOMAIN/.well-known/openpgpkey/...`` and
trusts only the system's certificate authorities.  Without changing the
machine, the test:

- runs an HTTPS server on 127.0.0.1 with a certificate for the domains,
  signed by a throwaway CA;
- points dirmngr (``http-proxy`` in its own dirmngr.conf) at a CONNECT
  proxy on 127.0.0.1 that sends every connection to that server, so no
  name has to resolve;
- runs gpg (and the dirmngr it starts) in a private mount namespace
  (``unshare``, a user namespace when not root) where the system CA bundle
  is replaced by the throwaway CA: nothing outside that process tree sees
  it.

The server answers from a directory written by ``mailman pgp wkd export``
(as nginx would) or by forwarding to the plugin's REST routes (as the web
UI does).
"""

import datetime
import http.server
import os
import select
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import urllib.parse

from public import public

SYSTEM_CA = '/etc/ssl/certs/ca-certificates.crt'
GPG = shutil.which('gpg') or '/usr/bin/gpg'


@public
def namespace_problem() -> str | None:
    """Why gpg cannot run with a private CA bundle here, or None."""
    if not shutil.which('dirmngr'):
        return 'dirmngr (GnuPG) is not installed'
    if not shutil.which('unshare'):
        return 'unshare (util-linux) is not installed'
    if not os.path.exists(SYSTEM_CA):
        return SYSTEM_CA + ' does not exist (install ca-certificates)'
    probe = subprocess.run(
        ['unshare', '-rm', '--propagation', 'private', 'sh', '-c',
         'mount --bind /dev/null "$0"', SYSTEM_CA], capture_output=True,
        text=True)
    if probe.returncode != 0:
        return 'no private mount namespace: ' + probe.stderr.strip()
    return None


def _certificates(directory: str, domains: list[str]) -> tuple[str, str, str]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    now = datetime.datetime.now(datetime.timezone.utc)
    day = datetime.timedelta(days=1)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME,
                                            'mailman-pgp test CA')])
    ca = (x509.CertificateBuilder().subject_name(ca_name)
          .issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number())
          .not_valid_before(now - day).not_valid_after(now + day)
          .add_extension(x509.BasicConstraints(ca=True, path_length=None),
                         critical=True)
          .add_extension(x509.KeyUsage(True, False, False, False, False,
                                       True, True, False, False),
                         critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(
              ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName(name) for domain in domains
             for name in (domain, 'openpgpkey.' + domain)]
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(
                NameOID.COMMON_NAME, domains[0])]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - day).not_valid_after(now + day)
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    paths = [os.path.join(directory, name)
             for name in ('ca.pem', 'server.pem', 'server.key')]
    with open(paths[0], 'wb') as fp:
        fp.write(ca.public_bytes(pem))
    with open(paths[1], 'wb') as fp:
        fp.write(cert.public_bytes(pem) + ca.public_bytes(pem))
    with open(paths[2], 'wb') as fp:
        fp.write(key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption()))
    return tuple(paths)


@public
class WKDServer:
    """HTTPS for ``domains`` plus the CONNECT proxy that reaches it.

    ``answer(host, path, query) -> (status, bytes)`` is set by the test:
    see `from_directory` and `from_rest`.
    """

    def __init__(self, domains: list[str]):
        self.directory = tempfile.mkdtemp(prefix='mmpgp-wkd-')
        self.ca, cert, key = _certificates(self.directory, domains)
        self.requests = []
        # Names gpg's resolver finds (the advanced method's openpgpkey.*
        # host must resolve; all traffic still goes through the proxy).
        self.resolve: list[str] = []
        self.answer = lambda host, path, query: (404, b'')
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                host = (self.headers.get('host') or '').split(':')[0]
                server.requests.append((host, url.path, url.query))
                status, body = server.answer(host, url.path, url.query)
                self.send_response(status)
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.https = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                     Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.https.socket = context.wrap_socket(self.https.socket,
                                                server_side=True)
        target = self.https.server_address

        class Proxy(http.server.BaseHTTPRequestHandler):
            def do_CONNECT(self):
                upstream = socket.create_connection(target)
                self.send_response(200)
                self.end_headers()
                _relay(self.connection, upstream)

            def log_message(self, *args):
                pass

        self.proxy = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Proxy)
        for httpd in (self.https, self.proxy):
            threading.Thread(target=httpd.serve_forever, daemon=True).start()

    def from_directory(self, root: str) -> None:
        """Serve files under ``root`` as a static web server does."""
        def answer(host, path, query):
            full = os.path.realpath(os.path.join(root, path.lstrip('/')))
            if not full.startswith(os.path.realpath(root) + os.sep) or \
                    not os.path.isfile(full):
                return 404, b''
            with open(full, 'rb') as fp:
                return 200, fp.read()
        self.answer = answer

    def from_rest(self, rest_get) -> None:
        """Forward to ``/3.1/plugins/pgp/wkd/...`` as the web UI does;
        ``rest_get(path) -> (status, bytes)``."""
        def answer(host, path, query):
            parts = path.split('/')[3:]      # after /.well-known/openpgpkey
            if len(parts) in (1, 2):         # direct: policy, hu/<hash>
                parts = [host] + parts
            rest = '/3.1/plugins/pgp/wkd/' + '/'.join(parts)
            return rest_get(rest + ('?' + query if query else ''))
        self.answer = answer

    def gnupghome(self) -> str:
        """A throwaway GnuPG home whose dirmngr goes through the proxy."""
        home = tempfile.mkdtemp(prefix='mmpgp-wkd-gnupg-')
        os.chmod(home, 0o700)
        with open(os.path.join(home, 'dirmngr.conf'), 'w') as fp:
            fp.write('http-proxy http://127.0.0.1:{}\n'.format(
                self.proxy.server_address[1]))
        return home

    def gpg(self, home: str, *args: str) -> subprocess.CompletedProcess:
        """gpg ARGS in a namespace where the test CA is the system's and,
        with ``resolve`` set, /etc/hosts names its domains 127.0.0.1."""
        hosts = os.path.join(self.directory, 'hosts')
        with open(hosts, 'w') as fp:
            fp.write('127.0.0.1 localhost\n' + ''.join(
                '127.0.0.1 {}\n'.format(name) for name in self.resolve))
        command = ['unshare', '-rm', '--propagation', 'private', 'sh', '-c',
                   'mount --bind "$0" "$1" && mount --bind "$2" /etc/hosts '
                   '&& shift 2 && exec "$@"', self.ca, SYSTEM_CA, hosts, GPG,
                   '--batch', '--status-fd', '1', *args]
        return subprocess.run(command, capture_output=True, text=True,
                              env=dict(os.environ, GNUPGHOME=home),
                              timeout=120)

    def locate(self, address: str) -> tuple[list[str], list[str]]:
        """What ``gpg --auto-key-locate clear,wkd --locate-keys address``
        finds in a fresh home: (fingerprints imported, their user IDs)."""
        home = self.gnupghome()
        try:
            result = self.gpg(home, '--auto-key-locate', 'clear,wkd',
                              '--locate-keys', address)
            imported = [line.split()[3] for line in result.stdout.splitlines()
                        if line.startswith('[GNUPG:] IMPORT_OK')]
            listing = self.gpg(home, '--with-colons', '--list-keys').stdout
            uids = [line.split(':')[9] for line in listing.splitlines()
                    if line.startswith('uid:')]
            return imported, uids
        finally:
            self.close_home(home)

    def close_home(self, home: str) -> None:
        subprocess.run(['gpgconf', '--kill', 'all'], capture_output=True,
                       env=dict(os.environ, GNUPGHOME=home))
        shutil.rmtree(home, ignore_errors=True)

    def stop(self) -> None:
        for httpd in (self.https, self.proxy):
            httpd.shutdown()
            httpd.server_close()
        shutil.rmtree(self.directory, ignore_errors=True)


def _relay(client, upstream) -> None:
    try:
        while True:
            ready, _, _ = select.select([client, upstream], [], [], 10)
            if not ready:
                return
            for sock in ready:
                data = sock.recv(65536)
                if not data:
                    return
                (upstream if sock is client else client).sendall(data)
    finally:
        upstream.close()
