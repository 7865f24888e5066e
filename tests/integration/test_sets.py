"""Set commands over real sockets (RESP2 and RESP3), replies checked against Valkey 8.0.1.

SADD, SREM, SCARD, SISMEMBER, SMISMEMBER, SMEMBERS, SRANDMEMBER, SPOP, SMOVE, SSCAN,
SINTER, SINTERCARD, SINTERSTORE, SUNION, SUNIONSTORE, SDIFF, SDIFFSTORE: replies,
error texts and their order, encodings (read from the server's keyspace, as OBJECT
ENCODING would report them) under the set-max-* settings, keyspace events, WATCH
touches and keyspace hits/misses. Where Valkey's order is unspecified (hashtables,
random picks) the members are compared sorted.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from helpers import RawClient

from minivalkey import Server
from minivalkey.clock import ManualClock
from minivalkey.core import ServerCore
from minivalkey.dispatcher import execute
from minivalkey.session import Client

NULL = {2: b"$-1\r\n", 3: b"_\r\n"}
SET_HEAD = {2: b"*", 3: b"~"}
WRONGTYPE = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
NOT_INTEGER = b"-ERR value is not an integer or out of range\r\n"
SYNTAX = b"-ERR syntax error\r\n"
MUST_BE_POSITIVE = b"-ERR value is out of range, must be positive\r\n"
ZERO, ONE = b":0\r\n", b":1\r\n"
OK = b"+OK\r\n"


@pytest.fixture(params=[2, 3], ids=["resp2", "resp3"])
def protocol(request: pytest.FixtureRequest) -> int:
    return int(request.param)


@pytest.fixture
def rawp(raw: RawClient, protocol: int) -> RawClient:
    """The ``raw`` client speaking RESP2 or RESP3, with Valkey's default thresholds."""
    if protocol == 3:
        assert raw.command("HELLO", "3").startswith(b"%")
    for name, value in (
        ("set-max-intset-entries", "512"),
        ("set-max-listpack-entries", "128"),
        ("set-max-listpack-value", "64"),
    ):
        assert raw.command("CONFIG", "SET", name, value) == OK
    return raw


def bulk(value: bytes | str) -> bytes:
    data = value.encode() if isinstance(value, str) else value
    return b"$%d\r\n%s\r\n" % (len(data), data)


def array(*items: bytes | str, head: bytes = b"*") -> bytes:
    return head + b"%d\r\n" % len(items) + b"".join(bulk(item) for item in items)


def set_reply(protocol: int, *items: bytes | str) -> bytes:
    """A set reply: ``~`` in RESP3, an array in RESP2."""
    return array(*items, head=SET_HEAD[protocol])


def members_of(reply: bytes) -> list[bytes]:
    """The bulk strings of a flat array or set reply, in order."""
    lines = reply.split(b"\r\n")
    assert lines[0][:1] in (b"*", b"~"), reply
    return [lines[index] for index in range(2, len(lines) - 1, 2)]


def encoding(server: Server, key: bytes, db: int = 0) -> str | None:
    """The key's set encoding, read on the server's own thread (OBJECT ENCODING's answer)."""
    found: list[str | None] = []
    done = threading.Event()

    def read() -> None:
        value = server.core.keyspace[db].data.get(key)
        found.append(None if value is None else value.encoding)
        done.set()

    assert server._loop is not None
    server._loop.call_soon_threadsafe(read)
    assert done.wait(5)
    return found[0]


def sadd(client: RawClient, key: str, *members: str | int) -> None:
    reply = client.command("SADD", key, *members)
    assert reply.startswith(b":"), reply


# -- SADD, SCARD, SISMEMBER, SMISMEMBER, SMEMBERS -----------------------------------------------


def test_sadd_and_reads(rawp: RawClient, protocol: int) -> None:
    assert rawp.command("SADD", "s", "a", "b", "a") == b":2\r\n"
    assert rawp.command("SADD", "s", "b", "c") == ONE
    assert rawp.command("SADD", "s", "a") == ZERO
    assert rawp.command("SCARD", "s") == b":3\r\n"
    assert rawp.command("SISMEMBER", "s", "a") == ONE
    assert rawp.command("SISMEMBER", "s", "z") == ZERO
    assert rawp.command("SMISMEMBER", "s", "a", "z", "c") == b"*3\r\n:1\r\n:0\r\n:1\r\n"
    assert rawp.command("SMEMBERS", "s") == set_reply(protocol, "a", "b", "c")
    assert rawp.command("TYPE", "s") == b"+set\r\n"


def test_reads_of_a_missing_key(rawp: RawClient, protocol: int) -> None:
    assert rawp.command("SCARD", "no") == ZERO
    assert rawp.command("SISMEMBER", "no", "a") == ZERO
    assert rawp.command("SMISMEMBER", "no", "a", "b") == b"*2\r\n:0\r\n:0\r\n"
    assert rawp.command("SMEMBERS", "no") == SET_HEAD[protocol] + b"0\r\n"
    assert rawp.command("EXISTS", "no") == ZERO


def test_smembers_order_intset_numeric_listpack_insertion(
    server: Server, rawp: RawClient, protocol: int
) -> None:
    sadd(rawp, "i", 10, -3, 7, 9223372036854775807, 0)
    assert encoding(server, b"i") == "intset"
    assert rawp.command("SMEMBERS", "i") == set_reply(
        protocol, "-3", "0", "7", "10", "9223372036854775807"
    )
    sadd(rawp, "l", "z", 5, "a", 1)
    rawp.command("SREM", "l", "a")
    sadd(rawp, "l", "a")
    assert encoding(server, b"l") == "listpack"
    assert rawp.command("SMEMBERS", "l") == set_reply(protocol, "z", "5", "1", "a")
    # An intset given a string becomes a listpack: the integers in order, then the string.
    sadd(rawp, "i", "x")
    assert encoding(server, b"i") == "listpack"
    assert rawp.command("SMEMBERS", "i") == set_reply(
        protocol, "-3", "0", "7", "10", "9223372036854775807", "x"
    )


