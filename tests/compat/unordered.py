"""Running data-type sequences on both servers, and normalising what is truly unordered or random.

Only these replies are normalised, the same way on both sides; every other reply is
compared byte for byte:

- Members of a hashtable: HKEYS, HVALS, SMEMBERS (sorted) and HGETALL (pairs sorted)
  when the reference reports the key ``hashtable``-encoded (``OBJECT ENCODING``,
  asked of the reference just before the command), never for listpack or intset,
  whose order is defined. SINTER answers in the order of its first smallest set
  (Valkey sorts the sets by size with a stable sort): sorted when that set is a
  hashtable. SUNION and SDIFF build their reply in a temporary set that is a
  hashtable unless every source is an intset (and the result fits one): sorted
  unless so. SPOP with a count past the set's size answers the whole set the SUNION
  way. KEYS answers in the keyspace's hashtable order: always sorted. A set that
  SINTERSTORE, SUNIONSTORE or SDIFFSTORE filled from a hashtable holds that random
  order even as a listpack (and so do its COPY and RENAME): its members are sorted
  from then on unless it is an intset (``shuffled_keys``).
- SCAN, and HSCAN / SSCAN / ZSCAN of a hashtable (or skiplist) encoding: the cursors
  are random, so a SCAN from cursor 0 is iterated to its end (one call at a time)
  and compared as the union of what the calls returned, sorted; of a listpack or
  intset it is one call, compared as it is. A SCAN from another cursor is compared
  exactly where the reference answers everything at once, else by whether it fails.
- Random picks: SRANDMEMBER, HRANDFIELD, ZRANDMEMBER and SPOP are compared by shape and
  membership only. Each side reads its own collection just before (SMEMBERS, HGETALL,
  ZRANGE 0 -1 WITHSCORES); every element of the reply that is a member (with its
  own value or score) becomes ``<member>`` (``<value>``), one repeated where the
  command promises distinct elements becomes ``<repeated>``, the rest stays as it
  is, so the reply's type and length and any stranger still compare. An SPOP that
  picks at random (no count, or a count below 1000) leaves the two servers with
  different sets: the key is deleted on both just after it (that DEL's reply is
  compared too).
- SORT without STORE of a hashtable set, where it does not sort (BY a constant) or
  elements may tie (ALPHA), and SORT ALPHA of a sorted set: its order is then a
  hashtable's, so only the reply's shape compares.
  Before every SORT both sides get ``CLEAR_ERRNO`` (Valkey's stale errno, which
  minivalkey does not model).
- TTL and PTTL: a remaining time compares as ``1`` (-1 and -2 stay), since the two
  servers' clocks run apart.

Probes are plain reads (they change no value, encoding or order) sent on the same
connection, pipelined with the commands; an iterated SCAN runs on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from fuzzing import Pair
from known_differences import FuzzView
from replay import (
    CHUNK,
    LOST,
    Connection,
    Node,
    Step,
    encode,
    parse,
    read_reply,
    sort_members,
    sort_pairs,
)

Argv = tuple[bytes, ...]
Normaliser = Callable[[bytes, list[bytes], list[bytes], bool], bytes]
HASHTABLES = (b"hashtable", b"skiplist")
MAX_SCAN_CALLS = 1000
MEMBER, VALUE, REPEATED = b"<member>", b"<value>", b"<repeated>"


@dataclass(frozen=True)
class Treatment:
    """What a command needs around it, and how its reply is compared.

    ``normalise(reply, own, reference, shuffled)``: ``own`` are this side's replies to
    ``shared_before``, ``reference`` the reference's replies to ``reference_before``,
    ``shuffled`` whether one of ``order_keys`` may hold its members in a random order.
    ``shared_after`` runs on both sides after the command; its replies are compared
    as they are, after the command's own.
    """

    normalise: Normaliser | None = None
    shared_before: tuple[Argv, ...] = ()
    reference_before: tuple[Argv, ...] = ()
    shared_after: tuple[Argv, ...] = ()
    iterate: bool = False
    # Keys whose members' order may be shuffled (see ``shuffled_keys``): the reply is
    # sorted then, unless the reference holds them in an intset.
    order_keys: tuple[bytes, ...] = ()
    # A command that writes ``store[0]`` from the members of ``store[1]`` in their
    # order; when the first len(store[1]) reference probes are their encodings.
    store: tuple[bytes, tuple[bytes, ...], bool] | None = None


AS_IS = Treatment()


@dataclass
class Outcome:
    reply: bytes = LOST
    shared: list[bytes] = field(default_factory=list)
    reference: list[bytes] = field(default_factory=list)
    after: list[bytes] = field(default_factory=list)


# -- tree helpers ---------------------------------------------------------------------------


def _tree(data: bytes) -> Node | None:
    """The reply as a tree, or None for an error or a lost reply."""
    if data is LOST or data[:1] == b"-":
        return None
    return parse(data)


def _bulk(payload: bytes) -> Node:
    return Node(b"$", b"%d" % len(payload), payload)


def _mark(node: Node, payload: bytes) -> None:
    node.kind, node.head, node.payload, node.children = b"$", b"%d" % len(payload), payload, []


def _encoding(data: bytes) -> bytes | None:
    """An OBJECT ENCODING reply's value; None when the key does not exist."""
    tree = _tree(data)
    return None if tree is None else tree.text


