"""FUNCTION libraries: the registry of libraries and their functions (Valkey 8.0.1's
functions.c).

A library is created from its code: a metadata line ``#!<engine> name=<name>``, then
Lua that registers one or more functions (``funchost.py`` runs it). FCALL looks a
function up here by name.

Invariants:
* Library names are case-sensitive; function names are unique across the registry
  regardless of case (FCALL TEST finds ``test``), while within one library only
  identical names collide, as Valkey's two dictionaries compare them. Where a library
  registered two names differing only by case, the first one is the one FCALL finds,
  and the engine statistics still count both (as Valkey's do).
* A library is created whole or not at all. The checks come in Valkey's order:
  metadata, name, engine, an existing library (unless REPLACE), the code (compile,
  run), at least one function, no function name another library holds; on any
  failure the registry is as it was (REPLACE's old library is back in place).
* FUNCTION RESTORE loads a payload's libraries into a scratch registry sharing the
  same Lua state, then swaps it in (FLUSH) or joins it (APPEND; REPLACE takes the
  place of libraries of the same name); a failure leaves the registry untouched.
* ``overhead`` is Valkey's functionsMemoryOverhead for the same libraries: the
  structures, names, codes and descriptions in jemalloc's size classes, and the
  function dictionary's buckets as Valkey's dict sizes them (INFO
  ``used_memory_functions``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..errors import CommandError, no_newlines
from ..resp.pure import split_inline_args
from . import fdump
from .funchost import DUPLICATE_IN_LIBRARY, LOAD_TIMEOUT, NAME_RULES, FunctionHost, valid_name

if TYPE_CHECKING:
    from ..core import ServerCore

ENGINE = b"LUA"

# Restore policies.
APPEND = "append"
REPLACE = "replace"
FLUSH = "flush"

# Sizes Valkey's overhead counts, in bytes (64-bit build).
_BASE_OVERHEAD = 184  # the engines dict, the library context, the engine's own structs
_DICT_ENTRY = 24
_BUCKET = 8
_LIBRARY_STRUCT = 32
_FUNCTION_STRUCT = 40
_FUNCTION_CTX = 8  # the Lua engine's per-function struct


class Function:
    """A registered function: its callback in the functions' Lua state."""

    __slots__ = ("name", "callback", "library", "description", "flags")

    def __init__(
        self,
        name: bytes,
        callback: Any,
        library: Library,
        description: bytes | None,
        flags: tuple[str, ...],
    ) -> None:
        self.name = name
        self.callback = callback
        self.library = library
        self.description = description
        self.flags = flags  # in FLAG_ORDER


class Library:
    """A library: its name, its whole code (metadata line included), its functions."""

    __slots__ = ("name", "code", "engine", "functions")

    def __init__(self, name: bytes, code: bytes) -> None:
        self.name = name
        self.code = code
        self.engine = ENGINE
        self.functions: dict[bytes, Function] = {}

    def add_function(
        self, name: bytes, callback: Any, description: bytes | None, flags: tuple[str, ...]
    ) -> str | None:
        """Register a function while the library's code runs (Valkey's
        functionLibCreateFunction); None, or why not."""
        if not valid_name(name):
            return NAME_RULES
        if name in self.functions:
            return DUPLICATE_IN_LIBRARY
        self.functions[name] = Function(name, callback, self, description, flags)
        return None


def malloc_size(size: int) -> int:
    """jemalloc's usable size for ``size`` bytes, as Valkey builds it (8-byte quantum:
    8, 16, 24 ... 64, then four classes per doubling)."""
    if size <= 8:
        return 8
    if size <= 64:
        return (size + 7) & ~7
    step = 1 << ((size - 1).bit_length() - 3)
    return (size + step - 1) & ~(step - 1)


def sds_size(length: int) -> int:
    """The allocation of an sds string of ``length`` bytes (sdsAllocSize)."""
    header = 1 if length < 32 else 3 if length <= 251 else 5 if length <= 65529 else 9
    return malloc_size(header + length + 1)


def parse_metadata(code: bytes) -> tuple[bytes, bytes, bytes]:
    """``(engine, name, body)`` from a library's code (Valkey's
    functionExtractLibMetaData); ``body`` starts at the metadata line's newline, so line
    numbers stay the code's. Raises CommandError with Valkey's texts."""
    if not code.startswith(b"#!"):
        raise CommandError("ERR Missing library metadata")
    end = code.find(b"\n")
    nul = code.find(b"\0")
    if end < 0 or 0 <= nul < end:  # read as a C string: a NUL ends it
        raise CommandError("ERR Invalid library metadata")
    parts = split_inline_args(code[:end])
    if not parts:
        raise CommandError("ERR Invalid library metadata")
    name: bytes | None = None
    for part in parts[1:]:
        if part[:5].lower() == b"name=":
            if name is not None:
                raise CommandError(
                    "ERR Invalid metadata value, name argument was given multiple times"
                )
            name = part[5:]
            continue
        raise CommandError(
            no_newlines("ERR Invalid metadata value given: " + _text(part.split(b"\0")[0]))
        )
    if name is None:
        raise CommandError("ERR Library name was not given")
    return parts[0][2:], name, code[end:]


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


