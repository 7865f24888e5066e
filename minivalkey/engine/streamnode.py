"""A stream's node: a bounded run of consecutive entries, shaped like Valkey's listpack.

A node stores its entry IDs in two ``array('Q')`` (ms and seq) and one byte of flags
per entry (``DELETED``, ``SAMEFIELDS``), and each entry as the exact RESP bytes of
its reply, ``*2`` [ID bulk, field array], all concatenated in one ``bytearray`` with
their offsets, so a read only slices stored bytes.

Invariants:
* Entries are appended to a node in ID order and never change; a deleted entry
  stays as a tombstone flag until the whole node goes.
* The node's listpack byte size follows Valkey's encoding model (``_element_size``,
  with the master entry as the base of the ID deltas), so node boundaries match
  Valkey's exactly (see ``stream``).
* Sealing drops spare capacity; ``pack_sealed_nodes`` (the shell's cron) compresses
  a sealed node's bytes when that saves a quarter or more, and reading one unpacks
  it into a small per-process cache of recently read nodes. A node is only ever
  touched by the thread of the event loop that owns its server.
"""

from __future__ import annotations

import threading
import time
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Callable

from ..resp import encode
from .streamid import U64

DELETED = 1
SAMEFIELDS = 2

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
MAX_NODE_BYTES = 2**30


def _pack_fields_resp(pairs: list[bytes]) -> bytes:
    """The RESP array of bulk strings of ``pairs``."""
    return encode(pairs)


_pack_fields: Callable[[list[bytes]], bytes] = _pack_fields_resp
try:  # hiredis builds the same bytes in C
    from hiredis import pack_command as _pack_command

    def _pack_fields_hiredis(pairs: list[bytes]) -> bytes:
        return _pack_command(tuple(pairs))  # type: ignore[arg-type]

    _pack_fields = _pack_fields_hiredis
except ImportError:  # pragma: no cover - hiredis is optional
    pass

# Sealed nodes up to this size are compressed (a node of one huge entry is left alone).
_COMPRESS_MAX_BYTES = 256 * 1024
# At most this many sealed nodes wait for compression (see ``pack_sealed_nodes``).
_PACK_QUEUE_MAX = 100_000

# An entry of one field: [ID, [field, value]].
_ONE_FIELD_ENTRY = b"*2\r\n$%d\r\n%b\r\n*2\r\n$%d\r\n%b\r\n$%d\r\n%b\r\n"

# Flag bytes of a live entry (with or without SAMEFIELDS), for bytearray.find.
_LIVE = (b"\x00", b"\x02")


# -- the listpack size model ---------------------------------------------------------


def _int_element_size(value: int) -> int:
    """Bytes a listpack spends on an integer element (encoding plus back-length)."""
    if 0 <= value <= 127:
        return 2
    if -4096 <= value <= 4095:
        return 3
    if -32768 <= value <= 32767:
        return 4
    if -8388608 <= value <= 8388607:
        return 5
    if -2147483648 <= value <= 2147483647:
        return 6
    return 10


def _backlen_size(encoded: int) -> int:
    if encoded <= 127:
        return 1
    if encoded < 16383:
        return 2
    if encoded < 2097151:
        return 3
    if encoded < 268435455:
        return 4
    return 5


def _element_size(raw: bytes) -> int:
    """Bytes a listpack spends on a string element (stored as an integer when it is one).

    A string is stored as an integer when it is the canonical decimal form of an
    int64 (``0``, or an optional ``-`` then a digit 1-9 and digits, 20 bytes at most).
    """
    size = len(raw)
    if 0 < size <= 20:
        first = raw[0]
        if 0x31 <= first <= 0x39:
            if raw.isdigit():
                value = int(raw)
                if value <= _INT64_MAX:
                    return _int_element_size(value)
        elif first == 0x30:
            if size == 1:
                return 2
        elif first == 0x2D and size > 1 and 0x31 <= raw[1] <= 0x39 and raw[1:].isdigit():
            value = int(raw)
            if value >= _INT64_MIN:
                return _int_element_size(value)
    if size < 64:
        return size + 2  # one length byte, one back-length byte
    encoded = size + (2 if size < 4096 else 5)
    return encoded + _backlen_size(encoded)


def _signed(value: int) -> int:
    """A 64-bit difference read as Valkey stores it: two's complement int64."""
    value &= U64
    return value - 2**64 if value > _INT64_MAX else value


