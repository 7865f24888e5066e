"""Differential fuzzer: random stream command sequences against minivalkey and a reference.

Each sequence is drawn from a seeded ``random.Random`` (so a seed always gives the
same commands) over a deliberately small space: three keys (``k`` sometimes holds a
string, for WRONGTYPE), explicit entry IDs from a small range (so XADD collisions and
"equal or smaller" errors are common), two groups and three consumers. Every stream
command family is drawn: XADD with its trimming options, XRANGE/XREVRANGE, XLEN,
XDEL, XTRIM, XSETID, the XGROUP subcommands, XREAD/XREADGROUP without BLOCK, XACK,
XPENDING, XCLAIM, XAUTOCLAIM, the XINFO subcommands, and DEL/EXISTS/TYPE/SET. A few
commands get one argument replaced by junk, dropped or repeated (``mutate``), for
the error paths. Node limits, field names and values vary, so nodes split at
different points.

A sequence runs on a flushed database of both servers over raw sockets (RESP2, and
RESP3 for every ``RESP3_EVERY``-th sequence), and the replies are compared byte for
byte once the clock-dependent values are normalised (``replay.NORMALISERS``). No
command depends on time: claims use a min-idle of 0 or one far beyond any idle time
reached here, XPENDING's IDLE filter likewise, and '*' IDs are never used. Against
Redis 7.x, ``known_differences.fuzz_view`` adjusts what is sent and compared, the
same way on both sides; against Valkey nothing is adjusted.

A mismatch is reported as the shortest failing sequence found by removing commands
while it still fails, with both servers' replies to the differing command. A
connection the server closes shows as ``replay.LOST`` replies, so a command
minivalkey does not survive is reported like any other difference. Sequences,
comparing, shrinking and reports are ``fuzzing``'s, shared with the data-type fuzzer.

Bounds: ``DEFAULT_SEQUENCES`` sequences (about 8 s against a local redis-server);
``MINIVALKEY_FUZZ_SEQUENCES`` changes the count and ``MINIVALKEY_FUZZ_SEED`` the first
seed, for longer local runs or to replay one reported seed. Skipped when
``MINIVALKEY_REFERENCE_URL`` is not set, like the rest of the compat suite; the
harness's own tests always run.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Iterator

import fuzzing
import pytest
from fuzzing import Mismatch, Sequence, compare, describe, fuzz, pair, runner, shrink, verdict
from known_differences import Reference, fuzz_view
from replay import LOST, Connection, Step, parse, replay, replay_until_lost, step

from minivalkey import Server
from minivalkey.clock import ManualClock

DEFAULT_SEQUENCES = 2000  # about 8 s against a local redis-server
SEQUENCES = fuzzing.sequences(DEFAULT_SEQUENCES)
FIRST_SEED = fuzzing.first_seed()
RESP3_EVERY = 4  # every fourth sequence speaks RESP3
MIN_COMMANDS, MAX_COMMANDS = 8, 40

KEYS = ("s1", "s2", "k")
STRING_KEY = "k"
GROUPS = ("g1", "g2")
CONSUMERS = ("c1", "c2", "c3")
ENTRY_IDS = ("1-0", "1-1", "2", "2-1", "3-0", "3-*", "4-0", "4-*", "5-0", "6-2")
OTHER_IDS = ("0-1", "1-0", "1-1", "2-0", "2-1", "3-0", "3-1", "4-0", "5-0", "6-2", "9-0", "99-0")
HUGE_IDLE = "3600000"  # far beyond any idle time a sequence reaches
FAR_PAST_IDLE = "7200000"  # IDLE that makes an entry older than HUGE_IDLE
# Arguments a mutated command gets in place of one of its own: bad numbers and IDs,
# extremes, option words out of place.
JUNK = (
    "x", "", "-1", "0", "-", "+", "$", ">", "(", "(-", "1-x", "18446744073709551615",
    "18446744073709551615-18446744073709551615", "9223372036854775808", "-9223372036854775809",
    "COUNT", "JUSTID", "MAXLEN", "LIMIT", "STREAMS", "FULL", "MKSTREAM",
)  # fmt: skip
MUTATED = 0.06  # the share of commands that get one argument replaced, dropped or repeated
# Field names and values: repeated names (the node's master fields), numbers a listpack
# stores as integers of several widths, and long strings, so that node sizes (and with
# them node splits, radix-tree-nodes and XTRIM ~) vary.
FIELDS = ("f", "f", "g", "field", "12", "h" * 70)
VALUES = (
    "v", "1", "", "value", "-1", "127", "-4096", "12345678", "9223372036854775807",
    "9223372036854775808", "1.5", "x" * 40, "y" * 200,
)  # fmt: skip
# (stream-node-max-entries, stream-node-max-bytes) per sequence: 0 means no limit.
NODE_LIMITS = (
    (100, 4096), (100, 4096), (2, 4096), (3, 0), (5, 4096), (100, 60), (0, 100), (10, 200),
    (100, 1), (4, 150),
)  # fmt: skip


class Draw:
    """One sequence's random choices, as commands (argv tuples) and their normalisers.

    It keeps a rough picture of what the commands so far built (not a model of the
    server: it ignores failures), only to aim most IDs at entries that may exist and
    most group commands at groups that may exist.
    """

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        # The next millisecond part each key's XADDs move to: most XADDs go forward
        # (so streams grow), the rest draw from ENTRY_IDS (collisions, smaller IDs).
        self.next_ms = dict.fromkeys(KEYS, 1)
        # The (key, group) pairs drawn for XGROUP CREATE so far.
        self.created: list[tuple[str, str]] = []

    def pick(self, options: tuple[str, ...]) -> str:
        return self.rng.choice(options)

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def key(self) -> str:
        # The string key is drawn less often: most commands should meet a stream.
        return self.pick(("s1", "s1", "s1", "s1", "s2", "s2", "s2", STRING_KEY))

    def group(self) -> str:
        return self.pick(GROUPS + ("g1",) + (("nogroup",) if self.chance(0.05) else ()))

    def key_group(self) -> tuple[str, str]:
        if self.created and self.chance(0.85):
            return self.rng.choice(self.created)
        return self.key(), self.group()

    def some_id(self, key: str) -> str:
        """Mostly an ID at or below the key's newest XADD, else one from OTHER_IDS."""
        top = self.next_ms[key]
        if top > 1 and self.chance(0.85):
            ms = self.rng.randint(1, top)
            return self.pick((f"{ms}", f"{ms}-0", f"{ms}-0", f"{ms}-1", f"{ms}-2"))
        return self.pick(OTHER_IDS)

    def some_ids(self, key: str, most: int) -> list[str]:
        return [self.some_id(key) for _ in range(self.rng.randint(1, most))]

    def bound(self, key: str, end: str) -> str:
        """A range bound: ``end`` ('-' or '+'), an ID, or an exclusive ID."""
        roll = self.rng.random()
        if roll < 0.35:
            return end
        if roll < 0.55:
            return "(" + self.some_id(key)
        return self.some_id(key)

    def count(self, *extra: str) -> list[str]:
        return ["COUNT", self.pick(("0", "1", "1", "2", "3", "10") + extra)]

    # -- commands -------------------------------------------------------------------------

    def xadd(self, key: str | None = None) -> Step:
        argv = ["XADD", key or self.key()]
        if self.chance(0.1):
            argv.append("NOMKSTREAM")
        if key is None and self.chance(0.25):
            argv += self.trim_spec(argv[1])
        argv.append(self.entry_id(argv[1]))
        for _ in range(self.rng.randint(1, 3)):
            argv += [self.pick(FIELDS), self.pick(VALUES)]
        return step(*argv)

    def entry_id(self, key: str) -> str:
        if self.chance(0.12):
            return self.pick(ENTRY_IDS + (("0-0",) if self.chance(0.1) else ()))
        ms = self.next_ms[key]
        if self.chance(0.3):
            return f"{ms - 1}-*" if ms > 1 else "1-*"  # another entry in the newest ms
        self.next_ms[key] = ms + 1
        return self.pick((f"{ms}-*", f"{ms}", f"{ms}", f"{ms}-{self.rng.randint(1, 3)}"))

    def trim_spec(self, key: str) -> list[str]:
        exact = self.pick(("", "=", "~"))
        if self.chance(0.5):
            threshold = self.pick(("0", "1", "2", "3", "5", "8"))
            spec = ["MAXLEN"] + ([exact] if exact else []) + [threshold]
        else:
            spec = ["MINID"] + ([exact] if exact else []) + [self.some_id(key)]
        if exact == "~" and self.chance(0.4) or self.chance(0.03):
            spec += ["LIMIT", self.pick(("0", "1", "2", "100"))]
        return spec

    def xtrim(self) -> Step:
        key = self.key()
        return step("XTRIM", key, *self.trim_spec(key))

    def xrange(self) -> Step:
        key = self.key()
        low, high = self.bound(key, "-"), self.bound(key, "+")
        if self.chance(0.4):
            argv = ["XREVRANGE", key, high, low]
        else:
            argv = ["XRANGE", key, low, high]
        if self.chance(0.3):
            argv += self.count()
        return step(*argv)

    def xlen(self) -> Step:
        return step("XLEN", self.key())

    def xdel(self) -> Step:
        key = self.key()
        return step("XDEL", key, *self.some_ids(key, 3))

    def xsetid(self) -> Step:
        key = self.key()
        top = self.next_ms[key]
        target = self.pick((self.some_id(key), f"{top - 1}-{self.rng.randint(0, 3)}", f"{top + 2}"))
        argv = ["XSETID", key, target]
        if self.chance(0.3):
            argv += ["ENTRIESADDED", self.pick(("0", "3", "5", "10", "100"))]
        if self.chance(0.3):
            argv += ["MAXDELETEDID", self.pick(("0-0", self.some_id(key)))]
        return step(*argv)

    def group_start(self, key: str) -> str:
        return self.pick(("$", "0", "0", self.some_id(key)))

    def xgroup(self) -> Step:
        action = self.rng.choices(
            ("CREATE", "SETID", "DESTROY", "CREATECONSUMER", "DELCONSUMER"), (4, 3, 1, 2, 2)
        )[0]
        if action == "CREATE":
            return self.create()
        key, group = self.key_group()
        if action == "SETID":
            argv = ["XGROUP", action, key, group, self.group_start(key)]
            if self.chance(0.3):
                argv += ["ENTRIESREAD", self.pick(("0", "1", "2", "5"))]
            return step(*argv)
        if action == "DESTROY":
            return step("XGROUP", "DESTROY", key, group)
        return step("XGROUP", action, key, group, self.pick(CONSUMERS))

    def create(self, key: str | None = None, group: str | None = None) -> Step:
        key, group = key or self.key(), group or self.group()
        self.created.append((key, group))
        argv = ["XGROUP", "CREATE", key, group, self.group_start(key)]
        if self.chance(0.7):
            argv.append("MKSTREAM")
        if self.chance(0.2):
            argv += ["ENTRIESREAD", self.pick(("0", "1", "2", "5"))]
        return step(*argv)

    def xreadgroup(self) -> Step:
        key, group = self.key_group()
        argv = ["XREADGROUP", "GROUP", group, self.pick(CONSUMERS)]
        if self.chance(0.4):
            argv += self.count()
        if self.chance(0.2):
            argv.append("NOACK")
        keys = [key] + ([self.key_group()[0]] if self.chance(0.2) else [])
        ids = [">" if self.chance(0.65) else self.pick(("0", self.some_id(k))) for k in keys]
        return step(*argv, "STREAMS", *keys, *ids)

    def xread(self) -> Step:
        argv = ["XREAD"] + (self.count() if self.chance(0.4) else [])
        keys = [self.key()] + ([self.key()] if self.chance(0.3) else [])
        ids = [self.pick(("0", "$", self.some_id(key))) for key in keys]
        return step(*argv, "STREAMS", *keys, *ids)

    def xack(self) -> Step:
        key, group = self.key_group()
        return step("XACK", key, group, *self.some_ids(key, 3))

    def xpending(self) -> Step:
        key, group = self.key_group()
        if self.chance(0.3):
            return step("XPENDING", key, group)
        idle = ["IDLE", self.pick(("0", HUGE_IDLE))] if self.chance(0.2) else []
        if self.chance(0.25):  # one ID as both bounds: inclusive ends matter
            low = high = self.some_id(key)
        else:
            low, high = self.bound(key, "-"), self.bound(key, "+")
        argv = ["XPENDING", key, group, *idle, low, high]
        argv.append(self.pick(("0", "1", "2", "10", "10")))
        if self.chance(0.35):
            argv.append(self.pick(CONSUMERS))
        return step(*argv, normalise="xpending")

    def xclaim(self) -> Step:
        key, group = self.key_group()
        min_idle = HUGE_IDLE if self.chance(0.15) else "0"
        argv = ["XCLAIM", key, group, self.pick(CONSUMERS), min_idle, *self.some_ids(key, 3)]
        options = [
            ["JUSTID"],
            ["FORCE"],
            ["RETRYCOUNT", self.pick(("0", "3"))],
            ["LASTID", self.some_id(key)],
            ["IDLE", self.pick(("0", FAR_PAST_IDLE))],
            ["TIME", "0"],
        ]
        for option in options:
            if self.chance(0.2):
                argv += option
        return step(*argv)

    def xautoclaim(self) -> Step:
        key, group = self.key_group()
        min_idle = HUGE_IDLE if self.chance(0.15) else "0"
        argv = ["XAUTOCLAIM", key, group, self.pick(CONSUMERS), min_idle]
        argv.append(self.pick(("0", "0", self.some_id(key), "(" + self.some_id(key))))
        if self.chance(0.5):
            argv += ["COUNT", self.pick(("1", "2", "3", "100"))]
        if self.chance(0.3):
            argv.append("JUSTID")
        return step(*argv)

    def xinfo(self) -> Step:
        key = self.key()
        kind = self.rng.choices(("STREAM", "FULL", "GROUPS", "CONSUMERS"), (2, 3, 2, 2))[0]
        if kind == "STREAM":
            return step("XINFO", "STREAM", key)
        if kind == "FULL":
            extra = self.count("0") if self.chance(0.3) else []
            return step("XINFO", "STREAM", key, "FULL", *extra, normalise="full")
        if kind == "GROUPS":
            return step("XINFO", "GROUPS", key)
        return step("XINFO", "CONSUMERS", *self.key_group(), normalise="consumers")

    def keyspace(self) -> Step:
        kind = self.rng.choices(("DEL", "EXISTS", "TYPE", "SET"), (2, 2, 2, 1))[0]
        if kind == "SET":
            return step("SET", self.pick(KEYS), "x")
        if kind == "DEL":
            return step("DEL", *dict.fromkeys(self.key() for _ in range(self.rng.randint(1, 2))))
        return step(kind, self.key())

    def start(self) -> list[Step]:
        """A few entries and groups on one or two streams, so later commands find some."""
        steps: list[Step] = []
        for key in ("s1", "s2")[: self.rng.randint(1, 2)]:
            steps += [self.xadd(key) for _ in range(self.rng.randint(0, 5))]
            steps += [self.create(key, group) for group in GROUPS if self.chance(0.6)]
        return steps


