"""XINFO STREAM [FULL [COUNT n]], GROUPS, CONSUMERS and HELP over real sockets.

Replies are byte-exact in RESP2 and RESP3 and were checked against Valkey 8.0.1
(times aside: here a ManualClock makes them exact). The node numbers come from the
stream's node layout: ``radix-tree-keys`` counts nodes, ``radix-tree-nodes`` is the
size of Valkey's radix tree over the nodes' master IDs, both observed after XADD,
XDEL, XTRIM and COPY. The lag cases replay the verified sequences of the spec.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import redis
from helpers import RawClient, encode_command

from minivalkey import ManualClock, Server

START_MS = 1_700_000_000_000
NULL = {2: b"$-1\r\n", 3: b"_\r\n"}
WRONGTYPE = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
NO_SUCH_KEY = b"-ERR no such key\r\n"
NOT_INTEGER = b"-ERR value is not an integer or out of range\r\n"


def syntax_error(name: str) -> bytes:
    return (
        b"-ERR unknown subcommand or wrong number of arguments for '%s'. Try XINFO HELP.\r\n"
        % name.encode()
    )


def bulk(data: bytes | str) -> bytes:
    raw = data.encode() if isinstance(data, str) else data
    return b"$%d\r\n%s\r\n" % (len(raw), raw)


def entry(stream_id: str, *pairs: str) -> bytes:
    """One entry as XRANGE answers it: ``*2`` [ID, flat field/value array]."""
    return b"*2\r\n" + bulk(stream_id) + b"*%d\r\n" % len(pairs) + b"".join(map(bulk, pairs))


def header(protocol: int, pairs: int) -> bytes:
    """A map header: RESP3 map, or the flat RESP2 array holding its keys and values."""
    return b"%%%d\r\n" % pairs if protocol == 3 else b"*%d\r\n" % (2 * pairs)


def field(name: str, value: bytes) -> bytes:
    return bulk(name) + value


def integer(value: int) -> bytes:
    return b":%d\r\n" % value


def pipeline(client: RawClient, commands: list[tuple[str | bytes, ...]]) -> list[bytes]:
    """Send commands in chunks, read every reply (fast set-up of large streams)."""
    replies = []
    for first in range(0, len(commands), 500):
        chunk = commands[first : first + 500]
        client.send(b"".join(encode_command(*command) for command in chunk))
        replies.extend(client.read_reply() for _ in chunk)
    return replies


def fill(
    client: RawClient, key: str, ids: list[str], pairs: tuple[str, ...] = ("field", "value")
) -> None:
    replies = pipeline(client, [("XADD", key, stream_id, *pairs) for stream_id in ids])
    assert replies == [bulk(stream_id) for stream_id in ids]


def stream_numbers(client: RawClient, key: str) -> dict[str, bytes]:
    """The scalar fields of XINFO STREAM (RESP2), as their raw reply bytes."""
    reply = client.command("XINFO", "STREAM", key)
    assert reply.startswith(b"*20\r\n")
    values: dict[str, bytes] = {}
    rest = reply[5:]
    for _ in range(8):  # the fields before first-entry are bulk names and scalars
        length, _, rest = rest[1:].partition(b"\r\n")
        name, rest = rest[: int(length)], rest[int(length) + 2 :]
        value, _, rest = rest.partition(b"\r\n")
        if value.startswith(b"$"):
            text_length = int(value[1:])
            value, rest = rest[:text_length], rest[text_length + 2 :]
        else:
            value = value[1:]
        values[name.decode()] = value
    return values


@pytest.fixture
def rawp(raw: RawClient, protocol: int) -> RawClient:
    """The ``raw`` client speaking RESP2 or RESP3."""
    if protocol == 3:
        assert raw.command("HELLO", "3").startswith(b"%")
    return raw


@pytest.fixture
def clocked(
    make_server: Callable[..., Server], protocol: int
) -> Iterator[tuple[RawClient, ManualClock]]:
    """A client of a server whose clock stands at START_MS until the test moves it."""
    clock = ManualClock(START_MS)
    server = make_server(clock=clock)
    with RawClient(server.port) as client:
        if protocol == 3:
            assert client.command("HELLO", "3").startswith(b"%")
        yield client, clock


# -- HELP and errors ------------------------------------------------------------------------

HELP = (
    b"*9\r\n"
    b"+XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
    b"+CONSUMERS <key> <groupname>\r\n"
    b"+    List the consumers of <groupname> with their pending entries and idle times.\r\n"
    b"+GROUPS <key>\r\n"
    b"+    List the consumer groups of the stream.\r\n"
    b"+STREAM <key> [FULL [COUNT <count>]\r\n"
    b"+    Describe the stream; FULL adds its entries, groups and pending entries.\r\n"
    b"+HELP\r\n"
    b"+    Print this help.\r\n"
)


def test_help(rawp: RawClient) -> None:
    assert rawp.command("XINFO", "HELP") == HELP
    assert rawp.command("xinfo", "Help") == HELP.replace(b"+XINFO <sub", b"+XINFO <sub")
    # The syntax lines are Valkey's, the unbalanced bracket included.
    syntax = [line for line in HELP.split(b"\r\n")[1:] if line and not line.startswith(b"+ ")]
    assert syntax == [
        b"+XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        b"+CONSUMERS <key> <groupname>",
        b"+GROUPS <key>",
        b"+STREAM <key> [FULL [COUNT <count>]",
        b"+HELP",
    ]
    assert rawp.command("XINFO", "HELP", "x") == (
        b"-ERR wrong number of arguments for 'xinfo|help' command\r\n"
    )


def test_container_errors(rawp: RawClient) -> None:
    assert rawp.command("XINFO") == b"-ERR wrong number of arguments for 'xinfo' command\r\n"
    assert (
        rawp.command("XINFO", "FOO", "s") == b"-ERR unknown subcommand 'FOO'. Try XINFO HELP.\r\n"
    )
    assert rawp.command("xinfo", "foo") == b"-ERR unknown subcommand 'foo'. Try XINFO HELP.\r\n"
    assert rawp.command("XINFO", "STREAM") == (
        b"-ERR wrong number of arguments for 'xinfo|stream' command\r\n"
    )
    assert rawp.command("XINFO", "GROUPS", "s", "x") == (
        b"-ERR wrong number of arguments for 'xinfo|groups' command\r\n"
    )
    assert rawp.command("XINFO", "CONSUMERS", "s") == (
        b"-ERR wrong number of arguments for 'xinfo|consumers' command\r\n"
    )


def test_missing_key_comes_before_options(rawp: RawClient) -> None:
    for args in (
        ("STREAM", "nokey"),
        ("STREAM", "nokey", "FULL", "bad"),
        ("STREAM", "nokey", "bad"),
        ("GROUPS", "nokey"),
        ("CONSUMERS", "nokey", "g"),
    ):
        assert rawp.command("XINFO", *args) == NO_SUCH_KEY


def test_wrong_type_comes_before_options(rawp: RawClient) -> None:
    assert rawp.command("SET", "str", "v") == b"+OK\r\n"
    for args in (
        ("STREAM", "str"),
        ("STREAM", "str", "FULL", "x"),
        ("GROUPS", "str"),
        ("CONSUMERS", "str", "g"),
    ):
        assert rawp.command("XINFO", *args) == WRONGTYPE


@pytest.mark.parametrize(
    ("options", "reply"),
    [
        (["x"], syntax_error("STREAM")),
        (["COUNT", "1"], syntax_error("STREAM")),
        (["FULL", "x"], syntax_error("STREAM")),
        (["FULL", "COUNT"], syntax_error("STREAM")),
        (["FULL", "COUNT", "1", "x"], syntax_error("STREAM")),
        (["FULL", "FOO", "1"], syntax_error("STREAM")),
        (["FULL", "COUNT", "x"], NOT_INTEGER),
        (["FULL", "COUNT", "1.5"], NOT_INTEGER),
        (["FULL", "COUNT", "+1"], NOT_INTEGER),
    ],
)
def test_stream_option_errors(rawp: RawClient, options: list[str], reply: bytes) -> None:
    assert rawp.command("XADD", "s", "1-0", "f", "v") == bulk("1-0")
    assert rawp.command("XINFO", "STREAM", "s", *options) == reply


def test_option_error_names_the_subcommand_as_typed(rawp: RawClient) -> None:
    assert rawp.command("XADD", "s", "1-0", "f", "v") == bulk("1-0")
    assert rawp.command("XINFO", "Stream", "s", "bad") == syntax_error("Stream")
    assert rawp.command("xinfo", "STREAM", "s", "full", "x") == syntax_error("STREAM")


def test_option_words_are_read_as_c_strings(raw: RawClient) -> None:
    """Valkey compares FULL and COUNT with strcasecmp, so a NUL byte ends the word."""
    assert raw.command("XADD", "s", "1-0", "f", "v") == bulk("1-0")
    full = raw.command("XINFO", "STREAM", "s", "FULL")
    assert full.startswith(b"*18\r\n")
    assert raw.command("XINFO", "STREAM", "s", b"FULL\x00junk") == full
    assert raw.command("XINFO", "STREAM", "s", b"full\x00", b"COUNT\x00x", "10") == full
    assert raw.command("XINFO", "STREAM", "s", b"FUL\x00L") == syntax_error("STREAM")


def test_key_lookups_count_keyspace_hits_and_misses(raw: RawClient) -> None:
    """Measured on Valkey 8.0.1: every subcommand but HELP reads the key like a read
    command, a wrong type or a missing group included."""

    def stats() -> tuple[int, int]:
        info = raw.command("INFO", "stats").decode()
        fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
        return int(fields["keyspace_hits"]), int(fields["keyspace_misses"])

    assert raw.command("XADD", "s", "1-0", "f", "v") == bulk("1-0")
    assert raw.command("SET", "str", "x") == b"+OK\r\n"
    hits, misses = stats()
    assert raw.command("XINFO", "STREAM", "s").startswith(b"*20\r\n")
    assert raw.command("XINFO", "STREAM", "nokey") == NO_SUCH_KEY
    assert raw.command("XINFO", "GROUPS", "s") == b"*0\r\n"
    assert raw.command("XINFO", "CONSUMERS", "nokey", "g") == NO_SUCH_KEY
    assert raw.command("XINFO", "GROUPS", "str") == WRONGTYPE
    assert raw.command("XINFO", "CONSUMERS", "s", "g").startswith(b"-NOGROUP")
    assert raw.command("XINFO", "HELP").startswith(b"*9\r\n")
    assert stats() == (hits + 4, misses + 2)


def test_consumers_of_a_missing_group(rawp: RawClient) -> None:
    assert rawp.command("XADD", "s", "1-0", "f", "v") == bulk("1-0")
    assert rawp.command("XINFO", "CONSUMERS", "s", "nog") == (
        b"-NOGROUP No such consumer group 'nog' for key name 's'\r\n"
    )
    # Names are printed as C strings: cut at NUL, CR and LF become spaces.
    assert rawp.command("XINFO", "CONSUMERS", "s", b"x\r\ny") == (
        b"-NOGROUP No such consumer group 'x  y' for key name 's'\r\n"
    )
    assert rawp.command("XINFO", "CONSUMERS", "s", b"x\x00y") == (
        b"-NOGROUP No such consumer group 'x' for key name 's'\r\n"
    )
    assert rawp.command("XADD", b"a\nb", "1-0", "f", "v") == bulk("1-0")
    assert rawp.command("XINFO", "CONSUMERS", b"a\nb", "G") == (
        b"-NOGROUP No such consumer group 'G' for key name 'a b'\r\n"
    )


# -- XINFO STREAM -----------------------------------------------------------------------------


def test_stream_summary(rawp: RawClient, protocol: int) -> None:
    fill(rawp, "s", ["1-0"], ("f", "1"))
    for i in range(2, 6):
        assert rawp.command("XADD", "s", f"{i}-0", "f", str(i)) == bulk(f"{i}-0")
    assert rawp.command("XGROUP", "CREATE", "s", "g", "0") == b"+OK\r\n"
    assert rawp.command("XGROUP", "CREATE", "s", "h", "$") == b"+OK\r\n"
    assert rawp.command("XINFO", "STREAM", "s") == (
        (b"%10\r\n" if protocol == 3 else b"*20\r\n")
        + b"$6\r\nlength\r\n:5\r\n$15\r\nradix-tree-keys\r\n:1\r\n"
        b"$16\r\nradix-tree-nodes\r\n:2\r\n$17\r\nlast-generated-id\r\n$3\r\n5-0\r\n"
        b"$20\r\nmax-deleted-entry-id\r\n$3\r\n0-0\r\n$13\r\nentries-added\r\n:5\r\n"
        b"$23\r\nrecorded-first-entry-id\r\n$3\r\n1-0\r\n$6\r\ngroups\r\n:2\r\n"
        b"$11\r\nfirst-entry\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\n1\r\n"
        b"$10\r\nlast-entry\r\n*2\r\n$3\r\n5-0\r\n*2\r\n$1\r\nf\r\n$1\r\n5\r\n"
    )


def test_stream_summary_after_deletions(rawp: RawClient, protocol: int) -> None:
    fill(rawp, "s", ["1-0", "2-0", "3-0"], ("a", "b", "c", "d"))
    assert rawp.command("XDEL", "s", "1-0") == b":1\r\n"
    assert rawp.command("XINFO", "STREAM", "s") == (
        header(protocol, 10)
        + field("length", integer(2))
        + field("radix-tree-keys", integer(1))
        + field("radix-tree-nodes", integer(2))
        + field("last-generated-id", bulk("3-0"))
        + field("max-deleted-entry-id", bulk("1-0"))
        + field("entries-added", integer(3))
        + field("recorded-first-entry-id", bulk("2-0"))
        + field("groups", integer(0))
        + field("first-entry", entry("2-0", "a", "b", "c", "d"))
        + field("last-entry", entry("3-0", "a", "b", "c", "d"))
    )
    # Deleting every entry removes the node; the key stays with its history.
    assert rawp.command("XDEL", "s", "2-0", "3-0") == b":2\r\n"
    assert rawp.command("XINFO", "STREAM", "s") == (
        header(protocol, 10)
        + field("length", integer(0))
        + field("radix-tree-keys", integer(0))
        + field("radix-tree-nodes", integer(1))
        + field("last-generated-id", bulk("3-0"))
        + field("max-deleted-entry-id", bulk("3-0"))
        + field("entries-added", integer(3))
        + field("recorded-first-entry-id", bulk("0-0"))
        + field("groups", integer(0))
        + field("first-entry", NULL[protocol])
        + field("last-entry", NULL[protocol])
    )


def test_stream_created_by_mkstream(rawp: RawClient, protocol: int) -> None:
    assert rawp.command("XGROUP", "CREATE", "m", "g", "$", "MKSTREAM") == b"+OK\r\n"
    assert rawp.command("XINFO", "STREAM", "m") == (
        header(protocol, 10)
        + field("length", integer(0))
        + field("radix-tree-keys", integer(0))
        + field("radix-tree-nodes", integer(1))
        + field("last-generated-id", bulk("0-0"))
        + field("max-deleted-entry-id", bulk("0-0"))
        + field("entries-added", integer(0))
        + field("recorded-first-entry-id", bulk("0-0"))
        + field("groups", integer(1))
        + field("first-entry", NULL[protocol])
        + field("last-entry", NULL[protocol])
    )
    assert rawp.command("XINFO", "STREAM", "m", "FULL") == (
        header(protocol, 9)
        + field("length", integer(0))
        + field("radix-tree-keys", integer(0))
        + field("radix-tree-nodes", integer(1))
        + field("last-generated-id", bulk("0-0"))
        + field("max-deleted-entry-id", bulk("0-0"))
        + field("entries-added", integer(0))
        + field("recorded-first-entry-id", bulk("0-0"))
        + field("entries", b"*0\r\n")
        + field("groups", b"*1\r\n")
        + header(protocol, 7)
        + field("name", bulk("g"))
        + field("last-delivered-id", bulk("0-0"))
        + field("entries-read", NULL[protocol])
        + field("lag", integer(0))
        + field("pel-count", integer(0))
        + field("pending", b"*0\r\n")
        + field("consumers", b"*0\r\n")
    )


def _ids(count: int, pattern: str) -> list[str]:
    return [pattern.format(i=i, big=1_700_000_000_000 + i) for i in range(1, count + 1)]


@pytest.mark.parametrize(
    ("count", "pattern", "keys", "nodes"),
    [
        (1, "{i}-0", 1, 2),
        (100, "{i}-0", 1, 2),
        (101, "{i}-0", 2, 6),
        (101, "0-{i}", 2, 4),
        (1000, "{i}-0", 10, 26),
        (1000, "{big}-0", 10, 26),
        (1000, "1700000000000-{i}", 10, 16),
        (1000, "0-{i}", 10, 16),
        (10000, "{i}-0", 100, 241),
        (10000, "1700000000000-{i}", 100, 141),
    ],
)
def test_radix_tree_numbers(raw: RawClient, count: int, pattern: str, keys: int, nodes: int):
    fill(raw, "s", _ids(count, pattern))
    numbers = stream_numbers(raw, "s")
    assert (numbers["radix-tree-keys"], numbers["radix-tree-nodes"]) == (
        b"%d" % keys,
        b"%d" % nodes,
    )
    assert numbers["length"] == b"%d" % count


def test_node_size_follows_the_entries(raw: RawClient) -> None:
    # 100 entries with 100-byte values: 36 fit in a 4096-byte node, so 36 + 36 + 28.
    fill(raw, "big", _ids(100, "{i}-0"), ("f", "x" * 100))
    numbers = stream_numbers(raw, "big")
    assert (numbers["radix-tree-keys"], numbers["radix-tree-nodes"]) == (b"3", b"8")
    assert raw.command("XRANGE", "big", "37", "37") == (b"*1\r\n" + entry("37-0", "f", "x" * 100))
    # Entries are counted against stream-node-max-entries when they are appended.
    assert raw.command("CONFIG", "SET", "stream-node-max-entries", "3") == b"+OK\r\n"
    try:
        fill(raw, "small", _ids(10, "{i}-0"))
        assert stream_numbers(raw, "small")["radix-tree-keys"] == b"4"
        # Tombstones stay in their node until its last live entry goes.
        assert raw.command("XDEL", "small", "4-0", "5-0") == b":2\r\n"
        assert stream_numbers(raw, "small")["radix-tree-keys"] == b"4"
        assert raw.command("XDEL", "small", "6-0") == b":1\r\n"
        assert stream_numbers(raw, "small")["radix-tree-keys"] == b"3"
    finally:
        assert raw.command("CONFIG", "SET", "stream-node-max-entries", "100") == b"+OK\r\n"


@pytest.mark.parametrize(("value_size", "keys"), [(4065, b"1"), (4066, b"2")])
def test_node_byte_limit_boundary(raw: RawClient, value_size: int, keys: bytes) -> None:
    # A node holding one "f v" entry is 29 bytes; the next entry joins it only while
    # 29 + its raw field/value bytes stays below stream-node-max-bytes (4096).
    assert raw.command("XADD", "b", "1-0", "f", "v") == bulk("1-0")
    assert raw.command("XADD", "b", "2-0", "f", "x" * value_size) == bulk("2-0")
    assert stream_numbers(raw, "b")["radix-tree-keys"] == keys


@pytest.mark.parametrize(
    ("command", "removed", "length", "keys", "nodes", "first"),
    [
        ("XTRIM t MAXLEN ~ 555", 400, 600, 6, 17, "401-0"),
        ("XTRIM t MAXLEN 555", 445, 555, 6, 17, "446-0"),
        ("XTRIM t MAXLEN ~ 555 LIMIT 250", 200, 800, 8, 21, "201-0"),
        ("XTRIM t MAXLEN ~ 555 LIMIT 99", 0, 1000, 10, 26, "1-0"),
        ("XTRIM t MAXLEN ~ 900", 100, 900, 9, 24, "101-0"),
        ("XTRIM t MAXLEN ~ 0", 1000, 0, 0, 1, "0-0"),
        ("XTRIM t MINID ~ 555", 500, 500, 5, 14, "501-0"),
        ("XTRIM t MINID 555", 554, 446, 5, 14, "555-0"),
        ("XTRIM t MINID ~ 555 LIMIT 100", 100, 900, 9, 24, "101-0"),
    ],
)
def test_trimming_works_on_whole_nodes(
    raw: RawClient, command: str, removed: int, length: int, keys: int, nodes: int, first: str
) -> None:
    fill(raw, "t", _ids(1000, "{i}-0"))
    assert raw.command(*command.split()) == b":%d\r\n" % removed
    numbers = stream_numbers(raw, "t")
    assert numbers == {
        "length": b"%d" % length,
        "radix-tree-keys": b"%d" % keys,
        "radix-tree-nodes": b"%d" % nodes,
        "last-generated-id": b"1000-0",
        "max-deleted-entry-id": b"0-0",  # trimming is not deletion
        "entries-added": b"1000",
        "recorded-first-entry-id": first.encode(),
        "groups": b"0",
    }


def test_exact_minid_can_leave_a_node_without_live_entries(raw: RawClient) -> None:
    fill(raw, "t", _ids(1000, "{i}-0"))
    assert raw.command("XDEL", "t", "100-0") == b":1\r\n"
    assert raw.command("XTRIM", "t", "MINID", "100") == b":99\r\n"
    numbers = stream_numbers(raw, "t")
    assert (numbers["length"], numbers["radix-tree-keys"], numbers["radix-tree-nodes"]) == (
        b"900",
        b"10",
        b"26",
    )
    # The emptied node goes with the next trim that reaches it.
    assert raw.command("XTRIM", "t", "MINID", "101") == b":0\r\n"
    numbers = stream_numbers(raw, "t")
    assert (numbers["length"], numbers["radix-tree-keys"], numbers["radix-tree-nodes"]) == (
        b"900",
        b"9",
        b"24",
    )


def test_xadd_trimming_and_copy_keep_the_layout(raw: RawClient) -> None:
    fill(raw, "t", _ids(1000, "{i}-0"))
    assert raw.command("XADD", "t", "MAXLEN", "~", "555", "1001-0", "f", "v") == bulk("1001-0")
    numbers = stream_numbers(raw, "t")
    assert (numbers["length"], numbers["radix-tree-keys"], numbers["radix-tree-nodes"]) == (
        b"601",
        b"7",
        b"19",
    )
    assert raw.command("COPY", "t", "t2") == b":1\r\n"
    assert stream_numbers(raw, "t2") == numbers


# -- XINFO STREAM FULL ------------------------------------------------------------------------


def _five_entries_two_groups(client: RawClient, clock: ManualClock) -> None:
    for i in range(1, 6):
        assert client.command("XADD", "s", f"{i}-0", "f", str(i)) == bulk(f"{i}-0")
    assert client.command("XGROUP", "CREATE", "s", "g", "0") == b"+OK\r\n"
    assert client.command("XGROUP", "CREATE", "s", "a", "$") == b"+OK\r\n"
    clock.advance_ms(1000)
    assert client.command("XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">")
    clock.advance_ms(500)
    assert client.command("XREADGROUP", "GROUP", "g", "bob", "COUNT", "1", "STREAMS", "s", ">")
    clock.advance_ms(250)
    assert client.command("XGROUP", "CREATECONSUMER", "s", "g", "carol") == b":1\r\n"


def _full_head(protocol: int, length: int, entries: bytes) -> bytes:
    return (
        header(protocol, 9)
        + field("length", integer(length))
        + field("radix-tree-keys", integer(1))
        + field("radix-tree-nodes", integer(2))
        + field("last-generated-id", bulk("5-0"))
        + field("max-deleted-entry-id", bulk("0-0"))
        + field("entries-added", integer(5))
        + field("recorded-first-entry-id", bulk("1-0"))
        + field("entries", entries)
    )


def _group_a(protocol: int) -> bytes:
    """Created at ``$``: nothing read, position known from the stream (lag 0)."""
    return (
        header(protocol, 7)
        + field("name", bulk("a"))
        + field("last-delivered-id", bulk("5-0"))
        + field("entries-read", NULL[protocol])
        + field("lag", integer(0))
        + field("pel-count", integer(0))
        + field("pending", b"*0\r\n")
        + field("consumers", b"*0\r\n")
    )


T1, T2, T3 = START_MS + 1000, START_MS + 1500, START_MS + 1750


def _group_g(protocol: int, limit: int) -> bytes:
    group_pending = [
        b"*4\r\n" + bulk("1-0") + bulk("alice") + integer(T1) + integer(1),
        b"*4\r\n" + bulk("2-0") + bulk("alice") + integer(T1) + integer(1),
        b"*4\r\n" + bulk("3-0") + bulk("bob") + integer(T2) + integer(1),
    ][:limit]
    alice_pending = [
        b"*3\r\n" + bulk("1-0") + integer(T1) + integer(1),
        b"*3\r\n" + bulk("2-0") + integer(T1) + integer(1),
    ][:limit]
    return (
        header(protocol, 7)
        + field("name", bulk("g"))
        + field("last-delivered-id", bulk("3-0"))
        + field("entries-read", integer(3))
        + field("lag", integer(2))
        + field("pel-count", integer(3))
        + field("pending", b"*%d\r\n" % len(group_pending) + b"".join(group_pending))
        + field("consumers", b"*3\r\n")
        + header(protocol, 5)
        + field("name", bulk("alice"))
        + field("seen-time", integer(T1))
        + field("active-time", integer(T1))
        + field("pel-count", integer(2))
        + field("pending", b"*%d\r\n" % len(alice_pending) + b"".join(alice_pending))
        + header(protocol, 5)
        + field("name", bulk("bob"))
        + field("seen-time", integer(T2))
        + field("active-time", integer(T2))
        + field("pel-count", integer(1))
        + field("pending", b"*1\r\n*3\r\n" + bulk("3-0") + integer(T2) + integer(1))
        + header(protocol, 5)
        + field("name", bulk("carol"))
        + field("seen-time", integer(T3))
        + field("active-time", integer(-1))
        + field("pel-count", integer(0))
        + field("pending", b"*0\r\n")
    )


def test_stream_full(clocked: tuple[RawClient, ManualClock], protocol: int) -> None:
    client, clock = clocked
    _five_entries_two_groups(client, clock)
    clock.advance_ms(60_000)  # FULL shows absolute times, not durations
    entries = b"*5\r\n" + b"".join(entry(f"{i}-0", "f", str(i)) for i in range(1, 6))
    expected = (
        _full_head(protocol, 5, entries)
        + field("groups", b"*2\r\n")
        + _group_a(protocol)
        + _group_g(protocol, 3)
    )
    assert client.command("XINFO", "STREAM", "s", "FULL") == expected
    assert client.command("xinfo", "stream", "s", "full", "count", "0") == expected
    assert client.command("XINFO", "STREAM", "s", "FULL", "COUNT", "-3") == expected


def test_stream_full_count_limits_entries_and_pending(
    clocked: tuple[RawClient, ManualClock], protocol: int
) -> None:
    client, clock = clocked
    _five_entries_two_groups(client, clock)
    assert client.command("XINFO", "STREAM", "s", "FULL", "COUNT", "1") == (
        _full_head(protocol, 5, b"*1\r\n" + entry("1-0", "f", "1"))
        + field("groups", b"*2\r\n")
        + _group_a(protocol)
        + _group_g(protocol, 1)
    )


def test_stream_full_default_count_is_ten(rawp: RawClient) -> None:
    fill(rawp, "s", _ids(12, "{i}-0"), ("f", "v"))
    assert rawp.command("XGROUP", "CREATE", "s", "g", "0") == b"+OK\r\n"
    assert rawp.command("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">").count(b"f") == 12

    def shown(*options: str) -> tuple[int, int, int]:
        """(entries, group pending, consumer pending) listed by FULL with ``options``."""
        reply = rawp.command("XINFO", "STREAM", "s", "FULL", *options)
        entries = reply.count(b"\r\n$1\r\nf\r\n$1\r\nv\r\n")
        group_pending = reply.count(b"\r\n$1\r\nc\r\n:")  # [id, owner, time, count]
        consumer_pending = reply.count(b"*3\r\n$")  # [id, time, count]
        return entries, group_pending, consumer_pending

    assert shown() == (10, 10, 10)
    assert shown("COUNT", "-1") == (10, 10, 10)
    assert shown("COUNT", "0") == (12, 12, 12)
    assert shown("COUNT", "11") == (11, 11, 11)
    assert shown("COUNT", "3") == (3, 3, 3)


# -- XINFO GROUPS -----------------------------------------------------------------------------


def group_info(protocol: int, name: str, consumers: int, pending: int, last: str, read, lag):
    def value(number: int | None) -> bytes:
        return NULL[protocol] if number is None else integer(number)

    return (
        header(protocol, 6)
        + field("name", bulk(name))
        + field("consumers", integer(consumers))
        + field("pending", integer(pending))
        + field("last-delivered-id", bulk(last))
        + field("entries-read", value(read))
        + field("lag", value(lag))
    )


def test_groups_example(rawp: RawClient, protocol: int) -> None:
    assert rawp.command("XADD", "s", "1-0", "f", "v") == bulk("1-0")
    assert rawp.command("XINFO", "GROUPS", "s") == b"*0\r\n"
    for i in range(2, 5):
        assert rawp.command("XADD", "s", f"{i}-0", "f", "v") == bulk(f"{i}-0")
    assert rawp.command("XGROUP", "CREATE", "s", "g", "0") == b"+OK\r\n"
    for consumer in ("c1", "c2", "c3"):
        assert rawp.command("XREADGROUP", "GROUP", "g", consumer, "COUNT", "1", "STREAMS", "s", ">")
    assert rawp.command("XREADGROUP", "GROUP", "g", "c4", "NOACK", "STREAMS", "s", ">")
    assert rawp.command("XINFO", "GROUPS", "s") == (
        b"*1\r\n" + group_info(protocol, "g", 4, 3, "4-0", 4, 0)
    )
    if protocol == 3:  # the spec's literal RESP3 bytes
        assert rawp.command("XINFO", "GROUPS", "s") == (
            b"*1\r\n%6\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:4\r\n$7\r\npending\r\n"
            b":3\r\n$17\r\nlast-delivered-id\r\n$3\r\n4-0\r\n$12\r\nentries-read\r\n:4\r\n"
            b"$3\r\nlag\r\n:0\r\n"
        )


def test_groups_and_consumers_are_listed_in_byte_order(rawp: RawClient, protocol: int) -> None:
    assert rawp.command("XADD", "s", "1-0", "f", "v") == bulk("1-0")
    names = [b"b", b"B", b"", b"\xff", b"ab", b"a"]
    for name in names:
        assert rawp.command("XGROUP", "CREATE", "s", name, "$") == b"+OK\r\n"
        assert rawp.command("XGROUP", "CREATECONSUMER", "s", "b", name) == b":1\r\n"
    groups = rawp.command("XINFO", "GROUPS", "s")
    positions = [groups.index(b"$4\r\nname\r\n" + bulk(name)) for name in sorted(names)]
    assert positions == sorted(positions)
    consumers = rawp.command("XINFO", "CONSUMERS", "s", "b")
    assert consumers.startswith(b"*6\r\n")
    positions = [consumers.index(b"$4\r\nname\r\n" + bulk(name)) for name in sorted(names)]
    assert positions == sorted(positions)


def lags(client: RawClient, key: str) -> list[tuple[str, int | None, int | None]]:
    """(name, entries-read, lag) of each group, read from XINFO GROUPS (either protocol)."""
    reply = client.command("XINFO", "GROUPS", key)
    result = []
    for chunk in reply.split(b"$4\r\nname\r\n")[1:]:
        name = chunk.split(b"\r\n")[1].decode()
        read_value = chunk.split(b"$12\r\nentries-read\r\n")[1].split(b"\r\n")[0]
        lag_value = chunk.split(b"$3\r\nlag\r\n")[1].split(b"\r\n")[0]
        result.append((name, _number(read_value), _number(lag_value)))
    return result


def _number(token: bytes) -> int | None:
    return None if token in (b"_", b"$-1") else int(token[1:])


def test_lag_sequence_with_a_deletion(rawp: RawClient, protocol: int) -> None:
    fill(rawp, "s", _ids(5, "{i}-0"), ("f", "v"))
    assert rawp.command("XGROUP", "CREATE", "s", "g", "0") == b"+OK\r\n"
    assert rawp.command("XGROUP", "CREATE", "s", "h", "$") == b"+OK\r\n"
    assert rawp.command("XGROUP", "CREATE", "s", "k", "2-0") == b"+OK\r\n"
    assert lags(rawp, "s") == [("g", None, 5), ("h", None, 0), ("k", None, None)]

    def read_one() -> None:
        assert rawp.command("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">")

    read_one()
    assert lags(rawp, "s")[0] == ("g", 1, 4)
    assert rawp.command("XDEL", "s", "3-0") == b":1\r\n"
    assert lags(rawp, "s")[0] == ("g", 1, None)  # a tombstone lies ahead
    read_one()  # 2-0
    assert lags(rawp, "s")[0] == ("g", None, None)
    read_one()  # 4-0
    assert lags(rawp, "s")[0] == ("g", None, None)
    read_one()  # 5-0: the last entry, so the count is known again
    assert lags(rawp, "s")[0] == ("g", 5, 0)
    assert rawp.command("XADD", "s", "6-0", "f", "v") == bulk("6-0")
    assert lags(rawp, "s") == [("g", 5, 1), ("h", None, None), ("k", None, None)]
    # A counter set by hand may even run ahead of the stream: lag goes negative.
    assert rawp.command("XGROUP", "CREATE", "s", "z", "99", "ENTRIESREAD", "8") == b"+OK\r\n"
    assert lags(rawp, "s")[-1] == ("z", 8, -2)
    assert rawp.command("XINFO", "GROUPS", "s").startswith(
        b"*4\r\n" + group_info(protocol, "g", 1, 4, "5-0", 5, 1)
    )


def test_lag_sequence_with_trimming_and_setid(rawp: RawClient) -> None:
    fill(rawp, "t", _ids(5, "{i}-0"), ("f", "v"))
    assert rawp.command("XGROUP", "CREATE", "t", "g", "0") == b"+OK\r\n"
    assert rawp.command("XDEL", "t", "1-0") == b":1\r\n"
    assert lags(rawp, "t") == [("g", None, 4)]  # deleted before the first entry: no gap
    assert rawp.command("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "t", ">")
    assert lags(rawp, "t") == [("g", 2, 3)]
    assert rawp.command("XTRIM", "t", "MAXLEN", "2") == b":2\r\n"
    assert lags(rawp, "t") == [("g", 2, 3)]
    steps = [
        (("0",), (None, 2)),
        (("3-0",), (None, 2)),
        (("4-0",), (None, 1)),
        (("5-0",), (None, 0)),
        (("4-0", "ENTRIESREAD", "3"), (3, 2)),
        (("9-0",), (None, None)),
    ]
    for args, (read, lag) in steps:
        assert rawp.command("XGROUP", "SETID", "t", "g", *args) == b"+OK\r\n"
        assert lags(rawp, "t") == [("g", read, lag)], args
    assert rawp.command("XDEL", "t", "4-0", "5-0") == b":2\r\n"
    assert lags(rawp, "t") == [("g", None, None)]
    assert rawp.command("XGROUP", "SETID", "t", "g", "0") == b"+OK\r\n"
    assert lags(rawp, "t") == [("g", None, 0)]


def test_lag_of_an_empty_stream_is_zero(rawp: RawClient, protocol: int) -> None:
    assert rawp.command("XGROUP", "CREATE", "e", "g", "$", "MKSTREAM") == b"+OK\r\n"
    assert rawp.command("XINFO", "GROUPS", "e") == (
        b"*1\r\n" + group_info(protocol, "g", 0, 0, "0-0", None, 0)
    )


def test_full_reports_the_same_lag(rawp: RawClient, protocol: int) -> None:
    fill(rawp, "s", _ids(5, "{i}-0"), ("f", "v"))
    assert rawp.command("XGROUP", "CREATE", "s", "g", "0") == b"+OK\r\n"
    # Deleting the first entry leaves no gap after the group's position: lag is known.
    assert rawp.command("XDEL", "s", "1-0") == b":1\r\n"
    assert lags(rawp, "s") == [("g", None, 4)]
    full = rawp.command("XINFO", "STREAM", "s", "FULL")
    assert field("entries-read", NULL[protocol]) + field("lag", integer(4)) in full
    # A deleted entry between the group's position and the end makes it unknown.
    assert rawp.command("XDEL", "s", "3-0") == b":1\r\n"
    assert lags(rawp, "s") == [("g", None, None)]
    full = rawp.command("XINFO", "STREAM", "s", "FULL")
    assert field("entries-read", NULL[protocol]) + field("lag", NULL[protocol]) in full


INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)


def test_counters_wrap_around_at_64_bits(
    clocked: tuple[RawClient, ManualClock], protocol: int
) -> None:
    # Valkey 8.0.1 keeps entries-read and delivery counts in 64 bits and shows
    # entries-added (unsigned) as a signed number: counters set at the top by
    # ENTRIESREAD, RETRYCOUNT and ENTRIESADDED wrap. They used to grow past 2**63 - 1,
    # which no RESP integer carries (clients refused the whole reply).
    client, _ = clocked
    fill(client, "s", ["1-1", "2-1", "3-1"], ("f", "v"))
    command = ("XGROUP", "CREATE", "s", "g", "1-1", "ENTRIESREAD", str(INT64_MAX))
    assert client.command(*command) == b"+OK\r\n"
    assert client.command("XINFO", "GROUPS", "s") == (
        b"*1\r\n" + group_info(protocol, "g", 0, 0, "1-1", INT64_MAX, -9223372036854775804)
    )
    client.command("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">")
    assert client.command("XINFO", "GROUPS", "s") == (
        b"*1\r\n" + group_info(protocol, "g", 1, 1, "2-1", INT64_MIN, -9223372036854775805)
    )
    claim = ("XCLAIM", "s", "g", "c", "0", "2-1", "RETRYCOUNT", str(INT64_MAX), "JUSTID")
    assert client.command(*claim) == b"*1\r\n$3\r\n2-1\r\n"
    client.command("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0")  # one more delivery
    assert client.command("XPENDING", "s", "g", "-", "+", "10") == (
        b"*1\r\n*4\r\n$3\r\n2-1\r\n$1\r\nc\r\n:0\r\n:-9223372036854775808\r\n"
    )
    command = ("XSETID", "s", "3-1", "ENTRIESADDED", str(INT64_MAX))
    assert client.command(*command) == b"+OK\r\n"
    assert client.command("XADD", "s", "4-1", "f", "v") == b"$3\r\n4-1\r\n"
    assert field("entries-added", integer(INT64_MIN)) in client.command("XINFO", "STREAM", "s")
    assert client.command("XINFO", "GROUPS", "s") == (
        b"*1\r\n" + group_info(protocol, "g", 1, 1, "2-1", INT64_MIN, 0)
    )


# -- XINFO CONSUMERS --------------------------------------------------------------------------


def consumer_info(protocol: int, name: str, pending: int, idle: int, inactive: int) -> bytes:
    return (
        header(protocol, 4)
        + field("name", bulk(name))
        + field("pending", integer(pending))
        + field("idle", integer(idle))
        + field("inactive", integer(inactive))
    )


def test_consumers_idle_and_inactive(clocked: tuple[RawClient, ManualClock], protocol: int) -> None:
    client, clock = clocked
    fill(client, "s", _ids(3, "{i}-0"), ("f", "v"))
    assert client.command("XGROUP", "CREATE", "s", "g", "0") == b"+OK\r\n"
    assert client.command("XINFO", "CONSUMERS", "s", "g") == b"*0\r\n"
    assert client.command("XGROUP", "CREATECONSUMER", "s", "g", "carol") == b":1\r\n"
    clock.advance_ms(5)
    assert client.command("XINFO", "CONSUMERS", "s", "g") == (
        b"*1\r\n" + consumer_info(protocol, "carol", 0, 5, -1)
    )
    # A delivery of new entries makes the consumer active as well as seen.
    assert client.command("XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">")
    clock.advance_ms(7)
    # Reading with nothing new, or reading its own history, is only "seen".
    assert client.command("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", "0") == (
        (b"%1\r\n" if protocol == 3 else b"*1\r\n*2\r\n") + bulk("s") + b"*0\r\n"
    )
    clock.advance_ms(3)
    assert client.command("XINFO", "CONSUMERS", "s", "g") == (
        b"*3\r\n"
        + consumer_info(protocol, "alice", 2, 10, 10)
        + consumer_info(protocol, "bob", 0, 3, -1)
        + consumer_info(protocol, "carol", 0, 15, -1)
    )
    assert client.command("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0")
    assert client.command("XREADGROUP", "GROUP", "g", "bob", "NOACK", "STREAMS", "s", ">")
    clock.advance_ms(1)
    assert client.command("XINFO", "CONSUMERS", "s", "g") == (
        b"*3\r\n"
        + consumer_info(protocol, "alice", 2, 1, 11)
        + consumer_info(protocol, "bob", 0, 1, -1)
        + consumer_info(protocol, "carol", 0, 16, -1)
    )
    # Claiming counts as activity; a claim that takes nothing is only "seen".
    assert client.command("XCLAIM", "s", "g", "carol", "0", "1-0", "JUSTID") == (
        b"*1\r\n" + bulk("1-0")
    )
    assert client.command("XCLAIM", "s", "g", "bob", "3600000", "2-0") == b"*0\r\n"
    clock.advance_ms(2)
    assert client.command("XINFO", "CONSUMERS", "s", "g") == (
        b"*3\r\n"
        + consumer_info(protocol, "alice", 1, 3, 13)
        + consumer_info(protocol, "bob", 0, 2, -1)
        + consumer_info(protocol, "carol", 1, 2, 2)
    )


def test_consumers_when_the_clock_goes_back(
    clocked: tuple[RawClient, ManualClock], protocol: int
) -> None:
    client, clock = clocked
    assert client.command("XADD", "s", "1-0", "f", "v") == bulk("1-0")
    assert client.command("XGROUP", "CREATE", "s", "g", "0") == b"+OK\r\n"
    assert client.command("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">")
    clock.set_ms(START_MS - 40)
    # idle never goes below 0; inactive is a plain difference.
    assert client.command("XINFO", "CONSUMERS", "s", "g") == (
        b"*1\r\n" + consumer_info(protocol, "c", 1, 0, -40)
    )


# -- through a client library ------------------------------------------------------------------


def test_redis_py_reads_every_shape(r: redis.Redis) -> None:
    for i in range(1, 4):
        r.xadd("s", {"f": str(i)}, id=f"{i}-0")
    r.xgroup_create("s", "g", id="0")
    r.xreadgroup("g", "alice", {"s": ">"}, count=2)
    info = r.xinfo_stream("s")
    assert info["length"] == 3
    assert info["radix-tree-keys"] == 1
    assert info["radix-tree-nodes"] == 2
    assert info["groups"] == 1
    assert info["first-entry"] == (b"1-0", {b"f": b"1"})
    assert info["last-entry"] == (b"3-0", {b"f": b"3"})
    full = r.xinfo_stream("s", full=True)
    assert full["entries-added"] == 3
    assert dict(full["entries"]) == {
        b"1-0": {b"f": b"1"},
        b"2-0": {b"f": b"2"},
        b"3-0": {b"f": b"3"},
    }
    [group] = full["groups"]
    assert group["pel-count"] == 2
    assert group["lag"] == 1
    groups = r.xinfo_groups("s")
    assert [(g["name"], g["consumers"], g["pending"], g["lag"]) for g in groups] == [
        (b"g", 1, 2, 1)
    ]
    [consumer] = r.xinfo_consumers("s", "g")
    assert consumer["name"] == b"alice"
    assert consumer["pending"] == 2
    assert consumer["inactive"] >= 0
    with pytest.raises(redis.ResponseError, match="no such key"):
        r.xinfo_stream("missing")
