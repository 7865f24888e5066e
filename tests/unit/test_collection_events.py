"""Keyspace events of the collection commands where Valkey 8.0.1 publishes more than one:
a collection emptied (the type's event, then ``del``), moves between keys (LMOVE,
RPOPLPUSH, SMOVE: the push on the destination before the pop from the source for
lists, the removal before the addition for sets), and the *STORE commands (``new``
and the store event, or ``del`` for an empty result; ``keymiss`` for a missing
source, which they read). The other per-command events are tested with each family.

``EVENTS`` runs in order on one database with ``notify-keyspace-events KEAnm``; the
expected events are what valkey-server published for each line (``__keyevent@0__``).
"""

from __future__ import annotations

import eventtable

EVENTS: list[eventtable.Row] = [
    ("HSET h f v", [("new", "h"), ("hset", "h")]),
    ("HDEL h f", [("hdel", "h"), ("del", "h")]),
    ("SADD s a", [("new", "s"), ("sadd", "s")]),
    ("SREM s a", [("srem", "s"), ("del", "s")]),
    ("SADD s a b", [("new", "s"), ("sadd", "s")]),
    ("SPOP s 2", [("spop", "s"), ("del", "s")]),
    ("SADD s a", [("new", "s"), ("sadd", "s")]),
    ("SPOP s", [("spop", "s"), ("del", "s")]),
    ("SADD s a", [("new", "s"), ("sadd", "s")]),
    ("SMOVE s s2 a", [("srem", "s"), ("del", "s"), ("new", "s2"), ("sadd", "s2")]),
    ("SMOVE s2 s2 a", []),
    ("SINTERSTORE d s2 nokey", [("keymiss", "nokey")]),
    ("SUNIONSTORE d s2", [("new", "d"), ("sunionstore", "d")]),
    ("SDIFFSTORE d s2 s2", [("del", "d")]),
    ("RPUSH l a b", [("new", "l"), ("rpush", "l")]),
    ("LTRIM l 5 10", [("ltrim", "l"), ("del", "l")]),
    ("RPUSH l a b", [("new", "l"), ("rpush", "l")]),
    ("LREM l 0 a", [("lrem", "l")]),
    ("LREM l 0 b", [("lrem", "l"), ("del", "l")]),
    ("RPUSH l a", [("new", "l"), ("rpush", "l")]),
    ("LMOVE l l2 LEFT RIGHT", [("new", "l2"), ("rpush", "l2"), ("lpop", "l"), ("del", "l")]),
    ("LMOVE l2 l2 LEFT LEFT", [("lpush", "l2"), ("lpop", "l2")]),
    ("RPOPLPUSH l2 l", [("new", "l"), ("lpush", "l"), ("rpop", "l2"), ("del", "l2")]),
    ("LMPOP 1 l LEFT COUNT 5", [("lpop", "l"), ("del", "l")]),
    ("RPUSH l a", [("new", "l"), ("rpush", "l")]),
    ("BLMPOP 1 1 l RIGHT", [("rpop", "l"), ("del", "l")]),
    ("ZADD z 1 a 2 b", [("new", "z"), ("zadd", "z")]),
    ("ZREMRANGEBYSCORE z -inf +inf", [("zremrangebyscore", "z"), ("del", "z")]),
    ("ZADD z 1 a 2 b", [("new", "z"), ("zadd", "z")]),
    ("ZREMRANGEBYRANK z 0 -1", [("zremrangebyrank", "z"), ("del", "z")]),
    ("ZADD z 1 a 2 b", [("new", "z"), ("zadd", "z")]),
    ("ZREMRANGEBYLEX z - +", [("zremrangebylex", "z"), ("del", "z")]),
    ("ZADD z 1 a", [("new", "z"), ("zadd", "z")]),
    ("ZPOPMIN z 5", [("zpopmin", "z"), ("del", "z")]),
    ("ZADD z 1 a", [("new", "z"), ("zadd", "z")]),
    ("ZMPOP 1 z MAX", [("zpopmax", "z"), ("del", "z")]),
    ("ZADD z 1 a", [("new", "z"), ("zadd", "z")]),
    ("BZPOPMAX z 1", [("zpopmax", "z"), ("del", "z")]),
    ("ZADD z 1 a", [("new", "z"), ("zadd", "z")]),
    ("ZRANGESTORE d z 0 -1", [("new", "d"), ("zrangestore", "d")]),
    ("ZRANGESTORE d z 5 10", [("del", "d")]),
    ("ZUNIONSTORE d 1 z", [("new", "d"), ("zunionstore", "d")]),
    ("ZINTERSTORE d 2 z nokey", [("keymiss", "nokey"), ("del", "d")]),
    ("ZDIFFSTORE d 1 z", [("new", "d"), ("zdiffstore", "d")]),
    ("ZADD z INCR 2 a", [("zincr", "z")]),
    ("ZINCRBY z 1 a", [("zincr", "z")]),
    ("ZREM z a", [("zrem", "z"), ("del", "z")]),
]


def test_collection_events_follow_valkey() -> None:
    assert eventtable.mismatches(EVENTS) == []
