"""The RDB codec: its primitives (lengths, string encodings, LZF, CRC-64, listpacks,
ziplists, zipmaps, intsets), the round trip of every value type in every encoding,
RESTORE's conversions under the thresholds in force, what it refuses, and payloads
DUMPed by valkey-server 8.0.1 (each golden below was read from it; the ones built
here were each RESTOREd on it once)."""

from __future__ import annotations

import math
import random
import struct
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

import minivalkey.commands  # noqa: F401  (the command table, for building values)
from minivalkey import rdb
from minivalkey.clock import ManualClock
from minivalkey.config import Config
from minivalkey.core import ServerCore
from minivalkey.dispatcher import execute
from minivalkey.engine.hashes import Hash
from minivalkey.engine.lists import List
from minivalkey.engine.sets import Set
from minivalkey.engine.stream import Stream
from minivalkey.engine.types import TYPES, state_of
from minivalkey.engine.zsets import ZSet
from minivalkey.rdb import listpack, lzf
from minivalkey.rdb.crc64 import crc64
from minivalkey.rdb.io import COMPRESS_MAX, RdbError, Reader, Writer, encode_length
from minivalkey.rdb.registry import CODECS
from minivalkey.rdb.streams import node_listpack
from minivalkey.rdb.ziplist import build_intset, parse_intset, parse_ziplist, parse_zipmap
from minivalkey.session import Client

sys.path.insert(0, str(Path(__file__).parent.parent / "fuzz"))
from keyspace_snapshot import check_stream, stream_state  # noqa: E402

# -- payloads DUMPed by valkey-server 8.0.1 ----------------------------------------------------

# SET k -300
STRING_INT = bytes.fromhex("00c1d4fe0b00af1b3b50032137a7")
# SET k 9223372036854775807
STRING_LONG_INT = bytes.fromhex("0013393232333337323033363835343737353830370b0053bac3e77c77b6ab")
# SET k abcabcabcabcabcabcabcabcabcabc-xyz
STRING_LZF = bytes.fromhex("00c30d220361626361e01102032d78797a0b00c944e8ae0d0d4848")
# HSET k name minivalkey n -4097 big 70000 max 9223372036854775807
HASH_LISTPACK = bytes.fromhex(
    "1039390000000800846e616d65058a6d696e6976616c6b65790b816e02f1ffef038362696704f2701101"
    "04836d617804f4ffffffffffffff7f09ff0b00487b926d3a0204cf"
)
# SADD k 5 -2 40000
SET_INTSET = bytes.fromhex("0b140400000003000000feffffff05000000409c00000b00b7d98175cea3360d")
# SADD k apple 7 pear
SET_LISTPACK = bytes.fromhex("1416160000000300856170706c65060701847065617205ff0b00c8080ff733bec90a")
# RPUSH k a 1 -70000
LIST_LISTPACK = bytes.fromhex("120102111100000003008161020101f290eefe04ff0b00719e33253ddfb00d")
# RPUSH k a b; RPUSH k <9000 x>; RPUSH k c (a plain node between two packed ones)
LIST_PLAIN = bytes.fromhex(
    "1203020d0d0000000200816102816202ff01c3406f6328017878"
    + "e0ff00" * 34
    + "e00b00017878020a0a0000000100816302ff0b00539a50f67d9a1220"
)
# what valkey-server DUMPs after RESTOREing a list ziplist a 1 2 3 4 under
# list-max-listpack-size 2: the elements pushed into nodes of two
LIST_FROM_ZIPLIST_FILL2 = bytes.fromhex(
    "1203020c0c00000002008161020101ff020b0b000000020002010301ff02090900000001000401ff0b00"
    "86a14844de1387b4"
)
# ZADD k 1 a 1.5 b -0 c inf d 4611686018427387905 e (the last is 2**62 as a double)
ZSET_LISTPACK = bytes.fromhex(
    "112e2e0000000a008163020001816102010181620283312e3504816502f400000000000000400981640283"
    "696e6604ff0b006e6ec67581393742"
)
# ZADD k 1 a -0 b 2.5 c -inf d; ZADD k 3 <65 x> (a skiplist, written highest first)
ZSET_SKIPLIST = bytes.fromhex(
    "0505c3094041017878e034000178780000000000000840016300000000000004400161000000000000f03f"
    "016200000000000000000164000000000000f0ff0b00f57a2c1c8ce581fd"
)
# XADD k 1-1 f v1; XADD k 1-2 f v2; XADD k 3-0 f v3 g w; XDEL k 1-2;
# XGROUP CREATE k grp 0; XGROUP CREATECONSUMER k grp idle (at STREAM_CLOCK_MS)
STREAM = bytes.fromhex(
    "150110000000000000000100000000000000014042420000001800020101010101816602000102010001"
    "000182763103040103010001010182763203040100010201dfff020201816602827633038167028177"
    "020801ff02030001010102030103677270000081ffffffffffffffff00010469646c6549a79751a201"
    "0000ffffffffffffffff000b0074f76e67ba9a276d"
)
STREAM_CLOCK_MS = int.from_bytes(bytes.fromhex("49a79751a2010000"), "little")
# XADD k 1-1 a b; XDEL k 1-1 (an empty stream that remembers its IDs)
STREAM_EMPTIED = bytes.fromhex("1500000101000001010100" + "0b00b7890677e4227414")

DEFAULTS = Config().values


def context(deep: bool = False, **limits: int) -> rdb.LoadContext:
    config = Config()
    for name, value in limits.items():
        config.set(name.replace("_", "-"), str(value))
    return rdb.LoadContext(config.values, deep)


def build(*commands: str, clock_ms: int = 1_000, key: bytes = b"k") -> Any:
    """The value a fresh server holds at ``key`` after ``commands`` (space-separated words)."""
    core = ServerCore(clock=ManualClock(clock_ms))
    client = Client(core)
    for line in commands:
        reply = execute(client, [word.encode() for word in line.split()])
        assert not reply.startswith(b"-"), (line, reply)
    return client.db.data[key]


def restored(payload: bytes, ctx: rdb.LoadContext | None = None) -> Any:
    assert rdb.check_footer(payload)
    return rdb.load(payload, ctx or context())


def with_footer(body: bytes, version: int = rdb.RDB_VERSION) -> bytes:
    """``body`` (type and value) with a valid DUMP footer."""
    head = body + version.to_bytes(2, "little")
    return head + crc64(head).to_bytes(8, "little")


def packed(rdb_type: int, blob: bytes) -> bytes:
    """A payload of ``rdb_type`` whose body is the string ``blob``, stored plainly."""
    return with_footer(bytes((rdb_type,)) + encode_length(len(blob)) + blob)


# -- CRC-64 and the footer ---------------------------------------------------------------------


