"""Scripts for the differential check of keyspace notifications: the commands the random
sequences do not draw (several databases, MOVE, SWAPDB, RESTORE, the EXPIRE family,
SET's expiry options, SORT ... STORE, transactions) and each notification class alone.

Each script starts from an empty server (``PROLOGUE``) and sets the classes it
listens to; what is compared is every step's notifications (``notifications``), not
the replies (the other differential tests compare those). Nothing here depends on
the clock: deadlines are far away or long past.
"""

from __future__ import annotations

from replay import Step, lines, step

from minivalkey.rdb.crc64 import crc64


def _string_payload(value: bytes) -> bytes:
    """A DUMP payload of a string, in RDB version 10 (which every server here loads)."""
    body = b"\x00" + bytes([len(value)]) + value + b"\x0a\x00"
    return body + crc64(body).to_bytes(8, "little")


PAYLOAD = _string_payload(b"restored")

PROLOGUE = lines(
    """
    FLUSHALL
    CONFIG SET notify-keyspace-events KEAnm
    """
)

GENERIC = lines(
    """
    SET a 1
    SET b 2
    DEL a b nokey
    SET a 1
    UNLINK a a
    SET c 3
    RENAME c d
    SET e 1
    RENAME d e
    RENAME e e
    RENAME nokey x
    RENAMENX e f
    SET g 1
    RENAMENX f g
    COPY f h
    COPY f h
    COPY f h REPLACE
    COPY f h DB 2
    COPY nokey x
    MOVE h 3
    SELECT 3
    SET taken 1
    GET nokey
    SELECT 0
    SET taken 2
    MOVE taken 3
    MOVE nokey 3
    SWAPDB 0 3
    GET h
    SWAPDB 0 3
    FLUSHDB
    SELECT 3
    FLUSHDB
    SELECT 2
    FLUSHDB
    SELECT 0
    EXISTS nokey nokey
    TYPE nokey
    TTL nokey
    PTTL nokey
    EXPIRETIME nokey
    OBJECT ENCODING nokey
    TOUCH nokey
    DUMP nokey
    """
) + [
    step("RESTORE", "r", "0", PAYLOAD),
    step("RESTORE", "r", "0", PAYLOAD),
    step("RESTORE", "r", "0", PAYLOAD, "REPLACE"),
    step("RESTORE", "r", "99999999999999", PAYLOAD, "REPLACE", "ABSTTL"),
    step("RESTORE", "r", "1", PAYLOAD, "REPLACE", "ABSTTL"),
    step("RESTORE", "r2", "1", PAYLOAD, "ABSTTL"),
    step("RESTORE", "r", "0", b"junk"),
]

EXPIRY = lines(
    """
    SET f 1
    EXPIRE f 100000
    EXPIRE f 200000 LT
    EXPIRE f 50000 GT
    EXPIRE f 50000 LT
    PEXPIRE f 100000000 NX
    PEXPIRE f 100000000 XX
    EXPIREAT f 99999999999
    PEXPIREAT f 99999999999999
    PERSIST f
    PERSIST f
    PERSIST nokey
    EXPIRE nokey 10
    EXPIRE f 0
    SET f 1
    PEXPIREAT f 1
    SET x 1
    EXPIRE x -1
    SET y 1
    EXPIRE y x
    SET k v EX 100000
    SET k v PX 100000000 GET
    SET k w KEEPTTL
    SET k v EXAT 99999999999
    SET k v PXAT 99999999999999 XX
    SET past v
    SET past v EXAT 1
    SET gone v PXAT 1
    SET k2 v EX 100000 NX
    SET k2 v EX 100000 NX
    SETEX k 100000 v
    PSETEX k 100000000 v
    SETEX k 0 v
    GETEX k
    GETEX k EX 100000
    GETEX k PX 100000000
    GETEX k EXAT 99999999999
    GETEX k PERSIST
    GETEX k PERSIST
    GETEX k PXAT 1
    GETEX nokey EX 10
    SET k v
    GETDEL k
    GETDEL k
    """
)

SORT_STORE = lines(
    """
    RPUSH l 3 1 2
    SADD s b a
    ZADD z 1 x 2 y
    SORT l STORE dst
    SORT s ALPHA STORE dst
    SORT z BY nosort STORE dst
    SORT l LIMIT 0 0 STORE dst
    SORT nokey STORE dst
    SORT nokey STORE dst
    SORT l STORE l
    SORT_RO l
    SET w 1
    SORT l BY w GET # STORE w
    """
)

TRANSACTION = lines(
    """
    MULTI
    SET a 1
    INCR a
    LPUSH l x
    RPOP l
    EXEC
    MULTI
    SET a 1
    NOSUCHCOMMAND
    EXEC
    WATCH a
    MULTI
    DEL a
    EXEC
    MULTI
    SET b 1
    DISCARD
    """
)

