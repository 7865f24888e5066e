"""The declarative command table.

Every command is one ``CommandSpec``: name, arity (negative means "at least"),
flags, key positions, group, documentation and handler. Container commands
(CLIENT, CONFIG, XGROUP...) hold their subcommands in ``subcommands`` and have no
handler of their own. The dispatcher's lookups, arity errors and "unknown
subcommand" errors, and the COMMAND command's replies, are all generated from
this table; nothing about a command is written down twice.

Invariants:
* ``COMMANDS`` maps the lower-case name (bytes) to its spec; a container's
  subcommands map lower-case subcommand names the same way.
* ``fullname`` is ``name`` for top-level commands and ``parent|name`` for
  subcommands, exactly as Valkey prints it in errors and COMMAND replies.
* A handler has the signature ``handler(client, argv) -> reply`` where ``argv``
  is the whole command line (``argv[0]`` is the command name as sent).
* Every command with keys has key specs (Valkey's ``key_specs``): given
  explicitly with ``key_specs=``, or derived from ``keys=(first, last, step)``
  and ``key_flags=``. COMMAND INFO / GETKEYS read them; the ``keys`` triple is
  the legacy (first, last, step) that COMMAND INFO also shows.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .args import parse_int_or_none

if TYPE_CHECKING:
    from ..session import Client

Handler = Callable[["Client", list[bytes]], Any]

# Flags that change what the dispatcher does with a command.
WRITE = "write"
READONLY = "readonly"
ADMIN = "admin"
FAST = "fast"
NOSCRIPT = "noscript"
LOADING = "loading"
STALE = "stale"
BLOCKING = "blocking"
NO_AUTH = "no_auth"
NO_MULTI = "no_multi"
ALLOW_BUSY = "allow_busy"
DENYOOM = "denyoom"
SENTINEL = "sentinel"
ONLY_SENTINEL = "only_sentinel"
PUBSUB = "pubsub"
NO_ASYNC_LOADING = "no_async_loading"
SKIP_MONITOR = "skip_monitor"
SKIP_SLOWLOG = "skip_slowlog"
ASKING = "asking"
NO_MANDATORY_KEYS = "no_mandatory_keys"
MAY_REPLICATE = "may_replicate"
PROTECTED = "protected"
TOUCHES_ARBITRARY_KEYS = "touches_arbitrary_keys"
# Derived from the key specs, never declared (see ``CommandSpec.movable_keys``).
MOVABLEKEYS = "movablekeys"

# The flags COMMAND INFO prints, in the order it prints them. Valkey hides
# sentinel, only_sentinel, may_replicate, protected and touches_arbitrary_keys.
INFO_FLAG_ORDER = (
    WRITE, READONLY, DENYOOM, "module", ADMIN, PUBSUB, NOSCRIPT, BLOCKING, LOADING, STALE,
    SKIP_MONITOR, SKIP_SLOWLOG, ASKING, FAST, NO_AUTH, NO_MANDATORY_KEYS, NO_ASYNC_LOADING,
    NO_MULTI, MOVABLEKEYS, ALLOW_BUSY,
)
# Every flag a table entry may declare.
KNOWN_FLAGS = frozenset(INFO_FLAG_ORDER) - {MOVABLEKEYS, "module"} | {
    SENTINEL, ONLY_SENTINEL, MAY_REPLICATE, PROTECTED, TOUCHES_ARBITRARY_KEYS,
}

# ACL categories in the order Valkey lists them (its category table order).
ACL_CATEGORY_ORDER = tuple(
    "@" + name
    for name in (
        "keyspace read write set sortedset list hash string bitmap hyperloglog geo stream "
        "pubsub admin fast slow blocking dangerous connection transaction scripting"
    ).split()
)

# Key spec flags in the order COMMAND INFO / GETKEYSANDFLAGS print them.
KEY_FLAG_ORDER = (
    "RO", "RW", "OW", "RM", "access", "update", "insert", "delete", "not_key", "incomplete",
    "variable_flags",
)

# Valkey derives part of a command's ACL categories from its group and flags.
_GROUP_CATEGORIES = {
    "string": "@string",
    "bitmap": "@bitmap",
    "hash": "@hash",
    "list": "@list",
    "set": "@set",
    "sorted-set": "@sortedset",
    "stream": "@stream",
    "generic": "@keyspace",
    "connection": "@connection",
    "transactions": "@transaction",
    "scripting": "@scripting",
    "server": None,
}


@dataclass(frozen=True)
class BeginIndex:
    """The first key is at a fixed argv index."""

    index: int


@dataclass(frozen=True)
class BeginKeyword:
    """The keys follow ``keyword``, searched from ``startfrom`` (negative: from the end)."""

    keyword: str
    startfrom: int


@dataclass(frozen=True)
class BeginUnknown:
    """Valkey's "unknown" begin_search: where the keys are cannot be told from the
    arguments' positions (SORT's BY/GET patterns and STORE); only the command's own
    key finder (``getkeys``) names them."""


@dataclass(frozen=True)
class FindRange:
    """Keys from the first one to ``lastkey`` (relative; negative counts from the end).

    ``limit`` > 1 with ``lastkey == -1`` means "the first 1/limit of the remaining
    arguments" (XREAD's STREAMS key... id...).
    """

    lastkey: int
    keystep: int = 1
    limit: int = 0


@dataclass(frozen=True)
class FindKeynum:
    """A count argument at ``keynumidx`` (relative to the begin) says how many keys follow."""

    keynumidx: int
    firstkey: int
    keystep: int = 1


@dataclass(frozen=True)
class FindUnknown:
    """Valkey's "unknown" find_keys, the companion of ``BeginUnknown``."""


