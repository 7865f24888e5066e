"""Golden tables of keyspace events, run in process.

A table lists command lines (split like a shell line) in the order they run on one
client, each with the events Valkey 8.0.1 publishes for it: ``(event, key)`` for
database 0, ``(event, key, db)`` elsewhere, in order, as read on ``__keyevent@*__``.
``mismatches`` runs a table on an ``inprocess.Harness`` listening to ``classes`` and
records the events through ``Keyspace.event_sink``; it answers the lines whose events
differ, with what was expected and what came.

Invariant: nothing here sleeps or opens a socket.
"""

from __future__ import annotations

import shlex

import inprocess

Expected = tuple[str, str] | tuple[str, str, int]
Row = tuple[str, list[Expected]]


def _event(event: str, key: bytes, db: int) -> Expected:
    text = key.decode("latin-1")
    return (event, text) if db == 0 else (event, text, db)


def mismatches(
    table: list[Row],
    classes: str = "KEAnm",
    harness: inprocess.Harness | None = None,
    arguments: dict[str, bytes] | None = None,
) -> list[tuple[str, list[Expected], list[Expected]]]:
    """Run ``table`` in order; the rows whose events differ (line, expected, got).

    ``arguments`` replaces a whole argument (``{name}``) by bytes that a shell line
    cannot hold (a DUMP payload).
    """
    h = harness or inprocess.Harness()
    seen: list[Expected] = []
    h.core.keyspace.event_sink = lambda _cls, event, key, db: seen.append(_event(event, key, db))
    h.run("CONFIG", "SET", "notify-keyspace-events", classes)
    wrong = []
    for line, expected in table:
        argv = [(arguments or {}).get(word, word.encode("latin-1")) for word in shlex.split(line)]
        seen.clear()
        h.run(*argv)
        if seen != expected:
            wrong.append((line, expected, list(seen)))
    h.core.keyspace.event_sink = None
    return wrong