COMMANDS: dict[str, tuple[Callable[[Draw], Step], int]] = {
    "xadd": (Draw.xadd, 22),
    "xrange": (Draw.xrange, 6),
    "xlen": (Draw.xlen, 2),
    "xdel": (Draw.xdel, 4),
    "xtrim": (Draw.xtrim, 3),
    "xsetid": (Draw.xsetid, 2),
    "xgroup": (Draw.xgroup, 9),
    "xreadgroup": (Draw.xreadgroup, 12),
    "xread": (Draw.xread, 3),
    "xack": (Draw.xack, 5),
    "xpending": (Draw.xpending, 8),
    "xclaim": (Draw.xclaim, 6),
    "xautoclaim": (Draw.xautoclaim, 4),
    "xinfo": (Draw.xinfo, 8),
    "keyspace": (Draw.keyspace, 3),
}


def mutate(rng: random.Random, command: Step) -> Step:
    """Now and then (``MUTATED``), one argument replaced by junk, dropped, or repeated."""
    return fuzzing.mutate(rng, command, JUNK, MUTATED)


def generate(seed: int) -> Sequence:
    """The sequence for ``seed``: the same commands every time."""
    rng = random.Random(seed)
    draw = Draw(rng)
    entries, node_bytes = rng.choice(NODE_LIMITS)
    setup = [
        step("FLUSHALL"),
        step("CONFIG", "SET", "stream-node-max-entries", entries),
        step("CONFIG", "SET", "stream-node-max-bytes", node_bytes),
    ]
    if rng.random() < 0.5:
        setup.append(step("SET", STRING_KEY, "string"))
    makers, weights = zip(*COMMANDS.values(), strict=True)
    start = draw.start()
    length = rng.randint(MIN_COMMANDS, MAX_COMMANDS)
    rest = rng.choices(makers, weights, k=max(length - len(start), 1))
    commands = tuple(start + [mutate(rng, make(draw)) for make in rest])
    protocol = 3 if seed % RESP3_EVERY == RESP3_EVERY - 1 else 2
    return Sequence(seed, protocol, tuple(setup), commands)


