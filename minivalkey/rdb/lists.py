"""Lists in RDB: a quicklist of nodes (RDB type 18, RDB_TYPE_LIST_QUICKLIST_2), each a
container kind (2 packed, 1 plain) and its data (a listpack of elements, or the one
large element); a listpack list is written as a quicklist of one packed node.

Loading follows Valkey 8.0.1's rdbLoadObject under the settings in force: the nodes
of types 18 and 14 (quicklist of ziplists) are kept as they come (empty ones
skipped), in a quicklist of the current ``list-max-listpack-size`` and
``list-compress-depth``, which becomes a listpack when it is one packed node within
the full limits (listTypeTryConversion); types 1 (a count and the elements) and 10
(one ziplist) push the elements one by one into such a quicklist (nodes filled by
the quicklist rules), and only type 1 then tries the conversion, as Valkey does.
An empty list, an empty node's data or an unknown container kind is refused.

Valkey writes a node it keeps LZF-compressed (``list-compress-depth`` > 0) as that
compressed blob. Nodes are not kept compressed here, but the string writer
compresses a node's listpack with the same LZF, and since quicklist compression
only keeps a node compressed when that saves more than 8 bytes while the writer
compresses whenever it saves 4, the payload is the same bytes either way (but for
nodes past ``io.COMPRESS_MAX``, written uncompressed here).
"""

from __future__ import annotations

from ..engine.lists import LISTPACK, QUICKLIST, List, Node, node_limits
from . import listpack
from .io import RdbError, Reader, Writer
from .registry import (
    TYPE_LIST,
    TYPE_LIST_QUICKLIST,
    TYPE_LIST_QUICKLIST_2,
    TYPE_LIST_ZIPLIST,
    LoadContext,
    register,
)
from .ziplist import parse_ziplist

CONTAINER_PLAIN = 1
CONTAINER_PACKED = 2
_FILL_MAX = (1 << 15) - 1
_COMPRESS_MAX = (1 << 16) - 1


def save_list(writer: Writer, value: List) -> int:
    nodes = value.nodes
    writer.length(len(nodes))
    for node in nodes:
        if node.plain:
            writer.length(CONTAINER_PLAIN)
            writer.string(node.items[0])
        else:
            writer.length(CONTAINER_PACKED)
            writer.string(listpack.build(node.items))
    return TYPE_LIST_QUICKLIST_2


def _quicklist(context: LoadContext) -> List:
    """An empty quicklist of the configured fill and compression depth."""
    value = List()
    value.encoding = QUICKLIST
    value.nodes = []
    value.fill = min(max(context.limit("list-max-listpack-size"), -5), _FILL_MAX)
    value.compress = min(max(context.limit("list-compress-depth"), 0), _COMPRESS_MAX)
    return value


def _try_listpack(value: List, context: LoadContext) -> None:
    """listTypeTryConversion (LIST_CONV_AUTO) of a loaded quicklist."""
    if len(value.nodes) != 1 or value.nodes[0].plain:
        return
    size_limit, count_limit = node_limits(context.limit("list-max-listpack-size"))
    node = value.nodes[0]
    if node.sz > size_limit or len(node.items) > count_limit:
        return
    value.encoding = LISTPACK


def _load_nodes(reader: Reader, context: LoadContext, rdb_type: int) -> List:
    count = reader.length()
    if not count:
        raise RdbError("empty list")
    value = _quicklist(context)
    for _ in range(count):
        container = CONTAINER_PACKED
        if rdb_type == TYPE_LIST_QUICKLIST_2:
            container = reader.length()
            if container not in (CONTAINER_PLAIN, CONTAINER_PACKED):
                raise RdbError("quicklist integrity check failed")
        data = reader.string()
        if not data:
            raise RdbError("empty quicklist node")
        if container == CONTAINER_PLAIN:
            value.nodes.append(Node.plain_node(data))
            value.count += 1
            continue
        if rdb_type == TYPE_LIST_QUICKLIST_2:
            elements = listpack.parse(data, context.deep)
        else:
            elements = parse_ziplist(data)
        if elements:  # an empty node is skipped
            value.nodes.append(Node.packed([listpack.as_bytes(item) for item in elements]))
            value.count += len(elements)
    if not value.count:
        raise RdbError("empty list")
    _try_listpack(value, context)
    return value


def load_list(reader: Reader, context: LoadContext, rdb_type: int) -> List:
    if rdb_type in (TYPE_LIST_QUICKLIST_2, TYPE_LIST_QUICKLIST):
        return _load_nodes(reader, context, rdb_type)
    if rdb_type == TYPE_LIST_ZIPLIST:
        elements = [listpack.as_bytes(item) for item in parse_ziplist(reader.string())]
    else:
        elements = [reader.string() for _ in range(reader.length())]
    if not elements:
        raise RdbError("empty list")
    value = _quicklist(context)
    for element in elements:
        value.push(element, head=False)
    if rdb_type == TYPE_LIST:
        _try_listpack(value, context)
    return value


register(
    List,
    save_list,
    {
        TYPE_LIST: load_list,
        TYPE_LIST_ZIPLIST: load_list,
        TYPE_LIST_QUICKLIST: load_list,
        TYPE_LIST_QUICKLIST_2: load_list,
    },
)
