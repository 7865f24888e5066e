"""FUNCTION DUMP and FUNCTION RESTORE payloads, in Valkey 8.0.1's format.

A payload is one record per library, then the DUMP footer (``rdb.payload``: the RDB
version, 2 bytes little endian, and the CRC-64 of everything before it, 8 bytes
little endian). A record is the opcode byte 245 (RDB_OPCODE_FUNCTION2) followed by
the library's code as an RDB string (``rdb.io``: an integer encoding, LZF when
compression is on and pays, else the length and the bytes). Nothing else is
stored: names, functions and flags are rebuilt by loading the code again.

Reading follows FUNCTION RESTORE step by step, so each failure answers Valkey's
error text (``FunctionPayloadError.text``):

- the footer first (fewer than 10 bytes, a version past 11, a CRC that does not
  match): ``ERR DUMP payload version or checksum are wrong``;
- then records while more than 10 bytes are left (a record may run into the
  footer's bytes, as Valkey reads from the whole buffer): opcode 246 (the 7.0
  release candidates' format) is ``ERR Pre-GA function format not supported``,
  any other byte than 245 ``ERR given type is not a function``, and a code string
  that cannot be read (cut short, a bad length or string encoding, LZF that does not
  decompress to its announced size) ``ERR Failed loading library payload``.

Valkey creates each library as soon as its record is read, so a library's own error
(bad metadata, a compile error, a name met twice) wins over a malformed record
after it; ``records`` yields the codes one at a time for a caller that does the
same, ``load`` answers them all. The order of the records is the caller's: Valkey
writes libraries in its hash table's order (seeded at random per process), and
``dump`` writes the codes in the order given.

Invariant: no imports beyond ``rdb`` and ``errors``; loading raises nothing but
``FunctionPayloadError``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..errors import CommandError
from ..rdb import RDB_VERSION, RdbError, check_footer
from ..rdb.crc64 import crc64
from ..rdb.io import Reader, Writer

OPCODE_FUNCTION = 245  # RDB_OPCODE_FUNCTION2: a library's code
OPCODE_FUNCTION_PRE_GA = 246  # the 7.0 release candidates' record, refused
FOOTER_SIZE = 10

BAD_FOOTER = "ERR DUMP payload version or checksum are wrong"
PRE_GA_FORMAT = "ERR Pre-GA function format not supported"
NOT_A_FUNCTION = "ERR given type is not a function"
BAD_LIBRARY_PAYLOAD = "ERR Failed loading library payload"


class FunctionPayloadError(CommandError):
    """A FUNCTION RESTORE payload refused; ``text`` is the error reply, prefix included."""


def dump(codes: Iterable[bytes], compress: bool = True) -> bytes:
    """The FUNCTION DUMP payload of the libraries' codes, in the order given
    (``compress``: the ``rdbcompression`` setting)."""
    writer = Writer(compress)
    for code in codes:
        writer.byte(OPCODE_FUNCTION)
        writer.string(code)
    out = writer.out
    out += RDB_VERSION.to_bytes(2, "little")
    out += crc64(out).to_bytes(8, "little")
    return bytes(out)


def records(payload: bytes) -> Iterator[bytes]:
    """The libraries' codes one by one, in payload order. The footer is checked
    before this returns; a malformed record raises when the iteration reaches it."""
    if not check_footer(payload):
        raise FunctionPayloadError(BAD_FOOTER)
    return _read_records(payload)


def _read_records(payload: bytes) -> Iterator[bytes]:
    reader = Reader(payload)
    end = len(payload)
    while end - reader.pos > FOOTER_SIZE:
        opcode = reader.byte()
        if opcode == OPCODE_FUNCTION_PRE_GA:
            raise FunctionPayloadError(PRE_GA_FORMAT)
        if opcode != OPCODE_FUNCTION:
            raise FunctionPayloadError(NOT_A_FUNCTION)
        try:
            code = reader.string()
        except RdbError:
            raise FunctionPayloadError(BAD_LIBRARY_PAYLOAD) from None
        yield code


def load(payload: bytes) -> list[bytes]:
    """Every library's code in the payload, in payload order."""
    return list(records(payload))
