"""Reading a v4 signature packet's fields, for the policy to judge.

Both key paths (the packet fast path and the PGPy path) and verification
read signatures here, so a subpacket means the same thing everywhere;
policy.py decides what is acceptable. Only the mathematics differs by
path: each path gives the Sig a ``math`` callable, run at most once.
"""

from datetime import datetime, timedelta, timezone

from mailman_pgp.pgp.errors import PacketError

UTC = timezone.utc  # noqa: UP017 (datetime.UTC is Python 3.11+)

# Subpacket types this reader (and Sequoia's standard policy) know; an
# unknown one marked critical makes the signature invalid (RFC 9580 5.2.3.7).
KNOWN_SUBPACKETS = frozenset({2, 3, 4, 5, 6, 7, 9, 11, 12, 16, 20, 21, 22,
                              23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33,
                              34, 35, 37, 39})
NOTATION = 20
# Signature MPIs per public key algorithm (RSA, Elgamal, DSA, ECDSA, EdDSA).
MPI_COUNT = {1: 1, 2: 1, 3: 1, 16: 2, 17: 2, 19: 2, 20: 2, 22: 2}


class BadSignaturePacket(PacketError):
    """The signature packet's framing is damaged."""


def _bad():
    return BadSignaturePacket('A signature packet is malformed.')


def _mpi(data, pos):
    if pos + 2 > len(data):
        raise _bad()
    n = (int.from_bytes(data[pos:pos + 2], 'big') + 7) // 8
    if pos + 2 + n > len(data):
        raise _bad()
    return data[pos + 2:pos + 2 + n], pos + 2 + n


def subpackets(data: bytes) -> list:
    """[(type, critical, body)] of one subpacket area."""
    out, pos = [], 0
    while pos < len(data):
        o = data[pos]
        if o < 192:
            n, pos = o, pos + 1
        elif o < 255:
            if pos + 1 >= len(data):
                raise _bad()
            n, pos = ((o - 192) << 8) + data[pos + 1] + 192, pos + 2
        else:
            if pos + 5 > len(data):
                raise _bad()
            n, pos = int.from_bytes(data[pos + 1:pos + 5], 'big'), pos + 5
        if n == 0 or pos + n > len(data):
            raise _bad()
        out.append((data[pos] & 0x7F, data[pos] > 0x7F,
                    data[pos + 1:pos + n]))
        pos += n
    return out


def _time(data: bytes) -> int:
    if len(data) != 4:
        raise _bad()
    return int.from_bytes(data, 'big')


class Sig:
    """One v4 signature: what the policy needs, read once."""

    __slots__ = ('back_math', 'created', 'critical', 'expires', 'flags',
                 'halg', 'hard', 'hashed_part', 'issuer', 'issuers',
                 'key_expiry', 'math', 'mpis', 'pkalg', 'prefs',
                 'primary_uid', 'type', 'unhashed', '_back', '_ok')

    def __init__(self, body: bytes):
        if not isinstance(body, bytes):
            body = bytes(body)
        if len(body) < 10 or body[0] != 4:
            raise _bad()
        self.type, self.pkalg, self.halg = body[1], body[2], body[3]
        hlen = int.from_bytes(body[4:6], 'big')
        if 8 + hlen > len(body):
            raise _bad()
        self.hashed_part = body[:6 + hlen]
        ulen = int.from_bytes(body[6 + hlen:8 + hlen], 'big')
        rest = 8 + hlen + ulen
        if rest + 2 > len(body):
            raise _bad()
        self.mpis, pos = [], rest + 2
        while pos < len(body):
            value, pos = _mpi(body, pos)
            self.mpis.append(value)
        self.created = self.expires = self.key_expiry = self.issuer = None
        self.flags = self._back = self.critical = None
        self.prefs, self.primary_uid, self.hard = (), False, True
        self.issuers = []   # every issuer key ID named, hashed ones first
        self.math = self.back_math = self._ok = None
        self.unhashed = subpackets(body[8 + hlen:rest])
        self._read(subpackets(body[6:6 + hlen]), True)
        self._read(self.unhashed, False)
        if self.created is None:
            raise _bad()

    def _read(self, area, hashed):
        for kind, critical, data in area:
            if (kind, len(data)) in ((16, 8), (33, 21)):
                kid = data[-8:].hex().upper()
                if kid not in self.issuers:
                    self.issuers.append(kid)
            if not hashed:
                # Only these may come from the unprotected area.
                if kind == 16 and self.issuer is None and len(data) == 8:
                    self.issuer = data.hex().upper()
                elif kind == 33 and self.issuer is None and len(data) == 21:
                    self.issuer = data[-8:].hex().upper()
                elif kind == 32 and self._back is None:
                    self._back = data
                continue
            if critical and kind not in KNOWN_SUBPACKETS:
                self.critical = f'unknown critical subpacket {kind}'
            elif critical and kind == NOTATION:
                self.critical = 'critical notation {}'.format(
                    _notation_name(data))
            if kind == 2:
                self.created = datetime.fromtimestamp(_time(data), UTC)
            elif kind == 3:
                self.expires = _time(data) or None
            elif kind == 9:
                self.key_expiry = _time(data) or None
            elif kind == 11:
                self.prefs = tuple(data)
            elif kind == 27:
                self.flags = data[0] if data else 0
            elif kind == 25:
                self.primary_uid = bool(data and data[0])
            elif kind == 29:
                # Superseded (1) or retired (3) are soft revocations.
                self.hard = not (data and data[0] in (1, 3))
            elif kind == 32:
                self._back = data
            elif kind == 16 and len(data) == 8:
                self.issuer = data.hex().upper()
            elif kind == 33 and len(data) == 21:
                self.issuer = data[-8:].hex().upper()
        if hashed and self.expires and self.created is not None:
            self.expires = self.created + timedelta(seconds=self.expires)

    @property
    def backsig(self):
        """The embedded primary key binding: a Sig (read when first asked,
        its mathematics by back_math), False if unreadable, or None."""
        back = self._back
        if isinstance(back, bytes):
            back = self._back = _embedded(back)
            if back and self.back_math is not None:
                back.math = (lambda b=back, m=self.back_math: m(b))
        return back

    def ok(self) -> bool:
        """The mathematics holds (checked once; False without a checker)."""
        if self._ok is None:
            try:
                self._ok = bool(self.math and self.math())
            except Exception:  # noqa: BLE001 (a broken signature is invalid)
                self._ok = False
        return self._ok


def _embedded(data):
    try:
        return Sig(data)
    except BadSignaturePacket:
        return False       # present but unreadable: never valid


def _notation_name(data) -> str:
    if len(data) < 8:
        return '(malformed)'
    n = int.from_bytes(data[4:6], 'big')
    return data[8:8 + n].decode('utf-8', 'replace')


def read_sig(body: bytes, math=None) -> Sig:
    """A Sig from a v4 signature packet body, with its checker."""
    sig = Sig(body)
    sig.math = math
    return sig
