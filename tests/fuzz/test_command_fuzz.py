"""A command fuzzer driven by the command table.

Every command and subcommand in ``COMMANDS`` gets random argument vectors: shapes
close to its real syntax (per-command templates, then mutated: tokens replaced,
dropped, duplicated, inserted, swapped, cut) or plain random tokens within its
arity, drawn from a vocabulary of key names (strings, streams with groups, consumers
and pending entries, missing keys), option keywords harvested from the handlers'
source, stream IDs, integers and random bytes (NUL, CR, LF, high bytes). The lines
run in-process through ``dispatcher.execute`` on a ``ServerCore`` with a manual
clock, from three clients: two RESP2 ones and one that sent ``HELLO 3``. Between
lines the harness moves the clock, runs the server's cron step (active expiry,
node compression), ends blocked reads at their deadline, and replaces clients that
QUIT or were killed. After every line:

* the reply is exactly one well-formed RESP value for that client's protocol (no
  RESP3 type on a RESP2 connection, no RESP2 null on a RESP3 one, no CR or LF in a
  status or error line, errors start with an upper-case code), checked by a strict
  scanner and by ``hiredis.Reader``; replies delivered to blocked readers that a
  write, a timeout or the cron released are checked the same way;
* nothing raised out of ``execute``, no reply is the dispatcher's internal error,
  and nothing was logged at ERROR on the ``minivalkey`` logger;
* the keyspace keeps its structural invariants and no two keys share a mutable
  part, and the blocking registry and WATCH bookkeeping agree with the connected
  clients (``keyspace_snapshot``);
* an error reply changed nothing: a deep snapshot of every database (values,
  deadlines, stream entries and node layout, stream metadata, consumer groups,
  consumers, PELs) is identical before and after, and so are the configuration,
  the calling client's own settings and the set of connected clients.

Partial effects: only those a shapes module declares (``PARTIAL_EFFECTS``: error code
and command, each checked on Valkey 8.0.1, gathered in ``KNOWN_PARTIAL_EFFECTS``; one
today, LSET's encoding conversion). Valkey 8.0.1 validates every argument of the
other commands offered here before it changes anything;
checked on it for the likely suspects: XCLAIM / XAUTOCLAIM with a bad option and a new
consumer, XREADGROUP with a bad second stream and a new consumer, XGROUP CREATE ...
MKSTREAM with a bad ID, SET ... GET on a stream (no consumer, key or value appears).
Lazy expiry during a failing command is no change (a lookup expires keys in Valkey
too): snapshots compare the keys still alive, and WATCHes may be dirtied by it.

One malformed reply is Valkey's own: EXEC of a transaction holding CLIENT REPLY OFF
or SKIP answers an array shorter than its header (see ``_turns_replies_off``).

Not sent: DEBUG SLEEP with a positive duration (it would stall the run; it is sent
with durations that do not sleep). BLOCK, even BLOCK 0, is sent: in-process nothing
waits, the harness ends each wait itself. SHUTDOWN is sent: in-process it only calls
the core's shutdown hook, which the harness records.

``test_injected_faults`` makes handlers, and the re-runs of woken blocked reads, fail
with unexpected exceptions at random; ``test_an_unexpected_exception_over_a_socket``
does it once over a real connection.

Runs are deterministic (fixed seeds, a fixed number of command lines); a failure
names the seed, the step and the last command lines sent.
"""

from __future__ import annotations

import ast
import copy
import importlib
import logging
import random
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import hiredis
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from helpers import RawClient, encode_command  # noqa: E402
from keyspace_snapshot import (  # noqa: E402
    Snapshot,
    check_invariants,
    check_sessions,
    describe_difference,
    live,
    snapshot,
)

import minivalkey.commands  # noqa: E402,F401  (fills the table)
from minivalkey.clock import ManualClock  # noqa: E402
from minivalkey.commands import streamread  # noqa: E402
from minivalkey.commands.table import BLOCKING, COMMANDS, CommandSpec  # noqa: E402
from minivalkey.config import PARAMS, Config  # noqa: E402
from minivalkey.core import ServerCore  # noqa: E402
from minivalkey.dispatcher import execute  # noqa: E402
from minivalkey.engine.stream import Stream, pack_sealed_nodes  # noqa: E402
from minivalkey.resp import encode  # noqa: E402
from minivalkey.session import Client  # noqa: E402

START_MS = 1_700_000_000_000
INTERNAL_ERROR_REPLY = b"-ERR internal error while running the command\r\n"

# Error replies after which some state may legitimately differ, each checked against
# Valkey 8.0.1: (error code, command) -> why. Filled from the shapes modules below;
# every other failing command line must leave the keyspace alone.
KNOWN_PARTIAL_EFFECTS: dict[tuple[str, str], str] = {}


# -- the strict RESP checker -------------------------------------------------------------------

_RESP2_TYPES = frozenset(b"+-:$*")
_RESP3_TYPES = _RESP2_TYPES | frozenset(b"_,#!=(%~>|")
_ERROR_LINE = re.compile(rb"[A-Z][A-Z0-9_-]*( [^\r\n]*)?")
_INTEGER = re.compile(rb"-?[0-9]+")
_DOUBLE = re.compile(rb"-?(inf|nan|[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?)")


class MalformedReply(AssertionError):
    pass


# Commands that answer one reply per channel (Valkey's subscription confirmations), and
# EXEC, whose reply such a command inside it makes overflow (as in Valkey).
_SEVERAL_REPLIES = frozenset(
    (b"subscribe", b"unsubscribe", b"psubscribe", b"punsubscribe", b"ssubscribe", b"sunsubscribe")
) | {b"exec"}


def check_replies(data: bytes, protocol: int) -> None:
    """Assert ``data`` is one or more well-formed RESP values, one after the other."""
    start = 0
    while True:
        end = _scan(data, start, protocol, 0)
        check_resp(data[start:end], protocol)
        if end == len(data):
            return
        start = end


def check_resp(data: bytes, protocol: int) -> Any:
    """Assert ``data`` is exactly one well-formed RESP value; return hiredis' decoding."""
    end = _scan(data, 0, protocol, 0)
    if end != len(data):
        raise MalformedReply(f"{len(data) - end} bytes after the reply: {data[end:][:80]!r}")
    reader = hiredis.Reader()
    reader.feed(data)
    try:
        value = reader.gets()
        if value is False:
            raise MalformedReply("hiredis found no complete reply")
        if reader.gets() is not False:
            raise MalformedReply("hiredis found a second reply")
    except hiredis.ProtocolError as error:
        raise MalformedReply(f"hiredis: {error}") from None
    return value


def _line(data: bytes, start: int) -> tuple[bytes, int]:
    end = data.find(b"\r\n", start)
    if end < 0:
        raise MalformedReply(f"no CRLF after offset {start}: {data[start:][:80]!r}")
    header = data[start + 1 : end]
    if b"\r" in header or b"\n" in header:
        raise MalformedReply(f"CR or LF inside a line: {header[:80]!r}")
    return header, end + 2


def _count(header: bytes) -> int:
    if not _INTEGER.fullmatch(header):
        raise MalformedReply(f"bad length {header!r}")
    return int(header)


