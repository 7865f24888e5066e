"""Random command sequences over every data type, for the data-type differential fuzzer.

A sequence is drawn from a seeded ``random.Random`` (a seed always gives the same
commands, for the same set of commands minivalkey has) over a deliberately small key
space: two or three keys per type (``k1 k2`` strings, ``h1 h2`` hashes, ``s1 s2 s3``
sets, ``l1 l2`` lists, ``z1 z2`` sorted sets), one key that is never created, and
``z3``, a sorted set whose members all have score 0, for lex ranges (see
``Draw.lex_key``: over several scores Valkey walks a skiplist through its random
levels, so such a lex range is drawn only where no sorted set can be a skiplist).
Most commands of a type name a key of their type; the rest name any key, for
WRONGTYPE and for commands that take several types (ZUNION over sets, COPY, RENAME).
Members, fields and values come from small pools per sequence, so that collisions
are common, and mix integers (intset, int encodings, integer listpack entries),
non-canonical numbers, short strings and strings longer than the listpack limits.

Each sequence's setup flushes the database and sets every ``*-max-*`` encoding
threshold explicitly, drawn per sequence (from 0 and 1 up to the defaults), so both
servers convert at the same points and conversions happen at different sizes.

Commands come in families (``FAMILIES``), each a list of makers with a weight and
the command names it may send; a maker is drawn only when minivalkey has all of
them, so the fuzzer covers a family as soon as it lands. A few commands get one
argument replaced by junk, dropped or repeated (``fuzzing.mutate``). Once minivalkey
has OBJECT, a share of the commands (``ENCODING_AFTER``) is followed by OBJECT
ENCODING of the key it named last, where a conversion at the wrong point shows.

Nothing drawn depends on the clock: expiry times are far in the future or long in
the past, and TTL replies are compared by sign (``unordered``); blocking pops time
out after 10 ms on keys that stay empty, or serve at once.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection
from dataclasses import dataclass

import fuzzing
from fuzzing import Sequence
from replay import Step, step

MIN_COMMANDS, MAX_COMMANDS = 8, 40
RESP3_EVERY = 4  # every fourth sequence speaks RESP3
MUTATED = 0.05
# The share of commands followed by OBJECT ENCODING of the key they named last: the
# encoding after a write is where a wrong conversion shows first.
ENCODING_AFTER = 0.3

STRINGS = ("k1", "k2")
HASHES = ("h1", "h2")
SETS = ("s1", "s2", "s3")
LISTS = ("l1", "l2")
ZSETS = ("z1", "z2")
LEX_KEY = "z3"  # a sorted set whose members all have score 0 (see Draw.lex_key)
MISSING = "none"  # never created
KEYS_BY_KIND = {"string": STRINGS, "hash": HASHES, "set": SETS, "list": LISTS, "zset": ZSETS}
KIND_BY_PREFIX = {"k": "string", "h": "hash", "s": "set", "l": "list", "z": "zset"}
# How read_back reads a whole key of each type.
READERS = {"string": ("GET",), "hash": ("HGETALL",), "set": ("SMEMBERS",),
           "list": ("LRANGE", "0", "-1"), "zset": ("ZRANGE", "0", "-1", "WITHSCORES")}  # fmt: skip

# Threshold choices per sequence: the first is Valkey's default, the rest make
# conversions happen early (0 and 1 are edges Valkey treats specially).
LIMITS: dict[str, tuple[int, ...]] = {
    "hash-max-listpack-entries": (512, 128, 0, 1, 2, 3, 5, 8),
    "hash-max-listpack-value": (64, 64, 0, 1, 2, 4, 8, 16),
    "set-max-intset-entries": (512, 512, 0, 1, 2, 3, 5),
    "set-max-listpack-entries": (128, 128, 0, 1, 2, 3, 5, 8),
    "set-max-listpack-value": (64, 64, 0, 1, 2, 4, 8, 16),
    "zset-max-listpack-entries": (128, 128, 0, 1, 2, 3, 5, 8),
    "zset-max-listpack-value": (64, 64, 0, 1, 2, 4, 8, 16),
    "list-max-listpack-size": (-2, -2, -1, -3, -5, 1, 2, 3, 4, 8),
}
DEFAULT_LIMITS = {name: choices[0] for name, choices in LIMITS.items()}

LONG = "L" * 70  # past every *-max-listpack-value drawn
# Member pools: a sequence draws one per type (integers make intsets and integer
# listpack entries; the others listpacks and hashtables).
INTEGERS = ("0", "1", "2", "3", "5", "10", "-1", "-7", "100", "4096", "65536",
            "9223372036854775807", "-9223372036854775808")  # fmt: skip
NOT_INTEGERS = ("007", "+1", "-0", " 1", "1.5", "9223372036854775808", "1e3")
WORDS = ("a", "b", "c", "d", "ab", "abc", "hello", "m1", "m2", "", "\x00x", "zz")
POOLS = (
    INTEGERS,
    INTEGERS + ("a",),
    WORDS,
    WORDS + INTEGERS[:6],
    WORDS[:6] + (LONG, "x" * 20),
    INTEGERS[:8] + NOT_INTEGERS,
)
STRING_VALUES = (
    "", "a", "hello", "0", "1", "-1", "12", "007", "-0", "9223372036854775807",
    "-9223372036854775808", "9223372036854775808", "3.5", "1e3", " 1", "x" * 44, "y" * 45,
    "z" * 100, "\x00\xff", "ohmytext", "mynewtext", "abcabc",
)  # fmt: skip
INCREMENTS = ("1", "-1", "0", "5", "100", "-100", "9223372036854775807",
              "-9223372036854775808", "x", "1.5", "")  # fmt: skip
FLOAT_INCREMENTS = ("1", "0.5", "-1.25", "1e3", "1.5e-3", "3.0", "-0.5", "10.5", "inf",
                    "-inf", "nan", "x", "", "5e4000", "0x10")  # fmt: skip
INDEXES = ("0", "1", "2", "3", "-1", "-2", "-3", "-100", "100", "5",
           "9223372036854775807", "-9223372036854775808")  # fmt: skip
SCORES = ("0", "1", "2", "3", "-1", "1.5", "-2.5", "10", "0.25", "+inf", "-inf", "1e2",
          "-0")  # fmt: skip
BAD_SCORES = ("nan", "x", "", "(1", "1e999x")
SCORE_BOUNDS = ("-inf", "+inf", "0", "1", "(1", "2", "(2", "1.5", "(1.5", "-1", "10", "(10",
                "x", "(x")  # fmt: skip
LEX_BOUNDS = ("-", "+", "[a", "(a", "[b", "(b", "[c", "(m1", "[zz", "[", "(", "a", "[5")
PATTERNS = ("*", "*1", "?1", "[hs]*", "k*", "*2", "a*", "*b*", "nomatch", "[a-c]", "\\*")
SORT_BY = ("k*", "h*->f1", "h*->a", "nokey_*", "*", "k*->f")
SORT_GET = ("#", "k*", "h*->f1", "h*->12", "s*", "nokey_*")
TYPES = ("string", "hash", "set", "list", "zset", "stream", "STRING", "foo")
# Arguments a mutated command gets in place of one of its own: bad numbers, extremes,
# option words out of place.
JUNK = (
    "x", "", "-1", "0", "1.5", "-", "+", "(", "[", "nan", "inf", "9223372036854775808",
    "-9223372036854775809", "18446744073709551615", "COUNT", "LIMIT", "WITHSCORES",
    "BYSCORE", "REV", "NX", "XX", "GT", "CH", "INCR", "GET", "EX", "KEEPTTL", "LEFT",
    "BEFORE", "MATCH", "TYPE", "WITHVALUES", "REPLACE", "AGGREGATE", "WEIGHTS", "IDX",
)  # fmt: skip
EXPIRE_SECONDS = ("100000", "200000")  # far beyond a sequence's run
FAR_FUTURE_S = "9999999999"
LONG_PAST_S = "1"


class Draw:
    """One sequence's random choices, as commands."""

    def __init__(self, rng: random.Random, kinds: Collection[str], limits: dict[str, int]) -> None:
        self.rng = rng
        self.kinds = tuple(kind for kind in KEYS_BY_KIND if kind in kinds)
        # LEX_KEY is not among them: no command but its own writes it.
        self.all_keys = tuple(key for kind in self.kinds for key in KEYS_BY_KIND[kind])
        self.pools = {kind: rng.choice(POOLS) for kind in KEYS_BY_KIND}
        self.fields = rng.choice(POOLS)
        self.string_values = STRING_VALUES
        self.recent = MISSING  # the key drawn last: encodings and read-backs aim at it
        # Whether no sorted set can become a skiplist: few enough members (a sequence
        # makes fewer than 64), none longer than the limit (sets' members reach sorted
        # sets through ZUNIONSTORE and the like).
        longest = max(len(member) for kind in ("zset", "set") for member in self.pools[kind])
        self.listpack_zsets = (
            limits["zset-max-listpack-entries"] >= 64
            and limits["zset-max-listpack-value"] >= longest
        )

    def pick(self, options: tuple[str, ...]) -> str:
        return self.rng.choice(options)

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def some(self, make: Callable[[], str], most: int) -> list[str]:
        return [make() for _ in range(self.rng.randint(1, most))]

    def key(self, kind: str) -> str:
        """Mostly a key of ``kind``; else any key (WRONGTYPE, other types) or a missing one."""
        roll = self.rng.random()
        if roll < 0.84 or not self.all_keys:
            key = self.pick(KEYS_BY_KIND[kind])
        elif roll < 0.97:
            key = self.pick(self.all_keys)
        else:
            key = MISSING
        self.recent = key
        return key

    def keys(self, kind: str, most: int) -> list[str]:
        return self.some(lambda: self.key(kind), most)

    def member(self, kind: str) -> str:
        return self.pick(self.pools[kind])

    def members(self, kind: str, most: int) -> list[str]:
        return self.some(lambda: self.member(kind), most)

    def value(self) -> str:
        return self.pick(self.string_values)

    def count(self, options: tuple[str, ...] = ("0", "1", "2", "3", "5", "-1", "-3")) -> str:
        return self.pick(options)

    # -- strings ----------------------------------------------------------------------------

    def set_(self) -> Step:
        argv = ["SET", self.key("string"), self.value()]
        if self.chance(0.2):
            argv.append(self.pick(("NX", "XX")))
        if self.chance(0.15):
            argv.append("GET")
        if self.chance(0.15):
            argv += self.pick_expiry(("EX", "PX", "EXAT", "PXAT", "KEEPTTL"))
        return step(*argv)

    def pick_expiry(self, options: tuple[str, ...]) -> list[str]:
        option = self.pick(options)
        if option in ("KEEPTTL", "PERSIST"):
            return [option]
        if option in ("EX", "PX"):
            amount = self.pick(EXPIRE_SECONDS + ("0", "-5", "x"))
            return [option, amount + ("000" if option == "PX" and amount.isdigit() else "")]
        moment = self.pick((FAR_FUTURE_S, LONG_PAST_S, "0", "x"))
        return [option, moment + ("000" if option == "PXAT" and moment.isdigit() else "")]

    def get(self) -> Step:
        return step(self.pick(("GET", "GETDEL", "STRLEN")), self.key("string"))

    def getex(self) -> Step:
        argv = ["GETEX", self.key("string")]
        if self.chance(0.7):
            argv += self.pick_expiry(("EX", "PX", "EXAT", "PXAT", "PERSIST"))
        return step(*argv)

    def getset(self) -> Step:
        name = self.pick(("GETSET", "SETNX", "APPEND"))
        return step(name, self.key("string"), self.value())

    def setex(self) -> Step:
        name = self.pick(("SETEX", "PSETEX"))
        amount = self.pick(EXPIRE_SECONDS + ("0", "-1"))
        return step(name, self.key("string"), amount, self.value())

    def mset(self) -> Step:
        name = self.pick(("MSET", "MSETNX"))
        argv = [name]
        for _ in range(self.rng.randint(1, 3)):
            argv += [self.key("string"), self.value()]
        return step(*argv)

    def mget(self) -> Step:
        return step("MGET", *self.keys("string", 3))

    def incr(self) -> Step:
        key = self.key("string")
        name = self.pick(("INCR", "DECR", "INCRBY", "DECRBY"))
        if name in ("INCR", "DECR"):
            return step(name, key)
        return step(name, key, self.pick(INCREMENTS))

    def incrbyfloat(self) -> Step:
        return step("INCRBYFLOAT", self.key("string"), self.pick(FLOAT_INCREMENTS))

    def getrange(self) -> Step:
        name = self.pick(("GETRANGE", "SUBSTR"))
        return step(name, self.key("string"), self.pick(INDEXES), self.pick(INDEXES))

    def setrange(self) -> Step:
        offset = self.pick(("0", "1", "3", "10", "50", "-1", "536870912", "x"))
        return step("SETRANGE", self.key("string"), offset, self.pick(("", "ab", "xyz", "Q" * 50)))

    def lcs(self) -> Step:
        argv = ["LCS", self.key("string"), self.key("string")]
        if self.chance(0.3):
            argv.append("LEN")
        if self.chance(0.4):
            argv.append("IDX")
        if self.chance(0.3):
            argv += ["MINMATCHLEN", self.pick(("0", "1", "2", "4", "-1"))]
        if self.chance(0.3):
            argv.append("WITHMATCHLEN")
        return step(*argv)

    def setbit(self) -> Step:
        offset = self.pick(("0", "1", "7", "8", "15", "31", "100", "-1", "4294967296", "x"))
        return step("SETBIT", self.key("string"), offset, self.pick(("0", "1", "1", "2")))

    def getbit(self) -> Step:
        offset = self.pick(("0", "1", "7", "8", "15", "100", "-1", "4294967296"))
        return step("GETBIT", self.key("string"), offset)

    def range_unit(self, argv: list[str]) -> list[str]:
        if self.chance(0.7):
            argv += [self.pick(INDEXES[:9]), self.pick(INDEXES[:9])]
            if self.chance(0.4):
                argv.append(self.pick(("BYTE", "BIT", "bit")))
        elif self.chance(0.4):
            argv.append(self.pick(INDEXES[:9]))
        return argv

    def bitcount(self) -> Step:
        return step(*self.range_unit(["BITCOUNT", self.key("string")]))

    def bitpos(self) -> Step:
        bit = self.pick(("0", "1", "1", "2"))
        return step(*self.range_unit(["BITPOS", self.key("string"), bit]))

    def bitop(self) -> Step:
        operation = self.pick(("AND", "OR", "XOR", "NOT", "and", "NAND"))
        sources = self.keys("string", 1 if operation == "NOT" and self.chance(0.8) else 3)
        return step("BITOP", operation, self.key("string"), *sources)

    def bitfield_type(self) -> str:
        return self.pick(("i1", "u1", "i8", "u8", "i5", "u7", "i16", "u15", "i64", "u63", "u64"))

    def bitfield_offset(self) -> str:
        return self.pick(("0", "1", "3", "8", "13", "#0", "#1", "#2", "-1", "x"))

    def bitfield(self) -> Step:
        readonly = self.chance(0.2)
        argv = ["BITFIELD_RO" if readonly else "BITFIELD", self.key("string")]
        for _ in range(self.rng.randint(1, 3)):
            action = "GET" if readonly else self.pick(("GET", "SET", "INCRBY", "OVERFLOW"))
            if action == "OVERFLOW":
                argv += ["OVERFLOW", self.pick(("WRAP", "SAT", "FAIL", "fail", "bad"))]
                continue
            argv += [action, self.bitfield_type(), self.bitfield_offset()]
            if action != "GET":
                argv.append(self.pick(("0", "1", "-1", "100", "127", "-128", "255", "1000000")))
        return step(*argv)

    # -- hashes -----------------------------------------------------------------------------

    def field(self) -> str:
        return self.pick(self.fields)

    def hset(self) -> Step:
        name = self.pick(("HSET", "HSET", "HMSET"))
        argv = [name, self.key("hash")]
        for _ in range(self.rng.randint(1, 3)):
            argv += [self.field(), self.member("hash")]
        return step(*argv)

    def hsetnx(self) -> Step:
        return step("HSETNX", self.key("hash"), self.field(), self.member("hash"))

    def hget(self) -> Step:
        name = self.pick(("HGET", "HEXISTS", "HSTRLEN"))
        return step(name, self.key("hash"), self.field())

    def hmget(self) -> Step:
        return step("HMGET", self.key("hash"), *self.some(self.field, 3))

    def hgetall(self) -> Step:
        return step(self.pick(("HGETALL", "HKEYS", "HVALS", "HLEN")), self.key("hash"))

    def hdel(self) -> Step:
        return step("HDEL", self.key("hash"), *self.some(self.field, 3))

    def hincrby(self) -> Step:
        if self.chance(0.5):
            return step("HINCRBY", self.key("hash"), self.field(), self.pick(INCREMENTS))
        return step("HINCRBYFLOAT", self.key("hash"), self.field(), self.pick(FLOAT_INCREMENTS))

    def scan_options(self, argv: list[str], *extra: list[str]) -> Step:
        options = [["MATCH", self.pick(PATTERNS)], ["COUNT", self.pick(("1", "2", "10", "100"))]]
        options += extra
        self.rng.shuffle(options)
        for option in options:
            if self.chance(0.35):
                argv += option
        return step(*argv)

    def hscan(self) -> Step:
        return self.scan_options(["HSCAN", self.key("hash"), "0"], ["NOVALUES"])

    def hrandfield(self) -> Step:
        argv = ["HRANDFIELD", self.key("hash")]
        if self.chance(0.75):
            argv.append(self.count())
            if self.chance(0.4):
                argv.append("WITHVALUES")
        return step(*argv)

    # -- sets -------------------------------------------------------------------------------

    def sadd(self) -> Step:
        return step("SADD", self.key("set"), *self.members("set", 4))

    def srem(self) -> Step:
        return step("SREM", self.key("set"), *self.members("set", 3))

    def sismember(self) -> Step:
        if self.chance(0.5):
            return step("SISMEMBER", self.key("set"), self.member("set"))
        return step("SMISMEMBER", self.key("set"), *self.members("set", 3))

    def smembers(self) -> Step:
        return step(self.pick(("SMEMBERS", "SMEMBERS", "SCARD")), self.key("set"))

    def smove(self) -> Step:
        return step("SMOVE", self.key("set"), self.key("set"), self.member("set"))

    def srandmember(self) -> Step:
        argv = ["SRANDMEMBER", self.key("set")]
        if self.chance(0.75):
            argv.append(self.count())
        return step(*argv)

    def spop(self) -> Step:
        argv = ["SPOP", self.key("set")]
        if self.chance(0.7):
            argv.append(self.pick(("0", "1", "2", "1000", "1000", "-1")))
        return step(*argv)

    def sscan(self) -> Step:
        return self.scan_options(["SSCAN", self.key("set"), "0"])

    def setop(self) -> Step:
        name = self.pick(("SINTER", "SUNION", "SDIFF"))
        return step(name, *self.keys("set", 3))

    def setstore(self) -> Step:
        name = self.pick(("SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"))
        return step(name, self.key("set"), *self.keys("set", 3))

    def sintercard(self) -> Step:
        keys = self.keys("set", 3)
        argv = ["SINTERCARD", str(len(keys) if self.chance(0.9) else len(keys) + 1), *keys]
        if self.chance(0.4):
            argv += ["LIMIT", self.pick(("0", "1", "2", "-1"))]
        return step(*argv)

    # -- lists ------------------------------------------------------------------------------

    def push(self) -> Step:
        name = self.pick(("LPUSH", "RPUSH", "LPUSH", "RPUSH", "LPUSHX", "RPUSHX"))
        return step(name, self.key("list"), *self.members("list", 4))

    def pop(self) -> Step:
        argv = [self.pick(("LPOP", "RPOP")), self.key("list")]
        if self.chance(0.4):
            argv.append(self.count(("0", "1", "2", "3", "10", "-1")))
        return step(*argv)

    def lrange(self) -> Step:
        return step("LRANGE", self.key("list"), self.pick(INDEXES), self.pick(INDEXES))

    def llen(self) -> Step:
        if self.chance(0.5):
            return step("LLEN", self.key("list"))
        return step("LINDEX", self.key("list"), self.pick(INDEXES))

    def lset(self) -> Step:
        return step("LSET", self.key("list"), self.pick(INDEXES), self.member("list"))

    def linsert(self) -> Step:
        where = self.pick(("BEFORE", "AFTER", "after", "MIDDLE"))
        return step("LINSERT", self.key("list"), where, self.member("list"), self.member("list"))

    def lrem(self) -> Step:
        count = self.pick(("0", "1", "-1", "2", "-2", "5"))
        return step("LREM", self.key("list"), count, self.member("list"))

    def ltrim(self) -> Step:
        return step("LTRIM", self.key("list"), self.pick(INDEXES), self.pick(INDEXES))

    def lpos(self) -> Step:
        argv = ["LPOS", self.key("list"), self.member("list")]
        options = [
            ["RANK", self.pick(("1", "2", "-1", "-2", "0", "9223372036854775807"))],
            ["COUNT", self.pick(("0", "1", "2", "-1"))],
            ["MAXLEN", self.pick(("0", "1", "3", "-1"))],
        ]
        self.rng.shuffle(options)
        for option in options:
            if self.chance(0.35):
                argv += option
        return step(*argv)

    def side(self) -> str:
        return self.pick(("LEFT", "RIGHT"))

    def lmove(self) -> Step:
        if self.chance(0.25):
            return step("RPOPLPUSH", self.key("list"), self.key("list"))
        return step("LMOVE", self.key("list"), self.key("list"), self.side(), self.side())

    def lmpop(self) -> Step:
        keys = self.keys("list", 2)
        argv = ["LMPOP", str(len(keys)), *keys, self.side()]
        if self.chance(0.5):
            argv += ["COUNT", self.pick(("1", "2", "5", "0"))]
        return step(*argv)

    def blocking_list(self) -> Step:
        timeout = "0.01"
        name = self.pick(("BLPOP", "BRPOP", "BLMOVE", "BRPOPLPUSH", "BLMPOP"))
        if name in ("BLPOP", "BRPOP"):
            return step(name, *self.keys("list", 2), timeout)
        if name == "BLMOVE":
            return step(name, self.key("list"), self.key("list"), self.side(), self.side(), timeout)
        if name == "BRPOPLPUSH":
            return step(name, self.key("list"), self.key("list"), timeout)
        keys = self.keys("list", 2)
        return step(name, timeout, str(len(keys)), *keys, self.side(), "COUNT", "2")

    # -- sorted sets ------------------------------------------------------------------------

    def score(self) -> str:
        return self.pick(BAD_SCORES) if self.chance(0.03) else self.pick(SCORES)

    def zadd(self) -> Step:
        argv = ["ZADD", self.key("zset")]
        for options in (("NX", "XX"), ("GT", "LT"), ("CH",), ("INCR",)):
            if self.chance(0.12):
                argv.append(self.pick(options))
        for _ in range(self.rng.randint(1, 3)):
            argv += [self.score(), self.member("zset")]
        return step(*argv)

    def zincrby(self) -> Step:
        return step("ZINCRBY", self.key("zset"), self.score(), self.member("zset"))

    def zrem(self) -> Step:
        return step("ZREM", self.key("zset"), *self.members("zset", 3))

    def zscore(self) -> Step:
        name = self.pick(("ZSCORE", "ZMSCORE", "ZRANK", "ZREVRANK", "ZCARD"))
        if name == "ZCARD":
            return step(name, self.key("zset"))
        if name == "ZMSCORE":
            return step(name, self.key("zset"), *self.members("zset", 3))
        extra = ["WITHSCORE"] if name.endswith("RANK") and self.chance(0.3) else []
        return step(name, self.key("zset"), self.member("zset"), *extra)

    def lex_key(self) -> str:
        """The key of a lex range. Valkey defines lex ranges only over members of one
        score; over several it walks a listpack in order (deterministic, so compared)
        but a skiplist through its random levels (not comparable). So a lex range
        names any key only in sequences whose sorted sets all stay listpacks, else the
        key whose members all have score 0 (or a missing one)."""
        if self.listpack_zsets:
            return self.key("zset")
        return LEX_KEY if self.chance(0.95) else MISSING

    def zcount(self) -> Step:
        if self.chance(0.5):
            low, high = self.pick(SCORE_BOUNDS), self.pick(SCORE_BOUNDS)
            return step("ZCOUNT", self.key("zset"), low, high)
        return step("ZLEXCOUNT", self.lex_key(), self.pick(LEX_BOUNDS), self.pick(LEX_BOUNDS))

    def range_spec(self) -> tuple[list[str], str]:
        """ZRANGE's start, stop and options (without WITHSCORES); the kind of range."""
        kind = self.rng.choices(("rank", "score", "lex"), (3, 3, 2))[0]
        reverse = self.chance(0.3)
        if kind == "rank":
            argv = [self.pick(INDEXES[:9]), self.pick(INDEXES[:9])]
        elif kind == "score":
            argv = [self.pick(SCORE_BOUNDS), self.pick(SCORE_BOUNDS), "BYSCORE"]
        else:
            argv = [self.pick(LEX_BOUNDS), self.pick(LEX_BOUNDS), "BYLEX"]
        if reverse:
            argv.append("REV")
        if kind != "rank" and self.chance(0.3) or self.chance(0.05):
            argv += ["LIMIT", self.pick(("0", "1", "-1")), self.pick(("1", "2", "-1", "0"))]
        return argv, kind

    def zrange(self) -> Step:
        spec, kind = self.range_spec()
        key = self.lex_key() if kind == "lex" else self.key("zset")
        extra = ["WITHSCORES"] if kind != "lex" and self.chance(0.4) or self.chance(0.03) else []
        return step("ZRANGE", key, *spec, *extra)

    def zrange_legacy(self) -> Step:
        name = self.pick(("ZRANGEBYSCORE", "ZREVRANGEBYSCORE", "ZRANGEBYLEX", "ZREVRANGEBYLEX",
                          "ZREVRANGE"))  # fmt: skip
        if name == "ZREVRANGE":
            argv = [name, self.key("zset"), self.pick(INDEXES[:9]), self.pick(INDEXES[:9])]
            return step(*argv, *(["WITHSCORES"] if self.chance(0.4) else []))
        by_score = "SCORE" in name
        bounds = SCORE_BOUNDS if by_score else LEX_BOUNDS
        argv = [name, self.key("zset") if by_score else self.lex_key()]
        argv += [self.pick(bounds), self.pick(bounds)]
        if by_score and self.chance(0.4):
            argv.append("WITHSCORES")
        if self.chance(0.3):
            argv += ["LIMIT", self.pick(("0", "1")), self.pick(("1", "2", "-1"))]
        return step(*argv)

    def zrangestore(self) -> Step:
        spec, kind = self.range_spec()
        source = self.lex_key() if kind == "lex" else self.key("zset")
        return step("ZRANGESTORE", self.key("zset"), source, *spec)

    def zremrange(self) -> Step:
        name = self.pick(("ZREMRANGEBYRANK", "ZREMRANGEBYSCORE", "ZREMRANGEBYLEX"))
        if name == "ZREMRANGEBYLEX":
            return step(name, self.lex_key(), self.pick(LEX_BOUNDS), self.pick(LEX_BOUNDS))
        choices = INDEXES[:9] if name == "ZREMRANGEBYRANK" else SCORE_BOUNDS
        return step(name, self.key("zset"), self.pick(choices), self.pick(choices))

    def zadd_lex(self) -> Step:
        """Members of score 0 for the lex key (never mutated: a junk score would end it)."""
        argv = ["ZADD", LEX_KEY]
        if self.chance(0.15):
            argv.append(self.pick(("NX", "XX", "CH")))
        for member in self.members("zset", 3):
            argv += ["0", member]
        return step(*argv)

    def zrem_lex(self) -> Step:
        return step("ZREM", LEX_KEY, *self.members("zset", 2))

    def zpop(self) -> Step:
        argv = [self.pick(("ZPOPMIN", "ZPOPMAX")), self.key("zset")]
        if self.chance(0.5):
            argv.append(self.count(("0", "1", "2", "10", "-1")))
        return step(*argv)

    def zmpop(self) -> Step:
        keys = self.keys("zset", 2)
        argv = [str(len(keys)), *keys, self.pick(("MIN", "MAX"))]
        if self.chance(0.5):
            argv += ["COUNT", self.pick(("1", "2", "5", "0"))]
        if self.chance(0.15):
            return step("BZMPOP", "0.01", *argv)
        return step("ZMPOP", *argv)

    def bzpop(self) -> Step:
        return step(self.pick(("BZPOPMIN", "BZPOPMAX")), *self.keys("zset", 2), "0.01")

    def zsetop(self) -> Step:
        name = self.pick(("ZUNION", "ZINTER", "ZDIFF", "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"))
        keys = self.keys("zset", 3)
        argv = [name] + ([self.key("zset")] if name.endswith("STORE") else [])
        argv += [str(len(keys)), *keys]
        if not name.startswith("ZDIFF"):
            if self.chance(0.3):
                argv += ["WEIGHTS", *(self.pick(("1", "2", "0", "-1", "0.5")) for _ in keys)]
            if self.chance(0.3):
                argv += ["AGGREGATE", self.pick(("SUM", "MIN", "MAX"))]
        if not name.endswith("STORE") and self.chance(0.5):
            argv.append("WITHSCORES")
        return step(*argv)

    def zintercard(self) -> Step:
        keys = self.keys("zset", 3)
        argv = ["ZINTERCARD", str(len(keys)), *keys]
        if self.chance(0.4):
            argv += ["LIMIT", self.pick(("0", "1", "2", "-1"))]
        return step(*argv)

    def zscan(self) -> Step:
        return self.scan_options(["ZSCAN", self.key("zset"), "0"])

    def zrandmember(self) -> Step:
        argv = ["ZRANDMEMBER", self.key("zset")]
        if self.chance(0.75):
            argv.append(self.count())
            if self.chance(0.4):
                argv.append("WITHSCORES")
        return step(*argv)

    # -- the keyspace, across types ---------------------------------------------------------

    def any_key(self) -> str:
        return self.pick(self.all_keys + (MISSING,))

    def type_(self) -> Step:
        return step(self.pick(("TYPE", "EXISTS")), self.any_key())

    def delete(self) -> Step:
        keys = dict.fromkeys(self.any_key() for _ in range(self.rng.randint(1, 2)))
        return step(self.pick(("DEL", "DEL", "UNLINK")), *keys)

    def exists(self) -> Step:
        return step(self.pick(("EXISTS", "TOUCH")), *(self.any_key() for _ in range(3)))

    def rename(self) -> Step:
        name = self.pick(("RENAME", "RENAMENX"))
        return step(name, self.any_key(), self.any_key())

    def copy(self) -> Step:
        argv = ["COPY", self.any_key(), self.any_key()]
        if self.chance(0.5):
            argv.append("REPLACE")
        return step(*argv)

    def scan(self) -> Step:
        return self.scan_options(["SCAN", "0"], ["TYPE", self.pick(TYPES)])

    def keys_(self) -> Step:
        if self.chance(0.3):
            return step("DBSIZE")
        return step("KEYS", self.pick(PATTERNS))

    def recent_key(self) -> str:
        return self.recent if self.chance(0.7) else self.any_key()

    def encoding(self) -> Step:
        return step("OBJECT", "ENCODING", self.recent_key())

    def read_back(self) -> Step:
        """The whole of a key just written, read the way its name's type reads it (TYPE
        for a key of no type minivalkey has yet)."""
        key = self.recent_key()
        kind = KIND_BY_PREFIX.get(key[0])
        reader = READERS[kind] if kind in self.kinds else ("TYPE",)
        return step(reader[0], key, *reader[1:])

    def sort_(self) -> Step:
        """SORT / SORT_RO of a list, set or sorted set: by the elements or by a pattern with
        a '*' (numeric, ties by element), ALPHA without BY; never BY a constant (nosort)."""
        readonly = self.chance(0.25)
        kinds = tuple(kind for kind in ("list", "set", "zset") if kind in self.kinds)
        argv = ["SORT_RO" if readonly else "SORT", self.key(self.pick(kinds))]
        alpha = self.chance(0.4)
        if not alpha and self.chance(0.4):
            argv += ["BY", self.pick(SORT_BY)]
        if self.chance(0.25):
            argv += ["LIMIT", self.pick(("0", "1", "-1")), self.pick(("1", "2", "-1", "0"))]
        if self.chance(0.3):
            for _ in range(self.rng.randint(1, 2)):
                argv += ["GET", self.pick(SORT_GET)]
        if self.chance(0.3):
            argv.append(self.pick(("ASC", "DESC")))
        if alpha:
            argv.append("ALPHA")
        if not readonly and self.chance(0.3):
            argv += ["STORE", self.key("list")]
        return step(*argv)

    def expire(self) -> Step:
        name = self.pick(("EXPIRE", "PERSIST", "TTL", "PTTL"))
        key = self.any_key()
        if name == "EXPIRE":
            return step(name, key, self.pick(EXPIRE_SECONDS))
        return step(name, key)


