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
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

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

# Valkey derives part of a command's ACL categories from its group and flags.
_GROUP_CATEGORIES = {
    "string": "@string",
    "stream": "@stream",
    "generic": "@keyspace",
    "connection": "@connection",
    "transactions": "@transaction",
    "server": None,
}


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
    # Mutable statistics (INFO commandstats); reset by CONFIG RESETSTAT.
    calls: int = 0
    usec: int = 0
    rejected_calls: int = 0
    failed_calls: int = 0

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
        if READONLY in self.flags:
            add("@read")
        if ADMIN in self.flags:
            add("@admin")
            add("@dangerous")
        if PUBSUB in self.flags:
            add("@pubsub")
        add("@fast" if FAST in self.flags else "@slow")
        if BLOCKING in self.flags:
            add("@blocking")
        group_category = _GROUP_CATEGORIES.get(self.group)
        if group_category:
            add(group_category)
        return result

    def reset_stats(self) -> None:
        self.calls = self.usec = self.rejected_calls = self.failed_calls = 0
        for sub in self.subcommands.values():
            sub.reset_stats()

    def all_specs(self) -> list[CommandSpec]:
        """This spec and its subcommands (for statistics)."""
        return [self, *self.subcommands.values()]


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
) -> Callable[[Handler], Handler]:
    """Register a top-level command handled by the decorated function."""

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
        )
        _add(COMMANDS, spec)
        return handler

    return register


def container(
    name: str, group: str, since: str, summary: str, acl: str = ""
) -> CommandSpec:
    """Register a command made of subcommands (``CLIENT``, ``CONFIG``...)."""
    spec = CommandSpec(
        name=name,
        arity=-2,
        group=group,
        since=since,
        summary=summary,
        complexity="Depends on subcommand.",
        acl_categories=_flags(acl),
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
        )
        _add(parent.subcommands, spec)
        return handler

    return register


def _add(table: dict[bytes, CommandSpec], spec: CommandSpec) -> None:
    key = spec.name.encode()
    if key in table:
        raise ValueError(f"command {spec.fullname} registered twice")
    table[key] = spec


def lookup(argv: list[bytes]) -> CommandSpec | None:
    """The spec ``argv`` names: the subcommand's for containers, ``None`` if unknown."""
    spec = COMMANDS.get(argv[0].lower())
    if spec is None or not spec.subcommands:
        return spec
    if len(argv) < 2:
        return spec  # arity check reports the container's name, as Valkey does
    return spec.subcommands.get(argv[1].lower())


def all_commands() -> list[CommandSpec]:
    return list(COMMANDS.values())