def _scan(data: bytes, start: int, protocol: int, depth: int) -> int:
    if depth > 64:
        raise MalformedReply("nesting deeper than 64")
    if start >= len(data):
        raise MalformedReply("reply truncated")
    kind = data[start]
    allowed = _RESP3_TYPES if protocol == 3 else _RESP2_TYPES
    if kind not in allowed:
        raise MalformedReply(f"type byte {chr(kind)!r} in a RESP{protocol} reply")
    header, position = _line(data, start)
    if kind == ord("+"):
        return position
    if kind == ord("-"):
        if not _ERROR_LINE.fullmatch(header):
            raise MalformedReply(f"error without an upper-case code: {header[:80]!r}")
        return position
    if kind == ord(":"):
        if not _INTEGER.fullmatch(header) or not -(2**63) <= int(header) < 2**63:
            raise MalformedReply(f"bad integer {header!r}")  # a RESP integer is 64-bit signed
        return position
    if kind in b"$!=":
        size = _count(header)
        if size == -1 and kind == ord("$"):
            if protocol == 3:
                raise MalformedReply("RESP2 null bulk on a RESP3 connection")
            return position
        if size < 0:
            raise MalformedReply(f"negative length {size}")
        if data[position + size : position + size + 2] != b"\r\n":
            raise MalformedReply("bulk payload not followed by CRLF")
        if kind == ord("=") and (size < 4 or data[position + 3] != ord(":")):
            raise MalformedReply("verbatim string without a format")
        return position + size + 2
    if kind == ord("_"):
        if header:
            raise MalformedReply(f"null with a payload {header!r}")
        return position
    if kind == ord(","):
        if not _DOUBLE.fullmatch(header):
            raise MalformedReply(f"bad double {header!r}")
        return position
    if kind == ord("#"):
        if header not in (b"t", b"f"):
            raise MalformedReply(f"bad boolean {header!r}")
        return position
    if kind == ord("("):
        if not _INTEGER.fullmatch(header):
            raise MalformedReply(f"bad big number {header!r}")
        return position
    size = _count(header)  # * % ~ > |
    if size == -1 and kind == ord("*"):
        if protocol == 3:
            raise MalformedReply("RESP2 null array on a RESP3 connection")
        return position
    if size < 0:
        raise MalformedReply(f"negative count {size}")
    items = size * 2 if kind in b"%|" else size
    for _ in range(items):
        position = _scan(data, position, protocol, depth + 1)
    if kind == ord("|"):  # an attribute precedes the value it describes
        position = _scan(data, position, protocol, depth + 1)
    return position


# -- the vocabulary ----------------------------------------------------------------------------


def _harvested_keywords() -> list[bytes]:
    """Every word-like bytes literal in the command handlers (their option keywords)."""
    words: set[bytes] = set()
    folder = Path(minivalkey.commands.__file__).parent
    for path in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, bytes):
                if re.fullmatch(rb"[A-Za-z][A-Za-z0-9_-]{0,30}", node.value):
                    words.add(node.value.upper())
    return sorted(words)


_NAMED_KEYWORDS = (
    b"COUNT BLOCK STREAMS GROUP NOACK MAXLEN MINID LIMIT NOMKSTREAM IDLE TIME RETRYCOUNT FORCE "
    b"JUSTID LASTID ENTRIESREAD ENTRIESADDED MAXDELETEDID MKSTREAM FULL NX XX GT LT EX PX EXAT "
    b"PXAT KEEPTTL GET MATCH TYPE ID KILL ADDR LADDR SKIPME USER MAXAGE ON OFF SKIP ASYNC SYNC "
    b"DB REPLACE AUTH SETNAME LIB-NAME LIB-VER TIMEOUT ERROR FILTERBY MODULE ACLCAT PATTERN "
    b"HELP NOSAVE SAVE NOW ABORT SET-ACTIVE-EXPIRE SLEEP"
).split()
KEYWORDS = sorted(set(_harvested_keywords()) | set(_NAMED_KEYWORDS))
assert len(KEYWORDS) > 60, "the keyword harvest found too little"

STRING_KEYS = [b"str", b"num", b"ttl"]
STREAM_KEYS = [b"s", b"s2", b"empty", b"mk"]
MISSING_KEYS = [b"missing", b"nokey"]
# Each family of commands beyond strings and streams brings its shapes in a module
# ``shapes_<family>.py`` beside this one: ``KEYS`` (its fixture's key names),
# ``FIXTURE`` (command lines that build them) and ``TEMPLATES`` (argument shapes by
# command full name, each a function of a ``Gen``).
SHAPES = [
    importlib.import_module(path.stem)
    for path in sorted(Path(__file__).parent.glob("shapes_*.py"))
]
KEYS = STRING_KEYS + STREAM_KEYS + MISSING_KEYS + [key for m in SHAPES for key in m.KEYS]
for _shapes in SHAPES:
    KNOWN_PARTIAL_EFFECTS.update(getattr(_shapes, "PARTIAL_EFFECTS", {}))
GROUPS = [b"g", b"g2", b"nogroup", b""]
CONSUMERS = [b"alice", b"bob", b"carol", b"dave", b""]
# IDs most stream commands accept, then the odd ones (special, partial, huge, junk).
GOOD_IDS = [
    b"0", b"0-0", b"0-1", b"1-1", b"1-2", b"2-0", b"3-5", b"5", b"12-0", b"99-0", b"-", b"+",
]
ODD_IDS = [
    b"*", b"$", b">", b"(1-0", b"(1-1", b"(3-5", b"(0-0",
    b"(18446744073709551615-18446744073709551615", b"18446744073709551615-18446744073709551615",
    b"18446744073709551615-18446744073709551614", b"18446744073709551615",
    b"18446744073709551615-*",
    b"18446744073709551616-0", b"1-18446744073709551616", b"1-*", b"2-*", b"*-1", b"-1", b"-1-1",
    b"1-", b"-1-", b"1.5", b"abc", b"", b" 1-1", b"1-1 ", b"(", b"((1-1", b"(+", b"(-", b"1-1-1",
    b"0x1-1",
]
INTEGERS = [
    b"0", b"-1", b"1", b"2", b"3", b"10", b"100", b"9223372036854775807",
    b"-9223372036854775808", b"9223372036854775808", b"-9223372036854775809",
    b"1.5", b"", b"abc", b" 1", b"1 ", b"+1", b"01", b"-0", b"0x10", b"1e3",
    b"99999999999999999999999", b"4294967296", b"2147483648", b"-2147483649",
]
PATTERNS = [b"*", b"s*", b"?", b"[a-z]*", b"[", b"\\", b"[^s]*", b"*m*", b"str", b"[a-"]
TYPES = [b"string", b"stream", b"list", b"none", b"normal", b"master", b"replica", b"pubsub"]
CONFIG_NAMES = sorted(param.name.encode() for param in PARAMS) + [b"*", b"stream*", b"nosuch"]
STREAM_CONFIG = [b"stream-node-max-entries", b"stream-node-max-bytes"]
CONFIG_VALUES = INTEGERS + [
    b"yes", b"no", b"100mb", b"1gb", b"warning", b"debug", b"nothing", b"allkeys-lru",
    b"KEA", b"Ex", b"1k", b"-1mb", b"3600 1", b"127.0.0.1", b"local",
]
_JUNK_ALPHABET = b"ab\x00\r\n \t*$-+:%\xff\xc3(01"