# -- the tests ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def subject() -> Iterator[Server]:
    # A clock that stands still: minivalkey's idle times are all 0, and nothing compared
    # depends on them anyway.
    with Server(clock=ManualClock()) as server:
        yield server


def _restore_defaults(host: str, port: int) -> None:
    connection = Connection(host, port)
    try:
        connection.run(
            [
                (b"FLUSHALL",),
                (b"CONFIG", b"SET", b"stream-node-max-entries", b"100"),
                (b"CONFIG", b"SET", b"stream-node-max-bytes", b"4096"),
            ]
        )
    finally:
        connection.close()


def test_random_stream_sequences_match_reference(
    reference: tuple[str, int, Reference], subject: Server
) -> None:
    host, port, ref = reference
    view = fuzz_view(ref)
    seeds = range(FIRST_SEED, FIRST_SEED + SEQUENCES)
    try:
        failing, reports = fuzz(
            seeds,
            generate,
            pair(runner(host, port, view), runner("127.0.0.1", subject.port, view)),
            ref,
        )
    finally:
        _restore_defaults(host, port)
        _restore_defaults("127.0.0.1", subject.port)
    assert failing == 0, verdict(failing, seeds, ref, reports)


# -- the harness itself (no reference needed) -------------------------------------------------


def test_sequences_are_deterministic() -> None:
    assert generate(7) == generate(7)
    assert generate(7) != generate(8)
    assert generate(3).protocol == 3 and generate(4).protocol == 2


