"""Hash commands over real sockets (RESP2 and RESP3), replies checked against Valkey 8.0.1.

HSET, HMSET, HSETNX, HGET, HMGET, HGETALL, HKEYS, HVALS, HDEL, HEXISTS, HLEN, HSTRLEN,
HINCRBY, HINCRBYFLOAT, HRANDFIELD and HSCAN: replies, errors and their order, encoding
conversions under the listpack limits, keyspace events, WATCH and keyspace hits/misses.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

import pytest
from helpers import RawClient, encode_command

from minivalkey import Server
from minivalkey.engine.hashes import Hash

NULL = {2: b"$-1\r\n", 3: b"_\r\n"}
EMPTY_MAP = {2: b"*0\r\n", 3: b"%0\r\n"}
WRONGTYPE = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
NOT_INTEGER = b"-ERR value is not an integer or out of range\r\n"
NOT_FLOAT = b"-ERR value is not a valid float\r\n"
HASH_NOT_INTEGER = b"-ERR hash value is not an integer\r\n"
HASH_NOT_FLOAT = b"-ERR hash value is not a float\r\n"
NAN_OR_INFINITY = b"-ERR value is NaN or Infinity\r\n"
WOULD_BE_NAN_OR_INFINITY = b"-ERR increment would produce NaN or Infinity\r\n"
OVERFLOW = b"-ERR increment or decrement would overflow\r\n"
SYNTAX = b"-ERR syntax error\r\n"
OUT_OF_RANGE = b"-ERR value is out of range\r\n"
COUNT_OUT_OF_RANGE = (
    b"-ERR value is out of range, value must between -9223372036854775807 and "
    b"9223372036854775807\r\n"
)


def bulk(value: bytes | str) -> bytes:
    data = value if isinstance(value, bytes) else value.encode()
    return b"$%d\r\n%s\r\n" % (len(data), data)


def array(*items: bytes) -> bytes:
    return b"*%d\r\n" % len(items) + b"".join(items)


def bulks(*values: bytes | str) -> bytes:
    return array(*(bulk(value) for value in values))


def parse(reply: bytes) -> object:
    """A decoded reply (bulks, integers, nulls, arrays, maps as lists) for shape checks."""
    value, end = _parse(reply, 0)
    assert end == len(reply)
    return value


def _parse(data: bytes, start: int) -> tuple[object, int]:
    end = data.index(b"\r\n", start)
    kind, header = data[start : start + 1], data[start + 1 : end]
    position = end + 2
    if kind == b"$":
        size = int(header)
        if size < 0:
            return None, position
        return data[position : position + size], position + size + 2
    if kind == b":":
        return int(header), position
    if kind == b"_":
        return None, position
    if kind in (b"*", b"%"):
        count = int(header) * (2 if kind == b"%" else 1)
        items = []
        for _ in range(count):
            item, position = _parse(data, position)
            items.append(item)
        return items, position
    raise AssertionError(f"unexpected reply {data[start:][:40]!r}")


@pytest.fixture
def rawp(raw: RawClient, protocol: int) -> RawClient:
    """The ``raw`` client speaking RESP2 or RESP3."""
    if protocol == 3:
        assert raw.command("HELLO", "3").startswith(b"%")
    return raw


def encoding(server: Server, key: bytes, db: int = 0) -> str:
    value = server.core.keyspace[db].data[key]
    assert type(value) is Hash
    return value.encoding


@pytest.fixture
def limited(make_server: Callable[..., Server]) -> Iterator[tuple[RawClient, Server]]:
    """A server with small listpack limits: 4 entries, values of 8 bytes."""
    server = make_server(
        config={"hash-max-listpack-entries": "4", "hash-max-listpack-value": "8"}
    )
    with RawClient(server.port) as client:
        yield client, server


# -- writes and reads -------------------------------------------------------------------


def test_hset_and_the_reads(rawp: RawClient, protocol: int) -> None:
    assert rawp.command("HSET", "h", "a", "1", "b", "2", "c", "3") == b":3\r\n"
    assert rawp.command("HSET", "h", "a", "x", "d", "4") == b":1\r\n"  # one new field
    assert rawp.command("HGET", "h", "a") == bulk("x")
    assert rawp.command("HGET", "h", "nope") == NULL[protocol]
    assert rawp.command("HGET", "nokey", "a") == NULL[protocol]
    assert rawp.command("HMGET", "h", "a", "nope", "b") == (
        b"*3\r\n" + bulk("x") + NULL[protocol] + bulk("2")
    )
    assert rawp.command("HMGET", "nokey", "a", "b") == b"*2\r\n" + NULL[protocol] * 2
    pairs = bulk("a") + bulk("x") + bulk("b") + bulk("2") + bulk("c") + bulk("3")
    pairs += bulk("d") + bulk("4")
    assert rawp.command("HGETALL", "h") == (b"%4\r\n" if protocol == 3 else b"*8\r\n") + pairs
    assert rawp.command("HGETALL", "nokey") == EMPTY_MAP[protocol]
    assert rawp.command("HKEYS", "h") == bulks("a", "b", "c", "d")
    assert rawp.command("HVALS", "h") == bulks("x", "2", "3", "4")
    assert rawp.command("HKEYS", "nokey") == b"*0\r\n"
    assert rawp.command("HVALS", "nokey") == b"*0\r\n"
    assert rawp.command("HLEN", "h") == b":4\r\n"
    assert rawp.command("HLEN", "nokey") == b":0\r\n"
    assert rawp.command("HSTRLEN", "h", "a") == b":1\r\n"
    assert rawp.command("HSTRLEN", "h", "nope") == b":0\r\n"
    assert rawp.command("HSTRLEN", "nokey", "a") == b":0\r\n"
    assert rawp.command("HEXISTS", "h", "a") == b":1\r\n"
    assert rawp.command("HEXISTS", "h", "nope") == b":0\r\n"
    assert rawp.command("HEXISTS", "nokey", "a") == b":0\r\n"
    assert rawp.command("TYPE", "h") == b"+hash\r\n"


def test_listpack_order_after_removals_and_updates(rawp: RawClient) -> None:
    rawp.command("HSET", "h", "a", "1", "b", "2", "c", "3")
    assert rawp.command("HDEL", "h", "a") == b":1\r\n"
    assert rawp.command("HSET", "h", "a", "4", "b", "5") == b":1\r\n"
    assert rawp.command("HKEYS", "h") == bulks("b", "c", "a")
    assert rawp.command("HVALS", "h") == bulks("5", "3", "4")


def test_binary_fields_and_values(rawp: RawClient) -> None:
    field, value = b"\x00\r\n\xff", b"v\x00" * 1000
    assert rawp.command("HSET", "h", field, value, "", "") == b":2\r\n"
    assert rawp.command("HGET", "h", field) == bulk(value)
    assert rawp.command("HSTRLEN", "h", field) == b":2000\r\n"
    assert rawp.command("HGET", "h", "") == bulk("")


def test_hset_and_hmset_arity(rawp: RawClient) -> None:
    assert rawp.command("HSET", "h", "a") == (
        b"-ERR wrong number of arguments for 'hset' command\r\n"
    )
    assert rawp.command("HSET", "h", "a", "1", "b") == (
        b"-ERR wrong number of arguments for 'hset' command\r\n"
    )
    assert rawp.command("HMSET", "h", "a", "1", "b") == (
        b"-ERR wrong number of arguments for 'hmset' command\r\n"
    )
    assert rawp.command("HMSET", "h") == b"-ERR wrong number of arguments for 'hmset' command\r\n"
    assert rawp.command("EXISTS", "h") == b":0\r\n"
    assert rawp.command("HMSET", "h", "a", "1", "a", "2") == b"+OK\r\n"
    assert rawp.command("HGET", "h", "a") == bulk("2")
    for command in ("HGET h", "HMGET h", "HDEL h", "HLEN", "HSETNX h a", "HINCRBY h a"):
        name = command.split()[0]
        reply = f"-ERR wrong number of arguments for '{name.lower()}' command\r\n".encode()
        assert rawp.command(*command.split()) == reply


def test_hsetnx(rawp: RawClient) -> None:
    assert rawp.command("HSETNX", "h", "a", "1") == b":1\r\n"
    assert rawp.command("HSETNX", "h", "a", "2") == b":0\r\n"
    assert rawp.command("HSETNX", "h", "b", "3") == b":1\r\n"
    assert parse(rawp.command("HGETALL", "h")) == [b"a", b"1", b"b", b"3"]
    assert rawp.command("HMGET", "h", "a", "b") == bulks("1", "3")


def test_hdel_removes_the_key_with_its_last_field(rawp: RawClient) -> None:
    rawp.command("HSET", "h", "a", "1", "b", "2", "c", "3")
    assert rawp.command("HDEL", "h", "x", "y") == b":0\r\n"
    assert rawp.command("HDEL", "h", "a", "a", "c", "f") == b":2\r\n"
    assert rawp.command("HKEYS", "h") == bulks("b")
    assert rawp.command("HDEL", "h", "b", "b", "z") == b":1\r\n"
    assert rawp.command("EXISTS", "h") == b":0\r\n"
    assert rawp.command("HDEL", "nokey", "a") == b":0\r\n"


def test_every_command_against_another_type(rawp: RawClient) -> None:
    rawp.command("SET", "s", "x")
    for command in (
        ["HSET", "s", "a", "1"], ["HMSET", "s", "a", "1"], ["HSETNX", "s", "a", "1"],
        ["HGET", "s", "a"], ["HMGET", "s", "a"], ["HGETALL", "s"], ["HKEYS", "s"],
        ["HVALS", "s"], ["HDEL", "s", "a"], ["HEXISTS", "s", "a"], ["HLEN", "s"],
        ["HSTRLEN", "s", "a"], ["HINCRBY", "s", "a", "1"], ["HINCRBYFLOAT", "s", "a", "1"],
        ["HRANDFIELD", "s"], ["HRANDFIELD", "s", "1"], ["HRANDFIELD", "s", "0"],
        ["HRANDFIELD", "s", "-5", "WITHVALUES"], ["HSCAN", "s", "0"],
        ["HSCAN", "s", "0", "COUNT", "0"],
    ):
        assert rawp.command(*command) == WRONGTYPE, command
    # argument errors come first
    assert rawp.command("HINCRBY", "s", "a", "x") == NOT_INTEGER
    assert rawp.command("HINCRBYFLOAT", "s", "a", "x") == NOT_FLOAT
    assert rawp.command("HINCRBYFLOAT", "s", "a", "inf") == NAN_OR_INFINITY
    assert rawp.command("HRANDFIELD", "s", "x") == NOT_INTEGER
    assert rawp.command("HRANDFIELD", "s", "1", "x") == SYNTAX
    assert rawp.command("HSCAN", "s", "x") == b"-ERR invalid cursor\r\n"
    assert rawp.command("GET", "s") == bulk("x")


# -- counters ---------------------------------------------------------------------------


def test_hincrby(rawp: RawClient) -> None:
    assert rawp.command("HINCRBY", "n", "f", "5") == b":5\r\n"
    assert rawp.command("HINCRBY", "n", "f", "-7") == b":-2\r\n"
    assert rawp.command("HGET", "n", "f") == bulk("-2")
    for increment in ("x", "1.5", "", " 1", "9223372036854775808"):
        assert rawp.command("HINCRBY", "n", "f", increment) == NOT_INTEGER
    rawp.command("HSET", "n", "max", "9223372036854775807", "min", "-9223372036854775808")
    assert rawp.command("HINCRBY", "n", "max", "1") == OVERFLOW
    assert rawp.command("HINCRBY", "n", "max", "0") == b":9223372036854775807\r\n"
    assert rawp.command("HINCRBY", "n", "min", "-1") == OVERFLOW
    assert rawp.command("HINCRBY", "n", "min", "1") == b":-9223372036854775807\r\n"
    rawp.command("HSET", "n", "sp", " 11", "r", "11 ", "s", "abc", "fl", "1.5", "z", "01")
    for field in ("sp", "r", "s", "fl", "z"):
        assert rawp.command("HINCRBY", "n", field, "1") == HASH_NOT_INTEGER
    assert rawp.command("HGET", "n", "sp") == bulk(" 11")


def test_hincrbyfloat(rawp: RawClient) -> None:
    assert rawp.command("HINCRBYFLOAT", "n", "f", "1.23") == bulk("1.23")
    assert rawp.command("HINCRBYFLOAT", "n", "f", "0.77") == bulk("2")
    assert rawp.command("HINCRBYFLOAT", "n", "f", "-0.1") == bulk("1.9")
    assert rawp.command("HGET", "n", "f") == bulk("1.9")
    assert rawp.command("HINCRBYFLOAT", "n", "g", "10.5") == bulk("10.5")
    assert rawp.command("HINCRBYFLOAT", "n", "g", "0.1") == bulk("10.6")
    assert rawp.command("HINCRBYFLOAT", "n", "h", "0x1.8p1") == bulk("3")
    assert rawp.command("HINCRBYFLOAT", "n", "h", "3.0e3") == bulk("3003")
    assert rawp.command("HINCRBYFLOAT", "n", "i", "-1e-30") == bulk("0")
    rawp.command("HSET", "n", "int", "17179869184", "inf", "inf", "s", "abc", "nul", "1\x002")
    assert rawp.command("HINCRBYFLOAT", "n", "int", "17179869184") == bulk("34359738368")
    assert rawp.command("HINCRBYFLOAT", "n", "inf", "1") == WOULD_BE_NAN_OR_INFINITY
    assert rawp.command("HINCRBYFLOAT", "n", "s", "1") == HASH_NOT_FLOAT
    assert rawp.command("HINCRBYFLOAT", "n", "nul", "1") == HASH_NOT_FLOAT
    for increment in ("x", "", " 1", "1 ", "1e", "nan", "1e5000", "1e-5000", "1\x002"):
        assert rawp.command("HINCRBYFLOAT", "n", "f", increment) == NOT_FLOAT, increment
    for increment in ("inf", "-inf", "+Infinity"):
        assert rawp.command("HINCRBYFLOAT", "n", "f", increment) == NAN_OR_INFINITY
    assert rawp.command("HINCRBYFLOAT", "new", "f", "inf") == NAN_OR_INFINITY
    assert rawp.command("EXISTS", "new") == b":0\r\n"


def test_hincrbyfloat_huge_values(rawp: RawClient) -> None:
    first = rawp.command("HINCRBYFLOAT", "n", "x", "1e4000")
    assert first.startswith(b"$4000\r\n9999999999999999999965463873099623784932492583")
    assert rawp.command("HINCRBYFLOAT", "n", "x", "1e4932").startswith(
        b"$4933\r\n1000000000000000000006018949387963891323837774254533114773785"
    )
    assert rawp.command("HINCRBYFLOAT", "n", "x", "1e4932") == WOULD_BE_NAN_OR_INFINITY
    assert rawp.command("HSTRLEN", "n", "x") == b":4933\r\n"


# -- HRANDFIELD -------------------------------------------------------------------------


def test_hrandfield_shapes(rawp: RawClient, protocol: int) -> None:
    rawp.command("HSET", "h", "a", "1")
    assert rawp.command("HRANDFIELD", "h") == bulk("a")
    assert rawp.command("HRANDFIELD", "h", "1") == bulks("a")
    assert rawp.command("HRANDFIELD", "h", "-3") == bulks("a", "a", "a")
    assert rawp.command("HRANDFIELD", "h", "5") == bulks("a")
    pair = (bulk("a"), bulk("1"))
    if protocol == 3:  # a [field, value] array for each field
        assert rawp.command("HRANDFIELD", "h", "-2", "WITHVALUES") == array(
            array(*pair), array(*pair)
        )
        assert rawp.command("HRANDFIELD", "h", "3", "withvalues") == array(array(*pair))
    else:
        assert rawp.command("HRANDFIELD", "h", "-2", "WITHVALUES") == array(*pair, *pair)
        assert rawp.command("HRANDFIELD", "h", "3", "withvalues") == array(*pair)
    assert rawp.command("HRANDFIELD", "h", "0") == b"*0\r\n"
    assert rawp.command("HRANDFIELD", "h", "0", "WITHVALUES") == b"*0\r\n"
    assert rawp.command("HRANDFIELD", "nokey") == NULL[protocol]
    assert rawp.command("HRANDFIELD", "nokey", "5") == b"*0\r\n"
    assert rawp.command("HRANDFIELD", "nokey", "-5", "WITHVALUES") == b"*0\r\n"


def test_hrandfield_errors(rawp: RawClient, protocol: int) -> None:
    rawp.command("HSET", "h", "a", "1")
    assert rawp.command("HRANDFIELD", "h", "x") == NOT_INTEGER
    assert rawp.command("HRANDFIELD", "h", "9223372036854775808") == NOT_INTEGER
    assert rawp.command("HRANDFIELD", "h", "-9223372036854775808") == COUNT_OUT_OF_RANGE
    assert rawp.command("HRANDFIELD", "h", "-9223372036854775808", "x") == COUNT_OUT_OF_RANGE
    assert rawp.command("HRANDFIELD", "h", "1", "WITHVALUE") == SYNTAX
    assert rawp.command("HRANDFIELD", "h", "1", "WITHVALUES", "x") == SYNTAX
    assert rawp.command("HRANDFIELD", "nokey", "1", "x") == SYNTAX
    for count in ("-9223372036854770000", "-4611686018427387904", "4611686018427387904"):
        assert rawp.command("HRANDFIELD", "h", count, "WITHVALUES") == OUT_OF_RANGE
    pair = array(bulk("a"), bulk("1"))
    assert rawp.command("HRANDFIELD", "h", "4611686018427387903", "WITHVALUES") == (
        array(pair) if protocol == 3 else pair
    )
    assert rawp.command("HRANDFIELD", "h", "9223372036854775807") == bulks("a")


def test_hrandfield_refuses_a_reply_of_more_than_ten_million_draws(rawp: RawClient) -> None:
    # Valkey would try to build the reply; this server answers an error instead.
    rawp.command("HSET", "h", "a", "1")
    assert rawp.command("HRANDFIELD", "h", "-10000001") == OUT_OF_RANGE
    assert rawp.command("HRANDFIELD", "h", "-2147483649") == OUT_OF_RANGE
    assert rawp.command("HRANDFIELD", "nokey", "-2147483649") == OUT_OF_RANGE


@pytest.mark.parametrize("kind", ["listpack", "hashtable"])
def test_hrandfield_counts_draw_from_the_whole_hash(
    raw: RawClient, server: Server, kind: str
) -> None:
    fields = [f"f{n}" for n in range(10)]
    args = [token for field in fields for token in (field, "v" + field)]
    raw.command("HSET", "h", *args)
    if kind == "hashtable":
        raw.command("HSET", "h", "f9", "x" * 100)  # past hash-max-listpack-value
    assert encoding(server, b"h") == kind
    order = [field.encode() for field in fields]
    drawn = parse(raw.command("HRANDFIELD", "h", "-1000"))
    assert isinstance(drawn, list) and len(drawn) == 1000
    counts = Counter(drawn)
    assert set(counts) == set(order)
    assert all(50 < count < 150 for count in counts.values())
    whole = parse(raw.command("HRANDFIELD", "h", "20"))
    assert whole == order  # the whole hash, in its order
    for size in (8, 2):  # removal from a copy, and (for a hashtable) drawing
        seen: Counter[bytes] = Counter()
        for _ in range(200):
            chosen = parse(raw.command("HRANDFIELD", "h", size))
            assert isinstance(chosen, list) and len(set(chosen)) == size
            if kind == "listpack" or size == 8:
                assert chosen == sorted(chosen, key=order.index)
            seen.update(chosen)
        assert set(seen) == set(order)
    with_values = parse(raw.command("HRANDFIELD", "h", "3", "WITHVALUES"))
    assert isinstance(with_values, list) and len(with_values) == 6
    for field, value in zip(with_values[::2], with_values[1::2], strict=True):
        assert parse(raw.command("HGET", "h", field)) == value


# -- HSCAN ------------------------------------------------------------------------------


def test_hscan_of_a_listpack_answers_everything_at_once(rawp: RawClient) -> None:
    rawp.command("HSET", "h", "a", "1", "b", "2", "ab", "3")
    everything = bulks("a", "1", "b", "2", "ab", "3")
    assert rawp.command("HSCAN", "h", "0") == array(bulk("0"), everything)
    assert rawp.command("HSCAN", "h", "123", "COUNT", "1") == array(bulk("0"), everything)
    assert rawp.command("HSCAN", "h", "0", "NOVALUES") == array(bulk("0"), bulks("a", "b", "ab"))
    assert rawp.command("HSCAN", "h", "0", "MATCH", "a*") == array(
        bulk("0"), bulks("a", "1", "ab", "3")
    )
    assert rawp.command("HSCAN", "h", "0", "match", "[b]", "novalues") == array(
        bulk("0"), bulks("b")
    )
    assert rawp.command("HSCAN", "nokey", "0") == array(bulk("0"), b"*0\r\n")
    assert rawp.command("HSCAN", "nokey", "0", "COUNT", "x") == array(bulk("0"), b"*0\r\n")


def test_hscan_errors(rawp: RawClient) -> None:
    rawp.command("HSET", "h", "a", "1")
    assert rawp.command("HSCAN", "h", "abc") == b"-ERR invalid cursor\r\n"
    assert rawp.command("HSCAN", "h", "18446744073709551616") == b"-ERR invalid cursor\r\n"
    assert rawp.command("HSCAN", "h", "0", "COUNT", "0") == SYNTAX
    assert rawp.command("HSCAN", "h", "0", "COUNT", "x") == NOT_INTEGER
    assert rawp.command("HSCAN", "h", "0", "COUNT") == SYNTAX
    assert rawp.command("HSCAN", "h", "0", "MATCH") == SYNTAX
    assert rawp.command("HSCAN", "h", "0", "TYPE", "hash") == SYNTAX
    assert rawp.command("HSCAN", "h", "0", "NOSCORES") == (
        b"-ERR NOSCORES option can only be used in ZSCAN\r\n"
    )
    assert rawp.command("HSCAN", "h", "0", "COUNT", "1", "COUNT", "x") == NOT_INTEGER


def test_hscan_of_a_hashtable_walks_with_a_cursor(raw: RawClient, server: Server) -> None:
    fields = {f"field:{n}".encode(): f"{n}".encode() for n in range(1000)}
    raw.command("HSET", "h", *(token for pair in fields.items() for token in pair))
    assert encoding(server, b"h") == "hashtable"
    seen: dict[bytes, bytes] = {}
    cursor, calls = b"0", 0
    while True:
        reply = parse(raw.command("HSCAN", "h", cursor, "COUNT", "50"))
        assert isinstance(reply, list)
        cursor, items = reply
        assert isinstance(cursor, bytes) and isinstance(items, list)
        assert len(items) <= 100
        seen.update(zip(items[::2], items[1::2], strict=True))
        calls += 1
        if cursor == b"0":
            break
    assert seen == fields
    assert calls >= 20
    # a COUNT past the size walks everything in one call
    only = parse(raw.command("HSCAN", "h", "0", "COUNT", "2000", "MATCH", "field:99?", "NOVALUES"))
    assert isinstance(only, list) and only[0] == b"0"
    assert sorted(only[1]) == [f"field:{n}".encode() for n in range(990, 1000)]  # type: ignore[arg-type]


# -- encodings ------------------------------------------------------------------------------


def test_conversions_under_the_limits(limited: tuple[RawClient, Server]) -> None:
    client, server = limited
    client.command("HSET", "a", "f", "1", "g", "2", "h", "3", "i", "4")
    assert encoding(server, b"a") == "listpack"
    client.command("HSET", "a", "j", "5")
    assert encoding(server, b"a") == "hashtable"
    client.command("HDEL", "a", "f", "g", "h", "i")
    assert encoding(server, b"a") == "hashtable"  # never back
    # five pairs in one command convert even when they name one field
    client.command("HSET", "b", *["f", "1"] * 5)
    assert encoding(server, b"b") == "hashtable"
    assert client.command("HLEN", "b") == b":1\r\n"
    client.command("HSET", "c", "abcdefgh", "12345678")
    assert encoding(server, b"c") == "listpack"
    client.command("HSET", "c", "x", "123456789")
    assert encoding(server, b"c") == "hashtable"
    # HSETNX on a present field writes nothing, so converts nothing
    client.command("HSET", "d", "f", "1")
    client.command("HSETNX", "d", "f", "123456789")
    assert encoding(server, b"d") == "listpack"
    client.command("HSETNX", "d", "g", "123456789")
    assert encoding(server, b"d") == "hashtable"
    # HINCRBYFLOAT's result, or HINCRBY's field, past the value limit
    client.command("HSET", "e", "tmp", "0")
    client.command("HINCRBYFLOAT", "e", "tmp", "0.000005")  # 8 bytes: 0.000005
    assert encoding(server, b"e") == "listpack"
    client.command("HINCRBYFLOAT", "e", "tmp", "0.0000005")  # 0.0000055: 9 bytes
    assert encoding(server, b"e") == "hashtable"
    client.command("HINCRBY", "f", "abcdefghi", "1")
    assert encoding(server, b"f") == "hashtable"
    client.command("HINCRBY", "g", "abcdefgh", "99999999")
    assert encoding(server, b"g") == "listpack"
    client.command("HINCRBY", "g", "abcdefgh", "1")  # 100000000: 9 bytes
    assert encoding(server, b"g") == "hashtable"


def test_a_lowered_limit_converts_on_the_next_write(limited: tuple[RawClient, Server]) -> None:
    client, server = limited
    client.command("HSET", "a", "f", "1", "g", "2")
    client.command("CONFIG", "SET", "hash-max-listpack-entries", "1")
    client.command("HSETNX", "a", "f", "x")  # nothing written
    assert encoding(server, b"a") == "listpack"
    client.command("HSET", "a", "f", "x")  # an update, and the hash is over the limit
    assert encoding(server, b"a") == "hashtable"
    client.command("CONFIG", "SET", "hash-max-listpack-entries", "0")
    for command in (("HSET", "b", "f", "1"), ("HSETNX", "c", "f", "1"),
                    ("HINCRBY", "d", "f", "1"), ("HINCRBYFLOAT", "e", "f", "1")):
        client.command(*command)
        assert encoding(server, command[1].encode()) == "hashtable"


def test_copy_keeps_the_encoding_and_shares_nothing(limited: tuple[RawClient, Server]) -> None:
    client, server = limited
    client.command("HSET", "a", "f", "123456789")
    assert client.command("COPY", "a", "b") == b":1\r\n"
    assert encoding(server, b"b") == "hashtable"
    client.command("HSET", "b", "g", "1")
    assert client.command("HLEN", "a") == b":1\r\n"
    assert client.command("HLEN", "b") == b":2\r\n"


# -- events, WATCH, stats ----------------------------------------------------------------------


def test_keyspace_events(make_server: Callable[..., Server]) -> None:
    server = make_server()
    seen: list[tuple[int, str, bytes, int]] = []
    server.core.keyspace.event_sink = lambda *event: seen.append(event)
    with RawClient(server.port) as client:
        assert client.command("CONFIG", "SET", "notify-keyspace-events", "KEA") == b"+OK\r\n"
        for command in (
            ("HSET", "h", "a", "1", "b", "2"), ("HSETNX", "h", "a", "1"), ("HSETNX", "h", "c", "1"),
            ("HMSET", "h", "d", "1"), ("HINCRBY", "h", "n", "1"), ("HINCRBYFLOAT", "h", "n", "1"),
            ("HDEL", "h", "zz"), ("HDEL", "h", "a"), ("HDEL", "h", "b", "c", "d", "n", "x"),
            ("HINCRBY", "h", "n", "x"), ("HSET", "s", "a"), ("HGET", "h", "a"),
        ):
            client.command(*command)
    hash_class, generic = 1 << 6, 1 << 2
    assert [(cls, event, key) for cls, event, key, _ in seen] == [
        (hash_class, "hset", b"h"),
        (hash_class, "hset", b"h"),
        (hash_class, "hset", b"h"),
        (hash_class, "hincrby", b"h"),
        (hash_class, "hincrbyfloat", b"h"),
        (hash_class, "hdel", b"h"),
        (hash_class, "hdel", b"h"),
        (generic, "del", b"h"),
    ]


@pytest.mark.parametrize(
    ("command", "dirty"),
    [
        (("HSETNX", "h", "a", "z"), False),
        (("HSETNX", "h", "n", "1"), True),
        (("HDEL", "h", "nope"), False),
        (("HDEL", "h", "a"), True),
        (("HSET", "h", "a", "1"), True),  # the same value: still a write
        (("HMSET", "h", "a", "1"), True),
        (("HINCRBY", "h", "a", "0"), True),
        (("HINCRBY", "h", "s", "1"), False),  # an error writes nothing
        (("HINCRBYFLOAT", "h", "s", "1"), False),
        (("HGET", "h", "a"), False),
        (("HRANDFIELD", "h", "1"), False),
        (("HSCAN", "h", "0"), False),
    ],
)
def test_watch_sees_what_changes_a_hash(
    server: Server, raw: RawClient, command: tuple[str, ...], dirty: bool
) -> None:
    raw.command("HSET", "h", "a", "1", "s", "x")
    with RawClient(server.port) as other:
        assert raw.command("WATCH", "h") == b"+OK\r\n"
        other.command(*command)
        raw.command("MULTI")
        raw.command("PING")
        assert raw.command("EXEC") == (b"*-1\r\n" if dirty else b"*1\r\n+PONG\r\n")


def test_reads_count_keyspace_hits_and_misses(raw: RawClient) -> None:
    def stats() -> tuple[int, int]:
        lines = raw.command("INFO", "stats").decode().split("\r\n")
        fields = dict(line.split(":", 1) for line in lines if ":" in line)
        return int(fields["keyspace_hits"]), int(fields["keyspace_misses"])

    raw.command("HSET", "h", "a", "1")
    raw.command("SET", "s", "x")
    raw.command("CONFIG", "RESETSTAT")
    expected = [
        (("HGET", "h", "a"), (1, 0)), (("HGET", "no", "a"), (1, 1)), (("HGET", "s", "a"), (2, 1)),
        (("HMGET", "no", "a"), (2, 2)), (("HMGET", "h", "a"), (3, 2)), (("HGETALL", "no"), (3, 3)),
        (("HKEYS", "h"), (4, 3)), (("HVALS", "s"), (5, 3)), (("HLEN", "no"), (5, 4)),
        (("HSTRLEN", "h", "a"), (6, 4)), (("HEXISTS", "no", "a"), (6, 5)),
        (("HRANDFIELD", "no"), (6, 6)), (("HRANDFIELD", "h", "2"), (7, 6)),
        (("HRANDFIELD", "h", "x"), (7, 6)), (("HRANDFIELD", "no", "1", "bad"), (7, 6)),
        (("HSCAN", "no", "0"), (7, 7)), (("HSCAN", "h", "x"), (7, 7)),
        (("HSCAN", "h", "0", "COUNT", "0"), (8, 7)),
        (("HSET", "h", "b", "2"), (8, 7)), (("HDEL", "no", "a"), (8, 7)),
        (("HINCRBY", "h", "c", "1"), (8, 7)), (("HINCRBYFLOAT", "no2", "c", "1"), (8, 7)),
        (("HSETNX", "h", "a", "1"), (8, 7)),
    ]
    for command, counts in expected:
        raw.command(*command)
        assert stats() == counts, command


def test_command_info(raw: RawClient) -> None:
    key_spec = (
        b"*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+%s\r\n+%s\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype"
        b"\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n"
        b"$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep"
        b"\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n"
    )
    assert raw.command("COMMAND", "INFO", "hset", "hrandfield") == (
        b"*2\r\n*10\r\n$4\r\nhset\r\n:-4\r\n*3\r\n+write\r\n+denyoom\r\n+fast\r\n:1\r\n:1\r\n:1\r\n"
        b"*3\r\n+@write\r\n+@hash\r\n+@fast\r\n*0\r\n" + key_spec % (b"RW", b"update")
        + b"*10\r\n$10\r\nhrandfield\r\n:-2\r\n*1\r\n+readonly\r\n:1\r\n:1\r\n:1\r\n*3\r\n"
        b"+@read\r\n+@hash\r\n+@slow\r\n*1\r\n$23\r\nnondeterministic_output\r\n"
        + key_spec % (b"RO", b"access")
    )


def test_pipelined_writes(raw: RawClient) -> None:
    raw.send(b"".join(encode_command("HINCRBY", "h", "n", "1") for _ in range(100)))
    replies = [raw.read_reply() for _ in range(100)]
    assert replies[-1] == b":100\r\n"
