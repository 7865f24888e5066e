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
from collections import OrderedDict
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from ..engine.strings import EMBSTR_SIZE_LIMIT, jemalloc_size, sds_new
from ..errors import NOREPLICAS, CommandError
from ..resp.pure import split_inline_args
from .engine import EMPTY_STATE
from .host import ScriptHost

if TYPE_CHECKING:
    from ..commands.table import CommandSpec
    from ..core import ServerCore
    from ..session import Client

NO_WRITES = "no-writes"
ALLOW_OOM = "allow-oom"
ALLOW_STALE = "allow-stale"
NO_CLUSTER = "no-cluster"
ALLOW_CROSS_SLOT = "allow-cross-slot-keys"
FLAG_NAMES = (NO_WRITES, ALLOW_OOM, ALLOW_STALE, NO_CLUSTER, ALLOW_CROSS_SLOT)

LRU_LENGTH = 500

# INFO used_memory_scripts_eval, as Valkey's evalScriptsMemory adds it up: each
# script's SHA (an sds of 40) and body (the argument's string object), a dict entry
# and a luaScript each, the dict's buckets, a list node per EVAL script.
_SHA_ALLOC = 48
_DICT_ENTRY = 24
_LUA_SCRIPT = 24
_LIST_NODE = 24
_BUCKET = 8
_BIG_ARG = 32 * 1024  # a bulk this long keeps the query buffer as its string


def _body_memory(length: int) -> int:
    """What Valkey's getStringObjectSdsUsedMemory says of a command argument."""
    if length <= EMBSTR_SIZE_LIMIT:
        return jemalloc_size(16 + 3 + length + 1) - 16
    if length >= _BIG_ARG:
        return sds_new(length + 2)[1]
    return sds_new(length)[1]

NOSCRIPT = "NOSCRIPT No matching script."


def sha1hex(body: bytes) -> bytes:
    return hashlib.sha1(body).hexdigest().encode()


def parse_shebang(body: bytes) -> tuple[frozenset[str] | None, int]:
    """``(flags, shebang length)``; flags None in compatibility mode (no shebang).
    Raises CommandError with Valkey's text for a bad shebang. The line is split as
    sdssplitargs splits (quotes, escapes); C reads the body up to its first NUL."""
    if not body.startswith(b"#!"):
        return None, 0
    end = body.find(b"\n")
    nul = body.find(b"\0")
    if end < 0 or 0 <= nul < end:
        raise CommandError("ERR Invalid script shebang")
    parts = split_inline_args(body[:end])
    if not parts:
        raise CommandError("ERR Invalid engine in script shebang")
    if parts[0] != b"#!lua":
        raise CommandError("ERR Unexpected engine in script shebang: " + _text(parts[0]))
    flags: set[str] = set()
    for part in parts[1:]:
        if not part.startswith(b"flags="):
            raise CommandError("ERR Unknown lua shebang option: " + _text(part))
        value = part[6:]
        for flag in value.split(b",") if value else ():
            name = _text(flag)
            if name not in FLAG_NAMES:
                raise CommandError("ERR Unexpected flag in script shebang: " + name)
            flags.add(name)
    return frozenset(flags), end


def _text(raw: bytes) -> str:
    """An sds as C's %s prints it (up to a NUL)."""
    end = raw.find(b"\0")
    return (raw if end < 0 else raw[:end]).decode("utf-8", "replace")


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


def command_flags(base: Collection[str], flags: Collection[str]) -> tuple[str, ...]:
    """Valkey's scriptFlagsToCmdFlags: the flags processCommand weighs for a command
    running a script that declared ``flags`` (write, denyoom and stale come from
    them, may_replicate goes)."""
    kept = [flag for flag in base if flag not in ("stale", "denyoom", "write", "may_replicate")]
    if NO_WRITES not in flags:
        kept.append("write")
        if ALLOW_OOM not in flags:
            kept.append("denyoom")
    if ALLOW_STALE in flags:
        kept.append("stale")
    return tuple(kept)


def script_flags_of(
    scripts: EvalScripts | None, script: bytes, sha_given: bool
) -> frozenset[str] | None:
    """The shebang flags of the script an EVAL (``script`` is its body) or an EVALSHA
    (its SHA) names, or None: compatibility mode, an unknown SHA, a bad shebang."""
    if sha_given:
        if len(script) != 40 or scripts is None:
            return None
        found = scripts.get(script)
        return None if found is None else found.flags
    cached = scripts.get(sha1hex(script)) if scripts is not None else None
    if cached is not None:
        return cached.flags
    try:
        return parse_shebang(script)[0]
    except CommandError:
        return None


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
        self._strings = 0  # bytes of the SHAs and bodies
        # The SHA dict's buckets, and those of the table it is still rehashing from
        # (done by the next lookup: a script cache is small, its rehash quick).
        self._buckets = 0
        self._rehashing = 0

    @property
    def memory(self) -> int:
        """INFO ``used_memory_scripts_eval``."""
        count = len(self.scripts)
        return (
            self._strings
            + count * (_DICT_ENTRY + _LUA_SCRIPT)
            + (self._buckets + self._rehashing) * _BUCKET
            + len(self.lru) * _LIST_NODE
        )

    def _grow(self) -> None:
        """The dict's expansion before an insertion (Valkey's _dictExpandIfNeeded)."""
        count = len(self.scripts)
        if self._buckets == 0:
            self._buckets = 4
        elif count >= self._buckets:
            self._rehashing = self._buckets
            self._buckets = 1 << count.bit_length()  # the power of two above count

    @property
    def host(self) -> ScriptHost:
        host = self._host
        if host is None:
            host = self._host = ScriptHost(self.core)
            self._env, self._contents = host.engine.make_env()
            # Valkey's EVAL globals hold its error handler; scripts may call it.
            self._contents[b"__redis__err__handler"] = host.engine.error_handler
            self._set_arguments = host.engine.load_internal(_SET_ARGUMENTS, b"=[api]")(
                self._contents
            )
            host.engine.measure_footprint()  # the EVAL state as built: INFO leaves it out
        return host

    def lua_memory(self) -> int:
        """INFO ``used_memory_vm_eval`` (``LuaEngine.reported_memory``; a fresh state's
        figure before the first script, as Valkey's state exists from the start)."""
        if self._host is None:
            return EMPTY_STATE
        return self._host.engine.reported_memory()

    def flush(self) -> None:
        self._host = None
        self._env = self._contents = None
        self.scripts.clear()
        self.lru.clear()
        self._strings = self._buckets = self._rehashing = 0

    def get(self, sha: bytes) -> Script | None:
        self._rehashing = 0
        return self.scripts.get(sha.lower())

    def create(self, body: bytes, from_load: bool) -> tuple[bytes, Script]:
        """The script for ``body``, compiled and cached on first sight (Valkey's
        luaCreateFunction); raises CommandError when it does not compile."""
        sha = sha1hex(body)
        self._rehashing = 0
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
                self._strings -= _SHA_ALLOC + _body_memory(len(gone.body))
                self.core.stats.evicted_scripts += 1
            self.lru[sha] = None
        self._grow()
        self.scripts[sha] = script
        self._strings += _SHA_ALLOC + _body_memory(len(body))
        return sha, script

    def run(
        self,
        caller: Client,
        sha: bytes,
        script: Script,
        keys: list[bytes],
        args: list[bytes],
        read_only: bool,
        command: CommandSpec | None = None,
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
                if core.too_few_replicas:
                    raise CommandError(NOREPLICAS)
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
            command=command,
        )