@dataclass(frozen=True)
class Maker:
    make: Callable[[Draw], Step]
    weight: int
    commands: tuple[str, ...]  # every command name it may send


def _maker(make: Callable[[Draw], Step], weight: int, commands: str) -> Maker:
    return Maker(make, weight, tuple(commands.lower().split()))


FAMILIES: dict[str, tuple[Maker, ...]] = {
    "string": (
        _maker(Draw.set_, 6, "SET"),
        _maker(Draw.get, 4, "GET GETDEL STRLEN"),
        _maker(Draw.getex, 2, "GETEX"),
        _maker(Draw.getset, 3, "GETSET SETNX APPEND"),
        _maker(Draw.setex, 1, "SETEX PSETEX"),
        _maker(Draw.mset, 2, "MSET MSETNX"),
        _maker(Draw.mget, 2, "MGET"),
        _maker(Draw.incr, 3, "INCR DECR INCRBY DECRBY"),
        _maker(Draw.incrbyfloat, 2, "INCRBYFLOAT"),
        _maker(Draw.getrange, 2, "GETRANGE SUBSTR"),
        _maker(Draw.setrange, 2, "SETRANGE"),
        _maker(Draw.lcs, 2, "LCS"),
        _maker(Draw.setbit, 2, "SETBIT"),
        _maker(Draw.getbit, 1, "GETBIT"),
        _maker(Draw.bitcount, 2, "BITCOUNT"),
        _maker(Draw.bitpos, 2, "BITPOS"),
        _maker(Draw.bitop, 2, "BITOP"),
        _maker(Draw.bitfield, 2, "BITFIELD BITFIELD_RO"),
    ),
    "hash": (
        _maker(Draw.hset, 10, "HSET HMSET"),
        _maker(Draw.hsetnx, 2, "HSETNX"),
        _maker(Draw.hget, 4, "HGET HEXISTS HSTRLEN"),
        _maker(Draw.hmget, 2, "HMGET"),
        _maker(Draw.hgetall, 6, "HGETALL HKEYS HVALS HLEN"),
        _maker(Draw.hdel, 4, "HDEL"),
        _maker(Draw.hincrby, 3, "HINCRBY HINCRBYFLOAT"),
        _maker(Draw.hscan, 3, "HSCAN"),
        _maker(Draw.hrandfield, 2, "HRANDFIELD"),
    ),
    "set": (
        _maker(Draw.sadd, 10, "SADD"),
        _maker(Draw.srem, 3, "SREM"),
        _maker(Draw.sismember, 3, "SISMEMBER SMISMEMBER"),
        _maker(Draw.smembers, 5, "SMEMBERS SCARD"),
        _maker(Draw.smove, 2, "SMOVE"),
        _maker(Draw.srandmember, 2, "SRANDMEMBER"),
        _maker(Draw.spop, 2, "SPOP"),
        _maker(Draw.sscan, 2, "SSCAN"),
        _maker(Draw.setop, 4, "SINTER SUNION SDIFF"),
        _maker(Draw.setstore, 3, "SINTERSTORE SUNIONSTORE SDIFFSTORE"),
        _maker(Draw.sintercard, 1, "SINTERCARD"),
    ),
    "list": (
        _maker(Draw.push, 10, "LPUSH RPUSH LPUSHX RPUSHX"),
        _maker(Draw.pop, 3, "LPOP RPOP"),
        _maker(Draw.lrange, 5, "LRANGE"),
        _maker(Draw.llen, 2, "LLEN LINDEX"),
        _maker(Draw.lset, 2, "LSET"),
        _maker(Draw.linsert, 2, "LINSERT"),
        _maker(Draw.lrem, 2, "LREM"),
        _maker(Draw.ltrim, 2, "LTRIM"),
        _maker(Draw.lpos, 2, "LPOS"),
        _maker(Draw.lmove, 2, "LMOVE RPOPLPUSH"),
        _maker(Draw.lmpop, 1, "LMPOP"),
        _maker(Draw.blocking_list, 1, "BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP"),
    ),
    "zset": (
        _maker(Draw.zadd, 10, "ZADD"),
        _maker(Draw.zadd_lex, 3, "ZADD"),
        _maker(Draw.zrem_lex, 1, "ZREM"),
        _maker(Draw.zincrby, 2, "ZINCRBY"),
        _maker(Draw.zrem, 2, "ZREM"),
        _maker(Draw.zscore, 3, "ZSCORE ZMSCORE ZRANK ZREVRANK ZCARD"),
        _maker(Draw.zcount, 2, "ZCOUNT ZLEXCOUNT"),
        _maker(Draw.zrange, 5, "ZRANGE"),
        _maker(
            Draw.zrange_legacy,
            2,
            "ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX ZREVRANGE",
        ),
        _maker(Draw.zrangestore, 1, "ZRANGESTORE"),
        _maker(Draw.zremrange, 2, "ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX"),
        _maker(Draw.zpop, 2, "ZPOPMIN ZPOPMAX"),
        _maker(Draw.zmpop, 1, "ZMPOP BZMPOP"),
        _maker(Draw.bzpop, 1, "BZPOPMIN BZPOPMAX"),
        _maker(Draw.zsetop, 3, "ZUNION ZINTER ZDIFF ZUNIONSTORE ZINTERSTORE ZDIFFSTORE"),
        _maker(Draw.zintercard, 1, "ZINTERCARD"),
        _maker(Draw.zscan, 2, "ZSCAN"),
        _maker(Draw.zrandmember, 2, "ZRANDMEMBER"),
    ),  # fmt: skip
    "keyspace": (
        _maker(Draw.type_, 3, "TYPE EXISTS"),
        _maker(Draw.delete, 2, "DEL UNLINK"),
        _maker(Draw.exists, 1, "EXISTS TOUCH"),
        _maker(Draw.rename, 2, "RENAME RENAMENX"),
        _maker(Draw.copy, 2, "COPY"),
        _maker(Draw.scan, 2, "SCAN"),
        _maker(Draw.keys_, 1, "KEYS DBSIZE"),
        _maker(Draw.encoding, 6, "OBJECT"),
        _maker(Draw.read_back, 6, "TYPE"),
        _maker(Draw.expire, 1, "EXPIRE PERSIST TTL PTTL"),
        _maker(Draw.sort_, 3, "SORT SORT_RO"),
    ),
}
# What a family needs minivalkey to have before any of its keys are made: the command
# that creates them, and the reader the random-reply normaliser probes with.
FOUNDATION = {"string": "set", "hash": "hgetall", "set": "smembers", "list": "rpush",
              "zset": "zrange"}  # fmt: skip
