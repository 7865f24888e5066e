"""Server commands: INFO, CONFIG, DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, TIME, SHUTDOWN.

Invariants:
* CONFIG SET is all or nothing: every name is checked, then every value parsed,
  and only then are all of them stored; any failure leaves the configuration as
  it was, with Valkey's error naming the parameter at fault.
* FLUSHDB, FLUSHALL and SWAPDB validate every argument before touching a database.
* SHUTDOWN answers nothing: the connection closes and the server stops.
* COMMAND (introspection of the command table) lives in commands/introspection.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import errors
from ..config import ConfigError, Param, apply_check, find_param, rewrite_config_file
from ..errors import CommandError, as_text, c_string
from ..info import info_text
from ..replies import OK, Map, RawReply, Verbatim
from .args import option, parse_int_or_none
from .help import help_reply
from .table import command, container, subcommand

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
        elif param.protected and not client.allowed_by("enable-protected-configs"):
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
    config = client.core.config
    changes: list[tuple[Param, object]] = []
    for param, raw in _config_set_targets(client, argv):
        try:
            changes.append((param, config.parse(param, as_text(raw))))
        except ConfigError as error:
            raise CommandError(errors.config_set_failed(param.name, str(error))) from None
    # The effects of the changed values, each once, in order (Valkey's apply functions):
    # one that fails refuses the whole change.
    after = dict(config.values)
    after.update((param.name, value) for param, value in changes)
    performed: set[str] = set()
    for param, value in changes:
        if not param.apply or param.apply in performed or config.values[param.name] == value:
            continue
        performed.add(param.apply)
        failure = apply_check(param, value, after)
        if failure is not None:
            raise CommandError(errors.config_set_failed(param.name, failure))
    config.apply(changes)
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
    if len(argv) == 2 and option(argv[1]) in (b"sync", b"async"):
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
    client.core.tracking.flushed()  # tracking clients hear that every key is gone
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
    client.core.tracking.flushed()  # tracking clients hear that every key is gone
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
    options = [option(arg) for arg in argv[1:]]
    if any(word not in _SHUTDOWN_OPTIONS for word in options):
        raise CommandError(errors.SYNTAX)
    chosen = set(options)
    if (b"abort" in chosen and len(chosen) > 1) or {b"save", b"nosave"} <= chosen:
        raise CommandError(errors.SYNTAX)
    if b"abort" in chosen:
        # Shutting down never waits here (no replicas to catch up), so there is
        # never a shutdown in progress to abort.
        raise CommandError(errors.NO_SHUTDOWN_IN_PROGRESS)
    core = client.core
    if core.script_busy:  # only NOSAVE stops a server running a timed-out script
        from ..scripting.busy import shutdown as busy_shutdown

        busy_shutdown(core, b"nosave" in chosen)
    # Nothing is persisted, so SAVE and NOSAVE stop the server alike. The caller
    # gets no reply: its connection closes as the server goes away.
    if client.connection is not None:
        client.connection.close_after_reply()
    client.core.request_shutdown()
    return RawReply(b"")
