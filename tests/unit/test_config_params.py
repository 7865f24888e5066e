"""The parameter table against Valkey 8.0.1: CONFIG SET / GET, patterns and aliases,
config file directives and CONFIG REWRITE.

``data/config_set_valkey.json`` holds 845 cases, each (parameter, value, CONFIG SET's
reply, CONFIG GET's value afterwards), recorded once from valkey-server: every C type
and unit of the numbers at their bounds, every enum, the checked strings, and the
parameters with a syntax of their own. (It ran with ``--daemonize yes``; the
``daemonize`` values shown are this server's default.) The cases run in process, each
from the configuration the previous one left, restored after a success as there.
"""

from __future__ import annotations

import json
import os
import resource
from pathlib import Path

import inprocess
import pytest

from minivalkey.cli import config_lines_from_text
from minivalkey.config import PARAMS, Config, ConfigError, find_param, rewrite_config_file
from minivalkey.config.params import BY_NAME

CASES = json.loads((Path(__file__).parent / "data" / "config_set_valkey.json").read_text())


def bulk_value(reply: bytes) -> str:
    """The value of a one-parameter CONFIG GET reply (RESP2)."""
    parts = reply.split(b"\r\n")
    assert parts[0] == b"*2", reply
    return parts[4].decode()


@pytest.fixture(scope="module")
def shared() -> inprocess.Harness:
    return inprocess.Harness()


@pytest.mark.parametrize(
    "name, value, reply, shown", CASES, ids=[f"{c[0]}={c[1][:20]!r}" for c in CASES]
)
def test_config_set_as_valkey(
    shared: inprocess.Harness, name: str, value: str, reply: str, shown: str
) -> None:
    before = shared.run("CONFIG", "GET", name)
    got = shared.run("CONFIG", "SET", name, value)
    assert got == reply.encode() + b"\r\n"
    assert bulk_value(shared.run("CONFIG", "GET", name)) == shown
    if got == b"+OK\r\n":
        assert shared.run("CONFIG", "SET", name, bulk_value(before)) == b"+OK\r\n"


def test_config_get_star_lists_every_visible_name() -> None:
    h = inprocess.Harness()
    reply = h.run("CONFIG", "GET", "*")
    assert reply.startswith(b"*428\r\n")  # 214 names, as Valkey 8.0.1 lists them
    assert len(PARAMS) == 198 and len(BY_NAME) == 223  # 25 aliases, 9 hidden
    hidden = sorted(name for name, param in BY_NAME.items() if param.hidden)
    assert hidden == [
        "aof-disable-auto-gc", "cluster-ping-interval", "debug-context", "enable-debug-assert",
        "key-load-delay", "loading-process-events-interval-bytes", "rdb-key-save-delay",
        "use-exit-on-panic", "watchdog-period",
    ]  # fmt: skip
    for name in hidden:
        assert b"$%d\r\n%s\r\n" % (len(name), name.encode()) not in reply
        assert h.run("CONFIG", "GET", name).startswith(b"*2\r\n")  # by exact name only


def test_aliases_in_patterns_and_by_name() -> None:
    h = inprocess.Harness()
    found = h.core.config.matching(["*ziplist*"])
    assert found == {
        "hash-max-ziplist-entries": "512",
        "hash-max-ziplist-value": "64",
        "list-max-ziplist-size": "-2",
        "zset-max-ziplist-entries": "128",
        "zset-max-ziplist-value": "64",
    }
    # A parameter and its alias are two names: both are listed.
    assert h.core.config.matching(["HASH-max-*"]) == {
        "hash-max-listpack-entries": "512",
        "hash-max-listpack-value": "64",
        "hash-max-ziplist-entries": "512",
        "hash-max-ziplist-value": "64",
    }
    assert h.core.config.matching(["hash-max-ZIPLIST-entries", "hash-max-ziplist-entries"]) == {
        "hash-max-ZIPLIST-entries": "512"
    }
    assert h.run("CONFIG", "SET", "slave-priority", "5") == b"+OK\r\n"
    assert h.core.config.matching(["replica-priority", "slave-priority"]) == {
        "replica-priority": "5",
        "slave-priority": "5",
    }
    assert h.run("CONFIG", "SET", "replica-priority", "1", "slave-priority", "2") == (
        b"-ERR CONFIG SET failed (possibly related to argument 'slave-priority') - "
        b"duplicate parameter\r\n"
    )


