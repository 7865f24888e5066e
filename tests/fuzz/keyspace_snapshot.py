"""Deep, comparable snapshots of a server's keyspace, and its structural invariants.

``snapshot(keyspace)`` turns every database into plain tuples and dicts: keys with
their values and deadlines; for streams, the metadata (length, last / first /
max-deleted IDs, entries added), the node layout (each node's stored IDs, flags,
master fields and entry bytes) and every consumer group (last ID, entries read,
consumers with their seen / active times and pending IDs, and the group PEL with
owner, delivery time and count). Two snapshots are equal exactly when no client
could tell the keyspaces apart, node shapes included.

``live(snapshot, now_ms)`` drops the keys whose deadline has passed, so a command
that only lazily expired a key (Valkey does that too, on any lookup) compares equal.

``check_invariants(keyspace)`` asserts what must hold between any two commands
(see the invariants of ``engine/stream.py``, ``engine/groups.py`` and
``engine/keyspace.py``), including that no two keys share a mutable part; it
names the key and the rule that broke. ``check_sessions(core)`` does the same for
the blocking registry and the WATCH bookkeeping against the connected clients.

Nothing here changes the keyspace: reading a compressed node goes through the
same cache the server reads through.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from minivalkey.core import ServerCore
from minivalkey.engine.groups import ConsumerGroup, PendingList
from minivalkey.engine.keyspace import Keyspace
from minivalkey.engine.stream import Stream
from minivalkey.engine.streamnode import DELETED
from minivalkey.engine.types import TYPES, state_of

Snapshot = dict[int, dict[bytes, tuple[Any, int | None]]]

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def snapshot(keyspace: Keyspace) -> Snapshot:
    """Every database as {key: (value state, deadline or None)}; empty databases left out."""
    result: Snapshot = {}
    for db in keyspace.dbs:
        if not db.data:
            continue
        expires = db.expires
        result[db.index] = {
            key: (_value_state(value), expires.get(key)) for key, value in db.data.items()
        }
    return result


def live(state: Snapshot, now_ms: int) -> Snapshot:
    """``state`` without the keys that are logically expired at ``now_ms``."""
    result: Snapshot = {}
    for index, keys in state.items():
        kept = {
            key: item for key, item in keys.items() if item[1] is None or item[1] > now_ms
        }
        if kept:
            result[index] = kept
    return result


def _value_state(value: Any) -> Any:
    if type(value) is Stream:
        return ("stream", stream_state(value))
    spec = TYPES.get(type(value))
    if spec is None:
        raise AssertionError(f"the snapshot does not know values of type {type(value).__name__}")
    return (spec.name, spec.encoding(value), state_of(value))


def stream_state(stream: Stream) -> tuple[Any, ...]:
    meta = (
        stream.length,
        stream.last_id,
        stream.first_id,
        stream.max_deleted_id,
        stream.entries_added,
    )
    nodes = tuple(
        (
            tuple(node.master_fields),
            tuple(node.id_at(i) for i in range(len(node))),
            bytes(node.flags),
            bytes(node.entries()),
            node.count,
        )
        for node in stream.nodes
    )
    groups = tuple(_group_state(group) for _, group in sorted(stream.groups.items()))
    return meta, tuple(stream.keys), nodes, groups


def _group_state(group: ConsumerGroup) -> tuple[Any, ...]:
    pel = tuple(
        (stream_id, entry.delivery_time, entry.delivery_count, entry.consumer.name)
        for stream_id, entry in group.pending.range()
    )
    consumers = tuple(
        (name, consumer.seen_time, consumer.active_time, tuple(consumer.pending.ids))
        for name, consumer in sorted(group.consumers.items())
    )
    return group.name, group.last_id, group.entries_read, pel, consumers


def describe_difference(before: Snapshot, after: Snapshot) -> str:
    """A short human description of where two snapshots differ (for assertion messages)."""
    lines: list[str] = []
    for index in sorted(set(before) | set(after)):
        old, new = before.get(index, {}), after.get(index, {})
        for key in sorted(set(old) | set(new)):
            if old.get(key) != new.get(key):
                lines.append(f"db{index} {key!r}: {old.get(key)!r} -> {new.get(key)!r}")
    return "\n".join(lines)[:4000]


# -- invariants --------------------------------------------------------------------------------


def check_invariants(keyspace: Keyspace) -> None:
    owners: dict[int, tuple[int, bytes]] = {}
    for db in keyspace.dbs:
        stray = set(db.expires) - set(db.data)
        assert not stray, f"db{db.index}: deadlines for absent keys {stray!r}"
        for key, value in db.data.items():
            assert value is not None, f"db{db.index} {key!r}: None stored"
            if type(value) is Stream:
                try:
                    check_stream(value)
                    _check_not_shared(value, (db.index, key), owners)
                except AssertionError as error:
                    raise AssertionError(f"db{db.index} stream {key!r}: {error}") from None
            elif type(value) is not bytes:
                # Another registered type: its own structural check, if it has one,
                # and no collection object shared between two keys.
                assert type(value) in TYPES, f"db{db.index} {key!r}: {type(value).__name__}"
                check = getattr(value, "check_invariants", None)
                if check is not None:
                    check()
                owner = owners.setdefault(id(value), (db.index, key))
                assert owner == (db.index, key), f"db{db.index} {key!r} shares {owner!r}'s value"


def _mutable_parts(stream: Stream) -> Iterator[object]:
    yield stream
    for node in stream.nodes:
        yield from (node, node.ms, node.seq, node.flags, node.offsets)
        if type(node.blob) is bytearray:
            yield node.blob
    for group in stream.groups.values():
        yield from (group, group.pending, group.pending.entries, group.pending.ids)
        for consumer in group.consumers.values():
            yield from (consumer, consumer.pending, consumer.pending.ids)
        for _, entry in group.pending.range():
            yield entry


def _check_not_shared(
    stream: Stream, where: tuple[int, bytes], owners: dict[int, tuple[int, bytes]]
) -> None:
    """No mutable part of a stream is also part of another key's value (COPY, RENAME...)."""
    for part in _mutable_parts(stream):
        owner = owners.setdefault(id(part), where)
        assert owner == where, f"shares a {type(part).__name__} with db{owner[0]} {owner[1]!r}"