# Per family, how a few keys get their first elements (the start of every sequence).
STARTERS: dict[str, Callable[[Draw], Step]] = {
    "string": Draw.set_,
    "hash": Draw.hset,
    "set": Draw.sadd,
    "list": Draw.push,
    "zset": Draw.zadd,
}


@dataclass(frozen=True)
class Menu:
    """The makers minivalkey can serve, and the key types they build."""

    kinds: tuple[str, ...]
    makers: tuple[Maker, ...]
    encodings: bool  # whether minivalkey has OBJECT (ENCODING)

    @classmethod
    def of(cls, available: Collection[str]) -> Menu:
        kinds = tuple(kind for kind, name in FOUNDATION.items() if name in available)
        makers = tuple(
            maker
            for family, family_makers in FAMILIES.items()
            if family == "keyspace" or family in kinds
            for maker in family_makers
            if all(name in available for name in maker.commands)
        )
        return cls(kinds, makers, "object" in available)


def limits_for(rng: random.Random) -> dict[str, int]:
    return {name: rng.choice(choices) for name, choices in LIMITS.items()}


def setup_steps(limits: dict[str, int]) -> list[Step]:
    return [step("FLUSHALL")] + [step("CONFIG", "SET", name, v) for name, v in limits.items()]


BLOCKING = frozenset(b"BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP BZPOPMIN BZPOPMAX BZMPOP".split())


