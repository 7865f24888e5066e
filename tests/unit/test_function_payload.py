"""FUNCTION DUMP / RESTORE payloads (``scripting.fdump``): payloads DUMPed by
valkey-server 8.0.1 load to the libraries' codes and are written back byte for byte,
and every malformed payload answers FUNCTION RESTORE's error text (each case below
was sent to valkey-server once, with the reply noted)."""

from __future__ import annotations

import pytest

from minivalkey.errors import CommandError
from minivalkey.rdb.crc64 import crc64
from minivalkey.scripting import fdump
from minivalkey.scripting.fdump import (
    BAD_FOOTER,
    BAD_LIBRARY_PAYLOAD,
    NOT_A_FUNCTION,
    PRE_GA_FORMAT,
    FunctionPayloadError,
)

LIB1 = b"#!lua name=lib1\nredis.register_function('f1', function() return 1 end)"
LIB2 = b"#!lua name=lib2\n" + b"".join(
    b"redis.register_function('func%d', function(keys, args) "
    b"return redis.call('get', keys[1]) end)\n" % i
    for i in range(4)
)
BIG = b"#!lua name=big\nlocal t = {}\n" + b"".join(
    b"redis.register_function{function_name='f%04d', callback=function(keys, args) "
    b"return {%d, #keys, args[1]} end, flags={'no-writes', 'allow-stale'}}\n"
    % (i, i * 7919 % 100003)
    for i in range(180)
)
ALPHA = b"#!lua name=alpha\nredis.register_function('a', function() return 'a' end)"
BETA = (
    b"#!lua name=beta\nredis.register_function{function_name='b', "
    b"callback=function() return 2 end, flags={'no-writes'}}"
)
GAMMA = b"#!lua name=gamma\nredis.register_function('g', function(keys, args) return #keys end)"
DELTA = (
    b"#!lua name=delta\n-- \xc3\xa9t\xc3\xa9 \xff\x01\n"
    b"redis.register_function('d', function() return redis.status_reply('OK') end)"
)

# -- payloads DUMPed by valkey-server 8.0.1 ----------------------------------------------------
# EMPTY: no library. PLAIN: LIB1 (70 bytes LZF cannot shrink by 4, stored as they are).
# LZF: LIB2 (388 bytes, compressed). LZF_OFF: LIB2 under ``rdbcompression no``.
# LONG: BIG (26823 bytes: the original length takes the 32-bit form).
# FOUR: ALPHA, BETA, GAMMA, DELTA loaded in that order; the server wrote them in its
# hash table's order, DELTA, GAMMA, BETA, ALPHA.

