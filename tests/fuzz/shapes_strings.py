"""Fuzz shapes for the string and bitmap commands (see ``test_command_fuzz.SHAPES``).

The fixture adds string keys written in every way that gives a different encoding:
``int`` (INCR), ``embstr`` (INCRBYFLOAT's integer text), ``raw`` short values (APPEND,
SETRANGE, SETBIT, BITFIELD, BITOP), and a binary bitmap. Offsets are mostly small:
a valid bit offset may address up to proto-max-bulk-len bytes (512 MB), which the
fuzzer would only spend its time copying.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from test_command_fuzz import Gen

KEYS = [b"cnt", b"flt", b"raw", b"bits", b"bin"]

FIXTURE = [
    [b"INCRBY", b"cnt", b"41"],
    [b"INCRBYFLOAT", b"flt", b"2"],  # "2" as embstr
    [b"APPEND", b"raw", b"12"],
    [b"APPEND", b"raw", b"3"],  # "123" as raw
    [b"SETBIT", b"bits", b"13", b"1"],
    [b"BITFIELD", b"bits", b"SET", b"u8", b"#2", b"255"],
    [b"SET", b"bin", b"\xff\xf0\x00\x0f"],
    [b"SETRANGE", b"bin", b"6", b"\x80"],
]

_OFFSETS = (b"0", b"1", b"7", b"8", b"13", b"31", b"100", b"-1", b"#1", b"#3")


def _offset(g: Gen) -> bytes:
    return g.pick(_OFFSETS) if g.chance(0.85) else g.integer()


def _range(g: Gen) -> list[bytes]:
    """Start and end for GETRANGE / BITCOUNT / BITPOS: small, negative, or odd."""
    ends = (b"0", b"1", b"2", b"-1", b"-2", b"-100", b"3", b"100")
    return [g.pick(ends) if g.chance(0.85) else g.integer() for _ in range(2)]


def _value(g: Gen) -> bytes:
    return g.pick((b"v", b"", b"12", b"-3", b"1.5", b"x" * 50, b"\x00\xff", b"9223372036854775807"))


def _float(g: Gen) -> bytes:
    return g.pick(
        (
            b"1",
            b"0.1",
            b"-2.5",
            b"1e3",
            b"inf",
            b"-inf",
            b"nan",
            b"0x10",
            b"1e5000",
            b" 1",
            b"abc",
            b"1.7976931348623157e308",
            b"1e4932",
        )
    )


def _field_type(g: Gen) -> bytes:
    if g.chance(0.1):
        return g.pick((b"u64", b"i65", b"i0", b"x8", b"I8", b"i", b""))
    return g.pick((b"i", b"u")) + b"%d" % g.rng.choice((1, 2, 7, 8, 16, 32, 63, 64))


def _bitfield(g: Gen, read_only: bool) -> list[bytes]:
    args = [g.key()]
    for _ in range(g.rng.randint(0, 4)):
        roll = g.rng.random()
        if roll < 0.35 or (read_only and roll < 0.9):
            args += [g.word(b"GET"), _field_type(g), _offset(g)]
        elif roll < 0.6:
            args += [g.word(b"SET"), _field_type(g), _offset(g), g.integer()]
        elif roll < 0.85:
            args += [g.word(b"INCRBY"), _field_type(g), _offset(g), g.integer()]
        else:
            args += [g.word(b"OVERFLOW"), g.word(g.pick((b"WRAP", b"SAT", b"FAIL", b"NONE")))]
    return args


def _expiry_options(g: Gen) -> list[bytes]:
    if g.chance(0.3):
        return [g.word(b"PERSIST")]
    return [g.word(g.pick((b"EX", b"PX", b"EXAT", b"PXAT"))), g.integer()]


def _lcs(g: Gen) -> list[bytes]:
    return [g.key(), g.key()] + g.options(
        lambda: [g.word(b"LEN")],
        lambda: [g.word(b"IDX")],
        lambda: [g.word(b"MINMATCHLEN"), g.count()],
        lambda: [g.word(b"WITHMATCHLEN")],
    )


def _unit(g: Gen) -> list[bytes]:
    return [g.word(g.pick((b"BIT", b"BYTE", b"NIBBLE")))] if g.chance(0.4) else []


TEMPLATES: dict[str, Any] = {
    "setnx": lambda g: [g.key(), _value(g)],
    "setex": lambda g: [
        g.key(),
        g.pick((b"10", b"100")) if g.chance(0.7) else g.integer(),
        _value(g),
    ],
    "psetex": lambda g: [g.key(), g.millis(), _value(g)],
    "getset": lambda g: [g.key(), _value(g)],
    "getex": lambda g: [g.key()] + (_expiry_options(g) if g.chance(0.7) else []),
    "msetnx": lambda g: [
        token for _ in range(g.rng.randint(1, 3)) for token in (g.key(), _value(g))
    ],
    "incrbyfloat": lambda g: [g.key(), _float(g)],
    "append": lambda g: [g.key(), _value(g)],
    "strlen": lambda g: [g.key()],
    "getrange": lambda g: [g.key(), *_range(g)],
    "substr": lambda g: [g.key(), *_range(g)],
    "setrange": lambda g: [g.key(), _offset(g).lstrip(b"#"), _value(g)],
    "lcs": _lcs,
    "setbit": lambda g: [g.key(), _offset(g).lstrip(b"#"), g.pick((b"0", b"1", b"2", b"-1"))],
    "getbit": lambda g: [g.key(), _offset(g).lstrip(b"#")],
    "bitcount": lambda g: [g.key()] + (_range(g) + _unit(g) if g.chance(0.7) else []),
    "bitpos": lambda g: (
        [g.key(), g.pick((b"0", b"1", b"2"))]
        + (_range(g)[: g.rng.randint(1, 2)] + _unit(g) if g.chance(0.7) else [])
    ),
    "bitop": lambda g: (
        [g.word(g.pick((b"AND", b"OR", b"XOR", b"NOT", b"NAND"))), g.key()] + g.keys()
    ),
    "bitfield": lambda g: _bitfield(g, read_only=False),
    "bitfield_ro": lambda g: _bitfield(g, read_only=True),
}
