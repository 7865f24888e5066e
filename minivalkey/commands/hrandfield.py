"""HRANDFIELD: random fields of a hash, with Valkey's cases and reply shapes.

Order of checks, as in Valkey: the count (an integer, then within
-9223372036854775807 .. 9223372036854775807), the only option (``WITHVALUES``,
else a syntax error), with it a count within half that range (``ERR value is out
of range``), then the key (missing: an empty array with a count, null without;
another type: WRONGTYPE).

The cases Valkey distinguishes, with what each answers:
* no count: one field drawn uniformly (a bulk string);
* a negative count (or 1): that many independent uniform draws, repetitions
  allowed, in draw order;
* a count at least the hash's size: the whole hash, in its order;
* a listpack, a count below its size: that many distinct fields, uniformly
  chosen, answered in the hash's order;
* a hashtable, a count above a third of its size: the hash less fields removed
  at random, in the hash's order;
* a hashtable, a smaller count: distinct fields in the order they were drawn.

WITHVALUES answers field, value, ... in RESP2 and a [field, value] pair for each
field in RESP3.

Not Valkey's: a negative count asking for more than ``MAX_DRAWS`` fields is
refused with ``ERR value is out of range`` (Valkey would build a reply of that
many elements, billions of them, in its output buffer).

Draws come from ``RNG`` (tests may seed it).
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from ..engine.hashes import LISTPACK, Hash
from ..errors import SYNTAX, CommandError
from .args import INT64_MAX, option, parse_int
from .hashes import EMPTY_ARRAY, read_hash
from .table import command

if TYPE_CHECKING:
    from ..session import Client

RNG = random.Random()

OUT_OF_RANGE = "ERR value is out of range"
COUNT_OUT_OF_RANGE = (
    f"ERR value is out of range, value must between {-INT64_MAX} and {INT64_MAX}"
)
# Valkey removes fields at random instead of drawing them while the count is more
# than a third of the size (HRANDFIELD_SUB_STRATEGY_MUL).
_SUB_STRATEGY_MUL = 3
MAX_DRAWS = 10_000_000


@command(
    "hrandfield",
    -2,
    "readonly",
    keys=(1, 1, 1),
    group="hash",
    since="6.2.0",
    acl="@hash",
    tips="nondeterministic_output",
    key_flags="RO access",
    summary="Answers random fields of a hash, optionally with their values.",
    complexity="O(N) where N is the number of fields returned",
)
def hrandfield(client: Client, argv: list[bytes]) -> Any:
    if len(argv) < 3:
        value = read_hash(client, argv[1])
        return None if value is None else value.random_field(RNG)
    count = parse_int(argv[2])
    if count < -INT64_MAX:
        raise CommandError(COUNT_OUT_OF_RANGE)
    if len(argv) > 4 or (len(argv) == 4 and option(argv[3]) != b"withvalues"):
        raise CommandError(SYNTAX)
    with_values = len(argv) == 4
    if with_values and not -(INT64_MAX // 2) <= count <= INT64_MAX // 2:
        raise CommandError(OUT_OF_RANGE)
    if -count > MAX_DRAWS:
        raise CommandError(OUT_OF_RANGE)
    value = read_hash(client, argv[1])
    if value is None or count == 0:
        return EMPTY_ARRAY
    fields = _choose(value, count)
    if not with_values:
        return fields
    items = value.fields
    if client.protocol >= 3:
        return [[field, items[field]] for field in fields]
    flat: list[bytes] = []
    for field in fields:
        flat += (field, items[field])
    return flat


def _choose(value: Hash, count: int) -> list[bytes]:
    size = len(value.fields)
    if count < 0 or count == 1:
        return value.random_fields(abs(count), RNG)
    if count >= size:
        return list(value.fields)
    if value.encoding == LISTPACK or count * _SUB_STRATEGY_MUL > size:
        return value.sample_in_order(count, RNG)
    return value.sample_distinct(count, RNG)
