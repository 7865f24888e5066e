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
        """Valkey's luaCallFunction error path: ``-<err> script: <name>, on <src>:<line>.``

        The fields are read as C reads them (``lua_tostring``: numbers as Lua prints
        them, up to a NUL). Valkey writes this text as it is; a CR here is written as
        a space, since a CR LF inside would end the reply early (newlines alone stay).
        An error table without an ``err`` text is answered as an execution failure
        (Valkey 8.0.1 crashes on it)."""
        stats = self.core.stats
        if type(error) is bytes or type(error) in (int, float):
            raw = _c_text(self._text_of(error))
            text = f"ERR Error running script {name}, " + raw[:100]
            text = text.rstrip("\r\n").replace("\r", " ").replace("\n", " ")
            stats.count_error(text)
            return ErrorReply(text)
        err = error[b"err"] if error is not None and hasattr(error, "keys") else None
        if type(err) not in (bytes, int, float):
            text = f"ERR Error running script {name}, execution failure"
            stats.count_error(text)
            return ErrorReply(text)
        message = _c_text(self._text_of(err))
        source, line = error[b"source"], error[b"line"]
        if type(source) in (bytes, int, float) and type(line) in (bytes, int, float):
            where = _c_text(self._text_of(source))
            message += f" script: {name}, on {where}:{_c_text(self._text_of(line))}."
        message = message.replace("\r", " ")
        if error[b"ignore_error_stats_update"] is not True:
            stats.count_error(message)
        return ErrorReply(message)

    def _text_of(self, value: Any) -> bytes:
        """A string or number as Lua's tostring writes it."""
        if type(value) is bytes:
            return value
        text: bytes = self.engine.tostring(value)
        return text


def _c_text(raw: bytes) -> str:
    """Bytes as C's string functions read them (up to a NUL), as reply text."""
    end = raw.find(b"\0")
    return (raw if end < 0 else raw[:end]).decode("utf-8", "surrogateescape")


__all__ = ["KILLED", "ScriptHost", "error_fields"]