def test_members_that_only_look_like_integers(server: Server, rawp: RawClient) -> None:
    sadd(rawp, "s", "01", "1", "-0", "+1", " 1", "9223372036854775808")
    assert encoding(server, b"s") == "listpack"  # "01" came first: no intset
    assert rawp.command("SCARD", "s") == b":6\r\n"
    assert rawp.command("SISMEMBER", "s", "1") == ONE
    assert rawp.command("SISMEMBER", "s", "001") == ZERO
    sadd(rawp, "i", 1, 2)
    assert rawp.command("SISMEMBER", "i", "01") == ZERO
    assert rawp.command("SREM", "i", "01", "+2") == ZERO
    sadd(rawp, "big", "213244124402402314402033402")
    assert encoding(server, b"big") == "listpack"


def test_binary_members(rawp: RawClient, protocol: int) -> None:
    member = b"a\x00b\r\n\xff"
    assert rawp.command("SADD", "s", member, b"") == b":2\r\n"
    assert rawp.command("SISMEMBER", "s", member) == ONE
    assert rawp.command("SISMEMBER", "s", b"a") == ZERO
    assert rawp.command("SMEMBERS", "s") == set_reply(protocol, member, b"")


# -- encodings and their conversions ---------------------------------------------------------


def test_sadd_encodings_under_the_default_thresholds(server: Server, rawp: RawClient) -> None:
    sadd(rawp, "i", *range(512))
    assert encoding(server, b"i") == "intset"
    sadd(rawp, "i", 512)
    assert encoding(server, b"i") == "hashtable"
    sadd(rawp, "l", "a", *range(127))
    assert encoding(server, b"l") == "listpack"
    sadd(rawp, "l", "b")
    assert encoding(server, b"l") == "hashtable"
    sadd(rawp, "v", "x" * 64)
    assert encoding(server, b"v") == "listpack"
    sadd(rawp, "v", "y" * 65)
    assert encoding(server, b"v") == "hashtable"
    # An intset of more than 127 members given a string goes straight to a hashtable.
    sadd(rawp, "j", *range(128))
    sadd(rawp, "j", "a")
    assert encoding(server, b"j") == "hashtable"
    sadd(rawp, "k", *range(127))
    sadd(rawp, "k", "a")
    assert encoding(server, b"k") == "listpack"


def test_one_sadd_decides_the_encoding_from_its_batch(server: Server, rawp: RawClient) -> None:
    sadd(rawp, "new", "a", *range(128))  # 129 members announced: a hashtable at once
    assert encoding(server, b"new") == "hashtable"
    sadd(rawp, "ints", *range(513))
    assert encoding(server, b"ints") == "hashtable"
    sadd(rawp, "lp", "a")
    assert rawp.command("SADD", "lp", *(["a"] * 129)) == ZERO  # duplicates only, yet...
    assert encoding(server, b"lp") == "hashtable"  # ...the batch was too large
    sadd(rawp, "is", 1)
    assert rawp.command("SADD", "is", *(["1"] * 513)) == ZERO
    assert encoding(server, b"is") == "hashtable"
    sadd(rawp, "first", "a", 1, 2)
    assert encoding(server, b"first") == "listpack"


def test_encodings_follow_config_set(server: Server, rawp: RawClient) -> None:
    assert rawp.command("CONFIG", "SET", "set-max-intset-entries", "3") == OK
    assert rawp.command("CONFIG", "SET", "set-max-listpack-entries", "4") == OK
    assert rawp.command("CONFIG", "SET", "set-max-listpack-value", "5") == OK
    sadd(rawp, "i", 1, 2, 3)
    assert encoding(server, b"i") == "intset"
    sadd(rawp, "i", 4)
    assert encoding(server, b"i") == "hashtable"
    sadd(rawp, "j", 1, 2, 3, 4)  # past the intset limit, within the listpack one
    assert encoding(server, b"j") == "listpack"
    sadd(rawp, "k", 123456)
    sadd(rawp, "k", "a")  # the integer is longer than the listpack value limit
    assert encoding(server, b"k") == "hashtable"
    sadd(rawp, "m", -1234)
    sadd(rawp, "m", "abcde")
    assert encoding(server, b"m") == "listpack"
    sadd(rawp, "m", "abcdef")
    assert encoding(server, b"m") == "hashtable"
    assert rawp.command("CONFIG", "SET", "set-max-intset-entries", "0") == OK
    sadd(rawp, "z", 1)
    assert encoding(server, b"z") == "listpack"
    assert rawp.command("CONFIG", "SET", "set-max-listpack-entries", "0") == OK
    sadd(rawp, "h", "a")
    assert encoding(server, b"h") == "hashtable"


def test_removals_keep_the_encoding(server: Server, rawp: RawClient) -> None:
    sadd(rawp, "s", 1, 2, 3, "a")
    rawp.command("SREM", "s", "a")
    assert encoding(server, b"s") == "listpack"
    sadd(rawp, "h", "x" * 70, 1)
    rawp.command("SREM", "h", "x" * 70)
    assert encoding(server, b"h") == "hashtable"


# -- SREM ------------------------------------------------------------------------------------------


def test_srem(rawp: RawClient, protocol: int) -> None:
    assert rawp.command("SREM", "no", "a") == ZERO
    sadd(rawp, "s", "a", "b", "c", "d")
    assert rawp.command("SREM", "s", "k", "k") == ZERO
    assert rawp.command("SREM", "s", "b", "d", "x", "b") == b":2\r\n"
    assert rawp.command("SMEMBERS", "s") == set_reply(protocol, "a", "c")
    assert rawp.command("SREM", "s", "a", "c", "a", "z") == b":2\r\n"
    assert rawp.command("EXISTS", "s") == ZERO
    sadd(rawp, "i", 1, 2, 3)
    assert rawp.command("SREM", "i", 1, 2, 3, 4, 5, 6) == b":3\r\n"
    assert rawp.command("EXISTS", "i") == ZERO


# -- SMOVE -----------------------------------------------------------------------------------------


