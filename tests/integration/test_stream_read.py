"""XREAD and XREADGROUP through real sockets, byte-exact in RESP2 and RESP3.

Expected replies were checked against Valkey 8.0.1. Entries use explicit IDs, and
the tests about seen / active times run on a server with a manual clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
import redis
from helpers import RawClient

from minivalkey import Server
from minivalkey.clock import ManualClock
from minivalkey.replies import PairList, RawReply
from minivalkey.resp import encode

START_MS = 1_700_000_000_000

# Entries ``i-0 f i-0`` as Valkey answers them.
E1 = b"*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$3\r\n1-0\r\n"
E2 = b"*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nf\r\n$3\r\n2-0\r\n"
E3 = b"*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nf\r\n$3\r\n3-0\r\n"
E4 = b"*2\r\n$3\r\n4-0\r\n*2\r\n$1\r\nf\r\n$3\r\n4-0\r\n"
S2_ENTRY = b"*2\r\n$3\r\n5-0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n"

NOGROUP_S_G = b"-NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option\r\n"
INVALID_ID = b"-ERR Invalid stream ID specified as stream command argument\r\n"
WRONGTYPE = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"


@pytest.fixture
def raw3(server: Server, raw: RawClient) -> Iterator[RawClient]:
    """A RESP3 raw connection (``raw`` has flushed the server)."""
    client = RawClient(server.port)
    client.command("HELLO", "3")
    try:
        yield client
    finally:
        client.close()


def fill(client: RawClient, count: int = 3) -> None:
    """Stream ``s`` with ``1-0..count-0`` (field ``f``, value the ID), ``s2`` with ``5-0 a b``,
    and a string key ``str``."""
    for i in range(1, count + 1):
        assert client.command("XADD", "s", f"{i}-0", "f", f"{i}-0") == b"$3\r\n%d-0\r\n" % i
    assert client.command("XADD", "s2", "5-0", "a", "b") == b"$3\r\n5-0\r\n"
    assert client.command("SET", "str", "x") == b"+OK\r\n"


def r2(*pairs: tuple[bytes, bytes]) -> bytes:
    """The RESP2 XREAD reply: an array of [key, entries] arrays."""
    body = b"".join(b"*2\r\n$%d\r\n%s\r\n%s" % (len(k), k, v) for k, v in pairs)
    return b"*%d\r\n" % len(pairs) + body


def r3(*pairs: tuple[bytes, bytes]) -> bytes:
    """The RESP3 XREAD reply: a map from key to entries (keys may repeat)."""
    body = b"".join(b"$%d\r\n%s\r\n%s" % (len(k), k, v) for k, v in pairs)
    return b"%%%d\r\n" % len(pairs) + body


def arr(*entries: bytes) -> bytes:
    return b"*%d\r\n" % len(entries) + b"".join(entries)


def pending(client: RawClient) -> list[tuple[bytes, bytes, int]]:
    """XPENDING s g - + 10 as (ID, owner, delivery count): idle times depend on the clock."""
    reply = client.command("XPENDING", "s", "g", "-", "+", "10")
    rows = re.findall(
        rb"\*4\r\n\$\d+\r\n([^\r]*)\r\n\$\d+\r\n([^\r]*)\r\n:\d+\r\n:(\d+)\r\n", reply
    )
    assert reply.startswith(b"*%d\r\n" % len(rows))
    return [(stream_id, owner, int(count)) for stream_id, owner, count in rows]


# -- the reply type --------------------------------------------------------------------


def test_pair_list_encoding_allows_repeated_keys() -> None:
    value = PairList([(b"s", RawReply(b"*0\r\n")), (b"s", 7)])
    assert encode(value, 2) == b"*2\r\n*2\r\n$1\r\ns\r\n*0\r\n*2\r\n$1\r\ns\r\n:7\r\n"
    assert encode(value, 3) == b"%2\r\n$1\r\ns\r\n*0\r\n$1\r\ns\r\n:7\r\n"
    assert encode(PairList(), 2) == b"*0\r\n"
    assert encode(PairList(), 3) == b"%0\r\n"


# -- XREAD: serving --------------------------------------------------------------------


def test_xread_two_streams(raw: RawClient, raw3: RawClient) -> None:
    fill(raw)
    pairs = ((b"s", arr(E1, E2, E3)), (b"s2", arr(S2_ENTRY)))
    assert raw.command("XREAD", "STREAMS", "s", "s2", "0", "0") == r2(*pairs)
    assert raw3.command("XREAD", "STREAMS", "s", "s2", "0", "0") == r3(*pairs)
    # Byte-exact, as the specification shows them.
    assert raw3.command("XREAD", "STREAMS", "s", "s2", "0", "0").startswith(
        b"%2\r\n$1\r\ns\r\n*3\r\n"
    )


def test_xread_same_key_twice_appears_twice(raw: RawClient, raw3: RawClient) -> None:
    fill(raw, 1)
    pairs = ((b"s", arr(E1)), (b"s", arr(E1)))
    assert raw.command("XREAD", "STREAMS", "s", "s", "0", "0") == r2(*pairs)
    assert raw3.command("XREAD", "STREAMS", "s", "s", "0", "0") == r3(*pairs)


def test_xread_only_streams_with_news_are_listed(raw: RawClient, raw3: RawClient) -> None:
    fill(raw)
    args = ("XREAD", "STREAMS", "s", "nokey", "s2", "1", "0", "5")
    assert raw.command(*args) == r2((b"s", arr(E2, E3)))
    assert raw3.command(*args) == r3((b"s", arr(E2, E3)))


def test_xread_count(raw: RawClient) -> None:
    fill(raw)
    assert raw.command("XREAD", "COUNT", "1", "STREAMS", "s", "s2", "0", "0") == r2(
        (b"s", arr(E1)), (b"s2", arr(S2_ENTRY))
    )
    # COUNT 0 and negative counts mean "no limit"; the last COUNT wins.
    for count in ("0", "-5"):
        assert raw.command("XREAD", "COUNT", count, "STREAMS", "s", "1") == r2((b"s", arr(E2, E3)))
    assert raw.command("XREAD", "COUNT", "1", "COUNT", "2", "STREAMS", "s", "0") == r2(
        (b"s", arr(E1, E2))
    )
    assert raw.command("XREAD", "count", "1", "streams", "s", "0") == r2((b"s", arr(E1)))


def test_xread_incomplete_and_exact_ids(raw: RawClient) -> None:
    fill(raw)
    assert raw.command("XREAD", "STREAMS", "s", "2") == r2((b"s", arr(E3)))
    assert raw.command("XREAD", "STREAMS", "s", "1-5") == r2((b"s", arr(E2, E3)))
    assert raw.command("XREAD", "STREAMS", "s", "3") == b"*-1\r\n"
    assert raw.command("XREAD", "STREAMS", "s", "18446744073709551615-18446744073709551615") == (
        b"*-1\r\n"
    )


def test_xread_plus_reads_the_last_entry(raw: RawClient, raw3: RawClient) -> None:
    fill(raw)
    assert raw.command("XREAD", "STREAMS", "s", "+") == (
        b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nf\r\n$3\r\n3-0\r\n"
    )
    assert raw3.command("XREAD", "STREAMS", "s", "+") == (
        b"%1\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nf\r\n$3\r\n3-0\r\n"
    )


def test_xread_nothing_to_serve_is_the_null_array(raw: RawClient, raw3: RawClient) -> None:
    fill(raw)
    for client, null in ((raw, b"*-1\r\n"), (raw3, b"_\r\n")):
        assert client.command("XREAD", "STREAMS", "s", "$") == null
        assert client.command("XREAD", "STREAMS", "nokey", "$") == null
        assert client.command("XREAD", "STREAMS", "nokey", "+") == null
        assert client.command("XREAD", "STREAMS", "nokey", "0") == null


def test_xread_after_deleting_the_last_entry(raw: RawClient) -> None:
    fill(raw)
    assert raw.command("XDEL", "s", "3-0") == b":1\r\n"
    # last_id stays 3-0: "+" asks for entries after 2-MAX, and none is live.
    for id_ in ("+", "$", "2-0"):
        assert raw.command("XREAD", "STREAMS", "s", id_) == b"*-1\r\n"
    assert raw.command("XREAD", "STREAMS", "s", "1-0") == r2((b"s", arr(E2)))


def test_xread_plus_on_a_stream_that_never_had_entries(raw: RawClient) -> None:
    assert raw.command("XGROUP", "CREATE", "e", "g", "$", "MKSTREAM") == b"+OK\r\n"
    assert (
        raw.command("XREAD", "STREAMS", "e", "+") == b"-ERR the stream last element ID is 0-0\r\n"
    )
    assert raw.command("XREAD", "STREAMS", "e", "$") == b"*-1\r\n"
    assert raw.command("XREAD", "STREAMS", "e", "0") == b"*-1\r\n"


def test_xread_with_block_serves_what_is_there(raw: RawClient) -> None:
    fill(raw)
    assert raw.command("XREAD", "BLOCK", "0", "STREAMS", "s", "2") == r2((b"s", arr(E3)))
    assert raw.command("XREAD", "BLOCK", "100", "COUNT", "1", "STREAMS", "s", "0") == r2(
        (b"s", arr(E1))
    )


def test_xread_block_inside_multi_answers_null(raw: RawClient, raw3: RawClient) -> None:
    for client, null in ((raw, b"*-1\r\n"), (raw3, b"_\r\n")):
        assert client.command("MULTI") == b"+OK\r\n"
        assert client.command("XREAD", "BLOCK", "0", "STREAMS", "nokey", "$") == b"+QUEUED\r\n"
        assert client.command("EXEC") == b"*1\r\n" + null


# -- XREAD: errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("STREAMS", "s"), b"-ERR wrong number of arguments for 'xread' command\r\n"),
        (
            ("STREAMS", "s", "s2", "0"),
            b"-ERR Unbalanced 'xread' list of streams: for each stream key an ID or '$' "
            b"must be specified.\r\n",
        ),
        (("COUNT", "1", "STREAMS", "s", "s2", "0"), None),  # same unbalanced text
        (
            ("GROUP", "g", "c", "STREAMS", "s", "0"),
            b"-ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.\r\n",
        ),
        (("COUNT", "1", "GROUP", "g"), b"-ERR syntax error\r\n"),  # GROUP needs two values
        (
            ("NOACK", "STREAMS", "s", "0"),
            b"-ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.\r\n",
        ),
        (("FOO", "STREAMS", "s", "0"), b"-ERR syntax error\r\n"),
        (("COUNT", "1", "BLOCK", "1"), b"-ERR syntax error\r\n"),  # no STREAMS
        (("COUNT", "1", "COUNT", "2", "s", "0"), b"-ERR syntax error\r\n"),
        (("COUNT", "x", "STREAMS", "s", "0"), b"-ERR value is not an integer or out of range\r\n"),
        (
            ("BLOCK", "x", "STREAMS", "s", "0"),
            b"-ERR timeout is not an integer or out of range\r\n",
        ),
        (
            ("BLOCK", "1.5", "STREAMS", "s", "0"),
            b"-ERR timeout is not an integer or out of range\r\n",
        ),
        (("BLOCK", "-1", "STREAMS", "s", "0"), b"-ERR timeout is negative\r\n"),
        (
            ("BLOCK", "9223372036854775806", "STREAMS", "s", "0"),
            b"-ERR timeout is out of range\r\n",
        ),
        (
            ("STREAMS", "s", ">"),
            b"-ERR The > ID can be specified only when calling XREADGROUP using the GROUP "
            b"<group> <consumer> option.\r\n",
        ),
        (("STREAMS", "s", "-"), INVALID_ID),
        (("STREAMS", "s", "(1"), INVALID_ID),
        (("STREAMS", "s", "1-"), INVALID_ID),
        (("STREAMS", "s", "str", "bad", "0"), INVALID_ID),  # the first stream's ID comes first
        (("STREAMS", "s", "str", "0", "bad"), WRONGTYPE),  # the second stream's type first
        (("STREAMS", "str", "$"), WRONGTYPE),
    ],
)
def test_xread_errors(raw: RawClient, args: tuple[str, ...], error: bytes | None) -> None:
    fill(raw)
    if error is None:
        error = (
            b"-ERR Unbalanced 'xread' list of streams: for each stream key an ID or '$' "
            b"must be specified.\r\n"
        )
    assert raw.command("XREAD", *args) == error


def test_xread_options_are_compared_up_to_a_nul_byte(raw: RawClient) -> None:
    fill(raw, 1)
    assert raw.command("XREAD", b"streams\x00junk", "s", "0") == r2((b"s", arr(E1)))
    assert raw.command("XREAD", "STREAMS", "s", b"$\x00junk") == b"*-1\r\n"


# -- XREADGROUP: new entries -------------------------------------------------------------


def test_xreadgroup_delivers_new_entries(raw: RawClient, raw3: RawClient) -> None:
    fill(raw)
    assert raw.command("XGROUP", "CREATE", "s", "g", "0") == b"+OK\r\n"
    assert raw.command("XREADGROUP", "GROUP", "g", "c1", "COUNT", "2", "STREAMS", "s", ">") == (
        b"*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$3\r\n1-0\r\n"
        b"*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nf\r\n$3\r\n2-0\r\n"
    )
    assert raw3.command("XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", ">") == (
        b"%1\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nf\r\n$3\r\n3-0\r\n"
    )
    assert raw.command("XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", ">") == b"*-1\r\n"
    assert raw3.command("XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", ">") == b"_\r\n"
    assert raw.command("XPENDING", "s", "g") == (
        b"*4\r\n:3\r\n$3\r\n1-0\r\n$3\r\n3-0\r\n*2\r\n*2\r\n$2\r\nc1\r\n$1\r\n2\r\n"
        b"*2\r\n$2\r\nc2\r\n$1\r\n1\r\n"
    )


def test_xreadgroup_two_streams_lists_only_those_with_news(raw: RawClient, raw3: RawClient) -> None:
    fill(raw)
    for key in ("s", "s2"):
        assert raw.command("XGROUP", "CREATE", key, "g", "0") == b"+OK\r\n"
    assert raw.command("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s2", ">") == r2(
        (b"s2", arr(S2_ENTRY))
    )
    args = ("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", "s2", ">", ">")
    assert raw.command(*args) == r2((b"s", arr(E1)))
    assert raw3.command(*args) == r3((b"s", arr(E2)))
    # History reads list every stream, even with nothing pending after the ID.
    history = ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "s2", "0", "9")
    assert raw.command(*history) == r2((b"s", arr(E1, E2)), (b"s2", b"*0\r\n"))
    assert raw3.command(*history) == r3((b"s", arr(E1, E2)), (b"s2", b"*0\r\n"))


def test_xreadgroup_noack_moves_the_group_without_pending_entries(raw: RawClient) -> None:
    fill(raw)
    assert raw.command("XGROUP", "CREATE", "s", "g", "0") == b"+OK\r\n"
    args = ("XREADGROUP", "GROUP", "g", "c", "NOACK", "COUNT", "2", "STREAMS", "s", ">")
    assert raw.command(*args) == r2((b"s", arr(E1, E2)))
    assert raw.command("XPENDING", "s", "g") == b"*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n"
    assert raw.command("XINFO", "GROUPS", "s") == (
        b"*1\r\n*12\r\n$4\r\nname\r\n$1\r\ng\r\n$9\r\nconsumers\r\n:1\r\n$7\r\npending\r\n:0\r\n"
        b"$17\r\nlast-delivered-id\r\n$3\r\n2-0\r\n$12\r\nentries-read\r\n:2\r\n$3\r\nlag\r\n:1\r\n"
    )


def test_xreadgroup_does_not_serve_when_only_deleted_entries_are_newer(raw: RawClient) -> None:
    fill(raw)
    assert raw.command("XGROUP", "CREATE", "s", "g", "1-0") == b"+OK\r\n"
    assert raw.command("XDEL", "s", "2-0", "3-0") == b":2\r\n"
    assert raw.command("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">") == b"*-1\r\n"


def test_xreadgroup_redelivery_after_setid_changes_owner_and_count(raw: RawClient) -> None:
    fill(raw, 2)
    assert raw.command("XGROUP", "CREATE", "s", "g", "0") == b"+OK\r\n"
    raw.command("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">")
    raw.command("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", "0")  # delivery count 2
    assert raw.command("XGROUP", "SETID", "s", "g", "0") == b"+OK\r\n"
    assert raw.command("XREADGROUP", "GROUP", "g", "b", "COUNT", "1", "STREAMS", "s", ">") == r2(
        (b"s", arr(E1))
    )
    assert pending(raw) == [(b"1-0", b"b", 1), (b"2-0", b"a", 2)]


def test_xreadgroup_largest_id_means_new_entries(raw: RawClient) -> None:
    # Valkey marks ">" with the largest ID, so giving that ID explicitly reads new entries.
    fill(raw, 1)
    assert raw.command("XGROUP", "CREATE", "s", "g", "0") == b"+OK\r\n"
    top = "18446744073709551615-18446744073709551615"
    assert raw.command("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", top) == r2((b"s", arr(E1)))
    assert raw.command("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", top) == b"*-1\r\n"
    below = "18446744073709551615-18446744073709551614"
    assert raw.command("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", below) == r2(
        (b"s", b"*0\r\n")
    )


# -- XREADGROUP: history -------------------------------------------------------------------


def test_xreadgroup_history(raw: RawClient, raw3: RawClient) -> None:
    fill(raw)
    assert raw.command("XGROUP", "CREATE", "s", "g", "0") == b"+OK\r\n"
    raw.command("XREADGROUP", "GROUP", "g", "c1", "COUNT", "2", "STREAMS", "s", ">")
    assert raw.command("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", "0") == r2(
        (b"s", arr(E1, E2))
    )
    assert raw.command("XREADGROUP", "GROUP", "g", "c1", "COUNT", "1", "STREAMS", "s", "0") == r2(
        (b"s", arr(E1))
    )
    assert raw.command("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", "1-0") == r2(
        (b"s", arr(E2))
    )
    # Another consumer has no history; the stream is listed with no entries.
    assert raw.command("XREADGROUP", "GROUP", "g", "c3", "STREAMS", "s", "0") == (
        b"*1\r\n*2\r\n$1\r\ns\r\n*0\r\n"
    )
    assert raw3.command("XREADGROUP", "GROUP", "g", "c3", "STREAMS", "s", "0") == (
        b"%1\r\n$1\r\ns\r\n*0\r\n"
    )
    # History reads count deliveries but never move the group.
    assert pending(raw) == [(b"1-0", b"c1", 3), (b"2-0", b"c1", 3)]
    assert raw.command("XREADGROUP", "GROUP", "g", "c9", "STREAMS", "s", ">") == r2((b"s", arr(E3)))


def test_xreadgroup_history_with_a_deleted_entry(raw: RawClient, raw3: RawClient) -> None:
    fill(raw, 2)
    assert raw.command("XGROUP", "CREATE", "s", "g", "0") == b"+OK\r\n"
    raw.command("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">")
    assert raw.command("XDEL", "s", "1-0") == b":1\r\n"
    assert raw.command("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0") == (
        b"*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-0\r\n*-1\r\n"
        b"*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nf\r\n$3\r\n2-0\r\n"
    )
    assert raw3.command("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0") == (
        b"%1\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-0\r\n_\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nf\r\n$3\r\n2-0\r\n"
    )
    # The deleted entry's delivery count did not move; the live one's did (twice).
    assert pending(raw) == [(b"1-0", b"c", 1), (b"2-0", b"c", 3)]


# -- XREADGROUP: errors ---------------------------------------------------------------------


MEANINGLESS = (
    b"-ERR The %s ID is meaningless in the context of XREADGROUP: you want to read the "
    b"history of this consumer by specifying a proper ID, or use the > ID to get new "
    b"messages. The %s ID would just return an empty result set.\r\n"
)


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("GROUP", "g", "c", "STREAMS", "s", "$"), MEANINGLESS % (b"$", b"$")),
        (("GROUP", "g", "c", "STREAMS", "s", "+"), MEANINGLESS % (b"+", b"+")),
        (("GROUP", "g", "c", "STREAMS", "s", "-"), INVALID_ID),
        (("GROUP", "g", "c", "STREAMS", "s", "(1"), INVALID_ID),
        (
            ("GROUP", "nog", "c", "STREAMS", "s", ">"),
            b"-NOGROUP No such key 's' or consumer group 'nog' in XREADGROUP with GROUP option\r\n",
        ),
        (
            ("GROUP", "g", "c", "STREAMS", "nokey", ">"),
            b"-NOGROUP No such key 'nokey' or consumer group 'g' in XREADGROUP with GROUP "
            b"option\r\n",
        ),
        (("GROUP", "g", "c", "STREAMS", "str", ">"), WRONGTYPE),
        (("GROUP", "g", "c", "STREAMS", "s", "str", ">", ">"), WRONGTYPE),
        (("GROUP", "g", "c", "STREAMS", "s", "s2", "bad", ">"), INVALID_ID),
        (
            ("GROUP", "g", "c", "STREAMS", "s", "s2", ">", ">"),
            b"-NOGROUP No such key 's2' or consumer group 'g' in XREADGROUP with GROUP option\r\n",
        ),
        (
            ("GROUP", "g", "c", "STREAMS", "s", "s", ">"),
            b"-ERR Unbalanced 'xreadgroup' list of streams: for each stream key an ID or '>' "
            b"must be specified.\r\n",
        ),
        (
            ("COUNT", "1", "NOACK", "STREAMS", "s", ">"),
            b"-ERR Missing GROUP option for XREADGROUP\r\n",
        ),
        (("GROUP", "g", "c", "COUNT", "1", "s", ">"), b"-ERR syntax error\r\n"),
        (("COUNT", "1", "NOACK", "NOACK", "GROUP", "g"), b"-ERR syntax error\r\n"),
        (
            ("GROUP", "g", "c", "NOACK", "BLOCK", "-1", "STREAMS", "s", ">"),
            b"-ERR timeout is negative\r\n",
        ),
        (
            ("GROUP", "g", "c", "STREAMS", "s"),
            b"-ERR wrong number of arguments for 'xreadgroup' command\r\n",
        ),
    ],
)
def test_xreadgroup_errors(raw: RawClient, args: tuple[str, ...], error: bytes) -> None:
    fill(raw)
    assert raw.command("XGROUP", "CREATE", "s", "g", "0") == b"+OK\r\n"
    assert raw.command("XREADGROUP", *args) == error
    # No error leaves a consumer behind or moves the group.
    assert raw.command("XINFO", "CONSUMERS", "s", "g") == b"*0\r\n"
    assert raw.command("XPENDING", "s", "g") == b"*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n"


def test_xreadgroup_nogroup_names_are_printed_as_c_strings(raw: RawClient) -> None:
    fill(raw, 1)
    assert raw.command("XREADGROUP", "GROUP", b"g\r", "c", "STREAMS", b"k\x00z", ">") == (
        b"-NOGROUP No such key 'k' or consumer group 'g ' in XREADGROUP with GROUP option\r\n"
    )
    assert raw.command("XREADGROUP", "GROUP", b"a\nb", "c", "STREAMS", b"s", ">") == (
        b"-NOGROUP No such key 's' or consumer group 'a b' in XREADGROUP with GROUP option\r\n"
    )


def test_xreadgroup_creates_the_consumer_even_when_nothing_is_read(raw: RawClient) -> None:
    fill(raw, 1)
    assert raw.command("XGROUP", "CREATE", "s", "g", "$") == b"+OK\r\n"
    assert raw.command("XREADGROUP", "GROUP", "g", "", "STREAMS", "s", ">") == b"*-1\r\n"
    reply = raw.command("XINFO", "CONSUMERS", "s", "g")
    assert reply.startswith(b"*1\r\n*8\r\n$4\r\nname\r\n$0\r\n\r\n$7\r\npending\r\n:0\r\n")
    assert reply.endswith(b"$8\r\ninactive\r\n:-1\r\n")


def test_xreadgroup_block_inside_multi_answers_null(raw: RawClient, raw3: RawClient) -> None:
    assert raw.command("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM") == b"+OK\r\n"
    for client, null in ((raw, b"*-1\r\n"), (raw3, b"_\r\n")):
        assert client.command("MULTI") == b"+OK\r\n"
        assert client.command(
            "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"
        ) == (b"+QUEUED\r\n")
        assert client.command("EXEC") == b"*1\r\n" + null


def test_xreadgroup_does_not_touch_watched_keys(raw: RawClient, server: Server) -> None:
    fill(raw)
    assert raw.command("XGROUP", "CREATE", "s", "g", "0") == b"+OK\r\n"
    with RawClient(server.port) as other:
        assert raw.command("WATCH", "s") == b"+OK\r\n"
        assert other.command("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">").startswith(b"*1")
        assert raw.command("MULTI") == b"+OK\r\n"
        assert raw.command("PING") == b"+QUEUED\r\n"
        assert raw.command("EXEC") == b"*1\r\n+PONG\r\n"


# -- times (seen / active) ----------------------------------------------------------------


@pytest.fixture
def clocked(make_server: Callable[..., Server]) -> tuple[ManualClock, RawClient]:
    clock = ManualClock(START_MS)
    instance = make_server(clock=clock)
    return clock, RawClient(instance.port)


def consumers(client: RawClient) -> bytes:
    return client.command("XINFO", "CONSUMERS", "s", "g")


def consumer_row(name: bytes, pending: int, idle: int, inactive: int) -> bytes:
    return (
        b"*8\r\n$4\r\nname\r\n$%d\r\n%s\r\n$7\r\npending\r\n:%d\r\n$4\r\nidle\r\n:%d\r\n"
        b"$8\r\ninactive\r\n:%d\r\n" % (len(name), name, pending, idle, inactive)
    )


def test_seen_and_active_times_of_xreadgroup(
    clocked: tuple[ManualClock, RawClient],
) -> None:
    clock, client = clocked
    with client:
        for i in (1, 2, 3):
            client.command("XADD", "s", f"{i}-0", "f", "v")
        assert client.command("XGROUP", "CREATE", "s", "g", "0") == b"+OK\r\n"
        client.command("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">")
        clock.advance_ms(100)
        assert consumers(client) == b"*1\r\n" + consumer_row(b"c", 1, 100, 100)
        # A history read: seen, not active.
        client.command("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0")
        clock.advance_ms(10)
        assert consumers(client) == b"*1\r\n" + consumer_row(b"c", 1, 10, 110)
        # NOACK delivers new entries but does not make the consumer active.
        client.command("XREADGROUP", "GROUP", "g", "c", "NOACK", "COUNT", "1", "STREAMS", "s", ">")
        clock.advance_ms(10)
        assert consumers(client) == b"*1\r\n" + consumer_row(b"c", 1, 10, 120)
        # Nothing new: seen only.
        client.command("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">")
        client.command("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">")
        clock.advance_ms(5)
        assert consumers(client) == b"*1\r\n" + consumer_row(b"c", 2, 5, 5)


def test_pending_entries_record_the_delivery_time(clocked: tuple[ManualClock, RawClient]) -> None:
    clock, client = clocked
    with client:
        client.command("XADD", "s", "1-0", "f", "v")
        assert client.command("XGROUP", "CREATE", "s", "g", "0") == b"+OK\r\n"
        client.command("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">")
        clock.advance_ms(250)
        assert client.command("XPENDING", "s", "g", "-", "+", "1") == (
            b"*1\r\n*4\r\n$3\r\n1-0\r\n$1\r\nc\r\n:250\r\n:1\r\n"
        )
        client.command("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0")
        clock.advance_ms(7)
        assert client.command("XPENDING", "s", "g", "-", "+", "1") == (
            b"*1\r\n*4\r\n$3\r\n1-0\r\n$1\r\nc\r\n:7\r\n:2\r\n"
        )


# -- redis-py, both protocols -------------------------------------------------------------


def test_redis_py_xread_and_xreadgroup(r: redis.Redis, protocol: int) -> None:
    r.xadd("s", {"f": "v"}, id="1-0")
    r.xadd("s", {"f": "w"}, id="2-0")
    entries = [(b"1-0", {b"f": b"v"}), (b"2-0", {b"f": b"w"})]
    result = r.xread({"s": 0})
    if protocol == 2:
        assert result == [[b"s", entries]]
    else:
        assert result == {b"s": [entries]}
    assert r.xread({"s": "2-0"}) == ([] if protocol == 2 else {})  # the null array, parsed
    assert r.xgroup_create("s", "g", "0") is True
    delivered = r.xreadgroup("g", "c", {"s": ">"}, count=1)
    if protocol == 2:
        assert delivered == [[b"s", entries[:1]]]
    else:
        assert delivered == {b"s": [entries[:1]]}
    assert r.xpending("s", "g")["pending"] == 1


# -- COMMAND introspection -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("XREAD", "STREAMS", "a", "b"), b"*1\r\n$1\r\na\r\n"),
        (("XREAD", "COUNT", "2", "STREAMS", "a", "b", "c", "d"), b"*2\r\n$1\r\na\r\n$1\r\nb\r\n"),
        (("XREAD", "STREAMS", "a", "b", "c"), b"*1\r\n$1\r\na\r\n"),  # the key spec rounds down
        (
            ("XREAD", "COUNT", "2", "STREAMz", "a", "b", "c", "d"),
            b"-ERR Invalid arguments specified for command\r\n",
        ),
        (("XREAD", "COUNT", "STREAMS", "x"), b"-ERR Invalid arguments specified for command\r\n"),
        (
            ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "a", "b", "c", "d"),
            b"*2\r\n$1\r\na\r\n$1\r\nb\r\n",
        ),
        (
            ("XREADGROUP", "GROUP", "STREAMS", "c", "STREAMS", "a", "b", "c", "d"),
            b"*2\r\n$1\r\na\r\n$1\r\nb\r\n",
        ),
        (
            ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "a"),
            b"-ERR Invalid number of arguments specified for command\r\n",
        ),
    ],
)
def test_command_getkeys(raw: RawClient, args: tuple[str, ...], expected: bytes) -> None:
    assert raw.command("COMMAND", "GETKEYS", *args) == expected


def test_command_getkeysandflags(raw: RawClient) -> None:
    assert raw.command("COMMAND", "GETKEYSANDFLAGS", "XREAD", "STREAMS", "a", "b", "0", "0") == (
        b"*2\r\n*2\r\n$1\r\na\r\n*2\r\n+RO\r\n+access\r\n*2\r\n$1\r\nb\r\n*2\r\n+RO\r\n+access\r\n"
    )


def test_command_info_flags(raw: RawClient) -> None:
    reply = raw.command("COMMAND", "INFO", "xread", "xreadgroup")
    assert reply.startswith(
        b"*2\r\n*10\r\n$5\r\nxread\r\n:-4\r\n*3\r\n+readonly\r\n+blocking\r\n+movablekeys\r\n"
        b":0\r\n:0\r\n:0\r\n*4\r\n+@read\r\n+@stream\r\n+@slow\r\n+@blocking\r\n"
    )
    assert (
        b"*10\r\n$10\r\nxreadgroup\r\n:-7\r\n*3\r\n+write\r\n+blocking\r\n+movablekeys\r\n"
        b":0\r\n:0\r\n:0\r\n*4\r\n+@write\r\n+@stream\r\n+@slow\r\n+@blocking\r\n"
    ) in reply


def test_keyspace_hits_count_two_lookups_per_stream(raw: RawClient) -> None:
    fill(raw, 1)
    assert raw.command("CONFIG", "RESETSTAT") == b"+OK\r\n"
    raw.command("XREAD", "STREAMS", "s", "nokey", "0", "0")
    stats = raw.command("INFO", "stats")
    assert b"keyspace_hits:2\r\n" in stats and b"keyspace_misses:2\r\n" in stats