class _UnpackedCache:
    """The entries of recently read compressed nodes, so hot reads stay slices.

    At most ``max_bytes`` of unpacked entries, the oldest unpacked going first (a
    stream of about 100,000 small entries fits whole); shared by every stream of
    the process (a lock keeps embedded servers on several threads safe).
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self.blobs: dict[Node, bytes] = {}
        self.lock = threading.Lock()

    def get(self, node: Node) -> bytes:
        blob = self.blobs.get(node)  # one dict lookup is atomic: no lock for a hit
        if blob is not None:
            return blob
        with self.lock:
            blob = self.blobs.get(node)
            if blob is None:
                assert node.packed is not None
                blob = zlib.decompress(node.packed)
                while self.blobs and self.bytes + len(blob) > self.max_bytes:
                    self.bytes -= len(self.blobs.pop(next(iter(self.blobs))))
                self.blobs[node] = blob
                self.bytes += len(blob)
            return blob

    def forget(self, node: Node) -> None:
        with self.lock:
            blob = self.blobs.pop(node, None)
            if blob is not None:
                self.bytes -= len(blob)


class Node:
    """One run of entries, like a Valkey listpack: see the module docstring."""

    __slots__ = (
        "master_fields",
        "ms",
        "seq",
        "flags",
        "offsets",
        "blob",
        "packed",
        "count",
        "fixed_bytes",
        "entry_bytes",
    )

    def __init__(self, master_fields: list[bytes]) -> None:
        self.master_fields = master_fields
        self.ms = array("Q")
        self.seq = array("I")  # widened to "Q" by the first sequence above 2**32 - 1
        self.flags = bytearray()
        # entry i is blob[offsets[i]:offsets[i + 1]]; widened to "Q" past 4 GiB
        self.offsets = array("I", [0])
        # bytearray while the node is the tail; bytes once sealed, or None when sealing
        # compressed it into ``packed`` (see ``seal`` and ``entries``)
        self.blob: bytes | bytearray | None = bytearray()
        self.packed: bytes | None = None
        self.count = 0  # live entries
        # header, terminator, master field count and names, master terminator
        self.fixed_bytes = (
            7
            + _int_element_size(len(master_fields))
            + sum(_element_size(field) for field in master_fields)
            + _int_element_size(0)
        )
        self.entry_bytes = 0

    @property
    def deleted(self) -> int:
        """Tombstones: stored entries that are no longer live."""
        return len(self.flags) - self.count

    @property
    def size(self) -> int:
        """The listpack's byte size in Valkey, which decides where nodes split."""
        if len(self.flags) <= 127:  # both counts are small: 2 bytes each
            return self.fixed_bytes + 4 + self.entry_bytes
        return (
            self.fixed_bytes
            + _int_element_size(self.count)
            + _int_element_size(self.deleted)
            + self.entry_bytes
        )

    def __len__(self) -> int:
        return len(self.flags)

    def ids_between(self, start: int, stop: int) -> list[int]:
        """The IDs of the stored entries ``start`` to ``stop - 1``."""
        ms = self.ms
        if stop > start and ms[start] == ms[stop - 1]:  # the usual run: one millisecond
            high = ms[start] << 64
            return [high | low for low in self.seq[start:stop]]
        run = zip(ms[start:stop], self.seq[start:stop], strict=True)
        return [(high << 64) | low for high, low in run]

    def id_at(self, index: int) -> int:
        return (self.ms[index] << 64) | self.seq[index]

    def last_id(self) -> int:
        """The ID of the last stored entry, live or not (MINID trimming looks at it)."""
        return (self.ms[-1] << 64) | self.seq[-1]

    def entry_at(self, index: int) -> bytes:
        """Entry ``index``'s whole reply, ``*2`` [ID, fields]."""
        return bytes(self.entries()[self.offsets[index] : self.offsets[index + 1]])

    def is_live(self, index: int) -> bool:
        return not self.flags[index] & DELETED

    def search(self, stream_id: int) -> int:
        """Index of the first stored entry with ID >= ``stream_id`` (may be ``len``).

        IDs ascend, so the ms array is sorted and, within one ms, so is the seq
        array: two C bisects, no Python loop.
        """
        ms = stream_id >> 64
        low = bisect_left(self.ms, ms)
        if low == len(self.ms) or self.ms[low] != ms:
            return low
        return bisect_left(self.seq, stream_id & U64, low, bisect_right(self.ms, ms, low))

    def append(self, stream_id: int, pairs: list[bytes]) -> bytes:
        """Store an entry after the others; answers its ID as text (``ms-seq``)."""
        ms, seq = stream_id >> 64, stream_id & U64
        # ID deltas from the master entry (the first stored one), stored as int64
        # (small ones take 2 bytes); the master entry's own deltas are 0.
        if self.flags:
            ms_delta, seq_delta = ms - self.ms[0], seq - self.seq[0]
            cost = 4 if 0 <= ms_delta <= 127 else 2 + _int_element_size(_signed(ms_delta))
            cost += 2 if 0 <= seq_delta <= 127 else _int_element_size(_signed(seq_delta))
        else:
            cost = 6
        for value in pairs[1::2]:
            size = len(value)
            # Most values cannot be integers (first byte not a digit or "-"): inline.
            if size < 64 and (not size or not 0x2D <= value[0] <= 0x39):
                cost += size + 2
            else:
                cost += _element_size(value)
        fields = pairs[0::2]
        if fields == self.master_fields:
            flag = SAMEFIELDS
            cost += _int_element_size(len(fields) + 3)
        else:
            flag = 0
            cost += _int_element_size(len(fields)) + _int_element_size(2 * len(fields) + 4)
            for field in fields:
                cost += _element_size(field)
        self.entry_bytes += cost
        self.ms.append(ms)
        if seq > 0xFFFFFFFF and self.seq.typecode == "I":
            self.seq = array("Q", self.seq)
        self.seq.append(seq)
        self.flags.append(flag)
        text = b"%d-%d" % (ms, seq)
        blob = self.blob
        if type(blob) is not bytearray:  # a sealed node became the tail again
            blob = self.blob = bytearray(self.entries())
            self.packed = None
            _UNPACKED.forget(self)
        if len(pairs) == 2:  # one field (as FastStream sends): the entry in one format
            field, value = pairs
            blob += _ONE_FIELD_ENTRY % (len(text), text, len(field), field, len(value), value)
        else:
            blob += b"*2\r\n$%d\r\n%b\r\n" % (len(text), text)
            blob += _pack_fields(pairs)
        end = len(blob)
        if end > 0xFFFFFFFF and self.offsets.typecode == "I":
            self.offsets = array("Q", self.offsets)
        self.offsets.append(end)
        self.count += 1
        return text

    def seal(self) -> None:
        """The node stops being the tail: store its entries without spare capacity, and
        queue it for ``pack_sealed_nodes``, which compresses it later, off the XADD path."""
        if type(self.blob) is bytearray:
            self.blob = bytes(self.blob)
            queue = _pack_queue()
            # A queue that falls behind (or a thread that never packs) stops growing:
            # nodes past the bound just stay uncompressed.
            if len(self.blob) <= _COMPRESS_MAX_BYTES and len(queue) < _PACK_QUEUE_MAX:
                queue.append(self)
        self.ms = array(self.ms.typecode, self.ms)
        self.seq = array(self.seq.typecode, self.seq)
        self.offsets = array(self.offsets.typecode, self.offsets)
        self.flags = bytearray(self.flags)

    def pack(self) -> None:
        """Compress a sealed node's entries when that saves at least a quarter (reads
        then go through the cache of ``entries``)."""
        blob = self.blob
        if type(blob) is not bytes:  # not sealed any more, or packed already
            return
        packed = zlib.compress(blob, 1)
        if len(packed) * 4 <= len(blob) * 3:
            self.packed = packed
            self.blob = None

    def entries(self) -> bytes | bytearray:
        """The node's entry replies, concatenated (entry i at ``offsets[i]``)."""
        blob = self.blob
        if blob is not None:
            return blob
        return _UNPACKED.get(self)

    def mark_deleted(self, index: int) -> None:
        self.flags[index] |= DELETED
        self.count -= 1

    def last_live_index(self) -> int:
        """Index of the last live entry, -1 when there is none."""
        if self.count == len(self.flags):
            return self.count - 1
        return max(self.flags.rfind(_LIVE[0]), self.flags.rfind(_LIVE[1]))

    def first_live_index(self) -> int:
        """Index of the first live entry, -1 when there is none."""
        if not self.count:
            return -1
        if self.count == len(self.flags):
            return 0
        plain, same = self.flags.find(_LIVE[0]), self.flags.find(_LIVE[1])
        if plain < 0 or same < 0:
            return max(plain, same)
        return min(plain, same)

    def copy(self) -> Node:
        clone = Node.__new__(Node)
        clone.master_fields = self.master_fields
        clone.ms = array(self.ms.typecode, self.ms)
        clone.seq = array(self.seq.typecode, self.seq)
        clone.flags = bytearray(self.flags)
        clone.offsets = array(self.offsets.typecode, self.offsets)
        clone.blob = bytearray(self.blob) if type(self.blob) is bytearray else self.blob
        clone.packed = self.packed
        clone.count = self.count
        clone.fixed_bytes = self.fixed_bytes
        clone.entry_bytes = self.entry_bytes
        return clone


_UNPACKED = _UnpackedCache(16 * 1024 * 1024)

# Nodes sealed and not yet compressed, per thread: each server's engine runs on the
# thread of its event loop, whose cron packs them, so a node is only ever touched by
# the thread that owns it.
_SEALED = threading.local()


def _pack_queue() -> deque[Node]:
    queue: deque[Node] | None = getattr(_SEALED, "queue", None)
    if queue is None:
        queue = _SEALED.queue = deque()
    return queue


def pack_sealed_nodes(budget_ns: int | None = None) -> int:
    """Compress the nodes this thread sealed, oldest first, until none is left or
    ``budget_ns`` (None: no limit) is spent; answers how many are still waiting."""
    queue = _pack_queue()
    deadline = None if budget_ns is None else time.perf_counter_ns() + budget_ns
    while queue:
        queue.popleft().pack()
        if deadline is not None and time.perf_counter_ns() >= deadline:
            break
    return len(queue)
