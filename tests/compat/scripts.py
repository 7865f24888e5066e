"""Command scripts for the differential suite: streams with explicit IDs only (the data
types' scripts are ``scripts_types``'s, listed here too).

Each script starts from an empty server with the default stream node limits and
leaves it that way (``PROLOGUE`` / ``EPILOGUE``). Nothing here depends on the wall
clock except the values the ``@...`` normalisers blank (see ``replay``); no script
uses ``*`` IDs. Every reply, errors included, is compared byte for byte.
"""

from __future__ import annotations

from replay import Step, lines, step
from scripts_types import TYPE_SCRIPTS

PROLOGUE = lines(
    """
    FLUSHALL
    CONFIG SET stream-node-max-entries 100
    CONFIG SET stream-node-max-bytes 4096
    """
)
EPILOGUE = PROLOGUE


def _fill(key: str, count: int, make_id: str = "{i}-0", fields: str = "field value") -> list[Step]:
    pairs = fields.split()
    return [step("XADD", key, make_id.format(i=i), *pairs) for i in range(1, count + 1)]


def _info(key: str) -> Step:
    return step("XINFO", "STREAM", key)


XADD_IDS = lines(
    """
    XADD s 1-1 f v
    XADD s 1-* f v
    XADD s 1-* f v
    XADD s 1 f v
    XADD s 1-3 f v
    XADD s 2 f v
    XADD s 2-* a b c d
    XADD s 01-02 f v
    XADD s 3-5 f v f v
    XADD s 99999999999999-5 f v
    XADD s 99999999999999-* f v
    XADD s 5-* f v
    XLEN s
    XRANGE s - +
    XADD n 0-0 f v
    XADD n 0 f v
    XADD n 0-* f v
    XADD n 0-* f v
    XADD n 01-02 f v
    XADD n " 3-3" f v
    XADD n "4- 5" f v
    XADD n 5--0 f v
    XADD n 5--5 f v
    XADD n "6- -1" f v
    XADD n 7--18446744073709551615 f v
    XADD n 8-+ f v
    XADD n "9-1 " f v
    XADD n 9-0x5 f v
    XADD n 18446744073709551616 f v
    XADD n 9- f v
    XADD n -1 f v
    XADD n 9-2-3 f v
    XADD n - f v
    XADD n + f v
    XADD n 1x f v
    XRANGE n - +
    XADD m 18446744073709551615-18446744073709551614 f v
    XADD m 18446744073709551615-* f v
    XADD m 18446744073709551615-* f v
    XADD m 1-1 f v
    XADD m 18446744073709551615-18446744073709551615 f v
    XLEN m
    XADD q 5-18446744073709551615 f v
    XADD q 5-* f v
    XADD q 6-* f v
    XADD q 6-* f v
    XADD q 6-0 f v
    XADD q 6-1 f v
    XADD q 5-0 f v
    XADD t * *
    XADD t 1-0 * * * *
    XADD t 2-0 "" ""
    XRANGE t - +
    XADD t 3-0 f
    XADD t 3-0
    XADD t 3-0 f v g
    XADD t MAXLEN ~ 3
    XADD
    XADD t
    """
) + [
    step("XADD", "n", b"\t+10-4", "f", "v"),
    step("XADD", "n", b"11\x00zzz", "f", "v"),
    step("XADD", "n", "1-" + "0" * 125, "f", "v"),
    step("XADD", "n", "12-" + "0" * 125, "f", "v"),
    step("XADD", "n", b"13-1\x00", "f", "v"),
    step("XRANGE", "n", "-", "+"),
]

