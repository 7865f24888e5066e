"""Golden, byte-exact tests of the sans-IO RESP codec (``minivalkey.resp``).

Request parsing: every expectation below was checked once by sending the same raw
bytes to a real redis-server 7.0.15 and valkey-server 8.0.1 (127.0.0.1, a fresh
connection per case) and comparing the replies with those of the expected
commands. The only disagreement is documented in
``test_whitespace_only_line_resets_the_request_type``. No server is needed here:
the expected commands and error texts are written out.

Every parser test runs on both parsers, and every golden case is fed whole, one
byte at a time, split in two at every byte boundary and in random chunks (fixed
seeds): the commands and the error must not depend on how the bytes arrive.

Reply encoding: exact bytes for every reply type in RESP2 and RESP3; the double
formatting was checked against valkey-server 8.0.1 (ZSCORE and Lua doubles).
"""

from __future__ import annotations

import random
import time

import pytest

from minivalkey.replies import (
    NULL_ARRAY,
    OK,
    PONG,
    QUEUED,
    BigNumber,
    ErrorReply,
    Map,
    PairList,
    Push,
    RawReply,
    Set,
    SimpleString,
    Verbatim,
)
from minivalkey.resp import (
    DEFAULT_PROTO_MAX_BULK_LEN,
    HAVE_HIREDIS,
    PROTO_INLINE_MAX_SIZE,
    HiredisRequestParser,
    PureRequestParser,
    encode,
    format_double,
    make_parser,
    split_inline_args,
)

PARSERS = [
    pytest.param(PureRequestParser, id="pure"),
    pytest.param(
        HiredisRequestParser,
        id="hiredis",
        marks=pytest.mark.skipif(not HAVE_HIREDIS, reason="hiredis is not installed"),
    ),
]

Commands = list[list[bytes]]


def mb(*args: bytes) -> bytes:
    """One request in the multibulk form every client sends."""
    return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)


def run(parser_class: type, chunks: list[bytes], **kwargs: int) -> tuple[Commands, str | None]:
    """Feed ``chunks`` in order; every command returned and the final error."""
    parser = parser_class(**kwargs)
    commands: Commands = []
    for chunk in chunks:
        commands.extend(parser.feed(chunk))
    return commands, parser.error


def bytewise(data: bytes) -> list[bytes]:
    return [data[i : i + 1] for i in range(len(data))]