EMPTY = bytes.fromhex("0b003444e133f2e04b53")
PLAIN = bytes.fromhex(
    "f5404623216c7561206e616d653d6c6962310a72656469732e72656769737465725f66756e6374696f6e28276631"
    "272c2066756e6374696f6e28292072657475726e203120656e64290b00f125fee80d384c2b"
)
LZF = bytes.fromhex(
    "f5c3407c41841f23216c7561206e616d653d6c6962320a72656469732e72656769737465725f6608756e6374696f"
    "6e282740090330272c2040076011116b6579732c2061726773292072657475726e2006403c0863616c6c28276765"
    "74202d4024085b315d2920656e6429e0155c0031202ee0505c0032e0535c0033e0345c01290a0b006a2cb3f0a30c"
    "9766"
)
LZF_OFF = bytes.fromhex(
    "f5418423216c7561206e616d653d6c6962320a72656469732e72656769737465725f66756e6374696f6e28276675"
    "6e6330272c2066756e6374696f6e286b6579732c2061726773292072657475726e2072656469732e63616c6c2827"
    "676574272c206b6579735b315d2920656e64290a72656469732e72656769737465725f66756e6374696f6e282766"
    "756e6331272c2066756e6374696f6e286b6579732c2061726773292072657475726e2072656469732e63616c6c28"
    "27676574272c206b6579735b315d2920656e64290a72656469732e72656769737465725f66756e6374696f6e2827"
    "66756e6332272c2066756e6374696f6e286b6579732c2061726773292072657475726e2072656469732e63616c6c"
    "2827676574272c206b6579735b315d2920656e64290a72656469732e72656769737465725f66756e6374696f6e28"
    "2766756e6333272c2066756e6374696f6e286b6579732c2061726773292072657475726e2072656469732e63616c"
    "6c2827676574272c206b6579735b315d2920656e64290a0b00ee9d5bdf0cbc0f3b"
)
LONG = bytes.fromhex(
    "f5c3494780000068c71f23216c7561206e616d653d6269670a6c6f63616c2074203d207b7d0a7265646913732e72"
    "656769737465725f66756e6374696f6e7bc008005f603602276630200002272c202039056c6261636b3dc01f1828"
    "6b6579732c2061726773292072657475726e207b302c2023e001171a5b315d7d20656e642c20666c6167733d7b27"
    "6e6f2d777269746573205100272051096f772d7374616c65277de024900031203ee01d900337393139e05d930032"
    "e02093043135383338e05d940033e02094043233373537e05d940034e02094043331363736e05d940035e0219403"
    "39353935e05d940036e02094043437353134e05d940037e02094043535343333e05d940038e02094043633333532"
    "e05d940039e02094043731323731e05c940031e521cc453be55dd00031e521d00338373130e55dd10031e521d103"
    "39353032e55dd10031e522d1013934e45d110031e521d00331303836e45d110031e521d00331383738e45d110031"
    "e521d00332363730e45e11e521d00333343632e45e11e521d00334323533e45e11e521d00335303435e45d110032"
    "e521d02a770037e95de30032e521d00336363239e95de30032e521d00337343231e95de30032e521d00338323133"
    "e55dd10032e521d100392b3ae55dd10032e521d10339373937e55dd10032e521d102353838e45e11e521d0033133"
    "3830e45e11e521d00332313732e45e11e521d024a40034e45d110033e521d02fb30036e45d110033e521d0033435"
    "3438e45d110033e521d00335333430e45d110033e521d00336313332e95de30033e521d00336393234e95de30033"
    "e521d00337373135e95de30033e521d00338353037e55dd10033e521d10339323939e55dd10033e521d1013931e4"
    "5e10e521cf02383833e45d0f0034e521ce34ed0035e45d0f0034e521ce0132342e89f25c9a0034e521ce03333235"
    "38e45d0f0034e521ce0334303530e45d0f0034e521ce0334383432e45d0f0034e521ce0135363049e25d53e521ce"
    "0336343236e95de10034e521ce0337323138e95de10034e521ce00383645e55dd00034e523d02fe0e25c530035e5"
    "21d13a2a0034e55dd10035e521d1013338fb5ee90035e521d002313137fb5ee90035e521d002313936fb5ee90035"
    "e521d002323736fb5ee90035e521d002333535fb5ee90035e521d002343334fb5ee90035e521d002353133fb5ee9"
    "0035e521d000352c35e95de30035e521d002363732fb5ee90036e521d02ba0fb5ee90036e521d00138332852e65c"
    "fa0036e521d10339303936e95de30036e521d100393583e95de30036e521d10036294fe15dbde521d0013134237d"
    "e05d94e521d002323236fb5ee90036e521d000332727ed5df50036e521d002333834fb5ee90036e521d0003421bd"
    "e45d110037e521d002353433fb5ee90037e521d002363232fb5ee90037e521d002373031fb5ee90037e521d00037"
    "3abfed5df50037e521d00338353939e55dd10037e521d10339333931e55dd10037e521d1013138fb5ee90037e521"
    "d0013937fb5ee80037e521cf02313736fb5ee80037e521cf003226f8f25d060038e521cf02333335fb5ee80038e5"
    "21cf02343134fb5ee80038e521cf0134393d13e95ce20038e521cf02353732fb5ee80038e521cf02363531fb5ee8"
    "0038e521cf02373330fb5ee80038e521cf0338313031e95de20038e521d00338383933ed5df40038e521d1033936"
    "3835f75dd80038e521d12c34e45d110039e521d002313236fb5eea0039e521d000323233ed5df40039e521d00232"
    "3835fb5eea0039e521d002333634fb5eea0039e521d002343433fb5eea0039e521d002353232fb5eea0039e521d0"
    "02363032fb5eea0039e521d002363831fb5eea0039e521d002373630fb5eea0039e521d000383171e55cd1013130"
    "e521d1043931383739ea5b78288c1f272c2063616c6c6261636b3d66756e6374696f6e286b6579732c2061726773"
    "29062072657475726e209402393739e55cd1013130e521d1013737fb5dea3fcee1202802313536fb5dea013130e5"
    "21d000323c80f25c06013130e521d000333744f25c06013130e521d000333207e45e11e521d000344ccce45d11e5"
    "21d02251fb5dea013130e521d000364254e15c290031e521d000372280ed5cf5013131e521d002373839fb5dea01"
    "3131e521d00338363930ed5cf5013131e521d10339343832f35cc7013131e522d10037fb5dea013131e521d022e6"
    "fb5dea013131e521d002313835fb5dea013131e521d002323634fb5dea013131e521d002333434fb5dea013131e5"
    "21d002343233fb5dea013132e521d03742fb5dea013132e521d002353831fb5dea2e5ceb200d0136363236e75c8f"
    "0032e521d00137342853e05d94e521d00338313932e95de30032e521d128230034ed5df50032e521d10339373736"
    "e95de30032e521d1013536fb5deb013132e521d0013133329ee25de7e521d002323135fb5deb013133e521d00232"
    "3934fb5deb013133e521d002333733fb5deb013133e521d000343743e45d110033e521d002353331fb5deb013133"
    "e521d000362d8ded5df50033e521d02d5ffb5deb247be8202402373639fb5deb013133e521d026f80037ed5df500"
    "33e521d10339323739e55dd10033e521d10037fb5dea013134e521cf013836fb5de9013134e521ce02313635fb5d"
    "e9013134e521ce00323c7dff5cfb013134e521ce02333233fb5de9013134e521ce02343033fb5de9013134e521ce"
    "3299fb5de9013134e521ce0135362316ea5c760034e521ce02363430fb5ee90034e521ce003728b6ed5df30034e5"
    "22ce00392df5e15cbe0035e522d0003730dde05d94e521d10339353733e95de10035e521d1013336fb5ee90035e5"
    "21d03644fb5ee90035e521d002313934fb5ee90035e521d00032329be45d110035e521d002333533fb5ee90035e5"
    "21d002343332fb5ee90035e521d000352df2e45e11e521d002353930fb5ee90036e521d002363730fb5ee90036e5"
    "21d002373439fb5ee90036e521d00338323834ed5df30036e521d10339303736e95de30036e521d10339383638f7"
    "5dd70036e521d1013635fb5ee90036e521d02c62fb5ee90036e521d002323234fb5ee90036e521d02df3fb5ee900"
    "36e521d002333832fb5ee90037e521d002343631fb5ee90037e521d002353431fb5ee90037e521d002363230fb5e"
    "e90037e521d002363939fb5ee90037e521d002373738fb5ee90037e521d00138352095ee5c8a0037e521d1033933"
    "3730f35dc70037e521d128e5e85d230037e521d03869e85d220037e521cf2312fb32e8017d0a0b002d250e46189e"
    "0416"
)
FOUR = bytes.fromhex(
    "f5c3406440691f23216c7561206e616d653d64656c74610a2d2d20c3a974c3a920ff010a7265641969732e726567"
    "69737465725f66756e6374696f6e282764272c20e0000d07292072657475726e2006402e167374617475735f7265"
    "706c7928274f4b272920656e6429f5405423216c7561206e616d653d67616d6d610a72656469732e726567697374"
    "65725f66756e6374696f6e282767272c2066756e6374696f6e286b6579732c2061726773292072657475726e2023"
    "6b65797320656e6429f5c3406840711f23216c7561206e616d653d626574610a72656469732e7265676973746572"
    "5f6607756e6374696f6e7bc008005f602a0d2762272c2063616c6c6261636b3dc01b1f28292072657475726e2032"
    "20656e642c20666c6167733d7b276e6f2d77726974046573277d7df5404823216c7561206e616d653d616c706861"
    "0a72656469732e72656769737465725f66756e6374696f6e282761272c2066756e6374696f6e2829207265747572"
    "6e2027612720656e64290b00f6366c2f490f06d5"
)