XADD_OPTIONS = lines(
    """
    XADD s 1-0 f v
    XADD s 2-0 f v
    XADD s 3-0 f v
    XADD s MAXLEN 2 4-0 f v
    XRANGE s - +
    XADD s MAXLEN = 2 5-0 f v
    XADD s MAXLEN ~ 1 6-0 f v
    XADD s MINID 6 7-0 f v
    XADD s MINID = 7-0 8-0 f v
    XADD s MINID ~ 8 9-0 f v
    XRANGE s - +
    XADD s MAXLEN -1 10-0 f v
    XADD s MAXLEN x 10-0 f v
    XADD s MAXLEN 1 MINID 1 10-0 f v
    XADD s MINID 1 MAXLEN 1 10-0 f v
    XADD s MAXLEN 1 MAXLEN 1 10-0 f v
    XADD s MINID bad 10-0 f v
    XADD s MINID - 10-0 f v
    XADD s MINID + 10-0 f v
    XADD s LIMIT 10 10-0 f v
    XADD s LIMIT 0 10-0 f v
    XADD s LIMIT -1 10-0 f v
    XADD s LIMIT x 10-0 f v
    XADD s MAXLEN 1 LIMIT 10 10-0 f v
    XADD s MAXLEN = 1 LIMIT 10 10-0 f v
    XADD s MAXLEN ~ 1 LIMIT -1 10-0 f v
    XADD s MAXLEN ~ 100 LIMIT 10 10-0 f v
    XADD s MAXLEN ~ 100 LIMIT 0 11-0 f v
    XADD s maxlen ~ 100 limit 5 nomkstream 12-0 f v
    XADD s NOMKSTREAM NOMKSTREAM 13-0 f v
    XADD s MAXLEN 0 14-0 f v
    XLEN s
    EXISTS s
    XADD s MAXLEN 0 14-0 f v
    XADD s MAXLEN 5 MAXLEN
    XADD s MAXLEN
    XADD s MAXLEN ~ 5 f v
    XADD s MAXLEN ~ f v
    XADD s MINID f v
    XADD missing NOMKSTREAM 1-0 f v
    EXISTS missing
    XADD missing NOMKSTREAM MAXLEN 5 bad f v
    XADD missing MAXLEN 0 1-0 f v
    EXISTS missing
    XLEN missing
    XINFO STREAM missing
    SET str x
    XADD str 1-0 f v
    XADD str NOMKSTREAM 1-0 f v
    XADD str 0-0 f v
    XADD str bad f v
    """
)

XRANGE = lines(
    """
    XADD s 1-0 f 1-0 g x
    XADD s 1-1 f 1-1 g x
    XADD s 2-0 f 2-0
    XADD s 3-0 f 3-0
    XADD s 18446744073709551615-0 f max
    XRANGE s - +
    XRANGE s - + COUNT 2
    XRANGE s - + COUNT 0
    XRANGE s - + COUNT -1
    XRANGE s - + COUNT 1 COUNT 3
    XRANGE s - + count 2
    XRANGE s - + Count 2
    XRANGE s - + COUNT 02
    XRANGE s - + COUNT 1023
    XRANGE s - + COUNT 1024
    XRANGE s bad + COUNT 2
    XRANGE s - + COUNT 2 junk
    XRANGE s - + COUNT
    XRANGE s - + COUNT x
    XRANGE s - + FOO 1
    XRANGE s 1 1
    XRANGE s (1-0 (2
    XRANGE s - (0
    XRANGE s (18446744073709551615 +
    XRANGE s (18446744073709551615-18446744073709551615 +
    XRANGE s - (0-0
    XRANGE s (- +
    XRANGE s - (+
    XRANGE s ( +
    XRANGE s ((1 +
    XRANGE s 3 1
    XRANGE s bad +
    XRANGE s - bad
    XRANGE s (1-18446744073709551615 +
    XRANGE s 2-1 2-5
    XRANGE s + -
    XREVRANGE s + -
    XREVRANGE s + - COUNT 2
    XREVRANGE s (3 (1
    XREVRANGE s - +
    XREVRANGE s 2 1
    XREVRANGE s + - COUNT 0
    XREVRANGE s bad bad2
    XREVRANGE s (0-0 -
    XREVRANGE s + (18446744073709551615-18446744073709551615
    XRANGE missing - +
    XRANGE missing - + COUNT 0
    XRANGE missing bad +
    XREVRANGE missing + -
    XRANGE s
    XREVRANGE s +
    SET str x
    XRANGE str - +
    XRANGE str - + COUNT 0
    XREVRANGE str + -
    XLEN s
    XLEN missing
    XLEN str
    XLEN
    """
) + [
    step("XRANGE", "s", b"1\x00junk", b"2\x00"),
    step("XRANGE", "s", "-", "+", b"COUNT\x00x", "2"),
    step("XRANGE", "s", "-", "+", "COUNT", b"2\x00"),
]

NODES = (
    _fill("a", 101)
    + [_info("a")]
    + _fill("b", 1000)
    + [_info("b"), step("XLEN", "b")]
    + _fill("c", 1000, "1700000000000-{i}")
    + [_info("c")]
    + _fill("d", 1000, "0-{i}")
    + [_info("d")]
    + _fill("e", 101, "0-{i}")
    + [_info("e")]
    + [step("XADD", "big", f"{i}-0", "f", "x" * 100) for i in range(1, 101)]
    + [_info("big")]
    + _fill("ints", 300, "{i}-0", "123 -4096 9223372036854775807 9223372036854775808")
    + [_info("ints")]
    + lines(
        """
    XADD ms 5-10 f v
    XADD ms 6-0 f v
    XINFO STREAM ms
    XADD boundary 1-0 f v
    """
    )
    + [step("XADD", "boundary", "2-0", "f", "x" * 4065), _info("boundary")]
    + [step("XADD", "boundary", "3-0", "f", "x" * 4065), _info("boundary")]
    + lines(
        """
    XADD boundary2 1-0 f v
    """
    )
    + [step("XADD", "boundary2", "2-0", "f", "x" * 4066), _info("boundary2")]
    + lines(
        """
    CONFIG SET stream-node-max-entries 3
    CONFIG SET stream-node-max-bytes 0
    """
    )
    + _fill("small", 10)
    + [_info("small"), step("XDEL", "small", "4-0", "5-0", "6-0"), _info("small")]
    + lines(
        """
    CONFIG SET stream-node-max-entries 0
    CONFIG SET stream-node-max-bytes 60
    """
    )
    + _fill("bytes", 20, "{i}-0", "field value other 12345")
    + [_info("bytes")]
)


