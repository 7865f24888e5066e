"""Scripting commands: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT.

Invariants (Valkey 8.0.1's eval.c):
* ``numkeys`` is checked before the script is looked up or compiled: not an
  integer, greater than the arguments, or negative, each with Valkey's text.
* EVALSHA with a SHA of another length than 40, or one not cached, answers
  NOSCRIPT; SHA lookups ignore case.
* EVAL compiles and caches a script on first sight; a script that does not
  compile answers ``Error compiling script (new function): ...`` and is not cached.
* The scripts themselves run in ``scripting/`` (engine, sandbox, API, run rules).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from ..errors import CommandError
from ..replies import OK
from ..scripting.evalcache import NOSCRIPT, EvalScripts, command_flags, script_flags_of
from .args import parse_int
from .help import help_reply
from .table import COMMANDS, BeginIndex, FindKeynum, command, container, key_spec, subcommand
from .zsets import numkeys_finder

if TYPE_CHECKING:
    from ..session import Client

_EVAL_FLAGS = "noscript skip_monitor may_replicate no_mandatory_keys stale"
_EVAL_RO_FLAGS = "noscript skip_monitor no_mandatory_keys stale readonly"
_RW_SPECS = (
    key_spec(
        "RW access update",
        BeginIndex(2),
        FindKeynum(0, 1, 1),
        "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE",
    ),
)
_PLAIN_RW_SPECS = (key_spec("RW access update", BeginIndex(2), FindKeynum(0, 1, 1)),)
_RO_SPECS = (key_spec("RO access", BeginIndex(2), FindKeynum(0, 1, 1)),)
_NOTED_RO_SPECS = (
    key_spec(
        "RO access",
        BeginIndex(2),
        FindKeynum(0, 1, 1),
        "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS",
    ),
)
_KEYS = numkeys_finder(0, 2, 3)
_EVAL_COMPLEXITY = "Depends on the script that is executed."


def scripts_of(client: Client) -> EvalScripts:
    core = client.core
    scripts = core.eval_scripts
    if scripts is None:
        scripts = core.eval_scripts = EvalScripts(core)
    return scripts


def _split(argv: list[bytes]) -> tuple[list[bytes], list[bytes]]:
    numkeys = parse_int(argv[2])
    if numkeys > len(argv) - 3:
        raise CommandError("ERR Number of keys can't be greater than number of args")
    if numkeys < 0:
        raise CommandError("ERR Number of keys can't be negative")
    return argv[3 : 3 + numkeys], argv[3 + numkeys :]


def _show(client: Client, argv: list[bytes]) -> None:
    """Monitors see an EVAL before the commands its script runs (skip_monitor keeps the
    dispatcher from showing it after), whatever it answers, as Valkey's evalCommand."""
    monitors = client.core.monitors
    if monitors.clients:
        monitors.feed_script_call(client, COMMANDS[argv[0].lower()], argv)


def _eval(client: Client, argv: list[bytes], read_only: bool) -> Any:
    _show(client, argv)
    keys, args = _split(argv)
    scripts = scripts_of(client)
    sha, script = scripts.create(argv[1], from_load=False)
    return scripts.run(client, sha, script, keys, args, read_only, COMMANDS[argv[0].lower()])


def _evalsha(client: Client, argv: list[bytes], read_only: bool) -> Any:
    _show(client, argv)
    if len(argv[1]) != 40:
        raise CommandError(NOSCRIPT)
    keys, args = _split(argv)
    scripts = scripts_of(client)
    script = scripts.get(argv[1])
    if script is None:
        raise CommandError(NOSCRIPT)
    return scripts.run(
        client, argv[1].lower(), script, keys, args, read_only, COMMANDS[argv[0].lower()]
    )


@command(
    "eval",
    -3,
    _EVAL_FLAGS,
    group="scripting",
    since="2.6.0",
    key_specs=_RW_SPECS,
    getkeys=_KEYS,
    complexity=_EVAL_COMPLEXITY,
    summary="Runs a Lua script on the server, with keys and arguments.",
)
def eval_(client: Client, argv: list[bytes]) -> Any:
    return _eval(client, argv, False)


@command(
    "eval_ro",
    -3,
    _EVAL_RO_FLAGS,
    group="scripting",
    since="7.0.0",
    key_specs=_NOTED_RO_SPECS,
    getkeys=_KEYS,
    complexity=_EVAL_COMPLEXITY,
    summary="Runs a read-only Lua script on the server.",
)
def eval_ro(client: Client, argv: list[bytes]) -> Any:
    return _eval(client, argv, True)


@command(
    "evalsha",
    -3,
    _EVAL_FLAGS,
    group="scripting",
    since="2.6.0",
    key_specs=_PLAIN_RW_SPECS,
    getkeys=_KEYS,
    complexity=_EVAL_COMPLEXITY,
    summary="Runs a cached Lua script by its SHA1 digest.",
)
def evalsha(client: Client, argv: list[bytes]) -> Any:
    return _evalsha(client, argv, False)


