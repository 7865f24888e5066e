"""Differential fuzzer over the data types: random sequences against minivalkey and a reference.

Each sequence (``typedraw.generate``: seeded, over a small key space of every type,
its setup setting every encoding threshold) runs on a flushed database of both
servers over raw sockets, in RESP2 and, every fourth sequence, RESP3. Replies are
compared byte for byte after normalising only what is truly unordered or random
(``unordered``: members of hashtable encodings, iterated SCAN cursors, random picks,
remaining TTLs). Against Redis 7.x, ``known_differences.types_view`` adjusts what is
sent and compared the same way on both sides; against Valkey nothing is adjusted.

The commands drawn are those minivalkey has (``typedraw.Menu``): a family is fuzzed
from the moment its commands land. A mismatch is reported as the shortest failing
sequence (``fuzzing.shrink``) with both servers' replies to the differing command.

Bounds: ``DEFAULT_SEQUENCES`` sequences (seconds against a local redis-server);
``MINIVALKEY_FUZZ_SEQUENCES`` changes the count and ``MINIVALKEY_FUZZ_SEED`` the first
seed. Skipped when ``MINIVALKEY_REFERENCE_URL`` is not set; the harness's own tests
always run.
"""

from __future__ import annotations

from collections.abc import Iterator

import fuzzing
import pytest
import typedraw
from fuzzing import Sequence, fuzz, verdict
from known_differences import Reference, types_view
from replay import Connection, parse, replay, step
from typedraw import DEFAULT_LIMITS, FAMILIES, Menu, generate
from unordered import (
    CLEAR_ERRNO,
    Outcome,
    Treatment,
    compared,
    execute,
    shuffled_keys,
    treatment,
    typed_pair,
)

from minivalkey import Server
from minivalkey.commands.table import COMMANDS

DEFAULT_SEQUENCES = 1000  # about 8 s against a local redis-server, every family drawn
SEQUENCES = fuzzing.sequences(DEFAULT_SEQUENCES)
FIRST_SEED = fuzzing.first_seed()

AVAILABLE = frozenset(name.decode() for name in COMMANDS)
MENU = Menu.of(AVAILABLE)
# Every command some maker may send: what the generator covers once all families land.
EVERY_COMMAND = frozenset(
    name for makers in FAMILIES.values() for m in makers for name in m.commands
)


def sequence_for(seed: int) -> Sequence:
    return generate(seed, MENU)


@pytest.fixture(scope="module")
def subject() -> Iterator[Server]:
    with Server() as server:
        yield server


def _restore_defaults(host: str, port: int) -> None:
    connection = Connection(host, port)
    try:
        connection.run(
            [(b"FLUSHALL",)]
            + [(b"CONFIG", b"SET", name.encode(), b"%d" % v) for name, v in DEFAULT_LIMITS.items()]
        )
    finally:
        connection.close()


def test_random_typed_sequences_match_reference(
    reference: tuple[str, int, Reference], subject: Server
) -> None:
    host, port, ref = reference
    seeds = range(FIRST_SEED, FIRST_SEED + SEQUENCES)
    run = typed_pair((host, port), ("127.0.0.1", subject.port), types_view(ref))
    try:
        failing, reports = fuzz(seeds, sequence_for, run, ref)
    finally:
        _restore_defaults(host, port)
        _restore_defaults("127.0.0.1", subject.port)
    assert failing == 0, verdict(failing, seeds, ref, reports)


# -- the harness itself (no reference needed) -------------------------------------------------


def test_sequences_are_deterministic() -> None:
    assert sequence_for(7) == sequence_for(7)
    assert sequence_for(7) != sequence_for(8)
    assert sequence_for(3).protocol == 3 and sequence_for(4).protocol == 2


def test_the_menu_holds_what_minivalkey_has() -> None:
    drawn = {name for maker in MENU.makers for name in maker.commands}
    assert drawn <= AVAILABLE
    assert {"sadd", "hset", "type", "scan", "copy"} <= drawn


