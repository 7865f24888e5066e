"""Server commands: INFO, COMMAND, CONFIG, DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, TIME, SHUTDOWN.

Invariants:
* COMMAND's replies are generated from the command table alone (``table.COMMANDS``),
  so a command added anywhere shows up in COMMAND COUNT / INFO / DOCS / LIST.
* CONFIG SET is all or nothing: every name is checked, then every value parsed,
  and only then are all of them stored; any failure leaves the configuration as
  it was, with Valkey's error naming the parameter at fault.
* SHUTDOWN answers nothing: the connection closes and the server stops.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .. import errors
from ..config import ConfigError, Param, find_param, parse_value, rewrite_config_file
from ..errors import CommandError, as_text, c_string
from ..glob import glob_match
from ..info import info_text
from ..replies import OK, Map, RawReply, Set, SimpleString, Verbatim
from .args import keyword, parse_int_or_none
from .connection import help_reply
from .table import (
    KEY_FLAG_ORDER,
    NO_MANDATORY_KEYS,
    BeginIndex,
    CommandSpec,
    FindRange,
    KeySpec,
    command,
    container,
    find_keys,
    lookup,
    subcommand,
)

if TYPE_CHECKING:
    from ..session import Client


# -- INFO --------------------------------------------------------------------------------


@command(
    "info",
    -1,
    "loading stale sentinel",
    group="server",
    since="1.0.0",
    summary="Reports the server's state and statistics, by section.",
    acl="@dangerous",
    tips="nondeterministic_output request_policy:all_shards response_policy:special",
)
def info(client: Client, argv: list[bytes]) -> Any:
    return Verbatim(info_text(client.core, argv[1:]))


# -- COMMAND: introspection of the command table ------------------------------------------


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
    else:
        begin_spec = Map({b"keyword": begin.keyword.encode(), b"startfrom": begin.startfrom})
        begin_reply = Map({b"type": b"keyword", b"spec": begin_spec})
    find = spec.find_keys
    if isinstance(find, FindRange):
        find_spec = Map({b"lastkey": find.lastkey, b"keystep": find.keystep, b"limit": find.limit})
        find_reply = Map({b"type": b"range", b"spec": find_spec})
    else:
        find_spec = Map(
            {b"keynumidx": find.keynumidx, b"firstkey": find.firstkey, b"keystep": find.keystep}
        )
        find_reply = Map({b"type": b"keynum", b"spec": find_spec})
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
        if len(argv) != 5 or keyword(argv[2]) != b"filterby":
            raise CommandError(errors.SYNTAX)
        accept = _list_filter(argv[3], argv[4])
    names = []
    for top in client.core.commands.values():
        for spec in top.all_specs():
            if accept(spec):
                names.append(spec.fullname.encode())
    return names


def _list_filter(kind: bytes, argument: bytes) -> Callable[[CommandSpec], bool]:
    kind = keyword(kind)
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


# -- CONFIG ----------------------------------------------------------------------------

CONFIG = container(
    "config",
    group="server",
    since="2.0.0",
    summary="Groups the subcommands that read and change the server configuration.",
)

_CONFIG_FLAGS = "admin noscript loading stale"
_ALL_NODES = "request_policy:all_nodes response_policy:all_succeeded"


@subcommand(
    CONFIG,
    "get",
    -3,
    _CONFIG_FLAGS,
    summary="Reads the parameters matching one or more glob-style patterns.",
    complexity="O(N) where N is the number of patterns",
)
def config_get(client: Client, argv: list[bytes]) -> Any:
    found = client.core.config.matching(as_text(pattern) for pattern in argv[2:])
    return Map(
        (name.encode("utf-8", "surrogateescape"), value.encode("utf-8", "surrogateescape"))
        for name, value in found.items()
    )


def _protected_allowed(client: Client) -> bool:
    """May ``client`` change protected parameters (``enable-protected-configs``)?"""
    setting = client.core.config.get_str("enable-protected-configs")
    if setting == "yes":
        return True
    return setting == "local" and _is_local(client)


def _is_local(client: Client) -> bool:
    """A unix socket or loopback peer (Valkey's test: an address starting 127., or ::1)."""
    if client.unix:
        return True
    host = client.addr.rsplit(":", 1)[0].strip("[]")
    return host.startswith("127.") or host == "::1"


def _config_set_targets(client: Client, argv: list[bytes]) -> list[tuple[Param, bytes]]:
    """The parameters CONFIG SET names, checked in Valkey's order (values not yet parsed)."""
    unknown: bytes | None = None
    refused: str | None = None
    targets: list[tuple[Param, bytes]] = []
    for position in range(2, len(argv), 2):
        name = argv[position]
        param = find_param(as_text(name))
        if param is None:
            if unknown is None and refused is None:
                unknown = name
            continue
        if unknown is not None or refused is not None:
            continue
        if not param.mutable:
            refused = errors.config_set_failed(c_string(name), "can't set immutable config")
        elif param.protected and not _protected_allowed(client):
            refused = errors.config_set_failed(c_string(name), "can't set protected config")
        elif any(param is chosen for chosen, _ in targets):
            refused = errors.config_set_failed(c_string(name), "duplicate parameter")
        else:
            targets.append((param, argv[position + 1]))
    if unknown is not None:
        raise CommandError(errors.config_set_unknown(unknown))
    if refused is not None:
        raise CommandError(refused)
    return targets


@subcommand(
    CONFIG,
    "set",
    -4,
    _CONFIG_FLAGS,
    summary="Changes one or more parameters at once, all or none.",
    complexity="O(N) where N is the number of parameters",
    tips=_ALL_NODES,
)
def config_set(client: Client, argv: list[bytes]) -> Any:
    if len(argv) % 2:
        raise CommandError(errors.SYNTAX)
    changes: list[tuple[Param, object]] = []
    for param, raw in _config_set_targets(client, argv):
        try:
            changes.append((param, parse_value(param, as_text(raw))))
        except ConfigError as error:
            raise CommandError(errors.config_set_failed(param.name, str(error))) from None
    client.core.config.apply(changes)
    return OK


@subcommand(
    CONFIG,
    "resetstat",
    2,
    _CONFIG_FLAGS,
    summary="Zeroes the statistics INFO reports.",
    tips=_ALL_NODES,
)
def config_resetstat(client: Client, argv: list[bytes]) -> Any:
    client.core.reset_stats()
    return OK


@subcommand(
    CONFIG,
    "rewrite",
    2,
    _CONFIG_FLAGS,
    since="2.8.0",
    summary="Writes the live configuration back into the configuration file.",
    tips=_ALL_NODES,
)
def config_rewrite(client: Client, argv: list[bytes]) -> Any:
    config = client.core.config
    if not config.config_file:
        raise CommandError(errors.NO_CONFIG_FILE)
    try:
        rewrite_config_file(config)
    except OSError as error:
        raise CommandError(errors.config_rewrite_failed(error.strerror or str(error))) from None
    return OK


_CONFIG_HELP = (
    "GET <pattern>",
    "    Read the parameters matching the glob-style <pattern>, with their values.",
    "SET <directive> <value>",
    "    Change the parameter <directive> to <value>.",
    "RESETSTAT",
    "    Zero the statistics that INFO reports.",
    "REWRITE",
    "    Write the live configuration into the configuration file.",
)


@subcommand(
    CONFIG, "help", 2, "loading stale", since="5.0.0", summary="Lists the CONFIG subcommands."
)
def config_help(client: Client, argv: list[bytes]) -> Any:
    return help_reply(argv, _CONFIG_HELP)


# -- keyspace-wide commands --------------------------------------------------------------


@command(
    "dbsize",
    1,
    "readonly fast",
    group="server",
    summary="Counts the keys of the selected database.",
    acl="@keyspace",
    tips="request_policy:all_shards response_policy:agg_sum",
)
def dbsize(client: Client, argv: list[bytes]) -> Any:
    # Valkey counts keys whose time has passed but that were not removed yet.
    return len(client.db)


def _check_flush_mode(argv: list[bytes]) -> None:
    """FLUSHDB/FLUSHALL take nothing, SYNC or ASYNC; everything is freed at once here."""
    if len(argv) == 2 and keyword(argv[1]) in (b"sync", b"async"):
        return
    if len(argv) != 1:
        raise CommandError(errors.SYNTAX)


_FLUSH_TIPS = "request_policy:all_shards response_policy:all_succeeded"


@command(
    "flushdb",
    -1,
    "write",
    group="server",
    summary="Deletes every key of the selected database.",
    complexity="O(N) where N is the number of keys in the database",
    acl="@keyspace @dangerous",
    tips=_FLUSH_TIPS,
)
def flushdb(client: Client, argv: list[bytes]) -> Any:
    _check_flush_mode(argv)
    client.db.flush()
    return OK


@command(
    "flushall",
    -1,
    "write",
    group="server",
    summary="Deletes every key of every database.",
    complexity="O(N) where N is the number of keys in all databases",
    acl="@keyspace @dangerous",
    tips=_FLUSH_TIPS,
)
def flushall(client: Client, argv: list[bytes]) -> Any:
    _check_flush_mode(argv)
    for db in client.core.keyspace.dbs:
        db.flush()
    return OK


def _db_index(raw: bytes, error: str) -> int:
    value = parse_int_or_none(raw)
    if value is None or not -(2**31) <= value < 2**31:
        raise CommandError(error)
    return value


@command(
    "swapdb",
    3,
    "write fast",
    group="server",
    since="4.0.0",
    summary="Exchanges the contents of two databases.",
    complexity="O(N) where N is the number of clients watching keys of either database",
    acl="@keyspace @dangerous",
)
def swapdb(client: Client, argv: list[bytes]) -> Any:
    first = _db_index(argv[1], errors.INVALID_FIRST_DB_INDEX)
    second = _db_index(argv[2], errors.INVALID_SECOND_DB_INDEX)
    keyspace = client.core.keyspace
    if not (0 <= first < len(keyspace) and 0 <= second < len(keyspace)):
        raise CommandError(errors.DB_INDEX_OUT_OF_RANGE)
    keyspace.swap(first, second)
    return OK


# -- TIME, SHUTDOWN ------------------------------------------------------------------------


@command(
    "time",
    1,
    "loading stale fast",
    group="server",
    since="2.6.0",
    summary="Reports the server's clock as seconds and microseconds.",
    tips="nondeterministic_output",
)
def time_(client: Client, argv: list[bytes]) -> Any:
    now_us = client.core.clock.now_us()
    seconds, micros = divmod(now_us, 1_000_000)
    return [b"%d" % seconds, b"%d" % micros]


_SHUTDOWN_OPTIONS = frozenset({b"nosave", b"save", b"now", b"force", b"abort"})


@command(
    "shutdown",
    -1,
    "admin noscript loading stale no_multi sentinel allow_busy",
    group="server",
    summary="Stops the server, closing every connection.",
    complexity="O(1) here, as nothing is saved",
)
def shutdown(client: Client, argv: list[bytes]) -> Any:
    options = [keyword(arg) for arg in argv[1:]]
    if any(option not in _SHUTDOWN_OPTIONS for option in options):
        raise CommandError(errors.SYNTAX)
    chosen = set(options)
    if (b"abort" in chosen and len(chosen) > 1) or {b"save", b"nosave"} <= chosen:
        raise CommandError(errors.SYNTAX)
    if b"abort" in chosen:
        # Shutting down never waits here (no replicas to catch up), so there is
        # never a shutdown in progress to abort.
        raise CommandError(errors.NO_SHUTDOWN_IN_PROGRESS)
    # Nothing is persisted, so SAVE and NOSAVE stop the server alike. The caller
    # gets no reply: its connection closes as the server goes away.
    if client.connection is not None:
        client.connection.close_after_reply()
    client.core.request_shutdown()
    return RawReply(b"")
