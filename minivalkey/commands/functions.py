"""Function commands: FUNCTION (LOAD, DELETE, FLUSH, LIST, STATS, KILL, DUMP, RESTORE,
HELP), FCALL and FCALL_RO.

Invariants (Valkey 8.0.1's functions.c and script.c):
* FCALL looks the function up (any case) before it reads ``numkeys``: ``Function not
  found``, then ``Bad number of keys provided`` (not a strict integer), greater than
  the arguments, negative, each with Valkey's text.
* A function's flags decide the run: without ``no-writes`` it is refused by FCALL_RO
  and, while memory is over maxmemory, unless ``allow-oom`` (the OOM refusal
  processCommand gives a command flagged denyoom); with ``no-writes`` its writes are
  refused. A function is never run in EVAL's compatibility mode.
* Every argument is checked before anything changes; a failed LOAD or RESTORE
  leaves the libraries as they were (``scripting/functions.py``).
* FLUSHALL and FLUSHDB leave the libraries alone; only FUNCTION FLUSH / DELETE /
  RESTORE ... FLUSH remove them.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from .. import errors
from ..errors import CommandError, c_string, no_newlines
from ..glob import glob_match
from ..replies import OK, Map, Set, SimpleString
from ..scripting import functions as registry
from ..scripting.busy import BUSY_EVAL, kill
from ..scripting.funchost import FLAG_ORDER, script_command_flags
from .args import parse_int_or_none
from .help import help_reply
from .table import (
    COMMANDS,
    BeginIndex,
    FindKeynum,
    command,
    container,
    key_spec,
    subcommand,
)
from .zsets import numkeys_finder

if TYPE_CHECKING:
    from ..session import Client

_RW_SPECS = (
    key_spec(
        "RW access update",
        BeginIndex(2),
        FindKeynum(0, 1, 1),
        "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE",
    ),
)
_RO_SPECS = (
    key_spec(
        "RO access",
        BeginIndex(2),
        FindKeynum(0, 1, 1),
        "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS",
    ),
)
_KEYS = numkeys_finder(0, 2, 3)
_ALL_SUCCEEDED = "request_policy:all_shards response_policy:all_succeeded"


def functions_of(client: Client) -> registry.Functions:
    return registry.functions_of(client.core)


# -- FCALL / FCALL_RO ----------------------------------------------------------------------


_OOM = (
    "OOM allow-oom flag is not set on the script, can not run it when used memory > "
    "'maxmemory'"
)


def _flags(client: Client, argv: list[bytes], base: tuple[str, ...]) -> Collection[str]:
    """Valkey's fcallGetCommandFlags: a known function's flags replace the command's."""
    functions = client.core.functions
    function = functions.current.function(argv[1]) if functions is not None else None
    if function is None:
        return base
    return script_command_flags(base, function.flags)


def _fcall(client: Client, argv: list[bytes], read_only: bool) -> Any:
    monitors = client.core.monitors
    if monitors.clients:  # shown before the function's own commands, whatever follows
        monitors.feed_script_call(client, _FCALL_RO if read_only else _FCALL, argv)
    functions = functions_of(client)
    function = functions.current.function(argv[1])
    if function is None:
        raise CommandError("ERR Function not found")
    flags = function.flags
    writes = "no-writes" not in flags
    core = client.core
    if writes and "allow-oom" not in flags and core.maxmemory and core.pre_command_oom:
        # Reached only where processCommand did not weigh the function's flags first
        # (``_flags``: the dispatcher refuses such a call with its OOM error).
        raise CommandError(_OOM)
    numkeys = parse_int_or_none(argv[2])
    if numkeys is None:
        raise CommandError("ERR Bad number of keys provided")
    if numkeys > len(argv) - 3:
        raise CommandError("ERR Number of keys can't be greater than number of args")
    if numkeys < 0:
        raise CommandError("ERR Number of keys can't be negative")
    if writes and read_only:
        raise CommandError("ERR Can not execute a script with write flag using *_ro command.")
    keys = argv[3 : 3 + numkeys]
    args = argv[3 + numkeys :]
    outer = functions.running_argv
    functions.running_argv = argv
    try:
        return functions.host.call_function(
            client,
            function,
            keys,
            args,
            read_only=read_only or not writes,
            allow_oom="allow-oom" in flags,
        )
    finally:
        functions.running_argv = outer


