"""The stream engine on its own: IDs, the node model, reads, deletion, trimming, SortedIds.

Expected numbers (node sizes and boundaries, trimming replies, radix-tree node counts)
were measured on Valkey 8.0.1 (XINFO STREAM, XTRIM replies) and are written out here.
"""

from __future__ import annotations

import random

import pytest

from minivalkey.commands.streamopts import parse_trim_options
from minivalkey.engine.idindex import SortedIds
from minivalkey.engine.stream import Stream
from minivalkey.engine.streamid import (
    MAX_ID,
    U64,
    format_id,
    id_bulk,
    make_id,
    parse_id,
    parse_id_with_auto,
    parse_ids,
    parse_range_end,
    parse_range_start,
)
from minivalkey.engine.streamnode import DELETED, SAMEFIELDS, _element_size
from minivalkey.errors import (
    INVALID_END_ID,
    INVALID_START_ID,
    INVALID_STREAM_ID,
    STREAM_EXHAUSTED,
    XADD_ID_NOT_GREATER,
    CommandError,
)

DEFAULT_ENTRIES = 100
DEFAULT_BYTES = 4096


def build(
    ids: list[int],
    pairs: list[bytes] | None = None,
    max_entries: int = DEFAULT_ENTRIES,
    max_bytes: int = DEFAULT_BYTES,
) -> Stream:
    stream = Stream()
    for stream_id in ids:
        stream.append(stream_id, pairs or [b"field", b"value"], max_entries, max_bytes)
    return stream


def thousand() -> Stream:
    """Entries ``i-0 field value`` for i = 1..1000: ten nodes of 100."""
    return build([make_id(i, 0) for i in range(1, 1001)])


def node_sizes(stream: Stream) -> list[int]:
    return [len(node) for node in stream.nodes]


def live_ids(stream: Stream) -> list[int]:
    return stream.range_ids(0, MAX_ID)[0]


def entry_bytes(stream_id: int, pairs: list[bytes]) -> bytes:
    """An entry's reply, ``*2`` [ID, fields], written out independently of the engine."""
    fields = b"".join(b"$%d\r\n%s\r\n" % (len(item), item) for item in pairs)
    return b"*2\r\n" + id_bulk(stream_id) + b"*%d\r\n" % len(pairs) + fields


# -- IDs --------------------------------------------------------------------------------


def test_id_packing_and_formatting() -> None:
    assert make_id(1, 2) == (1 << 64) | 2
    assert format_id(make_id(1795316132768, 0)) == b"1795316132768-0"
    assert format_id(MAX_ID) == b"18446744073709551615-18446744073709551615"
    assert id_bulk(MAX_ID) == b"$41\r\n18446744073709551615-18446744073709551615\r\n"
    assert id_bulk(make_id(1, 0)) == b"$3\r\n1-0\r\n"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"01-02", make_id(1, 2)),
        (b" 1-3", make_id(1, 3)),
        (b"\t+1-4", make_id(1, 4)),
        (b"1- 5", make_id(1, 5)),
        (b"1--0", make_id(1, 0)),
        (b"1- -1", make_id(1, U64)),
        (b"1--18446744073709551615", make_id(1, 1)),
        (b"1\x00zzz", make_id(1, 0)),
        (b"5", make_id(5, 0)),
        (b"18446744073709551615-18446744073709551615", MAX_ID),
        (b"1-" + b"0" * 125, make_id(1, 0)),  # 127 bytes is still accepted
        (b"\v\f\r\n7-8", make_id(7, 8)),
    ],
)
def test_parse_id_quirks(raw: bytes, expected: int) -> None:
    assert parse_id(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        b"1--5",
        b"1-+",
        b"1-1 ",
        b"1-0x5",
        b"18446744073709551616",
        b"1-18446744073709551616",
        b"1-",
        b"-1",
        b"1-2-3",
        b"",
        b"x",
        b"1-" + b"0" * 126,  # 128 bytes
        b"1- ",
        b"1-+-1",
        b"-",
        b"+",
        b"-\x00junk",
    ],
)
def test_parse_id_invalid(raw: bytes) -> None:
    with pytest.raises(CommandError) as caught:
        parse_id(raw)
    assert caught.value.text == INVALID_STREAM_ID


