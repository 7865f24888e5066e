"""FUNCTION DUMP and FUNCTION RESTORE over sockets, checked against Valkey 8.0.1 byte for
byte: DUMP payloads equal to valkey-server's (LZF and plain), payloads DUMPed by
valkey-server restored here, every restore policy, the collisions that fail a restore
(libraries left untouched), and the argument and payload errors in Valkey's order."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from function_samples import (
    FLAGGED,
    FLAGGED_DUMP,
    LONGLIB,
    LONGLIB_DUMP,
    MYLIB,
    MYLIB_DUMP,
    MYLIB_LIST,
    OK,
    TWO_DUMP,
    bulk,
    stats_reply,
)
from helpers import RawClient

BAD_FOOTER = b"-ERR DUMP payload version or checksum are wrong\r\n"


@pytest.fixture
def fresh(raw: RawClient) -> Iterator[RawClient]:
    """``raw`` with no library loaded (FLUSHALL leaves libraries alone)."""
    assert raw.command("FUNCTION", "FLUSH") == OK
    yield raw
    raw.command("FUNCTION", "FLUSH")


@pytest.fixture
def fr(r: redis.Redis) -> Iterator[redis.Redis]:
    """``r`` with no library loaded."""
    r.function_flush()
    yield r
    r.function_flush()


@pytest.mark.parametrize(
    ("code", "payload"),
    [(MYLIB, MYLIB_DUMP), (FLAGGED, FLAGGED_DUMP), (LONGLIB, LONGLIB_DUMP)],
    ids=["mylib", "flagged", "lzf"],
)
def test_dump_is_valkeys_payload(fresh: RawClient, code: str, payload: bytes) -> None:
    # valkey-server 8.0.1 with no library: the footer alone
    assert fresh.command("FUNCTION", "DUMP") == bulk(bytes.fromhex("0b003444e133f2e04b53"))
    assert fresh.command("FUNCTION", "LOAD", code)[:1] == b"$"
    assert fresh.command("FUNCTION", "DUMP") == bulk(payload)


def test_dump_without_compression(fresh: RawClient) -> None:
    assert fresh.command("FUNCTION", "LOAD", LONGLIB) == bulk(b"longlib")
    assert fresh.command("CONFIG", "SET", "rdbcompression", "no") == OK
    try:
        dumped = fresh.command("FUNCTION", "DUMP")
    finally:
        assert fresh.command("CONFIG", "SET", "rdbcompression", "yes") == OK
    # valkey-server 8.0.1, rdbcompression no: the code as it is, its length in two bytes
    footer = bytes.fromhex("0b004b484ba63c4fc429")
    assert dumped == bulk(b"\xf5\x41\xd3" + LONGLIB.encode() + footer)


@pytest.mark.parametrize("payload", [MYLIB_DUMP, FLAGGED_DUMP, LONGLIB_DUMP, TWO_DUMP])
def test_restore_valkeys_payloads(fr: redis.Redis, payload: bytes) -> None:
    assert fr.function_restore(payload) is True
    fr.set("k", "v")
    if payload in (MYLIB_DUMP, TWO_DUMP):
        assert fr.fcall("myfunc", 0, "x") == b"x"
    if payload in (FLAGGED_DUMP, TWO_DUMP):
        assert fr.fcall_ro("reader", 1, "k") == b"v"
    if payload is LONGLIB_DUMP:
        assert [fr.fcall(f"f{i}", 0) for i in range(8)] == list(range(8))


def test_restore_policies(fresh: RawClient) -> None:
    assert fresh.command("FUNCTION", "RESTORE", MYLIB_DUMP) == OK
    assert fresh.command("FUNCTION", "RESTORE", MYLIB_DUMP) == (
        b"-ERR Library mylib already exists\r\n"
    )
    assert fresh.command("FUNCTION", "RESTORE", MYLIB_DUMP, "APPEND") == (
        b"-ERR Library mylib already exists\r\n"
    )
    other = "#!lua name=mylib\nserver.register_function('myfunc', function() return 'new' end)"
    assert fresh.command("FUNCTION", "LOAD", "REPLACE", other) == bulk(b"mylib")
    assert fresh.command("FUNCTION", "RESTORE", MYLIB_DUMP, "replace") == OK
    assert fresh.command("FCALL", "myfunc", "0", "old") == b"$3\r\nold\r\n"
    assert fresh.command("FUNCTION", "LOAD", LONGLIB) == bulk(b"longlib")
    assert fresh.command("FUNCTION", "RESTORE", FLAGGED_DUMP, "FLUSH") == OK
    assert fresh.command("FUNCTION", "STATS") == stats_reply(2, 1, 1)
    assert fresh.command("FCALL", "myfunc", "0") == b"-ERR Function not found\r\n"
    assert fresh.command("FUNCTION", "RESTORE", TWO_DUMP, "append") == (
        b"-ERR Library flagged already exists\r\n"
    )
    assert fresh.command("FUNCTION", "STATS") == stats_reply(2, 1, 1)
    assert fresh.command("FUNCTION", "RESTORE", TWO_DUMP, "REPLACE") == OK
    assert fresh.command("FUNCTION", "STATS") == stats_reply(2, 2, 2)


def test_restore_function_name_collision(fresh: RawClient) -> None:
    lib1 = (
        "#!lua name=lib1\nlocal function add1(a) return a + 1 end\n"
        + "".join(
            f"server.register_function('f{i}', function() return add1({i}) end)\n"
            for i in (1, 2, 3)
        )
    )
    assert fresh.command("FUNCTION", "LOAD", lib1) == bulk(b"lib1")
    payload = fresh.command("FUNCTION", "DUMP").split(b"\r\n", 1)[1][:-2]
    assert fresh.command("FUNCTION", "FLUSH") == OK
    other1 = "#!lua name=lib1\nserver.register_function('f6', function() return 7 end)"
    other2 = "#!lua name=lib2\nserver.register_function('f3', function() return 4 end)"
    assert fresh.command("FUNCTION", "LOAD", other1) == bulk(b"lib1")
    assert fresh.command("FUNCTION", "LOAD", other2) == bulk(b"lib2")
    assert fresh.command("FUNCTION", "RESTORE", payload) == b"-ERR Library lib1 already exists\r\n"
    assert fresh.command("FUNCTION", "RESTORE", payload, "replace") == (
        b"-ERR Function f3 already exists\r\n"
    )
    # nothing changed: lib1 is still the one with f6
    assert fresh.command("FCALL", "f6", "0") == b":7\r\n"
    assert fresh.command("FCALL", "f3", "0") == b":4\r\n"
    assert fresh.command("FCALL", "f1", "0") == b"-ERR Function not found\r\n"
    assert fresh.command("FUNCTION", "STATS") == stats_reply(2, 2, 2)


@pytest.mark.parametrize(
    ("args", "reply"),
    [
        (("bad_payload",), BAD_FOOTER),
        ((MYLIB_DUMP[:-1],), BAD_FOOTER),
        ((MYLIB_DUMP, "bad"), b"-ERR Wrong restore policy given, value should be either "
         b"FLUSH, APPEND or REPLACE.\r\n"),
        (("bad_payload", "bad"), b"-ERR Wrong restore policy given, value should be either "
         b"FLUSH, APPEND or REPLACE.\r\n"),
        (("arg1", "args2", "arg3"), b"-ERR unknown subcommand or wrong number of arguments for "
         b"'RESTORE'. Try FUNCTION HELP.\r\n"),
        ((bytes.fromhex("f5026162") + bytes.fromhex("0b00") + bytes(8),), BAD_FOOTER),
        ((), b"-ERR wrong number of arguments for 'function|restore' command\r\n"),
    ],
)
def test_restore_errors_keep_libraries(
    fresh: RawClient, args: tuple[bytes | str, ...], reply: bytes
) -> None:
    assert fresh.command("FUNCTION", "LOAD", MYLIB) == bulk(b"mylib")
    assert fresh.command("FUNCTION", "RESTORE", *args) == reply
    assert fresh.command("FUNCTION", "LIST") == MYLIB_LIST[2]


def test_restore_a_payload_dumped_here(fresh: RawClient) -> None:
    assert fresh.command("FUNCTION", "LOAD", LONGLIB) == bulk(b"longlib")
    assert fresh.command("FUNCTION", "LOAD", MYLIB) == bulk(b"mylib")
    payload = fresh.command("FUNCTION", "DUMP").split(b"\r\n", 1)[1][:-2]
    assert fresh.command("FUNCTION", "FLUSH") == OK
    assert fresh.command("FUNCTION", "RESTORE", payload) == OK
    assert fresh.command("FUNCTION", "STATS") == stats_reply(2, 2, 9)
    assert fresh.command("FCALL", "f7", "0") == b":7\r\n"
