"""Lists: the List value, its two encodings and their conversions; its value-type spec.

A ``List`` is stored the way Valkey 8.0.1 stores it, down to the layout that decides
when its encoding changes:

* ``listpack``: one packed node (``nodes == [node]``) holding every element. Its byte
  size is tracked with the listpack entry model (``entry_size``): 7 bytes of header
  and terminator, plus per entry its encoding, data and back-length, integers in
  canonical form taking the integer encodings. Valkey converts to ``quicklist`` when a
  write would outgrow one node (``grow``), checked before the write with the raw
  lengths of the strings about to be added, as t_list.c does.
* ``quicklist``: a sequence of nodes, each a packed node (a listpack, with its byte
  size) or a plain node (one large element, its size being the element's length).
  Pushes, inserts, replacements, node splits and merges follow quicklist.c's rules
  under the list's own ``fill`` (``list-max-listpack-size`` when it became a
  quicklist, clamped to [-5, 32767]); deletions never merge. A quicklist goes back to
  ``listpack`` (``shrink``) only when it is one packed node within half of the
  current limits (t_list.c's shrinking rule).

Invariants (``check_invariants``):
* ``count`` is the number of elements, the sum of the nodes' lengths, and > 0 for
  every list stored in the keyspace (an emptied list is deleted by its command).
* A listpack list has exactly one node, packed; a quicklist has no empty node.
* A packed node's ``sz`` is ``7 + sum(entry_size(e))`` of its elements; a plain
  node holds exactly one element and ``sz`` is its length.
* Elements are immutable ``bytes``; ``copy`` shares no node or item list.
* ``compress`` (``list-compress-depth`` at conversion) is kept for COPY and state;
  node compression itself is not simulated (no reply depends on it).

This module is a leaf of the engine: no asyncio, no RESP, no command imports.
"""

from __future__ import annotations

from collections.abc import Iterator

from .strings import is_integer_text
from .types import TypeSpec, register

LISTPACK = "listpack"
QUICKLIST = "quicklist"

# Byte limits of a node for the negative fills -1 ... -5 (fills below -5 use the last).
_NEGATIVE_FILL_LIMITS = (4096, 8192, 16384, 32768, 65536)
# A node limited by a count (fill >= 0) never grows beyond this many bytes either;
# an element longer than this (or than a negative fill's limit) gets a plain node.
SIZE_SAFETY_LIMIT = 8192
# quicklist.c's allowance for the entry header when judging whether one more fits.
_ENTRY_OVERHEAD_ESTIMATE = 8
# An empty listpack: 6 bytes of header and the terminator byte.
EMPTY_LISTPACK_BYTES = 7
_FILL_MAX = (1 << 15) - 1
_COMPRESS_MAX = (1 << 16) - 1
_SIZE_MAX = 2**64 - 1
_UINT_MAX = 2**32 - 1


def _backlen_size(length: int) -> int:
    if length <= 127:
        return 1
    if length < 16383:
        return 2
    if length < 2097151:
        return 3
    if length < 268435455:
        return 4
    return 5


def entry_size(value: bytes) -> int:
    """The bytes one element takes in a listpack (encoding, data, back-length)."""
    size = len(value)
    if size < 21 and is_integer_text(value):
        number = int(value)
        if 0 <= number <= 127:
            return 2
        if -4096 <= number <= 4095:
            return 3
        if -32768 <= number <= 32767:
            return 4
        if -8388608 <= number <= 8388607:
            return 5
        if -2147483648 <= number <= 2147483647:
            return 6
        return 10
    if size < 64:
        encoded = 1 + size
    elif size < 4096:
        encoded = 2 + size
    else:
        encoded = 5 + size
    return encoded + _backlen_size(encoded)


def _negative_fill_limit(fill: int) -> int:
    return _NEGATIVE_FILL_LIMITS[min(-fill - 1, len(_NEGATIVE_FILL_LIMITS) - 1)]


def node_limits(fill: int) -> tuple[int, int]:
    """(byte limit, count limit) of one node under ``fill``; the other is unbounded."""
    if fill >= 0:
        return _SIZE_MAX, fill or 1
    return _negative_fill_limit(fill), _UINT_MAX