def test_crc64_is_the_jones_crc_valkey_uses() -> None:
    assert crc64(b"123456789") == 0xE9C6D914C4B8D9CA
    assert crc64(b"") == 0
    assert crc64(b"6789", crc64(b"12345")) == 0xE9C6D914C4B8D9CA
    data = bytes(range(256)) * 3 + b"tail"
    assert crc64(data) == crc64(data[100:], crc64(data[:100]))


def test_the_footer_is_version_11_and_the_crc_little_endian() -> None:
    payload = rdb.dump(b"hello")
    assert payload == b"\x00\x05hello\x0b\x00" + crc64(b"\x00\x05hello\x0b\x00").to_bytes(
        8, "little"
    )
    assert payload == bytes.fromhex("000568656c6c6f0b000aad620598abc983")  # valkey-server's


def test_the_footer_check() -> None:
    good = rdb.dump(b"hello")
    assert rdb.check_footer(good)
    assert not rdb.check_footer(good[:-1] + bytes((good[-1] ^ 1,)))
    assert not rdb.check_footer(b"\x00hello"[:5])
    assert not rdb.check_footer(b"")
    assert rdb.check_footer(with_footer(b"\x00\x05hello", version=9))  # older versions load
    assert rdb.check_footer(with_footer(b"\x00\x05hello", version=0))
    assert not rdb.check_footer(with_footer(b"\x00\x05hello", version=12))
    assert rdb.check_footer(with_footer(b""))  # ten bytes: the footer alone


# -- lengths and strings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("length", "encoded"),
    [
        (0, "00"),
        (63, "3f"),
        (64, "4040"),
        (16383, "7fff"),
        (16384, "8000004000"),
        (2**32 - 1, "80ffffffff"),
        (2**32, "810000000100000000"),
        (2**64 - 1, "81ffffffffffffffff"),
    ],
)
def test_lengths(length: int, encoded: str) -> None:
    assert encode_length(length).hex() == encoded
    assert Reader(bytes.fromhex(encoded)).length() == length


def test_a_special_encoding_byte_read_as_a_length_is_its_low_bits() -> None:
    assert Reader(b"\xc3").length() == 3
    assert Reader(b"\xc3").length_or_encoding() == (3, True)
    with pytest.raises(RdbError):
        Reader(b"\x82").length()  # 10xxxxxx other than 0x80 / 0x81
    with pytest.raises(RdbError):
        Reader(b"\x80\x00\x00").length()  # short


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        (b"0", "c000"),
        (b"-128", "c080"),
        (b"127", "c07f"),
        (b"128", "c18000"),
        (b"-32768", "c10080"),
        (b"32768", "c200800000"),
        (b"2147483647", "c2ffffff7f"),
        (b"-2147483648", "c200000080"),
        (b"2147483648", "0a" + b"2147483648".hex()),  # past 32 bits: its text
        (b"12345678901", "0b" + b"12345678901".hex()),
        (b"01", "023031"),  # not string2ll's spelling of an integer
        (b"-0", "022d30"),
        (b"+1", "022b31"),
        (b"", "00"),
        (b"a" * 20, "14" + "61" * 20),  # 20 bytes: never compressed
    ],
)
def test_strings_are_written_as_rdb_save_raw_string_writes_them(value: bytes, encoded: str) -> None:
    writer = Writer()
    writer.string(value)
    assert writer.out.hex() == encoded
    assert Reader(bytes(writer.out)).string() == value


def test_strings_over_20_bytes_are_compressed_when_lzf_saves_four_bytes() -> None:
    writer = Writer()
    writer.string(b"a" * 21)
    assert writer.out[0] == 0xC3
    assert Reader(bytes(writer.out)).string() == b"a" * 21
    plain = Writer(compress=False)
    plain.string(b"a" * 21)
    assert plain.out == b"\x15" + b"a" * 21
    noise = random.Random(7).randbytes(100)
    incompressible = Writer()
    incompressible.string(noise)
    assert incompressible.out == b"\x40\x64" + noise
    huge = Writer()
    huge.string(b"a" * (COMPRESS_MAX + 1))  # left as it is (valkey-server RESTOREs it)
    assert huge.out[:5] == encode_length(COMPRESS_MAX + 1)


def test_integer_string_encodings_read_back_as_their_text() -> None:
    assert Reader(b"\xc0\xff").string() == b"-1"
    assert Reader(b"\xc1\x00\x80").string() == b"-32768"
    assert Reader(b"\xc2\x00\x00\x00\x80").string() == b"-2147483648"
    with pytest.raises(RdbError):
        Reader(b"\xc4").string()  # an unknown string encoding
    with pytest.raises(RdbError):
        Reader(b"\xc2\x00").string()  # short


def test_reading_never_passes_the_end() -> None:
    with pytest.raises(RdbError):
        Reader(b"\x05abc").string()
    with pytest.raises(RdbError):
        Reader(b"").byte()
    with pytest.raises(RdbError):
        Reader(b"\x81\xff\xff\xff\xff\xff\xff\xff\xff").string()  # a length, no bytes
    with pytest.raises(RdbError):
        Reader(b"\x01\x02").millis()


# -- LZF -----------------------------------------------------------------------------------------


def test_lzf_compresses_as_valkey_does() -> None:
    assert lzf.compress(b"a" * 45, 41) == bytes.fromhex("016161e02000016161")
    # STRING_LZF's body: a backward copy of 27 bytes at distance 3
    assert lzf.compress(b"abcabcabcabcabcabcabcabcabcabc-xyz", 30) == bytes.fromhex(
        "0361626361e01102032d78797a"
    )
    assert lzf.compress(b"", 10) is None
    assert lzf.compress(b"abcdefgh" * 3, 1) is None  # the output limit is honoured
    noise = random.Random(3).randbytes(64)
    assert lzf.compress(noise, 60) is None


@pytest.mark.parametrize("seed", range(6))
def test_lzf_round_trips(seed: int) -> None:
    rng = random.Random(seed)
    alphabet = bytes(rng.randrange(256) for _ in range(rng.choice((2, 4, 16, 256))))
    for _ in range(30):
        size = rng.choice((3, 21, 40, 100, 300, 1000, 9000))
        data = bytes(rng.choice(alphabet) for _ in range(size))
        if rng.random() < 0.5:
            data = data[: size // 3] * 3
        out = lzf.compress(data, len(data) + len(data) // 16 + 64)  # literals cost 1/32
        assert out is not None
        assert lzf.decompress(out, len(data)) == data


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\x05ab", 6),  # a literal run past the input
        (b"\x20\x00", 3),  # a copy from before the start
        (b"\x01ab\xe0", 10),  # input ends inside a copy
        (b"\x01ab\xe0\x01", 10),  # ... inside a long copy
        (b"\x01ab", 3),  # shorter than expected
        (b"\x02abc", 2),  # longer than expected
        (b"\x01ab\x20\x01", 4),  # a copy past the expected size
    ],
)
def test_lzf_decompression_refuses_what_lzf_decompress_refuses(data: bytes, expected: int) -> None:
    assert lzf.decompress(data, expected) is None