STREAM_GROUPS = lines(
    """
    XADD s 1-0 f v
    XADD s MAXLEN 1 2-0 f v
    XADD s MAXLEN = 5 3-0 f v
    XADD s MAXLEN ~ 0 3-1 f v
    XADD s NOMKSTREAM 4-0 f v
    XADD nokey NOMKSTREAM 1-0 f v
    XADD s 1-0 f v
    XTRIM s MAXLEN 10
    XTRIM s MAXLEN 0
    XADD s 5-0 f v
    XDEL s 5-0
    XDEL s 5-0
    XSETID s 10-0
    XSETID s 1-0
    XGROUP CREATE s g $
    XGROUP CREATE s g $
    XGROUP CREATE m g $ MKSTREAM
    XGROUP SETID s g 0
    XGROUP SETID s nog 0
    XGROUP CREATECONSUMER s g c
    XGROUP CREATECONSUMER s g c
    XADD s 11-0 f v
    XREADGROUP GROUP g c2 STREAMS s >
    XREADGROUP GROUP g c3 STREAMS s 0
    XREADGROUP GROUP g c3 COUNT 1 STREAMS s >
    XCLAIM s g c4 0 11-0
    XCLAIM s g c4 0 11-0
    XAUTOCLAIM s g c5 0 0
    XACK s g 11-0
    XGROUP DELCONSUMER s g c
    XGROUP DELCONSUMER s g c
    XGROUP DESTROY s g
    XGROUP DESTROY s g
    XREAD STREAMS nokey 0
    XREAD STREAMS s nokey 0 0
    XRANGE nokey - +
    XLEN nokey
    XINFO STREAM nokey
    XPENDING nokey g
    XADD s MINID 12 12-0 f v
    XADD s MINID = 12 12-1 f v
    DEL s m
    """
)

COLLECTIONS_EMPTIED = lines(
    """
    HSET h f v
    HDEL h f
    SADD s a
    SREM s a
    SADD s a b
    SPOP s 2
    SADD s a
    SPOP s
    SADD s a
    SMOVE s s2 a
    SMOVE s2 s2 a
    SINTERSTORE d s2 nokey
    SUNIONSTORE d s2
    SDIFFSTORE d s2 s2
    RPUSH l a b
    LTRIM l 5 10
    RPUSH l a b
    LREM l 0 a
    LREM l 0 b
    RPUSH l a
    LMOVE l l2 LEFT RIGHT
    LMOVE l2 l2 LEFT LEFT
    RPOPLPUSH l2 l
    LMPOP 1 l LEFT COUNT 5
    RPUSH l a
    BLMPOP 1 1 l RIGHT
    ZADD z 1 a 2 b
    ZREMRANGEBYSCORE z -inf +inf
    ZADD z 1 a 2 b
    ZREMRANGEBYRANK z 0 -1
    ZADD z 1 a 2 b
    ZREMRANGEBYLEX z - +
    ZADD z 1 a
    ZPOPMIN z 5
    ZADD z 1 a
    ZMPOP 1 z MAX
    ZADD z 1 a
    BZPOPMAX z 1
    ZADD z 1 a
    ZRANGESTORE d z 0 -1
    ZRANGESTORE d z 5 10
    ZUNIONSTORE d 1 z
    ZINTERSTORE d 2 z nokey
    ZDIFFSTORE d 1 z
    ZADD z INCR 2 a
    ZINCRBY z 1 a
    ZREM z a
    """
)


def _alone(classes: str) -> list[Step]:
    """A few commands of every class, listened to with ``classes`` only."""
    return lines(
        f"""
        CONFIG SET notify-keyspace-events {classes}
        SET k 1
        EXPIRE k 100000
        APPEND k 2
        HSET h f v
        LPUSH l a
        SADD s a
        ZADD z 1 a
        XADD x 1-0 f v
        GET nokey
        DEL k h l s z x
        """
    )


CLASSES = ("K", "E", "KE", "Kg", "E$", "Kl", "Es", "Kh", "Ez", "Kt", "Ex", "Ke", "Km", "En",
           "KA", "EA", "KEA", "Kgn", "Em", "g$lshzxet", "A", "n", "m", "KEd")  # fmt: skip

EVENT_SCRIPTS: dict[str, list[Step]] = {
    "generic": GENERIC,
    "expiry": EXPIRY,
    "sort_store": SORT_STORE,
    "transaction": TRANSACTION,
    "stream_groups": STREAM_GROUPS,
    "collections_emptied": COLLECTIONS_EMPTIED,
    "classes_alone": [step_ for classes in CLASSES for step_ in _alone(classes)],
}