def test_parse_ids_agrees_with_parse_id_one_by_one() -> None:
    """XACK/XDEL's batch parser converts shared millisecond parts once: whatever the
    list, it answers what ``parse_id`` gives for each argument, or its first error."""
    pieces = [
        b"0",
        b"1",
        b"7",
        b"-",
        b" ",
        b"+",
        b"\x00",
        b"_",
        b"*",
        b"x",
        b"",
        b"18446744073709551615",
        b"18446744073709551616",
        b"0000000000000000000001",
    ]
    rng = random.Random(5)
    for _ in range(20000):
        args = [
            b"".join(rng.choice(pieces) for _ in range(rng.randrange(5)))
            for _ in range(rng.randrange(1, 5))
        ]
        try:
            expected: object = [parse_id(raw) for raw in args]
        except CommandError as error:
            expected = error.text
        try:
            got: object = parse_ids(args)
        except CommandError as error:
            got = error.text
        assert got == expected, args
    same_ms = [b"1700000000000-%d" % seq for seq in range(5)] + [b"1700000000001-0"]
    assert parse_ids(same_ms) == [make_id(1700000000000, seq) for seq in range(5)] + [
        make_id(1700000000001, 0)
    ]
    with pytest.raises(CommandError):
        parse_ids([b"5-1", b"-1"])  # an empty millisecond part after a valid ID


def test_parse_id_strictness_and_missing_seq() -> None:
    assert parse_id(b"-", strict=False) == 0
    assert parse_id(b"+", strict=False) == MAX_ID
    assert parse_id(b"7", missing_seq=U64, strict=False) == make_id(7, U64)
    assert parse_id_with_auto(b"5-*") == (make_id(5, 0), True)
    assert parse_id_with_auto(b"5-*\x00junk") == (make_id(5, 0), True)
    assert parse_id_with_auto(b"05-*") == (make_id(5, 0), True)
    assert parse_id_with_auto(b"5-3") == (make_id(5, 3), False)
    assert parse_id_with_auto(b"5") == (make_id(5, 0), False)
    with pytest.raises(CommandError):
        parse_id(b"5-*")  # only XADD's parser takes <ms>-*
    for bad in (b"*", b"5-**", b"-*", b"x-*", b"-", b"+", b"5-*" + b"\x00" * 125):
        with pytest.raises(CommandError) as caught:
            parse_id_with_auto(bad)
        assert caught.value.text == INVALID_STREAM_ID


def test_range_bounds() -> None:
    assert parse_range_start(b"-") == 0
    assert parse_range_start(b"5") == make_id(5, 0)
    assert parse_range_start(b"(1-0") == make_id(1, 1)
    assert parse_range_start(b"(1-18446744073709551615") == make_id(2, 0)
    assert parse_range_start(b"(18446744073709551615") == make_id(U64, 1)
    assert parse_range_end(b"+") == MAX_ID
    assert parse_range_end(b"5") == make_id(5, U64)
    assert parse_range_end(b"(2-0") == make_id(1, U64)
    assert parse_range_end(b"(0") == make_id(0, U64 - 1)
    assert parse_range_end(b"(2") == make_id(2, U64 - 1)
    with pytest.raises(CommandError, match=INVALID_START_ID):
        parse_range_start(b"(18446744073709551615-18446744073709551615")
    with pytest.raises(CommandError, match=INVALID_END_ID):
        parse_range_end(b"(0-0")
    for bad in (b"(-", b"(+", b"(", b"((1", b"(\x00"):
        with pytest.raises(CommandError, match=INVALID_STREAM_ID):
            parse_range_start(bad)
        with pytest.raises(CommandError, match=INVALID_STREAM_ID):
            parse_range_end(bad)
    # the 127-byte limit applies to what follows "("
    assert parse_range_start(b"(1-" + b"0" * 125) == make_id(1, 1)


# -- ID generation (XADD) -------------------------------------------------------------


def test_next_id_auto() -> None:
    stream = Stream()
    assert stream.next_id(1000, None, False) == make_id(1000, 0)
    stream.last_id = make_id(1000, 0)
    assert stream.next_id(1000, None, False) == make_id(1000, 1)
    assert stream.next_id(999, None, False) == make_id(1000, 1)  # the clock went back
    assert stream.next_id(1001, None, False) == make_id(1001, 0)
    stream.last_id = make_id(99999999999999, 5)
    assert stream.next_id(1000, None, False) == make_id(99999999999999, 6)
    stream.last_id = make_id(5, U64)
    assert stream.next_id(1000, None, False) == make_id(1000, 0)
    assert stream.next_id(3, None, False) == make_id(6, 0)  # the carry moves into ms


def test_next_id_auto_sequence() -> None:
    stream = Stream()
    assert stream.next_id(7, make_id(0, 0), True) == make_id(0, 1)  # 0-* on a new stream
    stream.last_id = make_id(5, 5)
    assert stream.next_id(7, make_id(5, 0), True) == make_id(5, 6)
    assert stream.next_id(7, make_id(6, 0), True) == make_id(6, 0)
    with pytest.raises(CommandError, match=XADD_ID_NOT_GREATER):
        stream.next_id(7, make_id(4, 0), True)
    stream.last_id = make_id(5, U64)
    with pytest.raises(CommandError, match=XADD_ID_NOT_GREATER):
        stream.next_id(7, make_id(5, 0), True)
    stream.last_id = make_id(U64, U64 - 1)
    assert stream.next_id(7, make_id(U64, 0), True) == MAX_ID