def _trim_case(command: str) -> list[Step]:
    """A fresh 1000-entry stream (10 nodes of 100), one trim, then its shape."""
    return [
        step("DEL", "t"),
        *_fill("t", 1000),
        step(*command.split()),
        step("XLEN", "t"),
        _info("t"),
    ]


TRIM = [
    step_
    for command in (
        "XTRIM t MAXLEN ~ 555",
        "XTRIM t MAXLEN 555",
        "XTRIM t MAXLEN = 555",
        "XTRIM t MAXLEN ~ 555 LIMIT 250",
        "XTRIM t MAXLEN ~ 555 LIMIT 0",
        "XTRIM t MAXLEN ~ 555 LIMIT 99",
        "XTRIM t MAXLEN ~ 900",
        "XTRIM t MAXLEN ~ 899",
        "XTRIM t MAXLEN ~ 901",
        "XTRIM t MAXLEN ~ 1000",
        "XTRIM t MAXLEN ~ 0",
        "XTRIM t MAXLEN 0",
        "XTRIM t MINID ~ 555",
        "XTRIM t MINID 555",
        "XTRIM t MINID ~ 555 LIMIT 100",
        "XADD t MAXLEN ~ 555 1001-0 f v",
        "XADD t MINID 900 1001-0 f v",
    )
    for step_ in _trim_case(command)
] + [
    step("DEL", "t"),
    *_fill("t", 1000),
    step("XDEL", "t", "100-0"),
    step("XTRIM", "t", "MINID", "100"),
    _info("t"),
    step("XTRIM", "t", "MINID", "101"),
    _info("t"),
    step("DEL", "t"),
    *_fill("t", 20000),
    step("XTRIM", "t", "MAXLEN", "~", "0"),
    step("XLEN", "t"),
    step("XINFO", "STREAM", "t"),
    *lines(
        """
    XTRIM t MAXLEN
    XTRIM t MAXLEN ~
    XTRIM t MINID ~
    XTRIM t LIMIT 0
    XTRIM t LIMIT 5
    XTRIM t MAXLEN 5 LIMIT 5
    XTRIM t MAXLEN ~ 5 LIMIT
    XTRIM t MAXLEN 5 MINID 5
    XTRIM t MAXLEN -1
    XTRIM t FOO 1
    XTRIM t *
    XTRIM t NOMKSTREAM MAXLEN 1
    XTRIM t MINID bad
    XTRIM t MINID +
    XTRIM missing MAXLEN 0
    XTRIM missing MAXLEN bad
    SET str x
    XTRIM str MAXLEN 0
    XTRIM str MAXLEN bad
    XTRIM t
    """
    ),
]

XDEL = lines(
    """
    XADD s 1-0 f v
    XADD s 2-0 f v
    XADD s 3-0 f v
    XADD s 4-0 f v
    XADD s 5-0 f v
    XDEL s 3-0
    XINFO STREAM s
    XDEL s 3-0 3-0 9-0
    XDEL s 1-0 1-0
    XINFO STREAM s
    XDEL s 2-0 bad
    XLEN s
    XDEL s 5-0
    XINFO STREAM s
    XDEL s 2-0 4-0
    XINFO STREAM s
    EXISTS s
    TYPE s
    XADD s 6-0 f v
    XINFO STREAM s
    XDEL missing bad
    XDEL s -
    XDEL s +
    XDEL s 6
    XINFO STREAM s
    SET str x
    XDEL str 1-0
    XDEL s
    """
)