def exceeds_limit(fill: int, size: int, count: int) -> bool:
    """Whether a node of ``size`` bytes and ``count`` elements is too big under ``fill``."""
    if fill < 0:
        return size > _negative_fill_limit(fill)
    return size > SIZE_SAFETY_LIMIT or count > (fill or 1)


def _is_large(size: int, fill: int) -> bool:
    """An element this long lives alone in a plain node."""
    if fill >= 0:
        return size > SIZE_SAFETY_LIMIT
    return size > _negative_fill_limit(fill)


class Node:
    """A run of elements: packed (a listpack of ``sz`` bytes) or plain (one element)."""

    __slots__ = ("items", "sz", "plain")

    def __init__(self, items: list[bytes], sz: int, plain: bool = False) -> None:
        self.items = items
        self.sz = sz
        self.plain = plain

    @classmethod
    def packed(cls, items: list[bytes]) -> Node:
        return cls(items, EMPTY_LISTPACK_BYTES + sum(map(entry_size, items)))

    @classmethod
    def plain_node(cls, value: bytes) -> Node:
        return cls([value], len(value), True)

    def copy(self) -> Node:
        return Node(list(self.items), self.sz, self.plain)


class List:
    """A list value (see the module docstring for its encodings)."""

    __slots__ = ("encoding", "nodes", "count", "fill", "compress")

    def __init__(self) -> None:
        self.encoding = LISTPACK
        self.nodes: list[Node] = [Node([], EMPTY_LISTPACK_BYTES)]
        self.count = 0
        self.fill = -2  # a quicklist's own fill; unused while a listpack
        self.compress = 0

    @classmethod
    def of(cls, items: list[bytes]) -> List:
        """A listpack list holding ``items`` (tests and tools; no conversion check)."""
        made = cls()
        made.nodes = [Node.packed(list(items))]
        made.count = len(items)
        return made

    @classmethod
    def built(cls, items: list[bytes], fill: int, depth: int) -> List:
        """A list made whole as Valkey makes one (SORT ... STORE): ``items`` pushed at
        the tail of a new quicklist under ``fill`` and ``depth``, then a listpack when
        that is one packed node within the full limits under ``fill`` (Valkey's
        automatic conversion of a built list; ``shrink`` uses half the limits)."""
        made = cls()
        made.encoding = QUICKLIST
        made.nodes = []
        made.fill = min(max(fill, -5), _FILL_MAX)
        made.compress = min(max(depth, 0), _COMPRESS_MAX)
        for item in items:
            made.push(item, False)
        nodes = made.nodes
        if len(nodes) == 1 and not nodes[0].plain:
            size_limit, count_limit = node_limits(fill)
            if nodes[0].sz <= size_limit and len(nodes[0].items) <= count_limit:
                made.encoding = LISTPACK
        return made

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[bytes]:
        for node in self.nodes:
            yield from node.items

    def __reversed__(self) -> Iterator[bytes]:
        for node in reversed(self.nodes):
            yield from reversed(node.items)

    def to_list(self) -> list[bytes]:
        if len(self.nodes) == 1:
            return list(self.nodes[0].items)
        return [item for node in self.nodes for item in node.items]

    @property
    def listpack_bytes(self) -> int:
        """The listpack's size (a listpack list), or the sum over the nodes."""
        return sum(node.sz for node in self.nodes)

    # -- conversions -------------------------------------------------------------------

    def grow(self, add_bytes: int, add_count: int, fill: int, depth: int) -> None:
        """Before adding ``add_count`` strings of ``add_bytes`` bytes in all: a listpack
        that would outgrow one node under ``fill`` becomes a quicklist (its listpack,
        when not empty, becomes the first node)."""
        if self.encoding != LISTPACK:
            return
        node = self.nodes[0]
        if exceeds_limit(fill, node.sz + add_bytes, len(node.items) + add_count):
            self.encoding = QUICKLIST
            self.fill = min(max(fill, -5), _FILL_MAX)
            self.compress = min(max(depth, 0), _COMPRESS_MAX)
            if not node.items:
                self.nodes = []

    def shrink(self, fill: int) -> None:
        """After a removal: a quicklist of one packed node within half the limits under
        ``fill`` becomes a listpack again."""
        if self.encoding != QUICKLIST or len(self.nodes) != 1:
            return
        node = self.nodes[0]
        if node.plain:
            return
        size_limit, count_limit = node_limits(fill)
        if node.sz > size_limit // 2 or len(node.items) > count_limit // 2:
            return
        self.encoding = LISTPACK

    # -- finding elements ---------------------------------------------------------------

    def _locate(self, index: int) -> tuple[int, int]:
        """(node position, offset) of the element at ``0 <= index < count``, found from
        the nearer end as quicklist.c seeks."""
        nodes = self.nodes
        if len(nodes) == 1:
            return 0, index
        if index <= (self.count - 1) // 2:
            for position, node in enumerate(nodes):
                size = len(node.items)
                if index < size:
                    return position, index
                index -= size
        else:
            back = self.count - 1 - index
            for position in range(len(nodes) - 1, -1, -1):
                size = len(nodes[position].items)
                if back < size:
                    return position, size - 1 - back
                back -= size
        raise IndexError(index)

    def _absolute(self, index: int) -> int | None:
        if index < 0:
            index += self.count
        return index if 0 <= index < self.count else None

    def index(self, index: int) -> bytes | None:
        """The element at ``index`` (negative counts from the tail), or ``None``."""
        position = self._absolute(index)
        if position is None:
            return None
        node, offset = self._locate(position)
        return self.nodes[node].items[offset]

    def range(self, start: int, end: int) -> list[bytes]:
        """LRANGE's elements between two inclusive indexes, clamped as Valkey clamps."""
        length = self.count
        if start < 0:
            start += length
        if end < 0:
            end += length
        start = max(start, 0)
        if start > end or start >= length:
            return []
        end = min(end, length - 1)
        return self.slice(start, end - start + 1)

    def slice(self, start: int, size: int) -> list[bytes]:
        """``size`` elements from position ``start`` (both within the list)."""
        nodes = self.nodes
        if len(nodes) == 1:
            return nodes[0].items[start : start + size]
        position, offset = self._locate(start)
        found: list[bytes] = []
        while size > 0:
            items = nodes[position].items
            taken = items[offset : offset + size]
            found += taken
            size -= len(taken)
            position += 1
            offset = 0
        return found

    def positions(self, value: bytes, rank: int, count: int, maxlen: int) -> list[int]:
        """LPOS: indexes of matches, skipping the first ``|rank| - 1`` (from the tail when
        ``rank`` < 0), at most ``count`` of them (0: all), scanning at most ``maxlen``
        elements (0: all). ``count`` -1 means the option was not given: one match."""
        forward = rank > 0
        skip = abs(rank) - 1
        wanted = 1 if count < 0 else count
        limit = maxlen or self.count
        found: list[int] = []
        scanned = 0
        nodes = self.nodes if forward else reversed(self.nodes)
        for node in nodes:
            items = node.items
            size = len(items)
            if scanned >= limit:
                break
            if value not in items:
                scanned += size
                continue
            order = range(size) if forward else range(size - 1, -1, -1)
            for offset in order:
                if scanned >= limit:
                    break
                if items[offset] == value:
                    if skip:
                        skip -= 1
                    else:
                        found.append(scanned if forward else self.count - 1 - scanned)
                        if wanted and len(found) >= wanted:
                            return found
                scanned += 1
        return found

    # -- pushing and popping --------------------------------------------------------

    def push(self, value: bytes, head: bool) -> None:
        """Add ``value`` at the head or the tail (``grow`` was called before)."""
        self.count += 1
        if self.encoding == LISTPACK:
            node = self.nodes[0]
            if head:
                node.items.insert(0, value)
            else:
                node.items.append(value)
            node.sz += entry_size(value)
            return
        size = len(value)
        nodes = self.nodes
        fill = self.fill
        if _is_large(size, fill):
            nodes.insert(0 if head else len(nodes), Node.plain_node(value))
            return
        end = (nodes[0] if head else nodes[-1]) if nodes else None
        if end is not None and self._allows_insert(end, size):
            if head:
                end.items.insert(0, value)
            else:
                end.items.append(value)
            end.sz += entry_size(value)
        else:
            nodes.insert(0 if head else len(nodes), Node.packed([value]))

    def _allows_insert(self, node: Node | None, size: int) -> bool:
        """quicklist.c's test: may a string of ``size`` bytes join ``node``?"""
        if node is None or node.plain or _is_large(size, self.fill):
            return False
        return not exceeds_limit(
            self.fill, node.sz + size + _ENTRY_OVERHEAD_ESTIMATE, len(node.items) + 1
        )

    def pop(self, head: bool) -> bytes:
        """Remove and answer the first (or last) element; the list must not be empty."""
        self.count -= 1
        nodes = self.nodes
        position = 0 if head else len(nodes) - 1
        node = nodes[position]
        value = node.items.pop(0 if head else -1)
        if node.plain:
            del nodes[position]
        elif node.items or self.encoding == LISTPACK:
            node.sz -= entry_size(value)
        else:
            del nodes[position]
        return value

    def pop_many(self, head: bool, count: int) -> list[bytes]:
        """Remove up to ``count`` elements from one end, answered in popping order."""
        size = min(count, self.count)
        if head:
            taken = self.slice(0, size)
            self.delete_range(0, size)
            return taken
        taken = self.slice(self.count - size, size)
        taken.reverse()
        self.delete_range(self.count - size, size)
        return taken

    def delete_range(self, start: int, size: int) -> None:
        """Remove ``size`` elements from position ``start`` (nodes left empty go; nothing
        merges, as quicklistDelRange)."""
        if size <= 0:
            return
        nodes = self.nodes
        if self.encoding == LISTPACK:
            node = nodes[0]
            removed = node.items[start : start + size]
            del node.items[start : start + size]
            node.sz -= sum(map(entry_size, removed))
            self.count -= size
            return
        position, offset = self._locate(start)
        self.count -= size
        while size > 0:
            node = nodes[position]
            items = node.items
            length = len(items)
            taken = min(size, length - offset)
            size -= taken
            if taken == length:
                del nodes[position]
                offset = 0
                continue
            removed = items[offset : offset + taken]
            del items[offset : offset + taken]
            node.sz -= sum(map(entry_size, removed))
            position += 1
            offset = 0

    def trim(self, start: int, end: int) -> int:
        """LTRIM: keep the inclusive range (clamped as Valkey does); the number removed."""
        length = self.count
        if start < 0:
            start += length
        if end < 0:
            end += length
        start = max(start, 0)
        if start > end or start >= length:
            left, right = length, 0
        else:
            end = min(end, length - 1)
            left, right = start, length - end - 1
        self.delete_range(0, left)
        self.delete_range(self.count - right, right)
        return left + right

    def remove(self, value: bytes, count: int) -> int:
        """LREM: remove matches of ``value``, all of them (``count`` 0), the first
        ``count`` from the head, or the first ``-count`` from the tail."""
        limit = abs(count)
        forward = count >= 0
        removed = 0
        size = entry_size(value)
        nodes = self.nodes
        positions = range(len(nodes)) if forward else range(len(nodes) - 1, -1, -1)
        emptied: list[int] = []
        for position in positions:
            node = nodes[position]
            items = node.items
            if value not in items:
                continue
            if not limit:
                kept = [item for item in items if item != value]
                here = len(items) - len(kept)
                node.items = kept
            else:
                here = 0
                order = range(len(items)) if forward else range(len(items) - 1, -1, -1)
                drop: list[int] = []
                for offset in order:
                    if items[offset] == value:
                        drop.append(offset)
                        here += 1
                        if removed + here == limit:
                            break
                for offset in sorted(drop, reverse=True):
                    del items[offset]
            removed += here
            if node.plain or not node.items:
                if self.encoding == QUICKLIST:
                    emptied.append(position)
                else:
                    node.sz = EMPTY_LISTPACK_BYTES
            else:
                node.sz -= here * size
            if limit and removed == limit:
                break
        for position in sorted(emptied, reverse=True):
            del nodes[position]
        self.count -= removed
        return removed

    # -- changes in the middle ------------------------------------------------------------

    def replace(self, index: int, value: bytes) -> bool:
        """LSET: put ``value`` at ``index`` (negative from the tail); False when out of
        range. ``grow`` was called before, ``shrink`` is the caller's to call after."""
        absolute = self._absolute(index)
        if absolute is None:
            return False
        position, offset = self._locate(absolute)
        node = self.nodes[position]
        if self.encoding == LISTPACK:
            node.sz += entry_size(value) - entry_size(node.items[offset])
            node.items[offset] = value
            return True
        size = len(value)
        large = _is_large(size, self.fill)
        if not node.plain and not large:
            node.sz += entry_size(value) - entry_size(node.items[offset])
            node.items[offset] = value
            return True
        nodes = self.nodes
        if node.plain:
            if large:
                node.items[0] = value
                node.sz = size
                return True
            self._insert_at(position, 0, value, after=True)
            nodes.remove(node)
            return True
        # A large value in a packed node: the node splits after the element, the value
        # goes in a plain node between the halves, and the old element is dropped.
        if offset != len(node.items) - 1:
            rest = Node.packed(node.items[offset + 1 :])
            node.items = node.items[: offset + 1]
            node.sz = EMPTY_LISTPACK_BYTES + sum(map(entry_size, node.items))
            nodes.insert(position + 1, rest)
        plain = Node.plain_node(value)
        nodes.insert(position + 1, plain)
        if len(node.items) == 1:
            del nodes[position]
        else:
            old = node.items.pop()
            node.sz -= entry_size(old)
            self._merge_around(nodes.index(plain))
        return True

    def insert(self, pivot: bytes, value: bytes, after: bool) -> bool:
        """LINSERT: put ``value`` before or after the first ``pivot`` from the head;
        False when there is no such element. ``grow`` was called before."""
        for position, node in enumerate(self.nodes):
            items = node.items
            if pivot in items:
                offset = items.index(pivot)
                if self.encoding == LISTPACK:
                    items.insert(offset + 1 if after else offset, value)
                    node.sz += entry_size(value)
                else:
                    self._insert_at(position, offset, value, after)
                self.count += 1
                return True
        return False

    def _insert_at(self, position: int, offset: int, value: bytes, after: bool) -> None:
        """quicklist.c's insertion next to the element at (``position``, ``offset``);
        the caller counts the element."""
        nodes = self.nodes
        node = nodes[position]
        size = len(value)
        full = not self._allows_insert(node, size)
        at_tail = after and offset == len(node.items) - 1
        at_head = not after and offset == 0
        neighbour = position + 1 if after else position - 1
        other = nodes[neighbour] if 0 <= neighbour < len(nodes) else None
        room_next = at_tail and self._allows_insert(other, size)
        room_prev = at_head and self._allows_insert(other, size)
        if _is_large(size, self.fill):
            if node.plain or at_tail or at_head:
                nodes.insert(position + 1 if after else position, Node.plain_node(value))
                return
            self._split(position, offset, after)
            nodes.insert(position + 1, Node.plain_node(value))
            return
        if not full:
            node.items.insert(offset + 1 if after else offset, value)
            node.sz += entry_size(value)
        elif at_tail and room_next:
            assert other is not None
            other.items.insert(0, value)
            other.sz += entry_size(value)
        elif at_head and room_prev:
            assert other is not None
            other.items.append(value)
            other.sz += entry_size(value)
        elif at_tail or at_head:
            nodes.insert(position + 1 if after else position, Node.packed([value]))
        else:
            self._split(position, offset, after)
            # The half that receives the value is the new node: after the original
            # with ``after`` (the value at its head), before it otherwise (at its tail).
            target = nodes[position + 1] if after else nodes[position]
            if after:
                target.items.insert(0, value)
            else:
                target.items.append(value)
            target.sz += entry_size(value)
            self._merge_around(position if after else position + 1)

    def _split(self, position: int, offset: int, after: bool) -> None:
        """Cut the node at ``position``: with ``after`` it keeps [0, offset] and the new
        node after it holds the rest; without, the new node before it holds [0, offset)."""
        node = self.nodes[position]
        items = node.items
        cut = offset + 1 if after else offset
        first, second = items[:cut], items[cut:]
        node.items = first if after else second
        node.sz = EMPTY_LISTPACK_BYTES + sum(map(entry_size, node.items))
        other = Node.packed(second if after else first)
        self.nodes.insert(position + 1 if after else position, other)

    def _allows_merge(self, first: int, second: int) -> bool:
        nodes = self.nodes
        if not (0 <= first < len(nodes) and 0 <= second < len(nodes)):
            return False
        a, b = nodes[first], nodes[second]
        if a.plain or b.plain:
            return False
        merged = (a.sz + b.sz - EMPTY_LISTPACK_BYTES) % 2**32
        return not exceeds_limit(self.fill, merged, len(a.items) + len(b.items))

    def _merge(self, first: int) -> None:
        """Join the node at ``first`` with the next one."""
        nodes = self.nodes
        a, b = nodes[first], nodes[first + 1]
        a.items += b.items
        a.sz += b.sz - EMPTY_LISTPACK_BYTES
        del nodes[first + 1]

    def _merge_around(self, center: int) -> int:
        """quicklist.c's merge pass around the node at ``center``: the two nodes before
        it, the two after it, then the center with its neighbours; its new position."""
        if self._allows_merge(center - 1, center - 2):
            self._merge(center - 2)
            center -= 1
        if self._allows_merge(center + 1, center + 2):
            self._merge(center + 1)
        if self._allows_merge(center, center - 1):
            self._merge(center - 1)
            center -= 1
        if self._allows_merge(center, center + 1):
            self._merge(center)
        return center

    # -- the value type -------------------------------------------------------------------

    def copy(self) -> List:
        made = List.__new__(List)
        made.encoding = self.encoding
        made.nodes = [node.copy() for node in self.nodes]
        made.count = self.count
        made.fill = self.fill
        made.compress = self.compress
        return made

    def state(self) -> tuple[object, ...]:
        layout = tuple((node.plain, node.sz, tuple(node.items)) for node in self.nodes)
        if self.encoding == LISTPACK:
            return (LISTPACK, layout)
        return (QUICKLIST, self.fill, self.compress, layout)

    def check_invariants(self) -> None:
        nodes = self.nodes
        assert self.count > 0, "an empty list is stored"
        assert self.count == sum(len(node.items) for node in nodes), "count is off"
        if self.encoding == LISTPACK:
            assert len(nodes) == 1 and not nodes[0].plain, "a listpack is one packed node"
        else:
            assert self.encoding == QUICKLIST, f"unknown encoding {self.encoding!r}"
            assert -5 <= self.fill <= _FILL_MAX, "fill out of range"
        for node in nodes:
            assert node.items, "an empty node"
            assert all(type(item) is bytes for item in node.items), "a non-bytes element"
            if node.plain:
                assert len(node.items) == 1, "a plain node holds one element"
                assert node.sz == len(node.items[0]), "a plain node's size is off"
            else:
                expected = EMPTY_LISTPACK_BYTES + sum(map(entry_size, node.items))
                assert node.sz == expected, f"node size {node.sz} != {expected}"