def test_lzf_decompression_of_an_empty_string_ignores_its_input() -> None:
    assert lzf.decompress(b"\x05", 0) == b""  # lzf_decompress answers 0, the size expected
    assert lzf.decompress(b"\x00a\x40\x00", 5) == b"aaaaa"  # an overlapping copy


# -- listpacks -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        (0, "0001"),
        (127, "7f01"),
        (128, "c08002"),
        (-1, "dfff02"),
        (4095, "cfff02"),
        (-4096, "d00002"),
        (4096, "f1001003"),
        (-32768, "f1008003"),
        (32768, "f200800004"),
        (-8388608, "f200008004"),
        (8388608, "f30000800005"),
        (2**31 - 1, "f3ffffff7f05"),
        (2**31, "f4000000800000000009"),
        (-(2**63), "f4000000000000008009"),
    ],
)
def test_listpack_integers(value: int, encoded: str) -> None:
    assert listpack.encode_int(value).hex() == encoded
    blob = listpack.build([value])
    assert listpack.parse(blob, deep=True) == [value]
    assert listpack.build([b"%d" % value]) == blob  # a string that is an integer


@pytest.mark.parametrize(
    ("size", "head", "backlen"),
    [
        (0, "80", "01"),
        (63, "bf", "40"),
        (64, "e040", "42"),
        (125, "e07d", "7f"),
        (126, "e07e", "0180"),
        (4095, "efff", "2081"),
        (4096, "f000100000", "2085"),
    ],
)
def test_listpack_strings(size: int, head: str, backlen: str) -> None:
    data = b"x" * size
    element = listpack.encode_string(data)
    assert element.hex() == head + data.hex() + backlen
    assert listpack.element_size(data) == len(element)
    assert listpack.parse(listpack.build([data]), deep=True) == [data]


def test_listpack_header_and_golden() -> None:
    blob = listpack.build([b"apple", b"7", b"pear"])
    assert blob == Reader(SET_LISTPACK, 1).string()  # the listpack valkey-server wrote
    assert blob[:6] == len(blob).to_bytes(4, "little") + b"\x03\x00"
    assert listpack.parse(blob, deep=True) == [b"apple", 7, b"pear"]
    many = listpack.build([1] * 70000)
    assert many[4:6] == b"\xff\xff"  # the count is unknown past 65534
    assert len(listpack.parse(many, deep=True)) == 70000


def _corrupt(blob: bytes, at: int, byte: int) -> bytes:
    return blob[:at] + bytes((byte,)) + blob[at + 1 :]


def test_listpack_parse_always_refuses_what_cannot_be_read() -> None:
    blob = listpack.build([b"abc", 5, b"x" * 70])
    for bad in (
        blob[:-1],  # size no longer matches
        blob[:-1] + b"\x00",  # no terminator
        b"\x06\x00\x00\x00\x00\x00",  # too short for a header and terminator
        _corrupt(blob, 6, 0xF5),  # an unknown encoding
        _corrupt(blob, 6, 0xBF),  # a string running past the end
        listpack.join([b"\xf4\x00\x00"]),  # a 64-bit integer cut short
    ):
        for deep in (False, True):
            with pytest.raises(RdbError):
                listpack.parse(bad, deep)


def test_listpack_deep_checks() -> None:
    blob = listpack.build([b"abc", 5])
    wrong_backlen = _corrupt(blob, 10, 9)
    wrong_count = blob[:4] + b"\x05\x00" + blob[6:]
    early_end = listpack.join([b"\x83abc\x04", b"\xff", b"\x05\x01"])
    assert listpack.parse(wrong_backlen, deep=False) == [b"abc", 5]
    assert listpack.parse(wrong_count, deep=False) == [b"abc", 5]
    assert listpack.parse(early_end, deep=False) == [b"abc"]  # reading stops at 0xFF
    for bad in (wrong_backlen, wrong_count, early_end):
        with pytest.raises(RdbError):
            listpack.parse(bad, deep=True)


# -- ziplists, zipmaps, intsets --------------------------------------------------------------------


def _zip_entry(item: bytes | int, previous: int) -> bytes:
    head = bytes((previous,)) if previous < 254 else b"\xfe" + previous.to_bytes(4, "little")
    if isinstance(item, bytes):
        size = len(item)
        if size < 64:
            return head + bytes((size,)) + item
        if size < 16384:
            return head + bytes((0x40 | size >> 8, size & 0xFF)) + item
        return head + b"\x80" + size.to_bytes(4, "big") + item
    if 0 <= item <= 12:
        return head + bytes((0xF1 + item,))
    for code, width in ((0xFE, 1), (0xC0, 2), (0xF0, 3), (0xD0, 4), (0xE0, 8)):
        if -(1 << (8 * width - 1)) <= item < 1 << (8 * width - 1):
            return head + bytes((code,)) + (item & ((1 << 8 * width) - 1)).to_bytes(width, "little")
    raise AssertionError(item)


def ziplist(items: Iterable[bytes | int], count: int | None = None) -> bytes:
    """A ziplist as Redis wrote them (RESTORE of such payloads checked on valkey-server)."""
    entries: list[bytes] = []
    previous = 0
    for item in items:
        entry = _zip_entry(item, previous)
        entries.append(entry)
        previous = len(entry)
    body = b"".join(entries)
    tail = 10 + len(body) - (len(entries[-1]) if entries else 0)
    total = 10 + len(body) + 1
    number = len(entries) if count is None else count
    return (
        total.to_bytes(4, "little") + tail.to_bytes(4, "little")
        + number.to_bytes(2, "little") + body + b"\xff"
    )  # fmt: skip


def zipmap(pairs: list[tuple[bytes, bytes]], free: int = 0) -> bytes:
    out = bytearray((len(pairs) if len(pairs) < 254 else 254,))
    for field, value in pairs:
        out += bytes((len(field),)) + field + bytes((len(value), free)) + value + b"\0" * free
    return bytes(out + b"\xff")


def test_ziplist_entries_of_every_encoding() -> None:
    items: list[bytes | int] = [b"", b"a", b"x" * 63, b"y" * 64, b"z" * 300, b"w" * 16384,
                                0, 12, 13, -1, 127, -129, 32767, 8388607, -8388608, 2**31 - 1,
                                2**31, -(2**63)]  # fmt: skip
    assert parse_ziplist(ziplist(items)) == items
    assert parse_ziplist(ziplist([1, 2], count=0xFFFF)) == [1, 2]  # an unknown count