GROUPS = lines(
    """
    XGROUP CREATE s g $
    XGROUP CREATE s g $ MKSTREAM
    XGROUP CREATE s g $ MKSTREAM
    XINFO STREAM s
    XADD s 1-0 f 1
    XADD s 2-0 f 2
    XADD s 3-0 f 3
    XGROUP CREATE s h 0
    XGROUP CREATE s k 2-0 ENTRIESREAD 1
    XGROUP CREATE s e $ ENTRIESREAD -1
    XGROUP CREATE s e2 $ ENTRIESREAD -2
    XGROUP CREATE s e3 $ ENTRIESREAD x
    XGROUP CREATE s e4 bad
    XGROUP CREATE s e5 -
    XGROUP CREATE s e6 $ FOO
    XGROUP CREATE s e7 $ ENTRIESREAD
    XGROUP CREATE s e8 $ MKSTREAM MKSTREAM MKSTREAM x
    XGROUP CREATE s e9 $ mkstream entriesread 3
    XGROUP create s e10 $ BAR
    XGROUP CREATE s "" 0
    XGROUP CREATE s G 0
    XINFO GROUPS s
    XGROUP SETID s g 0
    XGROUP SETID s g -
    XGROUP SETID s g +
    XGROUP SETID s g $ ENTRIESREAD 3
    XGROUP SETID s g 1 ENTRIESREAD -2
    XGROUP SETID s g 1 ENTRIESREAD 1 ENTRIESREAD 2
    XGROUP SETID s g 1 FOO 1
    XGROUP SETID s nog 1
    XGROUP SETID missing g 1
    XGROUP SETID s g bad
    XINFO GROUPS s
    XGROUP CREATECONSUMER s g c1
    XGROUP CREATECONSUMER s g c1
    XGROUP CREATECONSUMER s g ""
    XGROUP CREATECONSUMER s nog c1
    XGROUP CREATECONSUMER missing g c1
    @consumers XINFO CONSUMERS s g
    XGROUP DELCONSUMER s g c1
    XGROUP DELCONSUMER s g c1
    XGROUP DELCONSUMER s nog c1
    XGROUP DESTROY s h
    XGROUP DESTROY s h
    XGROUP DESTROY missing h
    XGROUP DESTROY s
    XGROUP DESTROY s h x
    XINFO GROUPS s
    XGROUP FOO
    XGROUP
    XGROUP CREATE s x
    XGROUP CREATECONSUMER s g
    @help XGROUP HELP
    XGROUP HELP x
    XGROUP CREATE missing g $
    XGROUP CREATE missing g bad MKSTREAM
    EXISTS missing
    XGROUP CREATE missing g 5-5 MKSTREAM
    XINFO STREAM missing
    SET str x
    XGROUP CREATE str g $
    XGROUP CREATE str g $ MKSTREAM
    XGROUP DESTROY str g
    XGROUP DESTROY k1 g
    """
) + [
    step("XGROUP", "SETID", "s", b"x\ny", "0"),
    step("XGROUP", "SETID", b"a\r\nb", "g", "0"),
    step("XGROUP", "CREATECONSUMER", "s", b"x\x00y", "c"),
    step("XGROUP", "CREATE", "s", b"bin\x00ary", "0"),
    step("XINFO", "GROUPS", "s"),
]

