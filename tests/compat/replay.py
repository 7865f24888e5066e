"""Replaying command scripts over raw sockets, and normalising replies that hold times.

A script is a list of ``Step``s (argv plus an optional normaliser name). ``replay``
sends a script pipelined in chunks to one server, in RESP2 or RESP3, and returns
every reply as raw bytes. Replies are compared byte for byte; a normaliser first
parses the reply into a ``Node`` tree that re-serialises to the very same bytes,
overwrites the values that depend on the wall clock (idle times, delivery times,
seen/active times) with fixed ones, and serialises it again.

Invariant: ``serialize(parse(data)) == data`` for every reply, so a normalised
comparison differs from a raw one only in the values a normaliser replaces.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlparse

# How many commands are sent before their replies are read: enough to make long
# scripts fast, few enough that neither side's buffers fill up.
CHUNK = 200


@dataclass(frozen=True)
class Step:
    argv: tuple[bytes, ...]
    normalise: str | None = None

    @property
    def text(self) -> str:
        return " ".join(repr(arg)[2:-1] if _odd(arg) else arg.decode() for arg in self.argv)


def _odd(arg: bytes) -> bool:
    return not arg or any(byte < 0x21 or byte > 0x7E for byte in arg)


def step(*args: bytes | str | int, normalise: str | None = None) -> Step:
    return Step(tuple(_arg(arg) for arg in args), normalise)


def _arg(arg: bytes | str | int) -> bytes:
    return arg if isinstance(arg, bytes) else str(arg).encode()


def lines(text: str) -> list[Step]:
    """Steps from text, one command per line, split like a shell line.

    ``@name`` before the command selects a normaliser; blank lines and ``#``
    comments are skipped.
    """
    import shlex

    steps: list[Step] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        normalise = None
        if line.startswith("@"):
            name, _, line = line.partition(" ")
            normalise = name[1:]
        steps.append(step(*shlex.split(line), normalise=normalise))
    return steps


# -- RESP trees ---------------------------------------------------------------------------


@dataclass
class Node:
    """One RESP value: its type byte, header line, and payload or children."""

    kind: bytes
    head: bytes
    payload: bytes | None = None
    children: list[Node] = field(default_factory=list)

    def serialize(self) -> bytes:
        out = [self.kind + self.head + b"\r\n"]
        if self.payload is not None:
            out.append(self.payload + b"\r\n")
        out.extend(child.serialize() for child in self.children)
        return b"".join(out)

    @property
    def text(self) -> bytes:
        """A bulk string's payload or a simple line's content."""
        return self.payload if self.payload is not None else self.head

    def pairs(self) -> list[tuple[Node, Node]]:
        """Key/value pairs of a map (RESP3) or of its flat RESP2 array."""
        return list(zip(self.children[0::2], self.children[1::2], strict=True))


_AGGREGATES = {b"*": 1, b"~": 1, b">": 1, b"%": 2, b"|": 2}
_BLOBS = {b"$", b"=", b"!"}


def parse(data: bytes) -> Node:
    node, end = _parse(data, 0)
    if end != len(data):
        raise ValueError(f"trailing bytes after a reply: {data[end:]!r}")
    return node


def _parse(data: bytes, start: int) -> tuple[Node, int]:
    kind = data[start : start + 1]
    line_end = data.index(b"\r\n", start)
    head = data[start + 1 : line_end]
    position = line_end + 2
    if kind in _BLOBS:
        length = int(head)
        if length < 0:
            return Node(kind, head), position
        if position + length + 2 > len(data):
            raise ValueError("incomplete bulk payload")
        payload = data[position : position + length]
        return Node(kind, head, payload), position + length + 2
    if kind in _AGGREGATES:
        count = int(head) * _AGGREGATES[kind]
        node = Node(kind, head)
        for _ in range(max(count, 0)):
            child, position = _parse(data, position)
            node.children.append(child)
        return node, position
    return Node(kind, head), position


def read_reply(sock: socket.socket, buffer: bytearray) -> bytes:
    """One complete reply from ``sock``; ``buffer`` keeps bytes read past it."""
    while True:
        end = _complete(buffer)
        if end is not None:
            reply = bytes(buffer[:end])
            del buffer[:end]
            return reply
        data = sock.recv(1 << 20)
        if not data:
            raise ConnectionError("the server closed the connection")
        buffer += data


def _complete(buffer: bytearray) -> int | None:
    try:
        return _parse(bytes(buffer), 0)[1]
    except (ValueError, IndexError):
        return None


# -- replaying ----------------------------------------------------------------------------


def encode(argv: Iterable[bytes]) -> bytes:
    items = list(argv)
    parts = [b"*%d\r\n" % len(items)]
    for arg in items:
        parts.append(b"$%d\r\n%s\r\n" % (len(arg), arg))
    return b"".join(parts)


class Connection:
    """A raw connection that sends pipelined commands and reads whole replies."""

    def __init__(self, host: str, port: int, protocol: int = 2) -> None:
        self.sock = socket.create_connection((host, port), timeout=30)
        self.buffer = bytearray()
        if protocol == 3:
            reply = self.run([(b"HELLO", b"3")])[0]
            if not reply.startswith(b"%"):
                raise RuntimeError(f"HELLO 3 failed: {reply!r}")

    def close(self) -> None:
        self.sock.close()

    def run(self, commands: list[tuple[bytes, ...]]) -> list[bytes]:
        replies: list[bytes] = []
        for first in range(0, len(commands), CHUNK):
            chunk = commands[first : first + CHUNK]
            self.sock.sendall(b"".join(encode(argv) for argv in chunk))
            replies.extend(read_reply(self.sock, self.buffer) for _ in chunk)
        return replies


def replay(host: str, port: int, steps: list[Step], protocol: int) -> list[bytes]:
    """Every step's reply (normalised where the step says so), on a fresh connection."""
    connection = Connection(host, port, protocol)
    try:
        replies = connection.run([step.argv for step in steps])
    finally:
        connection.close()
    return [
        NORMALISERS[step.normalise](reply) if step.normalise else reply
        for step, reply in zip(steps, replies, strict=True)
    ]


