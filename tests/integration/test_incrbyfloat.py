"""INCRBYFLOAT over real sockets: Valkey's 80-bit long double sums and their printing.

The ``STEPS`` scripts hold replies checked against Valkey 8.0.1 (``%.17Lf`` rounding,
ties to even, trailing zeros dropped, ``-0`` printed ``0``; what ``strtold`` accepts:
hexadecimal, ``inf``, leading ``+``...; NaN, blanks, overflow and underflow to zero
refused).
"""

from __future__ import annotations

import pytest
from helpers import RawClient
from string_steps import OK, WRONGTYPE, Step, bulk, error, integer, play

NAN_OR_INFINITY = error("ERR increment would produce NaN or Infinity")

STEPS: dict[str, list[Step]] = {
    "incrbyfloat": [
        (("INCRBYFLOAT", "f", "1"), b"$1\r\n1\r\n"),
        (("INCRBYFLOAT", "f", "0.1"), b"$3\r\n1.1\r\n"),
        (("INCRBYFLOAT", "f", "1.5e3"), b"$22\r\n1501.09999999999999998\r\n"),
        (("INCRBYFLOAT", "f", "-1.6e3"), b"$21\r\n-98.90000000000000002\r\n"),
        (("INCRBYFLOAT", "f", "abc"), b"-ERR value is not a valid float\r\n"),
        (("INCRBYFLOAT", "f", "inf"), b"-ERR increment would produce NaN or Infinity\r\n"),
        (("INCRBYFLOAT", "f", "-inf"), b"-ERR increment would produce NaN or Infinity\r\n"),
        (("INCRBYFLOAT", "f", "nan"), b"-ERR value is not a valid float\r\n"),
        (("INCRBYFLOAT", "f", " 1"), b"-ERR value is not a valid float\r\n"),
        (("INCRBYFLOAT", "f", "1 "), b"-ERR value is not a valid float\r\n"),
        (("INCRBYFLOAT", "f", "0x10"), b"$21\r\n-82.90000000000000002\r\n"),
        (("INCRBYFLOAT", "f", "+.5"), b"$21\r\n-82.40000000000000002\r\n"),
        (("INCRBYFLOAT", "f", "5."), b"$21\r\n-77.40000000000000002\r\n"),
        (("INCRBYFLOAT", "f", "."), b"-ERR value is not a valid float\r\n"),
        (("INCRBYFLOAT", "f", "1e"), b"-ERR value is not a valid float\r\n"),
        (("INCRBYFLOAT", "f", "0x"), b"-ERR value is not a valid float\r\n"),
        (("INCRBYFLOAT", "f", "0x.8p1"), b"$21\r\n-76.40000000000000002\r\n"),
        (("INCRBYFLOAT", "f", "-0"), b"$21\r\n-76.40000000000000002\r\n"),
        (("INCRBYFLOAT", "f", "1e-5000"), b"-ERR value is not a valid float\r\n"),
        (("INCRBYFLOAT", "f", "1e5000"), b"-ERR value is not a valid float\r\n"),
        (("INCRBYFLOAT", "f", "INFINITY"), b"-ERR increment would produce NaN or Infinity\r\n"),
        (("INCRBYFLOAT", "f", b"1\x00"), b"-ERR value is not a valid float\r\n"),
        (("INCRBYFLOAT", "g", "0.000003814697265625"), b"$19\r\n0.00000381469726562\r\n"),
        (("INCRBYFLOAT", "h", "0.000000000000000005"), b"$1\r\n0\r\n"),
        (("INCRBYFLOAT", "h2", "0.000000000000000015"), b"$19\r\n0.00000000000000002\r\n"),
        (("INCRBYFLOAT", "h3", "-0.000000000000000005"), b"$1\r\n0\r\n"),
        (("INCRBYFLOAT", "i", "9223372036854775807"), b"$19\r\n9223372036854775807\r\n"),
        (("INCRBYFLOAT", "i", "1"), b"$19\r\n9223372036854775808\r\n"),
        (("INCRBYFLOAT", "j", "1e30"), b"$31\r\n1000000000000000000024696061952\r\n"),
        (("INCRBYFLOAT", "k", "0.1"), b"$3\r\n0.1\r\n"),
        (("INCRBYFLOAT", "k", "0.2"), b"$3\r\n0.3\r\n"),
        (
            ("INCRBYFLOAT", "l", "1.7976931348623157e308"),
            (
                b"$309\r\n1797693134862315699959210467741044340483864469443291784853144207"
                b"6517662852312439635470186860838708556442879341942552068930870836345113"
                b"6055357897278026477617073498977686288394835618163294045594434929537447"
                b"2906274806694173846488791227762183335989538528321032825047516116912081"
                b"17720159985926376802466863339536384\r\n"
            ),
        ),
        (
            ("INCRBYFLOAT", "l", "1.7976931348623157e308"),
            (
                b"$309\r\n3595386269724631399918420935482088680967728938886583569706288415"
                b"3035325704624879270940373721677417112885758683885104137861741672690227"
                b"2110715794556052955234146997955372576789671236326588091188869859074894"
                b"5812549613388347692977582455524366671979077056642065650095032233824162"
                b"35440319971852753604933726679072768\r\n"
            ),
        ),
        (("INCRBYFLOAT", "m", "1.2e4932"), b"-ERR value is not a valid float\r\n"),
        (("INCRBYFLOAT", "n", "10.5"), b"$4\r\n10.5\r\n"),
        (("INCRBYFLOAT", "n", "3.0e3"), b"$6\r\n3010.5\r\n"),
        (("INCRBYFLOAT", "n", "1.1"), b"$22\r\n3011.60000000000000009\r\n"),
        (("INCRBYFLOAT", "o", "0x1p-16445"), b"$1\r\n0\r\n"),
        (("INCRBYFLOAT", "o2", "0x1p-16446"), b"-ERR value is not a valid float\r\n"),
        (("INCRBYFLOAT", "o3", "4e-4951"), b"$1\r\n0\r\n"),
    ],
    "incrbyfloat_stored": [
        (("SET", "s", b"1.5abc"), OK),
        (("INCRBYFLOAT", "s", "1"), b"-ERR value is not a valid float\r\n"),
        (("SET", "s", b""), OK),
        (("INCRBYFLOAT", "s", "1"), b"-ERR value is not a valid float\r\n"),
        (("SET", "s", b" 1"), OK),
        (("INCRBYFLOAT", "s", "1"), b"-ERR value is not a valid float\r\n"),
        (("SET", "s", b"1e400"), OK),
        (
            ("INCRBYFLOAT", "s", "1"),
            (
                b"$401\r\n1000000000000000000028188068394758651458645343362905203862591069"
                b"3539685534008629862039363994848324160522094053927317616200295822777259"
                b"2557340238289765933406610177974474345461739178624481166749717237789438"
                b"2439159333804747067502624668440135923751360383034373548550524495596497"
                b"9021825038280091068414947402456898653040951017512658092615827588920183"
                b"472511643316591362664138176309734806343732497430221946880\r\n"
            ),
        ),
        (("SET", "s", b"0x1p3"), OK),
        (("INCRBYFLOAT", "s", "1"), b"$1\r\n9\r\n"),
        (("SET", "s", b"1.0"), OK),
        (("INCRBYFLOAT", "s", "1"), b"$1\r\n2\r\n"),
        (("SET", "s", b"0001"), OK),
        (("INCRBYFLOAT", "s", "1"), b"$1\r\n2\r\n"),
        (("SET", "s", b"0" * 5000 + b"1"), OK),  # long, but under 5120 bytes
        (("INCRBYFLOAT", "s", "1"), b"$1\r\n2\r\n"),
        (("SET", "s", b"1" * 5119), OK),  # beyond the largest long double
        (("INCRBYFLOAT", "s", "1"), b"-ERR value is not a valid float\r\n"),
        (("SET", "s", b"1" * 5120), OK),  # too long to be read at all
        (("INCRBYFLOAT", "s", "1"), b"-ERR value is not a valid float\r\n"),
    ],
    "incrbyfloat_keeps": [
        (("SET", "k", "1", "EX", "100"), OK),
        (("INCRBYFLOAT", "k", "0.5"), bulk("1.5")),
        (("TTL", "k"), integer(100)),
        (("GET", "k"), bulk("1.5")),
        (("INCRBYFLOAT", "k", "abc"), error("ERR value is not a valid float")),
        (("SET", "big", "1.1e4932"), OK),  # finite, near the largest long double
        (("INCRBYFLOAT", "big", "1.1e4932"), NAN_OR_INFINITY),  # the sum overflows
        (("GET", "big"), bulk("1.1e4932")),
        (("INCRBYFLOAT", "x", "-inf"), NAN_OR_INFINITY),
        (("EXISTS", "x"), integer(0)),
        (("INCRBYFLOAT", "i", "5"), bulk("5")),
        (("INCR", "i"), integer(6)),
        (("XADD", "s", "1-1", "f", "v"), bulk("1-1")),
        (("INCRBYFLOAT", "s", "abc"), WRONGTYPE),  # the type before the increment
        (("INCRBYFLOAT", "k"), error("ERR wrong number of arguments for 'incrbyfloat' command")),
    ],
}


@pytest.fixture
def rawp(raw: RawClient, protocol: int) -> RawClient:
    if protocol == 3:
        assert raw.command("HELLO", "3").startswith(b"%")
    return raw


@pytest.mark.parametrize("script", sorted(STEPS))
def test_steps(rawp: RawClient, protocol: int, script: str) -> None:
    play(rawp, protocol, STEPS[script])