READGROUP = lines(
    """
    XADD s 1-0 f 1-0
    XADD s 2-0 f 2-0
    XADD s 3-0 f 3-0
    XADD s2 5-0 a b
    XGROUP CREATE s g 0
    XGROUP CREATE s2 g 0
    XREADGROUP GROUP g c1 COUNT 2 STREAMS s >
    XREADGROUP GROUP g c2 STREAMS s >
    XREADGROUP GROUP g c2 STREAMS s >
    XREADGROUP GROUP g c1 STREAMS s 0
    XREADGROUP GROUP g c1 COUNT 1 STREAMS s 0
    XREADGROUP GROUP g c1 STREAMS s 1-0
    XREADGROUP GROUP g c3 STREAMS s 0
    XREADGROUP GROUP g c1 STREAMS s s2 > >
    XREADGROUP GROUP g c1 STREAMS s s2 0 0
    XREADGROUP GROUP g c1 STREAMS s s2 > 0
    XPENDING s g
    @xpending XPENDING s g - + 10
    @xpending XPENDING s g - + 10 c1
    @xpending XPENDING s g IDLE 0 - + 10
    XPENDING s g IDLE 3600000 - + 10
    XPENDING s g - + 0
    XPENDING s g - + -1
    XPENDING s g - + 10 nobody
    @xpending XPENDING s g (1-0 + 10
    @xpending XPENDING s g - (3 10
    @xpending XPENDING s g - + 10 c1 extra args
    XPENDING s g - +
    XPENDING s g IDLE 10 - +
    XPENDING s g IDLE x - + 10
    XPENDING s g - + x
    XPENDING s g bad + 10
    XPENDING s g - bad 10
    XPENDING s g (18446744073709551615-18446744073709551615 + 10
    XPENDING s g - (0 10
    XPENDING s g x
    XPENDING s nog
    XPENDING missing g
    XPENDING s nog - + 10
    XDEL s 1-0
    XREADGROUP GROUP g c1 STREAMS s 0
    XACK s g 1-0 1-0 2-0 9-0
    XACK s g bad
    XACK s nog bad
    XACK missing g bad
    XACK s g 3-0 bad
    XPENDING s g
    XREADGROUP GROUP g c1 STREAMS s 0
    XADD s 4-0 f 4-0
    XREADGROUP GROUP g c1 NOACK STREAMS s >
    XPENDING s g
    XINFO GROUPS s
    XGROUP SETID s g 0
    XREADGROUP GROUP g c3 STREAMS s >
    XPENDING s g
    XINFO GROUPS s
    XREADGROUP GROUP g c1 COUNT 0 STREAMS s 0
    XREADGROUP GROUP g c1 COUNT -5 STREAMS s 0
    XREADGROUP GROUP g c1 BLOCK 1 STREAMS s >
    XREADGROUP GROUP g c1 STREAMS s $
    XREADGROUP GROUP g c1 STREAMS s +
    XREADGROUP GROUP g c1 STREAMS s -
    XREADGROUP GROUP g c1 STREAMS s (1
    XREADGROUP GROUP g c1 STREAMS s bad
    XREADGROUP GROUP g c1 STREAMS s s2 >
    XREADGROUP GROUP g c1 STREAMS s
    XREADGROUP GROUP g c1 s >
    XREADGROUP c1 STREAMS s >
    XREADGROUP STREAMS s >
    XREADGROUP GROUP g STREAMS s >
    XREADGROUP GROUP nog c1 STREAMS s >
    XREADGROUP GROUP g c1 STREAMS missing >
    XREADGROUP GROUP g c1 STREAMS s missing > >
    XREADGROUP GROUP g c1 COUNT x STREAMS s >
    XREADGROUP GROUP g c1 BLOCK x STREAMS s >
    XREADGROUP GROUP g c1 BLOCK -1 STREAMS s >
    XREADGROUP GROUP g c1 BLOCK 9223372036854775806 STREAMS s >
    XREADGROUP GROUP g c1 FOO STREAMS s >
    XREADGROUP GROUP g c1 GROUP g c9 STREAMS s >
    XREADGROUP GROUP g c1 NOACK NOACK STREAMS s >
    SET str x
    XREADGROUP GROUP g c1 STREAMS str >
    XREADGROUP GROUP g c1 STREAMS s str > >
    XREADGROUP GROUP g c1 STREAMS s str bad >
    XINFO GROUPS s
    @consumers XINFO CONSUMERS s g
    XREADGROUP
    XREADGROUP GROUP g c1 STREAMS
    """
) + [
    step("XREADGROUP", "GROUP", b"a\r\nb", "c", "STREAMS", "s", ">"),
    step("XREADGROUP", "GROUP", "g", "c", "STREAMS", b"k\x00ey", ">"),
]

XREAD = lines(
    """
    XADD s 1-0 f 1-0
    XADD s 2-0 f 2-0
    XADD s 3-0 f 3-0
    XADD s2 5-0 a b
    XREAD STREAMS s 0
    XREAD STREAMS s s2 0 0
    XREAD COUNT 1 STREAMS s s2 0 0
    XREAD COUNT 0 STREAMS s 0
    XREAD COUNT -1 STREAMS s 0
    XREAD STREAMS s 2
    XREAD STREAMS s 3-0
    XREAD STREAMS s $
    XREAD STREAMS s +
    XREAD STREAMS s s 0 1
    XREAD STREAMS s missing 0 0
    XREAD STREAMS missing 0
    XREAD STREAMS missing $
    XREAD STREAMS missing +
    XREAD BLOCK 1 STREAMS s $
    XREAD BLOCK 1 STREAMS missing $
    XREAD STREAMS s >
    XREAD STREAMS s -
    XREAD STREAMS s (1
    XREAD STREAMS s bad
    XREAD STREAMS s s2 0
    XREAD STREAMS s
    XREAD s 0
    XREAD COUNT x STREAMS s 0
    XREAD BLOCK x STREAMS s 0
    XREAD BLOCK -1 STREAMS s 0
    XREAD BLOCK 9223372036854775806 STREAMS s 0
    XREAD GROUP g c STREAMS s 0
    XREAD GROUP g STREAMS s 0
    XREAD NOACK STREAMS s 0
    XREAD FOO STREAMS s 0
    XREAD COUNT 1 COUNT 2 STREAMS s 0
    SET str x
    XREAD STREAMS str 0
    XREAD STREAMS s str bad 0
    XREAD STREAMS s str 0 bad
    XDEL s 3-0
    XREAD STREAMS s +
    XREAD STREAMS s $
    XREAD STREAMS s 2-0
    XREAD STREAMS s 1-0
    XADD e 5-0 f v
    XDEL e 5-0
    XREAD STREAMS e 0
    XSETID z 0-0
    XGROUP CREATE z g $ MKSTREAM
    XREAD STREAMS z +
    XREAD STREAMS z 0
    MULTI
    XREAD BLOCK 0 STREAMS missing $
    XREAD BLOCK 0 STREAMS s 0
    EXEC
    XREAD
    XREAD STREAMS
    """
)