def test_with_every_family_the_default_run_covers_every_command() -> None:
    """Once all families have landed, the default bounded run draws every command."""
    menu = Menu.of(EVERY_COMMAND)
    assert set(menu.kinds) == set(typedraw.KEYS_BY_KIND)
    drawn: set[str] = set()
    for seed in range(DEFAULT_SEQUENCES):
        drawn.update(s.argv[0].decode().lower() for s in generate(seed, menu).commands)
    assert EVERY_COMMAND - drawn == set()


def test_every_sequence_sets_every_threshold_and_they_vary() -> None:
    seen: dict[bytes, set[bytes]] = {}
    for seed in range(200):
        setup = sequence_for(seed).setup
        assert setup[0].argv == (b"FLUSHALL",)
        names = [s.argv[2] for s in setup[1:]]
        assert sorted(names) == sorted(name.encode() for name in DEFAULT_LIMITS)
        for s in setup[1:]:
            seen.setdefault(s.argv[2], set()).add(s.argv[3])
    assert all(len(values) >= 4 for values in seen.values())


EXPIRY_OPTIONS = (b"EX", b"PX", b"EXAT", b"PXAT")


def test_no_command_depends_on_the_clock() -> None:
    """Expiry times are far away (or long past, or refused), blocking pops time out after
    10 ms; junk (in mutations) holds no small positive number."""
    assert not [arg for arg in typedraw.JUNK if arg.isdigit() and 1 < int(arg) < 10**12]
    menu = Menu.of(EVERY_COMMAND)
    for seed in range(DEFAULT_SEQUENCES):
        for s in generate(seed, menu).commands:
            argv = [arg.upper() for arg in s.argv]
            times = [argv[i + 1] for i in range(2, len(argv) - 1) if argv[i] in EXPIRY_OPTIONS]
            if argv[0] not in (b"SET", b"GETEX"):
                times = []
            if argv[0] in (b"SETEX", b"PSETEX", b"EXPIRE") and len(argv) > 2:
                times.append(argv[2])
            numbers = [int(arg) for arg in times if arg.isdigit()]
            assert all(n in (0, 1, 1000) or n >= 100000 for n in numbers), s.text
            if argv[0] in (b"BLPOP", b"BRPOP", b"BLMOVE", b"BRPOPLPUSH", b"BZPOPMIN", b"BZPOPMAX"):
                assert argv[-1] == b"0.01", s.text
            if argv[0] in (b"BLMPOP", b"BZMPOP"):
                assert argv[1] == b"0.01", s.text


def test_replies_parse_for_every_command(subject: Server) -> None:
    """Every reply minivalkey gives to a few sequences is one well-formed RESP value."""
    for seed in range(8):
        sequence = sequence_for(seed)
        for data in replay("127.0.0.1", subject.port, sequence.steps(), sequence.protocol):
            assert parse(data).serialize() == data
    _restore_defaults("127.0.0.1", subject.port)


def test_typed_pair_against_itself_agrees(subject: Server) -> None:
    """minivalkey compared with itself (standing in for the reference, probes and all)
    never differs: what is normalised is normalised the same way on both sides."""
    address = ("127.0.0.1", subject.port)
    run = typed_pair(address, address, types_view(Reference("valkey", "8.0.1")))
    failing, reports = fuzz(range(40), sequence_for, run, Reference("valkey", "8.0.1"))
    _restore_defaults(*address)
    assert failing == 0, reports


# -- the normalisers (no reference needed) ----------------------------------------------------

HASHTABLE = b"$9\r\nhashtable\r\n"
LISTPACK = b"$8\r\nlistpack\r\n"
INTSET = b"$6\r\nintset\r\n"
NO_KEY = b"-ERR no such key\r\n"


def _compare(argv: str, reply: bytes, own: list[bytes], ref: list[bytes], shuffled=False) -> bytes:
    plan = treatment(tuple(arg.encode() for arg in argv.split()), 512)
    outcome = Outcome(reply, own, ref)
    return compared(plan, outcome, outcome, shuffled)