def test_ziplist_validation_is_always_deep() -> None:
    good = ziplist([b"a", b"bb", 7])
    with pytest.raises(RdbError):
        parse_ziplist(ziplist([b"a"], count=2))  # the count
    with pytest.raises(RdbError):
        parse_ziplist(good[:4] + (9).to_bytes(4, "little") + good[8:])  # the tail offset
    with pytest.raises(RdbError):
        parse_ziplist(_corrupt(good, 13, 5))  # the previous entry's size
    with pytest.raises(RdbError):
        parse_ziplist(_corrupt(good, 11, 0xC1))  # an invalid encoding
    with pytest.raises(RdbError):
        parse_ziplist(_corrupt(good, 11, 0x3F))  # a string past the end
    with pytest.raises(RdbError):
        parse_ziplist(good[:-1])
    assert parse_ziplist(ziplist([])) == []


def test_zipmaps() -> None:
    pairs = [(b"f", b"v"), (b"long", b"value")]
    assert parse_zipmap(zipmap(pairs)) == pairs
    assert parse_zipmap(zipmap(pairs, free=2)) == pairs  # free space is skipped
    with pytest.raises(RdbError):
        parse_zipmap(zipmap([]))  # empty
    with pytest.raises(RdbError):
        parse_zipmap(b"\x05" + zipmap(pairs)[1:])  # the count
    with pytest.raises(RdbError):
        parse_zipmap(zipmap(pairs)[:-3] + b"\xff")  # a value past the end


def test_intsets() -> None:
    assert build_intset([-2, 5, 40000]) == Reader(SET_INTSET, 1).string()  # valkey-server's
    assert build_intset([1, 2]).hex() == "02000000020000000100" + "0200"
    assert build_intset([-(2**31) - 1, 0])[:4] == b"\x08\x00\x00\x00"
    for values in ([7], [-(2**15), 2**15 - 1], [-(2**63), 2**63 - 1]):
        assert parse_intset(build_intset(values)) == values
    for bad in (
        b"\x02\x00\x00\x00\x01\x00",  # short header
        b"\x03\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00",  # width 3
        b"\x02\x00\x00\x00\x02\x00\x00\x00\x01\x00",  # size and count disagree
        b"\x02\x00\x00\x00\x00\x00\x00\x00",  # empty
        build_intset([2, 1]),  # out of order
        b"\x02\x00\x00\x00\x02\x00\x00\x00\x01\x00\x01\x00",  # a duplicate
    ):
        with pytest.raises(RdbError):
            parse_intset(bad)


# -- strings --------------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", [STRING_INT, STRING_LONG_INT, STRING_LZF])
def test_string_goldens_round_trip(payload: bytes) -> None:
    value = restored(payload)
    assert type(value) is bytes
    assert rdb.dump(value) == payload


def test_string_goldens_read_as_valkey_wrote_them() -> None:
    assert restored(STRING_INT) == b"-300"
    assert restored(STRING_LONG_INT) == b"9223372036854775807"
    assert restored(STRING_LZF) == b"abcabcabcabcabcabcabcabcabcabc-xyz"
    assert rdb.dump(b"-300") == STRING_INT
    assert rdb.dump(b"abcabcabcabcabcabcabcabcabcabc-xyz", compress=False)[1] == 34


# -- lists ----------------------------------------------------------------------------------------


def test_list_goldens() -> None:
    small = build("RPUSH k a 1 -70000")
    assert rdb.dump(small) == LIST_LISTPACK
    assert state_of(restored(LIST_LISTPACK)) == state_of(small)
    plain = build("RPUSH k a b", "RPUSH k " + "x" * 9000, "RPUSH k c")
    assert rdb.dump(plain) == LIST_PLAIN
    loaded = restored(LIST_PLAIN)
    assert state_of(loaded) == state_of(plain)
    assert [node.plain for node in loaded.nodes] == [False, True, False]
    loaded.check_invariants()


def test_a_list_of_every_element_encoding() -> None:
    """Valkey's own "List of various encodings" list: a plain node, a packed node of one
    8191-byte element, a listpack of integers; valkey-server's DUMP of it is 950 bytes
    with this footer (the CRC-64 of the rest)."""
    elements = ["127", "32767", "2147483647", "9223372036854775808", "0", "12"]
    elements += ["x" * 31, "x" * 8191, "x" * 65535]
    value = build(*(f"LPUSH k {element}" for element in elements))
    payload = rdb.dump(value)
    assert (len(payload), payload[-10:].hex()) == (950, "0b00e17d33daf5252a0c")
    loaded = restored(payload, context(deep=True))
    assert state_of(loaded) == state_of(value)
    assert rdb.dump(loaded) == payload


def test_a_list_ziplist_is_pushed_into_a_quicklist_and_stays_one() -> None:
    payload = packed(10, ziplist([b"a", 1, 2, 3, 4]))
    loaded = restored(payload, context(list_max_listpack_size=2))
    assert rdb.dump(loaded) == LIST_FROM_ZIPLIST_FILL2
    assert [node.items for node in loaded.nodes] == [[b"a", b"1"], [b"2", b"3"], [b"4"]]
    small = restored(packed(10, ziplist([b"a", 1])))
    assert (small.encoding, small.to_list()) == ("quicklist", [b"a", b"1"])  # no conversion


def _quicklist_payload(nodes: list[tuple[int, bytes]], rdb_type: int = 18) -> bytes:
    body = bytes((rdb_type,)) + encode_length(len(nodes))
    for container, data in nodes:
        if rdb_type == 18:
            body += encode_length(container)
        body += encode_length(len(data)) + data
    return with_footer(body)


def _plain_list_payload(items: list[bytes]) -> bytes:
    body = b"\x01" + encode_length(len(items))
    for item in items:
        body += encode_length(len(item)) + item
    return with_footer(body)


def test_restored_lists_convert_under_the_settings_in_force() -> None:
    one = _quicklist_payload([(2, listpack.build([b"a", b"b"]))])
    assert restored(one).encoding == "listpack"
    assert restored(one, context(list_max_listpack_size=1)).encoding == "quicklist"
    two = _quicklist_payload([(2, listpack.build([b"a"])), (2, listpack.build([b"b"]))])
    loaded = restored(two)
    assert (loaded.encoding, len(loaded.nodes)) == ("quicklist", 2)  # nodes kept as they come
    skipped = _quicklist_payload([(2, listpack.build([])), (2, listpack.build([b"c"]))])
    assert state_of(restored(skipped)) == state_of(build("RPUSH k c"))
    assert restored(_quicklist_payload([(1, b"abc")])).encoding == "quicklist"  # plain stays
    zipped = _quicklist_payload([(2, ziplist([b"a", 5]))], rdb_type=14)
    assert state_of(restored(zipped)) == state_of(build("RPUSH k a 5"))
    pushed = restored(
        _plain_list_payload([b"a", b"b", b"1", b"2"]), context(list_max_listpack_size=3)
    )
    assert [node.items for node in pushed.nodes] == [[b"a", b"b", b"1"], [b"2"]]
    assert restored(_plain_list_payload([b"a", b"b"])).encoding == "listpack"
    deep = restored(two, context(list_compress_depth=3, list_max_listpack_size=7))
    assert (deep.fill, deep.compress) == (7, 3)