def test_default_run_covers_every_command_and_option() -> None:
    """The default bounded run draws each command family and the options the brief names."""
    words: set[tuple[str, str]] = set()
    for seed in range(DEFAULT_SEQUENCES):
        for step_ in generate(seed).commands:
            name = step_.argv[0].decode().upper()
            words.update((name, arg.decode().upper()) for arg in step_.argv[1:])
            words.add((name, ""))
    expected = {
        ("XADD", ""), ("XADD", "NOMKSTREAM"), ("XADD", "MAXLEN"), ("XADD", "MINID"),
        ("XADD", "~"), ("XADD", "="), ("XADD", "LIMIT"), ("XRANGE", "COUNT"),
        ("XREVRANGE", ""), ("XLEN", ""), ("XDEL", ""), ("XTRIM", "LIMIT"),
        ("XSETID", "ENTRIESADDED"), ("XSETID", "MAXDELETEDID"),
        ("XGROUP", "CREATE"), ("XGROUP", "SETID"), ("XGROUP", "DESTROY"),
        ("XGROUP", "CREATECONSUMER"), ("XGROUP", "DELCONSUMER"), ("XGROUP", "MKSTREAM"),
        ("XGROUP", "ENTRIESREAD"), ("XREADGROUP", ">"), ("XREADGROUP", "NOACK"),
        ("XREADGROUP", "COUNT"), ("XREAD", "COUNT"), ("XACK", ""), ("XPENDING", "IDLE"),
        ("XPENDING", "C1"), ("XCLAIM", "JUSTID"), ("XCLAIM", "FORCE"),
        ("XCLAIM", "RETRYCOUNT"), ("XCLAIM", "LASTID"), ("XAUTOCLAIM", "COUNT"),
        ("XAUTOCLAIM", "JUSTID"), ("XINFO", "FULL"), ("XINFO", "GROUPS"),
        ("XINFO", "CONSUMERS"), ("DEL", ""), ("EXISTS", ""), ("TYPE", ""), ("SET", "K"),
    }  # fmt: skip
    assert expected - words == set()
    assert any(word.startswith("(") for name, word in words if name == "XRANGE")
    assert any(word.startswith("(") for name, word in words if name == "XREVRANGE")
    protocols = {generate(seed).protocol for seed in range(DEFAULT_SEQUENCES)}
    assert protocols == {2, 3}


