"""A Lua state with everything a script run needs: the API, the script client, the
conversions, the running script, and the count hook's tick.

EVAL scripts and FUNCTION libraries each have a host of their own (separate Lua
states, as in Valkey); the server holds at most one running script at a time.

Invariants:
* ``run`` is the running ``ScriptRun`` or None; only one script runs per server
  (``core.script_run`` names it for BUSY and SCRIPT KILL / FUNCTION KILL).
* ``execute`` always leaves the host idle again (``run`` None, hook disarmed),
  whatever the script did, and answers the script's result or its error as a
  reply value for the caller's protocol.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from ..replies import ErrorReply, RawReply
from . import busy
from .api import build_api
from .convert import CONVERSION_HELPERS, LuaToReply, ReplyToLua, error_fields
from .engine import LuaEngine
from .run import ScriptRun, script_client

if TYPE_CHECKING:
    from ..commands.table import CommandSpec
    from ..core import ServerCore
    from ..session import Client

log = logging.getLogger("minivalkey")

KILLED = "ERR Script killed by user with SCRIPT KILL..."


class ScriptHost:
    """One Lua state and the machinery to run its functions for a caller."""

    def __init__(self, core: ServerCore, chunkname: bytes = b"@user_script") -> None:
        self.core = core
        self.run: ScriptRun | None = None
        self.engine = LuaEngine(self._tick, self._kill_error, chunkname)
        engine = self.engine
        helpers = engine.load_internal(CONVERSION_HELPERS, b"=[api]")()
        self.to_lua = ReplyToLua(engine.table, engine.table_from, helpers)
        self.to_reply = LuaToReply(core.stats.count_error, helpers, engine.rawget)
        api, pcall = build_api(self)
        self.api = api
        self.engine.install_api(api, pcall)
        self.client = script_client(core)

    def _kill_error(self) -> Any:
        return self.to_lua.error_table(KILLED, False)

    def _tick(self) -> bool:
        run = self.run
        if run is None:
            return False
        return busy.tick(self.core, run)

    def execute(
        self,
        caller: Client,
        function: Any,
        name: str,
        *,
        eval_mode: bool,
        read_only: bool,
        allow_oom: bool,
        arguments: tuple[Any, Any] | None = None,
        command: CommandSpec | None = None,
    ) -> Any:
        """Run ``function`` for ``caller`` (EVAL: no arguments, KEYS/ARGV are globals;
        FCALL: ``arguments`` are the keys and args tables) and answer its result.

        ``command`` (EVAL, FCALL ...) is charged the failed calls Valkey's call()
        would see in the result: one when any error reply in it counted in the error
        statistics, plus one for each that did not (an error a command answered, passed
        on by the script); ``dispatcher.call`` charges an ``ErrorReply`` itself."""
        run = ScriptRun(caller, self.client, name, eval_mode, read_only, allow_oom)
        core = self.core
        self.run = run
        core.script_run = run
        engine = self.engine
        try:
            if arguments is None:
                ok, value = engine.call(function)
            else:
                ok, value = engine.call_with(function, arguments[0], arguments[1])
        except MemoryError:
            ok, value = False, None
            engine.collect()  # what the script held is garbage now
            text = f"ERR Error running script {name}, not enough memory"
            core.stats.count_error(text)
            return ErrorReply(text)
        finally:
            if run.killed:
                engine.arm()  # the kill left the every-line hook behind
            self.run = None
            core.script_run = None
            if run.timed_out:
                busy.leave(core, run)
        engine.after_call()
        if ok:
            reply = self._result(value, run.client.protocol, caller.protocol)
            if command is not None and type(reply) is RawReply:
                to_reply = self.to_reply
                failed = to_reply.uncounted + (1 if to_reply.counted else 0)
                if failed:
                    core.command_stats_of(command).failed_calls += failed
            return reply
        return self._failure(value, name)

    def _result(self, value: Any, script_resp: int, caller_resp: int) -> Any:
        kind = type(value)
        if kind is bytes:
            return value
        if kind is int:
            return value
        if value is None:
            return None
        return RawReply(self.to_reply.encode(value, script_resp, caller_resp))

    def _failure(self, error: Any, name: str) -> ErrorReply:
        """Valkey's luaCallFunction error path: ``-<err> script: <name>, on <src>:<line>.``"""
        stats = self.core.stats
        if type(error) is bytes or type(error) in (int, float):
            raw = error.decode("utf-8", "replace") if type(error) is bytes else str(error)
            text = f"ERR Error running script {name}, {raw:.100}"
            stats.count_error(text)
            return ErrorReply(text)
        if error is None or not hasattr(error, "keys"):
            text = f"ERR Error running script {name}, execution failure"
            stats.count_error(text)
            return ErrorReply(text)
        err = error[b"err"]
        message: str = err.decode("utf-8", "replace") if type(err) is bytes else str(err)
        source, line = error[b"source"], error[b"line"]
        if source is not None and line is not None:
            where = source.decode("utf-8", "replace") if type(source) is bytes else str(source)
            message += f" script: {name}, on {where}:{_lua_number_text(line)}."
        message = message.replace("\r", " ").replace("\n", " ")
        if error[b"ignore_error_stats_update"] is not True:
            stats.count_error(message)
        return ErrorReply(message)


def _lua_number_text(value: Any) -> str:
    if type(value) is float and value.is_integer():
        return str(int(value))
    return str(value)


__all__ = ["KILLED", "ScriptHost", "error_fields"]