@pytest.mark.parametrize(
    "payload",
    [
        _quicklist_payload([]),
        _quicklist_payload([(2, listpack.build([]))]),  # only empty nodes
        _quicklist_payload([(3, b"abc")]),  # an unknown container
        _quicklist_payload([(1, b"")]),  # an empty node's data
        _quicklist_payload([(2, b"junk")]),
        _quicklist_payload([(2, ziplist([]))], rdb_type=14),
        packed(10, ziplist([])),
        _plain_list_payload([]),
    ],
)
def test_list_payloads_refused(payload: bytes) -> None:
    for deep in (False, True):
        with pytest.raises(RdbError):
            restored(payload, context(deep))


# -- hashes ---------------------------------------------------------------------------------------


def test_hash_listpack_golden() -> None:
    value = build("HSET k name minivalkey n -4097 big 70000 max 9223372036854775807")
    assert rdb.dump(value) == HASH_LISTPACK
    loaded = restored(HASH_LISTPACK)
    assert type(loaded) is Hash
    assert state_of(loaded) == state_of(value)


def test_hashtable_round_trip() -> None:
    value = build("HSET k a 1 b " + "x" * 65 + " c 3")
    assert value.encoding == "hashtable"
    payload = rdb.dump(value)
    assert payload[0] == 4
    loaded = restored(payload)
    assert state_of(loaded) == state_of(value)
    assert loaded.buckets == 4
    loaded.check_invariants()


def test_restored_hashes_convert_under_the_thresholds_in_force() -> None:
    small = build("HSET k a 1 b 2 c 3")
    payload = rdb.dump(small)
    assert restored(payload).encoding == "listpack"
    assert restored(payload, context(hash_max_listpack_entries=2)).encoding == "hashtable"
    # a listpack payload keeps a long value in a listpack: only the count is checked
    assert restored(payload, context(hash_max_listpack_value=0)).encoding == "listpack"
    # a hashtable payload small enough becomes a listpack, unless a value is too long
    table = build("HSET k a 1 b " + "x" * 65)
    assert restored(rdb.dump(table), context(hash_max_listpack_value=100)).encoding == "listpack"
    assert restored(rdb.dump(table)).encoding == "hashtable"
    assert restored(rdb.dump(table), context(hash_max_listpack_entries=1)).encoding == "hashtable"


def test_a_hashtable_payload_converted_midway_sizes_its_dict_for_what_remains() -> None:
    pairs = [(b"f%d" % n, b"v") for n in range(3)] + [(b"long", b"x" * 70)]
    pairs += [(b"g%d" % n, b"v") for n in range(10)]
    body = b"\x04" + encode_length(len(pairs))
    for field, item in pairs:
        body += encode_length(len(field)) + field + encode_length(len(item)) + item
    loaded = restored(with_footer(body))
    assert loaded.encoding == "hashtable"
    assert list(loaded.items()) == pairs
    assert loaded.buckets == 16  # 4 at the conversion, 16 for the 10 still to come


def test_old_hash_encodings_load() -> None:
    pairs: list[bytes | int] = [b"f", b"v", b"n", 5, b"big", -70000]
    zipped = restored(packed(13, ziplist(pairs)))
    assert list(zipped.items()) == [(b"f", b"v"), (b"n", b"5"), (b"big", b"-70000")]
    assert zipped.encoding == "listpack"
    assert restored(packed(13, ziplist(pairs)), context(hash_max_listpack_entries=2)).encoding == (
        "hashtable"
    )
    mapped = restored(packed(9, zipmap([(b"f", b"v"), (b"g", b"w")])))
    assert list(mapped.items()) == [(b"f", b"v"), (b"g", b"w")]
    long_value = packed(9, zipmap([(b"f", b"v" * 70)]))
    assert restored(long_value).encoding == "hashtable"  # a zipmap checks lengths too


@pytest.mark.parametrize(
    "payload",
    [
        packed(16, listpack.build([b"a", b"1", b"a", b"2"])),  # a duplicate field
        packed(16, listpack.build([b"a", b"1", b"b"])),  # odd
        packed(16, listpack.build([])),  # empty
        packed(13, ziplist([b"a", b"1", b"a", b"2"])),
        packed(13, ziplist([b"a"])),
        packed(13, ziplist([])),
        packed(9, zipmap([(b"a", b"1"), (b"a", b"2")])),
        with_footer(b"\x04\x00"),  # no pairs
        with_footer(b"\x04\x02\x01a\x011\x01a\x012"),  # a duplicate field
        with_footer(b"\x04\x02\x01a\x011"),  # one pair short (the footer is no pair)
    ],
)
def test_hash_payloads_refused(payload: bytes) -> None:
    for deep in (False, True):
        with pytest.raises(RdbError):
            restored(payload, context(deep))


# -- sets -----------------------------------------------------------------------------------------


def test_set_goldens() -> None:
    intset = build("SADD k 5 -2 40000")
    assert rdb.dump(intset) == SET_INTSET
    assert state_of(restored(SET_INTSET)) == state_of(intset) == ("intset", (b"-2", b"5", b"40000"))
    small = build("SADD k apple 7 pear")
    assert rdb.dump(small) == SET_LISTPACK
    assert state_of(restored(SET_LISTPACK)) == ("listpack", (b"apple", b"7", b"pear"))


def test_set_hashtable_round_trip() -> None:
    value = build("SADD k " + " ".join(f"m{n}" for n in range(200)))
    assert value.encoding == "hashtable"
    payload = rdb.dump(value)
    assert payload[0] == 2
    assert state_of(restored(payload)) == state_of(value)


def _set_payload(members: list[bytes]) -> bytes:
    body = b"\x02" + encode_length(len(members))
    for member in members:
        writer = Writer()
        writer.string(member)
        body += bytes(writer.out)
    return with_footer(body)


def test_restored_sets_convert_under_the_thresholds_in_force() -> None:
    assert restored(_set_payload([b"3", b"1", b"2"])).encoding == "intset"
    assert state_of(restored(_set_payload([b"3", b"1", b"2"]))) == ("intset", (b"1", b"2", b"3"))
    mixed = _set_payload([b"1", b"a", b"2"])
    assert state_of(restored(mixed)) == ("listpack", (b"1", b"a", b"2"))
    assert restored(mixed, context(set_max_listpack_entries=1)).encoding == "hashtable"
    assert restored(mixed, context(set_max_intset_entries=2)).encoding == "hashtable"
    assert restored(_set_payload([b"1", b"x" * 65])).encoding == "hashtable"
    late_long = _set_payload([b"a", b"b", b"x" * 65])
    assert state_of(restored(late_long)) == ("hashtable", (b"a", b"b", b"x" * 65))
    assert restored(SET_INTSET, context(set_max_intset_entries=2)).encoding == "hashtable"
    assert restored(SET_LISTPACK, context(set_max_listpack_entries=2)).encoding == "hashtable"