class Gen:
    """Random tokens and argument shapes, from one seeded generator."""

    def __init__(self, rng: random.Random, harness: Harness) -> None:
        self.rng = rng
        self.harness = harness

    def pick(self, items: list[bytes] | tuple[bytes, ...]) -> bytes:
        return items[self.rng.randrange(len(items))]

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def word(self, word: bytes) -> bytes:
        """A keyword in a random case (Valkey compares them case-insensitively)."""
        roll = self.rng.random()
        if roll < 0.7:
            return word.upper()
        if roll < 0.9:
            return word.lower()
        return bytes(
            byte ^ 0x20 if 0x41 <= byte | 0x20 <= 0x7A and self.chance(0.5) else byte
            for byte in word
        )

    def junk(self) -> bytes:
        size = self.rng.choice((0, 1, 1, 2, 3, 5, 8, 13))
        if self.chance(0.3):
            return bytes(self.rng.randrange(256) for _ in range(size))
        return bytes(self.rng.choice(_JUNK_ALPHABET) for _ in range(size))

    def key(self) -> bytes:
        waited_on = self.harness.waited_on()
        if waited_on and self.chance(0.3):
            return self.pick(waited_on)
        roll = self.rng.random()
        if roll < 0.85:
            return self.pick(KEYS)
        if roll < 0.95:
            return self.pick(KEYS).upper()
        return self.junk()

    def stream_key(self) -> bytes:
        waited_on = self.harness.waited_on()
        if waited_on and self.chance(0.7):
            return self.pick(waited_on)  # wake (or disturb) a blocked reader
        roll = self.rng.random()
        if roll < 0.4:
            return b"s"
        if roll < 0.8:
            return self.pick(STREAM_KEYS)
        if roll < 0.9:
            return self.pick(STRING_KEYS)
        return self.pick(MISSING_KEYS)

    def keys(self, most: int = 3) -> list[bytes]:
        return [self.key() for _ in range(self.rng.randint(1, most))]

    def stream_id(self) -> bytes:
        if self.chance(0.15):
            existing = self.harness.existing_ids()
            if existing:
                return self.pick(existing)
        roll = self.rng.random()
        if roll < 0.7:
            return self.pick(GOOD_IDS)
        return self.junk() if roll < 0.73 else self.pick(ODD_IDS)

    def integer(self) -> bytes:
        if self.chance(0.05):
            return self.junk()
        return self.pick(INTEGERS)

    def count(self) -> bytes:
        """A count or limit: mostly small and valid."""
        if self.chance(0.75):
            return self.pick((b"0", b"1", b"2", b"3", b"5", b"100"))
        return self.integer()

    def counter(self) -> bytes:
        """A value for a counter (RETRYCOUNT, ENTRIESREAD, ENTRIESADDED): often the
        largest signed 64-bit integer, from which counting on must wrap around."""
        return b"9223372036854775807" if self.chance(0.3) else self.count()

    def millis(self) -> bytes:
        if self.chance(0.75):
            return self.pick((b"0", b"1", b"10", b"1000", b"60000", b"3600000"))
        return self.integer()

    def group(self) -> bytes:
        roll = self.rng.random()
        if roll < 0.6:
            return b"g"  # the group every fixture stream has
        return self.junk() if roll < 0.65 else self.pick(GROUPS)

    def consumer(self) -> bytes:
        return self.junk() if self.chance(0.05) else self.pick(CONSUMERS)

    def client_id(self) -> bytes:
        ids = [b"%d" % client.id for client in self.harness.core.clients.values()]
        return self.pick(ids + [b"0", b"999", b"-1", b"abc"])

    def field_values(self) -> list[bytes]:
        pairs: list[bytes] = []
        for _ in range(self.rng.randint(1, 3)):
            pairs += [self.pick((b"f", b"g", b"123", b"")), self.pick((b"v", b"1", b"x" * 70))]
        if self.chance(0.1):
            pairs.append(b"odd")
        return pairs

    def token(self) -> bytes:
        """Any token at all."""
        roll = self.rng.random()
        if roll < 0.2:
            return self.key()
        if roll < 0.4:
            return self.word(self.pick(KEYWORDS))
        if roll < 0.55:
            return self.stream_id()
        if roll < 0.7:
            return self.integer()
        if roll < 0.75:
            return self.group()
        if roll < 0.8:
            return self.consumer()
        if roll < 0.9:
            return self.junk()
        return self.pick(PATTERNS + TYPES + CONFIG_NAMES)

    def trim_options(self) -> list[bytes]:
        args = [self.word(self.pick((b"MAXLEN", b"MINID")))]
        if self.chance(0.6):
            args.append(self.pick((b"~", b"=")))
        args.append(self.count() if self.chance(0.5) else self.stream_id())
        if self.chance(0.4):
            args += [self.word(b"LIMIT"), self.count()]
        return args

    def options(self, *choices: Callable[[], list[bytes]], probability: float = 0.4) -> list[bytes]:
        """Each option with ``probability``, in a random order (Valkey accepts any order)."""
        chosen = [make() for make in choices if self.chance(probability)]
        self.rng.shuffle(chosen)
        return [token for option in chosen for token in option]


# -- per-command shapes ------------------------------------------------------------------------

Template = Callable[[Gen], list[bytes]]


def _xadd(g: Gen) -> list[bytes]:
    args = [g.stream_key()]
    args += g.options(lambda: [g.word(b"NOMKSTREAM")], g.trim_options)
    args.append(b"*" if g.chance(0.5) else g.stream_id())
    return args + g.field_values()


def _streams_tail(g: Gen, new: bytes) -> list[bytes]:
    keys = [g.stream_key() for _ in range(g.rng.choice((1, 1, 1, 2, 3)))]
    ids = [new if g.chance(0.5) else g.stream_id() for _ in keys]
    if g.chance(0.1):
        ids.pop()
    return [g.word(b"STREAMS"), *keys, *ids]


def _block(g: Gen) -> list[bytes]:
    return [g.word(b"BLOCK"), g.millis()] if g.chance(0.6) else []


def _xread(g: Gen) -> list[bytes]:
    options = g.options(lambda: [g.word(b"COUNT"), g.count()]) + _block(g)
    options += g.options(  # XREADGROUP's own options, which XREAD refuses
        lambda: [g.word(b"GROUP"), g.group(), g.consumer()],
        lambda: [g.word(b"NOACK")],
        probability=0.05,
    )
    return options + _streams_tail(g, b"$")


def _xreadgroup(g: Gen) -> list[bytes]:
    options = g.options(lambda: [g.word(b"COUNT"), g.count()], lambda: [g.word(b"NOACK")])
    options += _block(g)
    if g.chance(0.05):
        return [*options, *_streams_tail(g, b">")]  # no GROUP
    return [g.word(b"GROUP"), g.group(), g.consumer(), *options, *_streams_tail(g, b">")]


def _xclaim(g: Gen) -> list[bytes]:
    args = [g.stream_key(), g.group(), g.consumer(), g.millis()]
    args += [g.stream_id() for _ in range(g.rng.randint(1, 3))]
    return args + g.options(
        lambda: [g.word(b"IDLE"), g.millis()],
        lambda: [g.word(b"TIME"), g.pick((b"%d" % START_MS, b"0", b"-1")) if g.chance(0.6)
                 else g.integer()],
        lambda: [g.word(b"RETRYCOUNT"), g.counter()],
        lambda: [g.word(b"FORCE")],
        lambda: [g.word(b"JUSTID")],
        lambda: [g.word(b"LASTID"), g.stream_id()],
        probability=0.3,
    )


def _xpending(g: Gen) -> list[bytes]:
    args = [g.stream_key(), g.group()]
    if g.chance(0.7):
        if g.chance(0.3):
            args += [g.word(b"IDLE"), g.millis()]
        args += [g.stream_id(), g.stream_id(), g.count()]
        if g.chance(0.4):
            args.append(g.consumer())
    return args


def _set(g: Gen) -> list[bytes]:
    args = [g.key(), g.pick((b"v", b"10", b"", b"x" * 30))]
    expiry = lambda: (  # noqa: E731
        [g.word(b"KEEPTTL")]
        if g.chance(0.2)
        else [g.word(g.pick((b"EX", b"PX", b"EXAT", b"PXAT"))), g.integer()]
    )
    return args + g.options(
        lambda: [g.word(g.pick((b"NX", b"XX")))], lambda: [g.word(b"GET")], expiry
    )


def _expire(g: Gen) -> list[bytes]:
    args = [g.key(), g.pick((b"1", b"10", b"100", b"1000")) if g.chance(0.6) else g.integer()]
    for _ in range(g.rng.choice((0, 0, 1, 2))):
        args.append(g.word(g.pick((b"NX", b"XX", b"GT", b"LT"))))
    return args


def _client_kill(g: Gen) -> list[bytes]:
    if g.chance(0.2):
        return [g.pick((b"127.0.0.1:1", b"127.0.0.1:2", b"1.2.3.4:5", b"junk"))]
    filters = {
        b"ID": g.client_id,
        b"TYPE": lambda: g.pick(TYPES),
        b"ADDR": lambda: g.pick((b"127.0.0.1:1", b"127.0.0.1:2", b"x")),
        b"LADDR": lambda: g.pick((b"127.0.0.1:6379", b"x")),
        b"SKIPME": lambda: g.pick((b"yes", b"no", b"maybe")),
        b"USER": lambda: g.pick((b"default", b"nobody")),
        b"MAXAGE": g.integer,
    }
    args: list[bytes] = []
    for _ in range(g.rng.randint(1, 3)):
        name = g.pick(sorted(filters))
        args += [g.word(name), filters[name]()]
    return args