@command(
    "evalsha_ro",
    -3,
    _EVAL_RO_FLAGS,
    group="scripting",
    since="7.0.0",
    key_specs=_RO_SPECS,
    getkeys=_KEYS,
    complexity=_EVAL_COMPLEXITY,
    summary="Runs a cached read-only Lua script by its SHA1 digest.",
)
def evalsha_ro(client: Client, argv: list[bytes]) -> Any:
    return _evalsha(client, argv, True)


def _flags_for(base: tuple[str, ...], sha_given: bool) -> Any:
    """Valkey's evalGetCommandFlags for one of the four commands: a script with a
    shebang decides the write, denyoom and stale flags processCommand weighs."""

    def flags(client: Client, argv: list[bytes]) -> Collection[str]:
        script_flags = script_flags_of(client.core.eval_scripts, argv[1], sha_given)
        return base if script_flags is None else command_flags(base, script_flags)

    return flags


for _name, _sha_given in (
    (b"eval", False),
    (b"eval_ro", False),
    (b"evalsha", True),
    (b"evalsha_ro", True),
):
    COMMANDS[_name].flags_for = _flags_for(COMMANDS[_name].flags, _sha_given)


SCRIPT = container("script", "scripting", "2.6.0", "Manages the Lua script cache.")

_SCRIPT_HELP = (
    "DEBUG (YES|SYNC|NO)",
    "    Choose the debug mode for the scripts run next.",
    "EXISTS <sha1> [<sha1> ...]",
    "    Answer, for each SHA1, whether the script cache holds that script.",
    "FLUSH [ASYNC|SYNC]",
    "    Empty the Lua script cache. Very dangerous on replicas.",
    "    Without a mode argument, lazyfree-lazy-user-flush decides between",
    "     the two modes. The modes are:",
    "    * ASYNC: empty the script cache in the background.",
    "    * SYNC: empty the script cache at once.",
    "KILL",
    "    Stop the Lua script that is running now.",
    "LOAD <script>",
    "    Put a script in the script cache without running it.",
    "SHOW <sha1>",
    "    Answer the body of a script in the script cache.",
)


@subcommand(
    SCRIPT,
    "flush",
    -2,
    "noscript",
    tips="request_policy:all_nodes response_policy:all_succeeded",
    complexity="O(N) with N being the number of scripts in cache",
    summary="Empties the script cache.",
)
def script_flush(client: Client, argv: list[bytes]) -> Any:
    if len(argv) > 3 or (len(argv) == 3 and argv[2].lower() not in (b"sync", b"async")):
        raise CommandError("ERR SCRIPT FLUSH only support SYNC|ASYNC option")
    scripts = client.core.eval_scripts
    if scripts is not None:
        scripts.flush()
    return OK


@subcommand(
    SCRIPT,
    "help",
    2,
    "loading stale",
    summary="Answers help for the SCRIPT subcommands.",
)
def script_help(client: Client, argv: list[bytes]) -> Any:
    return help_reply(argv, _SCRIPT_HELP)


@subcommand(
    SCRIPT,
    "debug",
    3,
    "noscript",
    since="3.2.0",
    complexity="O(1)",
    summary="Chooses the debug mode of the scripts run next.",
)
def script_debug(client: Client, argv: list[bytes]) -> Any:
    mode = argv[2].lower()
    if mode == b"no":
        return OK
    if mode in (b"yes", b"sync"):
        raise CommandError("ERR The Lua debugger is not available on this server")
    raise CommandError("ERR Use SCRIPT DEBUG YES/SYNC/NO")


@subcommand(
    SCRIPT,
    "kill",
    2,
    "noscript allow_busy",
    tips="request_policy:all_shards response_policy:one_succeeded",
    summary="Stops the Lua script that is running now.",
)
def script_kill(client: Client, argv: list[bytes]) -> Any:
    from ..scripting.busy import kill

    return kill(client.core, eval_mode=True)


@subcommand(
    SCRIPT,
    "show",
    3,
    "noscript",
    since="8.0.0",
    summary="Answers the body of a cached script.",
)
def script_show(client: Client, argv: list[bytes]) -> Any:
    scripts = client.core.eval_scripts
    script = scripts.get(argv[2]) if scripts is not None and len(argv[2]) == 40 else None
    if script is None:
        raise CommandError(NOSCRIPT)
    return script.body


@subcommand(
    SCRIPT,
    "load",
    3,
    "noscript stale",
    tips="request_policy:all_nodes response_policy:all_succeeded",
    complexity="O(N) with N being the length in bytes of the script body.",
    summary="Puts a script in the script cache without running it.",
)
def script_load(client: Client, argv: list[bytes]) -> Any:
    sha, _ = scripts_of(client).create(argv[2], from_load=True)
    return sha


@subcommand(
    SCRIPT,
    "exists",
    -3,
    "noscript",
    tips="request_policy:all_shards response_policy:agg_logical_and",
    complexity="O(N) with N being the number of scripts to check (so checking a "
    "single script is an O(1) operation).",
    summary="Answers whether each script is in the script cache.",
)
def script_exists(client: Client, argv: list[bytes]) -> Any:
    scripts = client.core.eval_scripts
    if scripts is None:
        return [0] * (len(argv) - 2)
    return [1 if scripts.get(sha) is not None else 0 for sha in argv[2:]]