CLAIM = lines(
    """
    XADD s 1-0 f 1
    XADD s 2-0 f 2
    XADD s 3-0 f 3
    XADD s 4-0 f 4
    XGROUP CREATE s g 0
    XREADGROUP GROUP g c1 STREAMS s >
    XCLAIM s g c2 0 1-0
    XCLAIM s g c2 0 2-0 JUSTID
    XCLAIM s g c2 3600000 3-0
    XCLAIM s g c3 0 9-0
    XCLAIM s g c3 0 1-0 1-0 JUSTID
    XCLAIM s g c3 0 3-0 RETRYCOUNT 7 JUSTID
    @xpending XPENDING s g - + 10
    XCLAIM s g c3 0 4-0 IDLE 3600000 JUSTID
    XCLAIM s g c2 1000 4-0 JUSTID
    XCLAIM s g c2 0 4-0 TIME 0 JUSTID
    XCLAIM s g c2 0 4-0 TIME -1 JUSTID
    XCLAIM s g c2 0 4-0 IDLE -5 JUSTID
    XCLAIM s g c2 -5 4-0 JUSTID
    XCLAIM s g c4 0 LASTID 3-0 JUSTID
    XINFO GROUPS s
    XCLAIM s g c4 0 LASTID 9-0 JUSTID
    XINFO GROUPS s
    XDEL s 2-0
    XCLAIM s g c5 0 2-0 3-0
    XPENDING s g
    XADD s 5-0 f 5
    XCLAIM s g c5 0 5-0 FORCE
    XCLAIM s g c5 0 5-0 FORCE JUSTID
    XADD s 6-0 f 6
    XCLAIM s g c5 0 6-0 FORCE JUSTID
    XPENDING s g
    @xpending XPENDING s g - + 10
    XCLAIM s g c5 x 1-0
    XCLAIM s g c5 0 1-0 IDLE x
    XCLAIM s g c5 0 1-0 TIME x
    XCLAIM s g c5 0 1-0 RETRYCOUNT x
    XCLAIM s g c5 0 1-0 LASTID bad
    XCLAIM s g c5 0 1-0 FOO
    XCLAIM s g c5 0 1-0 JUSTID 3-0
    XCLAIM s g c5 0 1-0 IDLE
    XCLAIM s g c5 0 bad
    XCLAIM s nog c5 0 1-0
    XCLAIM missing g c5 0 1-0
    XCLAIM s g c5 0
    XCLAIM s g c6 x 1-0
    XINFO GROUPS s
    XAUTOCLAIM s g c7 0 0 COUNT 2
    XAUTOCLAIM s g c7 0 0 COUNT 2 JUSTID
    XAUTOCLAIM s g c7 0 0
    XAUTOCLAIM s g c7 3600000 0
    XAUTOCLAIM s g c7 0 (1-0
    XAUTOCLAIM s g c7 0 0 COUNT 0
    XAUTOCLAIM s g c7 0 0 COUNT -1
    XAUTOCLAIM s g c7 0 0 COUNT x
    XAUTOCLAIM s g c7 0 0 COUNT 576460752303423488
    XAUTOCLAIM s g c7 0 0 COUNT
    XAUTOCLAIM s g c7 0 0 FOO
    XAUTOCLAIM s g c7 x 0
    XAUTOCLAIM s g c7 0 bad
    XAUTOCLAIM s g c7 0 (18446744073709551615-18446744073709551615
    XAUTOCLAIM s nog c7 0 0
    XAUTOCLAIM missing g c7 0 0
    XAUTOCLAIM s nog c7 x 0
    XDEL s 3-0 4-0
    XAUTOCLAIM s g c8 0 0 COUNT 3
    XPENDING s g
    SET str x
    XCLAIM str g c 0 1-0
    XAUTOCLAIM str g c 0 0
    XPENDING str g
    XACK str g 1-0
    XINFO GROUPS s
    @consumers XINFO CONSUMERS s g
    """
)