MEMORY_CONFIG = [
    (b"maxmemory", [b"1", b"1000000", b"2mb", b"0"]),
    (b"maxmemory-policy", [b"allkeys-lru", b"allkeys-lfu", b"allkeys-random", b"volatile-lru",
                           b"volatile-lfu", b"volatile-random", b"volatile-ttl", b"noeviction"]),
    (b"maxmemory-samples", [b"1", b"5", b"64"]),
    (b"lfu-log-factor", [b"0", b"10"]),
]  # fmt: skip


def _config_set(g: Gen) -> list[bytes]:
    args: list[bytes] = []
    if g.chance(0.2):  # a memory limit with an evicting policy: every command then evicts
        return [b"maxmemory", g.pick([b"1", b"1000000"]), b"maxmemory-policy",
                g.pick(MEMORY_CONFIG[1][1])]  # fmt: skip
    for _ in range(g.rng.randint(1, 2)):
        if g.chance(0.2):  # memory limits and eviction, which every write then feels
            name, values = MEMORY_CONFIG[g.rng.randrange(len(MEMORY_CONFIG))]
            args += [name, g.pick(values)]
            continue
        # Mostly the parameters that shape stream nodes, which the other commands feel.
        names = STREAM_CONFIG if g.chance(0.5) else CONFIG_NAMES
        args += [g.pick(names), g.pick(CONFIG_VALUES)]
    return args


def _nested_command(g: Gen) -> list[bytes]:
    spec = g.harness.pick_spec()
    return generate(g, spec, mutate=0.3)


TEMPLATES: dict[str, Template] = {
    "xadd": _xadd,
    "xrange": lambda g: [g.stream_key(), g.stream_id(), g.stream_id()]
    + g.options(lambda: [g.word(b"COUNT"), g.count()]),
    "xrevrange": lambda g: [g.stream_key(), g.stream_id(), g.stream_id()]
    + g.options(lambda: [g.word(b"COUNT"), g.count()]),
    "xlen": lambda g: [g.stream_key()],
    "xdel": lambda g: [g.stream_key()] + [g.stream_id() for _ in range(g.rng.randint(1, 3))],
    "xtrim": lambda g: [g.stream_key(), *g.trim_options()],
    "xsetid": lambda g: [g.stream_key(), g.stream_id()]
    + g.options(
        lambda: [g.word(b"ENTRIESADDED"), g.counter()],
        lambda: [g.word(b"MAXDELETEDID"), g.stream_id()],
    ),
    "xread": _xread,
    "xreadgroup": _xreadgroup,
    "xgroup|create": lambda g: [g.stream_key(), g.group(), g.stream_id()]
    + g.options(lambda: [g.word(b"MKSTREAM")], lambda: [g.word(b"ENTRIESREAD"), g.counter()]),
    "xgroup|setid": lambda g: [g.stream_key(), g.group(), g.stream_id()]
    + g.options(lambda: [g.word(b"ENTRIESREAD"), g.counter()]),
    "xgroup|destroy": lambda g: [g.stream_key(), g.group()],
    "xgroup|createconsumer": lambda g: [g.stream_key(), g.group(), g.consumer()],
    "xgroup|delconsumer": lambda g: [g.stream_key(), g.group(), g.consumer()],
    "xack": lambda g: [g.stream_key(), g.group()]
    + [g.stream_id() for _ in range(g.rng.randint(1, 3))],
    "xpending": _xpending,
    "xclaim": _xclaim,
    "xautoclaim": lambda g: [g.stream_key(), g.group(), g.consumer(), g.millis(), g.stream_id()]
    + g.options(lambda: [g.word(b"COUNT"), g.count()], lambda: [g.word(b"JUSTID")]),
    "xinfo|stream": lambda g: [g.stream_key()]
    + ([g.word(b"FULL")] + g.options(lambda: [g.word(b"COUNT"), g.count()]) if g.chance(0.5)
       else []),
    "xinfo|groups": lambda g: [g.stream_key()],
    "xinfo|consumers": lambda g: [g.stream_key(), g.group()],
    "set": _set,
    "incrby": lambda g: [g.key(), g.integer()],
    "decrby": lambda g: [g.key(), g.integer()],
    "mset": lambda g: [token for _ in range(g.rng.randint(1, 3)) for token in (g.key(), b"v")],
    "expire": _expire,
    "pexpire": _expire,
    "expireat": _expire,
    "pexpireat": _expire,
    "scan": lambda g: [g.integer() if g.chance(0.3) else b"0"]
    + g.options(
        lambda: [g.word(b"MATCH"), g.pick(PATTERNS)],
        lambda: [g.word(b"COUNT"), g.count()],
        lambda: [g.word(b"TYPE"), g.pick(TYPES)],
    ),
    "keys": lambda g: [g.pick(PATTERNS)],
    "rename": lambda g: [g.key(), g.key()],
    "renamenx": lambda g: [g.key(), g.key()],
    "copy": lambda g: [g.key(), g.key()]
    + g.options(lambda: [g.word(b"DB"), g.pick((b"0", b"1", b"15", b"16", b"-1"))],
                lambda: [g.word(b"REPLACE")]),
    "select": lambda g: [g.pick((b"0", b"1", b"15", b"16", b"-1", b"abc"))],
    "swapdb": lambda g: [g.pick((b"0", b"1", b"2", b"16")), g.pick((b"0", b"1", b"2", b"-1"))],
    "flushdb": lambda g: g.options(lambda: [g.word(g.pick((b"ASYNC", b"SYNC", b"NOW")))]),
    "flushall": lambda g: g.options(lambda: [g.word(g.pick((b"ASYNC", b"SYNC", b"NOW")))]),
    "client|kill": _client_kill,
    "client|list": lambda g: g.options(
        lambda: [g.word(b"TYPE"), g.pick(TYPES)],
        lambda: [g.word(b"ID"), *(g.client_id() for _ in range(g.rng.randint(1, 2)))],
    ),
    "client|unblock": lambda g: [g.client_id()]
    + g.options(lambda: [g.word(g.pick((b"TIMEOUT", b"ERROR", b"OTHER")))], probability=0.6),
    "client|reply": lambda g: [g.word(g.pick((b"ON", b"OFF", b"SKIP", b"MAYBE")))],
    "client|setname": lambda g: [g.pick((b"conn", b"", b"a b", b"x\n"))],
    "client|setinfo": lambda g: [g.word(g.pick((b"LIB-NAME", b"LIB-VER", b"NAME"))),
                                 g.pick((b"redis-py", b"1.0", b"a b", b""))],
    "client|no-evict": lambda g: [g.word(g.pick((b"ON", b"OFF", b"MAYBE")))],
    "client|no-touch": lambda g: [g.word(g.pick((b"ON", b"OFF", b"MAYBE")))],
    "config|get": lambda g: [g.pick(CONFIG_NAMES) for _ in range(g.rng.randint(1, 3))],
    "config|set": _config_set,
    "command|getkeys": _nested_command,
    "command|getkeysandflags": _nested_command,
    "command|info": lambda g: [g.pick(NAMES) for _ in range(g.rng.randint(0, 3))],
    "command|docs": lambda g: [g.pick(NAMES) for _ in range(g.rng.randint(0, 3))],
    "command|list": lambda g: g.options(
        lambda: [g.word(b"FILTERBY"), g.word(g.pick((b"MODULE", b"ACLCAT", b"PATTERN"))),
                 g.pick((b"stream", b"x*", b"read", b"*"))],
        probability=0.7,
    ),
    "hello": lambda g: (
        [g.pick((b"2", b"3", b"1", b"4", b"abc"))]
        + g.options(
            lambda: [g.word(b"AUTH"), g.pick((b"default", b"nobody")), g.pick((b"pw", b""))],
            lambda: [g.word(b"SETNAME"), g.pick((b"conn", b"a b", b""))],
        )
        if g.chance(0.8)
        else []
    ),
    "auth": lambda g: ([g.pick((b"default", b"nobody"))] if g.chance(0.5) else [])
    + [g.pick((b"pw", b"", b"secret"))],
    "debug": lambda g: (
        [g.word(b"SET-ACTIVE-EXPIRE"), g.pick((b"0", b"1", b"x"))]
        if g.chance(0.5)
        else [g.word(b"SLEEP"), b"0"]
    ),
    "acl|genpass": lambda g: [g.integer()] if g.chance(0.8) else [],
    "shutdown": lambda g: [
        g.word(g.pick((b"NOSAVE", b"SAVE", b"NOW", b"FORCE", b"ABORT", b"LATER")))
        for _ in range(g.rng.randint(0, 2))
    ],
    "info": lambda g: [
        g.pick((b"server", b"clients", b"stats", b"errorstats", b"keyspace", b"all",
                b"everything", b"default", b"commandstats", b"nosuch"))
        for _ in range(g.rng.randint(0, 2))
    ],
    "ping": lambda g: [g.junk()] if g.chance(0.5) else [],
}
for _shapes in SHAPES:
    TEMPLATES.update(_shapes.TEMPLATES)

