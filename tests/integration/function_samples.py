"""Libraries shared by the function tests, their FUNCTION DUMP payloads as valkey-server
8.0.1 wrote them, and the replies several tests expect."""

from __future__ import annotations

from helpers import RawClient

OK = b"+OK\r\n"
NULL = {2: b"$-1\r\n", 3: b"_\r\n"}

MYLIB = (
    "#!lua name=mylib\nserver.register_function('myfunc', function(keys, args) return "
    "args[1] end)"
)
FLAGGED = (
    "#!lua name=flagged\nserver.register_function{function_name='reader', callback="
    "function(keys) return server.call('get', keys[1]) end, flags={'no-writes', "
    "'allow-stale'}, description='reads a key'}"
)
LONGLIB = "#!lua name=longlib\n" + "".join(
    f"server.register_function('f{i}', function() return {i} end)\n" for i in range(8)
)

# valkey-server 8.0.1: FUNCTION LOAD <MYLIB>; FUNCTION DUMP
MYLIB_DUMP = bytes.fromhex(
    "f5c34057405c1f23216c7561206e616d653d6d796c69620a7365727665722e72656769737465720c5f6675"
    "6e6374696f6e28276d79400b02272c2040066012116b6579732c2061726773292072657475726e600c075b"
    "315d20656e64290b00494ed816c98392d5"
)
# valkey-server 8.0.1: FUNCTION LOAD <FLAGGED>; FUNCTION DUMP
FLAGGED_DUMP = bytes.fromhex(
    "f5c340a940c21f23216c7561206e616d653d666c61676765640a7365727665722e7265676973740b65725f"
    "66756e6374696f6e7bc008005f602e1227726561646572272c2063616c6c6261636b3dc0200d286b657973"
    "292072657475726e20a04f40250428276765742031401f095b315d2920656e642c2040780c733d7b276e6f"
    "2d777269746573202100272053126f772d7374616c65277d2c20646573637269704087807902732061404601"
    "277d0b00dedca1839c817ea8"
)
# valkey-server 8.0.1: FUNCTION LOAD <LONGLIB>; FUNCTION DUMP
LONGLIB_DUMP = bytes.fromhex(
    "f5c3409241d31f23216c7561206e616d653d6c6f6e676c69620a7365727665722e7265676973741165725f"
    "66756e6374696f6e28276630272c20e0000e0e292072657475726e203020656e6429e013370031e00c3700"
    "31e018370032e00c370032e018370033e00c370033e018370034e00c370034e018370035e00c370035e018"
    "370036e00c370036e018370037e00c370037403701290a0b0084b332e9788ae07f"
)
# valkey-server 8.0.1: FUNCTION LOAD <FLAGGED>; FUNCTION LOAD <MYLIB>; FUNCTION DUMP
TWO_DUMP = bytes.fromhex(
    "f5c340a940c21f23216c7561206e616d653d666c61676765640a7365727665722e7265676973740b65725f"
    "66756e6374696f6e7bc008005f602e1227726561646572272c2063616c6c6261636b3dc0200d286b657973"
    "292072657475726e20a04f40250428276765742031401f095b315d2920656e642c2040780c733d7b276e6f"
    "2d777269746573202100272053126f772d7374616c65277d2c20646573637269704087807902732061404601"
    "277df5c34057405c1f23216c7561206e616d653d6d796c69620a7365727665722e72656769737465720c5f"
    "66756e6374696f6e28276d79400b02272c2040066012116b6579732c2061726773292072657475726e600c"
    "075b315d20656e64290b00aee2b0dcf2faf57e"
)

FLAGGED_LIST = {
    2: b"*1\r\n*6\r\n$12\r\nlibrary_name\r\n$7\r\nflagged\r\n$6\r\nengine\r\n$3\r\nLUA\r\n"
    b"$9\r\nfunctions\r\n*1\r\n*6\r\n$4\r\nname\r\n$6\r\nreader\r\n$11\r\ndescription\r\n"
    b"$11\r\nreads a key\r\n$5\r\nflags\r\n*2\r\n+no-writes\r\n+allow-stale\r\n",
    3: b"*1\r\n%3\r\n$12\r\nlibrary_name\r\n$7\r\nflagged\r\n$6\r\nengine\r\n$3\r\nLUA\r\n"
    b"$9\r\nfunctions\r\n*1\r\n%3\r\n$4\r\nname\r\n$6\r\nreader\r\n$11\r\ndescription\r\n"
    b"$11\r\nreads a key\r\n$5\r\nflags\r\n~2\r\n+no-writes\r\n+allow-stale\r\n",
}
MYLIB_LIST = {
    2: b"*1\r\n*6\r\n$12\r\nlibrary_name\r\n$5\r\nmylib\r\n$6\r\nengine\r\n$3\r\nLUA\r\n"
    b"$9\r\nfunctions\r\n*1\r\n*6\r\n$4\r\nname\r\n$6\r\nmyfunc\r\n$11\r\ndescription\r\n"
    b"$-1\r\n$5\r\nflags\r\n*0\r\n",
    3: b"*1\r\n%3\r\n$12\r\nlibrary_name\r\n$5\r\nmylib\r\n$6\r\nengine\r\n$3\r\nLUA\r\n"
    b"$9\r\nfunctions\r\n*1\r\n%3\r\n$4\r\nname\r\n$6\r\nmyfunc\r\n$11\r\ndescription\r\n"
    b"_\r\n$5\r\nflags\r\n~0\r\n",
}


def bulk(text: bytes) -> bytes:
    return b"$%d\r\n%s\r\n" % (len(text), text)


def stats_reply(protocol: int, libraries: int, functions: int) -> bytes:
    if protocol == 2:
        return (
            b"*4\r\n$14\r\nrunning_script\r\n$-1\r\n$7\r\nengines\r\n*2\r\n$3\r\nLUA\r\n"
            b"*4\r\n$15\r\nlibraries_count\r\n:%d\r\n$15\r\nfunctions_count\r\n:%d\r\n"
        ) % (libraries, functions)
    return (
        b"%%2\r\n$14\r\nrunning_script\r\n_\r\n$7\r\nengines\r\n%%1\r\n$3\r\nLUA\r\n"
        b"%%2\r\n$15\r\nlibraries_count\r\n:%d\r\n$15\r\nfunctions_count\r\n:%d\r\n"
    ) % (libraries, functions)


def info_fields(client: RawClient, section: str) -> dict[str, str]:
    text = client.command("INFO", section).split(b"\r\n", 1)[1].decode()
    return dict(line.split(":", 1) for line in text.split("\r\n") if ":" in line)