@pytest.mark.parametrize(
    "payload",
    [
        _set_payload([b"1", b"1"]),
        _set_payload([b"a", b"a"]),
        _set_payload([b"x" * 70, b"x" * 70]),
        with_footer(b"\x02\x00"),
        packed(20, listpack.build([b"a", b"a"])),
        packed(20, listpack.build([1, b"1"])),  # the same member, spelled two ways
        packed(20, listpack.build([])),
        packed(11, build_intset([2, 1])),
    ],
)
def test_set_payloads_refused(payload: bytes) -> None:
    for deep in (False, True):
        with pytest.raises(RdbError):
            restored(payload, context(deep))


# -- sorted sets ----------------------------------------------------------------------------------


def test_zset_goldens() -> None:
    small = build("ZADD k 1 a 1.5 b -0 c inf d 4611686018427387905 e")
    assert rdb.dump(small) == ZSET_LISTPACK
    assert state_of(restored(ZSET_LISTPACK)) == state_of(small)
    big = build("ZADD k 1 a -0 b 2.5 c -inf d", "ZADD k 3 " + "x" * 65)
    assert big.encoding == "skiplist"
    assert rdb.dump(big) == ZSET_SKIPLIST
    assert state_of(restored(ZSET_SKIPLIST)) == state_of(big)


def test_listpack_scores_are_written_as_zzl_insert_writes_them() -> None:
    # 2**62 + 1024 is past double2ll's range: its d2string text, an integer's spelling,
    # is then stored as that integer by lpAppend (checked on valkey-server)
    value = build("ZADD k -0 z 0.1 a 1e100 b 4611686018427387904 c 4611686018427388928 d")
    elements = listpack.parse(Reader(rdb.dump(value), 1).string(), deep=True)
    assert elements == [b"z", 0, b"a", b"0.1", b"c", 2**62, b"d", 4611686018427389000,
                        b"b", b"1e+100"]  # fmt: skip


def _zset_payload(pairs: list[tuple[bytes, bytes]], rdb_type: int = 5) -> bytes:
    """``rdb_type`` 5: each score is 8 bytes of binary double; 3: a length byte and text."""
    body = bytes((rdb_type,)) + encode_length(len(pairs))
    for member, score in pairs:
        body += encode_length(len(member)) + member + score
    return with_footer(body)


def _binary(score: float) -> bytes:
    return struct.pack("<d", score)


def test_restored_zsets_convert_under_the_thresholds_in_force() -> None:
    pairs = [(b"b", _binary(2.0)), (b"a", _binary(1.0))]
    assert state_of(restored(_zset_payload(pairs))) == state_of(build("ZADD k 1 a 2 b"))
    assert restored(_zset_payload(pairs), context(zset_max_listpack_entries=1)).encoding == (
        "skiplist"
    )
    long_member = [(b"a" * 65, _binary(1.0))]
    assert restored(_zset_payload(long_member)).encoding == "skiplist"
    assert restored(ZSET_LISTPACK, context(zset_max_listpack_entries=4)).encoding == "skiplist"
    # a listpack payload is not checked for long members
    assert restored(ZSET_LISTPACK, context(zset_max_listpack_value=0)).encoding == "listpack"
    zipped = restored(packed(12, ziplist([b"a", 1, b"b", b"1.5"])))
    assert state_of(zipped) == state_of(build("ZADD k 1 a 1.5 b"))
    negative_zero = restored(
        _zset_payload([(b"a", _binary(-0.0))]), context(zset_max_listpack_entries=0)
    )
    assert state_of(negative_zero) == ("skiplist", (((-0.0).hex(), b"a"),))


def test_zset_scores_as_text() -> None:
    # RDB type 3: a length byte (253 nan, 254 inf, 255 -inf) and text read by %lg
    text = [(b"a", b"\x031.5"), (b"b", b"\xfe"), (b"c", b"\xff"), (b"d", b"\x04 2e1"),
            (b"e", b"\x043abc"), (b"f", b"\x040x1p")]  # fmt: skip
    loaded = restored(_zset_payload(text, rdb_type=3))
    assert list(loaded) == [(-math.inf, b"c"), (1.0, b"f"), (1.5, b"a"), (3.0, b"e"),
                            (20.0, b"d"), (math.inf, b"b")]  # fmt: skip
    # a listpack score that is text reads as strtod reads it (garbage as 0)
    blob = listpack.build([b"b", b"-1.5", b"a", b"junk", b"c", b"0x10", b"d", b" 17x"])
    assert list(restored(packed(17, blob))) == [
        (-1.5, b"b"),
        (0.0, b"a"),
        (16.0, b"c"),
        (17.0, b"d"),
    ]


@pytest.mark.parametrize(
    "payload",
    [
        _zset_payload([]),
        _zset_payload([(b"a", _binary(math.nan))]),
        _zset_payload([(b"a", _binary(1.0)), (b"a", _binary(2.0))]),
        _zset_payload([(b"a", b"\xfd")], rdb_type=3),  # NaN as text
        _zset_payload([(b"a", b"\x03abc")], rdb_type=3),  # no number at all
        packed(17, listpack.build([])),
        packed(17, listpack.build([b"a", 1, b"b"])),  # odd (crashes valkey-server unsanitized)
        packed(17, listpack.build([b"a", 1, b"a", 2])),  # a duplicate member
        packed(17, listpack.build([b"a", b"nan"])),  # a NaN score
        packed(17, listpack.build([b"b", 2, b"a", 1])),  # out of order
        packed(12, ziplist([])),
        packed(12, ziplist([b"a", 1, b"a", 2])),
    ],
)
def test_zset_payloads_refused(payload: bytes) -> None:
    for deep in (False, True):
        with pytest.raises(RdbError):
            restored(payload, context(deep))


# -- streams --------------------------------------------------------------------------------------


def test_stream_golden() -> None:
    value = build(
        "XADD k 1-1 f v1",
        "XADD k 1-2 f v2",
        "XADD k 3-0 f v3 g w",
        "XDEL k 1-2",
        "XGROUP CREATE k grp 0",
        "XGROUP CREATECONSUMER k grp idle",
        clock_ms=STREAM_CLOCK_MS,
    )
    assert rdb.dump(value) == STREAM
    loaded = restored(STREAM)
    check_stream(loaded)
    assert stream_state(loaded) == stream_state(value)
    emptied = restored(STREAM_EMPTIED)
    assert (emptied.length, emptied.last_id, emptied.max_deleted_id) == (
        0,
        1 << 64 | 1,
        1 << 64 | 1,
    )
    assert rdb.dump(emptied) == STREAM_EMPTIED