NAMES = [spec.fullname.encode() for top in COMMANDS.values() for spec in top.all_specs()] + [
    b"nosuch", b"XGROUP|nosuch", b"get|x",
]


def _name_tokens(g: Gen, spec: CommandSpec) -> list[bytes]:
    if spec.parent is not None:
        return [g.word(spec.parent.name.encode()), g.word(spec.name.encode())]
    return [g.word(spec.name.encode())]


def _generic(g: Gen, spec: CommandSpec) -> list[bytes]:
    """Random tokens within (mostly) the arity, keys where the table puts keys."""
    names = len(_name_tokens(g, spec))
    if spec.arity > 0:
        total = spec.arity if g.chance(0.9) else max(1, spec.arity + g.rng.choice((-1, 1)))
    else:
        total = -spec.arity + g.rng.choice((0, 0, 1, 1, 2, 3, 5))
    args = []
    for position in range(names, total):
        is_key = (
            spec.first_key
            and position >= spec.first_key
            and (spec.last_key < 0 or position <= spec.last_key)
        )
        args.append(g.key() if is_key else g.token())
    return args


def _mutate(g: Gen, argv: list[bytes], keep: int) -> list[bytes]:
    """Replace, drop, duplicate, insert or swap a token after the first ``keep`` ones."""
    argv = list(argv)
    for _ in range(g.rng.randint(1, 3)):
        if len(argv) <= keep:
            argv.append(g.token())
            continue
        position = g.rng.randrange(keep, len(argv))
        operation = g.rng.randrange(6)
        if operation == 0:
            argv[position] = g.token()
        elif operation == 1:
            del argv[position]
        elif operation == 2:
            argv.insert(position, argv[position])
        elif operation == 3:
            argv.insert(position, g.token())
        elif operation == 4:
            other = g.rng.randrange(keep, len(argv))
            argv[position], argv[other] = argv[other], argv[position]
        else:
            del argv[position:]
    return argv


def generate(g: Gen, spec: CommandSpec, mutate: float = 0.35) -> list[bytes]:
    """A command line for ``spec``: its shape (or random tokens), mutated at ``mutate``."""
    names = _name_tokens(g, spec)
    if spec.is_container and not spec.handler and g.chance(0.5):
        return names + [g.token() for _ in range(g.rng.randint(0, 2))]  # unknown subcommands
    template = TEMPLATES.get(spec.fullname)
    if template is not None and g.chance(1 - mutate / 2):
        argv = names + template(g)
    else:
        argv = names + _generic(g, spec)
    if g.chance(mutate):
        argv = _mutate(g, argv, len(names))
    return argv


def sanitize(argv: list[bytes]) -> list[bytes]:
    """Keep DEBUG SLEEP from sleeping: its duration becomes one that does not wait."""
    if len(argv) >= 3 and argv[0].lower() == b"debug" and argv[1].lower() == b"sleep":
        argv = [*argv[:2], b"0", *argv[3:]]
    return argv


# -- the harness -------------------------------------------------------------------------------

EVERY_SPEC = [spec for top in COMMANDS.values() for spec in top.all_specs()]
# Commands that end or disturb a blocked read: new entries, a group created, moved or
# destroyed, the key deleted, replaced, renamed, moved, expired, the reader unblocked or
# killed, or a transaction doing any of that; and those the shapes modules add (list pushes).
_BY_NAME = {spec.fullname: spec for spec in EVERY_SPEC}
WAKERS = [
    _BY_NAME[name]
    for name in (
        "xadd xadd xadd xadd xadd xadd xadd xadd xgroup|create xgroup|setid xgroup|destroy "
        "xgroup|delconsumer xreadgroup xread del set "
        "rename swapdb flushall flushdb pexpire pexpire pexpire client|unblock client|kill "
        "multi exec"
    ).split()
] + [_BY_NAME[name] for _shapes in SHAPES for name in getattr(_shapes, "WAKERS", ())]

_FIXTURE = [
    [b"SET", b"str", b"hello"],
    [b"SET", b"num", b"10"],
    [b"SET", b"ttl", b"soon", b"PX", b"1500"],
    *([b"XADD", b"s", stream_id, b"f", b"v%d" % n] for n, stream_id in enumerate(
        (b"1-1", b"1-2", b"2-0", b"3-5", b"4-0", b"5-0", b"6-0", b"7-1", b"8-0", b"9-0",
         b"10-0", b"12-0"))),
    [b"XADD", b"s", b"13-0", b"other", b"x" * 70, b"f", b"1"],
    [b"XGROUP", b"CREATE", b"s", b"g", b"0"],
    [b"XGROUP", b"CREATE", b"s", b"g2", b"$"],
    [b"XREADGROUP", b"GROUP", b"g", b"alice", b"COUNT", b"3", b"STREAMS", b"s", b">"],
    [b"XREADGROUP", b"GROUP", b"g", b"bob", b"COUNT", b"2", b"STREAMS", b"s", b">"],
    [b"XDEL", b"s", b"1-2", b"6-0"],
    [b"XGROUP", b"CREATECONSUMER", b"s", b"g", b"carol"],
    [b"XADD", b"s2", b"1-1", b"a", b"1"],
    [b"XADD", b"s2", b"2-2", b"b", b"2"],
    [b"XGROUP", b"CREATE", b"s2", b"g", b"0", b"ENTRIESREAD", b"1"],
    [b"XREADGROUP", b"GROUP", b"g", b"bob", b"NOACK", b"STREAMS", b"s2", b">"],
    [b"XADD", b"empty", b"1-1", b"x", b"y"],
    [b"XDEL", b"empty", b"1-1"],
    [b"XGROUP", b"CREATE", b"empty", b"g", b"0"],
    [b"XGROUP", b"CREATE", b"mk", b"g", b"$", b"MKSTREAM"],
    [b"SELECT", b"1"],
    [b"SET", b"str", b"db1"],
    [b"XADD", b"s", b"5-5", b"f", b"v"],
    [b"SELECT", b"0"],
    *(argv for _shapes in SHAPES for argv in _shapes.FIXTURE),
]


class FakeConnection:
    """What the shell would be for one client: it records closes and late replies."""

    def __init__(self, harness: Harness) -> None:
        self.harness = harness
        self.client: Client | None = None
        self.closing = False
        self.delivered: list[bytes] = []

    def close_after_reply(self) -> None:
        self.closing = True

    def close_now(self) -> None:
        self.closing = True

    def deliver(self, reply: object) -> None:
        client = self.client
        assert client is not None
        assert client.blocked is None, "a reply delivered to a client still blocked"
        if not (client.reply_off or client.skip_current_reply):
            self.delivered.append(encode(reply, client.protocol))

    def send(self, data: bytes) -> None:
        """Bytes outside the replies (pub/sub messages): kept with the late replies."""
        self.delivered.append(data)

    def output_buffer_size(self) -> int:
        return 0