# -- the treatments -------------------------------------------------------------------------


def _probe_encoding(key: bytes) -> Argv:
    return (b"OBJECT", b"ENCODING", key)


def _unordered(encoding: bytes | None, shuffled: bool) -> bool:
    """Whether members held in ``encoding`` come in no defined order."""
    return encoding in HASHTABLES or shuffled and encoding != b"intset"


def _sorted_if_hashtable(sort: Callable[[bytes], bytes]) -> Normaliser:
    def normalise(reply: bytes, own: list[bytes], reference: list[bytes], shuffled: bool) -> bytes:
        return sort(reply) if _unordered(_encoding(reference[0]), shuffled) else reply

    return normalise


def _sinter(reply: bytes, own: list[bytes], reference: list[bytes], shuffled: bool) -> bytes:
    """Sorted when the first of the smallest sets is a hashtable (reference: SCARD and
    OBJECT ENCODING of each key in turn) or may be shuffled."""
    smallest: tuple[int, bytes | None] | None = None
    for card, encoding in zip(reference[0::2], reference[1::2], strict=True):
        tree = _tree(card)
        if tree is None or tree.kind != b":":
            return reply  # a missing key or another type: the reply says so
        size = int(tree.head)
        if smallest is None or size < smallest[0]:
            smallest = (size, _encoding(encoding))
    if smallest is not None and _unordered(smallest[1], shuffled):
        return sort_members(reply)
    return reply


def _union(intset_limit: int) -> Normaliser:
    """SUNION / SDIFF / SPOP-all: sorted unless every existing source is an intset and
    the reply fits one (reference: OBJECT ENCODING of each key)."""

    def normalise(reply: bytes, own: list[bytes], reference: list[bytes], shuffled: bool) -> bytes:
        tree = _tree(reply)
        if tree is None:
            return reply
        encodings = {_encoding(data) for data in reference} - {None}
        if encodings <= {b"intset"} and len(tree.children) <= intset_limit:
            return reply
        return sort_members(reply)

    return normalise


def _ttl(reply: bytes, own: list[bytes], reference: list[bytes], shuffled: bool) -> bytes:
    if reply[:1] == b":" and int(reply[1:-2]) > 0:
        return b":1\r\n"
    return reply