def _footer(body: bytes, version: int = 11) -> bytes:
    """``body`` with a DUMP footer: the version and the CRC-64 of all before the CRC."""
    data = body + version.to_bytes(2, "little")
    return data + crc64(data).to_bytes(8, "little")


def _record(code: bytes) -> bytes:
    """One library record with the code's length in one byte or two (as Valkey writes them)."""
    size = len(code)
    length = bytes((size,)) if size < 64 else bytes((0x40 | size >> 8, size & 0xFF))
    return b"\xf5" + length + code


def _refusal(payload: bytes) -> str:
    with pytest.raises(FunctionPayloadError) as caught:
        fdump.load(payload)
    return caught.value.text


# -- golden payloads ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "codes", "compress"),
    [
        (EMPTY, [], True),
        (PLAIN, [LIB1], True),
        (LZF, [LIB2], True),
        (LZF_OFF, [LIB2], False),
        (LONG, [BIG], True),
        (FOUR, [DELTA, GAMMA, BETA, ALPHA], True),
    ],
    ids=["empty", "plain", "lzf", "lzf-off", "long", "four"],
)
def test_valkey_payloads_load_and_dump_back(
    payload: bytes, codes: list[bytes], compress: bool
) -> None:
    assert fdump.load(payload) == codes
    assert list(fdump.records(payload)) == codes
    assert fdump.dump(codes, compress) == payload


