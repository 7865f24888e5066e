"""Command scripts for the differential suite: the data types' tricky cases.

Each script sets the encoding thresholds it needs at its start and puts Valkey's
defaults back at its end (``DEFAULTS``), so the scripts run in any order. Nothing
here is random or unordered: members are read back only where the encoding defines
their order (listpack, intset, sorted sets, lists), and SCAN / KEYS only where one
key matches. Steps whose command minivalkey does not have yet are left out (see
``test_differential.script_steps``), so a family's script starts comparing when
the family lands.
"""

from __future__ import annotations

from replay import Step, lines
from typedraw import DEFAULT_LIMITS

DEFAULTS = [
    step_ for name, value in DEFAULT_LIMITS.items() for step_ in lines(f"CONFIG SET {name} {value}")
]


def _script(text: str) -> list[Step]:
    return lines(text) + DEFAULTS


HASH_ENCODINGS = _script(
    """
    CONFIG SET hash-max-listpack-entries 2
    CONFIG SET hash-max-listpack-value 4
    HSET h b 2 a 1
    OBJECT ENCODING h
    HGETALL h
    HKEYS h
    HSET h b 3
    HGETALL h
    HSET h c 3
    OBJECT ENCODING h
    HLEN h
    # three pairs name two fields: Valkey converts from the number of pairs named
    HSET h2 f 1 f 2 f 3
    OBJECT ENCODING h2
    HGETALL h2
    HMSET h2b f 1 g 2
    OBJECT ENCODING h2b
    # a value or a field past hash-max-listpack-value
    HSET h3 a 12345
    OBJECT ENCODING h3
    HSET h4 a 1234
    OBJECT ENCODING h4
    HINCRBY h4 a 99999
    OBJECT ENCODING h4
    HSET h5 a 1
    HINCRBYFLOAT h5 a 0.5
    OBJECT ENCODING h5
    HINCRBYFLOAT h5 a 1000
    OBJECT ENCODING h5
    HSETNX h6 abcde v
    OBJECT ENCODING h6
    HSETNX h7 abcd v
    OBJECT ENCODING h7
    HSTRLEN h5 a
    # a listpack answers any SCAN at once, in order; random picks of one field are not random
    HSCAN h7 0 MATCH a* COUNT 1
    HSCAN h7 0 NOVALUES
    HSCAN h7 123 MATCH nomatch
    HRANDFIELD h7 -3 WITHVALUES
    HRANDFIELD h7 3 WITHVALUES
    HRANDFIELD h7 -2
    HRANDFIELD h7
    HRANDFIELD h7 0
    HRANDFIELD nokey 3 WITHVALUES
    HRANDFIELD nokey
    HDEL h4 a
    EXISTS h4
    # a hash emptied keeps nothing
    HDEL h a b c
    EXISTS h
    TYPE h
    CONFIG SET hash-max-listpack-entries 0
    HSET h8 a 1
    OBJECT ENCODING h8
    HGETALL h8
    CONFIG SET hash-max-listpack-entries 512
    CONFIG SET hash-max-listpack-value 0
    HSET h9 "" ""
    OBJECT ENCODING h9
    HSET h10 a ""
    OBJECT ENCODING h10
    """
)

