"""Valkey's glob-style pattern matching (KEYS, SCAN MATCH, CONFIG GET...).

Rules, as Valkey's ``stringmatchlen``: ``*`` any run, ``?`` one byte, ``[abc]``,
``[^abc]`` and ``[a-z]`` classes (a reversed range matches too), ``\\`` escapes the
next byte. Patterns and subjects are bytes; matching is on bytes.

The matcher follows stringmatchlen step for step, including what bounds its cost:
after a ``*`` has tried every remaining position in vain, no earlier ``*`` tries a
longer match (the whole match fails), and a pattern nesting more than 1000 ``*``
matches nothing past that depth. Its recursion is kept on an explicit stack, so
patterns of any length run in bounded time (``a*a*...*b`` or ``*?*?...`` included).

Invariant: a pattern is parsed once into tokens (cached). A case-sensitive pattern
with at most one ``*`` (most of them: ``user:*``, ``*:tail``, ``h?llo``) is also
compiled from those tokens into a regular expression, which matches the same
strings and cannot backtrack more than linearly; every other pattern walks its
tokens.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Token kinds.
_STAR, _ANY, _LITERAL, _CLASS = 0, 1, 2, 3
_MAX_NESTING = 1000  # Valkey's protection against abusive patterns

# A class member: (exact, low, high). ``exact``: an escaped byte, compared without
# case folding even when matching without case (as Valkey does).
Member = tuple[bool, int, int]
Token = tuple[int, int, tuple[Member, ...]]  # (kind, byte or negate, class members)


def _lower(byte: int) -> int:
    return byte + 32 if 65 <= byte <= 90 else byte


@lru_cache(maxsize=256)
def _tokens(pattern: bytes) -> tuple[Token, ...]:
    out: list[Token] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == 0x2A:  # *
            while i + 1 < n and pattern[i + 1] == 0x2A:
                i += 1
            out.append((_STAR, 0, ()))
        elif c == 0x3F:  # ?
            out.append((_ANY, 0, ()))
        elif c == 0x5B:  # [
            i += 1
            negate = i < n and pattern[i] == 0x5E
            if negate:
                i += 1
            members: list[Member] = []
            while True:
                left = n - i
                if left >= 2 and pattern[i] == 0x5C:
                    i += 1
                    members.append((True, pattern[i], pattern[i]))
                elif left > 0 and pattern[i] == 0x5D:
                    break
                elif left == 0:
                    i -= 1  # an unterminated class ends with the pattern
                    break
                elif left >= 3 and pattern[i + 1] == 0x2D:
                    low, high = sorted((pattern[i], pattern[i + 2]))
                    members.append((False, low, high))
                    i += 2
                else:
                    members.append((False, pattern[i], pattern[i]))
                i += 1
            out.append((_CLASS, int(negate), tuple(members)))
        else:
            if c == 0x5C and i + 1 < n:  # backslash escape
                i += 1
            out.append((_LITERAL, pattern[i], ()))
        i += 1
    return tuple(out)


def _class_match(negate: int, members: tuple[Member, ...], byte: int, nocase: bool) -> bool:
    found = False
    for exact, low, high in members:
        if exact:
            found = found or byte == low
        elif nocase:
            lowered = _lower(byte)
            found = found or _lower(low) <= lowered <= _lower(high)
        else:
            found = found or low <= byte <= high
    return found != bool(negate)


def _run(
    tokens: tuple[Token, ...], t: int, subject: bytes, s: int, nocase: bool
) -> tuple[int, int, int]:
    """Match from token ``t`` and byte ``s`` up to the next ``*``.

    Returns (1, ...) for a match, (0, ...) for no match, or (2, t', s') when a ``*``
    that is not the last token is reached at byte ``s'`` (``t'``: the token after it).
    """
    count, length = len(tokens), len(subject)
    while t < count and s < length:
        kind, value, members = tokens[t]
        if kind == _STAR:
            if t == count - 1:
                return 1, t, s
            return 2, t + 1, s
        if kind == _LITERAL:
            byte = subject[s]
            if byte != value and not (nocase and _lower(byte) == _lower(value)):
                return 0, t, s
        elif kind == _CLASS and not _class_match(value, members, subject[s], nocase):
            return 0, t, s
        s += 1
        t += 1
        if s == length:
            while t < count and tokens[t][0] == _STAR:
                t += 1
            break
    return (1 if t == count and s == length else 0), t, s


def _match(tokens: tuple[Token, ...], subject: bytes, nocase: bool) -> bool:
    length = len(subject)
    # One frame per '*' met: [the token after it, the position its match starts at].
    # A frame is never left: once its every position failed, the whole match fails.
    frames: list[list[int]] = []
    t, s = 0, 0
    while True:
        outcome = 0
        if len(frames) <= _MAX_NESTING:
            outcome, t, s = _run(tokens, t, subject, s, nocase)
        if outcome == 1:
            return True
        if outcome == 2:
            frames.append([t, s])
            continue
        if not frames:
            return False
        frame = frames[-1]  # the innermost '*' tries its next position
        frame[1] += 1
        if frame[1] >= length:
            return False
        t, s = frame


@lru_cache(maxsize=256)
def _regex(pattern: bytes) -> re.Pattern[bytes] | None:
    """The tokens of a pattern with at most one ``*`` as a regular expression."""
    tokens = _tokens(pattern)
    if sum(1 for kind, _, _ in tokens if kind == _STAR) > 1:
        return None
    out = bytearray()
    for kind, value, members in tokens:
        if kind == _STAR:
            out += b".*"
        elif kind == _ANY:
            out += b"."
        elif kind == _LITERAL:
            out += re.escape(bytes([value]))
        elif not members:
            out += b"[\\s\\S]" if value else b"[^\\s\\S]"
        else:
            spans = b"".join(
                re.escape(bytes([low])) + (b"-" + re.escape(bytes([high])) if high > low else b"")
                for _, low, high in members
            )
            out += b"[" + (b"^" if value else b"") + spans + b"]"
    return re.compile(bytes(out) + b"\\Z", re.DOTALL)


def glob_match(pattern: bytes, subject: bytes, nocase: bool = False) -> bool:
    if pattern == b"*":
        return True
    if not subject:  # Valkey's loop never starts: only an empty pattern matches
        return not pattern
    if not nocase:
        compiled = _regex(pattern)
        if compiled is not None:
            return compiled.match(subject) is not None
    return _match(_tokens(pattern), subject, nocase)
