"""Valkey's glob-style pattern matching (KEYS, SCAN MATCH, CONFIG GET...).

Rules, as Valkey's ``stringmatchlen``: ``*`` any run, ``?`` one byte, ``[abc]``,
``[^abc]`` and ``[a-z]`` classes (a reversed range matches too), ``\\`` escapes the
next byte. Patterns and subjects are bytes; matching is on bytes.

Invariant: compiled patterns are cached, so repeated matching of one pattern costs
a dict lookup plus a regular-expression match.
"""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=256)
def _compile(pattern: bytes, nocase: bool) -> re.Pattern[bytes]:
    out = bytearray()
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == 0x2A:  # *
            out += b".*"
        elif c == 0x3F:  # ?
            out += b"."
        elif c == 0x5C and i + 1 < n:  # backslash escape
            i += 1
            out += re.escape(pattern[i : i + 1])
        elif c == 0x5B:  # [
            i += 1
            negate = i < n and pattern[i] == 0x5E
            if negate:
                i += 1
            members = bytearray()
            while i < n and pattern[i] != 0x5D:
                if pattern[i] == 0x5C and i + 1 < n:
                    i += 1
                    members += re.escape(pattern[i : i + 1])
                elif i + 2 < n and pattern[i + 1] == 0x2D and pattern[i + 2] != 0x5D:
                    low, high = sorted((pattern[i], pattern[i + 2]))
                    members += b"%s-%s" % (re.escape(bytes([low])), re.escape(bytes([high])))
                    i += 2
                else:
                    members += re.escape(pattern[i : i + 1])
                i += 1
            # An unterminated class matches what it has seen so far, like Valkey.
            if not members:
                out += b"[^\\s\\S]" if not negate else b"[\\s\\S]"
            else:
                out += b"[" + (b"^" if negate else b"") + bytes(members) + b"]"
        else:
            out += re.escape(pattern[i : i + 1])
        i += 1
    flags = re.DOTALL | (re.IGNORECASE if nocase else 0)
    return re.compile(bytes(out) + b"\\Z", flags)


def glob_match(pattern: bytes, subject: bytes, nocase: bool = False) -> bool:
    if pattern == b"*":
        return True
    return _compile(pattern, nocase).match(subject) is not None