SET_ENCODINGS = _script(
    """
    CONFIG SET set-max-intset-entries 3
    CONFIG SET set-max-listpack-entries 4
    CONFIG SET set-max-listpack-value 5
    SADD s 10 -3 7
    OBJECT ENCODING s
    SMEMBERS s
    # an intset past its limit becomes a hashtable, not a listpack
    SADD s 2
    OBJECT ENCODING s
    # non-canonical integers are strings
    SADD t1 007
    OBJECT ENCODING t1
    SADD t2 -0
    OBJECT ENCODING t2
    SADD t3 +1
    OBJECT ENCODING t3
    SADD t4 9223372036854775807
    OBJECT ENCODING t4
    SADD t5 9223372036854775808
    OBJECT ENCODING t5
    SADD t6 -9223372036854775808
    OBJECT ENCODING t6
    # a string member turns an intset into a listpack, in insertion order after the numbers
    SADD u 5 1 3
    SADD u b
    OBJECT ENCODING u
    SMEMBERS u
    SSCAN u 0
    SADD u2 5 1 3
    SADD u2 b a
    OBJECT ENCODING u2
    SISMEMBER u 3
    SMISMEMBER u 1 x a
    # four members named, two distinct: the size comes from what is named
    SADD v 1 1 1 1
    OBJECT ENCODING v
    SADD w a a a a a
    OBJECT ENCODING w
    SADD w2 a
    SADD w2 a a a a a
    OBJECT ENCODING w2
    # a member past set-max-listpack-value
    SADD x abcdef
    OBJECT ENCODING x
    SADD x2 abcde
    OBJECT ENCODING x2
    # SINTER answers in the order of its first smallest set
    SADD p c b a
    SADD q a b c
    SINTER p q
    SINTER q p
    SADD q d
    SINTER q p
    SINTERCARD 2 p q
    SINTERCARD 2 p q LIMIT 2
    # SUNION / SDIFF of intsets: an intset, in numeric order (while it fits one)
    SADD i1 30 10
    SADD i2 20 10
    SUNION i1 i2
    SDIFF i1 i2
    SDIFF i2 i1
    SUNIONSTORE d1 i1 i2
    OBJECT ENCODING d1
    SUNIONSTORE d2 i1 i2 s
    OBJECT ENCODING d2
    # SINTERSTORE of listpacks holding integers converts to an intset when it can
    SADD l1 a 1 2 3
    SADD l2 3 2 1 b
    SINTERSTORE d3 l1 l2
    OBJECT ENCODING d3
    SMEMBERS d3
    SINTERSTORE d4 l1 l1
    OBJECT ENCODING d4
    SMEMBERS d4
    SDIFFSTORE d5 l1 i1
    OBJECT ENCODING d5
    SMEMBERS d5
    SINTERSTORE d3 l1 nokey
    EXISTS d3
    # SMOVE makes its destination from one member
    SMOVE u m1 5
    OBJECT ENCODING m1
    SMOVE u m2 a
    OBJECT ENCODING m2
    SMEMBERS u
    # SPOP past the size answers the whole set and deletes it (an intset: in order)
    SPOP i1 100
    EXISTS i1
    SPOP i2 0
    SPOP i2 -1
    SPOP nokey 5
    SRANDMEMBER nokey 5
    SRANDMEMBER i2 0
    # random picks from one member are not random
    SADD one x
    SRANDMEMBER one -3
    SRANDMEMBER one 3
    SRANDMEMBER one
    SPOP one 1
    EXISTS one
    SADD one 7
    SPOP one
    EXISTS one
    CONFIG SET set-max-intset-entries 0
    SADD z 1
    OBJECT ENCODING z
    CONFIG SET set-max-listpack-entries 0
    SADD z2 a
    OBJECT ENCODING z2
    SADD z3 1
    OBJECT ENCODING z3
    """
)

LIST_ENCODINGS = _script(
    """
    CONFIG SET list-max-listpack-size 4
    RPUSH l a b c d
    OBJECT ENCODING l
    RPUSH l e
    OBJECT ENCODING l
    LRANGE l 0 -1
    RPOP l 2
    OBJECT ENCODING l
    RPOP l
    OBJECT ENCODING l
    LRANGE l 0 -1
    # LSET's index is cut to 32 bits: 2^32 is 0, 2^32-1 is -1, -2^63 is 0
    DEL l
    RPUSH l a b c
    LSET l 4294967296 X
    LSET l 4294967295 Y
    LSET l -9223372036854775808 Z
    LSET l 9223372036854775807 W
    LSET l 3 V
    LRANGE l 0 -1
    LINDEX l 4294967296
    LINDEX l -9223372036854775808
    CONFIG SET list-max-listpack-size 1
    RPUSH q a b c
    OBJECT ENCODING q
    LSET q 4294967296 X
    LSET q -4294967295 Y
    LRANGE q 0 -1
    DEL q
    RPUSH r a b c
    LINSERT r BEFORE b x
    LRANGE r 0 -1
    OBJECT ENCODING r
    LREM r 0 x
    LTRIM r 0 0
    OBJECT ENCODING r
    CONFIG SET list-max-listpack-size -1
    RPUSH big 0123456789012345678901234567890123456789
    OBJECT ENCODING big
    LPOS big x RANK 0
    LPOS big x RANK -9223372036854775808
    LPOS big x COUNT -1
    LPOS big x MAXLEN -1
    LMPOP 2 nokey big RIGHT COUNT 5
    EXISTS big
    """
)