def test_smove(server: Server, rawp: RawClient, protocol: int) -> None:
    sadd(rawp, "src", 1, "a", "b")
    sadd(rawp, "dst", 2, 3, 4)
    assert rawp.command("SMOVE", "src", "dst", 1) == ONE
    assert encoding(server, b"dst") == "intset"
    assert rawp.command("SMOVE", "src", "dst", "a") == ONE
    assert encoding(server, b"dst") == "listpack"
    assert rawp.command("SMEMBERS", "dst") == set_reply(protocol, "1", "2", "3", "4", "a")
    assert rawp.command("SMEMBERS", "src") == set_reply(protocol, "b")
    assert rawp.command("SMOVE", "src", "dst", "nope") == ZERO
    assert rawp.command("SMOVE", "nosuch", "dst", "b") == ZERO
    assert rawp.command("SMOVE", "src", "src", "b") == ONE  # same key: membership only
    assert rawp.command("SMOVE", "src", "src", "nope") == ZERO
    assert rawp.command("SMOVE", "src", "new", "b") == ONE  # the source empties and goes
    assert rawp.command("EXISTS", "src") == ZERO
    assert encoding(server, b"new") == "listpack"
    assert rawp.command("SMOVE", "dst", "newi", 4) == ONE
    assert encoding(server, b"newi") == "intset"
    assert rawp.command("SMOVE", "dst", "new", 1) == ONE
    assert rawp.command("SMOVE", "dst", "new", 1) == ZERO
    sadd(rawp, "dst", "b")
    assert rawp.command("SMOVE", "dst", "new", "b") == ONE  # already there: only removed
    assert rawp.command("SMEMBERS", "new") == set_reply(protocol, "b", "1")


def test_smove_type_checks(rawp: RawClient) -> None:
    rawp.command("SET", "str", "x")
    sadd(rawp, "s", "a")
    assert rawp.command("SMOVE", "str", "s", "a") == WRONGTYPE
    assert rawp.command("SMOVE", "s", "str", "a") == WRONGTYPE
    assert rawp.command("SMOVE", "s", "str", "nope") == WRONGTYPE  # checked before the member
    assert rawp.command("SMOVE", "nosuch", "str", "a") == ZERO  # a missing source wins
    assert rawp.command("SISMEMBER", "s", "a") == ONE


# -- SPOP ------------------------------------------------------------------------------------------


def test_spop_without_count(rawp: RawClient, protocol: int) -> None:
    assert rawp.command("SPOP", "no") == NULL[protocol]
    sadd(rawp, "s", "a", "b", "c")
    popped = {rawp.command("SPOP", "s") for _ in range(3)}
    assert popped == {bulk("a"), bulk("b"), bulk("c")}
    assert rawp.command("EXISTS", "s") == ZERO
    sadd(rawp, "i", 7)
    assert rawp.command("SPOP", "i") == bulk("7")
    assert rawp.command("SPOP", "i", "1", "2") == SYNTAX


def test_spop_count_errors_and_empty_replies(rawp: RawClient, protocol: int) -> None:
    empty = SET_HEAD[protocol] + b"0\r\n"
    for bad in ("-1", "abc", "1.5", "", "9223372036854775808", "-9223372036854775808"):
        assert rawp.command("SPOP", "no", bad) == MUST_BE_POSITIVE
    assert rawp.command("SPOP", "no", "3") == empty
    sadd(rawp, "s", "a")
    assert rawp.command("SPOP", "s", "0") == empty
    assert rawp.command("SPOP", "s", "-1") == MUST_BE_POSITIVE
    rawp.command("SET", "str", "x")
    assert rawp.command("SPOP", "str") == WRONGTYPE
    assert rawp.command("SPOP", "str", "1") == WRONGTYPE
    assert rawp.command("SPOP", "str", "0") == WRONGTYPE
    assert rawp.command("SPOP", "str", "-1") == MUST_BE_POSITIVE  # the count comes first


def test_spop_count_of_the_whole_set(rawp: RawClient, protocol: int) -> None:
    sadd(rawp, "i", 3, 1, 2)
    assert rawp.command("SPOP", "i", "3") == set_reply(protocol, "1", "2", "3")
    assert rawp.command("EXISTS", "i") == ZERO
    sadd(rawp, "l", "b", "a", 1)
    reply = rawp.command("SPOP", "l", "10")
    assert reply[:1] == SET_HEAD[protocol]
    assert sorted(members_of(reply)) == [b"1", b"a", b"b"]
    assert rawp.command("EXISTS", "l") == ZERO


@pytest.mark.parametrize(
    ("members", "count", "after"),
    [
        # Few popped: random pops, the set keeps its encoding.
        ([str(n) for n in range(20)], 2, "intset"),
        (["a"] + [str(n) for n in range(19)], 2, "listpack"),
        ([f"m{n}" for n in range(200)], 10, "hashtable"),
        # Few kept: the set is rebuilt from them, as a listpack (or an intset for one).
        ([str(n) for n in range(20)], 18, "intset"),
        (["a"] + [str(n) for n in range(19)], 18, "listpack"),
        ([f"m{n}" for n in range(200)], 190, "listpack"),
        ([str(n) for n in range(600)], 590, "listpack"),  # a hashtable of integers
    ],
)
def test_spop_count_encodings(
    server: Server,
    rawp: RawClient,
    protocol: int,
    members: list[str],
    count: int,
    after: str,
) -> None:
    sadd(rawp, "s", *members)
    reply = rawp.command("SPOP", "s", str(count))
    assert reply[:1] == SET_HEAD[protocol]
    popped = members_of(reply)
    assert len(popped) == count == len(set(popped))
    left = members_of(rawp.command("SMEMBERS", "s"))
    assert sorted(popped + left) == sorted(member.encode() for member in members)
    assert encoding(server, b"s") == after


def test_spop_count_keeps_the_order_of_an_intset_and_a_listpack(rawp: RawClient) -> None:
    sadd(rawp, "i", *range(20, 0, -1))
    popped = members_of(rawp.command("SPOP", "i", "18"))  # the rebuilt case
    assert popped == sorted(popped, key=int)
    letters = [chr(ord("a") + n) for n in range(20)]
    sadd(rawp, "l", *letters)
    for count in ("3", "5", "10"):  # picked from 20, from 17, then all but 2 of 12
        popped = members_of(rawp.command("SPOP", "l", count))
        assert len(popped) == int(count)
        assert popped == sorted(popped)  # the listpack's order is the insertion order here
    left = members_of(rawp.command("SMEMBERS", "l"))
    assert left == sorted(left)


