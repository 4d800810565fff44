"""examine() per post and form: what the incoming runner spends checking.

Times (CPU time of this process, so other load on the machine counts
less) the decryption and signature checks of one post to a PGP list, for
each form a member's program sends: signed and encrypted in one OpenPGP
message (RFC 3156 6.2), multipart/signed inside the encryption (6.1),
clearsigned text inside the encryption, and multipart/signed unencrypted.
Run it on two checkouts to compare them:

    PYTHONPATH=src python benchmarks/examine.py [--posts N] [--quick]
"""

import argparse
import email
import statistics
import sys
import tempfile
import time

from email.mime.text import MIMEText

import load


def forms(list_key, key) -> dict:
    from mailman_pgp.pgp import clearsign, encrypt_mime, sign_mime
    body = ('A post of a few lines. ' * 3 + '\n') * 40
    address = 'member0@example.org'

    def outer(msg):
        msg['From'] = address
        msg['To'] = 'pgp@example.com'
        msg['Subject'] = 'Post'
        return msg

    plain = outer(MIMEText(body))
    return {
        'combined (6.2)': encrypt_mime(
            MIMEText(body), [list_key.public], sign_with=key),
        'nested (6.1)': outer(encrypt_mime(
            sign_mime(plain, key), [list_key.public])),
        'clearsigned, encrypted': outer(encrypt_mime(
            MIMEText(clearsign(body, key)), [list_key.public])),
        'multipart/signed': sign_mime(plain, key),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--posts', type=int, default=200)
    parser.add_argument('--quick', action='store_true', help='40 posts')
    args = parser.parse_args()
    if args.quick:
        args.posts = 40
    load.setup(tempfile.mkdtemp(prefix='mailman-pgp-examine-'))
    from mailman.email.message import Message
    from mailman_pgp.keystore import key_store
    from mailman_pgp.pgp import KeySpec, generate_key
    from mailman_pgp.runners.examine import examine
    key = generate_key(KeySpec('EdDSA', 'Ed25519'),
                       KeySpec('ECDH', 'Curve25519'),
                       [('Member', 'member0@example.org')])
    mlist = load.make_list('pgp@example.com',
                           [('member0@example.org', key)], True)
    list_key = key_store().list_key(mlist.list_id)
    print('{:<24} {:>12} {:>10}'.format('form', 'ms per post', 'verdict'))
    for name, msg in forms(list_key, key).items():
        if 'From' not in msg:
            msg['From'] = 'member0@example.org'
        raw = msg.as_bytes()
        times, verdict = [], None
        for _ in range(args.posts):
            post = email.message_from_bytes(raw, Message)
            msgdata = {}
            started = time.process_time()
            examine(mlist, post, msgdata, list_key)
            times.append(time.process_time() - started)
            verdict = [s['status'] for s in msgdata['pgp']['signatures']]
        print('{:<24} {:>12.2f} {:>10}'.format(
            name, 1000 * statistics.median(times), ','.join(verdict)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