def _busy_stream() -> Stream:
    lines = ["CONFIG SET stream-node-max-entries 4"]
    lines += [f"XADD k {n}-{n % 3} f{n % 2} v{n} n {n * 1000}" for n in range(1, 15)]
    lines += [
        "XADD k 20-0 f1 same",
        "XADD k 21-0 other x",
        "XDEL k 2-2 6-0 7-1 8-2",  # a whole node goes, others keep tombstones
        "XGROUP CREATE k g1 0",
        "XGROUP CREATE k g2 $ ENTRIESREAD 3",
        "XREADGROUP GROUP g1 alice COUNT 3 STREAMS k >",
        "XREADGROUP GROUP g1 bob COUNT 2 STREAMS k >",
        "XCLAIM k g1 bob 0 1-1",
        "XGROUP CREATECONSUMER k g2 carol",
        "XTRIM k MINID 3-0",
    ]
    return build(*lines)  # type: ignore[no-any-return]


def test_stream_round_trip_keeps_nodes_tombstones_groups_and_pels() -> None:
    value = _busy_stream()
    payload = rdb.dump(value)
    loaded = restored(payload)
    check_stream(loaded)
    assert stream_state(loaded) == stream_state(value)
    assert loaded.radix_tree_nodes() == value.radix_tree_nodes()
    assert rdb.dump(loaded) == payload
    for node in loaded.nodes:  # the size model agrees with the listpack written
        assert node.size == len(node_listpack(node))


def test_stream_nodes_written_as_valkey_holds_them() -> None:
    value = build("XADD k 5-3 a 1 b 2", "XADD k 6-1 a 3 b 4", "XADD k 6-2 c 5", "XDEL k 6-1")
    (node,) = value.nodes
    expected = listpack.build(
        [2, 1, 2, b"a", b"b", 0,
         2, 0, 0, 1, 2, 5,  # the master entry itself: SAMEFIELDS, deltas 0, values, count
         3, 1, -2, 3, 4, 5,  # deleted, same fields, ms +1, seq -2
         0, 1, -1, 1, b"c", 5, 6]  # fields of its own
    )  # fmt: skip
    assert node_listpack(node) == expected


def test_the_entry_readers_agree() -> None:
    from minivalkey.rdb import streams

    value = _busy_stream()
    for node in value.nodes:
        expected = streams._python_node_pairs(node)
        assert streams._node_pairs(node) == expected
        assert [len(pairs) for pairs in expected] == [
            len(pairs)
            for pairs in (streams._entry_pairs(node.entries(), o) for o in node.offsets[:-1])
        ]


def _stream_payload(nodes: list[tuple[int, bytes]], tail: bytes, rdb_type: int = 21) -> bytes:
    body = bytes((rdb_type,)) + encode_length(len(nodes))
    for master, blob in nodes:
        body += b"\x10" + master.to_bytes(16, "big") + encode_length(len(blob)) + blob
    return with_footer(body + tail)


def _meta(length: int, last: tuple[int, int], first: tuple[int, int], added: int) -> bytes:
    parts = [length, *last, *first, 0, 0, added, 0]  # no deleted ID, no groups
    return b"".join(encode_length(part) for part in parts)


ONE_ENTRY = listpack.build([1, 0, 1, b"f", 0, 2, 0, 0, b"v", 4])  # 5-0 f v


def test_a_minimal_stream_payload_loads() -> None:
    loaded = restored(_stream_payload([(5 << 64, ONE_ENTRY)], _meta(1, (5, 0), (5, 0), 1)))
    assert loaded.length == 1
    assert loaded.get(5 << 64) == b"*2\r\n$3\r\n5-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"


def test_older_stream_types_derive_what_they_lack() -> None:
    tail = b"".join(encode_length(part) for part in (1, 5, 0))  # length, last ID
    group = b"\x01\x01g" + encode_length(5) + encode_length(0) + b"\x00\x00"  # name, ID, PELs
    loaded = restored(_stream_payload([(5 << 64, ONE_ENTRY)], tail + group, rdb_type=15))
    assert (loaded.first_id, loaded.entries_added, loaded.max_deleted_id) == (5 << 64, 1, 0)
    assert loaded.groups[b"g"].entries_read == 1  # estimated: the group read everything
    consumer = (
        b"\x01\x01g" + encode_length(5) + encode_length(0) + encode_length(1)
        + b"\x01" + (5 << 64).to_bytes(16, "big") + (77).to_bytes(8, "little") + b"\x01"
        + b"\x01\x01c" + (99).to_bytes(8, "little") + b"\x01" + (5 << 64).to_bytes(16, "big")
    )  # fmt: skip
    loaded = restored(_stream_payload([(5 << 64, ONE_ENTRY)], _meta(1, (5, 0), (5, 0), 1)[:-1]
                                      + consumer, rdb_type=19))  # fmt: skip
    group_loaded = loaded.groups[b"g"]
    assert group_loaded.consumers[b"c"].active_time == 99  # the seen time
    assert group_loaded.pending.get(5 << 64).delivery_time == 77  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("nodes", "tail"),
    [
        ([(6 << 64, ONE_ENTRY)], _meta(1, (5, 0), (5, 0), 1)),  # node key is not its first ID
        ([(5 << 64, ONE_ENTRY)], _meta(2, (5, 0), (5, 0), 2)),  # length
        ([(5 << 64, ONE_ENTRY)], _meta(1, (4, 0), (5, 0), 1)),  # last ID below an entry
        ([(5 << 64, ONE_ENTRY)], _meta(1, (5, 0), (4, 0), 1)),  # first ID
        ([(5 << 64, ONE_ENTRY)], _meta(1, (5, 0), (5, 0), 0)),  # entries added
        ([(5 << 64, ONE_ENTRY), (5 << 64, ONE_ENTRY)], _meta(2, (5, 0), (5, 0), 2)),  # twice
        (
            [(5 << 64, listpack.build([2, 0, 1, b"f", 0, 2, 0, 0, b"v", 4]))],
            _meta(1, (5, 0), (5, 0), 1),
        ),  # the live count
        (
            [(5 << 64, listpack.build([1, 0, 1, b"f", 0, 2, 0, 0, b"v"]))],
            _meta(1, (5, 0), (5, 0), 1),
        ),  # cut short
        ([(5 << 64, listpack.build([]))], _meta(0, (5, 0), (0, 0), 1)),  # empty listpack
        (
            [(5 << 64, listpack.build([1, 0, 1, b"f", 0, 2, 0, 0, b"v", 4, 9]))],
            _meta(1, (5, 0), (5, 0), 1),
        ),  # an element left over
        (
            [(5 << 64, listpack.build([1, 0, 1, b"f", 0, b"x", 0, 0, b"v", 4]))],
            _meta(1, (5, 0), (5, 0), 1),
        ),  # flags that are no integer
    ],
)
def test_stream_payloads_refused(nodes: list[tuple[int, bytes]], tail: bytes) -> None:
    payload = _stream_payload(nodes, tail)
    for deep in (False, True):
        with pytest.raises(RdbError):
            restored(payload, context(deep))