@dataclass(frozen=True)
class KeySpec:
    flags: tuple[str, ...]
    begin_search: BeginIndex | BeginKeyword | BeginUnknown
    find_keys: FindRange | FindKeynum | FindUnknown
    notes: str = ""


def key_spec(
    flags: str,
    begin: BeginIndex | BeginKeyword | BeginUnknown,
    find: FindRange | FindKeynum | FindUnknown,
    notes: str = "",
) -> KeySpec:
    """A key spec with its flags given as one space-separated string (``"RW access"``)."""
    return KeySpec(_flags(flags), begin, find, notes)


def range_spec(first: int, last: int, step: int, flags: tuple[str, ...]) -> KeySpec:
    """The key spec equivalent to a legacy (first, last, step) triple."""
    lastkey = last - first if last >= 0 else last
    return KeySpec(flags, BeginIndex(first), FindRange(lastkey, step, 0))


def _default_key_flags(flags: tuple[str, ...]) -> tuple[str, ...]:
    # A guess for entries that do not say what they do to their keys.
    if WRITE in flags:
        return ("RW", "update")
    if READONLY in flags:
        return ("RO", "access")
    return ("RO",)


KeyFinder = Callable[[list[bytes]], "list[tuple[int, tuple[str, ...]]] | None"]


@dataclass
class CommandSpec:
    name: str
    arity: int
    flags: tuple[str, ...] = ()
    first_key: int = 0
    last_key: int = 0
    key_step: int = 0
    group: str = "generic"
    since: str = "1.0.0"
    summary: str = ""
    complexity: str = "O(1)"
    acl_categories: tuple[str, ...] = ()
    tips: tuple[str, ...] = ()
    handler: Handler | None = None
    parent: CommandSpec | None = None
    subcommands: dict[bytes, CommandSpec] = field(default_factory=dict)
    key_specs: tuple[KeySpec, ...] = ()
    # A container's categories are only the declared ones (nothing from its group).
    is_container: bool = False
    # False for the few commands whose group does not bring its category (SORT is
    # in the generic group but not in @keyspace).
    group_acl: bool = True
    # Valkey's getkeys_proc: used by COMMAND GETKEYS when a spec has variable_flags.
    getkeys: KeyFinder | None = None
    # The flags processCommand weighs when they depend on the arguments (FCALL: the
    # function's own flags), read only by the checks before running (OOM, CLIENT
    # PAUSE, MONITOR); None: ``flags``.
    flags_for: Callable[[Client, list[bytes]], Collection[str]] | None = None
    # Refused unless a setting allows it (DEBUG): the dispatcher checks before running.
    protected: bool = field(init=False, default=False)
    # Never takes the dispatcher's fast path: it has a check of its own there (the
    # protected commands; the unsubscribes, refused outside subscribed mode).
    checked: bool = field(init=False, default=False)
    # A write command: each successful call counts as a change (``ServerCore.dirty``).
    writes: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        self.protected = PROTECTED in self.flags
        self.checked = self.protected
        self.writes = WRITE in self.flags

    @property
    def fullname(self) -> str:
        return f"{self.parent.name}|{self.name}" if self.parent else self.name

    def has(self, flag: str) -> bool:
        return flag in self.flags

    @property
    def categories(self) -> list[str]:
        """ACL categories as Valkey lists them: the command's own first, then derived ones."""
        result = list(self.acl_categories)

        def add(category: str) -> None:
            if category not in result:
                result.append(category)

        if WRITE in self.flags:
            add("@write")
        if READONLY in self.flags and self.group != "scripting":
            add("@read")  # Valkey gives scripting commands no implicit @read
        if ADMIN in self.flags:
            add("@admin")
            add("@dangerous")
        if PUBSUB in self.flags:
            add("@pubsub")
        add("@fast" if FAST in self.flags else "@slow")
        if BLOCKING in self.flags:
            add("@blocking")
        group_category = (
            _GROUP_CATEGORIES.get(self.group) if self.group_acl and not self.is_container else None
        )
        if group_category:
            add(group_category)
        order = {name: position for position, name in enumerate(ACL_CATEGORY_ORDER)}
        return sorted(result, key=lambda name: order.get(name, len(order)))

    @property
    def movable_keys(self) -> bool:
        """Valkey's derived movablekeys: some keys are not covered by the legacy triple."""
        specs = self.key_specs
        if not specs:
            return False
        if len(specs) == 1 and _plain_range(specs[0]):
            return "incomplete" in specs[0].flags
        previous_last = 0
        movable = False
        for spec in specs:
            if not _plain_range(spec):
                movable = True
                continue
            assert isinstance(spec.begin_search, BeginIndex)
            assert isinstance(spec.find_keys, FindRange)
            first = spec.begin_search.index
            if spec.find_keys.keystep != 1 or (previous_last and previous_last != first - 1):
                movable = True
                continue
            if "incomplete" in spec.flags:
                movable = True
            last = spec.find_keys.lastkey
            absolute = last + first if last >= 0 else last
            # Valkey compares these unsigned, so a negative last key wins.
            previous_last = max(previous_last % 2**32, absolute % 2**32)
            previous_last = previous_last - 2**32 if previous_last >= 2**31 else previous_last
        return movable

    @property
    def info_flags(self) -> list[str]:
        """The flags COMMAND INFO prints, in its order (hidden ones left out)."""
        present = set(self.flags)
        if self.movable_keys:
            present.add(MOVABLEKEYS)
        return [flag for flag in INFO_FLAG_ORDER if flag in present]

    def all_specs(self) -> list[CommandSpec]:
        """This spec and its subcommands, in table order."""
        return [self, *self.subcommands.values()]