class Harness:
    """One server core, three clients (RESP2, RESP3, RESP2), and the checks of every line."""

    def __init__(self, seed: str, log_records: list[logging.LogRecord]) -> None:
        self.seed = seed
        self.log_records = log_records
        self.rng = random.Random(seed)
        self.gen = Gen(self.rng, self)
        self.clock = ManualClock(START_MS)
        config = Config({"enable-debug-command": "yes", "stream-node-max-entries": "4"})
        self.core = ServerCore(config, self.clock)
        self.shutdowns = 0
        self.core.shutdown_requested = self._record_shutdown
        self.history: list[str] = []
        self.steps = 0
        self.errors_seen = 0
        # Fault injection (see test_injected_faults): wrapped functions may fail while
        # ``inject`` is on, that is only while ``run`` executes a command line.
        self.inject_faults = False
        self.inject = False
        self.in_handlers = 0
        self.injected = 0
        self.protocols = (2, 3, 2)  # two may block on one key while the third writes
        self.clients = [self._new_client(protocol) for protocol in self.protocols]
        # Keys eviction removed (maxmemory with an evicting policy): like lazy expiry,
        # that happens before a command runs and is no change of the command's.
        self.evicted: list[tuple[int, bytes]] = []
        for db in self.core.keyspace.dbs:
            db.evict = self._recording_evict(db)  # type: ignore[method-assign]
        self.populate()

    def _record_shutdown(self) -> None:
        self.shutdowns += 1

    def _recording_evict(self, db: Any) -> Callable[[bytes], None]:
        evict = db.evict

        def recorded(key: bytes) -> None:
            self.evicted.append((db.index, key))
            evict(key)

        return recorded

    # -- clients and fixture ---------------------------------------------------------------

    def _new_client(self, protocol: int) -> Client:
        connection = FakeConnection(self)
        client = Client(
            self.core, connection, addr=f"127.0.0.1:{40000 + self.core._last_client_id}",
            laddr="127.0.0.1:6379", fd=10,
        )
        connection.client = client
        self.core.add_client(client)
        if protocol == 3:
            reply = execute(client, [b"HELLO", b"3"])
            assert reply.startswith(b"%7\r\n"), reply
        return client

    def populate(self) -> None:
        """FLUSHALL, then the fixture: strings, streams with groups, consumers, pending."""
        self.core.config.set("maxmemory", "0")  # the fixture is written whole
        client = self._new_client(2)
        for argv in [[b"FLUSHALL"], *_FIXTURE]:
            reply = execute(client, argv)
            assert not reply.startswith(b"-"), (argv, reply)
        self.core.remove_client(client)
        self.last_snapshot = snapshot(self.core.keyspace)

    def fixture_damaged(self) -> bool:
        db = self.core.keyspace[0]
        stream = db.data.get(b"s")
        return not (
            type(stream) is Stream
            and b"g" in stream.groups
            and len(stream.groups[b"g"].pending) > 0
            and type(db.data.get(b"str")) is bytes
        )

    def existing_ids(self) -> list[bytes]:
        stream = self.core.keyspace[0].data.get(b"s")
        if type(stream) is not Stream or not stream.length:
            return []
        return [
            b"%d-%d" % (value >> 64, value & (2**64 - 1))
            for value in (stream.first_id, stream.last_id)
        ]

    def pick_spec(self) -> CommandSpec:
        return EVERY_SPEC[self.rng.randrange(len(EVERY_SPEC))]

    # -- one command line ------------------------------------------------------------------

    def _client_state(self, client: Client) -> tuple[Any, ...]:
        return (
            copy.deepcopy(self.core.config.values),
            client.db_index,
            client.protocol,
            client.name,
            client.lib_name,
            client.lib_ver,
            client.authenticated,
            client.no_evict,
            client.no_touch,
            client.reply_off,
            sorted(self.core.clients),
            sorted(client.watched),  # last: see _check_unchanged
        )

    def fail(self, message: str) -> None:
        recent = "\n  ".join(self.history[-12:])
        pytest.fail(
            f"seed {self.seed!r}, step {self.steps}: {message}\nlast command lines:\n  {recent}",
            pytrace=False,
        )

    def run(self, slot: int, argv: list[bytes]) -> bytes:
        """Run ``argv`` on client ``slot`` and check everything the module docstring lists."""
        argv = sanitize(argv)
        client = self.clients[slot]
        assert client.blocked is None
        self.steps += 1
        self.history.append(f"[client {slot} RESP{client.protocol}] {argv!r}")
        now = self.clock.now_ms()
        raw_before = self.last_snapshot
        before = live(raw_before, now)
        self.evicted.clear()
        state_before = self._client_state(client)
        log_mark = len(self.log_records)
        injected_mark = self.injected
        short_exec = _turns_replies_off(client, argv)
        self.inject = self.inject_faults
        try:
            reply = execute(client, argv)
        except Exception as error:  # noqa: BLE001 - any escape is the bug being hunted
            self.fail(f"execute raised {error!r}")
        finally:
            self.inject = False
        after = snapshot(self.core.keyspace)
        self.last_snapshot = after
        try:
            check_invariants(self.core.keyspace)
            check_sessions(self.core)
        except AssertionError as error:
            self.fail(f"invariant broken: {error}")
        delivered = self._check_delivered()
        self._check_faults(reply, delivered, log_mark, self.injected - injected_mark, client)
        if reply == b"":
            if not (
                client.blocked is not None
                or client.reply_off
                or client.skip_current_reply
                or client.skip_next_reply
                or (argv[0].lower() == b"shutdown" and self.shutdowns)
            ):
                self.fail("an empty reply")
        else:
            try:
                if argv[0].lower() in _SEVERAL_REPLIES:
                    check_replies(reply, client.protocol)
                else:
                    check_resp(reply, client.protocol)
            except MalformedReply as error:
                if not (short_exec and str(error) == "reply truncated"):
                    self.fail(f"malformed RESP{client.protocol} reply {reply[:300]!r}: {error}")
            if reply.startswith(b"-") and reply != INTERNAL_ERROR_REPLY:
                self.errors_seen += 1
                for index, key in self.evicted:
                    before.get(index, {}).pop(key, None)
                before = {index: keys for index, keys in before.items() if keys}
                # A key that expired lazily during the command (any lookup does that, in
                # Valkey too) or was evicted dirties the WATCHes on it: only then may
                # they change.
                expired = raw_before != after
                self._check_unchanged(
                    client, argv, reply, before, live(after, now), state_before, expired
                )
        return reply

    def _check_faults(
        self, reply: bytes, delivered: list[bytes], log_mark: int, injected: int, client: Client
    ) -> None:
        """Each fault (none unless injected) is one logged traceback and one ERR reply,
        to the caller or to the blocked reader whose re-run failed; nothing else is logged."""
        logged = self.log_records[log_mark:]
        if len(logged) != injected or any(record.exc_info is None for record in logged):
            self.fail(
                f"{injected} faults injected, logged: {[r.getMessage() for r in logged]}"
            )
        answered = reply.count(INTERNAL_ERROR_REPLY) + sum(
            data.count(INTERNAL_ERROR_REPLY) for data in delivered
        )
        suppressed = reply == b"" and client.blocked is None
        if answered != injected and not (suppressed and answered < injected):
            self.fail(f"{injected} faults injected, {answered} internal errors answered")

    def _check_unchanged(
        self,
        client: Client,
        argv: list[bytes],
        reply: bytes,
        before: Snapshot,
        after: Snapshot,
        state_before: tuple[Any, ...],
        expired: bool,
    ) -> None:
        code = reply[1:].split(b" ", 1)[0].decode()
        name = argv[0].lower()
        if (code, name.decode()) in KNOWN_PARTIAL_EFFECTS:
            return
        if before != after:
            difference = describe_difference(before, after)
            self.fail(f"error {reply!r} changed the keyspace:\n{difference}")
        state_after = self._client_state(client)
        if name == b"exec" or expired:  # EXECABORT ends the transaction, forgets WATCHes
            state_before, state_after = state_before[:-1], state_after[:-1]
        if state_before != state_after:
            changed = [
                i for i, (old, new) in enumerate(zip(state_before, state_after, strict=True))
                if old != new
            ]
            self.fail(f"error {reply!r} changed client/server state at fields {changed}")

    def _check_delivered(self) -> list[bytes]:
        """Check the replies blocked readers received meanwhile; answer them."""
        received: list[bytes] = []
        for client in self.core.clients.values():
            connection = client.connection
            if not isinstance(connection, FakeConnection) or not connection.delivered:
                continue
            for data in connection.delivered:
                self.history.append(f"  (delivered to client {client.id}: {data[:120]!r})")
                try:
                    check_replies(data, client.protocol)  # confirmations come several at once
                except MalformedReply as error:
                    self.fail(f"malformed late reply {data[:300]!r}: {error}")
            received += connection.delivered
            connection.delivered.clear()
        return received

    # -- between command lines -------------------------------------------------------------

    def housekeeping(self) -> None:
        """Undo what would stall the fuzzing; end waits; replace closed clients."""
        core = self.core
        if core.requires_auth():
            core.config.set("requirepass", "")
        if core.maxmemory and self.gen.chance(0.05):  # OOM refuses nearly every write
            core.config.set("maxmemory", "0")
        for slot, protocol in enumerate(self.protocols):
            client = self.clients[slot]
            connection = client.connection
            assert isinstance(connection, FakeConnection)
            if connection.closing or client.id not in core.clients:
                core.remove_client(client)
                self.clients[slot] = self._new_client(protocol)
                continue
            client.reply_off = client.skip_next_reply = client.skip_current_reply = False
            client.protocol = protocol
            client.authenticated = True
            client.update_fast()
            core.pubsub.protocol_changed(client)
            if client.subscriber and self.gen.chance(0.3):  # leave subscribed mode now and then
                core.pubsub.forget_client(client)
            if client.db_index and self.gen.chance(0.3):
                client.select(0)
            if client.multi is not None and len(client.multi) > 6:
                self.run(slot, [b"DISCARD"])
        blocked = [client for client in self.clients if client.blocked is not None]
        for client in blocked:
            if len(blocked) == len(self.clients) or self.gen.chance(0.1):
                self.time_out(client)
        if self.fixture_damaged() and not core.blocking.by_key and self.gen.chance(0.2):
            self.populate()
        if self.gen.chance(0.2):
            self.cron()
        self.clock.advance_ms(self.rng.choice((0, 0, 1, 7, 250, 1000, 3600_000)))

    def cron(self) -> None:
        """What the shell's cron does: active expiry (which must wake the readers of
        expired keys at once, as Valkey does before its event loop sleeps again) and
        node compression."""
        core = self.core
        self.history.append("  (cron)")
        log_mark = len(self.log_records)
        core.active_expire_cycle()
        if core.keyspace.ready_keys:
            self.fail(f"the cron left ready keys unserved: {list(core.keyspace.ready_keys)}")
        pack_sealed_nodes()
        self.last_snapshot = snapshot(core.keyspace)
        self._check_faults(b"", self._check_delivered(), log_mark, 0, self.clients[0])

    def time_out(self, client: Client) -> None:
        """End a blocked read at its deadline, as the shell's timer would."""
        waiter = client.blocked
        assert waiter is not None
        if waiter.deadline_ms and waiter.deadline_ms > self.clock.now_ms():
            self.clock.set_ms(waiter.deadline_ms)
        self.history.append(f"  (timeout of client {client.id})")
        log_mark = len(self.log_records)
        self.core.blocking.time_out(waiter)
        assert client.blocked is None
        self._check_faults(b"", self._check_delivered(), log_mark, 0, client)

    def free_slot(self) -> int:
        slots = [slot for slot, client in enumerate(self.clients) if client.blocked is None]
        return slots[self.rng.randrange(len(slots))]

    def waited_on(self) -> list[bytes]:
        """The keys blocked readers wait on (in any database), sorted."""
        return sorted({key for _, key in self.core.blocking.by_key})

    def step(self, spec: CommandSpec, mutate: float = 0.35) -> None:
        slot = self.free_slot()
        client = self.clients[slot]
        if client.multi is not None and self.gen.chance(0.15):
            argv = [self.gen.word(self.gen.pick((b"EXEC", b"DISCARD")))]
        else:
            if self.core.blocking.by_key and self.gen.chance(0.7):
                spec = WAKERS[self.rng.randrange(len(WAKERS))]  # something for the reader
                mutate = 0.1
            argv = generate(self.gen, spec, mutate)
        self.run(slot, argv)
        self.housekeeping()