ZSET_ENCODINGS = _script(
    """
    CONFIG SET zset-max-listpack-entries 2
    CONFIG SET zset-max-listpack-value 4
    ZADD z 1 a 2 b
    OBJECT ENCODING z
    ZADD z 3 c
    OBJECT ENCODING z
    # two pairs naming one member: the size comes from what is named
    ZADD y 1 a 2 a 3 a
    OBJECT ENCODING y
    ZADD x 1 a
    ZADD x 2 a 3 a 4 a
    OBJECT ENCODING x
    ZSCORE x a
    # a member past zset-max-listpack-value, named after a short one
    ZADD w -0 a -0 abcdef
    OBJECT ENCODING w
    ZRANGE w 0 -1 WITHSCORES
    ZADD v -0 a
    OBJECT ENCODING v
    ZSCORE v a
    ZRANGE v 0 -1 WITHSCORES
    ZADD v2 -1 a
    ZUNIONSTORE v3 1 v2 WEIGHTS 0
    ZSCORE v3 a
    # lex ranges over members of several scores walk the listpack in order
    CONFIG SET zset-max-listpack-entries 128
    ZADD m 3 b 1 d 2 a 4 c
    ZRANGE m [b [c BYLEX
    ZLEXCOUNT m [b [c
    ZRANGEBYLEX m - (c
    ZREVRANGEBYLEX m [d - LIMIT 0 2
    ZRANGE m ( [a BYLEX
    # a negative LIMIT offset: nothing from a listpack; from a skiplist, Valkey counts
    # a forward range's offset back from its end
    ZADD n 0 a 0 b 0 c
    ZRANGE n - + BYLEX LIMIT -1 2
    ZRANGEBYSCORE n -inf +inf LIMIT -2 5
    CONFIG SET zset-max-listpack-entries 1
    ZADD ns 0 a 0 b 0 c
    ZRANGE ns - + BYLEX LIMIT -1 2
    ZRANGE ns 0 10 BYSCORE LIMIT -1 2
    ZRANGEBYLEX ns - + LIMIT -1 1
    ZRANGEBYSCORE ns -inf +inf LIMIT -2 5
    ZRANGE ns 0 10 BYSCORE REV LIMIT -1 1
    ZRANGESTORE nd ns - + BYLEX LIMIT -1 5
    ZRANGE nd 0 -1
    CONFIG SET zset-max-listpack-entries 128
    ZRANK n b WITHSCORE
    ZREVRANK n b WITHSCORE
    ZRANK n nope WITHSCORE
    # ZRANGESTORE into a small result is a listpack again
    CONFIG SET zset-max-listpack-entries 2
    ZRANGESTORE c2 z 0 1
    OBJECT ENCODING c2
    ZUNIONSTORE c3 2 z c2 WEIGHTS 1 2 AGGREGATE MAX
    OBJECT ENCODING c3
    ZRANGE c3 0 -1 WITHSCORES
    ZINTERSTORE c4 2 z c2
    OBJECT ENCODING c4
    ZADD one 1.5 x
    ZRANDMEMBER one -2 WITHSCORES
    ZRANDMEMBER one 2 WITHSCORES
    ZRANDMEMBER one
    ZRANDMEMBER nokey 2
    ZSCAN one 0 MATCH x
    ZPOPMIN z 0
    ZPOPMAX z -1
    ZMPOP 1 z MIN COUNT 0
    ZINTERCARD 1 z LIMIT 1
    """
)

