"""Client-side caching (CLIENT TRACKING) over real sockets, checked against Valkey 8.0.1.

Every expected byte (replies, ``invalidate`` pushes, ``tracking-redir-broken``, the
order of pushes and replies) is Valkey 8.0.1's, checked once against valkey-server.
A push sent to another connection is read with the socket's deadline; that nothing
was sent is shown by a PING whose PONG comes first (a push sent before it would
precede it on the connection).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from helpers import RawClient, encode_command, raw_clients, wait_until

from minivalkey import Server
from minivalkey.clock import ManualClock

OK = b"+OK\r\n"
PONG = b"+PONG\r\n"
NULL_PUSH = b">2\r\n$10\r\ninvalidate\r\n_\r\n"


def push(*keys: bytes) -> bytes:
    """The RESP3 ``invalidate`` push naming ``keys``."""
    body = b"".join(b"$%d\r\n%b\r\n" % (len(key), key) for key in keys)
    return b">2\r\n$10\r\ninvalidate\r\n*%d\r\n" % len(keys) + body


def info_fields(client: RawClient, section: str) -> dict[str, str]:
    text = client.command("INFO", section).split(b"\r\n", 1)[1].decode()
    return dict(line.split(":", 1) for line in text.split("\r\n") if ":" in line)


def list_fields(client: RawClient, client_id: int) -> dict[str, str]:
    line = client.command("CLIENT", "LIST", "ID", client_id).decode()
    line = line.split("\r\n", 1)[1].strip()
    return dict(field.split("=", 1) for field in line.split(" "))


def client_id(client: RawClient) -> int:
    return int(client.command("CLIENT", "ID")[1:-2])


@pytest.fixture
def server(make_server: Callable[..., Server]) -> Server:
    return make_server()


@pytest.fixture
def connect(server: Server) -> Iterator[Callable[..., RawClient]]:
    """Opens connections, RESP3 ones (``HELLO 3``) unless told ``resp=2``."""
    with raw_clients(server.port, 3) as open_client:
        yield open_client


# -- the default mode -----------------------------------------------------------------------


def test_a_read_key_changed_by_another_client_is_pushed(connect: Callable[..., RawClient]) -> None:
    reader, writer = connect(), connect(2)
    assert reader.command("CLIENT", "TRACKING", "on") == OK
    assert writer.command("SET", "k", "1") == OK
    assert reader.command("GET", "k") == b"$1\r\n1\r\n"
    assert writer.command("SET", "k", "2") == OK
    assert reader.read_reply() == push(b"k")
    # Invalidated keys are forgotten: a second write is not pushed until read again.
    assert writer.command("SET", "k", "3") == OK
    assert reader.command("PING") == PONG
    assert reader.command("MGET", "x", "y", "x") == b"*3\r\n_\r\n_\r\n_\r\n"
    assert writer.command("MSET", "x", "1", "y", "2") == OK
    assert reader.read_reply() == push(b"x")
    assert reader.read_reply() == push(b"y")


def test_own_invalidations_follow_the_reply(connect: Callable[..., RawClient]) -> None:
    client = connect()
    assert client.command("CLIENT", "TRACKING", "on") == OK
    assert client.command("GET", "k") == b"_\r\n"
    assert client.command("SET", "k", "3") == OK
    assert client.read_reply() == push(b"k")
    assert client.command("GET", "k") == b"$1\r\n3\r\n"
    client.send(encode_command("GET", "k") + encode_command("SET", "k", "4") + b"PING\r\n")
    replies = [client.read_reply() for _ in range(4)]
    assert replies == [b"$1\r\n3\r\n", OK, push(b"k"), PONG]
    client.command("HSET", "h", "f", "1")
    assert client.command("HGET", "h", "f") == b"$1\r\n1\r\n"
    assert client.command("HDEL", "h", "f") == b":1\r\n"
    assert client.read_reply() == push(b"h")


def test_noloop_hides_own_writes(connect: Callable[..., RawClient]) -> None:
    client, other = connect(), connect(2)
    assert client.command("CLIENT", "TRACKING", "on", "NOLOOP") == OK
    assert client.command("GET", "k") == b"_\r\n"
    assert client.command("SET", "k", "1") == OK
    assert client.command("GET", "k") == b"$1\r\n1\r\n"
    assert other.command("DEL", "k") == b":1\r\n"
    assert client.read_reply() == push(b"k")


def test_reads_inside_exec_are_remembered_and_pushed_after_its_reply(
    connect: Callable[..., RawClient],
) -> None:
    client, other = connect(), connect(2)
    assert client.command("CLIENT", "TRACKING", "on") == OK
    assert client.command("MSET", "a", "1", "b", "2") == OK
    assert client.command("GET", "a") == b"$1\r\n1\r\n"
    client.command("MULTI")
    client.command("INCR", "a")
    client.command("GET", "b")
    assert client.command("EXEC") == b"*2\r\n:2\r\n$1\r\n2\r\n"
    assert client.read_reply() == push(b"a")
    assert other.command("SET", "b", "3") == OK
    assert client.read_reply() == push(b"b")
    client.command("MULTI")
    client.command("GET", "c")
    client.command("SET", "c", "1")
    client.command("GET", "c")
    assert client.command("EXEC") == b"*3\r\n_\r\n+OK\r\n$1\r\n1\r\n"
    assert client.read_reply() == push(b"c")
    assert client.command("PING") == PONG


def test_the_keys_of_each_read(server: Server, connect: Callable[..., RawClient]) -> None:
    """Valkey's key finders: the (first, last, step) range, or the command's own."""
    client, other = connect(), connect(2)
    assert client.command("CLIENT", "TRACKING", "on") == OK
    reads = [
        ("ZUNION", "2", "z1", "z2"), ("SINTERCARD", "2", "s1", "s2"),
        ("XREAD", "STREAMS", "x1", "x2", "0", "0"), ("ZUNION", "3x", "z3", "z4", "z5"),
        ("EXISTS", "e1", "e2"), ("TYPE", "t1"), ("LCS", "l1", "l2"),
        ("OBJECT", "ENCODING", "o1"), ("SORT_RO", "so"), ("GETRANGE", "g", "0", "1"),
    ]  # fmt: skip
    for read in reads:
        client.command(*read)
    # ZUNION 3x: C's atoi reads 3 keys, there are 3 (the command itself fails).
    assert info_fields(other, "stats")["tracking_total_keys"] == "17"
    keys = ["z1", "z2", "s1", "s2", "x1", "x2", "z3", "z4", "z5", "e1", "e2", "t1", "l1",
            "l2", "o1", "so", "g"]  # fmt: skip
    other.command("MSET", *(token for key in keys for token in (key, "1")))
    assert [client.read_reply() for _ in keys] == [push(key.encode()) for key in keys]
    assert info_fields(other, "stats")["tracking_total_keys"] == "0"


# -- REDIRECT -------------------------------------------------------------------------------


def test_redirect_to_a_resp3_client(connect: Callable[..., RawClient]) -> None:
    target, client, other = connect(), connect(2), connect(2)
    target_id = client_id(target)
    assert client.command("CLIENT", "TRACKING", "on", "REDIRECT", target_id) == OK
    assert client.command("GET", "k") == b"$-1\r\n"
    assert other.command("SET", "k", "1") == OK
    assert target.read_reply() == push(b"k")
    assert client.command("GET", "k") == b"$1\r\n1\r\n"
    assert client.command("SET", "k", "2") == OK  # the client's own write: to the target too
    assert target.read_reply() == push(b"k")
    assert client.command("CLIENT", "GETREDIR") == b":%d\r\n" % target_id
    assert client.command("PING") == PONG


def test_redirect_to_a_resp2_client_outside_pub_sub_sends_nothing(
    connect: Callable[..., RawClient],
) -> None:
    target, client = connect(2), connect(2)
    assert client.command("CLIENT", "TRACKING", "on", "REDIRECT", client_id(target)) == OK
    assert client.command("GET", "k") == b"$-1\r\n"
    assert client.command("SET", "k", "1") == OK
    assert target.command("PING") == PONG
    assert client.command("PING") == PONG


def message(payload: bytes) -> bytes:
    """The RESP2 pub/sub message on ``__redis__:invalidate`` carrying ``payload``."""
    return b"*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n" + payload


def test_redirect_to_a_resp2_subscriber(connect: Callable[..., RawClient]) -> None:
    subscriber, client, writer = connect(2), connect(2), connect(2)
    subscriber_id = client_id(subscriber)
    assert subscriber.command("SUBSCRIBE", "__redis__:invalidate") == (
        b"*3\r\n$9\r\nsubscribe\r\n$20\r\n__redis__:invalidate\r\n:1\r\n"
    )
    assert client.command("CLIENT", "TRACKING", "on", "REDIRECT", subscriber_id) == OK
    assert client.command("GET", "k") == b"$-1\r\n"
    assert writer.command("SET", "k", "1") == OK
    assert subscriber.read_reply() == message(b"*1\r\n$1\r\nk\r\n")
    assert writer.command("FLUSHALL") == OK
    assert subscriber.read_reply() == message(b"$-1\r\n")
    assert subscriber.command("UNSUBSCRIBE") == (
        b"*3\r\n$11\r\nunsubscribe\r\n$20\r\n__redis__:invalidate\r\n:0\r\n"
    )
    assert client.command("GET", "k") == b"$-1\r\n"
    assert writer.command("SET", "k", "2") == OK
    assert subscriber.command("PING") == PONG  # no longer subscribed: nothing


def test_a_subscriber_to_any_channel_hears_invalidations(
    connect: Callable[..., RawClient],
) -> None:
    """Any subscription will do; a flush's null is in the tracking client's protocol."""
    subscriber, client, writer = connect(2), connect(), connect(2)
    subscriber_id = client_id(subscriber)
    subscriber.command("SUBSCRIBE", "other")
    assert client.command("CLIENT", "TRACKING", "on", "REDIRECT", subscriber_id) == OK
    assert client.command("GET", "q") == b"_\r\n"
    assert writer.command("SET", "q", "1") == OK
    assert subscriber.read_reply() == message(b"*1\r\n$1\r\nq\r\n")
    assert writer.command("FLUSHDB") == OK
    assert subscriber.read_reply() == message(b"_\r\n")
    bcast, psubscriber = connect(2), connect(2)
    psub_id = client_id(psubscriber)
    psubscriber.command("PSUBSCRIBE", "x*")
    command = ("CLIENT", "TRACKING", "on", "BCAST", "REDIRECT", psub_id, "PREFIX", "z")
    assert bcast.command(*command) == OK
    assert writer.command("MSET", "z1", "1", "z2", "2") == OK
    assert psubscriber.read_reply() == message(b"*2\r\n$2\r\nz1\r\n$2\r\nz2\r\n")


def test_own_pushes_after_the_reply_and_the_messages(connect: Callable[..., RawClient]) -> None:
    """What a transaction publishes to its own client precedes its invalidations."""
    client = connect()
    subscribed = b">3\r\n$9\r\nsubscribe\r\n$4\r\nchan\r\n:1\r\n"
    assert client.command("SUBSCRIBE", "chan") == subscribed
    assert client.command("CLIENT", "TRACKING", "on") == OK
    assert client.command("GET", "k") == b"_\r\n"
    client.command("MULTI")
    client.command("SET", "k", "6")
    client.command("PUBLISH", "chan", "m2")
    assert client.command("EXEC") == b"*2\r\n+OK\r\n:1\r\n"
    assert client.read_reply() == b">3\r\n$7\r\nmessage\r\n$4\r\nchan\r\n$2\r\nm2\r\n"
    assert client.read_reply() == push(b"k")


def test_a_broken_redirect(connect: Callable[..., RawClient]) -> None:
    target, client, other = connect(), connect(2), connect(2)
    target_id = client_id(target)
    own_id = client_id(client)
    assert client.command("CLIENT", "TRACKING", "on", "REDIRECT", target_id) == OK
    assert client.command("GET", "k") == b"$-1\r\n"
    assert target.command("QUIT") == OK
    wait_until(lambda: b"id=%d " % target_id not in other.command("CLIENT", "LIST"))
    assert other.command("SET", "k", "1") == OK  # RESP2: nothing to say, but the flag is set
    assert list_fields(other, own_id)["flags"] == "tR"
    assert client.command("CLIENT", "TRACKINGINFO") == (
        b"*6\r\n$5\r\nflags\r\n*2\r\n$2\r\non\r\n$15\r\nbroken_redirect\r\n$8\r\nredirect\r\n"
        b":%d\r\n$8\r\nprefixes\r\n*0\r\n" % target_id
    )
    client.command("HELLO", "3")
    assert client.command("GET", "k") == b"$1\r\n1\r\n"
    assert other.command("SET", "k", "2") == OK
    assert client.read_reply() == b">2\r\n$21\r\ntracking-redir-broken\r\n:%d\r\n" % target_id
    assert client.command("CLIENT", "TRACKING", "on") == OK  # re-enabling mends it
    assert list_fields(other, own_id)["flags"] == "t"


# -- flushes ----------------------------------------------------------------------------------


def test_a_flush_invalidates_everything(connect: Callable[..., RawClient]) -> None:
    client, resp2, target, redirected = connect(), connect(2), connect(), connect(2)
    assert client.command("CLIENT", "TRACKING", "on") == OK
    assert resp2.command("CLIENT", "TRACKING", "on") == OK
    assert redirected.command("CLIENT", "TRACKING", "on", "REDIRECT", client_id(target)) == OK
    assert client.command("GET", "k") == b"_\r\n"
    assert resp2.command("FLUSHALL") == OK
    assert client.read_reply() == NULL_PUSH
    # The null is written in the tracking client's protocol, whatever the target's.
    assert target.read_reply() == b">2\r\n$10\r\ninvalidate\r\n$-1\r\n"
    assert client.command("FLUSHDB") == OK
    assert client.read_reply() == NULL_PUSH
    assert target.read_reply() == b">2\r\n$10\r\ninvalidate\r\n$-1\r\n"
    client.command("MULTI")
    client.command("FLUSHDB")
    client.command("GET", "k")
    assert client.command("EXEC") == b"*2\r\n+OK\r\n_\r\n"
    assert client.read_reply() == NULL_PUSH
    assert target.read_reply() == b">2\r\n$10\r\ninvalidate\r\n$-1\r\n"
    assert info_fields(client, "stats")["tracking_total_keys"] == "1"  # GET k in the EXEC
    assert resp2.command("FLUSHALL", "ASYNC") == OK
    assert client.read_reply() == NULL_PUSH
    assert info_fields(client, "stats")["tracking_total_keys"] == "0"


# -- BCAST ------------------------------------------------------------------------------------


def test_bcast_prefixes(connect: Callable[..., RawClient]) -> None:
    client, other = connect(), connect(2)
    assert client.command("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "b:", "PREFIX", "a:") == OK
    other.command("MULTI")
    for line in (("INCR", "a:2"), ("INCR", "a:1"), ("INCR", "b:1"), ("INCR", "c:1"),
                 ("SET", "a:1", "x")):  # fmt: skip
        other.command(*line)
    assert other.command("EXEC") == b"*5\r\n:1\r\n:1\r\n:1\r\n:1\r\n+OK\r\n"
    # One push per prefix, in byte order, each listing its keys once, in byte order.
    assert client.read_reply() == push(b"a:1", b"a:2")
    assert client.read_reply() == push(b"b:1")
    assert client.command("SET", "a:9", "1") == OK
    assert client.read_reply() == push(b"a:9")
    assert client.command("CLIENT", "TRACKINGINFO") == (
        b"%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$5\r\nbcast\r\n$8\r\nredirect\r\n:0\r\n"
        b"$8\r\nprefixes\r\n*2\r\n$2\r\na:\r\n$2\r\nb:\r\n"
    )
    assert client.command("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a") == (
        b"-ERR Prefix 'a' overlaps with an existing prefix 'a:'. "
        b"Prefixes for a single client must not overlap.\r\n"
    )
    assert client.command("CLIENT", "TRACKING", "on", "BCAST") == OK  # adds the empty prefix
    assert info_fields(other, "stats")["tracking_total_prefixes"] == "3"
    assert other.command("SET", "zz", "1") == OK
    assert client.read_reply() == push(b"zz")
    assert client.command("CLIENT", "TRACKING", "off") == OK
    assert info_fields(other, "stats")["tracking_total_prefixes"] == "0"


def test_bcast_noloop(connect: Callable[..., RawClient]) -> None:
    client, other = connect(), connect(2)
    assert client.command("CLIENT", "TRACKING", "on", "BCAST", "NOLOOP") == OK
    assert other.command("SET", "o1", "1") == OK
    assert client.read_reply() == push(b"o1")
    assert client.command("SET", "loop", "1") == OK
    assert client.command("MSET", "l2", "1", "o2", "2") == OK
    assert client.command("PING") == PONG
    assert other.command("SET", "o2", "1") == OK
    assert client.read_reply() == push(b"o2")
    # A key the server itself expires is nobody's write: NOLOOP lets it through.
    client.command("MULTI")
    client.command("SET", "mine", "1")
    client.command("SET", "soon", "1", "PX", "1")
    assert client.command("EXEC") == b"*2\r\n+OK\r\n+OK\r\n"
    assert client.read_reply() == push(b"soon")


def test_switching_to_bcast_silences_earlier_reads(connect: Callable[..., RawClient]) -> None:
    client, other = connect(), connect(2)
    assert client.command("CLIENT", "TRACKING", "on") == OK
    assert client.command("GET", "key1") == b"_\r\n"
    assert client.command("CLIENT", "TRACKING", "on", "BCAST") == (
        b"-ERR You can't switch BCAST mode on/off before disabling tracking for this "
        b"client, and then re-enabling it with a different mode.\r\n"
    )
    assert client.command("CLIENT", "TRACKING", "off") == OK
    assert client.command("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "x") == OK
    assert other.command("SET", "key1", "1") == OK
    assert client.command("PING") == PONG


# -- OPTIN, OPTOUT and CLIENT CACHING -----------------------------------------------------------


def test_optin(connect: Callable[..., RawClient]) -> None:
    client, other = connect(), connect(2)
    assert client.command("CLIENT", "TRACKING", "on", "OPTIN") == OK
    assert client.command("GET", "k1") == b"_\r\n"
    assert client.command("CLIENT", "CACHING", "yes") == OK
    assert client.command("CLIENT", "TRACKINGINFO") == (
        b"%3\r\n$5\r\nflags\r\n~3\r\n$2\r\non\r\n$5\r\noptin\r\n$11\r\ncaching-yes\r\n"
        b"$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*0\r\n"
    )
    assert client.command("GET", "k2") == b"_\r\n"
    assert other.command("MSET", "k1", "1", "k2", "1") == OK
    assert client.read_reply() == push(b"k2")
    # Another CLIENT subcommand keeps the choice; any other command spends it.
    assert client.command("CLIENT", "CACHING", "yes") == OK
    client.command("CLIENT", "ID")
    assert client.command("GET", "k3") == b"_\r\n"
    assert client.command("GET", "k4") == b"_\r\n"
    assert other.command("MSET", "k3", "1", "k4", "1") == OK
    assert client.read_reply() == push(b"k3")
    # It lasts for the whole next transaction, and one given inside EXEC for the rest.
    assert client.command("CLIENT", "CACHING", "yes") == OK
    client.command("MULTI")
    client.command("GET", "k5")
    client.command("GET", "k6")
    client.command("EXEC")
    client.command("MULTI")
    client.command("GET", "k7")
    client.command("CLIENT", "CACHING", "yes")
    client.command("GET", "k8")
    client.command("EXEC")
    assert client.command("GET", "k9") == b"_\r\n"
    assert other.command("MSET", *(token for n in range(5, 10) for token in (f"k{n}", "1"))) == OK
    assert [client.read_reply() for _ in range(3)] == [push(b"k5"), push(b"k6"), push(b"k8")]
    assert client.command("PING") == PONG
    assert client.command("CLIENT", "CACHING", "no") == (
        b"-ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.\r\n"
    )


def test_optout(connect: Callable[..., RawClient]) -> None:
    client, other = connect(), connect(2)
    assert client.command("CLIENT", "TRACKING", "on", "OPTOUT") == OK
    assert client.command("GET", "k1") == b"_\r\n"
    assert other.command("SET", "k1", "1") == OK
    assert client.read_reply() == push(b"k1")
    assert client.command("CLIENT", "CACHING", "no") == OK
    assert client.command("CLIENT", "TRACKINGINFO") == (
        b"%3\r\n$5\r\nflags\r\n~3\r\n$2\r\non\r\n$6\r\noptout\r\n$10\r\ncaching-no\r\n"
        b"$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*0\r\n"
    )
    assert client.command("GET", "k2") == b"_\r\n"
    assert client.command("GET", "k3") == b"_\r\n"
    assert other.command("MSET", "k2", "1", "k3", "1") == OK
    assert client.read_reply() == push(b"k3")
    assert client.command("CLIENT", "CACHING", "yes") == (
        b"-ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.\r\n"
    )


# -- server-side removals ---------------------------------------------------------------------


def test_expired_keys_are_pushed(make_server: Callable[..., Server]) -> None:
    clock = ManualClock()
    server = make_server(clock=clock, config={"enable-debug-command": "yes"})
    with RawClient(server.port) as client:
        client.command("HELLO", "3")
        assert client.command("CLIENT", "TRACKING", "on") == OK
        assert client.command("DEBUG", "SET-ACTIVE-EXPIRE", "0") == OK
        assert client.command("MSET", "x", "1", "y", "2") == OK
        assert client.command("PEXPIRE", "y", "100") == b":1\r\n"
        assert client.command("MGET", "x", "y") == b"*2\r\n$1\r\n1\r\n$1\r\n2\r\n"
        clock.advance_ms(100)
        # A lazy expiry during a command is pushed after its reply.
        assert client.command("MGET", "x", "y") == b"*2\r\n$1\r\n1\r\n_\r\n"
        assert client.read_reply() == push(b"y")
        assert client.command("DEBUG", "SET-ACTIVE-EXPIRE", "1") == OK
        assert client.command("SET", "z", "1", "PX", "100") == OK
        assert client.command("GET", "z") == b"$1\r\n1\r\n"
        clock.advance_ms(100)
        assert client.read_reply() == push(b"z")  # the cron's active expiry
        assert client.command("PING") == PONG


def test_evicted_keys_are_pushed_before_the_reply(
    connect: Callable[..., RawClient],
) -> None:
    client = connect()
    assert client.command("CLIENT", "TRACKING", "on") == OK
    used = int(info_fields(client, "memory")["used_memory"])
    client.command("CONFIG", "SET", "maxmemory", used + 100 * 1024)
    client.command("CONFIG", "SET", "maxmemory-policy", "volatile-random")
    assert client.command("SETEX", "volatile-key", "10000", "x") == OK
    assert client.command("GET", "volatile-key") == b"$1\r\nx\r\n"
    assert client.command("SETBIT", "big-key", "1600000", "0") == b":0\r\n"
    assert client.command("GETBIT", "big-key", "0") == push(b"volatile-key")
    assert client.read_reply() == b":0\r\n"
    client.command("CONFIG", "SET", "maxmemory", "0")


def test_the_table_limit_forgets_keys(connect: Callable[..., RawClient]) -> None:
    client, other = connect(), connect(2)
    assert client.command("CLIENT", "TRACKING", "on") == OK
    assert client.command("MGET", "k1", "k2", "k3") == b"*3\r\n_\r\n_\r\n_\r\n"
    assert other.command("CONFIG", "SET", "tracking-table-max-keys", "1") == OK
    # The cron forgets two of the keys, each pushed as if it had changed.
    forgotten = {client.read_reply(), client.read_reply()}
    assert forgotten < {push(b"k1"), push(b"k2"), push(b"k3")}
    assert info_fields(other, "stats")["tracking_total_keys"] == "1"
    assert client.command("PING") == PONG


def test_a_served_blocked_command_is_pushed_after_its_reply(
    connect: Callable[..., RawClient],
) -> None:
    client, other = connect(), connect()
    assert other.command("RPUSH", "list2", "a") == b":1\r\n"
    assert client.command("CLIENT", "TRACKING", "on") == OK
    assert client.command("LRANGE", "list2", "0", "-1") == b"*1\r\n$1\r\na\r\n"
    client.send(encode_command("BLMOVE", "list1", "list2", "LEFT", "LEFT", "0"))
    wait_until(lambda: info_fields(other, "clients")["blocked_clients"] == "1")
    assert other.command("RPUSH", "list1", "foo") == b":1\r\n"
    assert client.read_reply() == b"$3\r\nfoo\r\n"
    assert client.read_reply() == push(b"list2")


def test_a_served_blocked_read_remembers_its_keys_again(
    connect: Callable[..., RawClient],
) -> None:
    client, other = connect(), connect(2)
    assert client.command("CLIENT", "TRACKING", "on") == OK
    client.send(encode_command("XREAD", "BLOCK", "0", "STREAMS", "s", "$"))
    wait_until(lambda: info_fields(other, "clients")["blocked_clients"] == "1")
    other.command("XADD", "s", "1-1", "f", "v")
    assert client.read_reply() == push(b"s")  # the XADD, before the read's answer
    assert client.read_reply().startswith(b"%1\r\n$1\r\ns\r\n")
    other.command("XADD", "s", "2-1", "f", "v")  # a stream that exists: XADD's fast path
    assert client.read_reply() == push(b"s")


def test_client_reply_off_leaves_pushes_on(connect: Callable[..., RawClient]) -> None:
    client, other = connect(), connect(2)
    assert client.command("CLIENT", "TRACKING", "on") == OK
    assert client.command("GET", "foo") == b"_\r\n"
    client.send(encode_command("CLIENT", "REPLY", "OFF"))
    assert other.command("SET", "foo", "1") == OK
    assert client.read_reply() == push(b"foo")
    client.send(encode_command("GET", "foo") + encode_command("SET", "foo", "2"))
    assert client.read_reply() == push(b"foo")
    assert client.command("CLIENT", "REPLY", "ON") == OK
    assert client.command("PING") == PONG


# -- introspection ----------------------------------------------------------------------------


def test_info_counts_lazily(connect: Callable[..., RawClient]) -> None:
    first, second, bcast, observer = connect(), connect(2), connect(2), connect(2)
    assert first.command("CLIENT", "TRACKING", "on") == OK
    assert first.command("MGET", "k1", "k2", "k3") == b"*3\r\n_\r\n_\r\n_\r\n"
    assert second.command("CLIENT", "TRACKING", "on") == OK
    assert second.command("GET", "k1") == b"$-1\r\n"
    assert bcast.command("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p") == OK

    def counts() -> tuple[str, str, str, str]:
        stats = info_fields(observer, "stats")
        clients = info_fields(observer, "clients")["tracking_clients"]
        return (clients, stats["tracking_total_keys"], stats["tracking_total_items"],
                stats["tracking_total_prefixes"])  # fmt: skip

    assert counts() == ("3", "3", "4", "1")
    assert first.command("CLIENT", "TRACKING", "off") == OK
    second.close()
    wait_until(lambda: counts()[0] == "1")
    assert counts() == ("1", "3", "4", "1")  # the table forgets only when keys change
    assert observer.command("SET", "k1", "1") == OK
    assert counts() == ("1", "2", "2", "1")


def test_client_list_shows_tracking(connect: Callable[..., RawClient]) -> None:
    client, observer = connect(2), connect(2)
    own_id = client_id(client)
    before = list_fields(observer, own_id)
    assert (before["flags"], before["redir"]) == ("N", "-1")
    assert client.command("CLIENT", "TRACKING", "on", "REDIRECT", client_id(observer)) == OK
    fields = list_fields(observer, own_id)
    assert (fields["flags"], fields["redir"]) == ("t", str(client_id(observer)))
    assert client.command("CLIENT", "TRACKING", "off") == OK
    bare = int(list_fields(observer, own_id)["tot-mem"])
    command = ("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "foo", "PREFIX", "bar")
    assert client.command(*command) == OK
    fields = list_fields(observer, own_id)
    assert (fields["flags"], fields["redir"]) == ("tB", "0")
    # Valkey counts the prefixes' radix tree: five nodes of 32 bytes for "foo" and "bar".
    assert int(fields["tot-mem"]) - bare == 160


def test_trackinginfo_and_getredir(connect: Callable[..., RawClient]) -> None:
    client, target = connect(2), connect(2)
    assert client.command("CLIENT", "TRACKINGINFO") == (
        b"*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n"
    )
    assert client.command("CLIENT", "GETREDIR") == b":-1\r\n"
    assert client.command("CLIENT", "TRACKING", "on") == OK
    assert client.command("CLIENT", "GETREDIR") == b":0\r\n"
    target_id = client_id(target)
    assert client.command("CLIENT", "TRACKING", "on", "REDIRECT", target_id, "noloop") == OK
    assert client.command("CLIENT", "TRACKINGINFO") == (
        b"*6\r\n$5\r\nflags\r\n*2\r\n$2\r\non\r\n$6\r\nnoloop\r\n$8\r\nredirect\r\n"
        b":%d\r\n$8\r\nprefixes\r\n*0\r\n" % target_id
    )
    assert client.command("CLIENT", "GETREDIR") == b":%d\r\n" % target_id
    assert client.command("CLIENT", "TRACKING", "off") == OK
    assert client.command("CLIENT", "GETREDIR") == b":-1\r\n"
    bcast = ("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "foo", "PREFIX", "bar")
    assert client.command(*bcast) == OK
    assert client.command("CLIENT", "TRACKINGINFO") == (
        b"*6\r\n$5\r\nflags\r\n*2\r\n$2\r\non\r\n$5\r\nbcast\r\n$8\r\nredirect\r\n:0\r\n"
        b"$8\r\nprefixes\r\n*2\r\n$3\r\nbar\r\n$3\r\nfoo\r\n"
    )
    assert client.command("CLIENT", "TRACKING", "off") == OK
    assert client.command("CLIENT", "TRACKING", "on", "BCAST") == OK
    assert client.command("CLIENT", "TRACKINGINFO").endswith(b"$8\r\nprefixes\r\n*1\r\n$0\r\n\r\n")
    assert client.command("RESET") == b"+RESET\r\n"
    assert client.command("CLIENT", "TRACKINGINFO") == (
        b"*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n$8\r\nprefixes\r\n*0\r\n"
    )


# -- errors -------------------------------------------------------------------------------------

SYNTAX = b"-ERR syntax error\r\n"


def test_tracking_errors_in_valkeys_order(connect: Callable[..., RawClient]) -> None:
    client, observer = connect(2), connect(2)
    own = client_id(client)

    def tracking(*args: str | int) -> bytes:
        return client.command("CLIENT", "TRACKING", *args)

    assert tracking("on", "REDIRECT", own, "REDIRECT", own) == (
        b"-ERR A client can only redirect to a single other client\r\n"
    )
    missing = b"-ERR The client ID you want redirect to does not exist\r\n"
    assert tracking("on", "REDIRECT", "0") == missing
    assert tracking("on", "REDIRECT", "-1") == missing
    assert tracking("off", "REDIRECT", "999999") == missing  # options are read first
    assert tracking("on", "REDIRECT", "abc") == b"-ERR value is not an integer or out of range\r\n"
    assert tracking("on", "REDIRECT") == SYNTAX
    assert tracking("on", "PREFIX") == SYNTAX
    assert tracking("on", "FOO") == SYNTAX
    assert tracking("maybe") == SYNTAX
    assert tracking("off", "BCAST", "OPTIN", "OPTOUT", "PREFIX", "x") == OK
    assert tracking("on", "PREFIX", "x", "OPTIN", "OPTOUT") == (
        b"-ERR PREFIX option requires BCAST mode to be enabled\r\n"
    )
    assert tracking("on", "BCAST", "OPTIN") == (
        b"-ERR OPTIN and OPTOUT are not compatible with BCAST\r\n"
    )
    assert tracking("on", "OPTIN", "OPTOUT") == (
        b"-ERR You can't specify both OPTIN mode and OPTOUT mode\r\n"
    )
    assert tracking("on", "OPTIN") == OK
    assert tracking("on", "OPTOUT") == (
        b"-ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, "
        b"and then re-enabling it with a different mode.\r\n"
    )
    assert tracking("on") == OK  # neither: allowed, and it clears OPTIN
    assert tracking("off") == OK
    overlap = b" Prefixes for a single client must not overlap.\r\n"
    assert tracking("on", "BCAST", "PREFIX", "FOOBAR", "PREFIX", "FOO") == (
        b"-ERR Prefix 'FOOBAR' overlaps with another provided prefix 'FOO'." + overlap
    )
    assert tracking("on", "BCAST", "PREFIX", "a\r\nb", "PREFIX", "a") == (
        b"-ERR Prefix 'a  b' overlaps with another provided prefix 'a'." + overlap
    )
    assert tracking("on", "BCAST", "PREFIX", "fo\0o", "PREFIX", "f") == (
        b"-ERR Prefix 'fo' overlaps with another provided prefix 'f'." + overlap
    )
    off = b"*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff"
    assert client.command("CLIENT", "TRACKINGINFO").startswith(off)
    caching = (
        b"-ERR CLIENT CACHING can be called only when the client is in tracking mode with "
        b"OPTIN or OPTOUT mode enabled\r\n"
    )
    assert client.command("CLIENT", "CACHING", "yes") == caching
    assert client.command("CLIENT", "CACHING", "maybe") == caching
    assert tracking("on") == OK
    assert client.command("CLIENT", "CACHING", "maybe") == SYNTAX
    assert client.command("CLIENT", "CACHING") == (
        b"-ERR wrong number of arguments for 'client|caching' command\r\n"
    )
    assert client.command("CLIENT", "TRACKING") == (
        b"-ERR wrong number of arguments for 'client|tracking' command\r\n"
    )
    stats = info_fields(observer, "commandstats")["cmdstat_client|tracking"]
    assert re.search(r"calls=21,.*rejected_calls=1,failed_calls=16$", stats)


def test_overlapping_given_prefixes_past_the_first_answer_twice(
    connect: Callable[..., RawClient],
) -> None:
    """Valkey 8.0.1 answers the error, then turns tracking on and answers +OK as well."""
    client, observer = connect(2), connect(2)
    client.send(encode_command("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a", "PREFIX",
                               "b", "PREFIX", "bc"))  # fmt: skip
    assert client.read_reply() == (
        b"-ERR Prefix 'b' overlaps with another provided prefix 'bc'. "
        b"Prefixes for a single client must not overlap.\r\n"
    )
    assert client.read_reply() == OK
    assert client.command("CLIENT", "TRACKINGINFO") == (
        b"*6\r\n$5\r\nflags\r\n*2\r\n$2\r\non\r\n$5\r\nbcast\r\n$8\r\nredirect\r\n:0\r\n"
        b"$8\r\nprefixes\r\n*3\r\n$1\r\na\r\n$1\r\nb\r\n$2\r\nbc\r\n"
    )
    stats = info_fields(observer, "commandstats")["cmdstat_client|tracking"]
    assert stats.endswith("rejected_calls=0,failed_calls=1")
    assert info_fields(observer, "errorstats")["errorstat_ERR"] == "count=1"