def test_spop_count_rebuilt_set_past_the_listpack_value_limit(
    server: Server, rawp: RawClient
) -> None:
    long_member = "x" * 70
    sadd(rawp, "s", long_member, *(f"m{n}" for n in range(19)))
    rawp.command("SPOP", "s", "18")
    left = members_of(rawp.command("SMEMBERS", "s"))
    assert len(left) == 2
    expected = "hashtable" if long_member.encode() in left else "listpack"
    assert encoding(server, b"s") == expected


# -- SRANDMEMBER ---------------------------------------------------------------------------------


def test_srandmember_without_count(rawp: RawClient, protocol: int) -> None:
    assert rawp.command("SRANDMEMBER", "no") == NULL[protocol]
    sadd(rawp, "s", "a", "b")
    seen = {rawp.command("SRANDMEMBER", "s") for _ in range(60)}
    assert seen == {bulk("a"), bulk("b")}
    assert rawp.command("SRANDMEMBER", "s", "1", "2") == SYNTAX
    assert rawp.command("SCARD", "s") == b":2\r\n"


def test_srandmember_count_replies(rawp: RawClient) -> None:
    assert rawp.command("SRANDMEMBER", "no", "5") == b"*0\r\n"  # an array, even in RESP3
    assert rawp.command("SRANDMEMBER", "no", "-5") == b"*0\r\n"
    sadd(rawp, "one", 5)
    assert rawp.command("SRANDMEMBER", "one", "0") == b"*0\r\n"
    assert rawp.command("SRANDMEMBER", "one", "1") == array("5")
    assert rawp.command("SRANDMEMBER", "one", "3") == array("5")
    assert rawp.command("SRANDMEMBER", "one", "-3") == array("5", "5", "5")
    assert rawp.command("SRANDMEMBER", "one", "-1") == array("5")
    sadd(rawp, "i", 3, 1, 2)
    assert rawp.command("SRANDMEMBER", "i", "3") == array("1", "2", "3")
    assert rawp.command("SRANDMEMBER", "i", "100") == array("1", "2", "3")
    sadd(rawp, "l", "c", "a", "b")
    assert rawp.command("SRANDMEMBER", "l", "9223372036854775807") == array("c", "a", "b")


def test_srandmember_count_errors(rawp: RawClient) -> None:
    sadd(rawp, "s", "a")
    assert rawp.command("SRANDMEMBER", "s", "-9223372036854775808") == (
        b"-ERR value is out of range, value must between -9223372036854775807 and "
        b"9223372036854775807\r\n"
    )
    assert rawp.command("SRANDMEMBER", "no", "-9223372036854775808").startswith(
        b"-ERR value is out of range"
    )
    for bad in ("abc", "1.0", "", "9223372036854775808", " 1"):
        assert rawp.command("SRANDMEMBER", "s", bad) == NOT_INTEGER
    rawp.command("SET", "str", "x")
    assert rawp.command("SRANDMEMBER", "str") == WRONGTYPE
    assert rawp.command("SRANDMEMBER", "str", "2") == WRONGTYPE
    assert rawp.command("SRANDMEMBER", "str", "0") == WRONGTYPE
    assert rawp.command("SRANDMEMBER", "str", "x") == NOT_INTEGER  # the count comes first


@pytest.mark.parametrize(
    "members",
    [
        [str(n) for n in range(50)],
        ["a"] + [str(n) for n in range(49)],
        ["x" * 70] + [f"m{n}" for n in range(49)],
    ],
    ids=["intset", "listpack", "hashtable"],
)
def test_srandmember_count_paths(rawp: RawClient, members: list[str]) -> None:
    sadd(rawp, "s", *members)
    everything = sorted(member.encode() for member in members)
    repeated = members_of(rawp.command("SRANDMEMBER", "s", "-100"))
    assert len(repeated) == 100 and set(repeated) <= set(everything)
    for size in (50, 100):
        assert sorted(members_of(rawp.command("SRANDMEMBER", "s", str(size)))) == everything
    for size in (45, 5):  # a subset by removal, and one by picking
        seen: set[bytes] = set()
        for _ in range(300):
            picked = members_of(rawp.command("SRANDMEMBER", "s", str(size)))
            assert len(picked) == size == len(set(picked))
            seen.update(picked)
            if len(seen) == len(everything):
                break
        assert sorted(seen) == everything


def test_srandmember_of_a_listpack_keeps_its_order(rawp: RawClient) -> None:
    letters = [chr(ord("a") + n) for n in range(26)]
    sadd(rawp, "l", *letters)
    for _ in range(20):
        picked = members_of(rawp.command("SRANDMEMBER", "l", "7"))
        assert picked == sorted(picked)


def test_srandmember_a_repeated_pick_too_long_to_answer(rawp: RawClient) -> None:
    sadd(rawp, "s", "a")
    reply = rawp.command("SRANDMEMBER", "s", "-2147483649")
    assert reply == b"-ERR SRANDMEMBER count is too large for this server\r\n"
    assert rawp.command("SRANDMEMBER", "s", "2147483649") == array("a")


# -- SINTER, SINTERCARD, SINTERSTORE ---------------------------------------------------------------


def test_sinter(rawp: RawClient, protocol: int) -> None:
    sadd(rawp, "a", 5, 1, 3, 4)
    sadd(rawp, "b", 4, 3, "x", 1)
    sadd(rawp, "c", "x", 3, 1, "y")
    assert rawp.command("SINTER", "a", "b") == set_reply(protocol, "1", "3", "4")
    # The smallest set leads: b and c are listpacks of four, b (first given) is walked.
    assert rawp.command("SINTER", "c", "b") == set_reply(protocol, "x", "3", "1")
    assert rawp.command("SINTER", "b", "c") == set_reply(protocol, "3", "x", "1")
    assert rawp.command("SINTER", "a", "b", "c") == set_reply(protocol, "1", "3")
    assert rawp.command("SINTER", "a", "a", "a") == set_reply(protocol, "1", "3", "4", "5")
    assert rawp.command("SINTER", "a", "no") == SET_HEAD[protocol] + b"0\r\n"
    assert rawp.command("SINTER", "no") == SET_HEAD[protocol] + b"0\r\n"