class Libraries:
    """One set of libraries (the server's, or a scratch one FUNCTION RESTORE fills)."""

    def __init__(self, host: FunctionHost) -> None:
        self.host = host
        self.libraries: dict[bytes, Library] = {}
        self.functions: dict[bytes, Function] = {}  # by lower-case name
        self.library_count = 0  # the engine statistics
        self.function_count = 0
        self._buckets = 0  # the function dictionary's, as Valkey sizes it

    # -- lookups and figures --------------------------------------------------------------

    def function(self, name: bytes) -> Function | None:
        return self.functions.get(name.lower())

    def overhead(self) -> int:
        """Valkey's functionsMemoryOverhead for these libraries."""
        total = _BASE_OVERHEAD + len(self.functions) * _DICT_ENTRY + self._buckets * _BUCKET
        for library in self.libraries.values():
            total += _LIBRARY_STRUCT + sds_size(len(library.name)) + sds_size(len(library.code))
            for function in library.functions.values():
                total += _FUNCTION_STRUCT + sds_size(len(function.name)) + _FUNCTION_CTX
                if function.description is not None:
                    total += sds_size(len(function.description))
        return total

    # -- linking (Valkey's libraryLink / libraryUnlink) ---------------------------------

    def _link(self, library: Library) -> None:
        functions = self.functions
        for function in library.functions.values():
            key = function.name.lower()
            if key not in functions:
                if not self._buckets:
                    self._buckets = 4
                elif len(functions) >= self._buckets:
                    self._buckets = _power_of_two(len(functions) + 1)
                functions[key] = function
        self.libraries[library.name] = library
        self.library_count += 1
        self.function_count += len(library.functions)

    def _unlink(self, library: Library) -> None:
        functions = self.functions
        for function in library.functions.values():
            key = function.name.lower()
            if functions.get(key) is function:
                del functions[key]
                if self._buckets > 4 and len(functions) * 8 <= self._buckets:
                    self._buckets = max(4, _power_of_two(len(functions)))
        del self.libraries[library.name]
        self.library_count -= 1
        self.function_count -= len(library.functions)

    def clear(self) -> None:
        self.libraries.clear()
        self.functions.clear()
        self.library_count = self.function_count = 0
        self._buckets = 0

    # -- the commands' operations -------------------------------------------------------

    def create(self, code: bytes, replace: bool, timeout: float | None) -> bytes:
        """Create the library ``code`` describes (Valkey's
        functionsCreateWithLibraryCtx); its name. Raises CommandError."""
        engine, name, body = parse_metadata(code)
        if not valid_name(name):
            raise CommandError("ERR " + NAME_RULES)
        if engine.lower() != ENGINE.lower():
            raise CommandError(no_newlines(f"ERR Engine '{_text(engine)}' not found"))
        old = self.libraries.get(name)
        if old is not None and not replace:
            raise CommandError(f"ERR Library '{_text(name)}' already exists")
        if old is not None:
            self._unlink(old)
        try:
            library = Library(name, code)
            failure = self.host.load(library, body, timeout)
            if failure is not None:
                raise CommandError(no_newlines("ERR " + failure))
            if not library.functions:
                raise CommandError("ERR No functions registered")
            for function in library.functions.values():
                if function.name.lower() in self.functions:
                    raise CommandError(f"ERR Function {_text(function.name)} already exists")
        except CommandError:
            if old is not None:
                self._link(old)
            raise
        self._link(library)
        return name

    def delete(self, name: bytes) -> None:
        library = self.libraries.get(name)
        if library is None:
            raise CommandError("ERR Library not found")
        self._unlink(library)

    def join(self, other: Libraries, replace: bool) -> None:
        """Add ``other``'s libraries (Valkey's libraryJoin); all or none. Raises
        CommandError."""
        replaced: list[Library] = []
        try:
            for library in other.libraries.values():
                old = self.libraries.get(library.name)
                if old is None:
                    continue
                if not replace:
                    raise CommandError(f"ERR Library {_text(library.name)} already exists")
                self._unlink(old)
                replaced.append(old)
            for function in _functions_of(other.libraries.values()):
                if function.name.lower() in self.functions:
                    raise CommandError(f"ERR Function {_text(function.name)} already exists")
        except CommandError:
            for old in replaced:
                self._link(old)
            raise
        for library in other.libraries.values():
            self._link(library)

    def take(self, other: Libraries) -> None:
        """Become ``other`` (FUNCTION RESTORE ... FLUSH)."""
        self.libraries = other.libraries
        self.functions = other.functions
        self.library_count = other.library_count
        self.function_count = other.function_count
        self._buckets = other._buckets

    def dump(self, compress: bool) -> bytes:
        return fdump.dump((library.code for library in self.libraries.values()), compress)

    def restore(self, payload: bytes, policy: str) -> None:
        """FUNCTION RESTORE's work after its arguments are checked. Raises CommandError."""
        loaded = Libraries(self.host)
        for code in fdump.records(payload):
            loaded.create(code, replace=False, timeout=None)
        if policy == FLUSH:
            self.take(loaded)
        else:
            self.join(loaded, replace=policy == REPLACE)


def _functions_of(libraries: Iterable[Library]) -> Iterable[Function]:
    for library in libraries:
        yield from library.functions.values()


def _power_of_two(n: int) -> int:
    size = 4
    while size < n:
        size <<= 1
    return size


class Functions:
    """The server's FUNCTION side: the libraries, and the Lua state running them."""

    def __init__(self, core: ServerCore) -> None:
        self.core = core
        self.host = FunctionHost(core)
        self.current = Libraries(self.host)
        self.running_argv: list[bytes] | None = None  # the FCALL now running (STATS)

    def load(self, code: bytes, replace: bool, timeout: float | None = LOAD_TIMEOUT) -> bytes:
        return self.current.create(code, replace, timeout)

    def lua_memory(self) -> int:
        return self.host.engine.reported_memory()


def functions_of(core: ServerCore) -> Functions:
    """The server's functions, built on first use."""
    functions = core.functions
    if functions is None:
        functions = core.functions = Functions(core)
    return functions
