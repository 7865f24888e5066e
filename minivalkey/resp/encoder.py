"""Reply encoding: one reply value (see ``replies``) to the bytes of RESP2 or RESP3.

Invariant: the only place reply values become bytes (``RawReply`` bytes excepted,
which are valid in both protocols); doubles follow Valkey 8's d2string.
"""

from __future__ import annotations

import math
from typing import Any

from ..replies import (
    NULL_ARRAY,
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

# ---------------------------------------------------------------------------
# Reply encoding
# ---------------------------------------------------------------------------

_SMALL_INTS = [b":%d\r\n" % i for i in range(-1, 1025)]
_INF = float("inf")
_LLONG_MAX_HALF = float(2**62)  # (double)(LLONG_MAX / 2), the bound of Valkey's double2ll


def format_double(value: float) -> bytes:
    """A double the way Valkey 8 prints it (``d2string``).

    nan, inf, -inf and -0 are spelled out; integral values up to 2**62 print as
    integers; anything else is fpconv_dtoa's layout of the shortest round-trip
    digits: plain up to 6 zeros after the point or 7 before it, scientific
    otherwise, with an unpadded exponent (``1.5e-7``, ``5e+18``). The digits are
    Python's shortest repr; fpconv's Grisu2 may, very rarely, print a longer form.
    """
    if value != value:
        return b"nan"
    if value == _INF:
        return b"inf"
    if value == -_INF:
        return b"-inf"
    if value == 0:
        return b"-0" if math.copysign(1.0, value) < 0 else b"0"
    if -_LLONG_MAX_HALF <= value <= _LLONG_MAX_HALF and value.is_integer():
        return b"%d" % int(value)
    text = repr(value)
    sign = ""
    if text[0] == "-":
        sign, text = "-", text[1:]
    mantissa, _, exponent = text.partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    k = (int(exponent) if exponent else 0) - len(fraction)  # value = digits * 10**k
    stripped = digits.rstrip("0")
    k += len(digits) - len(stripped)
    digits = stripped
    ndigits = len(digits)
    exp = abs(k + ndigits - 1)
    if k >= 0 and exp < ndigits + 7:
        text = digits + "0" * k
    elif k < 0 and (k > -7 or exp < 4):
        offset = ndigits + k
        if offset <= 0:
            text = "0." + "0" * -offset + digits
        else:
            text = digits[:offset] + "." + digits[offset:]
    else:
        text = digits[0] + ("." + digits[1:] if ndigits > 1 else "")
        text += ("e-" if k + ndigits - 1 < 0 else "e+") + str(exp)
    return (sign + text).encode()


def encode(value: Any, protocol: int = 2) -> bytes:
    """Encode one reply value as RESP bytes."""
    kind = type(value)
    if kind is bytes:
        return b"$%d\r\n%s\r\n" % (len(value), value)
    if kind is RawReply:
        return value.data
    if kind is SimpleString:
        return b"+" + value.encode("utf-8", "surrogateescape") + b"\r\n"
    if kind is int:
        if -1 <= value <= 1023:
            return _SMALL_INTS[value + 1]
        return b":%d\r\n" % value
    if kind is PairList and len(value) == 1:  # XREAD / XREADGROUP of one stream
        key, item = value[0]
        if type(key) is bytes and type(item) is RawReply:
            head = b"%1\r\n" if protocol == 3 else b"*1\r\n*2\r\n"
            return b"%b$%d\r\n%b\r\n%b" % (head, len(key), key, item.data)
    parts: list[bytes] = []
    _encode_into(value, protocol, parts)
    return b"".join(parts)


def _encode_into(value: Any, protocol: int, out: list[bytes]) -> None:
    kind = type(value)
    if kind is bytes:
        out.append(b"$%d\r\n%s\r\n" % (len(value), value))
    elif kind is RawReply:  # stream entries: the most frequent item after bytes
        out.append(value.data)
    elif kind is int:
        out.append(_SMALL_INTS[value + 1] if -1 <= value <= 1023 else b":%d\r\n" % value)
    elif kind is list or kind is tuple:
        out.append(b"*%d\r\n" % len(value))
        for item in value:
            _encode_into(item, protocol, out)
    elif value is None:
        out.append(b"_\r\n" if protocol == 3 else b"$-1\r\n")
    elif kind is PairList:
        out.append(b"%%%d\r\n" % len(value) if protocol == 3 else b"*%d\r\n" % len(value))
        for key, item in value:
            if protocol != 3:
                out.append(b"*2\r\n")
            _encode_into(key, protocol, out)
            _encode_into(item, protocol, out)
    elif kind is SimpleString:
        out.append(b"+" + value.encode("utf-8", "surrogateescape") + b"\r\n")
    elif kind is ErrorReply:
        out.append(b"-" + value.encode("utf-8", "surrogateescape") + b"\r\n")
    elif kind is str:
        data = value.encode("utf-8", "surrogateescape")
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    elif kind is bool:
        if protocol == 3:
            out.append(b"#t\r\n" if value else b"#f\r\n")
        else:
            out.append(b":1\r\n" if value else b":0\r\n")
    elif kind is Map:
        if protocol == 3:
            out.append(b"%%%d\r\n" % len(value))
        else:
            out.append(b"*%d\r\n" % (2 * len(value)))
        for key, item in value.items():
            _encode_into(key, protocol, out)
            _encode_into(item, protocol, out)
    elif kind is Set or kind is Push:
        marker = (b"~" if kind is Set else b">") if protocol == 3 else b"*"
        out.append(b"%s%d\r\n" % (marker, len(value)))
        for item in value:
            _encode_into(item, protocol, out)
    elif value is NULL_ARRAY:
        out.append(b"_\r\n" if protocol == 3 else b"*-1\r\n")
    elif kind is float:
        text = format_double(value)
        if protocol == 3:
            out.append(b"," + text + b"\r\n")
        else:
            out.append(b"$%d\r\n%s\r\n" % (len(text), text))
    elif kind is Verbatim:
        if protocol == 3:
            body = value.fmt.encode() + b":" + value.text
            out.append(b"=%d\r\n%s\r\n" % (len(body), body))
        else:
            out.append(b"$%d\r\n%s\r\n" % (len(value.text), value.text))
    elif kind is BigNumber:
        digits = b"%d" % value.value
        if protocol == 3:
            out.append(b"(" + digits + b"\r\n")
        else:
            out.append(b"$%d\r\n%s\r\n" % (len(digits), digits))
    elif isinstance(value, dict):
        _encode_into(Map(value), protocol, out)
    else:
        raise TypeError(f"cannot encode reply value of type {kind.__name__}")