LOST = b"<no reply: the connection was lost>"


def replay_until_lost(host: str, port: int, steps: list[Step], protocol: int) -> list[bytes]:
    """As ``replay``, but when the server closes the connection (or a reply does not come
    within the socket timeout) the steps left without a reply get ``LOST`` instead of
    an exception, so a caller can tell which command the server did not survive."""
    replies: list[bytes] = []
    connection = Connection(host, port, protocol)
    try:
        for first in range(0, len(steps), CHUNK):
            chunk = steps[first : first + CHUNK]
            connection.sock.sendall(b"".join(encode(step.argv) for step in chunk))
            for _ in chunk:
                replies.append(read_reply(connection.sock, connection.buffer))
    except OSError:  # closed, reset or timed out
        pass
    finally:
        connection.close()
    replies += [LOST] * (len(steps) - len(replies))
    return [
        NORMALISERS[step.normalise](reply) if step.normalise and reply is not LOST else reply
        for step, reply in zip(steps, replies, strict=True)
    ]


# -- normalisers: values that depend on the clock become fixed ones -------------------------


def _set_int(node: Node, value: int) -> None:
    node.kind, node.head, node.payload, node.children = b":", b"%d" % value, None, []


def _clock_value(node: Node) -> None:
    """A time or duration becomes 0; the "never" marker -1 stays visible."""
    if node.kind == b":" and node.head != b"-1":
        _set_int(node, 0)


def _normalise_tree(fix: Callable[[Node], None]) -> Callable[[bytes], bytes]:
    def normalise(data: bytes) -> bytes:
        if data[:1] == b"-":  # errors carry no times
            return data
        tree = parse(data)
        fix(tree)
        return tree.serialize()

    return normalise


def _xpending_extended(tree: Node) -> None:
    for entry in tree.children:  # [id, consumer, idle, deliveries]
        _clock_value(entry.children[2])


def _xinfo_consumers(tree: Node) -> None:
    for consumer in tree.children:
        for key, value in consumer.pairs():
            if key.text in (b"idle", b"inactive"):
                _clock_value(value)


def _full_group_items(tree: Node, wanted: bytes) -> Iterator[Node]:
    """XINFO STREAM FULL: the items of ``wanted`` (``pending``, ``consumers``) of every group."""
    for key, value in tree.pairs():
        if key.text != b"groups":
            continue
        for group in value.children:
            for group_key, group_value in group.pairs():
                if group_key.text == wanted:
                    yield from group_value.children


def _xinfo_full(tree: Node) -> None:
    for entry in _full_group_items(tree, b"pending"):  # [id, owner, time, deliveries]
        _clock_value(entry.children[2])
    for consumer in _full_group_items(tree, b"consumers"):
        _consumer_full(consumer)