AUTOCLAIM_ATTEMPTS = [step("XADD", "s", f"{i}-0", "f", str(i)) for i in range(1, 31)] + lines(
    """
    XGROUP CREATE s g 0
    XREADGROUP GROUP g c1 STREAMS s >
    XAUTOCLAIM s g c2 0 0 COUNT 1 JUSTID
    XAUTOCLAIM s g c2 3600000 0 COUNT 2 JUSTID
    XAUTOCLAIM s g c2 3600000 0 COUNT 3 JUSTID
    XAUTOCLAIM s g c2 3600000 21-0 COUNT 1 JUSTID
    XAUTOCLAIM s g c2 0 25 COUNT 100
    """
)

LAG = lines(
    """
    XADD s 1-0 f 1
    XADD s 2-0 f 2
    XADD s 3-0 f 3
    XADD s 4-0 f 4
    XADD s 5-0 f 5
    XGROUP CREATE s g 0
    XGROUP CREATE s h $
    XGROUP CREATE s k 2-0
    XINFO GROUPS s
    XREADGROUP GROUP g c COUNT 1 STREAMS s >
    XINFO GROUPS s
    XDEL s 3-0
    XINFO GROUPS s
    XREADGROUP GROUP g c COUNT 1 STREAMS s >
    XINFO GROUPS s
    XREADGROUP GROUP g c COUNT 1 STREAMS s >
    XINFO GROUPS s
    XREADGROUP GROUP g c COUNT 1 STREAMS s >
    XINFO GROUPS s
    XADD s 6-0 f 6
    XINFO GROUPS s
    XADD t 1-0 f 1
    XADD t 2-0 f 2
    XADD t 3-0 f 3
    XADD t 4-0 f 4
    XADD t 5-0 f 5
    XGROUP CREATE t g 0
    XDEL t 1-0
    XINFO GROUPS t
    XREADGROUP GROUP g c COUNT 1 STREAMS t >
    XINFO GROUPS t
    XTRIM t MAXLEN 2
    XINFO GROUPS t
    XGROUP SETID t g 0
    XINFO GROUPS t
    XGROUP SETID t g 3-0
    XINFO GROUPS t
    XGROUP SETID t g 4-0
    XINFO GROUPS t
    XGROUP SETID t g 5-0
    XINFO GROUPS t
    XGROUP SETID t g 4-0 ENTRIESREAD 3
    XINFO GROUPS t
    XGROUP SETID t g 9-0
    XINFO GROUPS t
    XDEL t 4-0 5-0
    XINFO GROUPS t
    XGROUP SETID t g 0
    XINFO GROUPS t
    XGROUP CREATE s g3 99 ENTRIESREAD 5
    XINFO GROUPS s
    XGROUP CREATE u g 0 MKSTREAM
    XINFO GROUPS u
    XREADGROUP GROUP g c NOACK STREAMS s >
    XINFO GROUPS s
    """
)

XINFO = lines(
    """
    XADD s 1-0 f 1
    XADD s 2-0 f 2
    XADD s 3-0 f 3
    XADD s 4-0 f 4
    XADD s 5-0 f 5
    XGROUP CREATE s g 0
    XGROUP CREATE s a $
    XINFO STREAM s
    @full XINFO STREAM s FULL
    XREADGROUP GROUP g alice COUNT 2 STREAMS s >
    XREADGROUP GROUP g bob COUNT 1 STREAMS s >
    XGROUP CREATECONSUMER s g carol
    @full XINFO STREAM s FULL
    @full XINFO STREAM s FULL COUNT 1
    @full XINFO STREAM s FULL COUNT 0
    @full XINFO STREAM s full count -3
    XINFO STREAM s FULL COUNT x
    XINFO STREAM s FULL COUNT
    XINFO STREAM s FULL x
    XINFO STREAM s FULL COUNT 1 x
    XINFO STREAM s x
    XINFO STREAM s COUNT 1
    XINFO Stream s bad
    XINFO GROUPS s
    @consumers XINFO CONSUMERS s g
    @consumers XINFO CONSUMERS s a
    XINFO CONSUMERS s nog
    XINFO CONSUMERS missing g
    XINFO GROUPS missing
    XINFO STREAM missing
    XINFO STREAM missing FULL bad
    XINFO GROUPS s x
    XINFO CONSUMERS s
    XINFO STREAM
    XINFO
    XINFO FOO s
    @help XINFO HELP
    XINFO HELP x
    XDEL s 1-0 2-0 3-0 4-0 5-0
    XINFO STREAM s
    @full XINFO STREAM s FULL
    XADD empty 1-0 f v
    XDEL empty 1-0
    XINFO STREAM empty
    XINFO STREAM empty FULL
    XINFO GROUPS empty
    SET str x
    XINFO STREAM str
    XINFO STREAM str FULL bad
    XINFO GROUPS str
    XINFO CONSUMERS str g
    """
) + [
    step("XINFO", "CONSUMERS", "s", b"x\ny"),
    step("XINFO", "CONSUMERS", "s", b"x\x00y"),
    step("XINFO", "CONSUMERS", b"a\r\nb", "g"),
]

