"""DUMP and RESTORE: a key's value as Valkey 8.0.1's serialized payload, and back.

The payload is the value's RDB serialization followed by the RDB version and a
CRC-64 (see ``rdb``): DUMP of a value here RESTOREs on valkey-server 8.0.1 and the
other way round.

Invariants:
* DUMP reads with a keyspace hit or miss (lookupKeyRead) and answers a null for a
  missing key; the payload is compressed as ``rdbcompression`` says.
* RESTORE checks in Valkey's order and changes nothing before the last check: the
  options (REPLACE, ABSTTL, IDLETIME >= 0 or FREQ 0..255, never both), the target
  (BUSYKEY unless REPLACE), the TTL (an integer >= 0), the footer (version and
  checksum), then the body, loaded into a fresh value; ``sanitize-dump-payload``
  yes/clients turns on the deep checks (``rdb.LoadContext.deep``).
* A relative TTL is added to the command time with int64 wrap-around, as Valkey's
  C arithmetic does; a deadline at or before the command time stores nothing (the
  replaced key is then deleted, with a ``del`` event).
* REPLACE deletes the old key as Valkey's dbDelete does, whatever its deadline: a
  key past it is deleted, not expired (no ``expired`` event, no expired_keys).
* A restored key is added with ``Database.add``, so blocked readers of it are
  served; its keyspace event is ``restore`` (class GENERIC), after the WATCH touch.
* IDLETIME (any policy but LFU) sets the key's last access that many seconds back,
  FREQ (an LFU policy) its LFU counter, as Valkey's objectSetLRUOrLFU; the other
  option is validated and ignored. Either turns access tracking on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import events, rdb
from ..errors import NOT_INTEGER, SYNTAX, CommandError
from ..replies import OK
from .args import option, parse_int
from .keys import lookup_read
from .table import command

if TYPE_CHECKING:
    from ..session import Client

BUSYKEY = "BUSYKEY Target key name already exists."
INVALID_TTL = "ERR Invalid TTL value, must be >= 0"
INVALID_IDLETIME = "ERR Invalid IDLETIME value, must be >= 0"
INVALID_FREQ = "ERR Invalid FREQ value, must be >= 0 and <= 255"
BAD_PAYLOAD_FOOTER = "ERR DUMP payload version or checksum are wrong"
BAD_DATA_FORMAT = "ERR Bad data format"

_U64 = 2**64
_INT64_MAX = 2**63 - 1


def _wrap_int64(value: int) -> int:
    value %= _U64
    return value - _U64 if value > _INT64_MAX else value


def _set_access(client: Client, key: bytes, idle: int, freq: int) -> None:
    """Valkey's objectSetLRUOrLFU: FREQ sets the LFU counter under an LFU policy,
    IDLETIME the last access (``idle`` seconds ago) under any other; the other option
    is ignored. Either one needs access tracking from now on."""
    lfu = "lfu" in str(client.core.config.values["maxmemory-policy"])
    if (freq if lfu else idle) < 0:
        return
    core = client.core
    core.want_access_tracking()
    keyspace = core.keyspace
    if lfu:
        client.db.lfu[key] = (keyspace.lfu_minutes() << 8) | freq
    else:
        client.db.access[key] = keyspace.now_ms - idle * 1000


@command(
    "dump",
    2,
    "readonly",
    keys=(1, 1, 1),
    since="2.6.0",
    acl="@keyspace",
    tips="nondeterministic_output",
    key_flags="RO access",
    summary="Answers the serialized form of a key's value, as RESTORE takes it.",
    complexity="O(1) to access the key and additional O(N*M) to serialize it, where N is "
    "the number of objects composing the value and M their average size. For small "
    "string values the time complexity is thus O(1)+O(1*M) where M is small, so simply "
    "O(1).",
)
def dump(client: Client, argv: list[bytes]) -> Any:
    value = lookup_read(client, argv[1])
    if value is None:
        return None
    return rdb.dump(value, bool(client.core.config.values["rdbcompression"]))


@command(
    "restore",
    -4,
    "write denyoom",
    keys=(1, 1, 1),
    since="2.6.0",
    acl="@keyspace @dangerous",
    key_flags="OW update",
    summary="Creates a key from a serialized value made by DUMP.",
    complexity="O(1) to create the new key and additional O(N*M) to reconstruct the "
    "serialized value, where N is the number of objects composing the value and M their "
    "average size. For small string values the time complexity is thus O(1)+O(1*M) where "
    "M is small, so simply O(1). However for sorted set values the complexity is "
    "O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).",
)
def restore(client: Client, argv: list[bytes]) -> Any:
    key, payload = argv[1], argv[3]
    replace = absttl = False
    idle = freq = -1
    j = 4
    count = len(argv)
    while j < count:
        name = option(argv[j])
        more = j + 1 < count
        if name == b"replace":
            replace = True
        elif name == b"absttl":
            absttl = True
        elif name == b"idletime" and more and freq == -1:
            idle = parse_int(argv[j + 1])
            if idle < 0:
                raise CommandError(INVALID_IDLETIME)
            j += 1
        elif name == b"freq" and more and idle == -1:
            freq = parse_int(argv[j + 1])
            if not 0 <= freq <= 255:
                raise CommandError(INVALID_FREQ)
            j += 1
        else:
            raise CommandError(SYNTAX)
        j += 1
    db = client.db
    if not replace and db.lookup(key) is not None:
        raise CommandError(BUSYKEY)
    ttl = parse_int(argv[2], NOT_INTEGER)
    if ttl < 0:
        raise CommandError(INVALID_TTL)
    if not rdb.check_footer(payload):
        raise CommandError(BAD_PAYLOAD_FOOTER)
    # "clients": every client here is one (no primary link, no skip-sanitize-payload user)
    config = client.core.config.values
    context = rdb.LoadContext(config, deep=config["sanitize-dump-payload"] != "no")
    try:
        value = rdb.load(payload, context)
    except rdb.RdbError:
        raise CommandError(BAD_DATA_FORMAT) from None
    deleted = False
    if replace:
        if db.is_expired(key):
            # Valkey's dbDelete removes the key without looking at its deadline: a
            # deletion (a "del" below if nothing is stored), not an expiry.
            db.expires.pop(key)
        deleted = db.delete(key)
    now = client.core.keyspace.now_ms
    if ttl and not absttl:
        ttl = _wrap_int64(ttl + now)
    if ttl and ttl <= now:
        if deleted:
            db.touch(key)
            db.notify(events.GENERIC, "del", key)
        return OK
    db.add(key, value)
    if ttl:
        db.set_expire(key, ttl)
    if idle >= 0 or freq >= 0:
        _set_access(client, key, idle, freq)
    db.touch(key)
    db.notify(events.GENERIC, "restore", key)
    return OK
