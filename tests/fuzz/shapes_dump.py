"""Fuzz shapes for DUMP and RESTORE (loaded by ``test_command_fuzz``).

DUMP reads any key. RESTORE gets payloads of four kinds: the DUMP of a key the
fuzzed server holds right now (strings, hashes, sets, streams with groups, whatever
the fixtures built), a payload valkey-server 8.0.1 wrote, one of those corrupted
in its body with the CRC recomputed (so the loader, not the footer check, has to
refuse it or load something sound), and one with a broken footer; then a TTL and
the options in any order, sometimes repeated or malformed. ``rk`` is a key only
RESTORE creates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from minivalkey import rdb
from minivalkey.rdb.crc64 import crc64

KEYS = [b"rk"]

FIXTURE: list[list[bytes]] = []

# Payloads valkey-server 8.0.1 wrote: a string, an LZF string, a listpack hash, an
# intset, a set listpack, a listpack list, a listpack and a skiplist sorted set, and a
# stream with a deleted entry, a group and a consumer.
_VALKEY = [
    bytes.fromhex("000568656c6c6f0b000aad620598abc983"),
    bytes.fromhex("00c30d220361626361e01102032d78797a0b00c944e8ae0d0d4848"),
    bytes.fromhex("101616000000040081610201018162028568656c6c6f06ff0b00811a43ea13987cd4"),
    bytes.fromhex("0b140400000003000000feffffff05000000409c00000b00b7d98175cea3360d"),
    bytes.fromhex("1416160000000300856170706c65060701847065617205ff0b00c8080ff733bec90a"),
    bytes.fromhex("120102111100000003008161020101f290eefe04ff0b00719e33253ddfb00d"),
    bytes.fromhex(
        "112e2e0000000a008163020001816102010181620283312e3504816502f40000000000000040098164"
        "0283696e6604ff0b006e6ec67581393742"
    ),
    bytes.fromhex(
        "0505c3094041017878e034000178780000000000000840016300000000000004400161000000000000"
        "f03f016200000000000000000164000000000000f0ff0b00f57a2c1c8ce581fd"
    ),
    bytes.fromhex(
        "150110000000000000000100000000000000014042420000001800020101010101816602000102"
        "010001000182763103040103010001010182763203040100010201dfff02020181660282763303"
        "8167028177020801ff02030001010102030103677270000081ffffffffffffffff00010469646c"
        "6549a79751a2010000ffffffffffffffff000b0074f76e67ba9a276d"
    ),
]
_TTLS = (b"0", b"0", b"0", b"1", b"100", b"60000", b"1700000001000", b"-1", b"x",
         b"9223372036854775807", b"1.5")  # fmt: skip
_NUMBERS = (b"0", b"1", b"5", b"255", b"256", b"-1", b"x", b"9223372036854775807")

Gen = Any
Template = Callable[[Gen], list[bytes]]


def _with_footer(body: bytes) -> bytes:
    head = body + rdb.RDB_VERSION.to_bytes(2, "little")
    return head + crc64(head).to_bytes(8, "little")


def _live_payload(g: Gen) -> bytes | None:
    data = g.harness.core.keyspace[0].data
    if not data:
        return None
    keys = sorted(data)
    return rdb.dump(data[g.pick(keys)], g.chance(0.7))


def _corrupt(g: Gen, payload: bytes) -> bytes:
    body = bytearray(payload[:-10])
    rng = g.rng
    for _ in range(rng.choice((1, 1, 2, 4))):
        if not body:
            break
        roll = rng.random()
        at = rng.randrange(len(body))
        if roll < 0.5:
            body[at] = rng.randrange(256)
        elif roll < 0.7:
            body[at] ^= 1 << rng.randrange(8)
        elif roll < 0.85:
            del body[at : at + rng.randrange(1, 5)]
        else:
            body[at:at] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 4)))
    return _with_footer(bytes(body))


def _payload(g: Gen) -> bytes:
    roll = g.rng.random()
    payload = _live_payload(g) if roll < 0.4 else None
    if payload is None:
        payload = g.pick(_VALKEY)
    if roll < 0.55:
        return payload
    if roll < 0.9:
        return _corrupt(g, payload)
    if roll < 0.95:
        return payload[:-1] + bytes((payload[-1] ^ 0x40,))  # a wrong CRC
    return g.junk()


def _restore(g: Gen) -> list[bytes]:
    key = b"rk" if g.chance(0.4) else g.key()
    args = [key, g.pick(_TTLS) if g.chance(0.9) else g.integer(), _payload(g)]
    args += g.options(
        lambda: [g.word(b"REPLACE")],
        lambda: [g.word(b"ABSTTL")],
        lambda: [g.word(b"IDLETIME"), g.pick(_NUMBERS)],
        lambda: [g.word(b"FREQ"), g.pick(_NUMBERS)],
        lambda: [g.word(b"IDLETIME")],
        probability=0.35,
    )
    return args


TEMPLATES: dict[str, Template] = {
    "dump": lambda g: [g.key()],
    "restore": _restore,
}