STRING_ENCODINGS = _script(
    """
    SET k 123
    OBJECT ENCODING k
    SET k 0123
    OBJECT ENCODING k
    SET k -9223372036854775808
    OBJECT ENCODING k
    SET k 9223372036854775808
    OBJECT ENCODING k
    SET k 12345678901234567890123456789012345678901234
    OBJECT ENCODING k
    SET k 123456789012345678901234567890123456789012345
    OBJECT ENCODING k
    SET k abc
    APPEND k d
    OBJECT ENCODING k
    SET k abc
    SETRANGE k 1 x
    OBJECT ENCODING k
    GET k
    SET k 10
    INCR k
    OBJECT ENCODING k
    INCRBYFLOAT k 0.5
    OBJECT ENCODING k
    GET k
    INCRBYFLOAT k 1e3
    INCRBYFLOAT k 5e4000
    INCRBYFLOAT k inf
    SETRANGE k 536870912 x
    SETRANGE k 536870912 ""
    SETRANGE new 0 ""
    EXISTS new
    GETRANGE k -100 100
    GETRANGE k 9223372036854775807 -9223372036854775808
    SETBIT b 7 1
    OBJECT ENCODING b
    BITCOUNT nokey x
    BITCOUNT nokey 1
    BITCOUNT b 0
    BITCOUNT b 0 -1 BIT
    BITPOS nokey 1 x
    BITPOS nokey 0
    BITPOS b 1 0 -1 BIT
    BITPOS b 0 1
    SET a ohmytext
    SET c mynewtext
    LCS a c
    LCS a c LEN
    LCS a c IDX MINMATCHLEN 4 WITHMATCHLEN
    GETEX a EXAT 1
    EXISTS a
    """
)

KEYSPACE_TYPES = _script(
    """
    CONFIG SET hash-max-listpack-entries 1
    CONFIG SET set-max-intset-entries 1
    SET k v
    HSET h f v
    HSET hh f v g w
    SADD s 1
    SADD ss 1 2
    SADD sl a
    RPUSH l a
    ZADD z 1 a
    SCAN 0 TYPE zset COUNT 1000
    SCAN 0 TYPE ZSET COUNT 1000
    SCAN 0 TYPE list COUNT 1000
    SCAN 0 MATCH h? TYPE hash COUNT 1000
    SCAN 0 TYPE stream COUNT 1000
    SCAN 0 TYPE nosuchtype
    TYPE k
    TYPE h
    TYPE s
    TYPE l
    TYPE z
    TYPE nokey
    COPY hh hc
    OBJECT ENCODING hc
    HGETALL h
    COPY s sc
    OBJECT ENCODING sc
    COPY ss ssc
    OBJECT ENCODING ssc
    COPY sl slc
    OBJECT ENCODING slc
    COPY l lc
    OBJECT ENCODING lc
    COPY z zc
    OBJECT ENCODING zc
    COPY k kc
    OBJECT ENCODING kc
    COPY k h
    COPY k h REPLACE
    TYPE h
    RENAME z z2
    TYPE z2
    OBJECT ENCODING z2
    SCAN 0 MATCH z2 COUNT 1000
    KEYS hc
    HGET k f
    SADD h x
    LPUSH s x
    ZADD l 1 x
    GET z2
    SINTER s k
    ZUNION 2 s z2 WITHSCORES
    ZUNIONSTORE zs 2 ss z2 WEIGHTS 2 1
    ZRANGE zs 0 -1 WITHSCORES
    OBJECT ENCODING nokey
    """
)

TYPE_SCRIPTS: dict[str, list[Step]] = {
    "hash_encodings": HASH_ENCODINGS,
    "set_encodings": SET_ENCODINGS,
    "list_encodings": LIST_ENCODINGS,
    "zset_encodings": ZSET_ENCODINGS,
    "string_encodings": STRING_ENCODINGS,
    "keyspace_types": KEYSPACE_TYPES,
}
