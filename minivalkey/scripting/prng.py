"""math.random and math.randomseed as Valkey's (script_lua.c over rand.c's lrand48).

Valkey replaces Lua's math.random with one drawing from its own 48-bit linear
congruential generator, so every platform gives the same sequence for a seed.

Invariants:
* One generator per server, shared by the EVAL and FUNCTION states and never reset
  (SCRIPT FLUSH and FUNCTION FLUSH leave it alone): it starts from lrand48's fixed
  state, and only math.randomseed(n) sets it again.
* A call draws one value before it checks its arguments, as Valkey's does: a
  refused call still advances the sequence.
* Argument errors read as Lua's own (luaL_checkint): the name the script called the
  function by, numbers or numeric strings accepted, truncated to a C int.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..core import ServerCore

_MULTIPLIER = 0x5DEECE66D
_INCREMENT = 0xB
_MASK = (1 << 48) - 1
_INITIAL = 0x1234ABCD330E  # lrand48's state before any seed
_INT32_MAX = (1 << 31) - 1


class Lrand48:
    """The generator's 48-bit state."""

    __slots__ = ("state",)

    def __init__(self) -> None:
        self.state = _INITIAL

    def next(self) -> int:
        """serverLrand48: the top 31 bits of the next state."""
        self.state = (self.state * _MULTIPLIER + _INCREMENT) & _MASK
        return self.state >> 17

    def fraction(self) -> float:
        """The number in [0, 1) math.random starts from."""
        return (self.next() % _INT32_MAX) / _INT32_MAX

    def seed(self, value: int) -> None:
        """serverSrand48: the seed's 32 bits above lrand48's fixed low word."""
        self.state = ((value & 0xFFFFFFFF) << 16) | 0x330E


def generator_of(core: ServerCore) -> Lrand48:
    generator: Lrand48 | None = core.script_random
    if generator is None:
        generator = core.script_random = Lrand48()
    return generator


# The Lua side: argument checks as luaL_checkint reports them; ``fraction`` and
# ``seed`` are the generator's (Python) methods, ``argerror`` the sandbox's
# (``depth``: the frames between it and the function the script called).
_FUNCTIONS = r"""
local fraction, seed, argerror = ...
local error, type, tonumber, select, floor = error, type, tonumber, select, math.floor
-- luaL_checkint: a number (or a string that reads as one), truncated to a C int
local function checkint(count, narg, value)
  local n = tonumber(value)
  if n == nil then
    argerror(narg, "number expected, got " .. (count < narg and "no value" or type(value)), 2)
  end
  if n ~= n or n >= 2^63 or n < -2^63 then return 0 end
  n = n >= 0 and floor(n) or -floor(-n)
  n = n % 2^32
  if n >= 2^31 then n = n - 2^32 end
  return n
end
local function random(...)
  local r = fraction()
  local count = select("#", ...)
  if count == 0 then return r end
  if count == 1 then
    local u = checkint(count, 1, (...))
    if u < 1 then argerror(1, "interval is empty", 1) end
    return floor(r * u) + 1
  end
  if count == 2 then
    local l, u = ...
    l, u = checkint(count, 1, l), checkint(count, 2, u)
    if l > u then argerror(2, "interval is empty", 1) end
    return floor(r * (u - l + 1)) + l
  end
  error("wrong number of arguments", 2)
end
local function randomseed(...)
  seed(checkint(select("#", ...), 1, (...)))
end
return random, randomseed
"""


def install(engine: Any, generator: Lrand48) -> None:
    """Make math.random / math.randomseed the generator's, before the globals are
    locked (the functions are the server's own Lua: errors point at the script)."""
    functions = engine.load_internal(_FUNCTIONS, b"=[api]")
    unbounded = engine.unbounded
    random, randomseed = functions(
        unbounded(generator.fraction), unbounded(generator.seed), engine.argerror
    )
    math = engine.globals[b"math"]
    math[b"random"] = random
    math[b"randomseed"] = randomseed
