"""A case of the differential corpus, and the data most cases sign."""

from dataclasses import dataclass, field

from . import openpgp
from .certs import T_SIG
from .openpgp import signature, text_canonical

DATA = b'Hello list,\nthis is a signed post.\n'
T2012 = 1325376000          # before Sequoia's 2013 cut-off for SHA-1 data
T2022 = 1640995200          # before its 2023 cut-off for SHA-1 self-sigs


@dataclass
class Case:
    id: str
    certs: list
    data: bytes
    sig: bytes
    origin: str = 'hand'
    note: str = ''
    # Signature packets in sig (a garbled one counts as one).
    count: int = field(default=1)
    # Validity now: a signature by the same key made now (checked by
    # Sequoia too), or Sequoia refused to make one (key unusable now).
    now_sig: bytes | None = None
    now_refused: bool = False
    secret: bytes | None = None     # the signer's key, while building


def doc_sig(signer, data=DATA, t=T_SIG, sigtype=0x00, **kw) -> bytes:
    if sigtype == 0x01:
        data = text_canonical(data)
    return signature(signer, sigtype, data, t=t, **kw)


class Corpus:
    def __init__(self, now):
        self.cases, self.now = [], now

    def add(self, id, certs, sig, data=DATA, note='', count=1):
        if isinstance(certs, bytes):
            certs = [certs]
        case = Case(id, certs, data, sig, 'hand', note, count)
        if count == 1 and openpgp.LAST_SIGNER:
            case.now_sig = signature(openpgp.LAST_SIGNER[-1], 0x00, data,
                                     t=self.now - 60)
        self.cases.append(case)


TEXTS = {
    'lf': b'line one\nline two\n',
    'crlf': b'line one\r\nline two\r\n',
    'mixed': b'line one\r\nline two\nline three\r\n',
    'trailing-space': b'line one   \nline two\t\n',
    'no-final-newline': b'line one\nline two',
    'utf8': 'Grüße aus Köln, ça va? 日本語\n'.encode(),
    'latin1': 'Grüße\n'.encode('latin-1'),
    'lone-cr': b'line one\rline two\r',
    'empty': b'',
    'dash-lines': b'- dash\n-----BEGIN PGP SIGNATURE-----\nFrom x\n',
}