@command(
    "fcall",
    -3,
    "noscript skip_monitor may_replicate no_mandatory_keys stale",
    group="scripting",
    since="7.0.0",
    acl="@scripting",
    key_specs=_RW_SPECS,
    getkeys=_KEYS,
    complexity="Depends on the function that is executed.",
    summary="Calls a function of a loaded library.",
)
def fcall(client: Client, argv: list[bytes]) -> Any:
    return _fcall(client, argv, False)


@command(
    "fcall_ro",
    -3,
    "noscript skip_monitor no_mandatory_keys stale readonly",
    group="scripting",
    since="7.0.0",
    acl="@scripting",
    key_specs=_RO_SPECS,
    getkeys=_KEYS,
    complexity="Depends on the function that is executed.",
    summary="Calls a function of a loaded library, refusing its writes.",
)
def fcall_ro(client: Client, argv: list[bytes]) -> Any:
    return _fcall(client, argv, True)


_FCALL = COMMANDS[b"fcall"]
_FCALL_RO = COMMANDS[b"fcall_ro"]
_FCALL.flags_for = lambda client, argv: _flags(client, argv, _FCALL.flags)
_FCALL_RO.flags_for = lambda client, argv: _flags(client, argv, _FCALL_RO.flags)


# -- FUNCTION ------------------------------------------------------------------------------

FUNCTION = container("function", "scripting", "7.0.0", "Manages function libraries.")

_FUNCTION_HELP = (
    "LOAD [REPLACE] <FUNCTION CODE>",
    "    Create a library from its code, which names it in its first line.",
    "DELETE <LIBRARY NAME>",
    "    Remove the library of that name and its functions.",
    "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
    "    Answer, for each library:",
    "    * its name",
    "    * the engine that runs it",
    "    * its functions",
    "    * its code (with WITHCODE)",
    "    LIBRARYNAME keeps only the libraries whose names match the pattern.",
    "STATS",
    "    Answer what the function running now is:",
    "    * its name",
    "    * the command that called it",
    "    * how many milliseconds it has been running",
    "    (nil when no function runs),",
    "    and, for each engine, how many libraries and functions it holds.",
    "KILL",
    "    Stop the function that is running now.",
    "FLUSH [ASYNC|SYNC]",
    "    Remove every library.",
    "    Without a mode argument, lazyfree-lazy-user-flush decides between",
    "    the two modes. The modes are:",
    "    * ASYNC: remove the libraries in the background.",
    "    * SYNC: remove the libraries at once.",
    "DUMP",
    "    Answer a payload holding every library, for FUNCTION RESTORE.",
    "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
    "    Load the libraries a payload holds. What happens to the libraries",
    "    already loaded depends on the policy (APPEND unless given):",
    "    * FLUSH: they are removed first.",
    "    * APPEND: the payload's are added; a name already taken fails the restore.",
    "    * REPLACE: the payload's are added, taking the place of libraries of the",
    "      same name (a function name another library holds still fails the",
    "      restore).",
)


@subcommand(
    FUNCTION,
    "flush",
    -2,
    "noscript write",
    acl="@scripting",
    tips=_ALL_SUCCEEDED,
    complexity="O(N) where N is the number of functions deleted",
    summary="Deletes every library.",
)
def function_flush(client: Client, argv: list[bytes]) -> Any:
    if len(argv) > 3:
        raise CommandError(errors.subcommand_syntax_error(argv))
    if len(argv) == 3 and argv[2].lower() not in (b"sync", b"async"):
        raise CommandError("ERR FUNCTION FLUSH only supports SYNC|ASYNC option")
    functions_of(client).current.clear()
    return OK


@subcommand(
    FUNCTION,
    "dump",
    2,
    "noscript",
    acl="@scripting",
    complexity="O(N) where N is the number of functions",
    summary="Serializes every library into a payload.",
)
def function_dump(client: Client, argv: list[bytes]) -> Any:
    compress = client.core.config.get_bool("rdbcompression")
    return functions_of(client).current.dump(compress)


_POLICIES = {b"append": registry.APPEND, b"replace": registry.REPLACE, b"flush": registry.FLUSH}