XSETID = lines(
    """
    XADD s 1-0 f v
    XADD s 2-0 f v
    XADD s 3-0 f v
    XSETID s 5-0
    XINFO STREAM s
    XSETID s 4-0
    XINFO STREAM s
    XSETID s 2-0
    XSETID s 3-0 ENTRIESADDED 2
    XSETID s 3-0 ENTRIESADDED -1
    XSETID s 3-0 ENTRIESADDED 0
    XSETID s 3-0 ENTRIESADDED 3
    XSETID s 3-0 ENTRIESADDED x
    XSETID s 3-0 MAXDELETEDID 4-0
    XSETID s 9-0 MAXDELETEDID 4-0 ENTRIESADDED 10
    XINFO STREAM s
    XSETID s 8-0
    XSETID s 9-0 MAXDELETEDID 0-0
    XINFO STREAM s
    XSETID s 9-0 MAXDELETEDID 2-0
    XINFO STREAM s
    XSETID s 9-0 FOO
    XSETID s 9-0 ENTRIESADDED
    XSETID s 9-0 MAXDELETEDID
    XSETID s 9-0 MAXDELETEDID bad
    XSETID s bad
    XSETID s -
    XSETID s +
    XSETID missing 1-0
    XSETID missing bad
    XDEL s 1-0 2-0 3-0
    XSETID s 1-0
    XSETID s 2-0
    XINFO STREAM s
    XADD s 2-1 f v
    XADD s 3-0 f v
    XSETID s 18446744073709551615-18446744073709551615
    XADD s 18446744073709551615-18446744073709551615 f v
    XADD s 1-0 f v
    SET str x
    XSETID str 1-0
    XSETID str bad
    XSETID s
    """
)

KEYSPACE = lines(
    """
    XADD s 1-0 f v
    XADD s 2-0 f v
    XGROUP CREATE s g 0
    XREADGROUP GROUP g c STREAMS s >
    TYPE s
    COPY s s2
    XINFO STREAM s2
    XPENDING s2 g
    XINFO GROUPS s2
    XACK s2 g 1-0
    XPENDING s g
    XPENDING s2 g
    GET s
    INCR s
    SET s x XX GET
    RENAME s s3
    XLEN s3
    EXISTS s
    XDEL s3 1-0 2-0
    EXISTS s3
    TYPE s3
    XGROUP DESTROY s3 g
    EXISTS s3
    XTRIM s2 MAXLEN 0
    EXISTS s2
    XLEN s2
    DEL s2 s3
    EXISTS s2 s3
    XADD s 5-0 f v
    SET s x
    XLEN s
    """
)

COMMANDS = [
    step("COMMAND", "INFO", name, normalise="command-info")
    for name in (
        "xadd",
        "xrange",
        "xrevrange",
        "xlen",
        "xdel",
        "xtrim",
        "xread",
        "xreadgroup",
        "xack",
        "xpending",
        "xclaim",
        "xautoclaim",
        "xsetid",
        "xgroup",
        "xinfo",
    )
] + lines(
    """
    COMMAND GETKEYS XREAD STREAMS a b 0 0
    COMMAND GETKEYS XREAD COUNT 1 BLOCK 0 STREAMS a 0
    COMMAND GETKEYS XREAD STREAMS a b c 0 0
    COMMAND GETKEYS XREADGROUP GROUP g c STREAMS a b > >
    COMMAND GETKEYS XREADGROUP GROUP g c STREAMS a b c > >
    COMMAND GETKEYS XADD s * f v
    COMMAND GETKEYS XGROUP CREATE s g $
    COMMAND GETKEYS XINFO STREAM s
    """
)

SCRIPTS: dict[str, list[Step]] = {
    "xadd_ids": XADD_IDS,
    "xadd_options": XADD_OPTIONS,
    "xrange": XRANGE,
    "nodes": NODES,
    "trim": TRIM,
    "xdel": XDEL,
    "groups": GROUPS,
    "readgroup": READGROUP,
    "xread": XREAD,
    "claim": CLAIM,
    "autoclaim_attempts": AUTOCLAIM_ATTEMPTS,
    "lag": LAG,
    "xinfo": XINFO,
    "xsetid": XSETID,
    "keyspace": KEYSPACE,
    "commands": COMMANDS,
    **TYPE_SCRIPTS,
}