def _turns_replies_off(client: Client, argv: list[bytes]) -> bool:
    """Whether ``argv`` is an EXEC whose transaction holds CLIENT REPLY (OFF or SKIP).

    Valkey 8.0.1 writes EXEC's array header first, then each reply as it comes; CLIENT
    REPLY OFF or SKIP adds none and OFF silences the rest, so the array is shorter than
    its header says (``MULTI, CLIENT REPLY SKIP, SET a b, EXEC`` answers ``*2 +OK``).
    minivalkey answers the same bytes for SKIP, and nothing at all for OFF.
    """
    return bool(
        client.multi
        and argv[0].lower() == b"exec"
        and any(
            len(queued) > 1 and queued[0].lower() == b"client" and queued[1].lower() == b"reply"
            for queued in client.multi
        )
    )


@pytest.fixture
def error_log() -> Iterator[list[logging.LogRecord]]:
    """Records the ``minivalkey`` logger emits at ERROR or above while the test runs."""
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger("minivalkey")
    handler = Collect(logging.ERROR)
    saved_level = logger.level
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > logging.ERROR:
        logger.setLevel(logging.ERROR)
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved_level)


def make_harness(seed: str, records: list[logging.LogRecord]) -> Harness:
    return Harness(seed, records)


# -- the checks can fail -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "protocol"),
    [
        (b"+OK\r\n+OK\r\n", 2),  # two replies
        (b"*2\r\n:1\r\n", 2),  # truncated
        (b"%1\r\n+a\r\n:1\r\n", 2),  # a RESP3 map on a RESP2 connection
        (b"_\r\n", 2),
        (b"$-1\r\n", 3),  # RESP2 nulls on a RESP3 connection
        (b"*-1\r\n", 3),
        (b"-ERR bad\r\nthing\r\n", 2),  # a line break inside an error
        (b"-bad thing\r\n", 2),  # no upper-case code
        (b"$3\r\nabcd\r\n", 2),  # wrong bulk length
        (b":1.5\r\n", 2),
        (b":9223372036854775808\r\n", 2),  # beyond a signed 64-bit integer
        (b",one\r\n", 3),
        (b"=3\r\nabc\r\n", 3),
        (b"", 2),
    ],
)
def test_the_reply_checker_rejects_malformed_replies(data: bytes, protocol: int) -> None:
    with pytest.raises(MalformedReply):
        check_resp(data, protocol)


def test_the_reply_checker_accepts_both_protocols() -> None:
    assert check_resp(b"*2\r\n$1\r\na\r\n*-1\r\n", 2) == [b"a", None]
    assert check_resp(b"%1\r\n+k\r\n~1\r\n,1.5\r\n", 3) == {b"k": [1.5]}
    assert check_resp(b"=7\r\ntxt:abc\r\n", 3) == b"abc"