def _plain_range(spec: KeySpec) -> bool:
    return isinstance(spec.begin_search, BeginIndex) and isinstance(spec.find_keys, FindRange)


COMMANDS: dict[bytes, CommandSpec] = {}


def _flags(flags: str) -> tuple[str, ...]:
    return tuple(flags.split())


def command(
    name: str,
    arity: int,
    flags: str = "",
    keys: tuple[int, int, int] = (0, 0, 0),
    group: str = "generic",
    since: str = "1.0.0",
    summary: str = "",
    complexity: str = "O(1)",
    acl: str = "",
    tips: str = "",
    key_flags: str = "",
    key_specs: tuple[KeySpec, ...] = (),
    getkeys: KeyFinder | None = None,
    group_acl: bool = True,
) -> Callable[[Handler], Handler]:
    """Register a top-level command handled by the decorated function.

    ``key_flags`` (e.g. ``"RW access update"``) are the flags of the key spec
    derived from ``keys``; ``key_specs`` replaces that derivation entirely.
    ``group_acl=False`` leaves out the category the group would bring.
    """

    def register(handler: Handler) -> Handler:
        spec = CommandSpec(
            name=name,
            arity=arity,
            flags=_flags(flags),
            first_key=keys[0],
            last_key=keys[1],
            key_step=keys[2],
            group=group,
            since=since,
            summary=summary,
            complexity=complexity,
            acl_categories=_flags(acl),
            tips=_flags(tips),
            handler=handler,
            key_specs=_key_specs(flags, keys, key_flags, key_specs),
            getkeys=getkeys,
            group_acl=group_acl,
        )
        _add(COMMANDS, spec)
        return handler

    return register


def container(
    name: str,
    group: str,
    since: str,
    summary: str,
    acl: str = "",
    *,
    arity: int = -2,
    flags: str = "",
    tips: str = "",
    complexity: str = "Depends on subcommand.",
    handler: Handler | None = None,
) -> CommandSpec:
    """Register a command made of subcommands (``CLIENT``, ``CONFIG``...).

    A container normally has no handler and arity -2. One that also runs on its
    own (``COMMAND`` with no subcommand) passes ``handler`` and ``arity=-1``.
    """
    spec = CommandSpec(
        name=name,
        arity=arity,
        flags=_flags(flags),
        group=group,
        since=since,
        summary=summary,
        complexity=complexity,
        acl_categories=_flags(acl),
        tips=_flags(tips),
        handler=handler,
        is_container=True,
    )
    _add(COMMANDS, spec)
    return spec


