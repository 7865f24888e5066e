"""Turning a compiled Lua 5.1 chunk's tail calls into plain calls.

Valkey's ``server.call`` is a C function, and Lua 5.1 never tail-calls a C
function, so ``return server.call(...)`` keeps the script's frame and an error
names the script's line. Here the API functions are Lua wrappers, which a
``return f(...)`` would tail-call, losing that frame (``=(tail call):-1``). So a
script's chunk is dumped, every ``TAILCALL A B 0`` becomes ``CALL A B 0`` (the
``RETURN A 0`` the compiler always emits next then returns all its results: the
same values), and the chunk is loaded back.

Invariant: only the opcode bits of TAILCALL instructions change; the chunk is
otherwise byte for byte the one Lua dumped (line info, constants, nesting).
"""

from __future__ import annotations

from typing import Literal

_OP_CALL = 28
_OP_TAILCALL = 29
_OPCODE_MASK = 0x3F


class _Chunk:
    def __init__(self, data: bytes) -> None:
        if data[:4] != b"\x1bLua" or data[4] != 0x51:
            raise ValueError("not a Lua 5.1 chunk")
        self.data = bytearray(data)
        little = data[6] == 1
        self.order: Literal["little", "big"] = "little" if little else "big"
        self.int_size = data[7]
        self.size_t_size = data[8]
        self.instruction_size = data[9]
        self.number_size = data[10]
        self.pos = 12

    def _unsigned(self, size: int) -> int:
        order = self.order
        value = int.from_bytes(self.data[self.pos : self.pos + size], order)
        self.pos += size
        return value

    def _int(self) -> int:
        return self._unsigned(self.int_size)

    def _string(self) -> None:
        size = self._unsigned(self.size_t_size)
        self.pos += size

    def function(self) -> None:
        self._string()  # source
        self.pos += 2 * self.int_size + 4  # line defined, last line, nups, params, vararg, stack
        count = self._int()
        width = self.instruction_size
        order = self.order
        for _ in range(count):
            start = self.pos
            instruction = int.from_bytes(self.data[start : start + width], order)
            if instruction & _OPCODE_MASK == _OP_TAILCALL:
                instruction = (instruction & ~_OPCODE_MASK) | _OP_CALL
                self.data[start : start + width] = instruction.to_bytes(width, order)
            self.pos += width
        for _ in range(self._int()):  # constants
            kind = self.data[self.pos]
            self.pos += 1
            if kind == 1:
                self.pos += 1
            elif kind == 3:
                self.pos += self.number_size
            elif kind == 4:
                self._string()
        for _ in range(self._int()):  # nested functions
            self.function()
        lines = self._int()  # line info (read first: ``pos`` moves past the count)
        self.pos += lines * self.int_size
        for _ in range(self._int()):  # local variables
            self._string()
            self.pos += 2 * self.int_size
        for _ in range(self._int()):  # upvalue names
            self._string()


def without_tail_calls(dumped: bytes) -> bytes:
    """``dumped`` (string.dump of a chunk) with its tail calls made plain calls."""
    chunk = _Chunk(dumped)
    chunk.function()
    return bytes(chunk.data)


__all__ = ["without_tail_calls"]