def random_chunks(data: bytes, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    chunks, pos = [], 0
    while pos < len(data):
        size = rng.randint(1, 17)
        chunks.append(data[pos : pos + size])
        pos += size
    return chunks


# ---------------------------------------------------------------------------
# Golden request cases: (id, bytes, commands, error)
# ---------------------------------------------------------------------------

MULTIBULK_CASES = [
    ("ping", b"*1\r\n$4\r\nPING\r\n", [[b"PING"]], None),
    (
        "three-args",
        b"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n",
        [[b"SET", b"key", b"value"]],
        None,
    ),
    (
        "binary-payload",  # CR, LF, NUL and non-UTF-8 bytes travel untouched in a bulk
        b"*2\r\n$4\r\nECHO\r\n$8\r\na\r\nb\x00\xff\n\r\r\n",
        [[b"ECHO", b"a\r\nb\x00\xff\n\r"]],
        None,
    ),
    ("empty-bulk", b"*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", [[b"ECHO", b""]], None),
    (
        "ten-args",  # a two-digit count
        b"*10\r\n$3\r\nXYZ\r\n" + b"".join(b"$1\r\n%d\r\n" % i for i in range(9)),
        [[b"XYZ"] + [b"%d" % i for i in range(9)]],
        None,
    ),
    (
        "hundred-byte-arg",  # a three-digit length
        b"*2\r\n$4\r\nECHO\r\n$100\r\n" + b"x" * 100 + b"\r\n",
        [[b"ECHO", b"x" * 100]],
        None,
    ),
    (
        "empty-and-null-arrays-ignored",
        b"*0\r\n*-1\r\n*-5\r\n*1\r\n$4\r\nPING\r\n*0\r\n",
        [[b"PING"]],
        None,
    ),
    (
        "payload-trailer-unchecked",  # the 2 bytes after a payload are skipped, not checked
        b"*1\r\n$4\r\nPINGxxPING\r\n",
        [[b"PING"], [b"PING"]],
        None,
    ),
    (
        "byte-after-cr-unchecked",  # Valkey finds '\r' and skips the next byte blindly
        b"*2\rX$4\rYECHO\r\n$1\r\na\r\n",
        [[b"ECHO", b"a"]],
        None,
    ),
    ("byte-after-length-cr-unchecked", b"*1\r\n$4\rYPING\r\n", [[b"PING"]], None),
    (
        "pipeline",
        mb(b"PING") + mb(b"ECHO", b"a b") + mb(b"XYZ", b"", b"1") + mb(b"PING"),
        [[b"PING"], [b"ECHO", b"a b"], [b"XYZ", b"", b"1"], [b"PING"]],
        None,
    ),
    (
        "incomplete-command-waits",
        b"*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$5\r\nhel",
        [[b"PING"]],
        None,
    ),
    ("largest-count-waits", b"*2147483647\r\n$4\r\nPING\r\n", [], None),
    ("count-of-100000-waits", b"*100000\r\n$1\r\na\r\n", [], None),
    ("count-line-waits-for-byte-after-cr", b"*1\r", [], None),
    ("largest-bulk-waits", b"*1\r\n$536870912\r\n", [], None),
]

INLINE_CASES = [
    ("crlf", b"PING\r\n", [[b"PING"]], None),
    ("lf-alone", b"PING\n", [[b"PING"]], None),
    ("cr-cr-lf", b"PING\r\r\n", [[b"PING"]], None),  # one \r is stripped, the other is a space
    ("spaces-and-tabs", b"  XYZ \t a   b\t\r\n", [[b"XYZ", b"a", b"b"]], None),
    ("empty-lines-ignored", b"\r\n\n\r\nPING\n\n", [[b"PING"]], None),
    ("whitespace-lines-ignored", b"  \r\n\t\x0b\x0c\n\rPING\r\n", [[b"PING"]], None),
    ("double-quotes", b'ECHO "hello world"\r\n', [[b"ECHO", b"hello world"]], None),
    (
        "escapes",
        b'ECHO "\\x41\\x4a\\x7e-\\n\\r\\t\\b\\a-\\\\-\\"-\\q"\r\n',
        [[b"ECHO", b'AJ~-\n\r\t\x08\x07-\\-"-q']],
        None,
    ),
    ("hex-escape-of-high-byte", b'ECHO "\\xff\\x00"\n', [[b"ECHO", b"\xff\x00"]], None),
    ("bad-hex-escape-is-plain", b'ECHO "\\x4g"\r\n', [[b"ECHO", b"x4g"]], None),
    (
        "single-quotes",  # only \' is an escape between single quotes
        b"ECHO 'it\\'s \"raw\" \\n'\r\n",
        [[b"ECHO", b'it\'s "raw" \\n']],
        None,
    ),
    ("empty-quoted-args", b"XYZ \"\" ''\r\n", [[b"XYZ", b"", b""]], None),
    ("quote-inside-word", b'ECHO ab"cd ef"\r\n', [[b"ECHO", b"abcd ef"]], None),
    (
        "vt-ff-inside-word",  # \v and \f are spaces between arguments, not inside one
        b"ECHO a\x0bb\x0cc\r\n",
        [[b"ECHO", b"a\x0bb\x0cc"]],
        None,
    ),
    ("vt-after-quote", b'XYZ "a"\x0bb\r\n', [[b"XYZ", b"a", b"b"]], None),
    ("high-bytes", b"\xff\xfe x\r\n", [[b"\xff\xfe", b"x"]], None),
    (
        "resp-types-at-top-level-are-inline",
        b"$-1\r\n_\r\n+PING\r\n:1\r\n~1\r\n",
        [[b"$-1"], [b"_"], [b"+PING"], [b":1"], [b"~1"]],
        None,
    ),
    ("incomplete-line-waits", b"PING\r\nECHO abc", [[b"PING"]], None),
    ("nul-hides-the-newline", b"PING\r\nECHO a\x00b\r\nPING\r\n", [[b"PING"]], None),
    ("nul-hides-the-count-cr", b"*1\x00\r\n$4\r\nPING\r\n", [], None),
    ("nul-hides-the-length-cr", b"*1\r\n$4\x00\r\nPING\r\n", [], None),
]

MIXED_CASES = [
    (
        "inline-and-multibulk",
        b"PING\r\n" + mb(b"ECHO", b"a") + b"ECHO b\n" + mb(b"PING") + b'XYZ "c d"\r\n',
        [[b"PING"], [b"ECHO", b"a"], [b"ECHO", b"b"], [b"PING"], [b"XYZ", b"c d"]],
        None,
    ),
    (
        "multibulk-then-inline-resp-types",
        mb(b"PING") + b"$-1\r\n" + mb(b"PING") + b"_\r\n" + mb(b"PING") + b">1\r\n$1\r\na\r\n",
        [[b"PING"], [b"$-1"], [b"PING"], [b"_"], [b"PING"], [b">1"], [b"$1"], [b"a"]],
        None,
    ),
    (
        "set-at-top-level-is-inline",
        mb(b"PING") + b"~1\r\n$4\r\nPING\r\n",
        [[b"PING"], [b"~1"], [b"$4"], [b"PING"]],
        None,
    ),
    (
        "map-at-top-level-is-inline",
        b"%1\r\n$1\r\na\r\n$1\r\nb\r\n",
        [[b"%1"], [b"$1"], [b"a"], [b"$1"], [b"b"]],
        None,
    ),
    (
        "empty-array-then-inline",
        b"*0\r\nPING\r\n*-1\r\nECHO x\r\n",
        [[b"PING"], [b"ECHO", b"x"]],
        None,
    ),
]

ERROR_CASES = [
    ("mbulk-not-a-number", b"*abc\r\n", [], "Protocol error: invalid multibulk length"),
    ("mbulk-over-int-max", b"*2147483648\r\n", [], "Protocol error: invalid multibulk length"),
    ("mbulk-over-uint32", b"*4294967296\r\n", [], "Protocol error: invalid multibulk length"),
    (
        "mbulk-leading-zero",
        b"*01\r\n$4\r\nPING\r\n",
        [],
        "Protocol error: invalid multibulk length",
    ),
    ("mbulk-plus-sign", b"*+1\r\n$4\r\nPING\r\n", [], "Protocol error: invalid multibulk length"),
    ("mbulk-minus-zero", b"*-0\r\n", [], "Protocol error: invalid multibulk length"),
    ("mbulk-empty", b"*\r\n", [], "Protocol error: invalid multibulk length"),
    ("mbulk-space", b"*1 \r\n$4\r\nPING\r\n", [], "Protocol error: invalid multibulk length"),
    (
        "mbulk-lf-only",  # the search is for '\r': the count would be "1\n$4"
        b"*1\n$4\r\nPING\r\n",
        [],
        "Protocol error: invalid multibulk length",
    ),
    ("bulk-not-a-number", b"*1\r\n$abc\r\n", [], "Protocol error: invalid bulk length"),
    ("bulk-minus-one", b"*1\r\n$-1\r\n", [], "Protocol error: invalid bulk length"),
    ("bulk-minus-one-first-of-two", b"*2\r\n$-1\r\n", [], "Protocol error: invalid bulk length"),
    ("bulk-negative", b"*1\r\n$-5\r\n", [], "Protocol error: invalid bulk length"),
    ("bulk-leading-zero", b"*1\r\n$04\r\nPING\r\n", [], "Protocol error: invalid bulk length"),
    ("bulk-empty", b"*1\r\n$\r\n", [], "Protocol error: invalid bulk length"),
    ("bulk-over-max", b"*1\r\n$536870913\r\n", [], "Protocol error: invalid bulk length"),
    (
        "bulk-over-int64",
        b"*1\r\n$9223372036854775808\r\n",
        [],
        "Protocol error: invalid bulk length",
    ),
    ("simple-string-arg", b"*1\r\n+PING\r\n", [], "Protocol error: expected '$', got '+'"),
    ("integer-arg", b"*1\r\n:1\r\n", [], "Protocol error: expected '$', got ':'"),
    (
        "second-arg-simple-string",
        b"*2\r\n$4\r\nECHO\r\n+a\r\n",
        [],
        "Protocol error: expected '$', got '+'",
    ),
    ("nested-array", b"*1\r\n*1\r\n$4\r\nPING\r\n", [], "Protocol error: expected '$', got '*'"),
    ("resp3-null-arg", b"*1\r\n_\r\n", [], "Protocol error: expected '$', got '_'"),
    ("resp3-bool-arg", b"*1\r\n#t\r\n", [], "Protocol error: expected '$', got '#'"),
    ("resp3-double-arg", b"*1\r\n,1.5\r\n", [], "Protocol error: expected '$', got ','"),
    ("resp3-bignum-arg", b"*1\r\n(12\r\n", [], "Protocol error: expected '$', got '('"),
    (
        "resp3-verbatim-arg",
        b"*1\r\n=8\r\ntxt:PING\r\n",
        [],
        "Protocol error: expected '$', got '='",
    ),
    (
        "resp3-map-arg",
        b"*1\r\n%1\r\n$1\r\na\r\n$1\r\nb\r\n",
        [],
        "Protocol error: expected '$', got '%'",
    ),
    ("error-arg", b"*1\r\n-ERR x\r\n", [], "Protocol error: expected '$', got '-'"),
    (
        "string-types-whose-lengths-cancel-out",  # 4 x '+' (3 bytes shorter each), 3 x '='
        b"*7\r\n+a\r\n+b\r\n+c\r\n+d\r\n=5\r\ntxt:e\r\n=5\r\ntxt:f\r\n=5\r\ntxt:g\r\n",
        [],
        "Protocol error: expected '$', got '+'",
    ),
    (
        "arg-missing-dollar-crlf",  # Valkey maps CR and LF in error texts to spaces
        b"*1\r\n\r\nPING\r\n",
        [],
        "Protocol error: expected '$', got ' '",
    ),
    ("arg-missing-dollar-lf", b"*1\r\n\nX\r\n", [], "Protocol error: expected '$', got ' '"),
    ("arg-high-byte", b"*1\r\n\xff\r\n", [], "Protocol error: expected '$', got '\udcff'"),
    ("unbalanced-double", b'PING "abc\r\n', [], "Protocol error: unbalanced quotes in request"),
    ("text-after-quote", b'ECHO "a"b\r\n', [], "Protocol error: unbalanced quotes in request"),
    ("unbalanced-single", b"ECHO 'a\r\n", [], "Protocol error: unbalanced quotes in request"),
    ("text-after-single", b"ECHO 'a'b\r\n", [], "Protocol error: unbalanced quotes in request"),
    (
        "escaped-closing-quote",
        b'ECHO "a\\"\r\n',
        [],
        "Protocol error: unbalanced quotes in request",
    ),
    (
        "commands-before-error-survive",
        b"PING\r\n" + mb(b"ECHO", b"a") + b"*x\r\n" + mb(b"PING") + b"PING\r\n",
        [[b"PING"], [b"ECHO", b"a"]],
        "Protocol error: invalid multibulk length",
    ),
    (
        "error-after-pipeline-in-a-command",
        mb(b"PING") + b"*2\r\n$4\r\nECHO\r\n:5\r\n" + mb(b"PING"),
        [[b"PING"]],
        "Protocol error: expected '$', got ':'",
    ),
    (
        "inline-error-after-multibulk",
        mb(b"PING") + b'ECHO "x\r\n' + mb(b"PING"),
        [[b"PING"]],
        "Protocol error: unbalanced quotes in request",
    ),
]

GOLDEN = MULTIBULK_CASES + INLINE_CASES + MIXED_CASES + ERROR_CASES
GOLDEN_IDS = [case[0] for case in GOLDEN]


@pytest.mark.parametrize("parser_class", PARSERS)
@pytest.mark.parametrize(("name", "data", "commands", "error"), GOLDEN, ids=GOLDEN_IDS)
def test_golden(
    parser_class: type, name: str, data: bytes, commands: Commands, error: str | None
) -> None:
    got, got_error = run(parser_class, [data])
    assert got == commands
    assert got_error == error
    assert all(type(arg) is bytes for command in got for arg in command)
    # The same result however the bytes arrive: one at a time, split in two at
    # every byte boundary, in random chunks.
    assert run(parser_class, bytewise(data)) == (commands, error)
    for cut in range(1, len(data)):
        assert run(parser_class, [data[:cut], data[cut:]]) == (commands, error), cut
    for seed in range(8):
        assert run(parser_class, random_chunks(data, seed)) == (commands, error), seed


@pytest.mark.parametrize("parser_class", PARSERS)
def test_whitespace_only_line_resets_the_request_type(parser_class: type) -> None:
    # redis-server 7.0 answers PONG. valkey-server 8.0.1 answers three errors and a
    # PONG: after a line of only blanks it keeps parsing inline ("*1", "$4", then
    # "PING"), a state bug fixed in Valkey for CVE-2026-27623 (valkey-io/valkey#3250).
    data = b"  \r\n" + mb(b"PING") + b"\x0b\r\n" + mb(b"ECHO", b"a")
    assert run(parser_class, [data]) == ([[b"PING"], [b"ECHO", b"a"]], None)


# ---------------------------------------------------------------------------
# Pipelines, large values and chunking
# ---------------------------------------------------------------------------

PIPELINE = [
    [b"XADD", b"stream", b"*", b"field", b"v%d" % i]
    if i % 3
    else [b"SET", b"key:%d" % i, b"x" * (i * 7 % 130)]
    for i in range(300)
]
PIPELINE_BYTES = b"".join(mb(*argv) for argv in PIPELINE)


@pytest.mark.parametrize("parser_class", PARSERS)
def test_pipeline_of_many_commands_in_one_feed(parser_class: type) -> None:
    assert run(parser_class, [PIPELINE_BYTES]) == (PIPELINE, None)


@pytest.mark.parametrize("parser_class", PARSERS)
def test_pipeline_one_byte_at_a_time(parser_class: type) -> None:
    assert run(parser_class, bytewise(PIPELINE_BYTES)) == (PIPELINE, None)


@pytest.mark.parametrize("parser_class", PARSERS)
@pytest.mark.parametrize("seed", range(5))
def test_pipeline_in_random_chunks(parser_class: type, seed: int) -> None:
    rng = random.Random(seed)
    chunks, pos = [], 0
    while pos < len(PIPELINE_BYTES):
        size = rng.choice([1, 2, 3, 7, 64, 500, 4096])
        chunks.append(PIPELINE_BYTES[pos : pos + size])
        pos += size
    assert run(parser_class, chunks) == (PIPELINE, None)


@pytest.mark.parametrize("parser_class", PARSERS)
def test_returns_each_command_as_soon_as_it_is_complete(parser_class: type) -> None:
    parser = parser_class()
    data = mb(b"PING") + mb(b"ECHO", b"ab")
    ends = {len(mb(b"PING")): [[b"PING"]], len(data): [[b"ECHO", b"ab"]]}
    for end in range(1, len(data) + 1):
        assert parser.feed(data[end - 1 : end]) == ends.get(end, []), end
    assert parser.error is None


@pytest.mark.parametrize("parser_class", PARSERS)
def test_large_value_in_chunks(parser_class: type) -> None:
    value = bytes(range(256)) * 400  # 102400 bytes, every byte value, CR LF included
    data = mb(b"SET", b"k", value) + mb(b"GET", b"k")
    expected = ([[b"SET", b"k", value], [b"GET", b"k"]], None)
    assert run(parser_class, [data[i : i + 1000] for i in range(0, len(data), 1000)]) == expected
    assert run(parser_class, [data[:20], data[20:-5], data[-5:]]) == expected


@pytest.mark.parametrize("parser_class", PARSERS)
def test_large_value_one_byte_at_a_time(parser_class: type) -> None:
    value = b"0123456789abcdef\r\n" * 1200  # 21600 bytes
    data = mb(b"SET", b"k", value)
    assert run(parser_class, bytewise(data)) == ([[b"SET", b"k", value]], None)


@pytest.mark.parametrize("parser_class", PARSERS)
@pytest.mark.parametrize("size", [9999, 10000, 123456])
def test_large_argument_then_a_non_bulk_element(parser_class: type, size: int) -> None:
    # Past the sizes the fast walk tabulates, the general walk still checks each '$'.
    value = b"v" * size
    good = mb(b"SET", b"k", value)
    bad = b"*3\r\n$3\r\nSET\r\n$%d\r\n%b\r\n:1\r\n" % (size, value)
    expected = ([[b"SET", b"k", value]], "Protocol error: expected '$', got ':'")
    assert run(parser_class, [good + bad]) == expected


@pytest.mark.parametrize("parser_class", PARSERS)
def test_the_caller_may_reuse_its_buffer(parser_class: type) -> None:
    parser = parser_class()
    buffer = bytearray(b"*2\r\n$4\r\nECHO\r\n$3\r\nab")
    assert parser.feed(buffer) == []
    buffer[:] = b"X" * len(buffer)
    assert parser.feed(bytearray(b"c\r\n")) == [[b"ECHO", b"abc"]]


@pytest.mark.parametrize("parser_class", PARSERS)
def test_empty_feed_returns_nothing(parser_class: type) -> None:
    parser = parser_class()
    assert parser.feed(b"") == []
    assert parser.feed(b"*1\r\n$4\r\nPI") == []
    assert parser.feed(b"") == []
    assert parser.feed(b"NG\r\n") == [[b"PING"]]
    assert parser.error is None


# ---------------------------------------------------------------------------
# Protocol errors: limits, and the parser after an error
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("parser_class", PARSERS)
def test_too_big_inline_request(parser_class: type) -> None:
    at_limit = b"A" * PROTO_INLINE_MAX_SIZE
    assert run(parser_class, [at_limit]) == ([], None)
    assert run(parser_class, [at_limit + b"A"]) == (
        [],
        "Protocol error: too big inline request",
    )
    # Fed in pieces, the error comes with the byte that crosses the limit.
    parser = parser_class()
    assert parser.feed(b"PING\r\n" + at_limit[:40000]) == [[b"PING"]]
    assert parser.feed(at_limit[40000:]) == []
    assert parser.error is None
    assert parser.feed(b"B") == []
    assert parser.error == "Protocol error: too big inline request"
    assert parser.feed(b"\r\n") == []
    # A long line is fine when its newline is already there.
    long_line = b"ECHO " + b"x" * 70000 + b"\r\n"
    assert run(parser_class, [long_line]) == ([[b"ECHO", b"x" * 70000]], None)


@pytest.mark.parametrize("parser_class", PARSERS)
def test_too_big_mbulk_count_string(parser_class: type) -> None:
    count = b"*" + b"1" * PROTO_INLINE_MAX_SIZE  # 65537 bytes without '\r'
    assert run(parser_class, [count[:-1]]) == ([], None)
    assert run(parser_class, [count]) == ([], "Protocol error: too big mbulk count string")
    chunks = [mb(b"PING")] + [count[i : i + 4096] for i in range(0, len(count), 4096)]
    assert run(parser_class, chunks) == (
        [[b"PING"]],
        "Protocol error: too big mbulk count string",
    )


@pytest.mark.parametrize("parser_class", PARSERS)
def test_too_big_bulk_count_string(parser_class: type) -> None:
    head = b"*1\r\n"
    length = b"$" + b"1" * PROTO_INLINE_MAX_SIZE
    assert run(parser_class, [head + length[:-1]]) == ([], None)
    assert run(parser_class, [head + length]) == (
        [],
        "Protocol error: too big bulk count string",
    )
    chunks = [head] + [length[i : i + 4096] for i in range(0, len(length), 4096)]
    assert run(parser_class, chunks) == ([], "Protocol error: too big bulk count string")


@pytest.mark.parametrize("parser_class", PARSERS)
def test_max_bulk_len(parser_class: type) -> None:
    ok = b"*2\r\n$4\r\nECHO\r\n$10\r\n0123456789\r\n"
    assert run(parser_class, [ok], max_bulk_len=10) == ([[b"ECHO", b"0123456789"]], None)
    too_big = b"*2\r\n$4\r\nECHO\r\n$11\r\n01234567890\r\n"
    assert run(parser_class, [too_big], max_bulk_len=10) == (
        [],
        "Protocol error: invalid bulk length",
    )
    # The length line alone is enough to fail; the payload is never waited for.
    assert run(parser_class, [mb(b"PING") + b"*1\r\n$11\r\n"], max_bulk_len=10) == (
        [[b"PING"]],
        "Protocol error: invalid bulk length",
    )
    assert run(parser_class, bytewise(too_big), max_bulk_len=10) == (
        [],
        "Protocol error: invalid bulk length",
    )
    assert parser_class().max_bulk_len == DEFAULT_PROTO_MAX_BULK_LEN == 512 * 1024 * 1024


@pytest.mark.parametrize("parser_class", PARSERS)
def test_nothing_more_after_an_error(parser_class: type) -> None:
    parser = parser_class()
    assert parser.error is None
    assert parser.feed(mb(b"PING") + b"*1\r\n$x\r\n" + mb(b"PING")) == [[b"PING"]]
    assert parser.error == "Protocol error: invalid bulk length"
    assert parser.feed(mb(b"PING")) == []
    assert parser.feed(b"PING\r\n") == []
    assert parser.error == "Protocol error: invalid bulk length"


@pytest.mark.parametrize("parser_class", PARSERS)
def test_error_in_a_later_feed_keeps_earlier_commands(parser_class: type) -> None:
    parser = parser_class()
    assert parser.feed(b"*2\r\n$4\r\nECHO\r\n$1\r\na\r\n*1\r\n") == [[b"ECHO", b"a"]]
    assert parser.feed(b"+PING\r\n") == []
    assert parser.error == "Protocol error: expected '$', got '+'"


@pytest.mark.parametrize("parser_class", PARSERS)
def test_huge_count_costs_nothing(parser_class: type) -> None:
    # hiredis would allocate a 2**31-slot list for this count line (16 GiB, seconds
    # to free); the parser must keep waiting cheaply, as Valkey does.
    started = time.perf_counter()
    parser = parser_class()
    assert parser.feed(b"*2147483647\r\n$4\r\nPING\r\n") == []
    assert parser.feed(b"$1\r\na\r\n") == []
    assert parser.error is None
    del parser
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize("parser_class", PARSERS)
def test_max_bulk_len_applies_from_the_next_length_line(parser_class: type) -> None:
    parser = parser_class()
    assert parser.feed(mb(b"ECHO", b"x" * 20)) == [[b"ECHO", b"x" * 20]]
    parser.max_bulk_len = 10  # CONFIG SET proto-max-bulk-len on an open connection
    assert parser.feed(mb(b"ECHO", b"x" * 10) + mb(b"ECHO", b"x" * 11)) == [[b"ECHO", b"x" * 10]]
    assert parser.error == "Protocol error: invalid bulk length"


ELEVEN = b"*11\r\n" + b"$1\r\na\r\n" * 11


@pytest.mark.parametrize("parser_class", PARSERS)
def test_unauthenticated_limits(parser_class: type) -> None:
    def unauthenticated(data: bytes) -> tuple[Commands, str | None]:
        parser = parser_class()
        parser.unauthenticated = True
        return parser.feed(data), parser.error

    assert unauthenticated(ELEVEN) == ([], "Protocol error: unauthenticated multibulk length")
    assert unauthenticated(b"*2\r\n$4\r\nECHO\r\n$16385\r\n") == (
        [],
        "Protocol error: unauthenticated bulk length",
    )
    # Up to the limits, and inline commands of any size, parse as usual.
    ten = mb(*[b"a"] * 10)
    assert unauthenticated(ten) == ([[b"a"] * 10], None)
    assert unauthenticated(mb(b"ECHO", b"b" * 16384)) == ([[b"ECHO", b"b" * 16384]], None)
    inline = b"ECHO " + b"c" * 20000 + b" " + b"d " * 20 + b"\r\n"
    assert unauthenticated(inline) == ([[b"ECHO", b"c" * 20000] + [b"d"] * 20], None)
    # The general checks come first.
    assert unauthenticated(b"*abc\r\n") == ([], "Protocol error: invalid multibulk length")
    assert unauthenticated(b"*1\r\n$-2\r\n") == ([], "Protocol error: invalid bulk length")


@pytest.mark.parametrize("parser_class", PARSERS)
@pytest.mark.parametrize(
    ("over_limit", "argv", "error"),
    [
        (ELEVEN, [b"a"] * 11, "Protocol error: unauthenticated multibulk length"),
        (
            mb(b"ECHO", b"z" * 16385),
            [b"ECHO", b"z" * 16385],
            "Protocol error: unauthenticated bulk length",
        ),
    ],
    ids=["count", "bulk"],
)
@pytest.mark.parametrize("logged_in", [True, False], ids=["authenticated", "still-not"])
def test_a_parser_stalls_where_an_earlier_command_may_authenticate(
    parser_class: type, over_limit: bytes, argv: list[bytes], error: str, logged_in: bool
) -> None:
    parser = parser_class()
    parser.unauthenticated = True
    assert parser.feed(mb(b"AUTH", b"pw") + over_limit[:30]) == [[b"AUTH", b"pw"]]
    assert parser.stalled and parser.error is None
    assert parser.feed(over_limit[30:] + mb(b"PING")) == []  # stored, not parsed
    assert parser.stalled
    parser.unauthenticated = not logged_in  # what AUTH did
    commands = parser.feed(b"")
    assert not parser.stalled
    if logged_in:
        assert (commands, parser.error) == ([argv, [b"PING"]], None)
    else:
        assert (commands, parser.error) == ([], error)


@pytest.mark.parametrize("parser_class", PARSERS)
def test_buffered_is_what_valkey_counts_in_the_query_buffer(parser_class: type) -> None:
    parser = parser_class()
    assert (parser.buffered, parser.bulk_remaining) == (0, 0)
    parser.feed(mb(b"PING") + b"*3\r\n$3\r\nSET\r\n$1\r")
    assert (parser.buffered, parser.bulk_remaining) == (3, 0)  # "$1\r": a line in progress
    parser.feed(b"\nk\r\n$40000\r\n" + b"v" * 100)
    # The length line is parsed: only the payload so far counts; 40000 + 2 - 100 to come.
    assert (parser.buffered, parser.bulk_remaining) == (100, 39902)
    parser.feed(b"v" * 39900 + b"\r")
    assert (parser.buffered, parser.bulk_remaining) == (40001, 1)
    parser.feed(b"\n" + b"*1\r\n$5\r\nab")
    assert (parser.buffered, parser.bulk_remaining) == (2, 0)  # a small argument
    assert parser.feed(b"cde\r\n") == [[b"abcde"]]
    assert (parser.buffered, parser.bulk_remaining) == (0, 0)


# ---------------------------------------------------------------------------
# make_parser and split_inline_args
# ---------------------------------------------------------------------------


def test_make_parser_picks_the_parser() -> None:
    assert type(make_parser(use_hiredis=False)) is PureRequestParser
    expected = HiredisRequestParser if HAVE_HIREDIS else PureRequestParser
    assert type(make_parser()) is expected
    assert type(make_parser(use_hiredis=True)) is expected
    for parser in make_parser(max_bulk_len=10, use_hiredis=False), make_parser(max_bulk_len=10):
        assert isinstance(parser, (PureRequestParser, HiredisRequestParser))
        assert parser.max_bulk_len == 10
        assert parser.feed(b"*1\r\n$11\r\n") == []
        assert parser.error == "Protocol error: invalid bulk length"


@pytest.mark.parametrize(
    ("line", "args"),
    [
        (b"", []),
        (b" \t\r\n\x0b\x0c", []),
        (b"SET k v", [b"SET", b"k", b"v"]),
        (b"a \"b c\" 'd e'", [b"a", b"b c", b"d e"]),
        (b'"\\x41\\x42"', [b"AB"]),
        (b"\"\\\"\" '\\''", [b'"', b"'"]),
        (b"'\\n'", [b"\\n"]),
        (b"a\x0bb", [b"a\x0bb"]),
        (b"a\x00b c", [b"a"]),  # sdssplitargs reads a C string: NUL ends the line
        (b'"abc', None),
        (b'"a"b', None),
        (b"'abc", None),
        (b"'a'b", None),
        (b'"a\\', None),
    ],
)
def test_split_inline_args(line: bytes, args: list[bytes] | None) -> None:
    assert split_inline_args(line) == args


# ---------------------------------------------------------------------------
# Reply encoding
# ---------------------------------------------------------------------------

BIG = 3492890328409238509324850943850943825024385

ENCODE_CASES = [
    # (id, value, RESP2 bytes, RESP3 bytes)
    ("bulk", b"hello", b"$5\r\nhello\r\n", b"$5\r\nhello\r\n"),
    ("bulk-empty", b"", b"$0\r\n\r\n", b"$0\r\n\r\n"),
    ("bulk-binary", b"a\r\n\x00\xff", b"$5\r\na\r\n\x00\xff\r\n", b"$5\r\na\r\n\x00\xff\r\n"),
    ("str-utf8", "h\u00e9", b"$3\r\nh\xc3\xa9\r\n", b"$3\r\nh\xc3\xa9\r\n"),
    ("str-surrogateescape", "a\udcff", b"$2\r\na\xff\r\n", b"$2\r\na\xff\r\n"),
    ("simple-string", SimpleString("OK"), b"+OK\r\n", b"+OK\r\n"),
    ("simple-string-const", PONG, b"+PONG\r\n", b"+PONG\r\n"),
    ("queued", QUEUED, b"+QUEUED\r\n", b"+QUEUED\r\n"),
    ("error", ErrorReply("ERR boom"), b"-ERR boom\r\n", b"-ERR boom\r\n"),
    (
        "error-prefix",
        ErrorReply("WRONGTYPE Operation against a key holding the wrong kind of value"),
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    ),
    (
        "error-raw-byte",  # client bytes kept with surrogateescape go out unchanged
        ErrorReply("ERR unknown command '\udcff'"),
        b"-ERR unknown command '\xff'\r\n",
        b"-ERR unknown command '\xff'\r\n",
    ),
    ("int-zero", 0, b":0\r\n", b":0\r\n"),
    ("int-one", 1, b":1\r\n", b":1\r\n"),
    ("int-minus-one", -1, b":-1\r\n", b":-1\r\n"),
    ("int-1023", 1023, b":1023\r\n", b":1023\r\n"),
    ("int-1024", 1024, b":1024\r\n", b":1024\r\n"),
    ("int-minus-two", -2, b":-2\r\n", b":-2\r\n"),
    ("int-max", 2**63 - 1, b":9223372036854775807\r\n", b":9223372036854775807\r\n"),
    ("int-min", -(2**63), b":-9223372036854775808\r\n", b":-9223372036854775808\r\n"),
    ("none", None, b"$-1\r\n", b"_\r\n"),
    ("null-array", NULL_ARRAY, b"*-1\r\n", b"_\r\n"),
    ("true", True, b":1\r\n", b"#t\r\n"),
    ("false", False, b":0\r\n", b"#f\r\n"),
    ("empty-list", [], b"*0\r\n", b"*0\r\n"),
    ("tuple", (b"a", 1), b"*2\r\n$1\r\na\r\n:1\r\n", b"*2\r\n$1\r\na\r\n:1\r\n"),
    (
        "nested-list",
        [b"a", [1, [None, NULL_ARRAY]], [], OK],
        b"*4\r\n$1\r\na\r\n*2\r\n:1\r\n*2\r\n$-1\r\n*-1\r\n*0\r\n+OK\r\n",
        b"*4\r\n$1\r\na\r\n*2\r\n:1\r\n*2\r\n_\r\n_\r\n*0\r\n+OK\r\n",
    ),
    (
        "map",
        Map({b"a": 1, b"b": [b"x", None]}),
        b"*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n*2\r\n$1\r\nx\r\n$-1\r\n",
        b"%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n*2\r\n$1\r\nx\r\n_\r\n",
    ),
    ("map-empty", Map(), b"*0\r\n", b"%0\r\n"),
    (
        "plain-dict-is-a-map",
        {"k": b"v"},
        b"*2\r\n$1\r\nk\r\n$1\r\nv\r\n",
        b"%1\r\n$1\r\nk\r\n$1\r\nv\r\n",
    ),
    ("set", Set([b"a", b"b"]), b"*2\r\n$1\r\na\r\n$1\r\nb\r\n", b"~2\r\n$1\r\na\r\n$1\r\nb\r\n"),
    ("set-empty", Set(), b"*0\r\n", b"~0\r\n"),
    (
        "push",
        Push([b"message", b"ch", b"hi"]),
        b"*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n",
        b">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n",
    ),
    ("float", 1.5, b"$3\r\n1.5\r\n", b",1.5\r\n"),
    ("float-integral", 3.0, b"$1\r\n3\r\n", b",3\r\n"),
    ("float-negative", -2.5, b"$4\r\n-2.5\r\n", b",-2.5\r\n"),
    ("float-inf", float("inf"), b"$3\r\ninf\r\n", b",inf\r\n"),
    ("float-minus-inf", float("-inf"), b"$4\r\n-inf\r\n", b",-inf\r\n"),
    ("float-nan", float("nan"), b"$3\r\nnan\r\n", b",nan\r\n"),
    ("float-minus-zero", -0.0, b"$2\r\n-0\r\n", b",-0\r\n"),
    ("float-small", 1.5e-7, b"$6\r\n1.5e-7\r\n", b",1.5e-7\r\n"),
    (
        "verbatim",
        Verbatim(b"Some string"),
        b"$11\r\nSome string\r\n",
        b"=15\r\ntxt:Some string\r\n",
    ),
    ("verbatim-mkd", Verbatim(b"# T\r\n", "mkd"), b"$5\r\n# T\r\n\r\n", b"=9\r\nmkd:# T\r\n\r\n"),
    (
        "bignumber",
        BigNumber(BIG),
        b"$43\r\n3492890328409238509324850943850943825024385\r\n",
        b"(3492890328409238509324850943850943825024385\r\n",
    ),
    ("bignumber-negative", BigNumber(-12), b"$3\r\n-12\r\n", b"(-12\r\n"),
    ("raw", RawReply(b"+RAW\r\n"), b"+RAW\r\n", b"+RAW\r\n"),
    (
        "raw-inside-list",
        [RawReply(b"*1\r\n:5\r\n"), b"x"],
        b"*2\r\n*1\r\n:5\r\n$1\r\nx\r\n",
        b"*2\r\n*1\r\n:5\r\n$1\r\nx\r\n",
    ),
    (
        "deep-downgrade",  # RESP2 downgrades every level
        Map({b"m": Map({b"t": True}), b"s": Set([0.5, BigNumber(7)]), b"v": Verbatim(b"v")}),
        b"*6\r\n$1\r\nm\r\n*2\r\n$1\r\nt\r\n:1\r\n$1\r\ns\r\n*2\r\n$3\r\n0.5\r\n$1\r\n7\r\n"
        b"$1\r\nv\r\n$1\r\nv\r\n",
        b"%3\r\n$1\r\nm\r\n%1\r\n$1\r\nt\r\n#t\r\n$1\r\ns\r\n~2\r\n,0.5\r\n(7\r\n"
        b"$1\r\nv\r\n=5\r\ntxt:v\r\n",
    ),
    (  # XREAD of one stream (the encoder's shortcut), then the general forms
        "pair-list-one-raw",
        PairList([(b"s", RawReply(b"*0\r\n"))]),
        b"*1\r\n*2\r\n$1\r\ns\r\n*0\r\n",
        b"%1\r\n$1\r\ns\r\n*0\r\n",
    ),
    (
        "pair-list-one-list",
        PairList([(b"s", [1])]),
        b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n:1\r\n",
        b"%1\r\n$1\r\ns\r\n*1\r\n:1\r\n",
    ),
    (
        "pair-list-two",
        PairList([(b"a", RawReply(b"*0\r\n")), (b"a", None)]),
        b"*2\r\n*2\r\n$1\r\na\r\n*0\r\n*2\r\n$1\r\na\r\n$-1\r\n",
        b"%2\r\n$1\r\na\r\n*0\r\n$1\r\na\r\n_\r\n",
    ),
    (
        "everything-inside-a-list",
        [b"b", "s", OK, ErrorReply("ERR e"), 5, 2000, None, NULL_ARRAY, False, 2.0, Push([1])],
        b"*11\r\n$1\r\nb\r\n$1\r\ns\r\n+OK\r\n-ERR e\r\n:5\r\n:2000\r\n$-1\r\n*-1\r\n:0\r\n"
        b"$1\r\n2\r\n*1\r\n:1\r\n",
        b"*11\r\n$1\r\nb\r\n$1\r\ns\r\n+OK\r\n-ERR e\r\n:5\r\n:2000\r\n_\r\n_\r\n#f\r\n"
        b",2\r\n>1\r\n:1\r\n",
    ),
]


@pytest.mark.parametrize(
    ("name", "value", "resp2", "resp3"), ENCODE_CASES, ids=[c[0] for c in ENCODE_CASES]
)
def test_encode(name: str, value: object, resp2: bytes, resp3: bytes) -> None:
    assert encode(value, 2) == resp2
    assert encode(value, 3) == resp3
    # Nested one level down, the same bytes follow the array header.
    assert encode([value], 2) == b"*1\r\n" + resp2
    assert encode([value], 3) == b"*1\r\n" + resp3


def test_encode_defaults_to_resp2() -> None:
    assert encode(None) == b"$-1\r\n"
    assert encode(Map({b"a": True})) == b"*2\r\n$1\r\na\r\n:1\r\n"


def test_encode_rejects_unknown_types() -> None:
    with pytest.raises(TypeError, match="cannot encode reply value of type object"):
        encode(object(), 3)
    with pytest.raises(TypeError):
        encode([b"ok", {1, 2}], 2)


# Valkey 8's d2string: integral values up to 2**62 as integers, otherwise fpconv's
# shortest digits, plain up to 6 zeros after the point or 7 before it, then
# scientific notation with an unpadded exponent. Each line was checked against
# valkey-server 8.0.1 (ZSCORE in RESP2 and RESP3, and Lua's {double=...}).
DOUBLES = [
    (1.5, b"1.5"),
    (3.0, b"3"),
    (0.0, b"0"),
    (-0.0, b"-0"),
    (-2.5, b"-2.5"),
    (100.5, b"100.5"),
    (0.1, b"0.1"),
    (1 / 3, b"0.3333333333333333"),
    (0.1 + 0.2, b"0.30000000000000004"),
    (123456.789, b"123456.789"),
    (1.2345678, b"1.2345678"),
    (0.000123, b"0.000123"),
    (1e-5, b"0.00001"),
    (1.5e-5, b"0.000015"),
    (1e-6, b"0.000001"),
    (1e-7, b"1e-7"),
    (1.5e-7, b"1.5e-7"),
    (-1.5e-7, b"-1.5e-7"),
    (1.23e-5, b"1.23e-5"),
    (1.234e-5, b"1.234e-5"),
    (1.2345678901234568e-5, b"1.2345678901234568e-5"),
    (2.5e-300, b"2.5e-300"),
    (5e-324, b"5e-324"),
    (1e15, b"1000000000000000"),
    (1.5e16, b"15000000000000000"),
    (1e17, b"100000000000000000"),
    (123456789012345680.0, b"123456789012345680"),
    (4611686018427387904.0, b"4611686018427387904"),
    (-4611686018427387904.0, b"-4611686018427387904"),
    (9223372036854775808.0, b"9223372036854776000"),
    (-9223372036854775808.0, b"-9223372036854776000"),
    (12345678901234567890.0, b"12345678901234567000"),
    (5e18, b"5e+18"),
    (-5e18, b"-5e+18"),
    (1.5e20, b"1.5e+20"),
    (1e21, b"1e+21"),
    (1e22, b"1e+22"),
    (1e100, b"1e+100"),
    (1.7976931348623157e308, b"1.7976931348623157e+308"),
    (float("inf"), b"inf"),
    (float("-inf"), b"-inf"),
    (float("nan"), b"nan"),
]


@pytest.mark.parametrize(("value", "text"), DOUBLES, ids=[t.decode() for _, t in DOUBLES])
def test_format_double(value: float, text: bytes) -> None:
    assert format_double(value) == text
    assert encode(value, 3) == b"," + text + b"\r\n"
    assert encode(value, 2) == b"$%d\r\n%s\r\n" % (len(text), text)