def _random(probe_pairs: bool, values: bool, distinct: bool) -> Normaliser:
    """Membership and shape of a random pick (own[0]: this side's collection)."""

    def normalise(reply: bytes, own: list[bytes], reference: list[bytes], shuffled: bool) -> bytes:
        collection = _collection_of(own[0], probe_pairs)
        tree = _tree(reply)
        if tree is None or collection is None:
            return reply
        if not tree.children:
            if tree.payload is not None and tree.payload in collection:
                _mark(tree, MEMBER)
            return tree.serialize()
        items: list[tuple[Node, Node | None]]
        if tree.children[0].kind == b"*":  # RESP3: [member, value] pairs
            items = [(child.children[0], child.children[1]) for child in tree.children]
        elif values:
            items = list(tree.pairs())
        else:
            items = [(child, None) for child in tree.children]
        seen: set[bytes] = set()
        for member, value in items:
            name = member.text
            if distinct and name in seen:
                _mark(member, REPEATED)
                continue
            seen.add(name)
            if name in collection and (value is None or collection[name] == value.serialize()):
                _mark(member, MEMBER)
                if value is not None:
                    _mark(value, VALUE)
        return tree.serialize()

    return normalise


def _collection_of(data: bytes, pairs: bool) -> dict[bytes, bytes | None] | None:
    tree = _tree(data)
    if tree is None:
        return None
    if not pairs:
        return dict.fromkeys(child.text for child in tree.children)
    if tree.children and tree.children[0].kind == b"*":
        return {child.children[0].text: child.children[1].serialize() for child in tree.children}
    return {key.text: value.serialize() for key, value in tree.pairs()}


def _scan(key: bytes | None, paired: bool, from_zero: bool) -> Normaliser:
    """An iterated SCAN (see ``_iterate``): sorted union unless the reference's key is a
    listpack or intset (one call, in order). From a cursor other than 0 a hashtable
    answers some random part: compared only as "it did not fail"."""

    def normalise(reply: bytes, own: list[bytes], reference: list[bytes], shuffled: bool) -> bytes:
        if key is not None and not _unordered(_encoding(reference[0]), shuffled):
            return reply
        tree = _tree(reply)
        if tree is None or len(tree.children) != 2:
            return reply
        if not from_zero:
            return b"+<scanned from a cursor of its own>\r\n"
        items = tree.children[1]
        width = 2 if paired else 1
        groups = [
            b"".join(node.serialize() for node in items.children[start : start + width])
            for start in range(0, len(items.children), width)
        ]
        union = sorted(set(groups))
        return b"*2\r\n$1\r\n0\r\n*%d\r\n%s" % (len(union) * width, b"".join(union))

    return normalise


def _count(argv: Argv, index: int) -> int | None:
    try:
        return int(argv[index])
    except (IndexError, ValueError):
        return None


def _scan_options(argv: Argv, start: int) -> set[bytes] | None:
    """The option words of a SCAN-family command (MATCH and COUNT take a value); None if
    they do not parse, in which case the command fails anyway."""
    words: set[bytes] = set()
    index = start
    while index < len(argv):
        word = argv[index].upper()
        if word in (b"MATCH", b"COUNT", b"TYPE") and index + 1 < len(argv):
            index += 2
        elif word == b"NOVALUES":
            index += 1
        else:
            return None
        words.add(word)
    return words