def _bulks(*items: bytes, kind: bytes = b"*") -> bytes:
    return kind + b"%d\r\n" % len(items) + b"".join(b"$%d\r\n%s\r\n" % (len(i), i) for i in items)


def test_members_are_sorted_only_for_a_hashtable_on_the_reference() -> None:
    reply = _bulks(b"c", b"a", b"b")
    assert _compare("SMEMBERS s", reply, [], [HASHTABLE]) == _bulks(b"a", b"b", b"c")
    assert _compare("SMEMBERS s", reply, [], [LISTPACK]) == reply
    assert _compare("HKEYS h", reply, [], [LISTPACK]) == reply
    # shuffled (built from a hashtable's order): sorted unless an intset
    assert _compare("SMEMBERS s", reply, [], [LISTPACK], True) == _bulks(b"a", b"b", b"c")
    numbers = _bulks(b"10", b"9")
    assert _compare("SMEMBERS s", numbers, [], [INTSET], True) == numbers
    pairs = b"%2\r\n$1\r\nb\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n2\r\n"
    assert _compare("HGETALL h", pairs, [], [HASHTABLE]) == (
        b"%2\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nb\r\n$1\r\n1\r\n"
    )
    assert _compare("HGETALL h", pairs, [], [LISTPACK]) == pairs
    assert _compare("SMEMBERS s", b"-WRONGTYPE x\r\n", [], [HASHTABLE]) == b"-WRONGTYPE x\r\n"
    assert _compare("KEYS *", reply, [], []) == _bulks(b"a", b"b", b"c")


def test_sinter_follows_its_first_smallest_set() -> None:
    reply = _bulks(b"b", b"a", kind=b"~")
    sizes = [b":3\r\n", LISTPACK, b":2\r\n", HASHTABLE]  # SCARD and encoding of each key
    assert _compare("SINTER p q", reply, [], sizes) == _bulks(b"a", b"b", kind=b"~")
    sizes = [b":2\r\n", LISTPACK, b":2\r\n", HASHTABLE]  # a tie: the first one counts
    assert _compare("SINTER p q", reply, [], sizes) == reply
    assert _compare("SINTER p q", b"~0\r\n", [], [b":0\r\n", NO_KEY, b":2\r\n", HASHTABLE]) == (
        b"~0\r\n"
    )


def test_union_and_diff_keep_their_order_only_for_intsets() -> None:
    reply = _bulks(b"3", b"1")
    assert _compare("SUNION a b", reply, [], [INTSET, INTSET]) == reply
    assert _compare("SUNION a b", reply, [], [INTSET, NO_KEY]) == reply
    assert _compare("SDIFF a b", reply, [], [INTSET, LISTPACK]) == _bulks(b"1", b"3")
    plan = treatment((b"SUNION", b"a", b"b"), 1)  # past set-max-intset-entries
    outcome = Outcome(reply, [], [INTSET, INTSET])
    assert compared(plan, outcome, outcome, False) == _bulks(b"1", b"3")
    assert _compare("SPOP s 1000", reply, [], [LISTPACK]) == _bulks(b"1", b"3")


