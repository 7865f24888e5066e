"""XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM and XSETID over real sockets, RESP2 and RESP3.

Every expected reply was checked against Valkey 8.0.1 (raw bytes, both protocols).
Entries use explicit IDs; ``*`` IDs run on a server with a manual clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import redis
from helpers import RawClient, encode_command

from minivalkey import ManualClock, Server
from minivalkey.core import ServerCore
from minivalkey.dispatcher import execute
from minivalkey.engine.keyspace import Keyspace
from minivalkey.engine.stream import Stream
from minivalkey.session import Client

START_MS = 1_700_000_000_000
NULL_BULK = {2: b"$-1\r\n", 3: b"_\r\n"}
NULL_ARRAY = {2: b"*-1\r\n", 3: b"_\r\n"}
OK = b"+OK\r\n"
WRONGTYPE = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
NOT_INTEGER = b"-ERR value is not an integer or out of range\r\n"
SYNTAX = b"-ERR syntax error\r\n"
INVALID_ID = b"-ERR Invalid stream ID specified as stream command argument\r\n"
NOT_GREATER = (
    b"-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n"
)
ZERO_ID = b"-ERR The ID specified in XADD must be greater than 0-0\r\n"
EXHAUSTED = b"-ERR The stream has exhausted the last possible ID, unable to add more items\r\n"
XADD_ARITY = b"-ERR wrong number of arguments for 'xadd' command\r\n"
MAXLEN_NEGATIVE = b"-ERR The MAXLEN argument must be >= 0.\r\n"
LIMIT_NEGATIVE = b"-ERR The LIMIT argument must be >= 0.\r\n"
CONFLICT = b"-ERR syntax error, MAXLEN and MINID options at the same time are not compatible\r\n"
LIMIT_NO_STRATEGY = (
    b"-ERR syntax error, LIMIT cannot be used without specifying a trimming strategy\r\n"
)
LIMIT_NO_APPROX = b"-ERR syntax error, LIMIT cannot be used without the special ~ option\r\n"
XTRIM_NO_STRATEGY = b"-ERR syntax error, XTRIM must be called with a trimming strategy\r\n"
BAD_START = b"-ERR invalid start ID for the interval\r\n"
BAD_END = b"-ERR invalid end ID for the interval\r\n"
NO_SUCH_KEY = b"-ERR no such key\r\n"
ENTRIES_ADDED_NEGATIVE = b"-ERR entries_added must be positive\r\n"
MAX = "18446744073709551615"


def bulk(data: bytes) -> bytes:
    return b"$%d\r\n%s\r\n" % (len(data), data)


def entry(stream_id: bytes, *pairs: bytes) -> bytes:
    """One entry as XRANGE answers it (identical in RESP2 and RESP3)."""
    return (
        b"*2\r\n"
        + bulk(stream_id)
        + b"*%d\r\n" % len(pairs)
        + b"".join(bulk(item) for item in pairs)
    )


def array(*entries: bytes) -> bytes:
    return b"*%d\r\n" % len(entries) + b"".join(entries)


def e(i: int) -> bytes:
    """Entry ``i-0`` with field ``f`` and value ``i``, as ``fill`` adds them."""
    return entry(b"%d-0" % i, b"f", b"%d" % i)


def fill(client: RawClient, count: int, key: str = "s") -> None:
    """Entries ``1-0 .. count-0`` (``f`` = i), sent as one pipeline."""
    client.send(
        b"".join(encode_command("XADD", key, f"{i}-0", "f", i) for i in range(1, count + 1))
    )
    for i in range(1, count + 1):
        assert client.read_reply() == bulk(b"%d-0" % i)


def fill_field_value(client: RawClient, count: int, key: str = "s") -> None:
    """Entries ``1-0 .. count-0`` with ``field value`` (ten nodes of 100 for 1000)."""
    client.send(
        b"".join(
            encode_command("XADD", key, f"{i}-0", "field", "value") for i in range(1, count + 1)
        )
    )
    for _ in range(count):
        assert client.read_reply()[:1] == b"$"


def stream_of(server: Server, key: bytes, db: int = 0) -> Stream:
    """The engine object behind a key, read once the server has answered."""
    value = server.core.keyspace[db].data[key]
    assert type(value) is Stream
    return value


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
    clock = ManualClock(START_MS)
    server = make_server(clock=clock)
    with RawClient(server.port) as client:
        if protocol == 3:
            client.command("HELLO", "3")
        yield client, clock


# -- XADD ------------------------------------------------------------------------------------------


def test_xadd_explicit_ids(rawp: RawClient) -> None:
    assert rawp.command("XADD", "s", "1-1", "f", "v") == b"$3\r\n1-1\r\n"
    assert rawp.command("XADD", "s", "1-1", "f", "v") == NOT_GREATER
    assert rawp.command("XADD", "s", "1-0", "f", "v") == NOT_GREATER
    assert rawp.command("XADD", "s", "2", "f", "v") == b"$3\r\n2-0\r\n"
    assert rawp.command("XADD", "s", "1-*", "f", "v") == NOT_GREATER
    assert rawp.command("XADD", "s", "2-*", "f", "v") == b"$3\r\n2-1\r\n"
    assert rawp.command("XADD", "s", "5-*", "f", "v") == b"$3\r\n5-0\r\n"
    assert rawp.command("XADD", "s", "5-*", "f", "v") == b"$3\r\n5-1\r\n"
    assert rawp.command("XLEN", "s") == b":5\r\n"
    assert rawp.command("XRANGE", "s", "-", "+") == array(
        *(entry(i, b"f", b"v") for i in (b"1-1", b"2-0", b"2-1", b"5-0", b"5-1"))
    )


def test_xadd_auto_sequence_edges(rawp: RawClient) -> None:
    assert rawp.command("XADD", "new", "0-*", "f", "v") == b"$3\r\n0-1\r\n"
    assert rawp.command("XADD", "new", "0-*", "f", "v") == b"$3\r\n0-2\r\n"
    assert rawp.command("XADD", "a", "5-5", "f", "v") == b"$3\r\n5-5\r\n"
    assert rawp.command("XADD", "a", "5-*", "f", "v") == b"$3\r\n5-6\r\n"
    assert rawp.command("XADD", "b", f"5-{MAX}", "f", "v") == bulk(f"5-{MAX}".encode())
    assert rawp.command("XADD", "b", "5-*", "f", "v") == NOT_GREATER
    assert rawp.command("XADD", "m", f"{MAX}-18446744073709551614", "f", "v")[:4] == b"$41\r"
    assert rawp.command("XADD", "m", f"{MAX}-*", "f", "v") == bulk(f"{MAX}-{MAX}".encode())
    for id_ in ("*", f"{MAX}-*", f"{MAX}-{MAX}", "1-1"):
        assert rawp.command("XADD", "m", id_, "f", "v") == EXHAUSTED
    assert rawp.command("XADD", "m", "0-0", "f", "v") == ZERO_ID  # checked before the key
    assert rawp.command("XLEN", "m") == b":2\r\n"


@pytest.mark.parametrize(
    ("raw_id", "stored"),
    [
        (b"01-02", b"1-2"),
        (b" 1-3", b"1-3"),
        (b"\t+1-4", b"1-4"),
        (b"1- 5", b"1-5"),
        (b"1--0", b"1-0"),
        (b"1- -1", b"1-18446744073709551615"),
        (b"1--18446744073709551615", b"1-1"),
        (b"1\x00zzz", b"1-0"),
        (b"7", b"7-0"),
    ],
)
def test_xadd_lenient_ids(raw: RawClient, raw_id: bytes, stored: bytes) -> None:
    assert raw.command("XADD", "s", raw_id, "f", "v") == bulk(stored)


@pytest.mark.parametrize(
    "raw_id",
    [
        b"1--5",
        b"1-+",
        b"1-1 ",
        b"1-0x5",
        b"18446744073709551616",
        b"1-",
        b"-1",
        b"1-2-3",
        b"-",
        b"+",
        b"bad",
        b"1-" + b"0" * 126,
        b"5-**",
    ],
)
def test_xadd_invalid_ids(raw: RawClient, raw_id: bytes) -> None:
    assert raw.command("XADD", "s", raw_id, "f", "v") == INVALID_ID
    assert raw.command("EXISTS", "s") == b":0\r\n"


@pytest.mark.parametrize(
    ("args", "reply"),
    [
        (["XADD", "s", "*", "f"], XADD_ARITY),
        (["XADD", "s", "*", "f", "v", "g"], XADD_ARITY),
        (["XADD", "s", "MAXLEN", "~", "3"], XADD_ARITY),
        (["XADD", "s", "NOMKSTREAM", "MAXLEN", "5"], XADD_ARITY),
        (["XADD", "s", "0-0", "f", "v", "g"], XADD_ARITY),
        (["XADD", "s", "0-0", "f", "v"], ZERO_ID),
        (["XADD", "s", "0", "f", "v"], ZERO_ID),
        (["XADD", "s", "LIMIT", "5", "*", "f", "v"], LIMIT_NO_STRATEGY),
        (["XADD", "s", "LIMIT", "0", "*", "f", "v"], LIMIT_NO_APPROX),
        (["XADD", "s", "MAXLEN", "5", "LIMIT", "5", "*", "f", "v"], LIMIT_NO_APPROX),
        (["XADD", "s", "MAXLEN", "=", "5", "LIMIT", "5", "*", "f", "v"], LIMIT_NO_APPROX),
        (["XADD", "s", "MAXLEN", "1", "MAXLEN", "2", "*", "f", "v"], CONFLICT),
        (["XADD", "s", "MAXLEN", "1", "MINID", "2", "*", "f", "v"], CONFLICT),
        (["XADD", "s", "MINID", "1", "MAXLEN", "x", "*", "f", "v"], CONFLICT),
        (["XADD", "s", "MAXLEN", "-1", "*", "f", "v"], MAXLEN_NEGATIVE),
        (["XADD", "s", "MAXLEN", "x", "*", "f", "v"], NOT_INTEGER),
        (["XADD", "s", "MAXLEN", "~", "*", "f", "v"], NOT_INTEGER),
        (["XADD", "s", "LIMIT", "-1", "*", "f", "v"], LIMIT_NEGATIVE),
        (["XADD", "s", "LIMIT", "x", "*", "f", "v"], NOT_INTEGER),
        (["XADD", "s", "MINID", "-", "*", "f", "v"], INVALID_ID),
        (["XADD", "s", "MINID", "+", "*", "f", "v"], INVALID_ID),
        (["XADD", "s", "MINID", "~", "bad", "*", "f", "v"], INVALID_ID),
        (["XADD", "s", "MINID", "5-*", "*", "f", "v"], INVALID_ID),
        (["XADD", "s", "FOO", "*", "f", "v"], INVALID_ID),
        (["XADD", "s", "MAXLEN", "5", "LIMIT", "0", "0-0", "f", "v"], LIMIT_NO_APPROX),
        (["XADD", "str", "MAXLEN", "-1", "*", "f", "v"], MAXLEN_NEGATIVE),
        (["XADD", "str", "0-0", "f", "v"], ZERO_ID),
        (["XADD", "str", "*", "f", "v", "g"], XADD_ARITY),
        (["XADD", "str", "1-1", "f", "v"], WRONGTYPE),
        (["XADD", "str", "NOMKSTREAM", "1-1", "f", "v"], WRONGTYPE),
    ],
)
def test_xadd_errors_in_valkeys_order(rawp: RawClient, args: list[str], reply: bytes) -> None:
    assert rawp.command("SET", "str", "x") == OK
    assert rawp.command(*args) == reply
    assert rawp.command("EXISTS", "s") == b":0\r\n"
    assert rawp.command("TYPE", "str") == b"+string\r\n"


def test_xadd_options_end_at_the_id(rawp: RawClient) -> None:
    """After the ID every argument is a field or a value, keywords included."""
    assert rawp.command("XADD", "s", "1-1", "MAXLEN", "0", "LIMIT", "x") == b"$3\r\n1-1\r\n"
    # the ID is parsed before the field count is checked
    assert rawp.command("XADD", "s", "MAXLEN", "5", "f") == INVALID_ID
    assert rawp.command("XADD", "s", "MAXLEN", "5", "f", "v") == INVALID_ID
    assert rawp.command("XADD", "s", "MAXLEN", "5", "2-2", "v") == XADD_ARITY
    assert rawp.command("XRANGE", "s", "-", "+") == array(
        entry(b"1-1", b"MAXLEN", b"0", b"LIMIT", b"x")
    )


def test_xadd_nomkstream(rawp: RawClient, protocol: int) -> None:
    assert rawp.command("XADD", "s", "NOMKSTREAM", "1-1", "f", "v") == NULL_BULK[protocol]
    assert rawp.command("XADD", "s", "nomkstream", "*", "f", "v") == NULL_BULK[protocol]
    assert rawp.command("EXISTS", "s") == b":0\r\n"
    assert rawp.command("XADD", "s", "1-1", "f", "v") == b"$3\r\n1-1\r\n"
    assert rawp.command("XADD", "s", "NOMKSTREAM", "2-1", "f", "v") == b"$3\r\n2-1\r\n"
    # after the ID, NOMKSTREAM is a field name
    assert rawp.command("XADD", "s", "3-1", "NOMKSTREAM", "v") == b"$3\r\n3-1\r\n"
    assert rawp.command("XRANGE", "s", "3", "3") == array(entry(b"3-1", b"NOMKSTREAM", b"v"))
    assert (
        rawp.command("XADD", "s", "nomkstream", "maxlen", "~", "100", "limit", "5", "9-1", "f", "v")
        == b"$3\r\n9-1\r\n"
    )


def test_xadd_fields_are_stored_as_given(rawp: RawClient) -> None:
    assert rawp.command("XADD", "s", "1-0", "f", "a", "f", "b", "", "") == b"$3\r\n1-0\r\n"
    assert rawp.command("XADD", "s", "2-0", b"\r\n\x00", b"\xff" * 300) == b"$3\r\n2-0\r\n"
    assert rawp.command("XADD", "s", "3-0", "*", "*") == b"$3\r\n3-0\r\n"
    assert rawp.command("XRANGE", "s", "-", "+") == array(
        entry(b"1-0", b"f", b"a", b"f", b"b", b"", b""),
        entry(b"2-0", b"\r\n\x00", b"\xff" * 300),
        entry(b"3-0", b"*", b"*"),
    )


def test_xadd_trims_after_appending(rawp: RawClient) -> None:
    fill(rawp, 5)
    assert rawp.command("XADD", "s", "MAXLEN", "2", "6-0", "f", "6") == b"$3\r\n6-0\r\n"
    assert rawp.command("XRANGE", "s", "-", "+") == array(e(5), e(6))
    assert rawp.command("XADD", "s", "MAXLEN", "=", "3", "7-0", "f", "7") == b"$3\r\n7-0\r\n"
    assert rawp.command("XLEN", "s") == b":3\r\n"
    assert rawp.command("XADD", "s", "MINID", "7", "8-0", "f", "8") == b"$3\r\n8-0\r\n"
    assert rawp.command("XRANGE", "s", "-", "+") == array(e(7), e(8))
    # the new entry itself can go: the key stays, empty
    assert rawp.command("XADD", "s", "MAXLEN", "0", "9-1", "f", "v") == b"$3\r\n9-1\r\n"
    assert rawp.command("XLEN", "s") == b":0\r\n"
    assert rawp.command("EXISTS", "s") == b":1\r\n"
    assert rawp.command("XADD", "s", "9-1", "f", "v") == NOT_GREATER


def test_xadd_approximate_trimming_works_on_nodes(rawp: RawClient) -> None:
    fill_field_value(rawp, 1000)
    assert rawp.command("XADD", "s", "MAXLEN", "~", "555", "1001-0", "f", "v") == bulk(b"1001-0")
    assert rawp.command("XLEN", "s") == b":601\r\n"
    assert rawp.command("XADD", "s", "MINID", "~", "801", "LIMIT", "100", "1002-0", "f", "v") == (
        bulk(b"1002-0")
    )
    assert rawp.command("XLEN", "s") == b":502\r\n"
    assert rawp.command("XRANGE", "s", "-", "+", "COUNT", "1") == array(
        entry(b"501-0", b"field", b"value")
    )


def test_xadd_auto_ids_follow_the_manual_clock(clocked: tuple[RawClient, ManualClock]) -> None:
    client, clock = clocked
    assert client.command("XADD", "s", "*", "f", "v") == bulk(b"%d-0" % START_MS)
    assert client.command("XADD", "s", "*", "f", "v") == bulk(b"%d-1" % START_MS)
    clock.advance_ms(5)
    assert client.command("XADD", "s", "*", "f", "v") == bulk(b"%d-0" % (START_MS + 5))
    assert client.command("XADD", "s", "*", "*", "*") == bulk(b"%d-1" % (START_MS + 5))
    # the clock goes backwards: IDs keep the last millisecond and count up
    clock.set_ms(START_MS - 1000)
    assert client.command("XADD", "s", "*", "f", "v") == bulk(b"%d-2" % (START_MS + 5))
    assert client.command("XADD", "s", "*", "f", "v") == bulk(b"%d-3" % (START_MS + 5))
    clock.set_ms(START_MS + 6)
    assert client.command("XADD", "s", "*", "f", "v") == bulk(b"%d-0" % (START_MS + 6))
    # an explicit ID in the future, then "*": the sequence counts up there
    assert client.command("XADD", "s", "99999999999999-5", "f", "v") == bulk(b"99999999999999-5")
    assert client.command("XADD", "s", "*", "f", "v") == bulk(b"99999999999999-6")
    assert client.command("XADD", "t", f"5-{MAX}", "f", "v") == bulk(f"5-{MAX}".encode())
    assert client.command("XADD", "t", "*", "f", "v") == bulk(b"%d-0" % (START_MS + 6))
    assert client.command("XADD", "u", f"{START_MS + 6}-*", "f", "v") == bulk(
        b"%d-0" % (START_MS + 6)
    )


def test_xadd_with_redis_py(r: redis.Redis) -> None:
    assert r.xadd("s", {"f": "v"}, id="1-0") == b"1-0"
    assert r.xadd("s", {"f": "v"}, id="2-0", maxlen=1, approximate=False) == b"2-0"
    assert r.xadd("nokey", {"f": "v"}, nomkstream=True) is None
    assert r.xrange("s") == [(b"2-0", {b"f": b"v"})]
    with pytest.raises(redis.ResponseError, match="equal or smaller"):
        r.xadd("s", {"f": "v"}, id="1-0")


# -- XRANGE / XREVRANGE / XLEN ---------------------------------------------------------------------


def test_xrange_reply_shape(rawp: RawClient) -> None:
    rawp.command("XADD", "s", "1-0", "f", "1-0", "g", "x")
    rawp.command("XADD", "s", "1-1", "f", "1-1", "g", "x")
    rawp.command("XADD", "s", "2-0", "f", "2-0", "g", "x")
    assert rawp.command("XRANGE", "s", "-", "+", "COUNT", "2") == (
        b"*2\r\n*2\r\n$3\r\n1-0\r\n*4\r\n$1\r\nf\r\n$3\r\n1-0\r\n$1\r\ng\r\n$1\r\nx\r\n"
        b"*2\r\n$3\r\n1-1\r\n*4\r\n$1\r\nf\r\n$3\r\n1-1\r\n$1\r\ng\r\n$1\r\nx\r\n"
    )
    assert rawp.command("XREVRANGE", "s", "+", "-", "COUNT", "1") == (
        b"*1\r\n*2\r\n$3\r\n2-0\r\n*4\r\n$1\r\nf\r\n$3\r\n2-0\r\n$1\r\ng\r\n$1\r\nx\r\n"
    )


def test_xrange_bounds(rawp: RawClient) -> None:
    for id_ in ("1-0", "1-1", "2-0", "3-0"):
        rawp.command("XADD", "s", id_, "f", "v")
    e10, e11, e20, e30 = (entry(i, b"f", b"v") for i in (b"1-0", b"1-1", b"2-0", b"3-0"))
    assert rawp.command("XRANGE", "s", "-", "+") == array(e10, e11, e20, e30)
    assert rawp.command("XRANGE", "s", "1", "1") == array(e10, e11)  # end 1 = 1-MAX
    assert rawp.command("XRANGE", "s", "(1-0", "(2") == array(e11, e20)
    assert rawp.command("XRANGE", "s", "(1", "3-0") == array(e11, e20, e30)  # after 1-0
    assert rawp.command("XRANGE", "s", "(1-1", "3-0") == array(e20, e30)
    assert rawp.command("XRANGE", "s", "-", "(0") == b"*0\r\n"
    assert rawp.command("XRANGE", "s", f"({MAX}", "+") == b"*0\r\n"
    assert rawp.command("XRANGE", "s", "+", "-") == b"*0\r\n"
    assert rawp.command("XRANGE", "s", "2-0", "1-1") == b"*0\r\n"
    assert rawp.command("XRANGE", "s", "1-1", "1-1") == array(e11)
    assert rawp.command("XRANGE", "s", "01-001", "+", "COUNT", "1") == array(e11)
    assert rawp.command("XREVRANGE", "s", "+", "-") == array(e30, e20, e11, e10)
    assert rawp.command("XREVRANGE", "s", "(2", "(1-0") == array(e20, e11)
    assert rawp.command("XREVRANGE", "s", "2", "-", "COUNT", "2") == array(e20, e11)
    assert rawp.command("XREVRANGE", "s", "-", "+") == b"*0\r\n"


def test_xrange_count(rawp: RawClient, protocol: int) -> None:
    fill(rawp, 5)
    assert rawp.command("XRANGE", "s", "-", "+", "COUNT", "0") == NULL_ARRAY[protocol]
    assert rawp.command("XRANGE", "s", "-", "+", "COUNT", "-5") == NULL_ARRAY[protocol]
    assert rawp.command("XREVRANGE", "s", "+", "-", "COUNT", "0") == NULL_ARRAY[protocol]
    assert rawp.command("XRANGE", "s", "-", "+", "count", "2", "COUNT", "3") == array(
        e(1), e(2), e(3)
    )
    assert rawp.command("XRANGE", "s", "-", "+", "COUNT", "100") == array(
        *(e(i) for i in range(1, 6))
    )
    assert rawp.command("XRANGE", "s", "9", "+", "COUNT", "0") == NULL_ARRAY[protocol]
    assert rawp.command("XRANGE", "nokey", "-", "+", "COUNT", "0") == b"*0\r\n"
    assert rawp.command("XREVRANGE", "nokey", "+", "-") == b"*0\r\n"


@pytest.mark.parametrize(
    ("args", "reply"),
    [
        (["XRANGE", "s", "-", "+", "COUNT"], SYNTAX),
        (["XRANGE", "s", "-", "+", "LIMIT", "1"], SYNTAX),
        (["XRANGE", "s", "-", "+", "COUNT", "1", "x"], SYNTAX),
        (["XRANGE", "s", "-", "+", "COUNT", "x"], NOT_INTEGER),
        (["XRANGE", "s", "bad", "+"], INVALID_ID),
        (["XRANGE", "s", "-", "bad"], INVALID_ID),
        (["XRANGE", "s", "(-", "+"], INVALID_ID),
        (["XRANGE", "s", "-", "(+"], INVALID_ID),
        (["XRANGE", "s", "(", "+"], INVALID_ID),
        (["XRANGE", "s", "((1", "+"], INVALID_ID),
        (["XRANGE", "s", f"({MAX}-{MAX}", "+"], BAD_START),
        (["XRANGE", "s", "-", "(0-0"], BAD_END),
        (["XRANGE", "s", f"({MAX}-{MAX}", "(0-0"], BAD_START),
        (["XRANGE", "s", f"({MAX}-{MAX}", "bad"], BAD_START),
        (["XRANGE", "s", "bad", "(0-0"], INVALID_ID),
        (["XREVRANGE", "s", "bad", f"({MAX}-{MAX}"], BAD_START),
        (["XREVRANGE", "s", "(0-0", "bad"], INVALID_ID),
        (["XREVRANGE", "s", "(0-0", "-"], BAD_END),
        (["XRANGE", "str", "bad", "+"], INVALID_ID),
        (["XRANGE", "str", "-", "+", "COUNT"], SYNTAX),
        (["XRANGE", "str", "-", "+"], WRONGTYPE),
        (["XRANGE", "str", "-", "+", "COUNT", "0"], WRONGTYPE),
        (["XREVRANGE", "str", "+", "-"], WRONGTYPE),
        (["XRANGE", "s", "-"], b"-ERR wrong number of arguments for 'xrange' command\r\n"),
        (["XREVRANGE", "s", "+"], b"-ERR wrong number of arguments for 'xrevrange' command\r\n"),
    ],
)
def test_xrange_errors(rawp: RawClient, args: list[str], reply: bytes) -> None:
    rawp.command("XADD", "s", "1-0", "f", "v")
    rawp.command("SET", "str", "x")
    assert rawp.command(*args) == reply


def test_xrange_skips_deleted_entries(rawp: RawClient) -> None:
    fill(rawp, 250)
    assert rawp.command("XDEL", "s", *(f"{i}-0" for i in range(3, 200))) == b":197\r\n"
    assert rawp.command("XRANGE", "s", "-", "+", "COUNT", "4") == array(e(1), e(2), e(200), e(201))
    assert rawp.command("XREVRANGE", "s", "202", "-", "COUNT", "4") == array(
        e(202), e(201), e(200), e(2)
    )
    assert rawp.command("XRANGE", "s", "2-1", "199") == b"*0\r\n"


def test_xrange_with_redis_py(r: redis.Redis) -> None:
    r.xadd("s", {"a": "1"}, id="1-0")
    r.xadd("s", {"b": "2"}, id="2-0")
    assert r.xrange("s", "-", "+") == [(b"1-0", {b"a": b"1"}), (b"2-0", {b"b": b"2"})]
    assert r.xrevrange("s", "+", "-", count=1) == [(b"2-0", {b"b": b"2"})]
    assert r.xrange("nokey") == []
    assert r.xlen("s") == 2 and r.xlen("nokey") == 0


def test_xlen(rawp: RawClient) -> None:
    assert rawp.command("XLEN", "s") == b":0\r\n"
    fill(rawp, 3)
    assert rawp.command("XLEN", "s") == b":3\r\n"
    rawp.command("SET", "str", "x")
    assert rawp.command("XLEN", "str") == WRONGTYPE
    assert (
        rawp.command("XLEN", "s", "x") == b"-ERR wrong number of arguments for 'xlen' command\r\n"
    )


def test_reads_count_keyspace_hits_and_misses(raw: RawClient) -> None:
    def stats() -> tuple[int, int]:
        info = raw.command("INFO", "stats").decode()
        fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
        return int(fields["keyspace_hits"]), int(fields["keyspace_misses"])

    raw.command("XADD", "s", "1-0", "f", "v")
    hits, misses = stats()
    raw.command("XRANGE", "s", "-", "+")
    raw.command("XLEN", "s")
    raw.command("XREVRANGE", "nokey", "+", "-")
    raw.command("XADD", "s", "2-0", "f", "v")  # writes do not count
    raw.command("XDEL", "nokey", "1-0")
    assert stats() == (hits + 2, misses + 1)


# -- XDEL ------------------------------------------------------------------------------------------


def test_xdel(rawp: RawClient) -> None:
    fill(rawp, 5)
    assert rawp.command("XDEL", "s", "2-0", "2", "4-0", "9-0") == b":2\r\n"
    assert rawp.command("XDEL", "s", "2-0") == b":0\r\n"
    assert rawp.command("XRANGE", "s", "-", "+") == array(e(1), e(3), e(5))
    assert rawp.command("XLEN", "s") == b":3\r\n"
    # every ID is parsed before anything is deleted
    assert rawp.command("XDEL", "s", "1-0", "bad") == INVALID_ID
    assert rawp.command("XDEL", "s", "1-0", "-") == INVALID_ID
    assert rawp.command("XDEL", "s", "+") == INVALID_ID
    assert rawp.command("XLEN", "s") == b":3\r\n"
    # deleting everything leaves an empty stream that keeps its last ID
    assert rawp.command("XDEL", "s", "1-0", "3-0", "5-0") == b":3\r\n"
    assert rawp.command("EXISTS", "s") == b":1\r\n"
    assert rawp.command("TYPE", "s") == b"+stream\r\n"
    assert rawp.command("XLEN", "s") == b":0\r\n"
    assert rawp.command("XADD", "s", "5-0", "f", "v") == NOT_GREATER


def test_xdel_missing_key_and_wrong_type(rawp: RawClient) -> None:
    assert rawp.command("XDEL", "nokey", "bad") == b":0\r\n"  # IDs are not even parsed
    assert rawp.command("XDEL", "nokey", "1-0") == b":0\r\n"
    rawp.command("SET", "str", "x")
    assert rawp.command("XDEL", "str", "bad") == WRONGTYPE
    assert rawp.command("XDEL", "s") == b"-ERR wrong number of arguments for 'xdel' command\r\n"


def test_xdel_removes_whole_nodes(server: Server, raw: RawClient) -> None:
    fill_field_value(raw, 300)
    stream = stream_of(server, b"s")
    assert len(stream.keys) == 3
    assert raw.command("XDEL", "s", *(f"{i}-0" for i in range(101, 201))) == b":100\r\n"
    assert len(stream.keys) == 2
    assert raw.command("XRANGE", "s", "100", "201") == array(
        entry(b"100-0", b"field", b"value"), entry(b"201-0", b"field", b"value")
    )


# -- XTRIM -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "reply"),
    [
        (["XTRIM", "s", "MAXLEN"], b"-ERR wrong number of arguments for 'xtrim' command\r\n"),
        (["XTRIM", "s", "MAXLEN", "~"], NOT_INTEGER),
        (["XTRIM", "s", "MINID", "~"], INVALID_ID),
        (["XTRIM", "s", "LIMIT", "0"], XTRIM_NO_STRATEGY),
        (["XTRIM", "s", "LIMIT", "5"], LIMIT_NO_STRATEGY),
        (["XTRIM", "s", "LIMIT", "-1", "MAXLEN", "5"], LIMIT_NEGATIVE),
        (["XTRIM", "s", "LIMIT", "5", "MAXLEN"], SYNTAX),
        (["XTRIM", "s", "MAXLEN", "5", "MAXLEN"], SYNTAX),
        (["XTRIM", "s", "FOO", "1"], SYNTAX),
        (["XTRIM", "s", "MAXLEN", "5", "LIMIT", "5"], LIMIT_NO_APPROX),
        (["XTRIM", "s", "MAXLEN", "=", "5", "LIMIT", "5"], LIMIT_NO_APPROX),
        (["XTRIM", "s", "MAXLEN", "5", "LIMIT"], SYNTAX),
        (["XTRIM", "s", "MAXLEN", "5", "*"], SYNTAX),
        (["XTRIM", "s", "MAXLEN", "5", "NOMKSTREAM"], SYNTAX),
        (["XTRIM", "s", "MAXLEN", "5", "MINID", "5"], CONFLICT),
        (["XTRIM", "s", "MAXLEN", "-1"], MAXLEN_NEGATIVE),
        (["XTRIM", "s", "MAXLEN", "x"], NOT_INTEGER),
        (["XTRIM", "s", "MINID", "-"], INVALID_ID),
        (["XTRIM", "s", "MINID", "+"], INVALID_ID),
        (["XTRIM", "s", "MAXLEN", "~", "5", "LIMIT", "x"], NOT_INTEGER),
        (["XTRIM", "nokey", "MAXLEN", "x"], NOT_INTEGER),
        (["XTRIM", "nokey", "LIMIT", "0"], XTRIM_NO_STRATEGY),
        (["XTRIM", "str", "MAXLEN", "x"], NOT_INTEGER),
        (["XTRIM", "str", "MAXLEN", "5"], WRONGTYPE),
        (["XTRIM", "s", "x", "y"], SYNTAX),
    ],
)
def test_xtrim_errors(rawp: RawClient, args: list[str], reply: bytes) -> None:
    fill(rawp, 3)
    rawp.command("SET", "str", "x")
    assert rawp.command(*args) == reply
    assert rawp.command("XLEN", "s") == b":3\r\n"


def test_xtrim_exact(rawp: RawClient) -> None:
    assert rawp.command("XTRIM", "nokey", "MAXLEN", "0") == b":0\r\n"
    fill(rawp, 6)
    assert rawp.command("XTRIM", "s", "MAXLEN", "4") == b":2\r\n"
    assert rawp.command("XTRIM", "s", "maxlen", "=", "4") == b":0\r\n"
    assert rawp.command("XTRIM", "s", "MINID", "5") == b":2\r\n"
    assert rawp.command("XRANGE", "s", "-", "+") == array(e(5), e(6))
    assert rawp.command("XTRIM", "s", "MINID", "=", "5-1") == b":1\r\n"
    assert rawp.command("XTRIM", "s", "MAXLEN", "0") == b":1\r\n"
    assert rawp.command("EXISTS", "s") == b":1\r\n"
    assert rawp.command("XLEN", "s") == b":0\r\n"
    assert rawp.command("XADD", "s", "6-0", "f", "v") == NOT_GREATER


@pytest.mark.parametrize(
    ("args", "removed", "length"),
    [
        (["MAXLEN", "~", "555"], 400, 600),
        (["MAXLEN", "555"], 445, 555),
        (["MAXLEN", "=", "555"], 445, 555),
        (["MAXLEN", "~", "555", "LIMIT", "250"], 200, 800),
        (["MAXLEN", "~", "555", "LIMIT", "0"], 400, 600),
        (["MAXLEN", "~", "555", "LIMIT", "99"], 0, 1000),
        (["MAXLEN", "~", "900"], 100, 900),
        (["MAXLEN", "~", "899"], 100, 900),
        (["MAXLEN", "~", "901"], 0, 1000),
        (["MAXLEN", "~", "0"], 1000, 0),
        (["MINID", "~", "555"], 500, 500),
        (["MINID", "555"], 554, 446),
        (["MINID", "~", "555", "LIMIT", "100"], 100, 900),
        (["LIMIT", "100", "MINID", "~", "555", "LIMIT", "300"], 300, 700),
    ],
)
def test_xtrim_table(raw: RawClient, args: list[str], removed: int, length: int) -> None:
    fill_field_value(raw, 1000)
    assert raw.command("XTRIM", "s", *args) == b":%d\r\n" % removed
    assert raw.command("XLEN", "s") == b":%d\r\n" % length


def test_xtrim_default_limit_follows_node_size(raw: RawClient) -> None:
    assert raw.command("CONFIG", "SET", "stream-node-max-entries", "10") == OK
    try:
        fill_field_value(raw, 3000)
        assert raw.command("XTRIM", "s", "MAXLEN", "~", "0") == b":1000\r\n"
        assert raw.command("XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "0") == b":2000\r\n"
    finally:
        assert raw.command("CONFIG", "SET", "stream-node-max-entries", "100") == OK


def test_xtrim_minid_tombstone_quirk(server: Server, raw: RawClient) -> None:
    fill_field_value(raw, 1000)
    assert raw.command("XDEL", "s", "100-0") == b":1\r\n"
    assert raw.command("XTRIM", "s", "MINID", "100") == b":99\r\n"
    assert raw.command("XLEN", "s") == b":900\r\n"
    assert len(stream_of(server, b"s").keys) == 10  # the emptied node is still there


# -- XSETID ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "reply"),
    [
        (["XSETID", "nokey", "1-1"], NO_SUCH_KEY),
        (["XSETID", "str", "1-1"], WRONGTYPE),
        (["XSETID", "s", "bad"], INVALID_ID),
        (["XSETID", "s", "-"], INVALID_ID),
        (["XSETID", "s", "+"], INVALID_ID),
        (["XSETID", "s", "1-1", "ENTRIESADDED"], SYNTAX),
        (["XSETID", "s", "1-1", "FOO", "1"], SYNTAX),
        (["XSETID", "s", "9-1", "ENTRIESADDED", "-1"], ENTRIES_ADDED_NEGATIVE),
        (["XSETID", "s", "1-1", "ENTRIESADDED", "x"], NOT_INTEGER),
        (
            ["XSETID", "s", "1-1", "MAXDELETEDID", "2-2"],
            b"-ERR The ID specified in XSETID is smaller than the provided "
            b"max_deleted_entry_id\r\n",
        ),
        (["XSETID", "s", "1-1", "MAXDELETEDID", "bad"], INVALID_ID),
        (
            ["XSETID", "nokey", "1-1", "ENTRIESADDED", "-1"],
            b"-ERR entries_added must be positive\r\n",
        ),
        (["XSETID", "str", "bad"], INVALID_ID),
        (
            ["XSETID", "s", "2-0"],
            b"-ERR The ID specified in XSETID is smaller than the target stream top item\r\n",
        ),
        (
            ["XSETID", "s", "9-0", "ENTRIESADDED", "2"],
            b"-ERR The entries_added specified in XSETID is smaller than the target stream "
            b"length\r\n",
        ),
        (["XSETID", "s"], b"-ERR wrong number of arguments for 'xsetid' command\r\n"),
    ],
)
def test_xsetid_errors(server: Server, rawp: RawClient, args: list[str], reply: bytes) -> None:
    fill(rawp, 3)
    rawp.command("SET", "str", "x")
    assert rawp.command(*args) == reply
    stream = stream_of(server, b"s")
    assert (stream.last_id, stream.entries_added, stream.max_deleted_id) == (3 << 64, 3, 0)


def test_xsetid_sets_the_last_id(server: Server, rawp: RawClient) -> None:
    fill(rawp, 3)
    assert rawp.command("XSETID", "s", "10-0") == OK
    assert rawp.command("XADD", "s", "10-0", "f", "v") == NOT_GREATER
    assert rawp.command("XADD", "s", "10-*", "f", "v") == b"$4\r\n10-1\r\n"
    # it may go down again, as long as it stays at or above the last live entry
    assert rawp.command("XSETID", "s", "10-1") == OK
    assert rawp.command("XDEL", "s", "10-1") == b":1\r\n"
    assert rawp.command("XSETID", "s", "3-0", "ENTRIESADDED", "3") == (
        b"-ERR The ID specified in XSETID is smaller than current max_deleted_entry_id\r\n"
    )
    assert rawp.command("XSETID", "s", "10-1", "entriesadded", "3", "maxdeletedid", "0-0") == OK
    stream = stream_of(server, b"s")
    assert (stream.last_id, stream.entries_added, stream.max_deleted_id) == (
        (10 << 64) | 1,
        3,
        (10 << 64) | 1,
    )
    assert rawp.command("XSETID", "s", "20-0", "MAXDELETEDID", "5-0", "ENTRIESADDED", "7") == OK
    assert (stream.last_id, stream.entries_added, stream.max_deleted_id) == (20 << 64, 7, 5 << 64)
    assert rawp.command("XLEN", "s") == b":3\r\n"


def test_xsetid_on_an_empty_stream(server: Server, rawp: RawClient) -> None:
    fill(rawp, 3)
    rawp.command("XDEL", "s", "1-0", "2-0", "3-0")
    assert rawp.command("XSETID", "s", "2-5") == (
        b"-ERR The ID specified in XSETID is smaller than current max_deleted_entry_id\r\n"
    )
    assert rawp.command("XSETID", "s", "3-0", "ENTRIESADDED", "0") == OK
    assert rawp.command("XADD", "s", "3-*", "f", "v") == b"$3\r\n3-1\r\n"
    stream = stream_of(server, b"s")
    assert (stream.entries_added, stream.length) == (1, 1)


def test_xsetid_exhausts_the_stream(rawp: RawClient) -> None:
    fill(rawp, 1)
    assert rawp.command("XSETID", "s", f"{MAX}-{MAX}") == OK
    assert rawp.command("XADD", "s", "*", "f", "v") == EXHAUSTED


# -- keyspace interactions -------------------------------------------------------------------------


def test_type_scan_and_generic_commands(rawp: RawClient) -> None:
    fill(rawp, 2)
    rawp.command("SET", "str", "x")
    assert rawp.command("TYPE", "s") == b"+stream\r\n"
    assert rawp.command("SCAN", "0", "TYPE", "stream") == b"*2\r\n$1\r\n0\r\n*1\r\n$1\r\ns\r\n"
    assert rawp.command("SCAN", "0", "TYPE", "STREAM") == b"*2\r\n$1\r\n0\r\n*1\r\n$1\r\ns\r\n"
    assert rawp.command("EXPIRE", "s", "100") == b":1\r\n"
    assert rawp.command("TTL", "s") == b":100\r\n"
    assert rawp.command("PERSIST", "s") == b":1\r\n"
    assert rawp.command("RENAME", "s", "s2") == OK
    assert rawp.command("XRANGE", "s2", "-", "+") == array(e(1), e(2))
    assert rawp.command("DEL", "s2") == b":1\r\n"
    assert rawp.command("EXISTS", "s2") == b":0\r\n"


@pytest.mark.parametrize(
    "args",
    [
        ["GET", "s"],
        ["SET", "s", "x", "GET"],
        ["GETDEL", "s"],
        ["INCR", "s"],
        ["DECR", "s"],
        ["INCRBY", "s", "2"],
        ["DECRBY", "s", "2"],
    ],
)
def test_string_commands_on_a_stream(rawp: RawClient, args: list[str]) -> None:
    fill(rawp, 1)
    assert rawp.command(*args) == WRONGTYPE
    assert rawp.command("XLEN", "s") == b":1\r\n"


def test_set_replaces_a_stream(rawp: RawClient, protocol: int) -> None:
    fill(rawp, 1)
    assert rawp.command("MGET", "s", "nokey") == b"*2\r\n" + NULL_BULK[protocol] * 2
    assert rawp.command("SET", "s", "x") == OK
    assert rawp.command("TYPE", "s") == b"+string\r\n"
    assert rawp.command("XADD", "s", "2-0", "f", "v") == WRONGTYPE
    assert rawp.command("XLEN", "s") == WRONGTYPE


def test_copy_duplicates_a_stream(server: Server, rawp: RawClient) -> None:
    fill(rawp, 250)
    rawp.command("XDEL", "s", "5-0", "150-0")
    assert rawp.command("COPY", "s", "c") == b":1\r\n"
    source, clone = stream_of(server, b"s"), stream_of(server, b"c")
    assert clone is not source
    assert clone.keys == source.keys
    assert [node.size for node in clone.nodes] == [node.size for node in source.nodes]
    assert clone.radix_tree_nodes() == source.radix_tree_nodes()
    assert rawp.command("XLEN", "c") == b":248\r\n"
    assert rawp.command("XRANGE", "c", "-", "+") == rawp.command("XRANGE", "s", "-", "+")
    # the two are independent
    assert rawp.command("XADD", "c", "251-0", "f", "251") == b"$5\r\n251-0\r\n"
    assert rawp.command("XDEL", "c", "1-0") == b":1\r\n"
    assert rawp.command("XTRIM", "s", "MAXLEN", "10") == b":238\r\n"
    assert rawp.command("XLEN", "s") == b":10\r\n"
    assert rawp.command("XLEN", "c") == b":248\r\n"
    assert rawp.command("XRANGE", "c", "-", "+", "COUNT", "2") == array(e(2), e(3))
    assert rawp.command("XRANGE", "s", "-", "+", "COUNT", "1") == array(e(241))
    # to another database, and over an existing key with REPLACE
    assert rawp.command("COPY", "c", "s", "DB", "1") == b":1\r\n"
    assert rawp.command("COPY", "c", "s") == b":0\r\n"
    assert rawp.command("COPY", "c", "s", "REPLACE") == b":1\r\n"
    assert rawp.command("XLEN", "s") == b":248\r\n"
    assert rawp.command("SELECT", "1") == OK
    assert rawp.command("XREVRANGE", "s", "+", "-", "COUNT", "1") == array(e(251))


def test_emptied_streams_stay(rawp: RawClient) -> None:
    fill(rawp, 2, "a")
    fill(rawp, 2, "b")
    fill(rawp, 2, "c")
    rawp.command("XDEL", "a", "1-0", "2-0")
    rawp.command("XTRIM", "b", "MAXLEN", "0")
    rawp.command("XADD", "c", "MAXLEN", "0", "3-0", "f", "v")
    assert rawp.command("EXISTS", "a", "b", "c") == b":3\r\n"
    for key in ("a", "b", "c"):
        assert rawp.command("TYPE", key) == b"+stream\r\n"
        assert rawp.command("XRANGE", key, "-", "+") == b"*0\r\n"


# -- WATCH and blocked readers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "args", "reply", "touched"),
    [
        ("s", ["XADD", "s", "5-0", "f", "v"], b"$3\r\n5-0\r\n", True),
        ("s", ["XADD", "s", "NOMKSTREAM", "5-0", "f", "v"], b"$3\r\n5-0\r\n", True),
        ("s", ["XADD", "s", "MAXLEN", "0", "5-0", "f", "v"], b"$3\r\n5-0\r\n", True),
        ("n", ["XADD", "n", "5-0", "f", "v"], b"$3\r\n5-0\r\n", True),
        ("s", ["XADD", "s", "1-0", "f", "v"], NOT_GREATER, False),
        ("n", ["XADD", "n", "NOMKSTREAM", "5-0", "f", "v"], b"$-1\r\n", False),
        ("s", ["XDEL", "s", "1-0"], b":1\r\n", True),
        ("s", ["XDEL", "s", "9-9"], b":0\r\n", False),
        ("s", ["XDEL", "s", "1-0", "bad"], INVALID_ID, False),
        ("s", ["XTRIM", "s", "MAXLEN", "0"], b":2\r\n", True),
        ("s", ["XTRIM", "s", "MAXLEN", "~", "0"], b":2\r\n", True),
        ("s", ["XTRIM", "s", "MAXLEN", "100"], b":0\r\n", False),
        ("s", ["XTRIM", "s", "MINID", "1"], b":0\r\n", False),
        ("s", ["XSETID", "s", "99-0"], OK, False),
        ("s", ["XRANGE", "s", "-", "+", "COUNT", "1"], array(e(1)), False),
        ("s", ["XLEN", "s"], b":2\r\n", False),
    ],
)
def test_watch_invalidation(
    server: Server, raw: RawClient, key: str, args: list[str], reply: bytes, touched: bool
) -> None:
    fill(raw, 2)
    with RawClient(server.port) as other:
        assert raw.command("WATCH", key) == OK
        assert other.command(*args) == reply
        assert raw.command("MULTI") == OK
        assert raw.command("PING") == b"+QUEUED\r\n"
        assert raw.command("EXEC") == (b"*-1\r\n" if touched else b"*1\r\n+PONG\r\n")


def test_xadd_touches_watched_keys_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """One WATCH signal per XADD, also when it creates the key (adding it signals)."""
    touched: list[tuple[int, bytes]] = []
    original = Keyspace.touch

    def counting(self: Keyspace, db_index: int, key: bytes) -> None:
        touched.append((db_index, key))
        original(self, db_index, key)

    monkeypatch.setattr(Keyspace, "touch", counting)
    core = ServerCore()
    client = Client(core)
    watcher = Client(core)  # signals are only sent for watched keys

    def xadd(*argv: bytes) -> bytes:
        # A touched watcher stops watching: watch again before each command.
        assert execute(watcher, [b"UNWATCH"]) == b"+OK\r\n"
        assert execute(watcher, [b"WATCH", b"n", b"m"]) == b"+OK\r\n"
        return execute(client, [b"XADD", *argv])

    assert xadd(b"n", b"1-0", b"f", b"v") == b"$3\r\n1-0\r\n"
    assert xadd(b"n", b"MAXLEN", b"0", b"2-0", b"f", b"v") == b"$3\r\n2-0\r\n"
    assert xadd(b"m", b"MAXLEN", b"0", b"1-0", b"f", b"v") == b"$3\r\n1-0\r\n"
    assert xadd(b"n", b"1-0", b"f", b"v").startswith(b"-ERR")
    assert touched == [(0, b"n"), (0, b"n"), (0, b"m")]


def test_commands_inside_multi(rawp: RawClient) -> None:
    assert rawp.command("MULTI") == OK
    for args in (
        ["XADD", "s", "1-0", "f", "v"],
        ["XADD", "s", "1-0", "f", "v"],
        ["XLEN", "s"],
        ["XRANGE", "s", "-", "+"],
    ):
        assert rawp.command(*args) == b"+QUEUED\r\n"
    assert rawp.command("EXEC") == (
        b"*4\r\n$3\r\n1-0\r\n" + NOT_GREATER + b":1\r\n" + array(entry(b"1-0", b"f", b"v"))
    )