def subcommand(
    parent: CommandSpec,
    name: str,
    arity: int,
    flags: str = "",
    keys: tuple[int, int, int] = (0, 0, 0),
    since: str | None = None,
    summary: str = "",
    complexity: str = "O(1)",
    acl: str = "",
    tips: str = "",
    key_flags: str = "",
    key_specs: tuple[KeySpec, ...] = (),
    getkeys: KeyFinder | None = None,
) -> Callable[[Handler], Handler]:
    """Register a subcommand of ``parent`` handled by the decorated function."""

    def register(handler: Handler) -> Handler:
        spec = CommandSpec(
            name=name,
            arity=arity,
            flags=_flags(flags),
            first_key=keys[0],
            last_key=keys[1],
            key_step=keys[2],
            group=parent.group,
            since=since or parent.since,
            summary=summary,
            complexity=complexity,
            acl_categories=_flags(acl) or parent.acl_categories,
            tips=_flags(tips),
            handler=handler,
            parent=parent,
            key_specs=_key_specs(flags, keys, key_flags, key_specs),
            getkeys=getkeys,
        )
        _add(parent.subcommands, spec)
        return handler

    return register


def _key_specs(
    flags: str, keys: tuple[int, int, int], key_flags: str, given: tuple[KeySpec, ...]
) -> tuple[KeySpec, ...]:
    if given:
        return tuple(given)
    first, last, step = keys
    if first <= 0:
        return ()
    chosen = _flags(key_flags) or _default_key_flags(_flags(flags))
    return (range_spec(first, last, step, chosen),)


def find_keys(
    spec: CommandSpec, argv: list[bytes]
) -> list[tuple[int, tuple[str, ...]]] | None:
    """Positions and flags of the keys in ``argv`` (Valkey's getKeysUsingKeySpecs).

    ``None`` when a spec cannot be applied (bad key count, keys past the end, an
    unknown spec); specs flagged ``not_key`` are skipped. ``argv[0]`` is the command
    name.
    """
    argc = len(argv)
    found: list[tuple[int, tuple[str, ...]]] = []
    for key_spec_ in spec.key_specs:
        if "not_key" in key_spec_.flags:
            continue
        begin = key_spec_.begin_search
        if isinstance(begin, BeginIndex):
            first = begin.index
        elif isinstance(begin, BeginKeyword):
            first = _keyword_position(argv, begin)
            if not first:
                continue
        else:
            return None
        find = key_spec_.find_keys
        if isinstance(find, FindUnknown):
            return None
        if isinstance(find, FindRange):
            step = find.keystep
            if find.lastkey >= 0:
                last = first + find.lastkey
            elif not find.limit:
                last = argc + find.lastkey
            else:
                last = first + ((argc - first) // find.limit + find.lastkey)
        else:
            step = find.keystep
            count_at = first + find.keynumidx
            if count_at >= argc:
                return None
            count = parse_int_or_none(argv[count_at])
            if count is None or count < 0:
                return None
            first += find.firstkey
            last = first + count - 1
        if last >= argc or last < first or first >= argc:
            return None
        found.extend((position, key_spec_.flags) for position in range(first, last + 1, step))
        if "incomplete" in key_spec_.flags:
            return None
    return found


def _keyword_position(argv: list[bytes], begin: BeginKeyword) -> int:
    """Index just past ``begin.keyword`` in ``argv``, or 0 when it is absent."""
    argc = len(argv)
    keyword = begin.keyword.lower().encode()
    if begin.startfrom > 0:
        positions = range(begin.startfrom, argc - 1)
    else:
        positions = range(argc + begin.startfrom, 1, -1)
    for position in positions:
        if position >= argc or position < 1:
            break
        if argv[position].lower() == keyword:
            return position + 1
    return 0


def _add(table: dict[bytes, CommandSpec], spec: CommandSpec) -> None:
    key = spec.name.encode()
    if key in table:
        raise ValueError(f"command {spec.fullname} registered twice")
    table[key] = spec
    if table is COMMANDS:
        DIRECT[key] = DIRECT[key.upper()] = spec


# Top-level commands by their name as clients usually send it (all lower or all upper
# case): ``lookup`` tries it before lower-casing the name.
DIRECT: dict[bytes, CommandSpec] = {}


def lookup(argv: list[bytes]) -> CommandSpec | None:
    """The spec ``argv`` names: the subcommand's for containers, ``None`` if unknown."""
    spec = DIRECT.get(argv[0]) or COMMANDS.get(argv[0].lower())
    if spec is None or not spec.subcommands:
        return spec
    if len(argv) < 2:
        return spec  # arity check reports the container's name, as Valkey does
    return spec.subcommands.get(argv[1].lower())


def all_commands() -> list[CommandSpec]:
    return list(COMMANDS.values())