def test_random_picks_compare_by_shape_and_membership() -> None:
    members = _bulks(b"a", b"b", b"c", kind=b"~")
    picked = _bulks(b"c", b"a", b"x")
    marked = _bulks(b"<member>", b"<member>", b"x")
    assert _compare("SRANDMEMBER s 3", picked, [members], []) == marked
    assert _compare("SRANDMEMBER s 3", _bulks(b"a", b"a"), [members], []) == (
        _bulks(b"<member>", b"<repeated>")
    )
    assert _compare("SRANDMEMBER s -3", _bulks(b"a", b"a"), [members], []) == (
        _bulks(b"<member>", b"<member>")
    )
    assert _compare("SRANDMEMBER s", b"$1\r\nb\r\n", [members], []) == b"$8\r\n<member>\r\n"
    assert _compare("SRANDMEMBER s", b"$-1\r\n", [b"*0\r\n"], []) == b"$-1\r\n"
    fields = b"%2\r\n$1\r\nf\r\n$1\r\n1\r\n$1\r\ng\r\n$1\r\n2\r\n"
    pairs = b"*2\r\n*2\r\n$1\r\ng\r\n$1\r\n2\r\n*2\r\n$1\r\nf\r\n$1\r\n9\r\n"  # RESP3
    assert _compare("HRANDFIELD h 2 WITHVALUES", pairs, [fields], []) == (
        b"*2\r\n*2\r\n$8\r\n<member>\r\n$7\r\n<value>\r\n*2\r\n$1\r\nf\r\n$1\r\n9\r\n"
    )
    flat = _bulks(b"g", b"2", b"f", b"1")  # RESP2
    assert _compare("HRANDFIELD h 2 WITHVALUES", flat, [fields], []) == (
        _bulks(b"<member>", b"<value>", b"<member>", b"<value>")
    )
    spop = treatment((b"SPOP", b"s", b"2"), 512)
    assert spop.shared_before == ((b"SMEMBERS", b"s"),) and spop.shared_after == ((b"DEL", b"s"),)
    assert treatment((b"SPOP", b"s", b"0"), 512).normalise is None


def test_scans_compare_the_sorted_union_of_a_whole_iteration() -> None:
    union = b"*2\r\n$1\r\n0\r\n" + _bulks(b"f", b"2", b"e", b"1", b"f", b"2")
    sorted_union = b"*2\r\n$1\r\n0\r\n" + _bulks(b"e", b"1", b"f", b"2")
    assert _compare("HSCAN h 0 COUNT 1", union, [], [HASHTABLE]) == sorted_union
    assert _compare("HSCAN h 0", union, [], [LISTPACK]) == union
    keys = b"*2\r\n$1\r\n0\r\n" + _bulks(b"k2", b"k1")
    assert _compare("SCAN 0 TYPE string", keys, [], []) == b"*2\r\n$1\r\n0\r\n" + _bulks(
        b"k1", b"k2"
    )
    assert _compare("SCAN 7", keys, [], []) == b"+<scanned from a cursor of its own>\r\n"
    assert treatment((b"HSCAN", b"h", b"0", b"COUNT"), 512).iterate is False  # fails anyway


def test_sort_compares_by_shape_only_where_a_hashtable_set_decides_the_order() -> None:
    reply = _bulks(b"b", b"a")
    shape = _bulks(b"<element>", b"<element>")
    a_set, a_zset, a_list = b"+set\r\n", b"+zset\r\n", b"+list\r\n"
    assert _compare("SORT s ALPHA", reply, [], [a_set, HASHTABLE]) == shape
    assert _compare("SORT s BY nosort", reply, [], [a_set, HASHTABLE]) == shape
    assert _compare("SORT_RO s ALPHA", reply, [], [a_set, LISTPACK]) == reply
    assert _compare("SORT s ALPHA", reply, [], [a_set, LISTPACK], True) == shape
    assert _compare("SORT z ALPHA", reply, [], [a_zset, LISTPACK]) == shape
    assert _compare("SORT z BY nosort", reply, [], [a_zset, LISTPACK]) == reply
    assert _compare("SORT l ALPHA", reply, [], [a_list, LISTPACK], True) == reply
    for text in ("SORT s", "SORT s BY k*", "SORT s ALPHA STORE d", "SORT s BY x STORE d"):
        plan = treatment(tuple(arg.encode() for arg in text.split()), 512)
        assert plan.normalise is None and plan.shared_before == CLEAR_ERRNO, text
    assert treatment((b"SORT", b"s", b"ALPHA"), 512).shared_before == CLEAR_ERRNO