def test_mutations_replace_drop_or_repeat_one_argument(monkeypatch: pytest.MonkeyPatch) -> None:
    command = step("XRANGE", "s1", "-", "+", "COUNT", "2")
    monkeypatch.setattr(sys.modules[__name__], "MUTATED", 1.0)
    rng = random.Random(1)
    kinds = set()
    changed = 0
    for _ in range(200):
        argv = mutate(rng, command).argv
        assert argv[0] == b"XRANGE"
        changed += argv != command.argv  # junk can be the very argument it replaces
        kinds.add(len(argv) - len(command.argv))
    assert kinds == {-1, 0, 1} and changed > 180
    monkeypatch.setattr(sys.modules[__name__], "MUTATED", 0.0)
    assert mutate(rng, command) == command


def test_no_command_depends_on_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """No '*' ID, no BLOCK, claims at min-idle 0 or HUGE_IDLE, and a normaliser on every
    reply that holds times; mutations add none of these."""
    assert not {"*", "BLOCK", "IDLE", "TIME"} & set(JUNK)
    monkeypatch.setattr(sys.modules[__name__], "MUTATED", 0.0)
    for seed in range(DEFAULT_SEQUENCES):
        for step_ in generate(seed).commands:
            argv = [arg.upper() for arg in step_.argv]
            assert b"*" not in argv and b"BLOCK" not in argv, step_.text
            if argv[0] in (b"XCLAIM", b"XAUTOCLAIM"):
                assert argv[4] in (b"0", HUGE_IDLE.encode()), step_.text
            if argv[:2] == [b"XINFO", b"CONSUMERS"] or b"FULL" in argv:
                assert step_.normalise is not None, step_.text
            if argv[0] == b"XPENDING" and len(argv) > 3:
                assert step_.normalise == "xpending", step_.text


