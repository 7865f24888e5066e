"""The trimming options XADD and XTRIM share: ``MAXLEN|MINID [=|~] threshold [LIMIT n]``.

XADD also takes ``NOMKSTREAM`` and ends its options at the entry ID; XTRIM takes
nothing else. Parsing follows Valkey's order exactly, because which error a bad
command line gets depends on it:

* options are read left to right and may repeat (a second strategy is an error,
  a second LIMIT replaces the first);
* ``~`` / ``=`` after MAXLEN or MINID are only recognised when at least two
  arguments follow the keyword, so ``MAXLEN ~`` reads ``~`` as the threshold;
* an option keyword with no argument after it is not an option: XADD reads it as
  the entry ID, XTRIM answers a syntax error;
* after the loop: a non-zero LIMIT without a strategy, then (XTRIM) no strategy,
  then LIMIT (even ``LIMIT 0``) without ``~`` are errors.

Without LIMIT, ``~`` trimming is capped at 100 nodes' worth of entries
(``100 * stream-node-max-entries``, 10000 when that is not positive, at most a
million); exact trimming is never capped. Nothing here touches the keyspace.
"""

from __future__ import annotations

from ..engine.stream import Stream
from ..engine.streamid import parse_id, parse_id_with_auto
from ..errors import (
    LIMIT_NEGATIVE,
    LIMIT_WITHOUT_APPROX,
    LIMIT_WITHOUT_STRATEGY,
    MAXLEN_NEGATIVE,
    SYNTAX,
    TRIM_STRATEGY_CONFLICT,
    XTRIM_WITHOUT_STRATEGY,
    CommandError,
)
from .args import c_bytes, option, parse_int

# Bounds of the default LIMIT of approximate trimming.
_DEFAULT_LIMIT_NODES = 100
_DEFAULT_LIMIT_FALLBACK = 10_000
_DEFAULT_LIMIT_CAP = 1_000_000


class TrimOptions:
    """Parsed XADD/XTRIM options; ``maxlen`` / ``minid`` is set for the strategy given."""

    __slots__ = (
        "maxlen",
        "minid",
        "approx",
        "limit",
        "nomkstream",
        "id_pos",
        "entry_id",
        "auto_seq",
    )

    def __init__(self) -> None:
        self.maxlen: int | None = None
        self.minid: int | None = None
        self.approx = False
        self.limit = 0
        self.nomkstream = False
        # XADD: where the ID argument is, the ID (None for "*") and whether it is <ms>-*
        self.id_pos = 0
        self.entry_id: int | None = None
        self.auto_seq = False

    @property
    def trims(self) -> bool:
        return self.maxlen is not None or self.minid is not None

    def trim(self, stream: Stream) -> int:
        """Apply the trimming to ``stream``; the number of entries removed."""
        return stream.trim(self.maxlen, self.minid, self.approx, self.limit)


def parse_trim_options(argv: list[bytes], xadd: bool, node_max_entries: int) -> TrimOptions:
    """Read the options from ``argv[2]`` on; raises ``CommandError`` as Valkey words it."""
    parsed = TrimOptions()
    limit_given = False
    count = len(argv)
    i = 2
    while i < count:
        raw = argv[i]
        more = count - 1 - i
        if xadd and (raw == b"*" or (raw[:1] == b"*" and c_bytes(raw) == b"*")):
            break  # the common case first: an auto ID ends the options
        name = option(raw)
        if (name == b"maxlen" or name == b"minid") and more:
            if parsed.trims:
                raise CommandError(TRIM_STRATEGY_CONFLICT)
            parsed.approx = False
            if more >= 2:
                marker = c_bytes(argv[i + 1])
                if marker == b"~":
                    parsed.approx = True
                    i += 1
                elif marker == b"=":
                    i += 1
            threshold = argv[i + 1]
            if name == b"maxlen":
                parsed.maxlen = parse_int(threshold)
                if parsed.maxlen < 0:
                    raise CommandError(MAXLEN_NEGATIVE)
            else:
                parsed.minid = parse_id(threshold, 0, strict=True)
            i += 2
        elif name == b"limit" and more:
            parsed.limit = parse_int(argv[i + 1])
            if parsed.limit < 0:
                raise CommandError(LIMIT_NEGATIVE)
            limit_given = True
            i += 2
        elif xadd and name == b"nomkstream":
            parsed.nomkstream = True
            i += 1
        elif xadd:
            parsed.entry_id, parsed.auto_seq = parse_id_with_auto(raw)
            break
        else:
            raise CommandError(SYNTAX)
    parsed.id_pos = i
    if parsed.limit and not parsed.trims:
        raise CommandError(LIMIT_WITHOUT_STRATEGY)
    if not xadd and not parsed.trims:
        raise CommandError(XTRIM_WITHOUT_STRATEGY)
    if limit_given:
        if not parsed.approx:
            raise CommandError(LIMIT_WITHOUT_APPROX)
    elif parsed.approx:
        limit = _DEFAULT_LIMIT_NODES * node_max_entries
        if limit <= 0:
            limit = _DEFAULT_LIMIT_FALLBACK
        parsed.limit = min(limit, _DEFAULT_LIMIT_CAP)
    return parsed