# -- MEMORY USAGE -----------------------------------------------------------------------


def _allocation(size: int) -> int:
    """The allocator's size class for ``size`` bytes (jemalloc's spacing: 8, then
    steps of 16 up to 128, then four classes per doubling)."""
    if size <= 8:
        return 8
    if size <= 128:
        return (size + 15) & ~15
    step = 1 << ((size - 1).bit_length() - 3)
    return (size + step - 1) & ~(step - 1)


_OBJECT_HEADER = 16
_QUICKLIST_HEADER = 40
_QUICKLIST_NODE = 32


def list_memory(value: List, samples: int) -> int:
    """MEMORY USAGE of a list in the shape of objectComputeSize: the object and its
    listpack, or the quicklist and the average of the sampled nodes times their number
    (nodes counted uncompressed: compression is not simulated)."""
    if value.encoding == LISTPACK:
        return _OBJECT_HEADER + _allocation(value.nodes[0].sz)
    nodes = value.nodes
    seen = nodes if samples <= 0 else nodes[:samples]
    total = sum(_QUICKLIST_NODE + _allocation(node.sz) for node in seen)
    return _OBJECT_HEADER + _QUICKLIST_HEADER + int(total / len(seen) * len(nodes))


register(
    TypeSpec(
        kind=List,
        name="list",
        encoding=lambda value: value.encoding,
        memory=list_memory,
        copy=List.copy,
        state=List.state,
    )
)