def _consumer_full(consumer: Node) -> None:
    for key, value in consumer.pairs():
        if key.text in (b"seen-time", b"active-time"):
            _clock_value(value)
        elif key.text == b"pending":
            for entry in value.children:  # [id, time, deliveries]
                _clock_value(entry.children[1])


def _help(tree: Node) -> None:
    """HELP texts are worded by each project: keep the syntax lines, blank the descriptions."""
    for line in tree.children:
        if line.head.startswith(b"    "):
            line.head = b"    ..."


def _command_info(tree: Node) -> None:
    """COMMAND INFO lists subcommands in hash-table order, which differs between processes:
    compare them sorted by name."""
    for command in tree.children:
        if len(command.children) >= 10:
            subcommands = command.children[9]
            subcommands.children.sort(key=lambda sub: sub.children[0].text)


NORMALISERS: dict[str, Callable[[bytes], bytes]] = {
    "command-info": _normalise_tree(_command_info),
    "xpending": _normalise_tree(_xpending_extended),
    "consumers": _normalise_tree(_xinfo_consumers),
    "full": _normalise_tree(_xinfo_full),
    "help": _normalise_tree(_help),
}


# -- sorting unordered members ----------------------------------------------------------------


def _sorting(data: bytes, kinds: bytes, fix: Callable[[Node], None]) -> bytes:
    """``fix`` applied to the first reply in ``data`` when it is one of ``kinds``; the
    replies after it (of steps sent along with it) stay as they are."""
    if data is LOST or data[:1] not in [kinds[i : i + 1] for i in range(len(kinds))]:
        return data
    tree, end = _parse(data, 0)
    fix(tree)
    return tree.serialize() + data[end:]


def _members_sorted(tree: Node) -> None:
    tree.children.sort(key=Node.serialize)


def _pairs_sorted(tree: Node) -> None:
    pairs = sorted(tree.pairs(), key=lambda pair: (pair[0].serialize(), pair[1].serialize()))
    tree.children = [node for pair in pairs for node in pair]


def _items_sorted(tree: Node) -> None:
    if len(tree.children) == 2:
        _members_sorted(tree.children[1])


def sort_members(data: bytes) -> bytes:
    """An array's (or RESP3 set's) elements sorted; errors and other replies as they are."""
    return _sorting(data, b"*~", _members_sorted)


def sort_pairs(data: bytes) -> bytes:
    """A map's (or its flat RESP2 array's) pairs sorted."""
    return _sorting(data, b"*%", _pairs_sorted)


def sort_scan(data: bytes) -> bytes:
    """A SCAN-family reply ``[cursor, items]`` with its items sorted."""
    return _sorting(data, b"*", _items_sorted)


# -- adjusters: leave out what only one of two server versions has --------------------------


def drop_field(mapping: Node, name: bytes) -> None:
    """Remove the pair keyed ``name`` from a map (RESP3) or its flat array (RESP2)."""
    kept = [node for pair in mapping.pairs() if pair[0].text != name for node in pair]
    if len(kept) != len(mapping.children):
        mapping.children = kept
        mapping.head = b"%d" % (len(kept) // _AGGREGATES[mapping.kind])


def _consumers_without(name: bytes) -> Callable[[Node], None]:
    """XINFO CONSUMERS: ``name`` left out of every consumer."""

    def fix(tree: Node) -> None:
        for consumer in tree.children:
            drop_field(consumer, name)

    return fix


def _full_consumers_without(name: bytes) -> Callable[[Node], None]:
    """XINFO STREAM FULL: ``name`` left out of every consumer of every group."""

    def fix(tree: Node) -> None:
        for consumer in _full_group_items(tree, b"consumers"):
            drop_field(consumer, name)

    return fix


ADJUSTERS: dict[str, Callable[[bytes], bytes]] = {
    "consumers-without-inactive": _normalise_tree(_consumers_without(b"inactive")),
    "full-without-active-time": _normalise_tree(_full_consumers_without(b"active-time")),
}


def address(url: str) -> tuple[str, int]:
    """(host, port) of a ``redis://host:port`` URL."""
    parsed = urlparse(url)
    if parsed.scheme != "redis" or not parsed.port:
        raise ValueError(f"MINIVALKEY_REFERENCE_URL must look like redis://host:port, not {url!r}")
    return parsed.hostname or "127.0.0.1", parsed.port