def treatment(argv: Argv, intset_limit: int) -> Treatment:
    """How ``argv``'s reply is compared (see the module docstring)."""
    name = argv[0].upper()
    keys = argv[1:]
    if name in (b"HKEYS", b"HVALS") and len(argv) == 2:
        return Treatment(_sorted_if_hashtable(sort_members), (), (_probe_encoding(argv[1]),))
    probes: tuple[Argv, ...]
    if name == b"SMEMBERS" and len(argv) == 2:
        probes = (_probe_encoding(argv[1]),)
        return Treatment(_sorted_if_hashtable(sort_members), (), probes, order_keys=(argv[1],))
    if name == b"HGETALL" and len(argv) == 2:
        return Treatment(_sorted_if_hashtable(sort_pairs), (), (_probe_encoding(argv[1]),))
    if name == b"KEYS" and len(argv) == 2:
        return Treatment(lambda reply, own, ref, shuffled: sort_members(reply))
    if name == b"SINTER" and keys:
        probes = tuple(probe for key in keys for probe in ((b"SCARD", key), _probe_encoding(key)))
        return Treatment(_sinter, (), probes, order_keys=keys)
    if name in (b"SINTERSTORE", b"SUNIONSTORE", b"SDIFFSTORE") and len(argv) >= 3:
        probes = tuple(_probe_encoding(key) for key in argv[2:])
        return Treatment(reference_before=probes, store=(argv[1], argv[2:], True))
    if name in (b"COPY", b"RENAME", b"RENAMENX") and len(argv) >= 3:
        return Treatment(store=(argv[2], (argv[1],), False))
    if name in (b"SUNION", b"SDIFF") and keys:
        return Treatment(_union(intset_limit), (), tuple(_probe_encoding(key) for key in keys))
    if name in (b"TTL", b"PTTL") and len(argv) == 2:
        return Treatment(_ttl)
    if name == b"SPOP" and len(argv) in (2, 3):
        count = 1 if len(argv) == 2 else _count(argv, 2)
        if count is None or count <= 0:
            return AS_IS  # an error or an empty reply
        if count >= 1000:
            return Treatment(_union(intset_limit), (), (_probe_encoding(argv[1]),))
        return Treatment(
            _random(False, False, True), ((b"SMEMBERS", argv[1]),), (), ((b"DEL", argv[1]),)
        )
    random_reads = {
        b"SRANDMEMBER": ((b"SMEMBERS",), None),
        b"HRANDFIELD": ((b"HGETALL",), b"WITHVALUES"),
        b"ZRANDMEMBER": ((b"ZRANGE", b"0", b"-1", b"WITHSCORES"), b"WITHSCORES"),
    }
    if name in random_reads and len(argv) in (2, 3, 4):
        (reader, *rest), with_values = random_reads[name]
        count = 1 if len(argv) == 2 else _count(argv, 2)
        if count is None or len(argv) == 4 and argv[3].upper() != with_values:
            return AS_IS  # fails
        values = len(argv) == 4
        probe = (reader, argv[1], *rest)
        return Treatment(_random(with_values is not None, values, count >= 0), (probe,))
    if name in (b"SORT", b"SORT_RO") and len(argv) >= 2:
        return _sort_treatment(argv)
    if name == b"SCAN" and len(argv) >= 2:
        return _scan_treatment(argv, None, 1)
    if name in (b"HSCAN", b"SSCAN", b"ZSCAN") and len(argv) >= 3:
        return _scan_treatment(argv, argv[1], 2)
    return AS_IS


# Sent before every SORT on both sides, replies unread: Valkey's SORT reads weights with
# strtod without clearing errno first, so a range error an earlier command left (a ZADD
# score or a SORT weight past a double) fails every later numeric SORT of string
# elements until something clears errno. minivalkey judges each SORT alone (its sort
# module says so); INCRBYFLOAT clears errno as it parses, which puts Valkey there too.
CLEAR_ERRNO = ((b"INCRBYFLOAT", b"__errno", b"0"), (b"DEL", b"__errno"))


def _sort_treatment(argv: Argv) -> Treatment:
    """SORT answers in its input's order where it does not sort (BY a pattern without
    '*') or where elements tie (ALPHA compares with strcoll, which stops at a NUL). Its
    input is a set's own order, random for a hashtable, and a sorted set's dict order
    (Valkey makes the sorted set a skiplist and walks its dict), always random: then
    only the reply's shape compares. SORT ... STORE sorts a set whatever it was asked
    and compares bytes, and a sorted set BY a constant comes in score order, so those
    compare as they are. Either way errno is cleared first (``CLEAR_ERRNO``)."""
    words = [arg.upper() for arg in argv[2:]]
    constant_by = any(
        word == b"BY" and index + 1 < len(words) and b"*" not in argv[index + 3]
        for index, word in enumerate(words)
    )
    alpha = b"ALPHA" in words
    if b"STORE" in words or not (constant_by or alpha):
        return Treatment(shared_before=CLEAR_ERRNO)
    probes = ((b"TYPE", argv[1]), _probe_encoding(argv[1]))
    return Treatment(_sort_shape(alpha), CLEAR_ERRNO, probes, order_keys=(argv[1],))