def test_set_algebra_type_checks(rawp: RawClient, protocol: int) -> None:
    rawp.command("SET", "str", "x")
    sadd(rawp, "s", "a")
    for name in ("SINTER", "SUNION", "SDIFF"):
        assert rawp.command(name, "str", "no") == WRONGTYPE
        assert rawp.command(name, "no", "str") == WRONGTYPE
        assert rawp.command(name, "s", "str") == WRONGTYPE
        assert rawp.command(name, "str", "s") == WRONGTYPE
    for name in ("SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"):
        assert rawp.command(name, "dst", "str", "no") == WRONGTYPE
        assert rawp.command(name, "dst", "no", "str") == WRONGTYPE
        assert rawp.command(name, "s", "s", "str") == WRONGTYPE
        assert rawp.command("SMEMBERS", "s") == set_reply(protocol, "a")
    assert rawp.command("EXISTS", "dst") == ZERO
    assert rawp.command("SINTERCARD", "2", "no", "str") == WRONGTYPE
    assert rawp.command("SINTERCARD", "1", "str") == WRONGTYPE


def test_sinterstore(server: Server, rawp: RawClient, protocol: int) -> None:
    sadd(rawp, "a", "a", "b", "c", 1, 3, 6, "x")
    sadd(rawp, "b", "e", "f", 1, 2, 3, "x")
    assert rawp.command("SINTERSTORE", "d", "a", "b") == b":3\r\n"
    assert rawp.command("SMEMBERS", "d") == set_reply(protocol, "1", "3", "x")
    assert encoding(server, b"d") == "listpack"
    rawp.command("SREM", "b", "x")
    assert rawp.command("SINTERSTORE", "d", "a", "b") == b":2\r\n"
    assert encoding(server, b"d") == "intset"  # integers only: an intset
    sadd(rawp, "i", 3, 2, 1)
    assert rawp.command("SINTERSTORE", "d", "i", "a") == b":2\r\n"
    assert rawp.command("SMEMBERS", "d") == set_reply(protocol, "1", "3")
    assert encoding(server, b"d") == "intset"


def test_sinterstore_from_hashtables_to_an_intset(server: Server, rawp: RawClient) -> None:
    sadd(rawp, "a", "a", "b", "c", 444, 555, 666, *range(1, 130))
    sadd(rawp, "b", "e", "f", "g", 111, 222, 333, *range(1, 130))
    assert encoding(server, b"a") == encoding(server, b"b") == "hashtable"
    assert rawp.command("SINTERSTORE", "d", "a", "b") == b":129\r\n"
    assert encoding(server, b"d") == "intset"
    rawp.command("CONFIG", "SET", "set-max-intset-entries", "100")
    assert rawp.command("SINTERSTORE", "d", "a", "b") == b":129\r\n"
    assert encoding(server, b"d") == "hashtable"
    rawp.command("CONFIG", "SET", "set-max-listpack-entries", "200")
    assert rawp.command("SINTERSTORE", "d", "a", "b") == b":129\r\n"
    assert encoding(server, b"d") == "listpack"


def test_stores_delete_the_destination_for_an_empty_result(rawp: RawClient) -> None:
    sadd(rawp, "a", "a", "b")
    sadd(rawp, "b", "c")
    for name, sources in (
        ("SINTERSTORE", ("a", "no")),
        ("SINTERSTORE", ("a", "b")),
        ("SUNIONSTORE", ("no", "no2")),
        ("SDIFFSTORE", ("a", "a")),
        ("SDIFFSTORE", ("no", "a")),
        ("SDIFFSTORE", ("b", "no", "b")),
    ):
        rawp.command("SET", "dst", "old")
        assert rawp.command(name, "dst", *sources) == ZERO
        assert rawp.command("EXISTS", "dst") == ZERO
        assert rawp.command(name, "dst", *sources) == ZERO


def test_stores_overwrite_any_type_and_drop_the_ttl(rawp: RawClient, protocol: int) -> None:
    sadd(rawp, "a", 1, 2)
    rawp.command("SET", "dst", "old", "EX", "100")
    assert rawp.command("SUNIONSTORE", "dst", "a") == b":2\r\n"
    assert rawp.command("TTL", "dst") == b":-1\r\n"
    assert rawp.command("SMEMBERS", "dst") == set_reply(protocol, "1", "2")
    assert rawp.command("SINTERSTORE", "a", "a", "dst") == b":2\r\n"  # a source as target


def test_sintercard(rawp: RawClient) -> None:
    sadd(rawp, "a", *range(10))
    sadd(rawp, "b", *range(5, 20))
    assert rawp.command("SINTERCARD", "2", "a", "b") == b":5\r\n"
    assert rawp.command("SINTERCARD", "2", "a", "b", "LIMIT", "0") == b":5\r\n"
    assert rawp.command("SINTERCARD", "2", "a", "b", "limit", "3") == b":3\r\n"
    assert rawp.command("SINTERCARD", "2", "a", "b", "LIMIT", "10") == b":5\r\n"
    assert rawp.command("SINTERCARD", "2", "a", "b", "LIMIT", "1", "LIMIT", "4") == b":4\r\n"
    assert rawp.command("SINTERCARD", "1", "a") == b":10\r\n"
    assert rawp.command("SINTERCARD", "2", "a", "no") == ZERO
    assert rawp.command("SINTERCARD", "1", "no", "LIMIT", "10") == ZERO


@pytest.mark.parametrize(
    ("args", "reply"),
    [
        (["0", "a"], b"-ERR numkeys should be greater than 0\r\n"),
        (["-1", "a"], b"-ERR numkeys should be greater than 0\r\n"),
        (["x", "a"], b"-ERR numkeys should be greater than 0\r\n"),
        (["9223372036854775808", "a"], b"-ERR numkeys should be greater than 0\r\n"),
        (["2", "a"], b"-ERR Number of keys can't be greater than number of args\r\n"),
        (["3", "a", "b"], b"-ERR Number of keys can't be greater than number of args\r\n"),
        (["1", "a", "b"], SYNTAX),
        (["1", "a", "LIMIT"], SYNTAX),
        (["1", "a", "LIMIT", "1", "x"], SYNTAX),
        (["1", "a", "LIMIT", "-1"], b"-ERR LIMIT can't be negative\r\n"),
        (["1", "a", "LIMIT", "x"], b"-ERR LIMIT can't be negative\r\n"),
        (["1", "str", "LIMIT", "x"], b"-ERR LIMIT can't be negative\r\n"),
        ([], b"-ERR wrong number of arguments for 'sintercard' command\r\n"),
        (["1"], b"-ERR wrong number of arguments for 'sintercard' command\r\n"),
    ],
)
def test_sintercard_errors(rawp: RawClient, args: list[str], reply: bytes) -> None:
    rawp.command("SET", "str", "x")
    assert rawp.command("SINTERCARD", *args) == reply