def test_the_payloads_encodings_are_the_ones_expected() -> None:
    assert EMPTY == b"\x0b\x00" + crc64(b"\x0b\x00").to_bytes(8, "little")
    assert PLAIN[:3] == b"\xf5\x40\x46" and PLAIN[3:73] == LIB1
    assert LZF[:5] == b"\xf5\xc3\x40\x7c\x41" and LZF[5] == 0x84  # LZF: 124 bytes for 388
    assert LZF_OFF[:3] == b"\xf5\x41\x84" and LZF_OFF[3:391] == LIB2
    assert LONG[:9] == b"\xf5\xc3\x49\x47\x80\x00\x00\x68\xc7"  # 2375 bytes for 26823
    assert len(BIG) == 26823
    assert [FOUR[0], FOUR[1]] == [0xF5, 0xC3]  # DELTA, compressed


def test_dump_writes_the_codes_in_the_order_given() -> None:
    payload = fdump.dump([ALPHA, BETA, GAMMA, DELTA])
    assert fdump.load(payload) == [ALPHA, BETA, GAMMA, DELTA]
    assert payload != FOUR and len(payload) == len(FOUR)
    assert fdump.dump([DELTA, GAMMA, BETA, ALPHA]) == FOUR


def test_dump_of_odd_codes_round_trips() -> None:
    # integer-looking codes take an integer encoding, as rdbSaveRawString writes them
    assert fdump.dump([b"5"]) == _footer(b"\xf5\xc0\x05")
    assert fdump.dump([b"-300"]) == _footer(b"\xf5\xc1\xd4\xfe")
    assert fdump.dump([b""]) == _footer(b"\xf5\x00")
    assert fdump.dump([b"a" * 30], compress=False) == _footer(b"\xf5\x1e" + b"a" * 30)
    for codes in ([b"5", b"-300", b"", b"a" * 30, b"\x00" * 100], [bytes(range(256)) * 3]):
        assert fdump.load(fdump.dump(codes)) == codes
        assert fdump.load(fdump.dump(codes, compress=False)) == codes


def test_any_version_up_to_11_is_accepted() -> None:
    assert fdump.load(_footer(_record(LIB1), 0)) == [LIB1]
    assert fdump.load(_footer(_record(LIB1), 10)) == [LIB1]


def test_the_error_is_a_command_error() -> None:
    error = FunctionPayloadError(BAD_FOOTER)
    assert isinstance(error, CommandError)
    assert (error.text, error.prefix, str(error)) == (BAD_FOOTER, "ERR", BAD_FOOTER)


# -- refusals ----------------------------------------------------------------------------------


def test_error_texts() -> None:
    assert BAD_FOOTER == "ERR DUMP payload version or checksum are wrong"
    assert PRE_GA_FORMAT == "ERR Pre-GA function format not supported"
    assert NOT_A_FUNCTION == "ERR given type is not a function"
    assert BAD_LIBRARY_PAYLOAD == "ERR Failed loading library payload"


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        PLAIN[-9:],  # shorter than a footer
        _footer(_record(LIB1), 12),
        _footer(_record(LIB1), 0xFFFF),
        PLAIN[:-1] + bytes((PLAIN[-1] ^ 1,)),  # the CRC
        PLAIN[:10] + bytes((PLAIN[10] ^ 1,)) + PLAIN[11:],  # a byte the CRC covers
        PLAIN[:-10] + b"\x0a\x00" + PLAIN[-8:],  # the version, under the CRC
    ],
    ids=["empty", "nine-bytes", "version-12", "version-65535", "crc", "body", "version"],
)
def test_bad_footer(payload: bytes) -> None:
    assert _refusal(payload) == BAD_FOOTER
    with pytest.raises(FunctionPayloadError):
        fdump.records(payload)  # checked before the iteration starts


