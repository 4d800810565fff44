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