# -- SUNION, SUNIONSTORE, SDIFF, SDIFFSTORE -----------------------------------------------------


def test_sunion_and_sdiff_of_intsets_answer_in_order(rawp: RawClient, protocol: int) -> None:
    sadd(rawp, "a", 5, 1, 3)
    sadd(rawp, "b", 4, 3, 2)
    sadd(rawp, "c", 1)
    assert rawp.command("SUNION", "a", "no", "b") == set_reply(protocol, "1", "2", "3", "4", "5")
    assert rawp.command("SDIFF", "a", "b") == set_reply(protocol, "1", "5")
    assert rawp.command("SDIFF", "a", "b", "c") == set_reply(protocol, "5")
    assert rawp.command("SDIFF", "a", "a") == SET_HEAD[protocol] + b"0\r\n"
    assert rawp.command("SDIFF", "a", "no", "a") == SET_HEAD[protocol] + b"0\r\n"
    assert rawp.command("SDIFF", "no", "a") == SET_HEAD[protocol] + b"0\r\n"
    assert rawp.command("SUNION", "no") == SET_HEAD[protocol] + b"0\r\n"


def test_sunion_and_sdiff_with_strings(rawp: RawClient, protocol: int) -> None:
    sadd(rawp, "a", "a", "b", "c", 1)
    sadd(rawp, "b", "b", "d", 1, "x" * 70)
    union = rawp.command("SUNION", "a", "b")
    assert union[:1] == SET_HEAD[protocol]
    assert sorted(members_of(union)) == [b"1", b"a", b"b", b"c", b"d", b"x" * 70]
    assert sorted(members_of(rawp.command("SDIFF", "a", "b"))) == [b"a", b"c"]
    assert sorted(members_of(rawp.command("SDIFF", "b", "a", "no"))) == [b"d", b"x" * 70]


def test_sunionstore_and_sdiffstore_encodings(
    server: Server, rawp: RawClient, protocol: int
) -> None:
    sadd(rawp, "i", 3, 1, 2)
    sadd(rawp, "l", "a", 4)
    assert rawp.command("SUNIONSTORE", "d", "i") == b":3\r\n"
    assert encoding(server, b"d") == "intset"
    assert rawp.command("SUNIONSTORE", "d", "l", "i") == b":5\r\n"
    assert encoding(server, b"d") == "listpack"
    assert rawp.command("SMEMBERS", "d") == set_reply(protocol, "a", "4", "1", "2", "3")
    assert rawp.command("SUNIONSTORE", "d", "i", "l") == b":5\r\n"
    assert rawp.command("SMEMBERS", "d") == set_reply(protocol, "1", "2", "3", "a", "4")
    assert rawp.command("SDIFFSTORE", "d", "l", "i") == b":2\r\n"
    assert encoding(server, b"d") == "listpack"
    assert rawp.command("SDIFFSTORE", "d", "i", "l") == b":3\r\n"
    assert encoding(server, b"d") == "intset"
    sadd(rawp, "big", *range(200))
    assert rawp.command("SUNIONSTORE", "d", "big", "l") == b":201\r\n"
    assert encoding(server, b"d") == "hashtable"
    sadd(rawp, "big2", *range(127))
    assert rawp.command("SUNIONSTORE", "d", "big2", "l") == b":128\r\n"
    assert encoding(server, b"d") == "listpack"


def test_sdiffstore_encoding_follows_valkeys_choice_of_algorithm(
    server: Server, rawp: RawClient
) -> None:
    # Against one set of about its size, the first set is walked and only the members
    # no other set holds go in: two members, a listpack.
    sadd(rawp, "first", "a", *range(200))
    sadd(rawp, "other", *range(1, 200))
    assert rawp.command("SDIFFSTORE", "d", "first", "other") == b":2\r\n"
    assert encoding(server, b"d") == "listpack"
    # Against more sets, all of the first set goes in and each other set's members come
    # out: the result passed through a hashtable and stays one.
    for n in range(5):
        sadd(rawp, f"o{n}", f"zz{n}")
    sources = ["first", "other", *(f"o{n}" for n in range(5))]
    assert rawp.command("SDIFFSTORE", "d", *sources) == b":2\r\n"
    assert encoding(server, b"d") == "hashtable"
    assert sorted(members_of(rawp.command("SMEMBERS", "d"))) == [b"0", b"a"]
    sadd(rawp, "small", "a", 1, 2, 3)
    sadd(rawp, "wide", *range(1, 100))
    assert rawp.command("SDIFFSTORE", "d", "small", "wide") == ONE
    assert encoding(server, b"d") == "listpack"


# -- SSCAN -----------------------------------------------------------------------------------------


def test_sscan_of_small_encodings_answers_everything(rawp: RawClient) -> None:
    sadd(rawp, "i", 30, 10, 20)
    assert rawp.command("SSCAN", "i", "0") == b"*2\r\n" + bulk("0") + array("10", "20", "30")
    assert rawp.command("SSCAN", "i", "12345", "COUNT", "1") == (
        b"*2\r\n" + bulk("0") + array("10", "20", "30")
    )
    sadd(rawp, "l", "b", "a", "ab", 1)
    assert rawp.command("SSCAN", "l", "0", "MATCH", "a*") == (
        b"*2\r\n" + bulk("0") + array("a", "ab")
    )
    assert rawp.command("SSCAN", "no", "0") == b"*2\r\n$1\r\n0\r\n*0\r\n"