def test_next_id_explicit_and_exhausted() -> None:
    stream = Stream()
    stream.last_id = make_id(5, 5)
    assert stream.next_id(0, make_id(5, 6), False) == make_id(5, 6)
    for too_small in (make_id(5, 5), make_id(5, 4), make_id(1, 0)):
        with pytest.raises(CommandError, match=XADD_ID_NOT_GREATER):
            stream.next_id(0, too_small, False)
    stream.last_id = MAX_ID
    for requested, auto in ((None, False), (make_id(U64, 0), True), (MAX_ID, False)):
        with pytest.raises(CommandError) as caught:
            stream.next_id(0, requested, auto)
        assert caught.value.text == STREAM_EXHAUSTED


def test_append_keeps_metadata() -> None:
    stream = Stream()
    assert stream.append(make_id(3, 4), [b"f", b"v"], 100, 4096) == b"3-4"
    assert (stream.length, stream.entries_added, stream.last_id, stream.first_id) == (
        1,
        1,
        make_id(3, 4),
        make_id(3, 4),
    )
    stream.append(make_id(3, 5), [b"f", b"v"], 100, 4096)
    assert (stream.length, stream.entries_added, stream.last_id, stream.first_id) == (
        2,
        2,
        make_id(3, 5),
        make_id(3, 4),
    )


# -- the node model ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "size"),
    [
        (b"0", 2),
        (b"123", 2),
        (b"127", 2),
        (b"128", 3),
        (b"-1", 3),
        (b"-4096", 3),
        (b"4095", 3),
        (b"4096", 4),
        (b"-4097", 4),
        (b"32767", 4),
        (b"32768", 5),
        (b"8388607", 5),
        (b"8388608", 6),
        (b"2147483647", 6),
        (b"2147483648", 10),
        (b"9223372036854775807", 10),
        (b"-9223372036854775808", 10),
        (b"9223372036854775808", 21),  # past int64: a 19-byte string
        (b"01", 4),
        (b"-0", 4),
        (b"+1", 4),
        (b" 1", 4),
        (b"1a", 4),
        (b"", 2),
        (b"x" * 63, 65),
        (b"x" * 64, 67),
        (b"x" * 125, 128),
        (b"x" * 126, 130),  # the back-length needs a second byte from 128 on
        (b"x" * 4095, 4099),
        (b"x" * 4096, 4103),
    ],
)
def test_element_sizes(raw: bytes, size: int) -> None:
    assert _element_size(raw) == size


def test_single_entry_node_size() -> None:
    stream = build([make_id(1, 1)], [b"f", b"v"])
    assert stream.nodes[0].size == 29


@pytest.mark.parametrize(("raw", "nodes"), [(4066, 1), (4067, 2)])
@pytest.mark.parametrize("field", [b"f", b"g"])
def test_byte_boundary(raw: int, nodes: int, field: bytes) -> None:
    """A 29-byte tail takes an entry of 4066 raw bytes (sum 4095), not one of 4067."""
    stream = build([make_id(1, 1)], [b"f", b"v"])
    stream.append(make_id(1, 2), [field, b"x" * (raw - 1)], 100, 4096)
    assert len(stream.keys) == nodes


def test_worked_example_large_values() -> None:
    stream = build([make_id(i, 0) for i in range(1, 101)], [b"f", b"x" * 100])
    assert node_sizes(stream) == [36, 36, 28]
    assert [node.size for node in stream.nodes] == [4014, 4014, 3126]
    assert stream.radix_tree_nodes() == 8


def test_small_entries_fill_nodes_of_max_entries() -> None:
    stream = build([make_id(i, 0) for i in range(1, 251)])
    assert node_sizes(stream) == [100, 100, 50]
    assert stream.keys == [make_id(1, 0), make_id(101, 0), make_id(201, 0)]
    assert node_sizes(build([make_id(i, 0) for i in range(1, 8)], max_entries=3)) == [3, 3, 1]
    assert node_sizes(build([make_id(i, 0) for i in range(1, 8)], max_entries=1)) == [1] * 7
    # no entry limit: only the byte limit (small entries, 4096 bytes)
    unlimited = build([make_id(i, 0) for i in range(1, 1001)], max_entries=0)
    assert node_sizes(unlimited) == [262, 262, 262, 214]
    assert unlimited.radix_tree_nodes() == 10
    assert node_sizes(
        build([make_id(i, 0) for i in range(1, 1001)], max_entries=0, max_bytes=0)
    ) == [1000]


def test_tombstones_count_toward_max_entries() -> None:
    stream = build([make_id(i, 0) for i in range(1, 101)])
    stream.delete_ids([make_id(i, 0) for i in range(2, 100)])
    stream.append(make_id(101, 0), [b"field", b"value"], 100, 4096)
    assert node_sizes(stream) == [100, 1]
    assert stream.nodes[0].count == 2 and stream.nodes[0].deleted == 98


