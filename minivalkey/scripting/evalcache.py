"""EVAL scripts: the script cache keyed by SHA1, shebang flags, running a script.

Invariants (Valkey 8.0.1's eval.c):
* A script body is compiled once and kept under its SHA1 (lowercase hex) until
  SCRIPT FLUSH; SCRIPT LOAD's scripts stay, EVAL's are evicted oldest-used first
  beyond 500 (INFO ``evicted_scripts``); a script EVAL'd and then SCRIPT LOADed is
  kept for good.
* A ``#!lua`` first line declares flags (``no-writes``, ``allow-oom``,
  ``allow-stale``, ``no-cluster``, ``allow-cross-slot-keys``); without one the
  script runs in compatibility mode. The shebang line is replaced by nothing but
  its newline is kept, so line numbers stay the user's.
* SCRIPT FLUSH drops every script and the Lua state itself (a fresh one is built
  on next use), so globals a script leaked cannot survive it.
"""

from __future__ import annotations

import hashlib
import shlex
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from ..errors import CommandError
from .host import ScriptHost

if TYPE_CHECKING:
    from ..core import ServerCore
    from ..session import Client

NO_WRITES = "no-writes"
ALLOW_OOM = "allow-oom"
ALLOW_STALE = "allow-stale"
NO_CLUSTER = "no-cluster"
ALLOW_CROSS_SLOT = "allow-cross-slot-keys"
FLAG_NAMES = (NO_WRITES, ALLOW_OOM, ALLOW_STALE, NO_CLUSTER, ALLOW_CROSS_SLOT)

LRU_LENGTH = 500

NOSCRIPT = "NOSCRIPT No matching script."


def sha1hex(body: bytes) -> bytes:
    return hashlib.sha1(body).hexdigest().encode()


def parse_shebang(body: bytes) -> tuple[frozenset[str] | None, int]:
    """``(flags, shebang length)``; flags None in compatibility mode (no shebang).
    Raises CommandError with Valkey's text for a bad shebang."""
    if not body.startswith(b"#!"):
        return None, 0
    end = body.find(b"\n")
    if end < 0:
        raise CommandError("ERR Invalid script shebang")
    line = body[:end].decode("utf-8", "surrogateescape")
    try:
        parts = shlex.split(line, posix=True)
    except ValueError:
        parts = []
    if not parts:
        raise CommandError("ERR Invalid engine in script shebang")
    if parts[0] != "#!lua":
        raise CommandError(f"ERR Unexpected engine in script shebang: {parts[0]}")
    flags: set[str] = set()
    for part in parts[1:]:
        if not part.startswith("flags="):
            raise CommandError(f"ERR Unknown lua shebang option: {part}")
        for flag in part[6:].split(","):
            if flag not in FLAG_NAMES:
                raise CommandError(f"ERR Unexpected flag in script shebang: {flag}")
            flags.add(flag)
    return frozenset(flags), end


# Sets KEYS and ARGV in the script environment from one call: the key count, then
# the keys and the arguments.
_SET_ARGUMENTS = b"""
local contents = ...
local select = select
return function(numkeys, ...)
  local all = {...}
  local keys, args = {}, {}
  for i = 1, numkeys do keys[i] = all[i] end
  for i = numkeys + 1, select("#", ...) do args[i - numkeys] = all[i] end
  contents.KEYS = keys
  contents.ARGV = args
end
"""


class Script:
    """A compiled EVAL script."""

    __slots__ = ("body", "function", "flags", "evicted_by_lru")

    def __init__(self, body: bytes, function: Any, flags: frozenset[str] | None, lru: bool) -> None:
        self.body = body
        self.function = function
        self.flags = flags
        self.evicted_by_lru = lru


class EvalScripts:
    """The server's EVAL side: its Lua state (built on first use) and script cache."""

    def __init__(self, core: ServerCore) -> None:
        self.core = core
        self._host: ScriptHost | None = None
        self._env: Any = None
        self._contents: Any = None
        self._set_arguments: Any = None
        self.scripts: dict[bytes, Script] = {}
        self.lru: OrderedDict[bytes, None] = OrderedDict()
        self.evicted = 0
        self.memory = 0  # bytes of SHA and bodies (INFO used_memory_scripts_eval)

    @property
    def host(self) -> ScriptHost:
        host = self._host
        if host is None:
            host = self._host = ScriptHost(self.core)
            self._env, self._contents = host.engine.make_env((b"__redis__err__handler",))
            self._set_arguments = host.engine.load_internal(_SET_ARGUMENTS, b"=[api]")(
                self._contents
            )
        return host

    def lua_memory(self) -> int:
        return self._host.engine.memory() if self._host is not None else 0

    def flush(self) -> None:
        self._host = None
        self._env = self._contents = None
        self.scripts.clear()
        self.lru.clear()
        self.memory = 0

    def get(self, sha: bytes) -> Script | None:
        return self.scripts.get(sha.lower())

    def create(self, body: bytes, from_load: bool) -> tuple[bytes, Script]:
        """The script for ``body``, compiled and cached on first sight (Valkey's
        luaCreateFunction); raises CommandError when it does not compile."""
        sha = sha1hex(body)
        script = self.scripts.get(sha)
        if script is not None:
            if from_load and script.evicted_by_lru:
                script.evicted_by_lru = False
                self.lru.pop(sha, None)
            return sha, script
        flags, shebang_length = parse_shebang(body)
        host = self.host
        source = body[shebang_length:] if shebang_length else body
        function, message = host.engine.compile(source, self._env)
        if function is None:
            text = (
                message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
            )
            raise CommandError(f"ERR Error compiling script (new function): {text}")
        script = Script(body, function, flags, not from_load)
        if not from_load:
            while len(self.lru) >= LRU_LENGTH:
                oldest, _ = self.lru.popitem(last=False)
                gone = self.scripts.pop(oldest)
                self.memory -= len(oldest) + len(gone.body)
                self.evicted += 1
            self.lru[sha] = None
        self.scripts[sha] = script
        self.memory += len(sha) + len(body)
        return sha, script

    def run(
        self,
        caller: Client,
        sha: bytes,
        script: Script,
        keys: list[bytes],
        args: list[bytes],
        read_only: bool,
    ) -> Any:
        """Valkey's evalGenericCommand from scriptPrepareForRun on."""
        host = self.host
        flags = script.flags
        core = self.core
        allow_oom = False
        if flags is not None:
            if NO_WRITES not in flags:
                if read_only:
                    raise CommandError(
                        "ERR Can not execute a script with write flag using *_ro command."
                    )
            if (
                core.maxmemory
                and core.pre_command_oom
                and ALLOW_OOM not in flags
                and NO_WRITES not in flags
            ):
                raise CommandError(
                    "OOM allow-oom flag is not set on the script, "
                    "can not run it when used memory > 'maxmemory'"
                )
            read_only = read_only or NO_WRITES in flags
            allow_oom = ALLOW_OOM in flags
        self._set_arguments(len(keys), *keys, *args)
        if sha in self.lru:
            self.lru.move_to_end(sha)
        return host.execute(
            caller,
            script.function,
            sha.decode(),
            eval_mode=True,
            read_only=read_only,
            allow_oom=allow_oom,
        )