def _sort_shape(alpha: bool) -> Normaliser:
    def normalise(reply: bytes, own: list[bytes], reference: list[bytes], shuffled: bool) -> bytes:
        tree = _tree(reply)
        kind = reference[0][1:-2]
        random = kind == b"set" and _unordered(_encoding(reference[1]), shuffled)
        if tree is None or not (random or alpha and kind == b"zset"):
            return reply
        for child in tree.children:
            _mark(child, b"<element>")
        return tree.serialize()

    return normalise


def shuffled_keys(plans: list[Treatment], reference: list[Outcome]) -> list[bool]:
    """For each step, whether one of its ``order_keys`` may hold its members in a random
    order by then, from what the reference did.

    A set written from another set's members in that set's order (SINTERSTORE,
    SUNIONSTORE, SDIFFSTORE) takes a hashtable's random order along, even when it is
    a listpack itself; COPY and RENAME keep it. Once shuffled a key stays so for the
    rest of the sequence (later writes may not undo it; sorting more is only a weaker
    comparison, never a wrong one)."""
    shuffled: set[bytes] = set()
    flags: list[bool] = []
    for plan, outcome in zip(plans, reference, strict=True):
        flags.append(any(key in shuffled for key in plan.order_keys))
        if plan.store is None or outcome.reply is LOST or outcome.reply[:1] == b"-":
            continue
        target, sources, probed = plan.store
        encodings = (
            [_encoding(data) for data in outcome.reference[: len(sources)]] if probed else []
        )
        if any(source in shuffled for source in sources) or any(
            encoding in HASHTABLES for encoding in encodings
        ):
            shuffled.add(target)
    return flags


def _scan_treatment(argv: Argv, key: bytes | None, cursor: int) -> Treatment:
    options = _scan_options(argv, cursor + 1)
    if options is None:
        return AS_IS
    name = argv[0].upper()
    paired = name == b"ZSCAN" or name == b"HSCAN" and b"NOVALUES" not in options
    probes = () if key is None else (_probe_encoding(key),)
    order_keys = () if key is None else (key,)
    normalise = _scan(key, paired, argv[cursor] == b"0")
    return Treatment(normalise, (), probes, iterate=True, order_keys=order_keys)


# -- running --------------------------------------------------------------------------------


def _pipeline(connection: Connection, commands: list[Argv], replies: list[bytes]) -> None:
    """Send ``commands`` pipelined, appending each reply as it arrives (so the replies
    read before a lost connection are kept)."""
    for first in range(0, len(commands), CHUNK):
        chunk = commands[first : first + CHUNK]
        connection.sock.sendall(b"".join(encode(argv) for argv in chunk))
        for _ in chunk:
            replies.append(read_reply(connection.sock, connection.buffer))


def _iterate(connection: Connection, argv: Argv, cursor: int) -> bytes:
    """A SCAN-family command run to its end: its one reply when that ends the
    iteration, else ``[0, <every call's items in order>]``. From a cursor other than 0,
    just the first reply."""
    replies: list[bytes] = []
    _pipeline(connection, [argv], replies)
    first = replies[0]
    tree = _tree(first)
    if tree is None or len(tree.children) != 2 or argv[cursor] != b"0":
        return first
    items = list(tree.children[1].children)
    calls = 1
    next_cursor = tree.children[0].text
    while next_cursor != b"0":
        calls += 1
        if calls > MAX_SCAN_CALLS:
            return b"-<the iteration did not end within %d calls>\r\n" % MAX_SCAN_CALLS
        replies.clear()
        _pipeline(connection, [(*argv[:cursor], next_cursor, *argv[cursor + 1 :])], replies)
        tree = _tree(replies[0])
        if tree is None or len(tree.children) != 2:
            return replies[0]
        items += tree.children[1].children
        next_cursor = tree.children[0].text
    if calls == 1:
        return first
    union = Node(b"*", b"%d" % len(items), children=items)
    return Node(b"*", b"2", children=[_bulk(b"0"), union]).serialize()


