"""COMMAND and its subcommands: introspection of the command table.

Invariants:
* Every reply is generated from the command table alone (``table.COMMANDS``),
  so a command registered by any module shows up in COMMAND COUNT / INFO / DOCS /
  LIST without being named here.
* COMMAND GETKEYS finds keys exactly as the table's key specs (or a command's own
  key finder) say, checking the target's arity first, and never runs the target.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .. import errors
from ..errors import CommandError, as_text
from ..glob import glob_match
from ..replies import Map, Set, SimpleString
from .args import option
from .help import help_reply
from .table import (
    KEY_FLAG_ORDER,
    NO_MANDATORY_KEYS,
    BeginIndex,
    BeginKeyword,
    CommandSpec,
    FindKeynum,
    FindRange,
    KeySpec,
    container,
    find_keys,
    lookup,
    subcommand,
)

if TYPE_CHECKING:
    from ..session import Client


def lookup_by_fullname(name: bytes) -> CommandSpec | None:
    """``get`` or ``config|get`` (any case) to its spec; one level of subcommands only."""
    parts = name.split(b"|") if name else []
    if not 1 <= len(parts) <= 2:
        return None
    spec = lookup(parts)
    if spec is None:
        return None
    if len(parts) == 2 and spec.parent is None:
        return None  # "get|x": GET has no subcommands
    return spec


def _ordered_key_flags(flags: tuple[str, ...]) -> Set:
    return Set(SimpleString(flag) for flag in KEY_FLAG_ORDER if flag in flags)


def _key_spec_reply(spec: KeySpec) -> Map:
    begin = spec.begin_search
    if isinstance(begin, BeginIndex):
        begin_reply = Map({b"type": b"index", b"spec": Map({b"index": begin.index})})
    elif isinstance(begin, BeginKeyword):
        begin_spec = Map({b"keyword": begin.keyword.encode(), b"startfrom": begin.startfrom})
        begin_reply = Map({b"type": b"keyword", b"spec": begin_spec})
    else:
        begin_reply = Map({b"type": b"unknown", b"spec": Map()})
    find = spec.find_keys
    if isinstance(find, FindRange):
        find_spec = Map({b"lastkey": find.lastkey, b"keystep": find.keystep, b"limit": find.limit})
        find_reply = Map({b"type": b"range", b"spec": find_spec})
    elif isinstance(find, FindKeynum):
        find_spec = Map(
            {b"keynumidx": find.keynumidx, b"firstkey": find.firstkey, b"keystep": find.keystep}
        )
        find_reply = Map({b"type": b"keynum", b"spec": find_spec})
    else:
        find_reply = Map({b"type": b"unknown", b"spec": Map()})
    reply = Map()
    if spec.notes:
        reply[b"notes"] = spec.notes.encode()
    reply[b"flags"] = _ordered_key_flags(spec.flags)
    reply[b"begin_search"] = begin_reply
    reply[b"find_keys"] = find_reply
    return reply


def command_info(spec: CommandSpec) -> list[Any]:
    """One COMMAND INFO entry: name, arity, flags, key triple, categories, tips, specs, subs."""
    subcommands: Any = (
        [command_info(sub) for sub in spec.subcommands.values()] if spec.subcommands else Set()
    )
    return [
        spec.fullname.encode(),
        spec.arity,
        Set(SimpleString(flag) for flag in spec.info_flags),
        spec.first_key,
        spec.last_key,
        spec.key_step,
        Set(SimpleString(category) for category in spec.categories),
        Set(tip.encode() for tip in spec.tips),
        Set(_key_spec_reply(key_spec) for key_spec in spec.key_specs),
        subcommands,
    ]


def command_docs(spec: CommandSpec) -> Map:
    """One COMMAND DOCS entry. Argument descriptions are not part of the table, so absent."""
    docs = Map()
    if spec.summary:
        docs[b"summary"] = spec.summary.encode()
    if spec.since:
        docs[b"since"] = spec.since.encode()
    docs[b"group"] = spec.group.encode()
    if spec.complexity:
        docs[b"complexity"] = spec.complexity.encode()
    if spec.subcommands:
        docs[b"subcommands"] = Map(
            (sub.fullname.encode(), command_docs(sub)) for sub in spec.subcommands.values()
        )
    return docs


def _all_info(client: Client) -> list[Any]:
    return [command_info(spec) for spec in client.core.commands.values()]


def command_(client: Client, argv: list[bytes]) -> Any:
    """COMMAND with no subcommand: COMMAND INFO of every command."""
    return _all_info(client)


COMMAND = container(
    "command",
    group="server",
    since="2.8.13",
    summary="Describes every command the server knows.",
    acl="@connection",
    arity=-1,
    flags="loading stale sentinel",
    tips="nondeterministic_output_order",
    complexity="O(N) where N is the number of commands",
    handler=command_,
)

_COMMAND_FLAGS = "loading stale sentinel"


@subcommand(COMMAND, "count", 2, _COMMAND_FLAGS, summary="Counts the commands the server knows.")
def command_count(client: Client, argv: list[bytes]) -> Any:
    return len(client.core.commands)


@subcommand(
    COMMAND,
    "list",
    -2,
    _COMMAND_FLAGS,
    since="7.0.0",
    summary="Lists command names, optionally only those matching a filter.",
    complexity="O(N) where N is the number of commands",
    tips="nondeterministic_output_order",
)
def command_list(client: Client, argv: list[bytes]) -> Any:
    accept: Callable[[CommandSpec], bool] = lambda spec: True  # noqa: E731
    # The only option is one FILTERBY <type> <argument>, and it must come last.
    if len(argv) > 2:
        if len(argv) != 5 or option(argv[2]) != b"filterby":
            raise CommandError(errors.SYNTAX)
        accept = _list_filter(argv[3], argv[4])
    names = []
    for top in client.core.commands.values():
        for spec in top.all_specs():
            if accept(spec):
                names.append(spec.fullname.encode())
    return names


def _list_filter(kind: bytes, argument: bytes) -> Callable[[CommandSpec], bool]:
    kind = option(kind)
    if kind == b"module":
        return lambda spec: False  # no modules are loaded
    if kind == b"aclcat":
        category = "@" + as_text(argument).lower()
        return lambda spec: category in spec.categories
    if kind == b"pattern":
        return lambda spec: glob_match(argument, spec.fullname.encode(), nocase=True)
    raise CommandError(errors.SYNTAX)


@subcommand(
    COMMAND,
    "info",
    -2,
    _COMMAND_FLAGS,
    summary="Describes the named commands (all of them when none is named).",
    complexity="O(N) where N is the number of commands looked up",
    tips="nondeterministic_output_order",
)
def command_info_(client: Client, argv: list[bytes]) -> Any:
    if len(argv) == 2:
        return _all_info(client)
    result: list[Any] = []
    for name in argv[2:]:
        spec = lookup_by_fullname(name)
        result.append(None if spec is None else command_info(spec))
    return result


@subcommand(
    COMMAND,
    "docs",
    -2,
    _COMMAND_FLAGS,
    since="7.0.0",
    summary="Documents the named commands (all of them when none is named).",
    complexity="O(N) where N is the number of commands looked up",
    tips="nondeterministic_output_order",
)
def command_docs_(client: Client, argv: list[bytes]) -> Any:
    if len(argv) == 2:
        specs = list(client.core.commands.values())
    else:
        found = (lookup_by_fullname(name) for name in argv[2:])
        specs = [spec for spec in found if spec is not None]
    return Map((spec.fullname.encode(), command_docs(spec)) for spec in specs)


def command_keys(spec: CommandSpec, argv: list[bytes]) -> list[tuple[int, tuple[str, ...]]] | None:
    """The keys of a command line as Valkey finds them for COMMAND GETKEYS.

    Key specs are preferred unless one has variable flags and the command has its
    own key finder. ``None`` means a spec could not be applied to ``argv``.
    """
    specs = spec.key_specs
    has_keys = any("not_key" not in key_spec.flags for key_spec in specs)
    variable = any("variable_flags" in key_spec.flags for key_spec in specs)
    if has_keys and not variable:
        found = find_keys(spec, argv)
        if found is not None:
            return found
    if spec.getkeys is not None:
        return spec.getkeys(argv) or []
    return find_keys(spec, argv) if has_keys else []


def _getkeys(argv: list[bytes], with_flags: bool) -> Any:
    target = argv[2:]
    spec = lookup(target)
    if spec is None:
        raise CommandError(errors.INVALID_COMMAND_SPECIFIED)
    has_keys = spec.getkeys is not None or any(
        "not_key" not in key_spec.flags for key_spec in spec.key_specs
    )
    if not has_keys:
        raise CommandError(errors.COMMAND_HAS_NO_KEYS)
    arity = spec.arity
    if (arity > 0 and arity != len(target)) or len(target) < -arity:
        raise CommandError(errors.INVALID_COMMAND_ARITY)
    found = command_keys(spec, target)
    if found is None:
        # Valkey answers an empty list when a key spec cannot be applied.
        return []
    if not found and NO_MANDATORY_KEYS not in spec.flags:
        raise CommandError(errors.INVALID_COMMAND_ARGUMENTS)
    if with_flags:
        return [[target[position], _ordered_key_flags(flags)] for position, flags in found]
    return [target[position] for position, _ in found]


@subcommand(
    COMMAND,
    "getkeys",
    -3,
    _COMMAND_FLAGS,
    summary="Names the keys a full command line would access.",
    complexity="O(N) where N is the number of arguments to the command",
)
def command_getkeys(client: Client, argv: list[bytes]) -> Any:
    return _getkeys(argv, with_flags=False)


@subcommand(
    COMMAND,
    "getkeysandflags",
    -3,
    _COMMAND_FLAGS,
    since="7.0.0",
    summary="Names the keys a full command line would access, with what it does to each.",
    complexity="O(N) where N is the number of arguments to the command",
)
def command_getkeysandflags(client: Client, argv: list[bytes]) -> Any:
    return _getkeys(argv, with_flags=True)


_COMMAND_HELP = (
    "(no subcommand)",
    "    Describe every command.",
    "COUNT",
    "    Count the commands this server knows.",
    "LIST",
    "    Name every command this server knows.",
    "INFO [<command-name> ...]",
    "    Describe the named commands.",
    "    With no names, describe every command.",
    "DOCS [<command-name> ...]",
    "    Document the named commands.",
    "    With no names, document every command.",
    "GETKEYS <full-command>",
    "    Name the keys in a full command line.",
    "GETKEYSANDFLAGS <full-command>",
    "    Name the keys in a full command line, with their access flags.",
)


@subcommand(
    COMMAND, "help", 2, _COMMAND_FLAGS, since="5.0.0", summary="Lists the COMMAND subcommands."
)
def command_help(client: Client, argv: list[bytes]) -> Any:
    return help_reply(argv, _COMMAND_HELP)
