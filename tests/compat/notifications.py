"""Keyspace notifications as a subscriber receives them, step by step, for the differential
check of events.

``notifications`` runs steps on one server over two raw connections: a listener that
pattern-subscribes to ``__key*__:*`` and subscribes to ``MARKER``, and a command
connection that sends every step followed by ``PUBLISH MARKER <index>``. A server
publishes a step's events while it runs the step, before the marker's PUBLISH, so
the frames the listener reads before marker ``i`` (and after the marker before it)
are step ``i``'s notifications, in order, byte for byte as pushed (RESP2 arrays or
RESP3 pushes, the sequence's protocol on both connections). A marker that never runs
(its PUBLISH queued in a transaction that is discarded) leaves its step's frames to
the next marker that arrives: the same on both servers.

The steps go pipelined in chunks, as ``replay`` sends them. A server that closes a
connection gives every step ``[replay.LOST]``. ``compared`` is what a step's frames
compare as (concatenated; sorted first for the commands of ``UNORDERED``), and
``event_runner`` the ``fuzzing.Runner`` of a server as a ``FuzzView`` sends steps:
each step's "reply" is what its view's ``combine`` makes of the compared frames of
the steps sent in its place.
"""

from __future__ import annotations

from fuzzing import Runner
from known_differences import FuzzView
from replay import CHUNK, LOST, Connection, Step, encode, parse, read_reply

MARKER = b"minivalkey-events-marker"
PATTERN = b"__key*__:*"
# notify-keyspace-events is left like this after a run.
OFF = Step((b"CONFIG", b"SET", b"notify-keyspace-events", b""))


def classes_step(classes: str) -> Step:
    return Step((b"CONFIG", b"SET", b"notify-keyspace-events", classes.encode()))


class Listener:
    """A connection subscribed to every keyspace notification and to the marker channel."""

    def __init__(self, host: str, port: int, protocol: int) -> None:
        self.connection = Connection(host, port, protocol)
        sock = self.connection.sock
        sock.sendall(encode((b"PSUBSCRIBE", PATTERN)) + encode((b"SUBSCRIBE", MARKER)))
        for _ in range(2):
            read_reply(sock, self.connection.buffer)

    def close(self) -> None:
        self.connection.close()

    def until(self, last: int) -> dict[int, list[bytes]]:
        """Frames read up to marker ``last``, keyed by the marker that closed them."""
        by_marker: dict[int, list[bytes]] = {}
        pending: list[bytes] = []
        sock, buffer = self.connection.sock, self.connection.buffer
        while True:
            frame = read_reply(sock, buffer)
            index = _marker(frame)
            if index is None:
                pending.append(frame)
                continue
            by_marker[index] = pending
            pending = []
            if index >= last:
                return by_marker


def _marker(frame: bytes) -> int | None:
    if MARKER not in frame:
        return None
    tree = parse(frame)
    if tree.kind not in (b"*", b">") or len(tree.children) != 3:
        return None
    kind, channel, payload = (child.text for child in tree.children)
    if kind != b"message" or channel != MARKER:
        return None
    return int(payload)


def notifications(host: str, port: int, steps: list[Step], protocol: int) -> list[list[bytes]]:
    """Each step's notification frames (``[LOST]`` for the steps past a lost connection)."""
    listener = Listener(host, port, protocol)
    commands = Connection(host, port, protocol)
    try:
        for first in range(0, len(steps), CHUNK):
            chunk = steps[first : first + CHUNK]
            data = b"".join(
                encode(step.argv) + encode((b"PUBLISH", MARKER, b"%d" % (first + offset)))
                for offset, step in enumerate(chunk)
            )
            commands.sock.sendall(data)
            for _ in range(2 * len(chunk)):
                read_reply(commands.sock, commands.buffer)
        # A last marker, outside any transaction the steps may have left open.
        final = len(steps)
        commands.sock.sendall(encode((b"DISCARD",)) + encode((b"PUBLISH", MARKER, b"%d" % final)))
        for _ in range(2):
            read_reply(commands.sock, commands.buffer)
        frames = listener.until(final)
    except OSError:  # closed, reset or timed out: the whole run counts as lost
        return [[LOST] for _ in steps]
    finally:
        commands.close()
        listener.close()
    return [frames.get(index, []) for index in range(len(steps))]


# Commands whose notifications come in an order that is a hashtable's: SORT looks up
# its BY and GET keys element by element, in a set's or a sorted set's dict order.
# Their frames compare sorted, on both sides.
UNORDERED = frozenset((b"SORT", b"SORT_RO"))


def compared(step: Step, frames: list[bytes]) -> bytes:
    """A step's frames as compared: concatenated, sorted first for ``UNORDERED``."""
    if step.argv[0].upper() in UNORDERED:
        frames = sorted(frames)
    return b"".join(frames)


def event_runner(host: str, port: int, view: FuzzView) -> Runner:
    """The notifications of steps on one server as ``view`` sends them (its ``combine``
    receives each sent step with its ``compared`` frames)."""

    def run(steps: list[Step], protocol: int) -> list[bytes]:
        groups = view.send(steps)
        sent = [sent_step for group in groups for sent_step in group]
        frames = iter(notifications(host, port, sent, protocol))
        return [
            view.compared(
                step, [(sent_step, compared(sent_step, next(frames))) for sent_step in group]
            )
            for step, group in zip(steps, groups, strict=True)
        ]

    return run


def switch_off(host: str, port: int) -> None:
    """notify-keyspace-events back to empty, the database flushed."""
    connection = Connection(host, port)
    try:
        connection.run([OFF.argv, (b"FLUSHALL",)])
    finally:
        connection.close()