def test_sscan_errors(rawp: RawClient) -> None:
    sadd(rawp, "s", "a")
    rawp.command("SET", "str", "x")
    assert rawp.command("SSCAN", "s", "abc") == b"-ERR invalid cursor\r\n"
    assert rawp.command("SSCAN", "str", "0") == WRONGTYPE
    assert rawp.command("SSCAN", "str", "x") == b"-ERR invalid cursor\r\n"
    assert rawp.command("SSCAN", "s", "0", "COUNT", "0") == SYNTAX
    assert rawp.command("SSCAN", "s", "0", "COUNT", "x") == NOT_INTEGER
    assert rawp.command("SSCAN", "s", "0", "NOVALUES") == (
        b"-ERR NOVALUES option can only be used in HSCAN\r\n"
    )
    assert rawp.command("SSCAN", "s", "0", "NOSCORES") == (
        b"-ERR NOSCORES option can only be used in ZSCAN\r\n"
    )
    assert rawp.command("SSCAN", "s", "0", "TYPE", "set") == SYNTAX
    assert rawp.command("SSCAN", "no", "0", "COUNT", "0") == b"*2\r\n$1\r\n0\r\n*0\r\n"


def test_sscan_walks_a_hashtable_with_a_cursor(server: Server, rawp: RawClient) -> None:
    members = {b"m%d" % n for n in range(300)}
    sadd(rawp, "h", *members)
    assert encoding(server, b"h") == "hashtable"
    seen: list[bytes] = []
    cursor = b"0"
    calls = 0
    while True:
        reply = rawp.command("SSCAN", "h", cursor, "COUNT", "20")
        lines = reply.split(b"\r\n")
        cursor = lines[2]
        seen += [lines[index] for index in range(5, len(lines) - 1, 2)]
        calls += 1
        if cursor == b"0":
            break
    assert calls > 1
    assert sorted(seen) == sorted(members)
    matched: list[bytes] = []
    cursor = b"0"
    while True:
        lines = rawp.command("SSCAN", "h", cursor, "MATCH", "m1?").split(b"\r\n")
        cursor = lines[2]
        matched += [lines[index] for index in range(5, len(lines) - 1, 2)]
        if cursor == b"0":
            break
    assert sorted(matched) == sorted(b"m1%d" % n for n in range(10))


# -- arity and errors common to all ----------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "sadd", "srem", "smismember", "sismember", "smove", "sinterstore", "sunionstore",
        "sdiffstore", "sscan",
    ],
)
def test_arity(rawp: RawClient, name: str) -> None:
    assert rawp.command(name.upper(), "k") == (
        b"-ERR wrong number of arguments for '%s' command\r\n" % name.encode()
    )


def test_every_command_refuses_another_type(rawp: RawClient) -> None:
    rawp.command("SET", "str", "x")
    for command in (
        ["SADD", "str", "a"],
        ["SREM", "str", "a"],
        ["SCARD", "str"],
        ["SISMEMBER", "str", "a"],
        ["SMISMEMBER", "str", "a"],
        ["SMEMBERS", "str"],
        ["SRANDMEMBER", "str"],
        ["SPOP", "str"],
        ["SSCAN", "str", "0"],
    ):
        assert rawp.command(*command) == WRONGTYPE, command
    assert rawp.command("GET", "str") == bulk("x")


# -- WATCH, hits and misses ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "watched", "touched"),
    [
        (["SADD", "k", "a"], "k", False),
        (["SADD", "k", "new"], "k", True),
        (["SREM", "k", "nope"], "k", False),
        (["SREM", "k", "a"], "k", True),
        (["SPOP", "k", "0"], "k", False),
        (["SPOP", "nokey", "2"], "nokey", False),
        (["SPOP", "k"], "k", True),
        (["SPOP", "k", "5"], "k", True),
        (["SMOVE", "k", "k", "a"], "k", False),
        (["SMOVE", "k", "other", "nope"], "k", False),
        (["SMOVE", "k", "other", "nope"], "other", False),
        (["SMOVE", "k", "other", "a"], "k", True),
        (["SMOVE", "k", "other", "a"], "other", False),  # already a member there
        (["SMOVE", "k", "other", "b"], "other", True),
        (["SMOVE", "k", "fresh", "b"], "fresh", True),
        (["SINTERSTORE", "k", "k", "nokey"], "k", True),
        (["SINTERSTORE", "missing", "k", "nokey"], "missing", False),
        (["SUNIONSTORE", "k", "k"], "k", True),
        (["SDIFFSTORE", "k", "k", "k"], "k", True),
        (["SRANDMEMBER", "k", "-5"], "k", False),
        (["SINTER", "k", "other"], "k", False),
    ],
)
def test_watch_sees_exactly_the_changes(
    server: Server, raw: RawClient, command: list[str], watched: str, touched: bool
) -> None:
    sadd(raw, "k", "a", "b")
    sadd(raw, "other", "a", "o")
    assert raw.command("WATCH", watched) == OK
    with RawClient(server.port) as writer:
        assert not writer.command(*command).startswith(b"-")
    assert raw.command("MULTI") == OK
    raw.command("PING")
    reply = raw.command("EXEC")
    assert reply == (b"*-1\r\n" if touched else b"*1\r\n+PONG\r\n")


@pytest.mark.parametrize(
    ("command", "hits", "misses"),
    [
        (["SISMEMBER", "s", "a"], 1, 0),
        (["SISMEMBER", "no", "a"], 0, 1),
        (["SMISMEMBER", "no", "a", "b"], 0, 1),
        (["SCARD", "s"], 1, 0),
        (["SMEMBERS", "no"], 0, 1),
        (["SRANDMEMBER", "s", "-3"], 1, 0),
        (["SRANDMEMBER", "no"], 0, 1),
        (["SINTER", "s", "no", "i"], 2, 1),
        (["SINTERCARD", "2", "s", "i"], 2, 0),
        (["SUNION", "s", "no"], 1, 1),
        (["SDIFF", "no", "s"], 1, 1),
        (["SINTERSTORE", "d", "s", "i"], 2, 0),
        (["SUNIONSTORE", "d", "s", "no"], 1, 1),
        (["SDIFFSTORE", "d", "s", "no"], 1, 1),
        (["SSCAN", "s", "0"], 1, 0),
        (["SSCAN", "no", "0"], 0, 1),
        (["SADD", "s", "x"], 0, 0),
        (["SREM", "s", "a"], 0, 0),
        (["SPOP", "s", "1"], 0, 0),
        (["SPOP", "s", "5"], 1, 0),  # the whole set is answered through a read
        (["SMOVE", "i", "s", "1"], 0, 0),
    ],
)
def test_keyspace_hits_and_misses(
    raw: RawClient, command: list[str], hits: int, misses: int
) -> None:
    sadd(raw, "s", "a", "b")
    sadd(raw, "i", 1, 2)

    def stats() -> tuple[int, int]:
        fields = dict(
            line.split(":", 1)
            for line in raw.command("INFO", "stats").decode().split("\r\n")
            if ":" in line
        )
        return int(fields["keyspace_hits"]), int(fields["keyspace_misses"])

    before = stats()
    assert not raw.command(*command).startswith(b"-")
    after = stats()
    assert (after[0] - before[0], after[1] - before[1]) == (hits, misses)