def test_a_set_stored_from_a_hashtable_stays_shuffled() -> None:
    def plan(text: str) -> Treatment:
        return treatment(tuple(arg.encode() for arg in text.split()), 512)

    plans = [
        plan("SINTERSTORE d a b"),
        plan("SMEMBERS d"),
        plan("COPY d e"),
        plan("SMEMBERS e"),
        plan("SUNIONSTORE f a"),
        plan("SMEMBERS f"),
    ]
    outcomes = [
        Outcome(b":2\r\n", [], [HASHTABLE, LISTPACK]),
        Outcome(b"*0\r\n", [], [LISTPACK]),
        Outcome(b":1\r\n"),
        Outcome(b"*0\r\n", [], [LISTPACK]),
        Outcome(b":1\r\n", [], [LISTPACK]),
        Outcome(b"*0\r\n", [], [LISTPACK]),
    ]
    assert shuffled_keys(plans, outcomes) == [False, True, False, True, False, False]


def test_iterated_scans_reach_the_end(subject: Server) -> None:
    """A SCAN-family command from cursor 0 runs to its end, however small its COUNT."""
    fields = [b"%d" % i for i in range(700)]
    steps = [
        step("FLUSHALL"),
        step("HSET", "h", *(arg for field in fields for arg in (field, b"v"))),
        step("HSCAN", "h", "0", "COUNT", "3"),
        step("SADD", "s", *fields),
        step("SSCAN", "s", "0", "COUNT", "2"),
        step("SCAN", "0", "COUNT", "1"),
    ]
    plans = [treatment(s.argv, 512) for s in steps]
    outcomes = execute("127.0.0.1", subject.port, steps, 2, plans, True)
    hscan = parse(compared(plans[2], outcomes[2], outcomes[2], False))
    assert len(hscan.children[1].children) == 1400
    sscan = parse(compared(plans[4], outcomes[4], outcomes[4], False))
    assert sorted(child.text for child in sscan.children[1].children) == sorted(fields)
    scan = parse(compared(plans[5], outcomes[5], outcomes[5], False))
    assert [child.text for child in scan.children[1].children] == [b"h", b"s"]
    _restore_defaults("127.0.0.1", subject.port)


# -- the Redis 7 view (no reference needed) ---------------------------------------------------


def test_redis_7_view_leaves_out_and_adjusts_the_same_way_on_both_sides() -> None:
    redis7 = types_view(Reference("redis", "7.0.15"))
    valkey = types_view(Reference("valkey", "8.0.1"))
    steps = [
        step("CONFIG", "SET", "zset-max-listpack-entries", "1"),
        step("CONFIG", "SET", "set-max-listpack-entries", "3"),
        step("HSCAN", "h", "0", "NOVALUES"),
        step("ZRANK", "z", "a", "WITHSCORE"),
        step("ZADD", "z", "1", "a", "2", "a"),  # two named, past the limit of 1
        step("ZADD", "z", "1", "a"),
        step("BITCOUNT", "k", "0"),
        step("BITCOUNT", "k", "0", "-1", "BIT"),
        step("LSET", "l", "4294967296", "x"),
        step("OBJECT", "ENCODING", "s"),
        step("SET", "k", "v", "PXAT", "1000"),
        step("SCAN", "0", "TYPE", "foo"),
        step("SCAN", "0", "TYPE", "zset"),
    ]
    assert valkey.send(steps) == [[s] for s in steps]
    sent = redis7.send(steps)
    assert [len(group) for group in sent] == [1, 1, 0, 0, 0, 1, 0, 1, 0, 2, 0, 0, 1]
    assert sent[9][0].argv == (b"TYPE", b"s")
    as_7 = redis7.compared(steps[9], [(sent[9][0], b"+set\r\n"), (steps[9], LISTPACK)])
    assert as_7 == HASHTABLE
    as_7 = redis7.compared(steps[9], [(sent[9][0], b"+hash\r\n"), (steps[9], LISTPACK)])
    assert as_7 == LISTPACK
    assert redis7.compared(steps[1], [(steps[1], b"+OK\r\n")]) == b""
    smembers = step("SMEMBERS", "s")
    assert redis7.compared(smembers, [(smembers, _bulks(b"b", b"a"))]) == _bulks(b"a", b"b")
    assert valkey.compared(smembers, [(smembers, _bulks(b"b", b"a"))]) == _bulks(b"b", b"a")
