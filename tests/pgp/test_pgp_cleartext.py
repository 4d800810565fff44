"""The cleartext signature framework reader (pgp/cleartext.py, armor.py).

The differential test (differential/test_cleartext.py) judges verdicts and
texts against Sequoia and GnuPG; these tests pin what it cannot see: where
a block starts and ends in its text, and that reasons never quote the post.
"""

import pytest

from mailman_pgp.pgp.armor import find_blocks
from mailman_pgp.pgp.cleartext import read_clearsigned

SIG = ('-----BEGIN PGP SIGNATURE-----\n\n'
       'iHUEARYIAB0WIQTFsg+jwEOclrlYURNDW8Xk4FJkvwUCaxUASgAKCRBDW8Xk4FJk\n'
       'v8vDAQCuKpGNrhDsfXd2Kw/DhErHPT+NL9mfgSOA2oRSbpkqsgD/RKB88FSUQSC9\n'
       'LZMNfc8Fxzc9a5vkVOtU0fH/2gur3Qc=\n=7aIj\n'
       '-----END PGP SIGNATURE-----\n')
BLOCK = ('-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nHello\n'
         + SIG)
SECRET = 'Wire-the-money-plaintext-5731'


@pytest.mark.parametrize('nl', ['\n', '\r\n'])
@pytest.mark.parametrize('final', [True, False])
def test_block_offsets(nl, final):
    block = BLOCK.replace('\n', nl)
    if not final:
        block = block.removesuffix(nl)
    text = 'before' + nl + block + ('after' + nl if final else '')
    [found] = find_blocks(text)
    assert text[found.start:found.end] == block
    assert read_clearsigned(found).text == 'Hello\n'


def test_only_lf_ends_a_line():
    # str.splitlines() would break at each of these; OpenPGP does not.
    for char in '\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029':
        text = BLOCK.replace('Hello', 'Hel' + char + 'lo')
        [found] = find_blocks(text)
        assert read_clearsigned(found).text == 'Hel' + char + 'lo\n'


@pytest.mark.parametrize('mutate', [
    lambda t: t.replace('Hash: SHA256', f'Hash: SHA256,{SECRET}'),
    lambda t: t.replace('Hash: SHA256', f'Hash: SHA256\n{SECRET}: x'),
    lambda t: t.replace('Hash: SHA256', f'Hash: SHA256\nComment: {SECRET}'),
    lambda t: t.replace('Hash: SHA256', f'Hash: {SECRET} SHA256'),
    lambda t: t.replace('Hello', f'-{SECRET}'),
    lambda t: t.replace('Hello', f'{SECRET}\rHello'),
    lambda t: t.replace('=7aIj', '=Wire\n=7aIj'),
])
def test_reasons_never_quote_the_post(mutate):
    # A rejection notice goes out unencrypted; the post may not have.
    [found] = find_blocks(mutate(BLOCK))
    problem = read_clearsigned(found).problem
    assert problem and SECRET not in problem and 'Wire' not in problem


def test_a_signed_armored_message_of_thousands_of_packets():
    # A chain of one-pass signatures nests the reader one level each: it
    # is refused by count, with its reason, not by Python's recursion.
    from email.mime.text import MIMEText

    from mailman_pgp.pgp import packets as P
    from mailman_pgp.pgp._inner import literal_packet
    from mailman_pgp.pgp.armor import armor
    from mailman_pgp.pgp.signed import signed_content
    one_pass = P.new_packet(P.ONE_PASS, bytes([3, 1, 8, 22]) + b'\1' * 8
                            + b'\0')
    sig = P.new_packet(P.SIGNATURE, bytes([4, 1, 22, 8, 0, 6, 5, 2])
                       + bytes(8))
    data = one_pass * 3000 + literal_packet(b'hi') + sig * 3000
    [why] = signed_content(MIMEText(armor(data))).unsigned
    assert why.endswith('it holds more than 64 packets')


def test_armor_broken_by_its_charset_label_names_the_label():
    # The same clearsigned text labelled UTF-7: "+ACE-" in the signature
    # armor reads as "!", which breaks the armor.  The reason is the label
    # (as when the armor happens to survive it), not "damaged in transit".
    from email.mime.text import MIMEText

    from mailman_pgp.pgp.signed import leaf_pairs
    text = ('-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nHello\n'
            '-----BEGIN PGP SIGNATURE-----\n\niQ+ACE-AAAA\n=AAAA\n'
            '-----END PGP SIGNATURE-----\n')
    part = MIMEText(text, 'plain', 'us-ascii')
    del part['Content-Type']
    part['Content-Type'] = 'text/plain; charset=utf-7'
    pairs, why = leaf_pairs(part, 0)
    assert pairs == []
    assert 'not UTF-8' in why and 'utf-7' in why
    assert 'damaged' not in why