def test_the_snapshot_sees_every_part_of_a_stream(error_log: list[logging.LogRecord]) -> None:
    harness = make_harness("snapshot", error_log)
    keyspace = harness.core.keyspace
    original = snapshot(keyspace)

    def stream() -> Stream:
        value = keyspace[0].data[b"s"]
        assert type(value) is Stream
        return value

    def group() -> Any:
        return stream().groups[b"g"]

    changes: list[Callable[[], None]] = [
        lambda: setattr(group().consumers[b"carol"], "seen_time", 1),
        lambda: setattr(group().consumers[b"alice"], "active_time", 1),
        lambda: setattr(next(group().pending.range())[1], "delivery_count", 9),
        lambda: setattr(next(group().pending.range())[1], "delivery_time", 9),
        lambda: setattr(group(), "entries_read", 99),
        lambda: setattr(stream(), "max_deleted_id", 1),
        lambda: setattr(stream(), "entries_added", 1),
        lambda: stream().nodes[0].flags.__setitem__(0, 1),
        lambda: keyspace[1].expires.__setitem__(b"str", 5),
    ]
    for change in changes:
        harness.populate()
        change()
        assert snapshot(keyspace) != original
    harness.populate()
    assert snapshot(keyspace) == original


# -- the fuzzers -------------------------------------------------------------------------------

LINES_PER_COMMAND = 350
# Stream commands have the most state to get wrong: they get more lines.
LINES_PER_STREAM_COMMAND = 1000


@pytest.mark.parametrize("spec", EVERY_SPEC, ids=[spec.fullname for spec in EVERY_SPEC])
def test_random_arguments_for_each_command(
    spec: CommandSpec, error_log: list[logging.LogRecord]
) -> None:
    """Every command and subcommand of the table, with random argument vectors."""
    harness = make_harness(f"command:{spec.fullname}", error_log)
    lines = LINES_PER_STREAM_COMMAND if spec.group == "stream" else LINES_PER_COMMAND
    for _ in range(lines):
        harness.step(spec)
    assert harness.steps >= lines


SEQUENCE_SEEDS = [f"mixed:{n}" for n in range(16)]
LINES_PER_SEQUENCE = 3000
# Sequences are about state, so their lines keep their shape more often.
SEQUENCE_MUTATION = 0.15
# The mix: stream commands weigh more than the rest, blocking reads most.
WEIGHTED = [
    spec
    for spec in EVERY_SPEC
    for _ in range(12 if spec.has(BLOCKING) else 4 if spec.group == "stream" else 1)
]


@pytest.mark.parametrize("seed", SEQUENCE_SEEDS)
def test_random_command_sequences(seed: str, error_log: list[logging.LogRecord]) -> None:
    """All commands interleaved on two clients: blocking reads woken by other clients'
    writes, transactions, WATCH, CLIENT KILL / UNBLOCK, CONFIG SET, SWAPDB..."""
    harness = make_harness(seed, error_log)
    for _ in range(LINES_PER_SEQUENCE):
        harness.step(WEIGHTED[harness.rng.randrange(len(WEIGHTED))], SEQUENCE_MUTATION)
    assert harness.errors_seen > 0  # the vocabulary does reach the error paths


# -- unexpected exceptions -----------------------------------------------------------------------


def _faulty(harness: Harness, function: Callable[..., Any], rate: float) -> Callable[..., Any]:
    """``function``, failing with RuntimeError at ``rate`` while the harness injects:
    before doing anything, or after doing its work (a bug that strikes late)."""

    def wrapper(*args: Any) -> Any:
        if not harness.inject or harness.rng.random() >= rate:
            return function(*args)
        if harness.rng.random() < 0.5:
            harness.injected += 1
            raise RuntimeError("injected fault")
        function(*args)
        harness.injected += 1
        raise RuntimeError("injected fault, after the work")

    return wrapper


def _counted(harness: Harness, handler: Callable[..., Any]) -> Callable[..., Any]:
    """``handler``, keeping ``harness.in_handlers`` (how many handlers are running)."""

    def wrapper(*args: Any) -> Any:
        harness.in_handlers += 1
        try:
            return handler(*args)
        finally:
            harness.in_handlers -= 1

    return wrapper


FAULT_SEEDS = [f"faults:{n}" for n in range(4)]
LINES_PER_FAULT_SEQUENCE = 3000


@pytest.mark.parametrize("seed", FAULT_SEEDS)
def test_injected_faults(
    seed: str, error_log: list[logging.LogRecord], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Handlers, and the re-runs of woken blocked reads, fail now and then with an
    unexpected exception: each failure is one logged traceback and one ERR reply to the
    client concerned, nothing escapes ``execute``, and every connection goes on."""
    harness = make_harness(seed, error_log)
    harness.inject_faults = True
    harness.in_handlers = 0
    for spec in EVERY_SPEC:
        if spec.handler is not None:
            faulty = _faulty(harness, spec.handler, 0.02)
            monkeypatch.setattr(spec, "handler", _counted(harness, faulty))
    # A read runs inside its handler, and alone when a write wakes its blocked client
    # (a stream read, a list or sorted-set pop): the re-runs fail more often, so that
    # every seed meets a few.
    monkeypatch.setattr(
        streamread, "serve_read", _faulty(harness, streamread.serve_read, 0.02)
    )
    reruns = [0, 0]  # re-runs, and how many of them failed
    registry = harness.core.blocking
    block = registry.block

    def block_with_faulty_reruns(waiter: Any, reschedule: bool = True) -> None:
        if reschedule:  # blocked by its command (a re-queued waiter keeps its wrapper)
            rerun = _faulty(harness, waiter.retry, 0.5)

            def counted_rerun() -> Any:
                reruns[0] += 1
                before = harness.injected
                try:
                    return rerun()
                finally:
                    reruns[1] += harness.injected - before

            waiter.retry = counted_rerun
        block(waiter, reschedule)

    monkeypatch.setattr(registry, "block", block_with_faulty_reruns)
    for _ in range(LINES_PER_FAULT_SEQUENCE):
        harness.step(WEIGHTED[harness.rng.randrange(len(WEIGHTED))], SEQUENCE_MUTATION)
    # Woken re-runs are few and fail half the time: a sequence goes on (up to as long
    # again) until one has failed, so that a change of vocabulary cannot leave a seed
    # without any.
    for _ in range(LINES_PER_FAULT_SEQUENCE):
        if reruns[1]:
            break
        harness.step(WEIGHTED[harness.rng.randrange(len(WEIGHTED))], SEQUENCE_MUTATION)
    assert harness.injected > 10
    assert reruns[1] > 0, f"no re-run of a woken client failed ({reruns[0]} re-runs)"


def test_an_unexpected_exception_over_a_socket(
    make_server: Callable[..., Any],
    error_log: list[logging.LogRecord],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One traceback in the log, an ERR reply counted in errorstats and commandstats,
    and the same connection keeps working (pipelined commands behind it too)."""
    server = make_server()

    def broken(client: Client, argv: list[bytes]) -> Any:
        raise RuntimeError("a bug in a handler")

    monkeypatch.setattr(COMMANDS[b"echo"], "handler", broken)
    with RawClient(server.port) as raw:
        assert raw.command("ECHO", "hi") == INTERNAL_ERROR_REPLY
        assert len(error_log) == 1
        record = error_log[0]
        assert record.exc_info is not None and record.exc_info[0] is RuntimeError
        assert "echo" in record.getMessage()
        raw.send(encode_command("ECHO", "again") + encode_command("SET", "k", "v"))
        assert raw.read_reply() == INTERNAL_ERROR_REPLY
        assert raw.read_reply() == b"+OK\r\n"
        assert len(error_log) == 2
        assert raw.command("GET", "k") == b"$1\r\nv\r\n"
        assert raw.command("PING") == b"+PONG\r\n"
        errorstats = raw.command("INFO", "errorstats").decode()
        assert "errorstat_ERR:count=2" in errorstats
        stats = raw.command("INFO", "stats").decode()
        assert "total_error_replies:2\r\n" in stats
        commandstats = raw.command("INFO", "commandstats").decode()
        assert "cmdstat_echo:calls=2," in commandstats
        assert "rejected_calls=0,failed_calls=2" in commandstats
        monkeypatch.undo()
        assert raw.command("ECHO", "fixed") == b"$5\r\nfixed\r\n"
    assert len(error_log) == 2
