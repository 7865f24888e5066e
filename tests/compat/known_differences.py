"""Where redis-server 7.0 (CI's reference) answers differently from Valkey 8.0.1.

minivalkey follows Valkey 8.0.1. When the differential suite runs against a server
that reports itself as Redis 7.x (``HELLO``: ``server`` is ``redis``, ``version``
starts with ``7.``), the steps matched here are left out of the scripts, for both
servers, so the rest of each script still compares byte for byte. Against Valkey
nothing is left out.

The fuzzers cannot leave steps out that freely (see below): the stream fuzzer's
``fuzz_view`` and the data-type fuzzer's ``types_view`` adjust what they send and
compare, the same way on both sides.

This is the one place that lists such differences; each entry says why.
Differences outside the replayed scripts, for the record: ``HELLO`` and ``INFO``
name the server (``valkey`` / ``redis``) and its version, and HELP texts are worded
by each project (the suite compares only their syntax lines).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from replay import ADJUSTERS, Connection, Step, parse, sort_members, sort_scan


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


# -- the data types' scripts (scripts_types) ---------------------------------------------

_NO_SET_LISTPACK_7 = "7.0 has no set listpack (7.2): a set of strings is a hashtable there"
_NO_LIST_LISTPACK_7 = "7.0 holds every list in a quicklist (the list listpack came in 7.2)"
_SIZE_HINT_7 = "8.0 converts from the number of elements a write names; 7.0 from the size"
_UNORDERED_7 = "a set of strings is a hashtable in 7.0 (no set listpack): its order is random"
_SET_ENCODINGS = ("set_encodings",)


def _in(script: str, *steps: str) -> tuple[KnownDifference, ...]:
    """Exact steps of one script that differ for ``reason`` (filled in by the caller)."""
    return tuple(KnownDifference(tuple(text.split()), "", exact=True, scripts=(script,))
                 for text in steps)  # fmt: skip


def _because(reason: str, differences: tuple[KnownDifference, ...]) -> tuple[KnownDifference, ...]:
    return tuple(
        KnownDifference(d.prefix, reason, d.having, d.exact, d.scripts) for d in differences
    )


REDIS_7_TYPE_DIFFERENCES: tuple[KnownDifference, ...] = (
    KnownDifference(("CONFIG", "SET", "set-max-listpack-entries"), _NO_SET_LISTPACK_7),
    KnownDifference(("CONFIG", "SET", "set-max-listpack-value"), _NO_SET_LISTPACK_7),
    KnownDifference(("OBJECT", "ENCODING"), _NO_SET_LISTPACK_7, scripts=_SET_ENCODINGS),
    *_because(_NO_SET_LISTPACK_7, _in("keyspace_types", "OBJECT ENCODING ssc",
                                      "OBJECT ENCODING slc")),
    KnownDifference(("OBJECT", "ENCODING"), _NO_LIST_LISTPACK_7, scripts=("list_encodings",)),
    *_because(_NO_LIST_LISTPACK_7, _in("keyspace_types", "OBJECT ENCODING lc")),
    *_because(_UNORDERED_7, _in("set_encodings", "SMEMBERS u", "SSCAN u 0", "SINTER p q",
                                "SINTER q p", "SMEMBERS d4", "SMEMBERS d5")),
    *_because(_SIZE_HINT_7, _in("hash_encodings", "OBJECT ENCODING h2")),
    *_because("HSCAN's NOVALUES came in 8.0", _in("hash_encodings", "HSCAN h7 0 NOVALUES")),
    *_because(_SIZE_HINT_7, _in("zset_encodings", "OBJECT ENCODING y", "OBJECT ENCODING x")),
    *_because("7.0 first holds w's short member in a listpack, which keeps no sign of zero",
              _in("zset_encodings", "ZRANGE w 0 -1 WITHSCORES")),
    KnownDifference(("ZRANK",), "ZRANK's WITHSCORE came in 7.2", having=("WITHSCORE",)),
    KnownDifference(("ZREVRANK",), "ZREVRANK's WITHSCORE came in 7.2", having=("WITHSCORE",)),
    *_because("a negative LIMIT offset gives an empty range in 7.0; 8.0 counts it back "
              "from a skiplist's end",
              _in("zset_encodings", "ZRANGE ns - + BYLEX LIMIT -1 2",
                  "ZRANGE ns 0 10 BYSCORE LIMIT -1 2", "ZRANGEBYLEX ns - + LIMIT -1 1",
                  "ZRANGEBYSCORE ns -inf +inf LIMIT -2 5",
                  "ZRANGESTORE nd ns - + BYLEX LIMIT -1 5", "ZRANGE nd 0 -1")),
    *_because("7.0 answers BITCOUNT / BITPOS of a missing key before reading the range",
              _in("string_encodings", "BITCOUNT nokey x", "BITPOS nokey 1 x")),
    *_because("BITCOUNT key start (without an end) came after 7.0",
              _in("string_encodings", "BITCOUNT b 0")),
    *_because("8.0 refuses an unknown SCAN TYPE; 7.0 matches nothing",
              _in("keyspace_types", "SCAN 0 TYPE nosuchtype")),
    *_because("8.0 refuses LPOS RANK -2^63 (its negation overflows); 7.0 searches",
              _in("list_encodings", "LPOS big x RANK -9223372036854775808")),
    *_because("8.0 cuts LSET's index to 32 bits; 7.0 calls those indexes out of range",
              _in("list_encodings", "LSET l 4294967296 X", "LSET l 4294967295 Y",
                  "LSET l -9223372036854775808 Z", "LSET l 9223372036854775807 W",
                  "LRANGE l 0 -1", "LSET q 4294967296 X", "LSET q -4294967295 Y",
                  "LRANGE q 0 -1")),
)  # fmt: skip


@dataclass(frozen=True)
class Reference:
    server: str
    version: str

    @property
    def is_redis_7(self) -> bool:
        return self.server == "redis" and self.version.startswith("7.")


def differences_for(reference: Reference) -> tuple[KnownDifference, ...]:
    return REDIS_7_DIFFERENCES + REDIS_7_TYPE_DIFFERENCES if reference.is_redis_7 else ()


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


# -- the data-type fuzzer -------------------------------------------------------------------
#
# Against Redis 7.x the data-type fuzzer leaves out (on both sides) the steps
# REDIS_7_TYPES_LEFT_OUT and _SIZE_HINTS match, sends TYPE before OBJECT ENCODING so an
# encoding 7.0 lacks compares as 7.0 names it, sorts every set reply (_SET_ORDER), and
# sends the set-max-listpack-* limits to both sides without comparing their replies.


_NO_SET_LISTPACK = (
    "7.0 has no listpack encoding for sets (it came in 7.2): no set-max-listpack-* "
    "parameters, and a set of strings is a hashtable from the start"
)
_NO_LIST_LISTPACK = "7.0 holds every list in a quicklist (the listpack encoding came in 7.2)"
# OBJECT ENCODING of a list or a set, as compared against 7.x on both sides (see
# _NO_SET_LISTPACK and _NO_LIST_LISTPACK): what 7.0 reports where 8.0 says listpack.
_ENCODING_AS_7 = {b"list": b"quicklist", b"set": b"hashtable"}
_KNOWN_TYPES = (b"string", b"list", b"set", b"zset", b"hash", b"stream")
_INT32 = range(-(2**31), 2**31)


def _integer(arg: bytes) -> int | None:
    """``arg`` as a 64-bit integer written the strict way both servers read, else None."""
    try:
        value = int(arg) if arg.strip() == arg and arg[:1] != b"+" else None
    except ValueError:
        return None
    return value if value is not None and -(2**63) <= value < 2**63 else None


def _scan_type(argv: list[bytes]) -> bytes | None:
    for index in range(2, len(argv) - 1):
        if argv[index] == b"type":
            return argv[index + 1]
    return None


def _odd_bit_range(argv: list[bytes]) -> bool:
    """A BITCOUNT / BITPOS range that 7.0 and 8.0 take differently: anything but a
    well-formed ``[start [end [BYTE|BIT]]]`` (BITCOUNT: no start without an end)."""
    if argv[0] == b"bitcount":
        rest = argv[2:]
        if len(rest) == 1:
            return True
    elif argv[0] == b"bitpos":
        rest = argv[3:]
    else:
        return False
    if len(rest) > 3 or any(_integer(arg) is None for arg in rest[:2]):
        return True
    return len(rest) == 3 and rest[2] not in (b"byte", b"bit")


def _lset_wide(argv: list[bytes]) -> bool:
    index = _integer(argv[2]) if len(argv) == 4 else None
    return index is not None and index not in _INT32


def _past_expiry(argv: list[bytes]) -> bool:
    for index in range(3, len(argv) - 1):
        if argv[index] in (b"exat", b"pxat") and 0 < (_integer(argv[index + 1]) or 0) < 10**12:
            return True
    return False


def _big(arg: bytes) -> bool:
    try:
        value = float(arg)
    except ValueError:
        return False
    return 1e17 <= abs(value) < float("inf")


def _big_score(argv: list[bytes]) -> bool:
    """A score argument (ZADD's, ZINCRBY's, a WEIGHTS factor) of 1e17 or more."""
    if argv[0] == b"zincrby":
        return len(argv) > 2 and _big(argv[2])
    if argv[0] == b"zadd":
        rest = argv[2:]
        while rest and rest[0] in _ZADD_FLAGS:
            rest = rest[1:]
        return any(_big(score) for score in rest[0::2])
    if b"weights" in argv:
        return any(_big(arg) for arg in argv[argv.index(b"weights") + 1 :])
    return False


def _negative_offset(argv: list[bytes]) -> bool:
    for index in range(3, len(argv) - 2):
        if argv[index] == b"limit" and (_integer(argv[index + 1]) or 0) < 0:
            return True
    return False


_RANGES = (b"zrange", b"zrangestore", b"zrangebyscore", b"zrevrangebyscore", b"zrangebylex",
           b"zrevrangebylex")  # fmt: skip

# Steps left out against 7.x, on both sides: (reason, test on the lowercased argv).
# Most are reads, whose absence changes nothing; a write left out is left out of both
# servers alike.
REDIS_7_TYPES_LEFT_OUT: tuple[tuple[str, Callable[[list[bytes]], bool]], ...] = (
    ("HSCAN's NOVALUES came in 8.0; 7.0 calls it a syntax error",
     lambda argv: argv[0] == b"hscan" and b"novalues" in argv[3:]),
    ("8.0 refuses SCAN ... TYPE with an unknown type name; 7.0 matches no key",
     lambda argv: argv[0] == b"scan" and _scan_type(argv) not in (None, *_KNOWN_TYPES)),
    ("ZRANK / ZREVRANK WITHSCORE came in 7.2; 7.0 takes exactly a key and a member",
     lambda argv: argv[0] in (b"zrank", b"zrevrank") and len(argv) != 3),
    ("7.0 answers BITCOUNT / BITPOS on a missing key (0 / -1) before it reads the range, "
     "8.0 checks the range first; 7.0 has no BITCOUNT key start (8.0: to the end)",
     _odd_bit_range),
    ("8.0 truncates LSET's index to 32 bits (listTypeReplaceAtIndex takes an int), so an "
     "index past them replaces another element; 7.0 calls it out of range",
     _lset_wide),
    ("a sorted-set range with a negative LIMIT offset is empty in 7.0; 8.0 counts the "
     "offset of a skiplist's forward range back from its end",
     lambda argv: argv[0] in _RANGES and _negative_offset(argv)),
    ("7.0 reads a SCAN cursor with strtoul (so '' and '-1' pass, ' 1' does not), 8.0 "
     "its own way ('-1' fails, ' 1' passes): only cursors of plain digits compare",
     lambda argv: argv[0] in (b"hscan", b"sscan", b"zscan") and len(argv) > 2
     and not argv[2].isdigit() or argv[0] == b"scan" and len(argv) > 1 and not argv[1].isdigit()),
    ("7.0 prints a double with %.17g (1.8446744073709552e+19, 0.10000000000000001), 8.0 "
     "the shortest text that reads back (18446744073709552000, 0.1): a score of 1e17 or "
     "more is left out (a write: left out on both sides alike); the scores drawn below "
     "that are binary fractions, which print alike",
     lambda argv: _big_score(argv)),
    ("7.0 keeps a key SET with an EXAT / PXAT in the past until something reads it (DBSIZE "
     "counts it); 8.0 deletes it at once (a write: left out on both sides alike)",
     lambda argv: argv[0] == b"set" and _past_expiry(argv)),
)  # fmt: skip

_SIZE_HINTS = (
    "8.0 sizes a hash, set or sorted set from the number of fields / members HSET, SADD "
    "and ZADD name (repeated or existing ones included) and converts it at once when "
    "they pass the limit; 7.0 converts only when the collection itself grows past it. "
    "Against 7.x such a write is left out when it names more than one and more than the "
    "limit: HSET/HMSET past hash-max-listpack-entries, ZADD past zset-max-listpack-"
    "entries, SADD past set-max-intset-entries. A new sorted set is a skiplist at once in "
    "8.0 when any member ZADD names is too long, where 7.0 first holds the members before "
    "it in a listpack, and a listpack keeps no sign of zero: a score of -0 added before "
    "the conversion reads 0 in 7.0, -0 in 8.0; and 8.0 converts for a long member even "
    "when ZADD XX adds nothing (left out too: ZADD of more than one member, or with XX, "
    "naming one past zset-max-listpack-value)."
)
# command: (its limit, the first element argument, arguments per element)
_HINTED = {
    b"hset": (b"hash-max-listpack-entries", 2, 2),
    b"hmset": (b"hash-max-listpack-entries", 2, 2),
    b"sadd": (b"set-max-intset-entries", 2, 1),
    b"zadd": (b"zset-max-listpack-entries", 2, 2),
}
_ZADD_FLAGS = (b"nx", b"xx", b"gt", b"lt", b"ch", b"incr")


def _hinted_past_limit(argv: list[bytes], limits: dict[bytes, int]) -> bool:
    """_SIZE_HINTS: whether a write names more elements than its limit (and more than one)."""
    if argv[0] not in _HINTED or len(argv) < 3:
        return False
    limit_name, first, width = _HINTED[argv[0]]
    rest = argv[first:]
    flags = set()
    if argv[0] == b"zadd":
        while rest and rest[0] in _ZADD_FLAGS:
            flags.add(rest[0])
            rest = rest[1:]
    elements = len(rest) // width
    if argv[0] == b"zadd" and elements and (elements > 1 or b"xx" in flags):
        longest = max(len(member) for member in rest[1::2])
        if longest > limits.get(b"zset-max-listpack-value", 64):
            return True
    return elements > 1 and elements > limits.get(limit_name, 128)


def _set_listpack_limit(argv: list[bytes]) -> bool:
    """_NO_SET_LISTPACK: a CONFIG SET of a limit 7.0 does not have. It is sent to both (so
    minivalkey's sets follow it, whatever the sequence before set), its reply compared
    as nothing (7.0 fails it)."""
    return (
        argv[:2] == [b"config", b"set"]
        and len(argv) > 2
        and argv[2]
        in (
            b"set-max-listpack-entries",
            b"set-max-listpack-value",
        )
    )


def _types_sent_to_redis_7(steps: list[Step]) -> list[list[Step]]:
    sent: list[list[Step]] = []
    limits: dict[bytes, int] = {}
    for step in steps:
        argv = [arg.lower() for arg in step.argv]
        if argv[:2] == [b"config", b"set"] and len(argv) == 4 and _integer(argv[3]) is not None:
            limits[argv[2]] = int(argv[3])
        if _set_listpack_limit(argv):
            sent.append([step])
        elif any(leave_out(argv) for _, leave_out in REDIS_7_TYPES_LEFT_OUT):
            sent.append([])
        elif _hinted_past_limit(argv, limits):
            sent.append([])  # _SIZE_HINTS
        elif argv[:2] == [b"object", b"encoding"] and len(argv) == 3:
            sent.append([Step((b"TYPE", step.argv[2])), step])
        else:
            sent.append([step])
    return sent


_SET_ORDER = (
    "a set's order follows its encoding, and 7.0 encodes sets its own way (no listpack, "
    "no size hints): against 7.x the members of every set reply compare sorted"
)
_SET_READS = (b"SMEMBERS", b"SINTER", b"SUNION", b"SDIFF", b"SPOP", b"SSCAN")


def _types_as_redis_7(step: Step, sent: list[tuple[Step, bytes]]) -> bytes:
    if _set_listpack_limit([arg.lower() for arg in step.argv]):
        return b""
    if len(sent) == 2 and sent[0][0].argv[0] == b"TYPE":  # OBJECT ENCODING after TYPE
        kind = sent[0][1][1:-2]
        reply = sent[1][1]
        if kind in _ENCODING_AS_7 and reply in (b"$8\r\nlistpack\r\n", b"$9\r\nquicklist\r\n",
                                                b"$9\r\nhashtable\r\n"):  # fmt: skip
            as_7 = _ENCODING_AS_7[kind]
            return b"$%d\r\n%s\r\n" % (len(as_7), as_7)
        return reply
    replies = [data for _, data in sent]
    name = step.argv[0].upper()
    if name in _SET_READS and replies and replies[0][:1] in (b"*", b"~"):
        replies[0] = sort_scan(replies[0]) if name == b"SSCAN" else sort_members(replies[0])
    return b"".join(replies)


def types_view(reference: Reference) -> FuzzView:
    """How the data-type fuzzer adjusts what it sends and compares against ``reference``:
    against 7.x, steps whose difference is a read are left out, the parameters 7.0
    lacks are not set, and OBJECT ENCODING of lists and sets compares as 7.0 names it."""
    if reference.is_redis_7:
        return FuzzView(_types_sent_to_redis_7, _same, _types_as_redis_7)
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