def test_shrink_finds_the_commands_that_matter() -> None:
    """A fake pair of servers that differ only once both 'A' and 'B' ran: the shrunk
    sequence is exactly those two commands, cut after the differing reply."""
    sequence = Sequence(
        0,
        2,
        (step("FLUSHALL"),),
        tuple(step(name) for name in ("x", "A", "y", "z", "B", "w", "v")),
    )

    def reference(steps: list[Step], protocol: int) -> list[bytes]:
        return [b"+OK\r\n"] * len(steps)

    def subject(steps: list[Step], protocol: int) -> list[bytes]:
        names = [step_.argv[0] for step_ in steps]
        return [
            b"-ERR\r\n" if name == b"B" and b"A" in names[:index] else b"+OK\r\n"
            for index, name in enumerate(names)
        ]

    found = compare(sequence, sequence.commands, pair(reference, subject))
    assert found is not None and [s.argv[0] for s in found.commands] == [
        b"x",
        b"A",
        b"y",
        b"z",
        b"B",
    ]

    def fails(commands: tuple[Step, ...]) -> Mismatch | None:
        return compare(sequence, commands, pair(reference, subject))

    shrunk = shrink(found, fails)
    assert [s.argv[0] for s in shrunk.commands] == [b"A", b"B"]
    assert shrunk.differing == ((1, b"+OK\r\n", b"-ERR\r\n"),)
    report = describe(sequence, shrunk, Reference("valkey", "8.0.1"))
    assert "> B" in report and "minivalkey: b'-ERR\\r\\n'" in report