# -- keyspace events -------------------------------------------------------------------------------


@pytest.fixture
def evented() -> Iterator[tuple[Client, list[tuple[str, bytes]]]]:
    """An in-process core recording keyspace events (all classes enabled)."""
    core = ServerCore(clock=ManualClock(1_000))
    seen: list[tuple[str, bytes]] = []
    core.keyspace.event_sink = lambda cls, event, key, db: seen.append((event, key))
    client = Client(core)
    assert execute(client, [b"CONFIG", b"SET", b"notify-keyspace-events", b"KEA"]) == OK
    yield client, seen


def run(client: Client, *args: str) -> bytes:
    return execute(client, [arg.encode() for arg in args])


@pytest.mark.parametrize(
    ("setup", "command", "events"),
    [
        ([], ["SADD", "s", "a", "b"], [("sadd", b"s")]),
        ([["SADD", "s", "a"]], ["SADD", "s", "a"], []),
        ([["SADD", "s", "a"]], ["SREM", "s", "x"], []),
        ([["SADD", "s", "a", "b"]], ["SREM", "s", "a", "b", "c"], [("srem", b"s"), ("del", b"s")]),
        ([["SADD", "s", "a", "b"]], ["SPOP", "s"], [("spop", b"s")]),
        ([["SADD", "s", "a"]], ["SPOP", "s"], [("spop", b"s"), ("del", b"s")]),
        ([["SADD", "s", "a"]], ["SPOP", "s", "0"], []),
        ([], ["SPOP", "s", "3"], []),
        ([["SADD", "s", "a", "b"]], ["SPOP", "s", "5"], [("spop", b"s"), ("del", b"s")]),
        ([["SADD", "s", "1", "2", "3"]], ["SPOP", "s", "2"], [("spop", b"s")]),
        ([["SADD", "a", "x", "y"]], ["SMOVE", "a", "b", "x"], [("srem", b"a"), ("sadd", b"b")]),
        (
            [["SADD", "a", "x"]],
            ["SMOVE", "a", "b", "x"],
            [("srem", b"a"), ("del", b"a"), ("sadd", b"b")],
        ),
        ([["SADD", "a", "x"], ["SADD", "b", "x"]], ["SMOVE", "a", "b", "x"],
         [("srem", b"a"), ("del", b"a")]),
        ([["SADD", "a", "x"]], ["SMOVE", "a", "a", "x"], []),
        ([["SADD", "a", "x"]], ["SMOVE", "a", "b", "q"], []),
        ([["SADD", "a", "1"]], ["SINTERSTORE", "d", "a"], [("sinterstore", b"d")]),
        ([["SADD", "a", "1"]], ["SUNIONSTORE", "d", "a"], [("sunionstore", b"d")]),
        ([["SADD", "a", "1"]], ["SDIFFSTORE", "d", "a"], [("sdiffstore", b"d")]),
        ([["SADD", "d", "1"]], ["SINTERSTORE", "d", "a"], [("del", b"d")]),
        ([["SADD", "d", "1"]], ["SUNIONSTORE", "d", "a"], [("del", b"d")]),
        ([["SADD", "d", "1"]], ["SDIFFSTORE", "d", "d", "d"], [("del", b"d")]),
        ([], ["SINTERSTORE", "d", "a"], []),
        ([["SADD", "a", "1"]], ["SINTER", "a"], []),
    ],
)
def test_keyspace_events(
    evented: tuple[Client, list[tuple[str, bytes]]],
    setup: list[list[str]],
    command: list[str],
    events: list[tuple[str, bytes]],
) -> None:
    client, seen = evented
    for line in setup:
        run(client, *line)
    seen.clear()
    assert not run(client, *command).startswith(b"-")
    assert seen == events


def test_events_are_off_by_default() -> None:
    core = ServerCore(clock=ManualClock(1_000))
    seen: list[object] = []
    core.keyspace.event_sink = lambda *event: seen.append(event)
    client = Client(core)
    assert run(client, "SADD", "s", "a") == ONE
    assert seen == []


# -- random picks are uniform enough --------------------------------------------------------------


def chi_square(picks: list[bytes]) -> float:
    counts: dict[bytes, int] = {}
    for pick in picks:
        counts[pick] = counts.get(pick, 0) + 1
    expected = len(picks) / len(counts)
    return sum((count - expected) ** 2 / expected for count in counts.values())


@pytest.mark.parametrize(
    "members",
    [
        [str(n) for n in range(10)],
        ["1", "5", "10", "50", "125", "MARY", "PATRICIA", "LINDA", "BARBARA", "ELIZABETH"],
        ["x" * 70, "1", "5", "10", "50", "125", "MARY", "PATRICIA", "LINDA", "BARBARA"],
    ],
    ids=["intset", "listpack", "hashtable"],
)
def test_srandmember_distribution(rawp: RawClient, members: list[str]) -> None:
    sadd(rawp, "s", *members)
    assert chi_square(members_of(rawp.command("SRANDMEMBER", "s", "-1000"))) < 40
    for size in (8, 2):
        picks: list[bytes] = []
        for _ in range(1000 // size):
            picks += members_of(rawp.command("SRANDMEMBER", "s", str(size)))
        assert chi_square(picks) < 40