def check_sessions(core: ServerCore) -> None:
    """The blocking registry and the WATCH mirror agree with the connected clients."""
    clients = core.clients
    registry = core.blocking
    for client_id, waiter in registry.by_client.items():
        assert client_id in clients, f"a waiter left behind by gone client {client_id}"
        assert waiter.client.blocked is waiter, f"client {client_id} forgot its waiter"
        for key in waiter.keys:
            assert waiter in registry.by_key.get(key, {}), f"waiter missing from {key!r}"
    for key, queue in registry.by_key.items():
        assert queue, f"an empty queue kept for {key!r}"
        for waiter in queue:
            assert registry.by_client.get(waiter.client.id) is waiter, f"stale waiter on {key!r}"
    expected = Counter(
        key for waiter in registry.by_client.values() if waiter.unblock_on_nokey
        for key in waiter.keys
    )
    assert dict(expected) == registry.nokey, "nokey counts disagree with the waiters"
    for client in clients.values():
        if client.blocked is not None:
            assert registry.by_client.get(client.id) is client.blocked, "an unregistered wait"
        for entry in client.watched:
            assert client in core.keyspace.watched.get(entry, ()), f"WATCH {entry!r} unmirrored"
    for entry, watchers in core.keyspace.watched.items():
        assert watchers, f"an empty watcher set kept for {entry!r}"
        for watcher in watchers:
            assert entry in watcher.watched, f"WATCH {entry!r} mirrored for a non-watcher"
            assert clients.get(watcher.id) is watcher, f"a gone client still WATCHes {entry!r}"  # type: ignore[attr-defined]


def check_stream(stream: Stream) -> None:
    assert stream.keys == [node.id_at(0) for node in stream.nodes], "node keys != master IDs"
    previous = -1
    live_count = 0
    first_live = 0
    for node in stream.nodes:
        assert len(node) > 0, "an empty node"
        assert len(node.flags) == len(node), "flags and IDs disagree"
        live_in_node = 0
        for i in range(len(node)):
            stream_id = node.id_at(i)
            assert stream_id > previous, f"IDs not ascending at {stream_id:#x}"
            previous = stream_id
            if not node.flags[i] & DELETED:
                live_in_node += 1
                if not first_live:
                    first_live = stream_id
        assert live_in_node == node.count, "node.count != live entries"
        live_count += live_in_node
    assert stream.length == live_count, f"length {stream.length} != live {live_count}"
    assert stream.first_id == (first_live if live_count else 0), "first_id is stale"
    assert previous <= stream.last_id, "an entry above last_id"
    assert stream.max_deleted_id <= stream.last_id, "max_deleted_id above last_id"
    assert stream.length <= stream.entries_added < 2**64, "entries_added out of range"
    for name, group in stream.groups.items():
        assert group.name == name, f"group {name!r} filed under another name"
        _check_group(group)


def _check_pending_list(pel: PendingList, where: str) -> None:
    ids = list(pel.ids)
    assert ids == sorted(set(ids)), f"{where}: ID index not sorted / unique"
    assert len(ids) == len(pel), f"{where}: ID index and entries differ in length"
    missing = [stream_id for stream_id in ids if pel.get(stream_id) is None]
    assert not missing, f"{where}: indexed IDs without an entry {missing!r}"


def _check_group(group: ConsumerGroup) -> None:
    where = f"group {group.name!r}"
    # Valkey keeps these counters in 64 bits: what a client sees is a signed 64-bit value.
    assert _INT64_MIN <= group.entries_read <= _INT64_MAX, f"{where}: entries_read overflows"
    _check_pending_list(group.pending, where)
    owned: set[int] = set()
    for name, consumer in group.consumers.items():
        assert consumer.name == name, f"{where}: consumer filed under another name"
        owned_ids = list(consumer.pending.ids)
        assert owned_ids == sorted(set(owned_ids)), f"{where} {name!r}: IDs not sorted / unique"
        assert len(owned_ids) == len(consumer.pending), f"{where} {name!r}: length differs"
        assert consumer.pending.group_entries is group.pending.entries, (
            f"{where} {name!r}: PEL not over the group's entries"
        )
        for stream_id, entry in consumer.pending.range():
            assert stream_id not in owned, f"{where}: {stream_id:#x} owned twice"
            owned.add(stream_id)
            assert entry.consumer is consumer, f"{where}: {stream_id:#x} owner mismatch"
            assert group.pending.get(stream_id) is entry, (
                f"{where}: {stream_id:#x} not shared with the group PEL"
            )
            assert _INT64_MIN <= entry.delivery_count <= _INT64_MAX, (
                f"{where}: {stream_id:#x} delivery count overflows"
            )
    assert owned == set(group.pending.ids), f"{where}: orphan group PEL entries"
    for _, entry in group.pending.range():
        assert group.consumers.get(entry.consumer.name) is entry.consumer, (
            f"{where}: a pending entry owned by a deleted consumer"
        )