@subcommand(
    FUNCTION,
    "list",
    -2,
    "noscript",
    acl="@scripting",
    tips="nondeterministic_output_order",
    complexity="O(N) where N is the number of functions",
    summary="Describes the libraries and their functions.",
)
def function_list(client: Client, argv: list[bytes]) -> Any:
    with_code = False
    pattern: bytes | None = None
    index = 2
    while index < len(argv):
        arg = argv[index]
        lowered = arg.lower()
        if not with_code and lowered == b"withcode":
            with_code = True
        elif pattern is None and lowered == b"libraryname":
            if index >= len(argv) - 1:
                raise CommandError("ERR library name argument was not given")
            index += 1
            pattern = argv[index]
        else:
            raise CommandError(no_newlines(f"ERR Unknown argument {c_string(arg)}"))
        index += 1
    reply = []
    for library in functions_of(client).current.libraries.values():
        if pattern is not None and not glob_match(pattern, library.name, nocase=True):
            continue
        described = Map()
        described[b"library_name"] = library.name
        described[b"engine"] = library.engine
        described[b"functions"] = [
            Map(
                {
                    b"name": function.name,
                    b"description": function.description,
                    b"flags": Set(SimpleString(flag) for flag in function.flags),
                }
            )
            for function in library.functions.values()
        ]
        if with_code:
            described[b"library_code"] = library.code
        reply.append(described)
    return reply


@subcommand(
    FUNCTION,
    "kill",
    2,
    "noscript allow_busy",
    acl="@scripting",
    tips="request_policy:all_shards response_policy:one_succeeded",
    summary="Stops the function that is running now.",
)
def function_kill(client: Client, argv: list[bytes]) -> Any:
    return kill(client.core, eval_mode=False)


@subcommand(
    FUNCTION,
    "restore",
    -3,
    "noscript write denyoom",
    acl="@scripting",
    tips=_ALL_SUCCEEDED,
    complexity="O(N) where N is the number of functions on the payload",
    summary="Loads the libraries a payload holds.",
)
def function_restore(client: Client, argv: list[bytes]) -> Any:
    if len(argv) > 4:
        raise CommandError(errors.subcommand_syntax_error(argv))
    policy = registry.APPEND
    if len(argv) == 4:
        chosen = _POLICIES.get(argv[3].lower())
        if chosen is None:
            raise CommandError(
                "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE."
            )
        policy = chosen
    functions_of(client).current.restore(argv[2], policy)
    return OK


__all__ = ["FLAG_ORDER", "functions_of"]


@subcommand(
    FUNCTION,
    "help",
    2,
    "loading stale",
    acl="@scripting",
    summary="Answers help for the FUNCTION subcommands.",
)
def function_help(client: Client, argv: list[bytes]) -> Any:
    return help_reply(argv, _FUNCTION_HELP)


@subcommand(
    FUNCTION,
    "delete",
    3,
    "noscript write",
    acl="@scripting",
    tips=_ALL_SUCCEEDED,
    summary="Deletes a library and its functions.",
)
def function_delete(client: Client, argv: list[bytes]) -> Any:
    functions_of(client).current.delete(argv[2])
    return OK


@subcommand(
    FUNCTION,
    "stats",
    2,
    "noscript allow_busy",
    acl="@scripting",
    tips="nondeterministic_output request_policy:all_shards response_policy:special",
    summary="Describes the running function and the engines.",
)
def function_stats(client: Client, argv: list[bytes]) -> Any:
    core = client.core
    run = core.script_run
    if run is not None and run.eval_mode:
        raise CommandError(BUSY_EVAL)
    functions = functions_of(client)
    running: Map | None = None
    if run is not None:
        running = Map()
        running[b"name"] = run.name.encode()
        running[b"command"] = list(functions.running_argv or ())
        running[b"duration_ms"] = run.elapsed_ms()
    current = functions.current
    counts = Map(
        {b"libraries_count": current.library_count, b"functions_count": current.function_count}
    )
    return Map({b"running_script": running, b"engines": Map({registry.ENGINE: counts})})


@subcommand(
    FUNCTION,
    "load",
    -3,
    "noscript write denyoom",
    acl="@scripting",
    tips=_ALL_SUCCEEDED,
    complexity="O(1) (considering compilation time is redundant)",
    summary="Creates a library from its code.",
)
def function_load(client: Client, argv: list[bytes]) -> Any:
    replace = False
    for option in argv[2:-1]:
        if option.lower() != b"replace":
            raise CommandError(no_newlines(f"ERR Unknown option given: {c_string(option)}"))
        replace = True
    return functions_of(client).load(argv[-1], replace)
