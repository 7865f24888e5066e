"""Where redis-server 7.0 (CI's reference) answers differently from Valkey 8.0.1.

minivalkey follows Valkey 8.0.1. When the differential suite runs against a server
that reports itself as Redis 7.x (``HELLO``: ``server`` is ``redis``, ``version``
starts with ``7.``), the steps matched here are left out of the scripts, for both
servers, so the rest of each script still compares byte for byte. Against Valkey
nothing is left out.

This is the one place that lists such differences; each entry says why.
Differences outside the replayed scripts, for the record: ``HELLO`` and ``INFO``
name the server (``valkey`` / ``redis``) and its version, and HELP texts are worded
by each project (the suite compares only their syntax lines).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from replay import ADJUSTERS, Connection, Step, parse


@dataclass(frozen=True)
class KnownDifference:
    """The steps a difference concerns.

    A step matches when its words start with ``prefix`` (case-insensitive), or equal
    it when ``exact``; when it contains every word of ``having``; and when it is in
    one of ``scripts`` (any script if empty).
    """

    prefix: tuple[str, ...]
    reason: str
    having: tuple[str, ...] = ()
    exact: bool = False
    scripts: tuple[str, ...] = ()

    def matches(self, script: str, argv: tuple[bytes, ...]) -> bool:
        if self.scripts and script not in self.scripts:
            return False
        words = [arg.lower() for arg in argv]
        wanted = [part.lower().encode() for part in self.prefix]
        if words[: len(wanted)] != wanted or (self.exact and len(words) != len(wanted)):
            return False
        return all(part.lower().encode() in words for part in self.having)


_HUGE_BLOCK = "7.0 has no 'timeout is out of range' check: a huge BLOCK blocks for ever"
_UNBALANCED = "7.0 words it 'Unbalanced XREAD list of streams' for XREAD and XREADGROUP alike"
_PLUS_ID = "XREAD's '+' ID (the last entry) arrived in 7.4; 7.0 calls '+' an invalid ID"
_MAX_DELETED = "7.0 lets XSETID go below max_deleted_entry_id on an empty stream"

REDIS_7_DIFFERENCES: tuple[KnownDifference, ...] = (
    KnownDifference(("XREADGROUP",), _HUGE_BLOCK, having=("9223372036854775806",)),
    KnownDifference(("XREAD",), _HUGE_BLOCK, having=("9223372036854775806",)),
    KnownDifference(("XREAD", "STREAMS", "s", "s2", "0"), _UNBALANCED, exact=True),
    KnownDifference(
        ("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", "s2", ">"), _UNBALANCED, exact=True
    ),
    KnownDifference(("XREAD",), _PLUS_ID, having=("+",)),
    KnownDifference(
        ("XREADGROUP",), "7.0 calls '+' an invalid ID instead of explaining it", having=("+",)
    ),
    KnownDifference(("XSETID", "s", "1-0"), _MAX_DELETED, exact=True, scripts=("xsetid",)),
    KnownDifference(("XSETID", "s", "2-0"), _MAX_DELETED, exact=True, scripts=("xsetid",)),
    KnownDifference(
        ("XADD", "q", "5-*"),
        "7.0 answers 'Elements are too large to be stored' when <ms>-* follows seq 2^64-1",
    ),
    KnownDifference(("XINFO", "CONSUMERS"), "the 'inactive' field was added in 7.2"),
    KnownDifference(("XINFO", "STREAM"), "consumers gained 'active-time' in 7.2", having=("FULL",)),
    KnownDifference(
        ("XINFO", "GROUPS"),
        "7.2 changed when XREADGROUP and XCLAIM create consumers, so the counts differ",
        scripts=("readgroup", "claim"),
    ),
    KnownDifference(
        ("COMMAND", "INFO"),
        "subcommands are listed in the server's hash-table order, which differs",
        having=("xgroup",),
    ),
    KnownDifference(
        ("COMMAND", "INFO"),
        "subcommands are listed in the server's hash-table order, which differs",
        having=("xinfo",),
    ),
)


@dataclass(frozen=True)
class Reference:
    server: str
    version: str

    @property
    def is_redis_7(self) -> bool:
        return self.server == "redis" and self.version.startswith("7.")


def differences_for(reference: Reference) -> tuple[KnownDifference, ...]:
    return REDIS_7_DIFFERENCES if reference.is_redis_7 else ()


def excluded(script: str, argv: tuple[bytes, ...], reference: Reference) -> KnownDifference | None:
    """The known difference that leaves this step out against ``reference``, if any."""
    for difference in differences_for(reference):
        if difference.matches(script, argv):
            return difference
    return None


# -- the differential fuzzer ----------------------------------------------------------------
#
# The fuzzer's random sequences cannot leave steps out the way the fixed scripts do (a
# step left out changes the state every later step sees). Against Redis 7.x they are
# adjusted instead, the same way on both sides: a reply field 7.0 does not have is
# removed from minivalkey's reply too (the rest still compares byte for byte), and
# where 7.0 changes state differently, steps are added that make the two versions
# agree. Against Valkey nothing is adjusted.


@dataclass(frozen=True)
class AddedField:
    """A reply field added after 7.0: ``adjuster`` (``replay.ADJUSTERS``) removes it from
    the replies of steps whose words start with ``prefix`` (and contain ``having``)."""

    prefix: tuple[str, ...]
    adjuster: str
    reason: str
    having: tuple[str, ...] = ()

    def matches(self, argv: tuple[bytes, ...]) -> bool:
        return KnownDifference(self.prefix, self.reason, having=self.having).matches("", argv)


FUZZ_REDIS_7_FIELDS: tuple[AddedField, ...] = (
    AddedField(
        ("XINFO", "CONSUMERS"), "consumers-without-inactive", "the 'inactive' field came in 7.2"
    ),
    AddedField(
        ("XINFO", "STREAM"),
        "full-without-active-time",
        "consumers gained 'active-time' in 7.2",
        having=("FULL",),
    ),
)

_CONSUMER_CREATION = (
    "7.0 creates the consumer of XREADGROUP only when it reads something, and the "
    "consumer of XCLAIM / XAUTOCLAIM only when it claims something; since 7.2 all three "
    "create it up front. Against 7.x the fuzzer sends XGROUP CREATECONSUMER before each "
    "of them, so the consumer exists either way."
)
_XSETID_BELOW_DELETED = (
    "7.0 checks XSETID against max_deleted_entry_id only on a non-empty stream. Against "
    "7.x the fuzzer leaves out an XSETID when an earlier step could have set that key's "
    "max_deleted_entry_id (an XDEL, or an XSETID with MAXDELETEDID, on it): it cannot "
    "tell whether the stream is empty by then."
)


def _consumer_first(step: Step) -> list[Step]:
    """XGROUP CREATECONSUMER steps for the consumer a read or claim names (see
    ``_CONSUMER_CREATION``); none when the command is too malformed to name one."""
    argv = [arg.upper() for arg in step.argv]
    if argv[0] in (b"XCLAIM", b"XAUTOCLAIM") and len(argv) >= 4:
        return [_create_consumer(step.argv[1], step.argv[2], step.argv[3])]
    if argv[0] != b"XREADGROUP":
        return []
    group = None
    index = 1
    while index < len(argv):  # the options, read as the server reads them
        if argv[index] == b"GROUP" and index + 2 < len(argv):
            group = step.argv[index + 1 : index + 3]
            index += 3
        elif argv[index] in (b"COUNT", b"BLOCK") and index + 1 < len(argv):
            index += 2
        elif argv[index] == b"NOACK":
            index += 1
        elif argv[index] == b"STREAMS" and group is not None:
            streams = step.argv[index + 1 :]
            if not streams or len(streams) % 2:
                return []
            keys = dict.fromkeys(streams[: len(streams) // 2])
            return [_create_consumer(key, group[0], group[1]) for key in keys]
        else:
            return []
    return []


def _create_consumer(key: bytes, group: bytes, consumer: bytes) -> Step:
    return Step((b"XGROUP", b"CREATECONSUMER", key, group, consumer))


def _as_sent_to_redis_7(steps: list[Step]) -> list[list[Step]]:
    sent: list[list[Step]] = []
    deleted_from: set[bytes] = set()  # keys whose max_deleted_entry_id may be set
    for step in steps:
        argv = [arg.upper() for arg in step.argv]
        if argv[0] == b"XSETID" and len(argv) > 1 and step.argv[1] in deleted_from:
            sent.append([])  # _XSETID_BELOW_DELETED
            continue
        if argv[0] in (b"XREAD", b"XREADGROUP") and b"+" in argv:
            sent.append([])  # _PLUS_ID (a read that fails either way changes nothing)
            continue
        if len(argv) > 1 and (
            argv[0] == b"XDEL" or argv[0] == b"XSETID" and b"MAXDELETEDID" in argv
        ):
            deleted_from.add(step.argv[1])
        sent.append([*_consumer_first(step), step])
    return sent


@dataclass(frozen=True)
class FuzzView:
    """How the fuzzer adjusts, on both sides, what it sends and compares.

    ``send(steps)``: for each step, the steps sent in its place (itself, maybe with
    others before it, or nothing); their replies, concatenated, are compared as its
    reply. ``reply(step, data)``: ``step``'s own reply as compared. ``combine``, when
    given, replaces that concatenation: it gets the step and the (sent step, reply)
    pairs sent in its place, and answers what is compared.
    """

    send: Callable[[list[Step]], list[list[Step]]]
    reply: Callable[[Step, bytes], bytes]
    combine: Callable[[Step, list[tuple[Step, bytes]]], bytes] | None = None

    def compared(self, step: Step, sent: list[tuple[Step, bytes]]) -> bytes:
        """What is compared as ``step``'s reply, given the replies of what was sent for it."""
        if self.combine is not None:
            return self.combine(step, sent)
        return b"".join(self.reply(s, data) if s is step else data for s, data in sent)


def _as_is(steps: list[Step]) -> list[list[Step]]:
    return [[step] for step in steps]


def _same(step: Step, reply: bytes) -> bytes:
    return reply


def _as_redis_7(step: Step, reply: bytes) -> bytes:
    for field in FUZZ_REDIS_7_FIELDS:
        if field.matches(step.argv):
            reply = ADJUSTERS[field.adjuster](reply)
    if reply.startswith(b"-ERR Unbalanced ") and step.argv[0].upper() in (b"XREAD", b"XREADGROUP"):
        return b"-ERR Unbalanced ...\r\n"  # _UNBALANCED: each version words it its own way
    return reply


def fuzz_view(reference: Reference) -> FuzzView:
    if reference.is_redis_7:
        return FuzzView(_as_sent_to_redis_7, _as_redis_7)
    return FuzzView(_as_is, _same)


def identify(host: str, port: int) -> Reference:
    """Name and version of a server, from its HELLO reply (RESP2, a flat array)."""
    connection = Connection(host, port)
    try:
        reply = parse(connection.run([(b"HELLO",)])[0])
    finally:
        connection.close()
    fields = {key.text: value.text for key, value in reply.pairs()}
    return Reference(fields[b"server"].decode(), fields[b"version"].decode())