def test_parameters_that_change_nothing_here_are_kept() -> None:
    h = inprocess.Harness()
    assert h.run("CONFIG", "SET", "repl-ping-replica-period", "10") == b"+OK\r\n"
    assert h.run("CONFIG", "SET", "repl-ping-slave-period", "25") == b"+OK\r\n"
    assert h.run("CONFIG", "GET", "repl-ping-replica-period") == (
        b"*2\r\n$24\r\nrepl-ping-replica-period\r\n$2\r\n25\r\n"
    )
    assert h.run("CONFIG", "SET", "appendfsync", "always", "hz", "20") == b"+OK\r\n"
    assert h.core.config.values["appendfsync"] == "always"


def test_what_the_server_cannot_do_is_refused() -> None:
    h = inprocess.Harness()
    tls = b"Unable to update TLS configuration. Check server logs.\r\n"
    assert h.run("CONFIG", "SET", "tls-port", "6390") == (
        b"-ERR CONFIG SET failed (possibly related to argument 'tls-port') - " + tls
    )
    assert h.run("CONFIG", "SET", "hz", "20", "tls-replication", "yes") == (
        b"-ERR CONFIG SET failed (possibly related to argument 'tls-replication') - " + tls
    )
    assert h.core.config.values["hz"] == 10  # nothing changed
    assert h.run("CONFIG", "SET", "tls-port", "0", "tls-cluster", "no") == b"+OK\r\n"
    assert h.run("CONFIG", "SET", "locale-collate", "no_such_locale.UTF-99") == (
        b"-ERR CONFIG SET failed (possibly related to argument 'locale-collate') - "
        b"Invalid locale name\r\n"
    )
    assert h.run("CONFIG", "SET", "locale-collate", "C") == b"+OK\r\n"


def test_maxclients_needs_open_files(monkeypatch: pytest.MonkeyPatch) -> None:
    h = inprocess.Harness()
    limits = [(1024, 20000)]
    monkeypatch.setattr(resource, "getrlimit", lambda which: limits[-1])
    monkeypatch.setattr(resource, "setrlimit", lambda which, new: limits.append(new))
    assert h.run("CONFIG", "SET", "maxclients", "5000") == b"+OK\r\n"
    assert limits[-1] == (5032, 20000)  # raised for 5000 clients and 32 spare descriptors
    assert h.run("CONFIG", "SET", "maxclients", "100000000") == (
        b"-ERR CONFIG SET failed (possibly related to argument 'maxclients') - The operating "
        b"system is not able to handle the specified number of clients, try with 19968\r\n"
    )
    assert h.core.config.values["maxclients"] == 5000


# -- config file directives ------------------------------------------------------------------


def test_config_file_directives() -> None:
    config = Config()
    config.load("save", ["100", "1"])
    config.load("SAVE", ["200 2"])  # a later save line adds to the first
    assert config.values["save"] == "100 1 200 2"
    config.load("shutdown-on-sigint", ["save now"])  # one word of several: split
    config.load("client-output-buffer-limit", ["pubsub", "1mb", "2mb", "3"])
    config.load("client-output-buffer-limit", ['replica "4mb" 5mb 6'])
    assert config.render("shutdown-on-sigint") == "save now"
    assert config.render("client-output-buffer-limit") == (
        "normal 0 0 0 slave 4194304 5242880 6 pubsub 1048576 2097152 3"
    )
    config.load("bind", ["127.0.0.1", "::1"])
    assert config.values["bind"] == "127.0.0.1 ::1"
    config.load("latency-tracking-info-percentiles", [""])
    assert config.values["latency-tracking-info-percentiles"] == ""
    config.load("slaveof", ["no", "one"])
    config.load("repl-ping-slave-period", ["7"])
    assert config.values["repl-ping-replica-period"] == 7
    # Directives that are no parameters, and the retired ones Valkey tolerates.
    for name, words in (
        ("include", ["other.conf"]),
        ("rename-command", ["FLUSHALL", ""]),
        ("user", ["default", "on", "nopass"]),
        ("loadmodule", ["mod.so"]),
        ("list-max-ziplist-entries", ["5"]),
        ("lua-replicate-commands", ["yes"]),
    ):
        config.load(name, words)
    errors = (
        ("nosuch", ["1"], "Bad directive or wrong number of arguments"),
        ("list-max-ziplist-entries", ["5", "6"], "Bad directive or wrong number of arguments"),
        ("rename-command", ["x"], "Bad directive or wrong number of arguments"),
        ("sentinel", ["monitor", "x"], "sentinel directive while not in sentinel mode"),
        ("hz", ["1", "2"], "wrong number of arguments"),
        ("hz", [], "wrong number of arguments"),
        ("oom-score-adj-values", ["1 2"], "wrong number of arguments"),
        ("maxmemory", ["1x"], "argument must be a memory value"),
    )
    for name, words, reason in errors:
        with pytest.raises(ConfigError, match=reason):
            config.load(name, words)


