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

from dataclasses import dataclass


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