def test_replies_parse_for_every_command(subject: Server) -> None:
    """Every reply minivalkey gives to a few sequences is one well-formed RESP value
    (so a mismatch report never comes from the harness misreading a reply)."""
    for seed in range(4):
        sequence = generate(seed)
        for data in replay("127.0.0.1", subject.port, sequence.steps(), sequence.protocol):
            assert parse(data).serialize() == data
    _restore_defaults("127.0.0.1", subject.port)


def test_a_lost_connection_is_a_reply_of_its_own(subject: Server) -> None:
    """When the server closes the connection, the commands it did not answer get LOST,
    so the fuzzer reports the command the server did not survive instead of erroring."""
    steps = [step("PING"), step("QUIT"), step("PING")]
    assert replay_until_lost("127.0.0.1", subject.port, steps, 2) == [
        b"+PONG\r\n",
        b"+OK\r\n",
        LOST,
    ]


def test_redis_7_view_sends_consumers_first_and_leaves_out_what_7_0_cannot_match() -> None:
    redis7 = fuzz_view(Reference("redis", "7.0.15"))
    valkey = fuzz_view(Reference("valkey", "8.0.1"))
    steps = [
        step(
            "XREADGROUP",
            "GROUP",
            "g",
            "STREAMS",
            "COUNT",
            "1",
            "STREAMS",
            "a",
            "b",
            "a",
            ">",
            "0",
            ">",
        ),
        step("XCLAIM", "a", "g", "c", "0", "1-0"),
        step("XREADGROUP", "GROUP", "g", "c", "STREAMS", "a"),  # unbalanced: names no consumer
        step("XSETID", "a", "5-0"),
        step("XDEL", "a", "1-0"),
        step("XSETID", "a", "5-0"),
        step("XSETID", "b", "5-0"),
        step("XREAD", "STREAMS", "a", "+"),
    ]
    assert valkey.send(steps) == [[s] for s in steps]
    sent = redis7.send(steps)
    create = b"XGROUP", b"CREATECONSUMER"
    assert [s.argv for s in sent[0]] == [
        (*create, b"a", b"g", b"STREAMS"),
        (*create, b"b", b"g", b"STREAMS"),
        steps[0].argv,
    ]
    assert [s.argv for s in sent[1]] == [(*create, b"a", b"g", b"c"), steps[1].argv]
    assert sent[2:] == [[steps[2]], [steps[3]], [steps[4]], [], [steps[6]], []]


def test_redis_7_view_removes_fields_7_0_does_not_have() -> None:
    redis7 = fuzz_view(Reference("redis", "7.0.15"))
    consumers = step("XINFO", "CONSUMERS", "s", "g")
    reply = (
        b"*1\r\n%4\r\n$4\r\nname\r\n$1\r\nc\r\n$7\r\npending\r\n:0\r\n"
        b"$4\r\nidle\r\n:0\r\n$8\r\ninactive\r\n:-1\r\n"
    )
    assert redis7.reply(consumers, reply) == (
        b"*1\r\n%3\r\n$4\r\nname\r\n$1\r\nc\r\n$7\r\npending\r\n:0\r\n$4\r\nidle\r\n:0\r\n"
    )
    assert fuzz_view(Reference("valkey", "8.0.1")).reply(consumers, reply) == reply
    full = step("XINFO", "STREAM", "s", "FULL")
    full_reply = (
        b"*4\r\n$6\r\nlength\r\n:0\r\n$6\r\ngroups\r\n*1\r\n*4\r\n$4\r\nname\r\n$1\r\ng\r\n"
        b"$9\r\nconsumers\r\n*1\r\n*6\r\n$4\r\nname\r\n$1\r\nc\r\n"
        b"$11\r\nactive-time\r\n:-1\r\n$9\r\npel-count\r\n:0\r\n"
    )
    assert redis7.reply(full, full_reply) == full_reply.replace(b"*6\r\n", b"*4\r\n").replace(
        b"$11\r\nactive-time\r\n:-1\r\n", b""
    )
    unbalanced = b"-ERR Unbalanced XREAD list of streams: for each stream key an ID...\r\n"
    assert redis7.reply(step("XREAD", "STREAMS", "a"), unbalanced) == b"-ERR Unbalanced ...\r\n"
    assert redis7.reply(step("XLEN", "a"), b":0\r\n") == b":0\r\n"