def test_stream_deep_checks() -> None:
    wrong_count = listpack.build([1, 0, 1, b"f", 0, 2, 0, 0, b"v", 9])  # lp-count
    nonzero_terminator = listpack.build([1, 0, 1, b"f", 7, 2, 0, 0, b"v", 4])
    for blob in (wrong_count, nonzero_terminator):
        payload = _stream_payload([(5 << 64, blob)], _meta(1, (5, 0), (5, 0), 1))
        assert restored(payload, context(deep=False)).length == 1
        with pytest.raises(RdbError):
            restored(payload, context(deep=True))


def _group_tail(pel: list[int], consumers: list[tuple[bytes, list[int]]]) -> bytes:
    out = b"\x01\x01g" + encode_length(5) + encode_length(0) + encode_length(1)
    out += encode_length(len(pel))
    for stream_id in pel:
        out += stream_id.to_bytes(16, "big") + (10).to_bytes(8, "little") + b"\x01"
    out += encode_length(len(consumers))
    for name, ids in consumers:
        out += encode_length(len(name)) + name + (1).to_bytes(8, "little") * 2
        out += encode_length(len(ids)) + b"".join(i.to_bytes(16, "big") for i in ids)
    return out


@pytest.mark.parametrize(
    ("pel", "consumers"),
    [
        ([5 << 64], []),  # a PEL entry nobody owns
        ([5 << 64], [(b"a", [5 << 64]), (b"b", [5 << 64])]),  # owned twice
        ([5 << 64], [(b"a", [5 << 64, 5 << 64])]),
        ([5 << 64, 5 << 64], [(b"a", [5 << 64])]),  # a duplicate in the group PEL
        ([], [(b"a", [5 << 64])]),  # a consumer entry not in the group PEL
        ([], [(b"a", []), (b"a", [])]),  # a duplicate consumer
    ],
)
def test_stream_group_payloads_refused(
    pel: list[int], consumers: list[tuple[bytes, list[int]]]
) -> None:
    tail = _meta(1, (5, 0), (5, 0), 1)[:-1] + _group_tail(pel, consumers)
    payload = _stream_payload([(5 << 64, ONE_ENTRY)], tail)
    with pytest.raises(RdbError):
        restored(payload)
    good = _stream_payload([(5 << 64, ONE_ENTRY)], _meta(1, (5, 0), (5, 0), 1)[:-1]
                           + _group_tail([5 << 64], [(b"a", [5 << 64])]))  # fmt: skip
    assert len(restored(good).groups[b"g"].pending) == 1


# -- the payload as a whole ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"\x08\x00",  # not an object type
        b"\x07\x00",  # a module value
        b"\x06\x00",  # a pre-release module value
        b"\x16\x00",  # past the last type
        b"\x00\x81\xff\xff\xff\xff\xff\xff\xff\xff",  # a string longer than the payload
    ],
)
def test_payloads_that_cannot_load(body: bytes) -> None:
    with pytest.raises(RdbError):
        restored(with_footer(body))


def test_a_body_may_read_into_the_footer_as_valkey_reads_it() -> None:
    # a string of 4 bytes whose last two are the footer's version (0b 00)
    value = restored(with_footer(b"\x00\x04ab"))
    assert value == b"ab\x0b\x00"


def test_every_value_type_has_a_codec() -> None:
    # (other tests register value types of their own: only the server's count)
    server_types = {kind for kind in TYPES if kind.__module__.startswith("minivalkey.")}
    assert server_types <= set(CODECS) == server_types | {bytes}


# -- corrupted payloads --------------------------------------------------------------------------


def _samples() -> list[bytes]:
    return [
        STRING_INT, STRING_LZF, HASH_LISTPACK, SET_INTSET, SET_LISTPACK, STREAM, STREAM_EMPTIED,
        rdb.dump(build("HSET k a 1 b " + "x" * 65 + " c 3")),
        rdb.dump(build("SADD k " + " ".join(f"m{n}" for n in range(40)))),
        rdb.dump(_busy_stream()),
        LIST_LISTPACK,
        LIST_PLAIN,
        LIST_FROM_ZIPLIST_FILL2,
        ZSET_LISTPACK,
        ZSET_SKIPLIST,
        packed(10, ziplist([b"a", 1, 2, 3, 4])),
        packed(13, ziplist([b"f", b"v", b"n", 5])),
        packed(9, zipmap([(b"f", b"v"), (b"g", b"w")])),
    ]  # fmt: skip


def _mutate(body: bytes, rng: random.Random) -> bytes:
    data = bytearray(body)
    for _ in range(rng.choice((1, 1, 2, 3))):
        roll = rng.random()
        position = rng.randrange(len(data)) if data else 0
        if roll < 0.5 and data:
            data[position] = rng.randrange(256)
        elif roll < 0.65 and data:
            data[position] ^= 1 << rng.randrange(8)
        elif roll < 0.8:
            del data[position : position + rng.randrange(1, 4)]
        elif roll < 0.9:
            data[position:position] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 4)))
        else:
            del data[position:]
    return bytes(data)


@pytest.mark.parametrize("seed", range(4))
def test_corrupted_payloads_load_or_raise_rdb_error(seed: int) -> None:
    """A payload corrupted anywhere (its CRC recomputed, so the body is read) is either
    refused with RdbError or loads into a consistent value: nothing else escapes."""
    rng = random.Random(seed)
    deep = context(deep=True)
    shallow = context(deep=False)
    loaded = refused = 0
    for sample in _samples():
        body = sample[:-10]
        for _ in range(150):
            payload = with_footer(_mutate(body, rng))
            for ctx in (shallow, deep):
                try:
                    value = rdb.load(payload, ctx)
                except RdbError:
                    refused += 1
                    continue
                loaded += 1
                assert type(value) in TYPES
                if type(value) is Stream:
                    check_stream(value)
                elif isinstance(value, (Hash, List)):
                    value.check_invariants()
                elif isinstance(value, (Set, ZSet)):
                    assert len(value) > 0
                if isinstance(value, ZSet):
                    assert all(score == score for score, _ in value)
                    assert list(value) == sorted(value)
                rdb.dump(value)  # whatever loaded can be written again
    assert loaded and refused


def test_binary_doubles_are_little_endian() -> None:
    writer = Writer()
    writer.binary_double(1.5)
    assert writer.out == struct.pack("<d", 1.5)
    assert Reader(bytes(writer.out)).binary_double() == 1.5
