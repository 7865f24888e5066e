"""EVAL among the server's other machinery, each checked against Valkey 8.0.1: MONITOR
(the EVAL line, then its script's commands as ``[<db> lua]``), CLIENT PAUSE WRITE (a
script declaring no writes, or EVAL_RO, runs; others wait), keyspace events and
PUBLISH from a script, SELECT inside a script, CLIENT INFO after one, client-side
caching of the keys a script read, blocked readers served after the script (never
in the middle of it), the OOM and min-replicas-to-write refusals (before running
when the shebang declares writes), INFO's script figures and eviction, and COMMAND's
view of the EVAL family.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator

import pytest
from helpers import RawClient, encode_command, raw_clients, wait_until

from minivalkey import Server

OK = b"+OK\r\n"
_STAMP = re.compile(rb"^\+\d+\.\d{6} ")


@pytest.fixture
def own_server(make_server: Callable[..., Server]) -> Server:
    return make_server()


@pytest.fixture
def clients(own_server: Server) -> Iterator[Callable[..., RawClient]]:
    with raw_clients(own_server.port) as open_client:
        yield open_client


def origin(client: RawClient) -> bytes:
    host, port = client.sock.getsockname()[:2]
    return b"%s:%d" % (host.encode(), port)


def monitor_lines(monitor: RawClient, count: int) -> list[bytes]:
    lines = []
    for _ in range(count):
        line = monitor.read_reply()
        assert _STAMP.match(line), line
        lines.append(_STAMP.sub(b"+", line))
    return lines


def sha(body: str) -> str:
    return hashlib.sha1(body.encode()).hexdigest()


# -- MONITOR -----------------------------------------------------------------------------


def test_monitor_shows_eval_then_the_commands_of_its_script(
    clients: Callable[..., RawClient],
) -> None:
    monitor, client = clients(), clients()
    assert monitor.command("MONITOR") == OK
    script = "redis.call('set','k','v') redis.call('select','3') return redis.call('get','k')"
    assert client.command("EVAL", script, "1", "k") == b"$-1\r\n"
    assert client.command("EVAL", "return 1", "x") == (
        b"-ERR value is not an integer or out of range\r\n"
    )
    assert client.command("EVALSHA", "abc", "0") == b"-NOSCRIPT No matching script.\r\n"
    assert client.command("EVAL_RO", "return redis.call('get','k')", "1", "k") == b"$1\r\nv\r\n"
    assert client.command("EVAL", "return redis.pcall('nosuch', 'a')", "0") == (
        b"-ERR Unknown command called from script\r\n"
    )
    assert client.command("EVAL", "return redis.pcall('auth', 'a', 'b')", "0") == (
        b"-ERR This Redis command is not allowed from script\r\n"
    )
    assert client.command("SELECT", "5") == OK
    assert client.command("MULTI") == OK
    assert client.command("EVAL", "return redis.call('incr','n')", "0") == b"+QUEUED\r\n"
    assert client.command("EXEC") == b"*1\r\n:1\r\n"
    me = origin(client)
    assert monitor_lines(monitor, 15) == [
        b'+[0 %s] "EVAL" "%s" "1" "k"\r\n' % (me, script.encode()),
        b'+[0 lua] "set" "k" "v"\r\n',
        b'+[3 lua] "select" "3"\r\n',
        b'+[3 lua] "get" "k"\r\n',
        b'+[0 %s] "EVAL" "return 1" "x"\r\n' % me,
        b'+[0 %s] "EVALSHA" "abc" "0"\r\n' % me,
        b'+[0 %s] "EVAL_RO" "return redis.call(\'get\',\'k\')" "1" "k"\r\n' % me,
        b'+[0 lua] "get" "k"\r\n',
        b'+[0 %s] "EVAL" "return redis.pcall(\'nosuch\', \'a\')" "0"\r\n' % me,
        b"+[0 %s] \"EVAL\" \"return redis.pcall('auth', 'a', 'b')\" \"0\"\r\n" % me,
        b'+[5 %s] "SELECT" "5"\r\n' % me,
        b'+[5 %s] "MULTI"\r\n' % me,
        b'+[5 %s] "EVAL" "return redis.call(\'incr\',\'n\')" "0"\r\n' % me,
        b'+[5 lua] "incr" "n"\r\n',
        b'+[5 %s] "EXEC"\r\n' % me,
    ]


# -- CLIENT PAUSE WRITE ------------------------------------------------------------------


def test_client_pause_write_lets_scripts_without_writes_run(
    own_server: Server, clients: Callable[..., RawClient]
) -> None:
    control, client = clients(), clients()
    assert client.command("SET", "k", "v") == OK
    assert control.command("CLIENT", "PAUSE", "100000", "WRITE") == OK
    reader = "#!lua flags=no-writes\nreturn redis.call('get','k')"
    assert client.command("EVAL", reader, "0") == b"$1\r\nv\r\n"
    assert client.command("EVAL_RO", "return redis.call('get','k')", "0") == b"$1\r\nv\r\n"
    assert client.command("EVALSHA_RO", "a" * 40, "0") == b"-NOSCRIPT No matching script.\r\n"
    for script, reply in (
        ("return redis.call('get','k')", b"$1\r\nv\r\n"),  # no shebang: may write
        ("#!lua\nreturn 1", b":1\r\n"),
        ("#!lua flags=allow-oom\nreturn 1", b":1\r\n"),
    ):
        client.send(encode_command("EVAL", script, "0"))
        wait_until(lambda: own_server.core.blocked_clients == 1, message="the EVAL is held")
        assert control.command("CLIENT", "UNPAUSE") == OK
        assert client.read_reply() == reply
        assert control.command("CLIENT", "PAUSE", "100000", "WRITE") == OK
    assert control.command("CLIENT", "UNPAUSE") == OK


# -- keyspace events, PUBLISH, SELECT, CLIENT INFO --------------------------------------


def test_keyspace_events_and_messages_from_a_script(clients: Callable[..., RawClient]) -> None:
    subscriber, client = clients(), clients()
    assert client.command("CONFIG", "SET", "notify-keyspace-events", "KEA") == OK
    assert subscriber.command("PSUBSCRIBE", "*") == b"*3\r\n$10\r\npsubscribe\r\n$1\r\n*\r\n:1\r\n"
    script = (
        "redis.call('set','k','v') redis.call('publish','ch','hi') redis.call('select','2') "
        "redis.call('lpush','l','a') redis.call('del','k') return redis.call('expire','l','100')"
    )
    assert client.command("EVAL", script, "0") == b":1\r\n"

    def message(channel: bytes, payload: bytes) -> bytes:
        return b"*4\r\n$8\r\npmessage\r\n$1\r\n*\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (
            len(channel),
            channel,
            len(payload),
            payload,
        )

    assert [subscriber.read_reply() for _ in range(7)] == [
        message(b"__keyspace@0__:k", b"set"),
        message(b"__keyevent@0__:set", b"k"),
        message(b"ch", b"hi"),
        message(b"__keyspace@2__:l", b"lpush"),
        message(b"__keyevent@2__:lpush", b"l"),
        message(b"__keyspace@2__:l", b"expire"),
        message(b"__keyevent@2__:expire", b"l"),
    ]  # the del of k in db 2 deleted nothing: no event
    assert subscriber.command("PING") == b"*2\r\n$4\r\npong\r\n$0\r\n\r\n"


def test_select_inside_a_script_leaves_the_caller_in_its_database(raw: RawClient) -> None:
    assert raw.command("SELECT", "1") == OK
    script = "redis.call('select', 4) return redis.call('set','z','1')"
    assert raw.command("EVAL", script, "0") == OK
    assert raw.command("SET", "z", "caller") == OK
    assert raw.command("SELECT", "4") == OK
    assert raw.command("GET", "z") == b"$1\r\n1\r\n"
    assert raw.command("SELECT", "1") == OK
    assert raw.command("GET", "z") == b"$6\r\ncaller\r\n"
    assert raw.command("EVAL", "return redis.call('get', 'z')", "0") == b"$6\r\ncaller\r\n"
    raw.command("FLUSHALL")


def _fields(line: bytes) -> dict[str, str]:
    return dict(item.split("=", 1) for item in line.decode().split())


def test_client_info_and_list_name_the_script_command(clients: Callable[..., RawClient]) -> None:
    client, other = clients(), clients()
    assert client.command("SELECT", "2") == OK
    assert client.command("EVAL", "redis.call('select', 5) return 1", "0") == b":1\r\n"
    info = _fields(client.command("CLIENT", "INFO").split(b"\r\n")[1])
    assert (info["db"], info["cmd"], info["flags"]) == ("2", "client|info", "N")
    assert client.command("EVALSHA_RO", "a" * 40, "0") == b"-NOSCRIPT No matching script.\r\n"
    assert client.command("EVAL", "return 1", "x").startswith(b"-ERR")
    listing = other.command("CLIENT", "LIST").split(b"\r\n")[1].split(b"\n")
    host, port = client.sock.getsockname()[:2]
    mine = [_fields(line) for line in listing if f"addr={host}:{port} ".encode() in line]
    assert [(entry["db"], entry["cmd"]) for entry in mine] == [("2", "eval")]


# -- client-side caching ------------------------------------------------------------------


def _invalidate(*keys: bytes) -> bytes:
    body = b"".join(b"$%d\r\n%s\r\n" % (len(key), key) for key in keys)
    return b">2\r\n$10\r\ninvalidate\r\n*%d\r\n%s" % (len(keys), body)


def test_keys_read_by_a_script_are_tracked_for_the_caller(
    clients: Callable[..., RawClient],
) -> None:
    client, writer = clients(3), clients()
    assert client.command("CLIENT", "TRACKING", "on") == OK
    assert writer.command("MSET", "a", "1", "b", "2", "c", "3", "d", "4") == OK
    script = "return {redis.call('get','a'), redis.call('mget','b','c')}"
    assert client.command("EVAL", script, "1", "d") == (
        b"*2\r\n$1\r\n1\r\n*2\r\n$1\r\n2\r\n$1\r\n3\r\n"
    )
    # EVAL_RO's own key (c) is not what the script read (d)
    assert client.command("EVAL_RO", "return redis.call('get','d')", "1", "c") == b"$1\r\n4\r\n"
    assert writer.command("MSET", "a", "9", "b", "9", "c", "9", "d", "9") == OK
    assert [client.read_reply() for _ in range(4)] == [
        _invalidate(b"a"),
        _invalidate(b"b"),
        _invalidate(b"c"),
        _invalidate(b"d"),
    ]
    # a key the script read and then wrote: the invalidation follows the reply
    script = "redis.call('get','a') return redis.call('set','a','x')"
    assert client.command("EVAL", script, "0") == OK
    assert client.read_reply() == _invalidate(b"a")
    # OPTIN: only after CLIENT CACHING yes
    assert client.command("CLIENT", "TRACKING", "off") == OK
    assert client.command("CLIENT", "TRACKING", "on", "OPTIN") == OK
    assert client.command("EVAL", "return redis.call('get','c')", "0") == b"$1\r\n9\r\n"
    assert client.command("CLIENT", "CACHING", "yes") == OK
    assert client.command("EVAL", "return redis.call('get','d')", "0") == b"$1\r\n9\r\n"
    assert writer.command("MSET", "c", "1", "d", "1") == OK
    assert client.read_reply() == _invalidate(b"d")
    assert client.command("PING") == b"+PONG\r\n"  # nothing for c


# -- blocked readers, atomicity --------------------------------------------------------------


def test_blocked_readers_are_served_after_the_script(
    own_server: Server, clients: Callable[..., RawClient]
) -> None:
    popper, reader, client = clients(), clients(), clients()
    assert client.command("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM") == OK
    popper.send(encode_command("BLPOP", "l", "0"))
    reader.send(encode_command("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"))
    wait_until(lambda: own_server.core.blocked_clients == 2, message="two blocked readers")
    script = (
        "redis.call('rpush','l','a','b') redis.call('lpop','l') "
        "redis.call('xadd','s','1-1','f','v') redis.call('xadd','s','2-1','f','w') "
        "return redis.call('llen','l')"
    )
    assert client.command("EVAL", script, "0") == b":1\r\n"
    # the pop sees the list as the script left it: 'a' was popped by the script
    assert popper.read_reply() == b"*2\r\n$1\r\nl\r\n$1\r\nb\r\n"
    assert reader.read_reply() == (
        b"*1\r\n*2\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"
        b"*2\r\n$3\r\n2-1\r\n*2\r\n$1\r\nf\r\n$1\r\nw\r\n"
    )
    # what a script pushes and removes again is never seen by a waiting reader
    popper.send(encode_command("BLPOP", "l2", "0"))
    wait_until(lambda: own_server.core.blocked_clients == 1, message="the pop blocks")
    script = "redis.call('rpush','l2','a') redis.call('del','l2') return 1"
    assert client.command("EVAL", script, "0") == b":1\r\n"
    assert client.command("INFO", "clients").count(b"blocked_clients:1\r\n") == 1
    assert client.command("EVAL", "return redis.call('rpush','l2','z')", "0") == b":1\r\n"
    assert popper.read_reply() == b"*2\r\n$2\r\nl2\r\n$1\r\nz\r\n"
    # blocking commands inside a script answer at once
    for command in (
        "return redis.call('blpop','nothing','0')",
        "return redis.call('xread','block','0','streams','s','$')",
        "return redis.call('brpoplpush','nothing','y','0')",
    ):
        assert client.command("EVAL", command, "0") == b"$-1\r\n"


# -- OOM and min-replicas-to-write -------------------------------------------------------

OOM_LINES = [
    ("CONFIG", "SET", "maxmemory", "1"),
    ("EVAL", "#!lua\nreturn 1", "0"),
    ("EVAL", "#!lua flags=no-writes\nreturn redis.call('get','x')", "0"),
    ("EVAL", "#!lua flags=allow-oom\nreturn redis.call('set','x','1')", "0"),
    ("EVAL", "return redis.call('get','x')", "0"),
    ("EVAL", "redis.call('get','x') return redis.call('set','y','1')", "0"),
    ("EVAL", "redis.call('del','nokey') return redis.call('set','y','1')", "0"),
    ("MULTI",),
    ("EVAL", "#!lua\nreturn 1", "0"),
    ("EXEC",),
    ("EVAL_RO", "return redis.call('get','x')", "0"),
    ("CONFIG", "SET", "maxmemory", "0"),
]
OOM_REPLIES = [
    b"+OK\r\n",
    b"-OOM command not allowed when used memory > 'maxmemory'.\r\n",
    b"$-1\r\n",
    b"+OK\r\n",
    b"$1\r\n1\r\n",
    (
        b"-OOM command not allowed when used memory > 'maxmemory'. script: "
        b"a4268f69e9aaae9373e877cd105497fc37c829b4, on @user_script:1.\r\n"
    ),
    b"+OK\r\n",
    b"+OK\r\n",
    b"-OOM command not allowed when used memory > 'maxmemory'.\r\n",
    b"-EXECABORT Transaction discarded because of previous errors.\r\n",
    b"$1\r\n1\r\n",
    b"+OK\r\n",
]

REPLICAS_LINES = [
    ("SET", "x", "1"),
    ("CONFIG", "SET", "min-replicas-to-write", "1"),
    ("EVAL", "#!lua flags=no-writes\nreturn redis.call('get','x')", "1", "x"),
    ("EVAL", "return redis.call('get','x')", "1", "x"),
    ("EVAL", "#!lua\nreturn redis.call('get','x')", "1", "x"),
    ("EVAL", "return redis.call('set','x', 1)", "1", "x"),
    ("EVAL", "return redis.pcall('set','x', 1)", "1", "x"),
    ("SET", "x", "1"),
    ("MULTI",),
    ("EVAL", "#!lua\nreturn 1", "0"),
    ("EXEC",),
    ("EVAL", "return redis.call('publish','c','m')", "0"),
    ("EVAL_RO", "#!lua\nreturn 1", "0"),
    ("CONFIG", "SET", "min-replicas-max-lag", "0"),
    ("SET", "x", "1"),
    ("CONFIG", "SET", "min-replicas-max-lag", "10"),
    ("CONFIG", "SET", "min-replicas-to-write", "0"),
]
REPLICAS_REPLIES = [
    b"+OK\r\n",
    b"+OK\r\n",
    b"$1\r\n1\r\n",
    b"$1\r\n1\r\n",
    b"-NOREPLICAS Not enough good replicas to write.\r\n",
    (
        b"-NOREPLICAS Not enough good replicas to write. script: "
        b"edc6c778efe97d7b082a13bb199c772df244ec15, on @user_script:1.\r\n"
    ),
    b"-NOREPLICAS Not enough good replicas to write.\r\n",
    b"-NOREPLICAS Not enough good replicas to write.\r\n",
    b"+OK\r\n",
    b"-NOREPLICAS Not enough good replicas to write.\r\n",
    b"-EXECABORT Transaction discarded because of previous errors.\r\n",
    b":0\r\n",
    b"-NOREPLICAS Not enough good replicas to write.\r\n",
    b"+OK\r\n",
    b"+OK\r\n",
    b"+OK\r\n",
    b"+OK\r\n",
]


@pytest.mark.parametrize(
    ("lines", "replies"), [(OOM_LINES, OOM_REPLIES), (REPLICAS_LINES, REPLICAS_REPLIES)]
)
def test_refusals_by_server_state(
    clients: Callable[..., RawClient], lines: list[tuple[str, ...]], replies: list[bytes]
) -> None:
    client = clients()
    assert [client.command(*line) for line in lines] == replies


# -- INFO, eviction, SCRIPT FLUSH ------------------------------------------------------------

_FIGURES = re.compile(
    rb"(used_memory_vm_eval|used_memory_scripts_eval|number_of_cached_scripts|"
    rb"evicted_scripts|used_memory_scripts):(\d+)"
)


def figures(client: RawClient) -> dict[str, int]:
    text = client.command("INFO", "memory") + client.command("INFO", "stats")
    return {name.decode(): int(value) for name, value in _FIGURES.findall(text)}


def test_info_script_figures_and_eviction(clients: Callable[..., RawClient]) -> None:
    client = clients()

    def scripts(eval_figure: int, cached: int, evicted: int) -> dict[str, int]:
        return {
            "used_memory_scripts_eval": eval_figure,
            "number_of_cached_scripts": cached,
            "used_memory_scripts": eval_figure + 184,
            "evicted_scripts": evicted,
        }

    def without_vm(found: dict[str, int]) -> dict[str, int]:
        return {name: value for name, value in found.items() if name != "used_memory_vm_eval"}

    start = figures(client)
    assert start["used_memory_vm_eval"] == 31744  # Valkey's fresh EVAL state
    assert without_vm(start) == scripts(0, 0, 0)
    assert (
        client.command("SCRIPT", "LOAD", "return 'loaded'")
        == b"$40\r\n%s\r\n" % sha("return 'loaded'").encode()
    )
    assert without_vm(figures(client)) == scripts(152, 1, 0)
    for number in range(4):
        assert client.command("EVAL", f"return {number}", "0") == b":%d\r\n" % number
    assert without_vm(figures(client)) == scripts(760, 5, 0)  # the SHA dict is rehashing
    client.command("EVAL", "return '" + "x" * 100 + "'", "0")
    assert without_vm(figures(client)) == scripts(976, 6, 0)
    client.command("EVAL", "return '" + "y" * 40000 + "'", "0")
    assert without_vm(figures(client)) == scripts(42056, 7, 0)
    for number in range(520):
        client.command("EVAL", f"return {number} + 1000", "0")
    # 500 EVAL scripts at most, oldest run first out; SCRIPT LOAD's stay
    assert without_vm(figures(client)) == scripts(76216, 501, 26)
    assert (
        client.command(
            "SCRIPT", "EXISTS", sha("return 0"), sha("return 'loaded'"), sha("return 519 + 1000")
        )
        == b"*3\r\n:0\r\n:1\r\n:1\r\n"
    )
    assert client.command("SCRIPT", "FLUSH", "ASYNC") == OK
    assert figures(client) == {"used_memory_vm_eval": 31744, **scripts(0, 0, 26)}
    assert client.command("CONFIG", "RESETSTAT") == OK
    assert figures(client)["evicted_scripts"] == 0


def test_an_evicted_script_run_again_is_recent_again(clients: Callable[..., RawClient]) -> None:
    client = clients()
    for number in range(500):
        client.command("EVAL", f"return {number}", "0")
    assert client.command("EVALSHA", sha("return 0"), "0") == b":0\r\n"  # now the newest
    assert client.command("EVAL", "return 'new'", "0") == b"$3\r\nnew\r\n"
    assert client.command("SCRIPT", "EXISTS", sha("return 0"), sha("return 1")) == (
        b"*2\r\n:1\r\n:0\r\n"
    )
    # SCRIPT LOAD of an EVAL script keeps it for good
    assert (
        client.command("SCRIPT", "LOAD", "return 2") == b"$40\r\n%s\r\n" % sha("return 2").encode()
    )
    for number in range(600, 1100):
        client.command("EVAL", f"return {number}", "0")
    assert client.command("SCRIPT", "EXISTS", sha("return 2"), sha("return 3")) == (
        b"*2\r\n:1\r\n:0\r\n"
    )


@pytest.mark.parametrize(
    ("args", "reply"),
    [
        (("SCRIPT", "FLUSH"), OK),
        (("SCRIPT", "FLUSH", "sync"), OK),
        (("SCRIPT", "FLUSH", "ASYNC"), OK),
        (("SCRIPT", "FLUSH", "now"), b"-ERR SCRIPT FLUSH only support SYNC|ASYNC option\r\n"),
        (
            ("SCRIPT", "FLUSH", "SYNC", "ASYNC"),
            b"-ERR SCRIPT FLUSH only support SYNC|ASYNC option\r\n",
        ),
    ],
)
def test_script_flush_modes(raw: RawClient, args: tuple[str, ...], reply: bytes) -> None:
    assert raw.command("SCRIPT", "LOAD", "return 'kept?'").startswith(b"$40")
    assert raw.command(*args) == reply
    exists = b"*1\r\n:1\r\n" if reply != OK else b"*1\r\n:0\r\n"
    assert raw.command("SCRIPT", "EXISTS", sha("return 'kept?'")) == exists
    raw.command("SCRIPT", "FLUSH")


# -- COMMAND ------------------------------------------------------------------------------

COMMAND_ROWS = [
    (
        ("COMMAND", "INFO", "eval"),
        (
            b"*1\r\n*10\r\n$4\r\neval\r\n:-3\r\n*5\r\n+noscript\r\n+stale\r\n+skip_monitor\r\n+"
            b"no_mandatory_keys\r\n+movablekeys\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@slow\r\n+@scriptin"
            b"g\r\n*0\r\n*1\r\n*8\r\n$5\r\nnotes\r\n$78\r\nWe cannot tell how the keys will be "
            b"used so we assume the worst, RW and UPDATE\r\n$5\r\nflags\r\n*3\r\n+RW\r\n+access"
            b"\r\n+update\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nsp"
            b"ec\r\n*2\r\n$5\r\nindex\r\n:2\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$6\r\nkey"
            b"num\r\n$4\r\nspec\r\n*6\r\n$9\r\nkeynumidx\r\n:0\r\n$8\r\nfirstkey\r\n:1\r\n$7\r"
            b"\nkeystep\r\n:1\r\n*0\r\n"
        ),
        (
            b"*1\r\n*10\r\n$4\r\neval\r\n:-3\r\n~5\r\n+noscript\r\n+stale\r\n+skip_monitor\r\n+"
            b"no_mandatory_keys\r\n+movablekeys\r\n:0\r\n:0\r\n:0\r\n~2\r\n+@slow\r\n+@scriptin"
            b"g\r\n~0\r\n~1\r\n%4\r\n$5\r\nnotes\r\n$78\r\nWe cannot tell how the keys will be "
            b"used so we assume the worst, RW and UPDATE\r\n$5\r\nflags\r\n~3\r\n+RW\r\n+access"
            b"\r\n+update\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nsp"
            b"ec\r\n%1\r\n$5\r\nindex\r\n:2\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$6\r\nkey"
            b"num\r\n$4\r\nspec\r\n%3\r\n$9\r\nkeynumidx\r\n:0\r\n$8\r\nfirstkey\r\n:1\r\n$7\r"
            b"\nkeystep\r\n:1\r\n~0\r\n"
        ),
    ),
    (
        ("COMMAND", "INFO", "evalsha"),
        (
            b"*1\r\n*10\r\n$7\r\nevalsha\r\n:-3\r\n*5\r\n+noscript\r\n+stale\r\n+skip_monitor\r"
            b"\n+no_mandatory_keys\r\n+movablekeys\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@slow\r\n+@scrip"
            b"ting\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*3\r\n+RW\r\n+access\r\n+update\r\n$12\r"
            b"\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nin"
            b"dex\r\n:2\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$6\r\nkeynum\r\n$4\r\nspec\r"
            b"\n*6\r\n$9\r\nkeynumidx\r\n:0\r\n$8\r\nfirstkey\r\n:1\r\n$7\r\nkeystep\r\n:1\r\n*"
            b"0\r\n"
        ),
        (
            b"*1\r\n*10\r\n$7\r\nevalsha\r\n:-3\r\n~5\r\n+noscript\r\n+stale\r\n+skip_monitor\r"
            b"\n+no_mandatory_keys\r\n+movablekeys\r\n:0\r\n:0\r\n:0\r\n~2\r\n+@slow\r\n+@scrip"
            b"ting\r\n~0\r\n~1\r\n%3\r\n$5\r\nflags\r\n~3\r\n+RW\r\n+access\r\n+update\r\n$12\r"
            b"\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nin"
            b"dex\r\n:2\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$6\r\nkeynum\r\n$4\r\nspec\r"
            b"\n%3\r\n$9\r\nkeynumidx\r\n:0\r\n$8\r\nfirstkey\r\n:1\r\n$7\r\nkeystep\r\n:1\r\n~"
            b"0\r\n"
        ),
    ),
    (
        ("COMMAND", "INFO", "eval_ro"),
        (
            b"*1\r\n*10\r\n$7\r\neval_ro\r\n:-3\r\n*6\r\n+readonly\r\n+noscript\r\n+stale\r\n+s"
            b"kip_monitor\r\n+no_mandatory_keys\r\n+movablekeys\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@sl"
            b"ow\r\n+@scripting\r\n*0\r\n*1\r\n*8\r\n$5\r\nnotes\r\n$78\r\nWe cannot tell how "
            b"the keys will be used so we assume the worst, RO and "
            b"ACCESS\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4"
            b"\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:2\r\n$9\r\nfind_ke"
            b"ys\r\n*4\r\n$4\r\ntype\r\n$6\r\nkeynum\r\n$4\r\nspec\r\n*6\r\n$9\r\nkeynumidx\r\n"
            b":0\r\n$8\r\nfirstkey\r\n:1\r\n$7\r\nkeystep\r\n:1\r\n*0\r\n"
        ),
        (
            b"*1\r\n*10\r\n$7\r\neval_ro\r\n:-3\r\n~6\r\n+readonly\r\n+noscript\r\n+stale\r\n+s"
            b"kip_monitor\r\n+no_mandatory_keys\r\n+movablekeys\r\n:0\r\n:0\r\n:0\r\n~2\r\n+@sl"
            b"ow\r\n+@scripting\r\n~0\r\n~1\r\n%4\r\n$5\r\nnotes\r\n$78\r\nWe cannot tell how "
            b"the keys will be used so we assume the worst, RO and "
            b"ACCESS\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n%2\r\n$4"
            b"\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:2\r\n$9\r\nfind_ke"
            b"ys\r\n%2\r\n$4\r\ntype\r\n$6\r\nkeynum\r\n$4\r\nspec\r\n%3\r\n$9\r\nkeynumidx\r\n"
            b":0\r\n$8\r\nfirstkey\r\n:1\r\n$7\r\nkeystep\r\n:1\r\n~0\r\n"
        ),
    ),
    (
        ("COMMAND", "INFO", "evalsha_ro"),
        (
            b"*1\r\n*10\r\n$10\r\nevalsha_ro\r\n:-3\r\n*6\r\n+readonly\r\n+noscript\r\n+stale\r"
            b"\n+skip_monitor\r\n+no_mandatory_keys\r\n+movablekeys\r\n:0\r\n:0\r\n:0\r\n*2\r\n"
            b"+@slow\r\n+@scripting\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r"
            b"\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$"
            b"5\r\nindex\r\n:2\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$6\r\nkeynum\r\n$4\r\n"
            b"spec\r\n*6\r\n$9\r\nkeynumidx\r\n:0\r\n$8\r\nfirstkey\r\n:1\r\n$7\r\nkeystep\r\n:"
            b"1\r\n*0\r\n"
        ),
        (
            b"*1\r\n*10\r\n$10\r\nevalsha_ro\r\n:-3\r\n~6\r\n+readonly\r\n+noscript\r\n+stale\r"
            b"\n+skip_monitor\r\n+no_mandatory_keys\r\n+movablekeys\r\n:0\r\n:0\r\n:0\r\n~2\r\n"
            b"+@slow\r\n+@scripting\r\n~0\r\n~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r"
            b"\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$"
            b"5\r\nindex\r\n:2\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$6\r\nkeynum\r\n$4\r\n"
            b"spec\r\n%3\r\n$9\r\nkeynumidx\r\n:0\r\n$8\r\nfirstkey\r\n:1\r\n$7\r\nkeystep\r\n:"
            b"1\r\n~0\r\n"
        ),
    ),
    (
        ("COMMAND", "INFO", "script|load"),
        (
            b"*1\r\n*10\r\n$11\r\nscript|load\r\n:3\r\n*2\r\n+noscript\r\n+stale\r\n:0\r\n:0\r"
            b"\n:0\r\n*2\r\n+@slow\r\n+@scripting\r\n*2\r\n$24\r\nrequest_policy:all_nodes\r\n$"
            b"29\r\nresponse_policy:all_succeeded\r\n*0\r\n*0\r\n"
        ),
        (
            b"*1\r\n*10\r\n$11\r\nscript|load\r\n:3\r\n~2\r\n+noscript\r\n+stale\r\n:0\r\n:0\r"
            b"\n:0\r\n~2\r\n+@slow\r\n+@scripting\r\n~2\r\n$24\r\nrequest_policy:all_nodes\r\n$"
            b"29\r\nresponse_policy:all_succeeded\r\n~0\r\n~0\r\n"
        ),
    ),
    (
        ("COMMAND", "INFO", "script|flush"),
        (
            b"*1\r\n*10\r\n$12\r\nscript|flush\r\n:-2\r\n*1\r\n+noscript\r\n:0\r\n:0\r\n:0\r\n*"
            b"2\r\n+@slow\r\n+@scripting\r\n*2\r\n$24\r\nrequest_policy:all_nodes\r\n$29\r\nres"
            b"ponse_policy:all_succeeded\r\n*0\r\n*0\r\n"
        ),
        (
            b"*1\r\n*10\r\n$12\r\nscript|flush\r\n:-2\r\n~1\r\n+noscript\r\n:0\r\n:0\r\n:0\r\n~"
            b"2\r\n+@slow\r\n+@scripting\r\n~2\r\n$24\r\nrequest_policy:all_nodes\r\n$29\r\nres"
            b"ponse_policy:all_succeeded\r\n~0\r\n~0\r\n"
        ),
    ),
    (
        ("COMMAND", "INFO", "script|exists"),
        (
            b"*1\r\n*10\r\n$13\r\nscript|exists\r\n:-3\r\n*1\r\n+noscript\r\n:0\r\n:0\r\n:0\r\n"
            b"*2\r\n+@slow\r\n+@scripting\r\n*2\r\n$25\r\nrequest_policy:all_shards\r\n$31\r\nr"
            b"esponse_policy:agg_logical_and\r\n*0\r\n*0\r\n"
        ),
        (
            b"*1\r\n*10\r\n$13\r\nscript|exists\r\n:-3\r\n~1\r\n+noscript\r\n:0\r\n:0\r\n:0\r\n"
            b"~2\r\n+@slow\r\n+@scripting\r\n~2\r\n$25\r\nrequest_policy:all_shards\r\n$31\r\nr"
            b"esponse_policy:agg_logical_and\r\n~0\r\n~0\r\n"
        ),
    ),
    (
        ("COMMAND", "INFO", "script|kill"),
        (
            b"*1\r\n*10\r\n$11\r\nscript|kill\r\n:2\r\n*2\r\n+noscript\r\n+allow_busy\r\n:0\r\n"
            b":0\r\n:0\r\n*2\r\n+@slow\r\n+@scripting\r\n*2\r\n$25\r\nrequest_policy:all_shards"
            b"\r\n$29\r\nresponse_policy:one_succeeded\r\n*0\r\n*0\r\n"
        ),
        (
            b"*1\r\n*10\r\n$11\r\nscript|kill\r\n:2\r\n~2\r\n+noscript\r\n+allow_busy\r\n:0\r\n"
            b":0\r\n:0\r\n~2\r\n+@slow\r\n+@scripting\r\n~2\r\n$25\r\nrequest_policy:all_shards"
            b"\r\n$29\r\nresponse_policy:one_succeeded\r\n~0\r\n~0\r\n"
        ),
    ),
    (
        ("COMMAND", "INFO", "script|show"),
        (
            b"*1\r\n*10\r\n$11\r\nscript|show\r\n:3\r\n*1\r\n+noscript\r\n:0\r\n:0\r\n:0\r\n*2"
            b"\r\n+@slow\r\n+@scripting\r\n*0\r\n*0\r\n*0\r\n"
        ),
        (
            b"*1\r\n*10\r\n$11\r\nscript|show\r\n:3\r\n~1\r\n+noscript\r\n:0\r\n:0\r\n:0\r\n~2"
            b"\r\n+@slow\r\n+@scripting\r\n~0\r\n~0\r\n~0\r\n"
        ),
    ),
    (
        ("COMMAND", "INFO", "script|debug"),
        (
            b"*1\r\n*10\r\n$12\r\nscript|debug\r\n:3\r\n*1\r\n+noscript\r\n:0\r\n:0\r\n:0\r\n*2"
            b"\r\n+@slow\r\n+@scripting\r\n*0\r\n*0\r\n*0\r\n"
        ),
        (
            b"*1\r\n*10\r\n$12\r\nscript|debug\r\n:3\r\n~1\r\n+noscript\r\n:0\r\n:0\r\n:0\r\n~2"
            b"\r\n+@slow\r\n+@scripting\r\n~0\r\n~0\r\n~0\r\n"
        ),
    ),
    (
        ("COMMAND", "INFO", "script|help"),
        (
            b"*1\r\n*10\r\n$11\r\nscript|help\r\n:2\r\n*2\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n"
            b":0\r\n*2\r\n+@slow\r\n+@scripting\r\n*0\r\n*0\r\n*0\r\n"
        ),
        (
            b"*1\r\n*10\r\n$11\r\nscript|help\r\n:2\r\n~2\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n"
            b":0\r\n~2\r\n+@slow\r\n+@scripting\r\n~0\r\n~0\r\n~0\r\n"
        ),
    ),
    (
        ("COMMAND", "INFO", "wait"),
        (
            b"*1\r\n*10\r\n$4\r\nwait\r\n:3\r\n*1\r\n+blocking\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@slo"
            b"w\r\n+@blocking\r\n+@connection\r\n*2\r\n$25\r\nrequest_policy:all_shards\r\n$23"
            b"\r\nresponse_policy:agg_min\r\n*0\r\n*0\r\n"
        ),
        (
            b"*1\r\n*10\r\n$4\r\nwait\r\n:3\r\n~1\r\n+blocking\r\n:0\r\n:0\r\n:0\r\n~3\r\n+@slo"
            b"w\r\n+@blocking\r\n+@connection\r\n~2\r\n$25\r\nrequest_policy:all_shards\r\n$23"
            b"\r\nresponse_policy:agg_min\r\n~0\r\n~0\r\n"
        ),
    ),
    (
        ("COMMAND", "INFO", "waitaof"),
        (
            b"*1\r\n*10\r\n$7\r\nwaitaof\r\n:4\r\n*1\r\n+blocking\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@"
            b"slow\r\n+@blocking\r\n+@connection\r\n*2\r\n$25\r\nrequest_policy:all_shards\r\n$"
            b"23\r\nresponse_policy:agg_min\r\n*0\r\n*0\r\n"
        ),
        (
            b"*1\r\n*10\r\n$7\r\nwaitaof\r\n:4\r\n~1\r\n+blocking\r\n:0\r\n:0\r\n:0\r\n~3\r\n+@"
            b"slow\r\n+@blocking\r\n+@connection\r\n~2\r\n$25\r\nrequest_policy:all_shards\r\n$"
            b"23\r\nresponse_policy:agg_min\r\n~0\r\n~0\r\n"
        ),
    ),
    (
        ("COMMAND", "GETKEYS", "EVAL", "return 1", "2", "a", "b", "c"),
        b"*2\r\n$1\r\na\r\n$1\r\nb\r\n",
        None,
    ),
    (("COMMAND", "GETKEYS", "EVAL", "return 1", "0"), b"*0\r\n", None),
    (("COMMAND", "GETKEYS", "EVALSHA_RO", "x", "1", "k"), b"*1\r\n$1\r\nk\r\n", None),
    (
        ("COMMAND", "GETKEYSANDFLAGS", "EVAL", "return 1", "2", "a", "b", "c"),
        (
            b"*2\r\n*2\r\n$1\r\na\r\n*3\r\n+RW\r\n+access\r\n+update\r\n*2\r\n$1\r\nb\r\n*3\r\n"
            b"+RW\r\n+access\r\n+update\r\n"
        ),
        (
            b"*2\r\n*2\r\n$1\r\na\r\n~3\r\n+RW\r\n+access\r\n+update\r\n*2\r\n$1\r\nb\r\n~3\r\n"
            b"+RW\r\n+access\r\n+update\r\n"
        ),
    ),
    (
        ("COMMAND", "GETKEYSANDFLAGS", "EVAL_RO", "return 1", "1", "a"),
        b"*1\r\n*2\r\n$1\r\na\r\n*2\r\n+RO\r\n+access\r\n",
        b"*1\r\n*2\r\n$1\r\na\r\n~2\r\n+RO\r\n+access\r\n",
    ),
    (("COMMAND", "GETKEYS", "EVAL", "return 1", "3", "a"), b"*0\r\n", None),
    (("COMMAND", "GETKEYS", "WAIT", "1", "2"), b"-ERR The command has no key arguments\r\n", None),
    (("COMMAND", "GETKEYS", "EVAL", "return 1", "x"), b"*0\r\n", None),
]


@pytest.mark.parametrize("protocol", [2, 3])
@pytest.mark.parametrize(("args", "resp2", "resp3"), COMMAND_ROWS)
def test_command_info_and_getkeys(
    clients: Callable[..., RawClient],
    protocol: int,
    args: tuple[str, ...],
    resp2: bytes,
    resp3: bytes | None,
) -> None:
    client = clients(protocol)
    expected = resp2 if protocol == 2 or resp3 is None else resp3
    assert client.command(*args) == expected