def test_hz_and_backlog_are_capped_after_parsing() -> None:
    config = Config({"hz": "1000", "repl-backlog-size": "1"})
    assert config.values["hz"] == 500 and config.values["repl-backlog-size"] == 16384


# -- CONFIG REWRITE --------------------------------------------------------------------------


def test_rewrite_follows_valkey(tmp_path: Path) -> None:
    path = tmp_path / "valkey.conf"
    path.write_text(
        "# kept\n"
        "port 7000\n"
        "hash-max-ziplist-entries 100\n"  # an alias: rewritten under the parameter's name
        "save 100 1\n"
        "save 200 2\n"
        "bind 127.0.0.1\n"  # the default: removed
        "list-max-ziplist-entries 5\n"
        "bogus directive\n"
        'unbalanced "quote\n'
        "client-output-buffer-limit normal 0 0 0\n"
        "user default on nopass ~* +@all\n"
        "include /nonexistent.conf\n"
        "\n\n\n"
        "# end\n",
        encoding="utf-8",
    )
    config = Config()
    for line in ("port 7000", "hash-max-listpack-entries 100", "save 100 1", "save 200 2"):
        name, *words = line.split()
        config.load(name, words)
    config.config_file = str(path)
    changes = {
        "maxmemory-clients": "10%",
        "maxmemory": "3gb",
        "client-output-buffer-limit": "pubsub 1mb 2mb 3",
        "replica-announce-ip": "1.2.3.4",
        "shutdown-on-sigterm": "nosave force",
        "notify-keyspace-events": "Ex",
        "unixsocketperm": "700",
        "repl-backlog-size": "1048577",
    }
    for name, text in changes.items():
        config.set(name, text)
    rewrite_config_file(config)
    assert path.read_text(encoding="utf-8") == (
        "# kept\n"
        "port 7000\n"
        "hash-max-listpack-entries 100\n"
        "save 100 1 200 2\n"
        "\n"
        "# ??? list-max-ziplist-entries 5\n"
        "# ??? bogus directive\n"
        '# ??? unbalanced "quote\n'
        "client-output-buffer-limit normal 0 0 0\n"
        "user default on nopass sanitize-payload ~* &* +@all\n"
        "include /nonexistent.conf\n"
        "\n"
        "# end\n"
        "# Generated by CONFIG REWRITE\n"
        'replica-announce-ip "1.2.3.4"\n'
        "shutdown-on-sigterm nosave force\n"
        "unixsocketperm 700\n"
        "repl-backlog-size 1048577\n"
        "maxmemory 3gb\n"
        "maxmemory-clients 10%\n"
        f'dir "{os.getcwd()}"\n'
        "client-output-buffer-limit pubsub 1mb 2mb 3\n"
        'notify-keyspace-events "xE"\n'
        "latency-tracking-info-percentiles 50 99 99.9\n"
    )
    # The rewritten file loads back to the same configuration.
    reloaded = Config()
    for _, name, words in config_lines_from_text(path.read_text(encoding="utf-8")):
        reloaded.load(name, words)
    for name in changes:
        param = find_param(name)
        assert param is not None
        assert reloaded.values[param.name] == config.values[param.name], name