def test_the_pre_ga_record_is_refused() -> None:
    assert _refusal(_footer(b"\xf6\x40\x46" + LIB1)) == PRE_GA_FORMAT


@pytest.mark.parametrize(
    "body",
    [
        b"\x00\x40\x46" + LIB1,  # a string value, as DUMP writes it
        b"\xff",
        b"\xf4\x00",
        _record(LIB1) + b"\x00",  # after a good record
    ],
    ids=["string-type", "eof-opcode", "opcode-244", "after-a-record"],
)
def test_a_record_other_than_a_function(body: bytes) -> None:
    assert _refusal(_footer(body)) == NOT_A_FUNCTION


@pytest.mark.parametrize(
    "body",
    [
        b"\xf5\x40\x46" + LIB1[:20],  # the code cut short
        b"\xf5\x40\x51" + LIB1,  # one byte past the footer's end
        b"\xf5\x80\x00",  # a 32-bit length cut short
        b"\xf5\x82" + LIB1,  # no such length encoding
        b"\xf5\xc4" + LIB1,  # no such string encoding
        b"\xf5\xc3\x05\x10\x04abcde",  # LZF short of its announced size
        b"\xf5\xc3\x05\x04\x07abcde",  # LZF past its announced size
        b"\xf5\xc3\x10\x04\x04abcde",  # LZF data cut short
        _record(LIB1) + b"\xf5\x40\x46",  # a second record cut short
    ],
    ids=[
        "short-code",
        "past-the-end",
        "short-length",
        "length-encoding",
        "string-encoding",
        "lzf-short",
        "lzf-long",
        "lzf-cut",
        "second-record",
    ],
)
def test_a_code_that_cannot_be_read(body: bytes) -> None:
    assert _refusal(_footer(body)) == BAD_LIBRARY_PAYLOAD


def test_a_code_may_run_into_the_footer() -> None:
    # Valkey reads records from the whole buffer and stops once 10 bytes or fewer are
    # left: a length that reaches into the footer takes its bytes into the code (on
    # valkey-server the library then fails to compile: "ERR Error compiling function:
    # user_function:2: unexpected symbol").
    payload = _footer(b"\xf5\x40\x4b" + LIB1)
    assert payload[-10:-5] == b"\x0b\x00\x94\xc3\xed"
    assert fdump.load(payload) == [LIB1 + b"\x0b\x00\x94\xc3\xed"]
    whole = _footer(b"\xf5\x40\x50" + LIB1)
    assert fdump.load(whole) == [LIB1 + whole[-10:]]


def test_codes_are_yielded_before_a_later_record_is_read() -> None:
    # valkey-server creates each library as its record is read: these payloads answer
    # the first library's own error ("ERR Missing library metadata"), not the later
    # record's; records() lets the caller do the same.
    stream = fdump.records(_footer(b"\xf5\x05hello\xf5\x40\x46"))
    assert next(stream) == b"hello"
    with pytest.raises(FunctionPayloadError) as caught:
        next(stream)
    assert caught.value.text == BAD_LIBRARY_PAYLOAD
    # an LZF string announcing 0 bytes is empty whatever its data (lzf_decompress's
    # answer, 0, is the size expected); here the next record starts at b"e"
    stream = fdump.records(_footer(b"\xf5\xc3\x05\x00\x04abcde"))
    assert next(stream) == b""
    with pytest.raises(FunctionPayloadError) as caught:
        next(stream)
    assert caught.value.text == NOT_A_FUNCTION


def test_integer_encoded_codes_load_as_their_decimal_text() -> None:
    # valkey-server then refuses the library: "ERR Missing library metadata"
    assert fdump.load(_footer(b"\xf5\xc0\x05")) == [b"5"]
    assert fdump.load(_footer(b"\xf5\xc2\x00\x00\x00\x80")) == [b"-2147483648"]


def test_the_same_library_twice_is_left_to_the_caller() -> None:
    # valkey-server: "ERR Library 'lib1' already exists" (the payload loads into an empty
    # set of libraries that refuses a name met twice)
    assert fdump.load(_footer(_record(LIB1) * 2)) == [LIB1, LIB1]
