"""Consumer group commands through real sockets: XGROUP, XACK, XPENDING, XCLAIM and
XAUTOCLAIM, byte-exact in RESP2 and RESP3 where the shape matters.

Expected replies were checked against Valkey 8.0.1. Anything that depends on idle
or delivery times runs on a server with a manual clock, moved by ``clock.advance``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import redis
from helpers import RawClient

from minivalkey import Server
from minivalkey.clock import ManualClock

START_MS = 1_700_000_000_000

E1 = b"*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\n1\r\n"
E2 = b"*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nf\r\n$1\r\n2\r\n"
E3 = b"*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nf\r\n$1\r\n3\r\n"
E4 = b"*2\r\n$3\r\n4-0\r\n*2\r\n$1\r\nf\r\n$1\r\n4\r\n"

OK = b"+OK\r\n"
SYNTAX = b"-ERR syntax error\r\n"
NOT_INTEGER = b"-ERR value is not an integer or out of range\r\n"
INVALID_ID = b"-ERR Invalid stream ID specified as stream command argument\r\n"
WRONGTYPE = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
KEY_REQUIRED = (
    b"-ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may "
    b"want to use the MKSTREAM option to create an empty stream automatically.\r\n"
)
EMPTY_SUMMARY = b"*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n"


def fill(client: RawClient, count: int = 4) -> None:
    """Stream ``s`` with entries ``i-0 f i`` and a string key ``str``."""
    for i in range(1, count + 1):
        assert client.command("XADD", "s", f"{i}-0", "f", str(i)) == b"$3\r\n%d-0\r\n" % i
    assert client.command("SET", "str", "x") == OK


def arr(*items: bytes) -> bytes:
    return b"*%d\r\n" % len(items) + b"".join(items)


def bulk(text: bytes) -> bytes:
    return b"$%d\r\n%s\r\n" % (len(text), text)


def subcommand_error(name: bytes) -> bytes:
    return (
        b"-ERR unknown subcommand or wrong number of arguments for '%s'. Try XGROUP HELP.\r\n"
        % name
    )


def group_info(
    name: bytes,
    consumers: int,
    pending: int,
    last_id: bytes,
    entries_read: int | None,
    lag: int | None,
) -> bytes:
    """One XINFO GROUPS entry in RESP2 (null entries-read / lag as null bulks)."""

    def value(number: int | None) -> bytes:
        return b"$-1\r\n" if number is None else b":%d\r\n" % number

    return (
        b"*12\r\n$4\r\nname\r\n"
        + bulk(name)
        + b"$9\r\nconsumers\r\n:%d\r\n" % consumers
        + b"$7\r\npending\r\n:%d\r\n" % pending
        + b"$17\r\nlast-delivered-id\r\n"
        + bulk(last_id)
        + b"$12\r\nentries-read\r\n"
        + value(entries_read)
        + b"$3\r\nlag\r\n"
        + value(lag)
    )


@pytest.fixture
def raw3(server: Server, raw: RawClient) -> Iterator[RawClient]:
    """A RESP3 raw connection (``raw`` has flushed the server)."""
    client = RawClient(server.port)
    client.command("HELLO", "3")
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def clocked(make_server: Callable[..., Server]) -> Iterator[tuple[ManualClock, Server, RawClient]]:
    """A server on a manual clock starting at ``START_MS``, and a raw client of it."""
    clock = ManualClock(START_MS)
    instance = make_server(clock=clock)
    client = RawClient(instance.port)
    try:
        yield clock, instance, client
    finally:
        client.close()


# -- XGROUP HELP and the container -------------------------------------------------------


def test_xgroup_help(raw: RawClient, raw3: RawClient) -> None:
    expected = (
        b"*17\r\n+XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
        b"+CREATE <key> <groupname> <id|$> [option]\r\n"
        b"+    Make a consumer group that delivers the entries after <id>. Options:\r\n"
        b"+    * MKSTREAM\r\n"
        b"+      Start with an empty stream when the key is missing.\r\n"
        b"+    * ENTRIESREAD entries_read\r\n"
        b"+      Start the group's count of entries read at this value (used for lag).\r\n"
        b"+CREATECONSUMER <key> <groupname> <consumer>\r\n"
        b"+    Add a consumer to the group.\r\n"
        b"+DELCONSUMER <key> <groupname> <consumer>\r\n"
        b"+    Remove a consumer, dropping what it has pending.\r\n"
        b"+DESTROY <key> <groupname>\r\n"
        b"+    Delete the group.\r\n"
        b"+SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]\r\n"
        b"+    Move the group's last delivered ID and set its count of entries read.\r\n"
        b"+HELP\r\n"
        b"+    Print this help.\r\n"
    )
    assert raw.command("XGROUP", "HELP") == expected
    assert raw3.command("xgroup", "help") == expected.replace(b"+XGROUP <sub", b"+XGROUP <sub")


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("FOO",), b"-ERR unknown subcommand 'FOO'. Try XGROUP HELP.\r\n"),
        (("foo", "s", "g"), b"-ERR unknown subcommand 'foo'. Try XGROUP HELP.\r\n"),
        ((), b"-ERR wrong number of arguments for 'xgroup' command\r\n"),
        (("HELP", "x"), b"-ERR wrong number of arguments for 'xgroup|help' command\r\n"),
        (("CREATE", "s", "g"), b"-ERR wrong number of arguments for 'xgroup|create' command\r\n"),
        (("SETID", "s", "g"), b"-ERR wrong number of arguments for 'xgroup|setid' command\r\n"),
        (("DESTROY", "s"), b"-ERR wrong number of arguments for 'xgroup|destroy' command\r\n"),
        (
            ("DESTROY", "s", "g", "x"),
            b"-ERR wrong number of arguments for 'xgroup|destroy' command\r\n",
        ),
        (
            ("CREATECONSUMER", "s", "g"),
            b"-ERR wrong number of arguments for 'xgroup|createconsumer' command\r\n",
        ),
        (
            ("DELCONSUMER", "s", "g", "c", "x"),
            b"-ERR wrong number of arguments for 'xgroup|delconsumer' command\r\n",
        ),
    ],
)
def test_xgroup_dispatch_errors(raw: RawClient, args: tuple[str, ...], error: bytes) -> None:
    fill(raw)
    assert raw.command("XGROUP", *args) == error


# -- XGROUP CREATE --------------------------------------------------------------------------


def test_xgroup_create(raw: RawClient) -> None:
    fill(raw)
    assert raw.command("XGROUP", "CREATE", "s", "g", "$") == OK
    assert raw.command("XGROUP", "CREATE", "s", "g", "$") == (
        b"-BUSYGROUP Consumer Group name already exists\r\n"
    )
    assert raw.command("XGROUP", "CREATE", "s", "G", "0") == OK  # names are case-sensitive
    assert raw.command("XGROUP", "CREATE", "s", "", "2") == OK  # and may be empty
    assert raw.command("XGROUP", "create", "s", "k", "1-5", "ENTRIESREAD", "1") == OK
    assert raw.command("XGROUP", "CREATE", "s", "g3", "99", "ENTRIESREAD", "5") == OK
    assert raw.command("XGROUP", "CREATE", "s", "m", "0", "ENTRIESREAD", "-1") == OK
    assert raw.command("XINFO", "GROUPS", "s") == arr(
        group_info(b"", 0, 0, b"2-0", None, None),
        group_info(b"G", 0, 0, b"0-0", None, 4),
        group_info(b"g", 0, 0, b"4-0", None, 0),
        group_info(b"g3", 0, 0, b"99-0", 5, -1),
        group_info(b"k", 0, 0, b"1-5", 1, 3),
        group_info(b"m", 0, 0, b"0-0", None, 4),
    )


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("s", "g", "-"), INVALID_ID),
        (("s", "g", "+"), INVALID_ID),
        (("s", "g", "1-x"), INVALID_ID),
        (
            ("s", "g", "0", "ENTRIESREAD", "-2"),
            b"-ERR value for ENTRIESREAD must be positive or -1\r\n",
        ),
        (("s", "g", "0", "ENTRIESREAD", "x"), NOT_INTEGER),
        (("s", "g", "0", "ENTRIESREAD"), subcommand_error(b"CREATE")),
        (("s", "g", "0", "FOO"), subcommand_error(b"CREATE")),
        (
            ("s", "g", "0", "MKSTREAM", "MKSTREAM", "MKSTREAM", "MKSTREAM"),
            subcommand_error(b"CREATE"),
        ),
        (("nokey", "g", "0"), KEY_REQUIRED),
        (("str", "g", "0"), WRONGTYPE),
        (("str", "g", "0", "MKSTREAM"), WRONGTYPE),
        (("str", "g", "0", "FOO"), subcommand_error(b"CREATE")),  # options come first
        (("nokey", "g", "bad", "MKSTREAM"), INVALID_ID),
    ],
)
def test_xgroup_create_errors(raw: RawClient, args: tuple[str, ...], error: bytes) -> None:
    fill(raw)
    assert raw.command("XGROUP", "CREATE", *args) == error
    assert raw.command("XINFO", "GROUPS", "s") == b"*0\r\n"
    assert raw.command("EXISTS", "nokey") == b":0\r\n"


def test_xgroup_create_names_the_subcommand_as_typed(raw: RawClient) -> None:
    fill(raw)
    assert raw.command("XGROUP", "cReAtE", "s", "g", "0", "FOO") == subcommand_error(b"cReAtE")


def test_xgroup_create_mkstream(raw: RawClient) -> None:
    assert raw.command("XGROUP", "CREATE", "new", "g", "$", "MKSTREAM") == OK
    assert raw.command("TYPE", "new") == b"+stream\r\n"
    assert raw.command("XLEN", "new") == b":0\r\n"
    assert raw.command("XGROUP", "CREATE", "new", "g", "$", "MKSTREAM") == (
        b"-BUSYGROUP Consumer Group name already exists\r\n"
    )
    assert raw.command("XGROUP", "CREATE", "new", "h", "0", "mkstream", "ENTRIESREAD", "0") == OK
    assert raw.command("XINFO", "GROUPS", "new") == arr(
        group_info(b"g", 0, 0, b"0-0", None, 0), group_info(b"h", 0, 0, b"0-0", 0, 0)
    )


def test_xgroup_create_mkstream_touches_watched_keys(raw: RawClient, server: Server) -> None:
    fill(raw)
    with RawClient(server.port) as other:
        assert raw.command("WATCH", "s", "new") == OK
        assert other.command("XGROUP", "CREATE", "s", "g", "0") == OK  # an existing key
        assert raw.command("MULTI") == OK
        assert raw.command("PING") == b"+QUEUED\r\n"
        assert raw.command("EXEC") == b"*1\r\n+PONG\r\n"
        assert raw.command("WATCH", "new") == OK
        assert other.command("XGROUP", "CREATE", "new", "g", "0", "MKSTREAM") == OK
        assert raw.command("MULTI") == OK
        assert raw.command("PING") == b"+QUEUED\r\n"
        assert raw.command("EXEC") == b"*-1\r\n"


# -- XGROUP SETID --------------------------------------------------------------------------


def test_xgroup_setid(raw: RawClient) -> None:
    fill(raw)
    assert raw.command("XGROUP", "CREATE", "s", "g", "0", "ENTRIESREAD", "0") == OK
    steps = [
        (("0",), b"0-0", None, 4),
        (("$",), b"4-0", None, 0),
        (("-",), b"0-0", None, 4),  # SETID takes - and + (CREATE does not)
        (("+",), b"18446744073709551615-18446744073709551615", None, None),
        (("2", "ENTRIESREAD", "2"), b"2-0", 2, 2),
        (("$", "entriesread", "3"), b"4-0", 3, 1),
        (("3-0",), b"3-0", None, None),
    ]
    for args, last_id, entries_read, lag in steps:
        assert raw.command("XGROUP", "SETID", "s", "g", *args) == OK
        assert raw.command("XINFO", "GROUPS", "s") == arr(
            group_info(b"g", 0, 0, last_id, entries_read, lag)
        ), args


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("s", "nog", "0"), b"-NOGROUP No such consumer group 'nog' for key name 's'\r\n"),
        (("nokey", "g", "0"), KEY_REQUIRED),
        (("str", "g", "0"), WRONGTYPE),
        (("s", "g", "bad"), INVALID_ID),
        (("s", "g", "(1"), INVALID_ID),
        (("s", "g", "2", "MKSTREAM"), subcommand_error(b"SETID")),
        (("s", "g", "2", "ENTRIESREAD"), subcommand_error(b"SETID")),
        (
            ("s", "g", "2", "ENTRIESREAD", "-3"),
            b"-ERR value for ENTRIESREAD must be positive or -1\r\n",
        ),
        (("s", "g", "2", "ENTRIESREAD", "1", "ENTRIESREAD", "2"), subcommand_error(b"SETID")),
        # The group is looked up before the argument count is checked.
        (
            ("s", "nog", "2", "ENTRIESREAD", "1", "ENTRIESREAD", "2"),
            b"-NOGROUP No such consumer group 'nog' for key name 's'\r\n",
        ),
        ((b"s", b"q\nq\x00z", b"0"), b"-NOGROUP No such consumer group 'q q' for key name 's'\r\n"),
    ],
)
def test_xgroup_setid_errors(raw: RawClient, args: tuple[str, ...], error: bytes) -> None:
    fill(raw)
    assert raw.command("XGROUP", "CREATE", "s", "g", "1", "ENTRIESREAD", "1") == OK
    assert raw.command("XGROUP", "SETID", *args) == error
    assert raw.command("XINFO", "GROUPS", "s") == arr(group_info(b"g", 0, 0, b"1-0", 1, 3))


# -- XGROUP DESTROY / CREATECONSUMER / DELCONSUMER ---------------------------------------------


def test_xgroup_destroy(raw: RawClient) -> None:
    fill(raw)
    assert raw.command("XGROUP", "CREATE", "s", "g", "0") == OK
    raw.command("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">")
    assert raw.command("XGROUP", "DESTROY", "s", "g") == b":1\r\n"
    assert raw.command("XGROUP", "DESTROY", "s", "g") == b":0\r\n"
    assert raw.command("XGROUP", "DESTROY", "nokey", "g") == KEY_REQUIRED
    assert raw.command("XGROUP", "DESTROY", "str", "g") == WRONGTYPE
    assert raw.command("XINFO", "GROUPS", "s") == b"*0\r\n"
    assert raw.command("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">") == (
        b"-NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option\r\n"
    )
    # The stream itself stays, also when emptied and without groups.
    assert raw.command("XTRIM", "s", "MAXLEN", "0") == b":4\r\n"
    assert raw.command("EXISTS", "s") == b":1\r\n"


def test_xgroup_createconsumer_and_delconsumer(raw: RawClient) -> None:
    fill(raw)
    assert raw.command("XGROUP", "CREATE", "s", "g", "0") == OK
    assert raw.command("XGROUP", "CREATECONSUMER", "s", "g", "c1") == b":1\r\n"
    assert raw.command("XGROUP", "CREATECONSUMER", "s", "g", "c1") == b":0\r\n"
    assert raw.command("XGROUP", "CREATECONSUMER", "s", "g", "") == b":1\r\n"
    assert raw.command("XGROUP", "CREATECONSUMER", "s", "nog", "c1") == (
        b"-NOGROUP No such consumer group 'nog' for key name 's'\r\n"
    )
    assert raw.command("XGROUP", "CREATECONSUMER", "nokey", "g", "c1") == KEY_REQUIRED
    assert raw.command("XGROUP", "CREATECONSUMER", "str", "g", "c1") == WRONGTYPE
    raw.command("XREADGROUP", "GROUP", "g", "c2", "COUNT", "3", "STREAMS", "s", ">")
    raw.command("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", ">")
    assert raw.command("XGROUP", "DELCONSUMER", "s", "g", "c2") == b":3\r\n"
    assert raw.command("XGROUP", "DELCONSUMER", "s", "g", "c2") == b":0\r\n"
    assert raw.command("XGROUP", "DELCONSUMER", "s", "g", "") == b":0\r\n"
    assert raw.command("XGROUP", "DELCONSUMER", "s", "nog", "c1") == (
        b"-NOGROUP No such consumer group 'nog' for key name 's'\r\n"
    )
    assert raw.command("XPENDING", "s", "g") == (
        b"*4\r\n:1\r\n$3\r\n4-0\r\n$3\r\n4-0\r\n*1\r\n*2\r\n$2\r\nc1\r\n$1\r\n1\r\n"
    )
    assert raw.command("XGROUP", "DELCONSUMER", "s", "g", "c1") == b":1\r\n"
    assert raw.command("XPENDING", "s", "g") == EMPTY_SUMMARY
    assert raw.command("XINFO", "CONSUMERS", "s", "g") == b"*0\r\n"


def test_created_consumers_are_seen_but_never_active(
    clocked: tuple[ManualClock, Server, RawClient],
) -> None:
    clock, _, client = clocked
    fill(client)
    assert client.command("XGROUP", "CREATE", "s", "g", "0") == OK
    assert client.command("XGROUP", "CREATECONSUMER", "s", "g", "c") == b":1\r\n"
    clock.advance_ms(40)
    assert client.command("XGROUP", "CREATECONSUMER", "s", "g", "c") == b":0\r\n"
    assert client.command("XINFO", "CONSUMERS", "s", "g") == (
        b"*1\r\n*8\r\n$4\r\nname\r\n$1\r\nc\r\n$7\r\npending\r\n:0\r\n$4\r\nidle\r\n:40\r\n"
        b"$8\r\ninactive\r\n:-1\r\n"
    )


# -- XACK -----------------------------------------------------------------------------------


def test_xack(raw: RawClient) -> None:
    fill(raw)
    assert raw.command("XGROUP", "CREATE", "s", "g", "0") == OK
    raw.command("XREADGROUP", "GROUP", "g", "c1", "COUNT", "2", "STREAMS", "s", ">")
    raw.command("XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", ">")
    # One bad ID: an error, and nothing is acknowledged.
    assert raw.command("XACK", "s", "g", "1-0", "bad") == INVALID_ID
    assert raw.command("XACK", "s", "g", "1-0", "-") == INVALID_ID
    assert raw.command("XPENDING", "s", "g") == (
        b"*4\r\n:4\r\n$3\r\n1-0\r\n$3\r\n4-0\r\n*2\r\n*2\r\n$2\r\nc1\r\n$1\r\n2\r\n"
        b"*2\r\n$2\r\nc2\r\n$1\r\n2\r\n"
    )
    # Repeated IDs count once; IDs not pending count nothing; "3" is 3-0.
    assert raw.command("XACK", "s", "g", "1-0", "1-0", "3", "9-0") == b":2\r\n"
    assert raw.command("XPENDING", "s", "g") == (
        b"*4\r\n:2\r\n$3\r\n2-0\r\n$3\r\n4-0\r\n*2\r\n*2\r\n$2\r\nc1\r\n$1\r\n1\r\n"
        b"*2\r\n$2\r\nc2\r\n$1\r\n1\r\n"
    )
    assert raw.command("XACK", "s", "g", "2-0", "4-0") == b":2\r\n"
    assert raw.command("XPENDING", "s", "g") == EMPTY_SUMMARY


def test_xack_without_key_or_group(raw: RawClient) -> None:
    fill(raw)
    # Missing key or group: 0, and the IDs are not even parsed.
    assert raw.command("XACK", "nokey", "g", "bad") == b":0\r\n"
    assert raw.command("XACK", "s", "nog", "bad") == b":0\r\n"
    assert raw.command("XACK", "str", "g", "1-0") == WRONGTYPE
    assert raw.command("XACK", "s", "g") == b"-ERR wrong number of arguments for 'xack' command\r\n"


# -- XPENDING ---------------------------------------------------------------------------------


def test_xpending_summary(raw: RawClient, raw3: RawClient) -> None:
    fill(raw, 3)
    assert raw.command("XGROUP", "CREATE", "s", "g", "0") == OK
    assert raw.command("XPENDING", "s", "g") == EMPTY_SUMMARY
    assert raw3.command("XPENDING", "s", "g") == b"*4\r\n:0\r\n_\r\n_\r\n_\r\n"
    raw.command("XREADGROUP", "GROUP", "g", "c1", "COUNT", "2", "STREAMS", "s", ">")
    raw.command("XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", ">")
    raw.command("XGROUP", "CREATECONSUMER", "s", "g", "c0")  # nothing pending: not listed
    expected = (
        b"*4\r\n:3\r\n$3\r\n1-0\r\n$3\r\n3-0\r\n*2\r\n*2\r\n$2\r\nc1\r\n$1\r\n2\r\n"
        b"*2\r\n$2\r\nc2\r\n$1\r\n1\r\n"
    )
    assert raw.command("XPENDING", "s", "g") == expected
    assert raw3.command("XPENDING", "s", "g") == expected


@pytest.fixture
def pending_setup(
    clocked: tuple[ManualClock, Server, RawClient],
) -> tuple[ManualClock, RawClient]:
    """1-0 and 2-0 delivered to c1 at START, 3-0 to c2 100 ms later, 4-0 to c0 300 ms later;
    the clock then stands 500 ms after START."""
    clock, _, client = clocked
    fill(client)
    assert client.command("XGROUP", "CREATE", "s", "g", "0") == OK
    client.command("XREADGROUP", "GROUP", "g", "c1", "COUNT", "2", "STREAMS", "s", ">")
    clock.advance_ms(100)
    client.command("XREADGROUP", "GROUP", "g", "c2", "COUNT", "1", "STREAMS", "s", ">")
    clock.advance_ms(200)
    client.command("XREADGROUP", "GROUP", "g", "c0", "COUNT", "1", "STREAMS", "s", ">")
    clock.advance_ms(200)
    return clock, client


def row(stream_id: bytes, owner: bytes, idle: int, count: int) -> bytes:
    return b"*4\r\n" + bulk(stream_id) + bulk(owner) + b":%d\r\n:%d\r\n" % (idle, count)


R1 = row(b"1-0", b"c1", 500, 1)
R2 = row(b"2-0", b"c1", 500, 1)
R3 = row(b"3-0", b"c2", 400, 1)
R4 = row(b"4-0", b"c0", 200, 1)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("-", "+", "10"), arr(R1, R2, R3, R4)),
        (("-", "+", "2"), arr(R1, R2)),
        (("-", "+", "0"), b"*0\r\n"),
        (("-", "+", "-3"), b"*0\r\n"),
        (("(1", "+", "10"), arr(R2, R3, R4)),
        (("-", "(4-0", "10"), arr(R1, R2, R3)),
        (("-", "(4", "10"), arr(R1, R2, R3, R4)),  # "(4" excludes only 4-18446744073709551615
        (("2", "3", "10"), arr(R2, R3)),
        (("(2", "(2", "10"), b"*0\r\n"),
        (("-", "+", "10", "c1"), arr(R1, R2)),
        (("-", "+", "10", "c2"), arr(R3)),
        (("-", "+", "10", "nobody"), b"*0\r\n"),
        (("-", "+", "10", "c1", "extra", "args"), arr(R1, R2)),  # ignored, as in Valkey
        (("IDLE", "0", "-", "+", "10"), arr(R1, R2, R3, R4)),
        (("IDLE", "-5", "-", "+", "10"), arr(R1, R2, R3, R4)),
        (("IDLE", "400", "-", "+", "10"), arr(R1, R2, R3)),
        (("idle", "401", "-", "+", "10"), arr(R1, R2)),
        (("IDLE", "400", "-", "+", "1", "c2"), arr(R3)),
        (("IDLE", "100000", "-", "+", "10"), b"*0\r\n"),
        (("IDLE", "300", "-", "+", "10", "c1"), arr(R1, R2)),
        (("IDLE", "300", "-", "+", "10", "c1", "x"), SYNTAX),  # at most 9 arguments
    ],
)
def test_xpending_extended(
    pending_setup: tuple[ManualClock, RawClient], args: tuple[str, ...], expected: bytes
) -> None:
    _, client = pending_setup
    assert client.command("XPENDING", "s", "g", *args) == expected


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("g", "-"), SYNTAX),
        (("g", "-", "+"), SYNTAX),
        (("g", "-", "+", "10", "c", "a", "b", "c"), SYNTAX),
        (("g", "IDLE", "0", "-"), SYNTAX),
        (("g", "IDLE", "0", "-", "+"), SYNTAX),
        (("g", "IDLE", "x", "-", "+"), NOT_INTEGER),  # IDLE is read before the count check
        (("g", "-", "+", "x"), NOT_INTEGER),
        (("g", "x", "y", "z"), NOT_INTEGER),  # the count is read first
        (("g", "x", "+", "10"), INVALID_ID),
        (("g", "-", "x", "10"), INVALID_ID),
        (
            ("g", "(18446744073709551615-18446744073709551615", "+", "10"),
            b"-ERR invalid start ID for the interval\r\n",
        ),
        (("g", "-", "(0-0", "10"), b"-ERR invalid end ID for the interval\r\n"),
        (("g", "(-", "+", "10"), INVALID_ID),
        (("nog",), b"-NOGROUP No such key 's' or consumer group 'nog'\r\n"),
        (("nog", "-", "+", "10"), b"-NOGROUP No such key 's' or consumer group 'nog'\r\n"),
        (("nog", "x", "+", "10"), INVALID_ID),  # arguments first
    ],
)
def test_xpending_errors(raw: RawClient, args: tuple[str, ...], error: bytes) -> None:
    fill(raw)
    assert raw.command("XGROUP", "CREATE", "s", "g", "0") == OK
    assert raw.command("XPENDING", "s", *args) == error


def test_xpending_key_errors(raw: RawClient) -> None:
    fill(raw)
    assert raw.command("XPENDING", "nokey", "g") == (
        b"-NOGROUP No such key 'nokey' or consumer group 'g'\r\n"
    )
    assert raw.command("XPENDING", "str", "g") == WRONGTYPE
    assert raw.command("XPENDING", "str", "g", "-", "+", "x") == NOT_INTEGER
    assert raw.command("XPENDING", b"a\r\nb", b"g\x00x") == (
        b"-NOGROUP No such key 'a  b' or consumer group 'g'\r\n"
    )


# -- XCLAIM -----------------------------------------------------------------------------------


@pytest.fixture
def claim_setup(
    clocked: tuple[ManualClock, Server, RawClient],
) -> tuple[ManualClock, RawClient]:
    """1-0 and 2-0 delivered to c1, the clock then moved 1000 ms on."""
    clock, _, client = clocked
    fill(client)
    assert client.command("XGROUP", "CREATE", "s", "g", "0") == OK
    client.command("XREADGROUP", "GROUP", "g", "c1", "COUNT", "2", "STREAMS", "s", ">")
    clock.advance_ms(1000)
    return clock, client


NOW = START_MS + 1000


def test_xclaim_basic(claim_setup: tuple[ManualClock, RawClient]) -> None:
    _, client = claim_setup
    assert client.command("XCLAIM", "s", "g", "c3", "500", "1-0") == arr(E1)
    assert client.command("XCLAIM", "s", "g", "c3", "500", "2-0", "JUSTID") == arr(bulk(b"2-0"))
    # Just delivered again: not idle long enough now.
    assert client.command("XCLAIM", "s", "g", "c4", "500", "1-0") == b"*0\r\n"
    assert client.command("XPENDING", "s", "g", "-", "+", "10") == arr(
        row(b"1-0", b"c3", 0, 2),
        row(b"2-0", b"c3", 0, 1),  # JUSTID counts no delivery
    )
    # min-idle 0 (or negative) claims whatever the idle time.
    assert client.command("XCLAIM", "s", "g", "c4", "-5", "1-0", "2-0", "JUSTID") == arr(
        bulk(b"1-0"), bulk(b"2-0")
    )
    # Not pending, and entries that never existed: nothing.
    assert client.command("XCLAIM", "s", "g", "c4", "0", "3-0", "9-0") == b"*0\r\n"
    assert client.command("XCLAIM", "s", "g", "c4", "0", "JUSTID") == b"*0\r\n"  # no IDs at all


def test_xclaim_times_and_counts(claim_setup: tuple[ManualClock, RawClient]) -> None:
    _, client = claim_setup
    pend = ("XPENDING", "s", "g", "-", "+", "10")
    assert client.command("XCLAIM", "s", "g", "c2", "0", "1-0", "IDLE", "300", "JUSTID") == arr(
        bulk(b"1-0")
    )
    assert client.command(*pend) == arr(row(b"1-0", b"c2", 300, 1), row(b"2-0", b"c1", 1000, 1))
    assert client.command("XCLAIM", "s", "g", "c2", "0", "1-0", "TIME", str(NOW - 700)) == arr(E1)
    assert client.command(*pend) == arr(row(b"1-0", b"c2", 700, 2), row(b"2-0", b"c1", 1000, 1))
    # TIME 0 is the epoch: the idle time becomes "now".
    client.command("XCLAIM", "s", "g", "c2", "0", "1-0", "TIME", "0", "RETRYCOUNT", "9")
    assert client.command(*pend) == arr(row(b"1-0", b"c2", NOW, 9), row(b"2-0", b"c1", 1000, 1))
    # Times in the future or before the epoch mean "now"; a negative RETRYCOUNT counts +1.
    for option in (
        ("TIME", "-1"),
        ("TIME", "99999999999999"),
        ("IDLE", "-5"),
        ("IDLE", "9223372036854775807"),
        ("IDLE", "-9223372036854775808"),
    ):
        client.command("XCLAIM", "s", "g", "c2", "0", "1-0", *option, "JUSTID")
        assert client.command(*pend) == arr(row(b"1-0", b"c2", 0, 9), row(b"2-0", b"c1", 1000, 1))
    client.command("XCLAIM", "s", "g", "c2", "0", "1-0", "RETRYCOUNT", "-3")
    assert client.command(*pend) == arr(row(b"1-0", b"c2", 0, 10), row(b"2-0", b"c1", 1000, 1))
    # Options may repeat; the last one wins.
    client.command(
        "XCLAIM", "s", "g", "c2", "0", "2-0", "IDLE", "5", "IDLE", "50", "retrycount", "4"
    )
    assert client.command(*pend) == arr(row(b"1-0", b"c2", 0, 10), row(b"2-0", b"c2", 50, 4))


def test_xclaim_repeated_ids_and_min_idle(claim_setup: tuple[ManualClock, RawClient]) -> None:
    clock, client = claim_setup
    # A repeated ID is handled again: with min-idle 0 it is claimed (and counted) twice.
    assert client.command("XCLAIM", "s", "g", "c5", "0", "1-0", "1-0", "1-0") == arr(E1, E1, E1)
    # min-idle is checked against the delivery time the entry has when its turn comes:
    # just claimed, it is not idle...
    assert client.command("XCLAIM", "s", "g", "c6", "100", "1-0", "1-0") == b"*0\r\n"
    # ...unless IDLE made the new delivery time old enough.
    clock.advance_ms(200)
    assert client.command("XCLAIM", "s", "g", "c6", "100", "1-0", "1-0", "IDLE", "500") == arr(
        E1, E1
    )
    assert client.command("XPENDING", "s", "g", "-", "+", "10") == arr(
        row(b"1-0", b"c6", 500, 6), row(b"2-0", b"c1", 1200, 1)
    )


def test_xclaim_force(claim_setup: tuple[ManualClock, RawClient]) -> None:
    _, client = claim_setup
    assert client.command("XCLAIM", "s", "g", "newc", "0", "3-0") == b"*0\r\n"
    assert client.command("XCLAIM", "s", "g", "newc", "10000", "3-0", "FORCE") == arr(E3)
    assert client.command("XCLAIM", "s", "g", "other", "0", "4-0", "force", "justid") == arr(
        bulk(b"4-0")
    )
    # FORCE never makes pending an entry the stream does not hold.
    assert client.command("XCLAIM", "s", "g", "other", "0", "9-0", "FORCE") == b"*0\r\n"
    assert client.command("XPENDING", "s", "g", "-", "+", "10") == arr(
        row(b"1-0", b"c1", 1000, 1),
        row(b"2-0", b"c1", 1000, 1),
        row(b"3-0", b"newc", 0, 2),
        row(b"4-0", b"other", 0, 1),
    )


def test_xclaim_force_repeated_id(claim_setup: tuple[ManualClock, RawClient]) -> None:
    """Checked on Valkey 8.0.1: the entry FORCE creates is taken whatever the min-idle;
    the repeat then finds it just delivered, so not idle enough."""
    _, client = claim_setup
    assert client.command("XCLAIM", "s", "g", "c", "10000", "3-0", "3-0", "FORCE") == arr(E3)
    assert client.command("XPENDING", "s", "g", "3", "3", "10") == arr(row(b"3-0", b"c", 0, 2))
    justid = client.command("XCLAIM", "s", "g", "d", "0", "3-0", "3-0", "FORCE", "JUSTID")
    assert justid == arr(bulk(b"3-0"), bulk(b"3-0"))
    assert client.command("XPENDING", "s", "g", "3", "3", "10") == arr(row(b"3-0", b"d", 0, 2))


def test_xclaim_drops_deleted_entries_silently(claim_setup: tuple[ManualClock, RawClient]) -> None:
    _, client = claim_setup
    assert client.command("XDEL", "s", "2-0") == b":1\r\n"
    assert client.command("XCLAIM", "s", "g", "c6", "0", "2-0", "1-0") == arr(E1)
    assert client.command("XPENDING", "s", "g") == (
        b"*4\r\n:1\r\n$3\r\n1-0\r\n$3\r\n1-0\r\n*1\r\n*2\r\n$2\r\nc6\r\n$1\r\n1\r\n"
    )


def test_xclaim_lastid(claim_setup: tuple[ManualClock, RawClient]) -> None:
    _, client = claim_setup
    # LASTID moves the group's last delivered ID forward, never its entries-read.
    client.command("XCLAIM", "s", "g", "c6", "0", "1-0", "LASTID", "10-0")
    assert client.command("XINFO", "GROUPS", "s") == arr(group_info(b"g", 2, 2, b"10-0", 2, 2))
    client.command("XCLAIM", "s", "g", "c6", "0", "1-0", "LASTID", "0-5")
    assert client.command("XINFO", "GROUPS", "s") == arr(group_info(b"g", 2, 2, b"10-0", 2, 2))


def test_xclaim_consumer_times(claim_setup: tuple[ManualClock, RawClient]) -> None:
    clock, client = claim_setup
    # The claiming consumer is created and seen even when nothing is claimed...
    assert client.command("XCLAIM", "s", "g", "idle", "5000", "1-0") == b"*0\r\n"
    # ...and is active only once it claims something.
    assert client.command("XCLAIM", "s", "g", "busy", "500", "1-0", "JUSTID") == arr(bulk(b"1-0"))
    clock.advance_ms(30)
    reply = client.command("XINFO", "CONSUMERS", "s", "g")
    assert (
        b"$4\r\nbusy\r\n$7\r\npending\r\n:1\r\n$4\r\nidle\r\n:30\r\n$8\r\ninactive\r\n:30\r\n"
        in reply
    )
    assert (
        b"$4\r\nidle\r\n$7\r\npending\r\n:0\r\n$4\r\nidle\r\n:30\r\n$8\r\ninactive\r\n:-1\r\n"
        in reply
    )


UNRECOGNIZED = b"-ERR Unrecognized XCLAIM option '%s'\r\n"


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("x", "1-0"), b"-ERR Invalid min-idle-time argument for XCLAIM\r\n"),
        (
            ("0", "1-0", "RETRYCOUNT", "x"),
            b"-ERR Invalid RETRYCOUNT option argument for XCLAIM\r\n",
        ),
        (("0", "1-0", "IDLE", "x"), b"-ERR Invalid IDLE option argument for XCLAIM\r\n"),
        (("0", "1-0", "TIME", "x"), b"-ERR Invalid TIME option argument for XCLAIM\r\n"),
        (("0", "1-0", "LASTID", "x"), INVALID_ID),
        (("0", "1-0", "LASTID"), UNRECOGNIZED % b"LASTID"),
        (("0", "1-0", "IDLE"), UNRECOGNIZED % b"IDLE"),
        (("0", "1-0", "FOO"), UNRECOGNIZED % b"FOO"),
        (("0", "1-0", "JUSTID", "2-0"), UNRECOGNIZED % b"2-0"),  # no IDs after options
        (("0", "bad", "1-0"), UNRECOGNIZED % b"bad"),
        (("0", "1-0", "-"), UNRECOGNIZED % b"-"),
        ((b"0", b"1-0", b"a\r\nb\x00c"), UNRECOGNIZED % b"a  b"),
        # An error after LASTID: the group does not move.
        (("0", "1-0", "LASTID", "10-0", "FOO"), UNRECOGNIZED % b"FOO"),
    ],
)
def test_xclaim_errors_leave_no_trace(raw: RawClient, args: tuple[str, ...], error: bytes) -> None:
    fill(raw)
    assert raw.command("XGROUP", "CREATE", "s", "g", "0") == OK
    raw.command("XREADGROUP", "GROUP", "g", "c1", "COUNT", "1", "STREAMS", "s", ">")
    assert raw.command("XCLAIM", "s", "g", "newc", *args) == error
    assert raw.command("XINFO", "GROUPS", "s") == arr(group_info(b"g", 1, 1, b"1-0", 1, 3))
    assert b"newc" not in raw.command("XINFO", "CONSUMERS", "s", "g")


def test_xclaim_key_errors_come_first(raw: RawClient) -> None:
    fill(raw)
    assert raw.command("XCLAIM", "nokey", "g", "c", "x", "x") == (
        b"-NOGROUP No such key 'nokey' or consumer group 'g'\r\n"
    )
    assert raw.command("XCLAIM", "s", "nog", "c", "x", "1-0") == (
        b"-NOGROUP No such key 's' or consumer group 'nog'\r\n"
    )
    assert raw.command("XCLAIM", "str", "g", "c", "x", "1-0") == WRONGTYPE


# -- XAUTOCLAIM -------------------------------------------------------------------------------


def test_xautoclaim_examples(claim_setup: tuple[ManualClock, RawClient]) -> None:
    _, client = claim_setup
    client.command("XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", ">")  # 3-0, 4-0 to c2
    assert client.command("XAUTOCLAIM", "s", "g", "c3", "0", "0", "COUNT", "2") == (
        b"*3\r\n$3\r\n3-0\r\n*2\r\n" + E1 + E2 + b"*0\r\n"
    )
    assert client.command("XAUTOCLAIM", "s", "g", "c3", "0", "3-0", "COUNT", "1", "JUSTID") == (
        b"*3\r\n$3\r\n4-0\r\n*1\r\n$3\r\n3-0\r\n*0\r\n"
    )
    assert client.command("XAUTOCLAIM", "s", "g", "c3", "0", "(3", "justid", "JUSTID") == (
        b"*3\r\n$3\r\n0-0\r\n*1\r\n$3\r\n4-0\r\n*0\r\n"
    )
    assert (
        client.command("XAUTOCLAIM", "s", "g", "c3", "0", "5-0")
        == b"*3\r\n$3\r\n0-0\r\n*0\r\n*0\r\n"
    )
    assert client.command("XPENDING", "s", "g", "-", "+", "10") == arr(
        row(b"1-0", b"c3", 0, 2),
        row(b"2-0", b"c3", 0, 2),
        row(b"3-0", b"c3", 0, 1),
        row(b"4-0", b"c3", 0, 1),
    )


def test_xautoclaim_reports_deleted_entries(claim_setup: tuple[ManualClock, RawClient]) -> None:
    _, client = claim_setup
    client.command("XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", ">")
    assert client.command("XDEL", "s", "2-0", "3-0") == b":2\r\n"
    assert client.command("XAUTOCLAIM", "s", "g", "c5", "0", "0", "COUNT", "3") == (
        b"*3\r\n$3\r\n4-0\r\n*1\r\n" + E1 + b"*2\r\n$3\r\n2-0\r\n$3\r\n3-0\r\n"
    )
    assert client.command("XPENDING", "s", "g") == (
        b"*4\r\n:2\r\n$3\r\n1-0\r\n$3\r\n4-0\r\n*2\r\n*2\r\n$2\r\nc2\r\n$1\r\n1\r\n"
        b"*2\r\n$2\r\nc5\r\n$1\r\n1\r\n"
    )


def test_xautoclaim_min_idle_and_consumer_times(claim_setup: tuple[ManualClock, RawClient]) -> None:
    clock, client = claim_setup
    client.command("XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", ">")  # delivered now
    assert client.command("XAUTOCLAIM", "s", "g", "c4", "3600000", "0") == (
        b"*3\r\n$3\r\n0-0\r\n*0\r\n*0\r\n"
    )
    assert client.command("XAUTOCLAIM", "s", "g", "c5", "1000", "-", "JUSTID") == (
        b"*3\r\n$3\r\n0-0\r\n*2\r\n$3\r\n1-0\r\n$3\r\n2-0\r\n*0\r\n"
    )
    clock.advance_ms(20)
    reply = client.command("XINFO", "CONSUMERS", "s", "g")
    assert (
        b"$2\r\nc4\r\n$7\r\npending\r\n:0\r\n$4\r\nidle\r\n:20\r\n$8\r\ninactive\r\n:-1\r\n"
        in reply
    )
    assert (
        b"$2\r\nc5\r\n$7\r\npending\r\n:2\r\n$4\r\nidle\r\n:20\r\n$8\r\ninactive\r\n:20\r\n"
        in reply
    )


def test_xautoclaim_attempts_are_bounded(clocked: tuple[ManualClock, Server, RawClient]) -> None:
    clock, _, client = clocked
    for i in range(1, 31):
        client.command("XADD", "s", f"{i}-0", "f", str(i))
    assert client.command("XGROUP", "CREATE", "s", "g", "0") == OK
    client.command("XREADGROUP", "GROUP", "g", "c1", "COUNT", "1", "STREAMS", "s", ">")
    clock.advance_ms(100)
    client.command("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", ">")
    clock.advance_ms(100)
    # Only 1-0 has been idle for 150 ms; COUNT n looks at no more than 10 * n entries.
    assert client.command("XAUTOCLAIM", "s", "g", "c2", "150", "0", "COUNT", "1", "JUSTID") == (
        b"*3\r\n$3\r\n2-0\r\n*1\r\n$3\r\n1-0\r\n*0\r\n"
    )
    assert client.command("XAUTOCLAIM", "s", "g", "c2", "150", "2-0", "COUNT", "2") == (
        b"*3\r\n$4\r\n22-0\r\n*0\r\n*0\r\n"
    )
    assert client.command("XAUTOCLAIM", "s", "g", "c2", "150", "2-0", "COUNT", "3") == (
        b"*3\r\n$3\r\n0-0\r\n*0\r\n*0\r\n"
    )


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("g", "c", "x", "0"), b"-ERR Invalid min-idle-time argument for XAUTOCLAIM\r\n"),
        (("g", "c", "0", "x"), INVALID_ID),
        (
            ("g", "c", "0", "(18446744073709551615-18446744073709551615"),
            b"-ERR invalid start ID for the interval\r\n",
        ),
        (("g", "c", "0", "0", "COUNT", "0"), b"-ERR COUNT must be > 0\r\n"),
        (("g", "c", "0", "0", "COUNT", "-1"), b"-ERR COUNT must be > 0\r\n"),
        (("g", "c", "0", "0", "COUNT", "x"), b"-ERR COUNT must be > 0\r\n"),
        (("g", "c", "0", "0", "COUNT", "576460752303423488"), b"-ERR COUNT must be > 0\r\n"),
        (("g", "c", "0", "0", "COUNT"), SYNTAX),
        (("g", "c", "0", "0", "FOO"), SYNTAX),
        (("nog", "c", "0", "0"), b"-NOGROUP No such key 's' or consumer group 'nog'\r\n"),
        (("nog", "c", "x", "0"), b"-ERR Invalid min-idle-time argument for XAUTOCLAIM\r\n"),
    ],
)
def test_xautoclaim_errors(raw: RawClient, args: tuple[str, ...], error: bytes) -> None:
    fill(raw)
    assert raw.command("XGROUP", "CREATE", "s", "g", "0") == OK
    assert raw.command("XAUTOCLAIM", "s", *args) == error
    assert raw.command("XINFO", "CONSUMERS", "s", "g") == b"*0\r\n"


def test_xautoclaim_key_errors_come_after_arguments(raw: RawClient) -> None:
    fill(raw)
    assert raw.command("XAUTOCLAIM", "str", "g", "c", "x", "0") == (
        b"-ERR Invalid min-idle-time argument for XAUTOCLAIM\r\n"
    )
    assert raw.command("XAUTOCLAIM", "str", "g", "c", "0", "0") == WRONGTYPE
    assert raw.command("XAUTOCLAIM", "nokey", "g", "c", "0", "0") == (
        b"-NOGROUP No such key 'nokey' or consumer group 'g'\r\n"
    )


# -- COPY keeps groups, and changing the copy leaves the original alone ---------------------


def test_copy_duplicates_groups_and_pending_entries(raw: RawClient) -> None:
    fill(raw)
    assert raw.command("XGROUP", "CREATE", "s", "g", "0") == OK
    raw.command("XREADGROUP", "GROUP", "g", "c", "COUNT", "2", "STREAMS", "s", ">")
    assert raw.command("COPY", "s", "t") == b":1\r\n"
    summary = b"*4\r\n:2\r\n$3\r\n1-0\r\n$3\r\n2-0\r\n*1\r\n*2\r\n$1\r\nc\r\n$1\r\n2\r\n"
    assert raw.command("XPENDING", "t", "g") == summary
    assert raw.command("XACK", "t", "g", "1-0", "2-0") == b":2\r\n"
    assert raw.command("XPENDING", "t", "g") == EMPTY_SUMMARY
    assert raw.command("XPENDING", "s", "g") == summary
    assert raw.command("XREADGROUP", "GROUP", "g", "c", "STREAMS", "t", ">").startswith(b"*1\r\n")
    assert raw.command("XINFO", "GROUPS", "s") == arr(group_info(b"g", 1, 2, b"2-0", 2, 2))


# -- none of these touch WATCHed keys ------------------------------------------------------


def test_group_commands_do_not_touch_watched_keys(raw: RawClient, server: Server) -> None:
    fill(raw)
    assert raw.command("XGROUP", "CREATE", "s", "g", "0") == OK
    raw.command("XREADGROUP", "GROUP", "g", "c", "COUNT", "2", "STREAMS", "s", ">")
    commands = [
        ("XGROUP", "CREATE", "s", "h", "0"),
        ("XGROUP", "SETID", "s", "h", "1"),
        ("XGROUP", "CREATECONSUMER", "s", "g", "x"),
        ("XGROUP", "DELCONSUMER", "s", "g", "x"),
        ("XACK", "s", "g", "1-0"),
        ("XCLAIM", "s", "g", "d", "0", "2-0"),
        ("XAUTOCLAIM", "s", "g", "e", "0", "0"),
        ("XGROUP", "DESTROY", "s", "h"),
    ]
    with RawClient(server.port) as other:
        for args in commands:
            assert raw.command("WATCH", "s") == OK
            assert not other.command(*args).startswith(b"-")
            assert raw.command("MULTI") == OK
            assert raw.command("PING") == b"+QUEUED\r\n"
            assert raw.command("EXEC") == b"*1\r\n+PONG\r\n", args


# -- redis-py, both protocols -------------------------------------------------------------------


def test_redis_py_group_commands(r: redis.Redis) -> None:
    for i in range(1, 4):
        r.xadd("s", {"f": str(i)}, id=f"{i}-0")
    assert r.xgroup_create("s", "g", "0") is True
    assert r.xgroup_createconsumer("s", "g", "idle") == 1
    r.xreadgroup("g", "c1", {"s": ">"}, count=2)
    assert r.xpending("s", "g") == {
        "pending": 2,
        "min": b"1-0",
        "max": b"2-0",
        "consumers": [{"name": b"c1", "pending": 2}],
    }
    assert r.xclaim("s", "g", "c2", 0, ["1-0"], justid=True) == [b"1-0"]
    assert r.xautoclaim("s", "g", "c2", 0, "0-0", justid=True) == [b"1-0", b"2-0"]
    assert r.xautoclaim("s", "g", "c3", 0, "0-0", count=1) == [b"2-0", [(b"1-0", {b"f": b"1"})], []]
    assert r.xack("s", "g", "1-0", "2-0") == 2
    assert r.xgroup_delconsumer("s", "g", "c2") == 0
    assert r.xgroup_setid("s", "g", "0") is True
    assert r.xgroup_destroy("s", "g") == 1


# -- recovering from a crashed consumer (the scenario of Valkey's XREADGROUP page) ------------


def test_crash_recovery_and_takeover(make_server: Callable[..., Server]) -> None:
    clock = ManualClock(START_MS)
    instance = make_server(clock=clock)
    admin = redis.Redis(port=instance.port)
    assert admin.xgroup_create("orders", "workers", "$", mkstream=True) is True
    for i in range(1, 6):
        admin.xadd("orders", {"item": str(i)}, id=f"{i}-0")

    def entry(i: int) -> tuple[bytes, dict[bytes, bytes]]:
        return (b"%d-0" % i, {b"item": b"%d" % i})

    # Consumer "a" takes two new entries, then its process dies before acknowledging.
    worker_a = redis.Redis(port=instance.port)
    assert worker_a.xreadgroup("workers", "a", {"orders": ">"}, count=2) == [
        [b"orders", [entry(1), entry(2)]]
    ]
    worker_a.close()

    # On restart it first reads its own history (ID 0), processes and acknowledges it...
    worker_a = redis.Redis(port=instance.port)
    assert worker_a.xreadgroup("workers", "a", {"orders": "0"}) == [
        [b"orders", [entry(1), entry(2)]]
    ]
    assert worker_a.xack("orders", "workers", "1-0", "2-0") == 2
    # ...until the history is empty, then goes on with new entries.
    assert worker_a.xreadgroup("workers", "a", {"orders": "0"}) == [[b"orders", []]]
    assert worker_a.xreadgroup("workers", "a", {"orders": ">"}, count=1) == [
        [b"orders", [entry(3)]]
    ]
    assert worker_a.xack("orders", "workers", "3-0") == 1

    # Consumer "c" takes the rest and is never heard of again.
    worker_c = redis.Redis(port=instance.port)
    assert worker_c.xreadgroup("workers", "c", {"orders": ">"}) == [
        [b"orders", [entry(4), entry(5)]]
    ]
    worker_c.close()

    # Consumer "b" claims entries idle for at least 30 s; too early, nothing moves.
    worker_b = redis.Redis(port=instance.port)
    clock.advance(10)
    assert worker_b.xautoclaim("orders", "workers", "b", 30_000, "0-0") == [b"0-0", [], []]
    clock.advance(50)
    assert worker_b.xautoclaim("orders", "workers", "b", 30_000, "0-0", count=10) == [
        b"0-0",
        [entry(4), entry(5)],
        [],
    ]
    assert worker_b.xpending_range("orders", "workers", "-", "+", 10) == [
        {"message_id": b"4-0", "consumer": b"b", "time_since_delivered": 0, "times_delivered": 2},
        {"message_id": b"5-0", "consumer": b"b", "time_since_delivered": 0, "times_delivered": 2},
    ]
    assert worker_b.xack("orders", "workers", "4-0", "5-0") == 2
    assert worker_b.xpending("orders", "workers") == {
        "pending": 0,
        "min": None,
        "max": None,
        "consumers": [],
    }
    consumers = {c["name"]: c for c in worker_b.xinfo_consumers("orders", "workers")}
    assert consumers[b"a"]["pending"] == 0 and consumers[b"a"]["idle"] == 60_000
    assert consumers[b"c"]["pending"] == 0 and consumers[b"c"]["inactive"] == 60_000
    assert consumers[b"b"]["inactive"] == 0
    for client in (admin, worker_a, worker_b):
        client.close()