def execute(
    host: str, port: int, steps: list[Step], protocol: int, plans: list[Treatment], reference: bool
) -> list[Outcome]:
    """Every step's reply and probe replies on one server (a fresh connection); the steps
    left without a reply when the connection is lost get ``LOST``."""
    wire: list[tuple[int, str, Argv]] = []
    for index, (step_, plan) in enumerate(zip(steps, plans, strict=True)):
        wire += [(index, "shared", argv) for argv in plan.shared_before]
        if reference:
            wire += [(index, "reference", argv) for argv in plan.reference_before]
        wire.append((index, "step", step_.argv))
        wire += [(index, "after", argv) for argv in plan.shared_after]
    replies: list[bytes] = []
    connection = Connection(host, port, protocol)
    try:
        position = 0
        while position < len(wire):
            end = position
            while end < len(wire) and not (wire[end][1] == "step" and plans[wire[end][0]].iterate):
                end += 1
            _pipeline(connection, [argv for _, _, argv in wire[position:end]], replies)
            if end < len(wire):
                argv = wire[end][2]
                replies.append(_iterate(connection, argv, 1 if argv[0].upper() == b"SCAN" else 2))
                end += 1
            position = end
    except OSError:  # closed, reset or timed out
        pass
    finally:
        connection.close()
    replies += [LOST] * (len(wire) - len(replies))
    outcomes = [Outcome() for _ in steps]
    for (index, role, _), reply in zip(wire, replies, strict=True):
        outcome = outcomes[index]
        if role == "step":
            outcome.reply = reply
        else:
            getattr(outcome, role).append(reply)
    return outcomes


def compared(plan: Treatment, own: Outcome, reference: Outcome, shuffled: bool) -> bytes:
    reply = own.reply
    if plan.normalise is not None and reply is not LOST and reply[:1] != b"-":
        reply = plan.normalise(reply, own.shared, reference.reference, shuffled)
    return reply + b"".join(own.after)


def intset_limit(steps: list[Step]) -> int:
    """The set-max-intset-entries the steps configure (Valkey's default otherwise)."""
    limit = 512
    for step_ in steps:
        argv = [arg.lower() for arg in step_.argv]
        if argv[:3] == [b"config", b"set", b"set-max-intset-entries"] and len(argv) == 4:
            limit = int(argv[3])
    return limit


def typed_pair(reference: tuple[str, int], subject: tuple[str, int], view: FuzzView) -> Pair:
    """Both servers' compared replies: the reference runs first (with its probes), then
    minivalkey; each reply normalised with the reference's probes, then combined per
    step as ``view`` says."""

    def run(steps: list[Step], protocol: int) -> tuple[list[bytes], list[bytes]]:
        groups = view.send(steps)
        sent = [sent_step for group in groups for sent_step in group]
        limit = intset_limit(sent)
        plans = [treatment(sent_step.argv, limit) for sent_step in sent]
        expected = execute(*reference, sent, protocol, plans, True)
        actual = execute(*subject, sent, protocol, plans, False)
        shuffled = shuffled_keys(plans, expected)
        sides: tuple[list[bytes], list[bytes]] = ([], [])
        for side, outcomes in zip(sides, (expected, actual), strict=True):
            replies = iter(
                compared(plan, own, ref, flag)
                for plan, own, ref, flag in zip(plans, outcomes, expected, shuffled, strict=True)
            )
            for step_, group in zip(steps, groups, strict=True):
                side.append(view.compared(step_, [(s, next(replies)) for s in group]))
        return sides

    return run
