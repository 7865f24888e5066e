"""SORT and SORT_RO: the elements of a list, a set or a sorted set, sorted or not, or
values found through them, answered or stored as a list.

Invariants (Valkey 8.0.1's sort.c):
* The options are read left to right (keywords as strcasecmp compares them; LIMIT
  takes two integers, BY, GET and STORE one argument; SORT_RO knows no STORE); the
  first bad one answers its error (``ERR syntax error``, or LIMIT's integer error)
  before the key is looked up. Then the key: missing is an empty list, a list, a set
  or a sorted set is sorted, anything else answers WRONGTYPE.
* A BY pattern without ``*`` (as C sees it: up to the first NUL byte) means no
  sorting: lists and sorted sets keep their order (DESC walks it backwards), a set
  its iteration order, except that with STORE, or called from a script, a set is
  sorted ALPHA (without the BY pattern), so that what is stored or what the script
  sees does not depend on the set's layout.
* Sorting compares weights: the elements themselves, or the values a BY pattern
  finds. A pattern's first ``*`` is replaced by the element; ``key->field`` after
  the ``*`` reads a hash field; a pattern that is exactly ``#`` (up to a NUL) is the
  element itself; a missing key, a key of another type or a missing field is a
  missing value. Numeric sorting reads weights as C's strtod (``sortorder.strtod``)
  and sorts by weight, then by the element's bytes; a missing weight is 0; one
  weight that does not read answers ``ERR One or more scores can't be converted into
  double`` after every weight was looked up. ALPHA compares bytes as strcoll does in
  the C (or C.UTF-8) locale, up to the first NUL byte, except with STORE, where the
  whole strings are compared; a missing BY value comes first. DESC reverses the
  comparison. Equal elements keep their order (glibc's qsort is a merge sort), but
  with BY and a LIMIT that leaves elements out, Valkey's partial quicksort decides
  the order of equal ones (``sortorder.partial_quicksort``).
* LIMIT is clamped to the elements (a negative count: all from the offset on).
* Each GET pattern gives one value per element in the range (``#`` the element, a
  missing value a null, a pattern without ``*`` always null); without GET the
  elements themselves are answered.
* STORE writes a list built as Valkey builds one (``List.built``), replacing the
  destination whatever it held (its TTL goes), with the ``sortstore`` event, and
  answers its length; GET's missing values are stored as empty strings. An empty
  result deletes the destination (a ``del`` event if it existed, even past its
  deadline: Valkey's dbDelete does not expire it first). The destination is not
  read and never type-checked.
* Every lookup is a read: the key sorted, and each key a BY or GET pattern names
  (BY's for every element when sorting, GET's for every answered one) counts a
  keyspace hit or miss. The destination is written without a lookup of that kind.
* A sorted set in a listpack becomes a skiplist for good, before the weights are
  read, as Valkey converts it (so even a failing SORT leaves it converted).

Not modelled: the ACL and cluster-mode refusals of BY and GET (one user with every
key, no cluster), the forced ALPHA sorting of sets inside scripts (no scripts), and
Valkey's stale errno: it does not clear errno before strtod, so a range error left by
any earlier call in the process (a SORT weight out of range, INCRBYFLOAT or ZADD given
one) makes every later numeric SORT of a weight that is not integer-encoded fail as
well, until something clears errno (a new connection, a successful INCRBYFLOAT...).
Here each weight is judged alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..engine.hashes import Hash
from ..engine.lists import List
from ..engine.sets import Set
from ..engine.zsets import LISTPACK as ZSET_LISTPACK
from ..engine.zsets import ZSet
from ..errors import SYNTAX, WRONGTYPE, CommandError
from ..events import GENERIC, LIST
from .args import c_bytes, option, parse_int
from .keys import lookup_read
from .lists import list_limits
from .sortorder import partial_quicksort, strtod
from .table import BeginIndex, BeginUnknown, FindRange, FindUnknown, command, key_spec

if TYPE_CHECKING:
    from ..session import Client

NOT_DOUBLE = "ERR One or more scores can't be converted into double"

_SORTABLE = (List, Set, ZSet)


# -- patterns -------------------------------------------------------------------------------


class Pattern:
    """A BY or GET pattern, taken apart once: the element itself (``#``), a constant
    (no ``*``), or a key made of ``prefix`` + element + ``suffix``, with a hash
    ``field`` to read when the pattern has ``->field`` after its ``*``."""

    __slots__ = ("element", "constant", "prefix", "suffix", "field")

    def __init__(self, raw: bytes) -> None:
        text = c_bytes(raw)  # what strchr and strstr see
        self.element = text == b"#"
        star = text.find(b"*")
        self.constant = not self.element and star < 0
        self.prefix = raw[:star]
        self.field: bytes | None = None
        arrow = text.find(b"->", star + 1) if star >= 0 else -1
        if arrow >= 0 and arrow + 2 < len(text):
            self.field = raw[arrow + 2 :]
            self.suffix = raw[star + 1 : arrow]
        else:
            self.suffix = raw[star + 1 :]

    def resolve(self, client: Client, element: bytes) -> bytes | None:
        """The value this pattern names for ``element``, or ``None`` (Valkey's
        lookupKeyByPattern); a named key is read with a hit or miss counted."""
        if self.element:
            return element
        if self.constant:
            return None
        value = lookup_read(client, self.prefix + element + self.suffix)
        if value is None:
            return None
        if self.field is not None:
            return value.get(self.field) if type(value) is Hash else None
        return value if type(value) is bytes else None


def _has_star(raw: bytes) -> bool:
    return b"*" in c_bytes(raw)


# -- options ----------------------------------------------------------------------------------


class Options:
    __slots__ = ("desc", "alpha", "offset", "count", "by", "dontsort", "gets", "store")

    def __init__(self) -> None:
        self.desc = False
        self.alpha = False
        self.offset = 0
        self.count = -1
        self.by: Pattern | None = None
        self.dontsort = False
        self.gets: list[Pattern] = []
        self.store: bytes | None = None


def parse_options(argv: list[bytes], readonly: bool) -> Options:
    """SORT's options after the key, in Valkey's order of reading and of errors."""
    opts = Options()
    argc = len(argv)
    index = 2
    while index < argc:
        left = argc - index - 1
        word = option(argv[index])
        if word == b"asc":
            opts.desc = False
        elif word == b"desc":
            opts.desc = True
        elif word == b"alpha":
            opts.alpha = True
        elif word == b"limit" and left >= 2:
            opts.offset = parse_int(argv[index + 1])
            opts.count = parse_int(argv[index + 2])
            index += 2
        elif word == b"store" and left >= 1 and not readonly:
            opts.store = argv[index + 1]
            index += 1
        elif word == b"by" and left >= 1:
            raw = argv[index + 1]
            # A later BY replaces an earlier one, but "no sorting" stays once set.
            opts.by = Pattern(raw)
            if not _has_star(raw):
                opts.dontsort = True
            index += 1
        elif word == b"get" and left >= 1:
            opts.gets.append(Pattern(argv[index + 1]))
            index += 1
        else:
            raise CommandError(SYNTAX)
        index += 1
    return opts


def clamp_limit(offset: int, count: int, length: int) -> tuple[int, int]:
    """LIMIT's (start, end) positions, both inclusive, as Valkey clamps them: an empty
    range when ``end < start``."""
    start = min(max(offset, 0), length)
    count = min(max(count, -1), length)
    end = length - 1 if count < 0 else start + count - 1
    if start >= length:
        start, end = length - 1, length - 2
    return start, min(end, length - 1)


# -- ordering ------------------------------------------------------------------------------


def _native_range(value: Any, start: int, end: int, desc: bool) -> list[bytes]:
    """Elements ``start..end`` of a list or a sorted set in its own order (from the
    tail, or the highest score, with DESC)."""
    if end < start:
        return []
    if type(value) is ZSet:
        keys = value.rev_slice(start, end + 1) if desc else value.slice(start, end + 1)
        return [member for _, member in keys]
    size = end - start + 1
    if not desc:
        return value.slice(start, size)
    found: list[bytes] = value.slice(len(value) - 1 - end, size)
    found.reverse()
    return found


def _members(value: Any) -> list[bytes]:
    """Every element, in the order Valkey loads them to sort: a list's, a set's
    iteration order, a sorted set's members as its dict holds them."""
    if value is None:
        return []
    if type(value) is List:
        return value.to_list()
    if type(value) is ZSet:
        return list(value.scores)
    return list(value)


def _alpha_key(store: bool) -> Any:
    """ALPHA's comparison: whole strings with STORE, else up to the first NUL (strcoll)."""
    return (lambda value: value) if store else c_bytes


def _by_score(elements: list[bytes], scores: list[float | None], desc: bool) -> list[bytes]:
    """Numeric order: by score, equal scores by the elements' bytes."""
    if None in scores:
        raise CommandError(NOT_DOUBLE)
    pairs = sorted(zip(scores, elements, strict=True), reverse=desc)
    return [element for _, element in pairs]


def _sorted(
    client: Client,
    elements: list[bytes],
    opts: Options,
    by: Pattern | None,
    alpha: bool,
    start: int,
    end: int,
) -> list[bytes]:
    """``elements`` in the order Valkey's sort leaves them (at least within start..end)."""
    desc = opts.desc
    cut = _alpha_key(opts.store is not None)
    if by is None:
        if alpha:
            return sorted(elements, key=cut, reverse=desc)
        return _by_score(elements, [strtod(element) for element in elements], desc)
    weights = [by.resolve(client, element) for element in elements]
    if not alpha:
        scores = [0.0 if weight is None else strtod(weight) for weight in weights]
        return _by_score(elements, scores, desc)
    keys = [None if weight is None else cut(weight) for weight in weights]
    if (start != 0 or end != len(elements) - 1) and len(set(keys)) < len(keys):
        # Equal weights, and a partial sort: their order is the partial quicksort's.
        items = list(zip(keys, elements, strict=True))
        partial_quicksort(items, _alpha_compare(desc), start, end)
        return [element for _, element in items]
    ranks = [(0, b"") if key is None else (1, key) for key in keys]
    order = sorted(range(len(elements)), key=ranks.__getitem__, reverse=desc)
    return [elements[position] for position in order]


def _alpha_compare(desc: bool) -> Any:
    """sortCompare for ALPHA with BY, on (weight, element) pairs: a missing weight
    first, DESC reversing the result."""
    sign = -1 if desc else 1

    def compare(a: tuple[bytes | None, bytes], b: tuple[bytes | None, bytes]) -> int:
        first, second = a[0], b[0]
        if first is None or second is None:
            result = 0 if first is second else (-1 if first is None else 1)
        else:
            result = (first > second) - (first < second)
        return sign * result

    return compare


# -- the command ------------------------------------------------------------------------------


def _outputs(client: Client, elements: list[bytes], gets: list[Pattern]) -> Iterator[bytes | None]:
    for element in elements:
        for pattern in gets:
            yield pattern.resolve(client, element)


def _from_script(client: Client) -> bool:
    run = client.core.script_run
    return run is not None and run.client is client


def sort_generic(client: Client, argv: list[bytes], readonly: bool) -> Any:
    opts = parse_options(argv, readonly)
    value = lookup_read(client, argv[1])
    if value is not None and type(value) not in _SORTABLE:
        raise CommandError(WRONGTYPE)
    kind = List if value is None else type(value)
    by, alpha, dontsort = opts.by, opts.alpha, opts.dontsort
    if dontsort and kind is Set and (opts.store is not None or _from_script(client)):
        # A set stored (or answered to a script) unsorted would depend on its layout:
        # sort it, ALPHA.
        dontsort, alpha, by = False, True, None
    if kind is ZSet and value.encoding == ZSET_LISTPACK:
        value.to_skiplist()  # for good, as Valkey converts a sorted set to sort it
    length = 0 if value is None else len(value)
    start, end = clamp_limit(opts.offset, opts.count, length)
    if dontsort and kind is not Set:
        elements = [] if value is None else _native_range(value, start, end, opts.desc)
    else:
        elements = _members(value)
        if not dontsort:
            elements = _sorted(client, elements, opts, by, alpha, start, end)
        elements = elements[start : end + 1] if end >= start else []
    if opts.store is None:
        if not opts.gets:
            return elements
        return list(_outputs(client, elements, opts.gets))
    values = elements
    if opts.gets:
        found = _outputs(client, elements, opts.gets)
        values = [b"" if item is None else item for item in found]
    return _store(client, opts.store, values)


def _store(client: Client, key: bytes, values: list[bytes]) -> int:
    db = client.db
    if values:
        fill, depth = list_limits(client)
        db.set(key, List.built(values, fill, depth))
        db.notify(LIST, "sortstore", key)
        return len(values)
    if db.is_expired(key):
        # Valkey's dbDelete removes a key past its deadline like a live one (a "del",
        # no expiry counted); Database.delete would expire it instead.
        db.expires.pop(key, None)
    if db.delete(key):
        db.notify(GENERIC, "del", key)
    return 0


def _sort_keys(argv: list[bytes]) -> list[tuple[int, tuple[str, ...]]]:
    """SORT's keys for COMMAND GETKEYS (Valkey's sortGetKeys): the key, and the last
    STORE's argument, skipping the arguments of LIMIT, GET and BY as it goes."""
    found: list[tuple[int, tuple[str, ...]]] = [(1, ("RO", "access"))]
    store = 0
    index = 2
    while index < len(argv):
        word = option(argv[index])
        if word == b"limit":
            index += 2
        elif word in (b"get", b"by"):
            index += 1
        elif word == b"store" and index + 1 < len(argv):
            store = index + 1  # its argument is read as an option next, as Valkey does
        index += 1
    if store:
        found.append((store, ("OW", "update")))
    return found


def _sort_ro_keys(argv: list[bytes]) -> list[tuple[int, tuple[str, ...]]]:
    return [(1, ("RO", "access"))]


_SORTED_KEY = key_spec("RO access", BeginIndex(1), FindRange(0))
_PATTERN_KEYS = key_spec(
    "RO access",
    BeginUnknown(),
    FindUnknown(),
    "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive "
    "from the content of the key we sort",
)
_STORE_KEY = key_spec(
    "OW update",
    BeginUnknown(),
    FindUnknown(),
    "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear "
    "anywhere in the argument array",
)
_COMPLEXITY = (
    "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the "
    "number of returned elements. When the elements are not sorted, complexity is O(N)."
)


@command(
    "sort",
    -2,
    "write denyoom",
    keys=(1, 1, 1),
    group="generic",
    since="1.0.0",
    acl="@set @sortedset @list @dangerous",
    summary="Sorts a list, a set or a sorted set, or values found through its elements, "
    "and answers or stores the result.",
    complexity=_COMPLEXITY,
    key_specs=(_SORTED_KEY, _PATTERN_KEYS, _STORE_KEY),
    getkeys=_sort_keys,
    group_acl=False,
)
def sort(client: Client, argv: list[bytes]) -> Any:
    return sort_generic(client, argv, readonly=False)


@command(
    "sort_ro",
    -2,
    "readonly",
    keys=(1, 1, 1),
    group="generic",
    since="7.0.0",
    acl="@set @sortedset @list @dangerous",
    summary="Answers the sorted elements of a list, a set or a sorted set, or values "
    "found through them.",
    complexity=_COMPLEXITY,
    key_specs=(_SORTED_KEY, _PATTERN_KEYS),
    getkeys=_sort_ro_keys,
    group_acl=False,
)
def sort_ro(client: Client, argv: list[bytes]) -> Any:
    return sort_generic(client, argv, readonly=True)
