"""The options of HSCAN, SSCAN and ZSCAN, read as Valkey's scanGenericCommand reads them.

Order of checks, as in Valkey: the cursor (``ERR invalid cursor``), then the key (a
missing key answers the empty scan without reading the options; another type,
WRONGTYPE), then the options left to right: ``COUNT n`` (an integer, at least 1,
else a syntax error), ``MATCH pattern`` (``*`` alone is no pattern), ``NOVALUES``
(HSCAN only) and ``NOSCORES`` (ZSCAN only), each refused elsewhere with its own
text; ``TYPE`` and anything else is a syntax error. The family's handler then
walks its collection: whole for a small encoding (cursor 0), through its
``engine.collscan.ScanOrder`` for a hashtable.
"""

from __future__ import annotations

from ..errors import NOSCORES_ONLY_ZSCAN, NOVALUES_ONLY_HSCAN, SYNTAX, CommandError
from ..glob import glob_match
from ..replies import RawReply
from .args import option, parse_int

EMPTY_SCAN = RawReply(b"*2\r\n$1\r\n0\r\n*0\r\n")


class ScanArgs:
    __slots__ = ("count", "pattern", "only_keys")

    def __init__(self) -> None:
        self.count = 10
        self.pattern: bytes | None = None
        self.only_keys = False

    def matches(self, member: bytes) -> bool:
        return self.pattern is None or glob_match(self.pattern, member)


def parse_scan_args(argv: list[bytes], type_name: str) -> ScanArgs:
    """The options after ``KEY cursor`` (from ``argv[3]``) for a collection of ``type_name``
    (``hash``, ``set`` or ``zset``)."""
    parsed = ScanArgs()
    i, argc = 3, len(argv)
    while i < argc:
        name = option(argv[i])
        has_value = argc - i >= 2
        if name == b"count" and has_value:
            parsed.count = parse_int(argv[i + 1])
            if parsed.count < 1:
                raise CommandError(SYNTAX)
            i += 2
        elif name == b"match" and has_value:
            parsed.pattern = None if argv[i + 1] == b"*" else argv[i + 1]
            i += 2
        elif name == b"novalues":
            if type_name != "hash":
                raise CommandError(NOVALUES_ONLY_HSCAN)
            parsed.only_keys = True
            i += 1
        elif name == b"noscores":
            if type_name != "zset":
                raise CommandError(NOSCORES_ONLY_ZSCAN)
            parsed.only_keys = True
            i += 1
        else:
            raise CommandError(SYNTAX)
    return parsed


def scan_reply(cursor: int, items: list[bytes]) -> list[object]:
    return [b"%d" % cursor, items]