def test_config_is_read_at_append_time() -> None:
    stream = build([make_id(i, 0) for i in range(1, 6)], max_entries=2)
    for i in range(6, 11):
        stream.append(make_id(i, 0), [b"field", b"value"], 4, 4096)
    assert node_sizes(stream) == [2, 2, 4, 2]


def test_samefields_flags() -> None:
    stream = Stream()
    stream.append(make_id(1, 0), [b"a", b"1", b"b", b"2"], 100, 4096)
    stream.append(make_id(2, 0), [b"a", b"x", b"b", b"y"], 100, 4096)
    stream.append(make_id(3, 0), [b"b", b"x", b"a", b"y"], 100, 4096)
    stream.append(make_id(4, 0), [b"a", b"x"], 100, 4096)
    stream.append(make_id(5, 0), [b"a", b"x", b"b", b"y", b"c", b"z"], 100, 4096)
    node = stream.nodes[0]
    assert list(node.flags) == [SAMEFIELDS, SAMEFIELDS, 0, 0, 0]
    assert node.master_fields == [b"a", b"b"]
    # the master entry's names are not repeated by SAMEFIELDS entries
    same = Stream()
    same.append(make_id(1, 0), [b"a", b"1", b"b", b"2"], 100, 4096)
    before = same.nodes[0].size
    same.append(make_id(2, 0), [b"a", b"1", b"b", b"2"], 100, 4096)
    other = Stream()
    other.append(make_id(1, 0), [b"a", b"1", b"b", b"2"], 100, 4096)
    other.append(make_id(2, 0), [b"b", b"1", b"a", b"2"], 100, 4096)
    # flags, two deltas, two values, lp-count vs. the same plus a field count and two names
    assert same.nodes[0].size - before == 2 + 2 + 2 + 2 + 2 + 2
    assert other.nodes[0].size - before == 2 + 2 + 2 + 2 + 3 + 2 + 3 + 2 + 2


def test_negative_sequence_delta() -> None:
    stream = build([make_id(5, 10)], [b"f", b"v"])
    before = stream.nodes[0].size
    stream.append(make_id(6, 0), [b"f", b"v"], 100, 4096)
    # flags 2, ms delta 1 -> 2, seq delta -10 -> 3, value 3, lp-count 2
    assert stream.nodes[0].size - before == 12


def test_integer_like_values_are_smaller() -> None:
    as_int = build([make_id(1, 0)], [b"f", b"9223372036854775807"])
    as_str = build([make_id(1, 0)], [b"f", b"9223372036854775808"])
    assert as_str.nodes[0].size - as_int.nodes[0].size == 21 - 10


def test_entry_bytes_are_stored_encoded() -> None:
    stream = build([make_id(1, 0)], [b"f", b"", b"g", b"\r\n"])
    node = stream.nodes[0]
    expected = b"*2\r\n$3\r\n1-0\r\n*4\r\n$1\r\nf\r\n$0\r\n\r\n$1\r\ng\r\n$2\r\n\r\n\r\n"
    assert node.entry_at(0) == expected
    assert entry_bytes(make_id(1, 0), [b"f", b"", b"g", b"\r\n"]) == expected
    assert stream.get(make_id(1, 0)) == expected
    assert stream.get(make_id(1, 1)) is None
    assert stream.contains(make_id(1, 0)) and not stream.contains(make_id(1, 1))
    long_value = b"v" * 300  # bulk lengths past the precomputed headers
    stream.append(make_id(2, 0), [b"f", long_value], 100, 4096)
    assert stream.get(make_id(2, 0)) == (
        b"*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nf\r\n$300\r\n" + long_value + b"\r\n"
    )
    stream.delete_ids([make_id(1, 0)])
    assert stream.get(make_id(1, 0)) is None and not stream.contains(make_id(1, 0))
    assert Stream().get(make_id(1, 0)) is None and not Stream().contains(0)


def test_master_entry_is_the_first_stored_one() -> None:
    """The ID deltas of the size model are taken from each node's first stored entry,
    which stays even when deleted; ``keys`` holds the same IDs."""
    stream = build([make_id(i, 0) for i in range(1, 8)], max_entries=3)
    stream.delete_ids([make_id(4, 0)])
    assert stream.keys == [make_id(1, 0), make_id(4, 0), make_id(7, 0)]
    assert [node.id_at(0) for node in stream.nodes] == stream.keys
    assert [node.deleted for node in stream.nodes] == [0, 1, 0]


# -- reading -------------------------------------------------------------------------------