def mutate(rng: random.Random, command: Step) -> Step:
    """Now and then one argument replaced, dropped or repeated; never of a blocking pop,
    whose timeout junk could turn into "for ever", nor of a ZADD to the lex key."""
    if command.argv[0] in BLOCKING or command.argv[:2] == (b"ZADD", LEX_KEY.encode()):
        return command
    return fuzzing.mutate(rng, command, JUNK, MUTATED)


def generate(seed: int, menu: Menu) -> Sequence:
    """The sequence for ``seed`` over ``menu``: the same commands every time."""
    rng = random.Random(seed)
    limits = limits_for(rng)
    draw = Draw(rng, menu.kinds, limits)
    setup = setup_steps(limits)
    start: list[Step] = []
    for kind in draw.kinds:
        for key in KEYS_BY_KIND[kind]:
            if rng.random() < 0.6:
                start += [_on_key(STARTERS[kind](draw), key) for _ in range(rng.randint(1, 3))]
    if "zset" in draw.kinds and rng.random() < 0.6:
        start += [draw.zadd_lex() for _ in range(rng.randint(1, 3))]
    weights = [maker.weight for maker in menu.makers]
    length = rng.randint(MIN_COMMANDS, MAX_COMMANDS)
    rest = rng.choices(menu.makers, weights, k=max(length - len(start), 1))
    commands = start
    for maker in rest:
        commands.append(mutate(rng, maker.make(draw)))
        if menu.encodings and rng.random() < ENCODING_AFTER:
            commands.append(step("OBJECT", "ENCODING", draw.recent))
    protocol = 3 if seed % RESP3_EVERY == RESP3_EVERY - 1 else 2
    return Sequence(seed, protocol, tuple(setup), tuple(commands))


def _on_key(command: Step, key: str) -> Step:
    """``command`` aimed at ``key`` (its first argument), with no expiry or condition."""
    argv = [command.argv[0], key.encode(), *command.argv[2:]]
    if argv[0] == b"SET":
        argv = argv[:3]
    if argv[0] in (b"LPUSHX", b"RPUSHX"):
        argv[0] = argv[0][:-1]
    if argv[0] == b"ZADD":
        argv = [arg for arg in argv if arg not in (b"NX", b"XX", b"GT", b"LT", b"CH", b"INCR")]
    return Step(tuple(argv))
