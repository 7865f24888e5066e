"""Sealed nodes: compacted and compressed storage reads back exactly what was added.

A node is sealed when the next one starts; its entry bytes are compressed when that
pays. Every read (ranges both ways, single entries, deletion, COPY) must answer the
same bytes as the entries' plain RESP encoding, whatever the node's storage.
"""

from __future__ import annotations

import os
import random
import zlib

from minivalkey.engine.stream import Stream
from minivalkey.engine.streamid import MAX_ID, format_id, make_id
from minivalkey.engine.streamnode import _UnpackedCache, pack_sealed_nodes


def entry_reply(stream_id: int, pairs: list[bytes]) -> bytes:
    text = format_id(stream_id)
    out = [b"*2\r\n$%d\r\n%s\r\n*%d\r\n" % (len(text), text, len(pairs))]
    out += [b"$%d\r\n%s\r\n" % (len(item), item) for item in pairs]
    return b"".join(out)


def fill(stream: Stream, count: int) -> dict[int, bytes]:
    """Append ``count`` entries with readable, compressible fields; their expected replies."""
    expected = {}
    for i in range(1, count + 1):
        pairs = [b"temperature", b"%d.%d" % (i % 40, i % 10), b"humidity", b"%d" % (i % 90)]
        stream_id = make_id(1_700_000_000_000 + i, i % 3)
        stream.append(stream_id, pairs, 100, 4096)
        expected[stream_id] = entry_reply(stream_id, pairs)
    assert pack_sealed_nodes() == 0  # what the server's cron does between commands
    return expected


def test_sealing_defers_compression_to_pack_sealed_nodes() -> None:
    pack_sealed_nodes()  # nodes other tests of this thread sealed
    stream = Stream()
    for i in range(1, 251):
        stream.append(make_id(i, 0), [b"temperature", b"21.5", b"humidity", b"45"], 100, 4096)
    assert [type(node.blob) for node in stream.nodes] == [bytes, bytes, bytearray]
    assert pack_sealed_nodes(budget_ns=0) == 1  # a budget spent stops after one node
    assert stream.nodes[0].packed is not None and stream.nodes[1].packed is None
    assert pack_sealed_nodes() == 0
    assert stream.nodes[1].packed is not None and stream.nodes[1].blob is None


def test_sealed_nodes_are_compressed_and_the_tail_is_not() -> None:
    stream = Stream()
    fill(stream, 450)
    assert len(stream.nodes) == 5
    for node in stream.nodes[:-1]:
        assert node.blob is None and node.packed is not None
    tail = stream.nodes[-1]
    assert type(tail.blob) is bytearray and tail.packed is None


def test_incompressible_entries_stay_plain() -> None:
    stream = Stream()
    for i in range(1, 251):
        stream.append(make_id(i, 0), [b"f", os.urandom(300)], 100, 1 << 30)
    assert pack_sealed_nodes() == 0
    sealed = stream.nodes[0]
    assert sealed.packed is None and type(sealed.blob) is bytes
    assert stream.get(make_id(1, 0)) is not None


def test_reads_across_compressed_nodes_answer_the_plain_encoding() -> None:
    stream = Stream()
    expected = fill(stream, 1000)
    ids = sorted(expected)
    everything = b"".join(expected[i] for i in ids)
    assert stream.range_array(0, MAX_ID) == (1000, b"*1000\r\n" + everything)
    backwards = b"".join(expected[i] for i in reversed(ids))
    assert stream.range_array(0, MAX_ID, reverse=True) == (1000, b"*1000\r\n" + backwards)
    rng = random.Random(7)
    for _ in range(200):
        low, high = sorted(rng.sample(range(1000), 2))
        count = rng.choice([0, 1, 10, 150])
        want = ids[low : high + 1][:count] if count else ids[low : high + 1]
        got = stream.range_array(ids[low], ids[high], count)
        assert got == (len(want), b"*%d\r\n" % len(want) + b"".join(expected[i] for i in want))
        want_back = ids[low : high + 1][::-1][:count] if count else ids[low : high + 1][::-1]
        got_back = stream.range_array(ids[low], ids[high], count, reverse=True)
        assert got_back[1] == b"*%d\r\n" % len(want_back) + b"".join(
            expected[i] for i in want_back
        )
    for stream_id in rng.sample(ids, 50):
        assert stream.get(stream_id) == expected[stream_id]


def test_deletion_and_copy_keep_compressed_entries() -> None:
    stream = Stream()
    expected = fill(stream, 500)
    ids = sorted(expected)
    gone = ids[5:300:7]
    assert stream.delete_ids(gone) == len(gone)
    clone = stream.copy()
    live = [i for i in ids if i not in set(gone)]
    want = b"*%d\r\n" % len(live) + b"".join(expected[i] for i in live)
    assert stream.range_array(0, MAX_ID)[1] == want
    assert clone.range_array(0, MAX_ID)[1] == want


def test_a_sealed_node_that_becomes_the_tail_again_takes_appends() -> None:
    """XDEL of the whole tail node leaves a sealed node last; with room (a larger
    stream-node-max-entries), the next entry goes into it, and reads see it."""
    stream = Stream()
    expected = fill(stream, 101)  # node 0: 100 entries (sealed), node 1: one entry
    ids = sorted(expected)
    assert stream.nodes[0].packed is not None
    stream.range_array(0, MAX_ID)  # unpacked into the cache
    assert stream.delete_ids([ids[-1]]) == 1
    assert len(stream.nodes) == 1
    new_id = make_id(1_800_000_000_000, 0)
    stream.append(new_id, [b"f", b"v"], 200, 1 << 20)
    assert len(stream.nodes) == 1
    want = b"".join(expected[i] for i in ids[:-1]) + entry_reply(new_id, [b"f", b"v"])
    assert stream.range_array(0, MAX_ID) == (101, b"*101\r\n" + want)


def test_unpacked_cache_keeps_at_most_its_size() -> None:
    stream = Stream()
    fill(stream, 1000)
    sealed = stream.nodes[:-1]
    unpacked = [len(zlib.decompress(node.packed or b"")) for node in sealed]
    cache = _UnpackedCache(max_bytes=sum(unpacked[-3:]))
    for node in sealed:
        cache.get(node)
    assert list(cache.blobs) == sealed[-3:]  # the oldest went first
    assert cache.bytes == sum(unpacked[-3:])
    cache.forget(sealed[-1])
    assert cache.bytes == sum(unpacked[-3:-1])


def test_entry_fields_encode_the_same_without_hiredis() -> None:
    import hiredis

    from minivalkey.engine.streamnode import _pack_fields_resp

    for pairs in ([b"f", b"v"], [b"", b"x" * 300, b"\r\n", b"0"], [b"a"] * 20):
        assert _pack_fields_resp(pairs) == hiredis.pack_command(tuple(pairs))