def test_ranges() -> None:
    stream = build([make_id(i, j) for i in range(1, 4) for j in range(3)], max_entries=4)
    ids = live_ids(stream)
    assert len(ids) == 9 and ids == sorted(ids)
    assert stream.range_ids(make_id(2, 0), make_id(2, U64))[0] == ids[3:6]
    assert stream.range_ids(make_id(2, 1), MAX_ID, 2) == (
        ids[4:6],
        b"*2\r\n"
        + entry_bytes(ids[4], [b"field", b"value"])
        + entry_bytes(ids[5], [b"field", b"value"]),
    )
    reverse = b"".join(entry_bytes(i, [b"field", b"value"]) for i in ids[4:1:-1])
    assert stream.range_array(0, make_id(2, 1), 3, reverse=True) == (3, b"*3\r\n" + reverse)
    assert stream.range_ids(make_id(3, 0), make_id(2, 0)) == ([], b"*0\r\n")
    assert stream.range_array(make_id(3, 0), make_id(2, 0), reverse=True) == (0, b"*0\r\n")
    assert stream.first_entry() == entry_bytes(ids[0], [b"field", b"value"])
    assert stream.last_entry() == entry_bytes(ids[-1], [b"field", b"value"])
    assert Stream().first_entry() is None and Stream().last_entry() is None
    stream.delete_ids([ids[0], ids[-1]])
    assert stream.first_entry() == stream.get(ids[1])
    assert stream.last_entry() == stream.get(ids[-2])


def test_range_array_shapes() -> None:
    stream = Stream()
    stream.append(make_id(1, 0), [b"f", b"1-0", b"g", b"x"], 100, 4096)
    stream.append(make_id(1, 1), [b"f", b"1-1", b"g", b"x"], 100, 4096)
    assert stream.range_array(0, MAX_ID, 2) == (
        2,
        b"*2\r\n*2\r\n$3\r\n1-0\r\n*4\r\n$1\r\nf\r\n$3\r\n1-0\r\n$1\r\ng\r\n$1\r\nx\r\n"
        b"*2\r\n$3\r\n1-1\r\n*4\r\n$1\r\nf\r\n$3\r\n1-1\r\n$1\r\ng\r\n$1\r\nx\r\n",
    )
    assert stream.range_array(0, MAX_ID, 1, reverse=True) == (
        1,
        b"*1\r\n*2\r\n$3\r\n1-1\r\n*4\r\n$1\r\nf\r\n$3\r\n1-1\r\n$1\r\ng\r\n$1\r\nx\r\n",
    )
    assert stream.range_array(make_id(2, 0), MAX_ID) == (0, b"*0\r\n")
    assert stream.range_array(MAX_ID, 0) == (0, b"*0\r\n")
    assert Stream().range_array(0, MAX_ID) == (0, b"*0\r\n")


def test_range_array_matches_a_plain_model() -> None:
    """Random appends, deletions and trims; every read equals a filter over a list."""
    rng = random.Random(20240501)
    for round_ in range(40):
        max_entries = rng.choice([0, 1, 3, 7, 100])
        stream = Stream()
        model: list[int] = []
        ms = 0
        for _ in range(rng.randint(0, 300)):
            ms += rng.choice([0, 1, 5])
            new = stream.next_id(ms, None, False)
            stream.append(new, [b"f", b"%d" % new], max_entries, rng.choice([0, 200, 4096]))
            model.append(new)
            if model and rng.random() < 0.2:
                victim = rng.choice(model)
                stream.delete_ids([victim])
                model.remove(victim)
        if model and round_ % 4 == 0:
            stream.trim(maxlen=len(model) // 2)
            model = model[len(model) - len(model) // 2 :]
        assert live_ids(stream) == model
        assert stream.length == len(model)
        for _ in range(30):
            low = rng.choice([0, *model, rng.randint(0, ms + 2) << 64])
            high = rng.choice([MAX_ID, *model, rng.randint(0, ms + 2) << 64])
            count = rng.choice([0, 1, 2, 5, 1000])
            expected = [i for i in model if low <= i <= high]
            forward = expected[:count] if count else expected
            backward = expected[::-1][:count] if count else expected[::-1]
            entries = b"".join(entry_bytes(i, [b"f", b"%d" % i]) for i in forward)
            assert stream.range_array(low, high, count) == (
                len(forward),
                b"*%d\r\n" % len(forward) + entries,
            )
            reverse_entries = b"".join(entry_bytes(i, [b"f", b"%d" % i]) for i in backward)
            assert stream.range_array(low, high, count, reverse=True) == (
                len(backward),
                b"*%d\r\n" % len(backward) + reverse_entries,
            )
            assert stream.range_ids(low, high, count) == (
                forward,
                b"*%d\r\n" % len(forward) + entries,
            )
        assert stream.first_id == (model[0] if model else 0)
        assert stream.last_live_id() == (model[-1] if model else 0)
        assert stream.first_live_id() == (model[0] if model else 0)


# -- deleting -------------------------------------------------------------------------------


def test_delete_marks_tombstones_and_keeps_metadata() -> None:
    stream = thousand()
    assert stream.delete_ids([make_id(5, 0), make_id(5, 0), make_id(2000, 0)]) == 1
    node = stream.nodes[0]
    assert node.flags[4] & DELETED and (node.count, node.deleted) == (99, 1)
    assert stream.length == 999
    assert stream.max_deleted_id == make_id(5, 0)
    assert stream.first_id == make_id(1, 0)
    assert stream.last_id == make_id(1000, 0)
    assert stream.delete_ids([make_id(1, 0)]) == 1
    assert stream.first_id == make_id(2, 0)
    assert stream.max_deleted_id == make_id(5, 0)  # the largest ever deleted
    assert stream.delete_ids([make_id(1, 0)]) == 0  # already a tombstone


def test_delete_size_changes_with_counters() -> None:
    """count and deleted are re-encoded: crossing 127 costs a byte."""
    stream = build([make_id(i, 0) for i in range(1, 201)], max_entries=200, max_bytes=0)
    node = stream.nodes[0]
    before = node.size
    stream.delete_ids([make_id(1, 0)])  # count 200 -> 199 (same size), deleted 0 -> 1
    assert node.size == before
    stream.delete_ids([make_id(i, 0) for i in range(2, 74)])  # count 199 -> 127
    assert node.size == before - 1


def test_delete_of_last_live_entry_removes_the_node() -> None:
    stream = thousand()
    stream.delete_ids([make_id(i, 0) for i in range(101, 200)])
    assert len(stream.keys) == 10 and stream.nodes[1].deleted == 99
    stream.delete_ids([make_id(200, 0)])
    assert len(stream.keys) == 9
    assert make_id(101, 0) not in stream.keys
    assert stream.length == 900
    stream.delete_ids([make_id(i, 0) for i in range(1, 1001)])
    assert (stream.length, len(stream.keys), stream.radix_tree_nodes()) == (0, 0, 1)
    assert stream.first_id == 0
    assert stream.last_id == make_id(1000, 0)
    assert stream.max_deleted_id == make_id(1000, 0)


# -- trimming ------------------------------------------------------------------------------------

TRIM_TABLE = [
    # maxlen, minid, approx, limit, removed, length after
    (555, None, True, 10000, 400, 600),
    (555, None, False, 0, 445, 555),
    (555, None, True, 250, 200, 800),
    (555, None, True, 0, 400, 600),
    (555, None, True, 99, 0, 1000),
    (900, None, True, 10000, 100, 900),
    (899, None, True, 10000, 100, 900),
    (901, None, True, 10000, 0, 1000),
    (1000, None, True, 10000, 0, 1000),
    (0, None, True, 10000, 1000, 0),
    (0, None, False, 0, 1000, 0),
    (None, 555, True, 10000, 500, 500),
    (None, 555, False, 0, 554, 446),
    (None, 555, True, 100, 100, 900),
]


@pytest.mark.parametrize(("maxlen", "minid", "approx", "limit", "removed", "after"), TRIM_TABLE)
def test_trimming_table(
    maxlen: int | None, minid: int | None, approx: bool, limit: int, removed: int, after: int
) -> None:
    stream = thousand()
    threshold = make_id(minid, 0) if minid is not None else None
    assert stream.trim(maxlen, threshold, approx, limit) == removed
    assert stream.length == after
    ids = live_ids(stream)
    assert len(ids) == after
    assert ids == [make_id(i, 0) for i in range(1001 - after, 1001)]
    assert stream.first_id == (ids[0] if ids else 0)
    assert stream.last_id == make_id(1000, 0)
    assert stream.max_deleted_id == 0  # trimming is not deletion


def test_default_limit_caps_approximate_trimming() -> None:
    stream = build([make_id(i, 0) for i in range(1, 20001)])
    options = parse_trim_options([b"XTRIM", b"s", b"MAXLEN", b"~", b"0"], False, 100)
    assert (options.maxlen, options.approx, options.limit) == (0, True, 10000)
    assert options.trim(stream) == 10000
    assert stream.length == 10000


@pytest.mark.parametrize(
    ("node_max_entries", "limit"),
    [(100, 10000), (3, 300), (0, 10000), (-5, 10000), (20000, 1000000)],
)
def test_default_limit_bounds(node_max_entries: int, limit: int) -> None:
    options = parse_trim_options([b"XTRIM", b"s", b"MINID", b"~", b"5"], False, node_max_entries)
    assert options.limit == limit
    exact = parse_trim_options([b"XTRIM", b"s", b"MINID", b"5"], False, node_max_entries)
    assert exact.limit == 0
    explicit = parse_trim_options(
        [b"XTRIM", b"s", b"MAXLEN", b"~", b"5", b"LIMIT", b"0"], False, node_max_entries
    )
    assert explicit.limit == 0


def test_minid_tombstone_quirk() -> None:
    """Exact MINID can leave a node with no live entry, which stays in the tree."""
    stream = thousand()
    stream.delete_ids([make_id(100, 0)])
    assert stream.trim(minid=make_id(100, 0)) == 99
    assert (stream.length, len(stream.keys)) == (900, 10)
    assert stream.nodes[0].count == 0 and stream.nodes[0].deleted == 100
    assert stream.first_id == make_id(101, 0)
    assert live_ids(stream)[0] == make_id(101, 0)
    # a later trim removes the empty node
    assert stream.trim(maxlen=900) == 0
    assert len(stream.keys) == 10
    assert stream.trim(minid=make_id(100, 0)) == 0
    assert stream.trim(maxlen=899) == 1
    assert len(stream.keys) == 9

    other = thousand()
    other.delete_ids([make_id(100, 0)])
    assert other.trim(minid=make_id(101, 0)) == 99
    assert (other.length, len(other.keys)) == (900, 9)


def test_exact_trim_only_touches_the_first_node() -> None:
    stream = thousand()
    stream.delete_ids([make_id(i, 0) for i in range(1, 51)])
    assert stream.trim(maxlen=890) == 60  # 50 live left in node 1, then 10 from node 2
    assert stream.length == 890
    assert stream.keys[0] == stream.nodes[0].id_at(0) == make_id(101, 0)
    assert stream.nodes[0].deleted == 10
    assert stream.trim(minid=make_id(150, 0)) == 39
    assert live_ids(stream)[0] == make_id(150, 0)


def test_trim_removes_the_appended_entry_too() -> None:
    stream = build([make_id(1, 0)])
    assert stream.trim(maxlen=0) == 1
    assert (stream.length, stream.first_id, stream.last_id, len(stream.keys)) == (
        0,
        0,
        make_id(1, 0),
        0,
    )


# -- radix-tree-nodes ----------------------------------------------------------------------------

BASE_MS = 1700000000000


@pytest.mark.parametrize(
    ("scheme", "entries", "keys", "nodes"),
    [
        ("same-ms", 1, 1, 2),
        ("same-ms", 100, 1, 2),
        ("same-ms", 1000, 10, 16),
        ("same-ms", 10000, 100, 141),
        ("ms", 10, 1, 2),
        ("ms", 1000, 10, 26),
        ("ms", 10000, 100, 241),
        ("small-ms", 100, 1, 2),
        ("small-ms", 101, 2, 6),
        ("small-ms", 1000, 10, 26),
        ("small-ms", 10000, 100, 241),
        ("seq", 101, 2, 4),
        ("seq", 1000, 10, 16),
        ("seq", 10000, 100, 141),
    ],
)
def test_radix_tree_nodes(scheme: str, entries: int, keys: int, nodes: int) -> None:
    make = {
        "same-ms": lambda i: make_id(BASE_MS, i),
        "ms": lambda i: make_id(BASE_MS + i, 0),
        "small-ms": lambda i: make_id(i + 1, 0),
        "seq": lambda i: make_id(0, i + 1),
    }[scheme]
    stream = build([make(i) for i in range(entries)])
    assert len(stream.keys) == keys
    assert stream.radix_tree_nodes() == nodes


def test_radix_tree_nodes_empty() -> None:
    assert Stream().radix_tree_nodes() == 1


# -- copying -----------------------------------------------------------------------------------


def test_copy_keeps_layout_and_is_independent() -> None:
    stream = thousand()
    stream.delete_ids([make_id(5, 0)])
    stream.trim(minid=make_id(3, 0))
    clone = stream.copy()
    assert clone.keys == stream.keys and clone.keys is not stream.keys
    assert [n.size for n in clone.nodes] == [n.size for n in stream.nodes]
    assert [bytes(n.flags) for n in clone.nodes] == [bytes(n.flags) for n in stream.nodes]
    assert clone.radix_tree_nodes() == stream.radix_tree_nodes()
    fields = (clone.length, clone.last_id, clone.first_id, clone.max_deleted_id)
    assert fields == (stream.length, stream.last_id, stream.first_id, stream.max_deleted_id)
    assert clone.entries_added == stream.entries_added == 1000
    assert clone.range_array(0, MAX_ID) == stream.range_array(0, MAX_ID)
    clone.append(make_id(2000, 0), [b"f", b"v"], 100, 4096)
    clone.delete_ids([make_id(10, 0)])
    clone.trim(maxlen=10)
    assert stream.length == 997 and clone.length == 10
    assert stream.get(make_id(10, 0)) is not None
    assert stream.last_id == make_id(1000, 0)
    assert len(stream.keys) == 10


# -- SortedIds -----------------------------------------------------------------------------------


def test_sorted_ids_against_a_set() -> None:
    rng = random.Random(7)
    ids = SortedIds()
    model: set[int] = set()
    for _ in range(6000):
        value = rng.randrange(3000)
        if rng.random() < 0.6:
            if value not in model:
                ids.add(value)
                model.add(value)
        else:
            assert ids.discard(value) == (value in model)
            model.discard(value)
    ordered = sorted(model)
    assert list(ids) == ordered
    assert len(ids) == len(model) and bool(ids) == bool(model)
    assert ids.first() == ordered[0] and ids.last() == ordered[-1]
    for _ in range(200):
        low, high = sorted((rng.randrange(3100), rng.randrange(3100)))
        assert list(ids.irange(low, high)) == [v for v in ordered if low <= v <= high]
    assert list(ids.irange(10, 5)) == []


def test_sorted_ids_discard_all() -> None:
    ids = SortedIds(range(1000))
    ids.discard_all([0, 1, 2])  # the oldest, in order: one slice
    assert ids.first() == 3 and len(ids) == 997
    ids.discard_all([500, 4, 999])  # anywhere, any order
    assert list(ids) == [v for v in range(3, 999) if v not in (4, 500)]
    assert ids.last() == 998 and len(ids) == 994
    ids.discard_all(list(range(3, 256)))  # empties the first chunk exactly
    assert ids.first() == 256 and list(ids)[:2] == [256, 257]
    ids.discard_all(list(ids))
    assert len(ids) == 0 and ids.first() is None


def test_sorted_ids_chunks_split_and_vanish() -> None:
    ids = SortedIds(range(0, 2000, 2))
    assert list(ids) == list(range(0, 2000, 2))
    for value in range(1, 2000, 2):
        ids.add(value)
    assert list(ids) == list(range(2000))
    for value in range(2000):
        assert ids.discard(value)
    assert len(ids) == 0 and not ids and list(ids) == []
    assert ids.first() is None and ids.last() is None
    assert not ids.discard(5)
    assert list(ids.irange(0, 10)) == []


def test_sorted_ids_iteration_survives_changes() -> None:
    ids = SortedIds(range(1000))
    seen = []
    for value in ids.irange(0, 999):
        seen.append(value)
        ids.discard(value)  # removing what was just yielded
        if value == 500:
            ids.add(10_000)
    assert seen == list(range(1000))
    assert list(ids) == [10_000]


def test_sorted_ids_copy_is_independent() -> None:
    ids = SortedIds([3, 1, 2])
    clone = ids.copy()
    clone.add(4)
    ids.discard(1)
    assert list(ids) == [2, 3] and list(clone) == [1, 2, 3, 4]


def test_sorted_ids_extend_sorted_appends_in_chunks() -> None:
    ids = SortedIds()
    ids.extend_sorted([])
    assert len(ids) == 0 and ids.last() is None
    ids.extend_sorted(list(range(100)))
    ids.extend_sorted(list(range(100, 700)))  # fills the last chunk, then new ones
    assert list(ids) == list(range(700)) and len(ids) == 700
    assert (ids.first(), ids.last()) == (0, 699)
    assert list(ids.irange(250, 260)) == list(range(250, 261))
    ids.add(1000)
    assert ids.discard(255) and not ids.discard(255)
    ids.extend_sorted([1001, 1002])
    expected = [*range(255), *range(256, 700), 1000, 1001, 1002]
    assert list(ids) == expected and len(ids) == len(expected)
    # the chunk invariants hold: non-empty, sorted, bounded, maxima in step
    assert all(0 < len(chunk) <= 2 * 256 for chunk in ids._chunks)
    assert ids._maxes == [chunk[-1] for chunk in ids._chunks]
    source = [2000, 2001]
    ids.extend_sorted(source)
    source.append(5)  # the set keeps its own copy
    assert ids.last() == 2001


@pytest.mark.parametrize(
    "args",
    [
        [b"1-1", b"2-2", b"18446744073709551615-18446744073709551615"],
        [b"1-1", b"18446744073709551616-0"],  # past 2**64 - 1: the first error wins
        [b"1-1", b"2"],  # a bare ms is not the usual form
        [b"1-1 2-2", b"3-3"],  # one argument with a space is one (invalid) ID
        [b"1-1", b"0" * 100 + b"1-1"],  # zero-padded, still valid
        [b"1-1", b"0" * 130 + b"1-1"],  # too long for an ID argument
        [b"5-5", b"-", b"+"],
        [b"007-008", b"1-1"],
    ],
)
def test_parse_ids_answers_what_parse_id_answers(args: list[bytes]) -> None:
    from minivalkey.engine.streamid import parse_ids

    def one_by_one() -> list[int] | str:
        try:
            return [parse_id(raw, 0, strict=True) for raw in args]
        except CommandError as error:
            return error.text

    try:
        batch: list[int] | str = parse_ids(args)
    except CommandError as error:
        batch = error.text
    assert batch == one_by_one()
