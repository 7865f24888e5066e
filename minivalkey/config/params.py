"""The parameter table: every configuration parameter Valkey 8.0.1 has.

Each ``Param`` says what CONFIG GET/SET, the config file and CONFIG REWRITE need:
its kind, default, bounds, aliases and Valkey's flags. Kinds:

* ``bool``: ``yes`` / ``no``.
* ``int``: a number kept in the C type ``ctype`` (``int``, ``uint``, ``long``,
  ``ulong``, ``llong``, ``ullong``, ``size_t``, ``ssize_t``, ``time_t``, ``off_t``),
  written as ``unit`` says: plain digits, ``memory`` (a byte count with an
  optional unit), ``octal``, or ``memory percent`` (a byte count or ``N%``).
* ``enum``: one of ``choices`` (several at once for ``multi_arg`` enums, which are
  bit flags); names sharing a value are synonyms, the first one is canonical.
* ``string``: text; ``empty_is_null`` strings treat "" as unset. ``check`` names a
  validation rule (``values.check_string``).
* One kind per parameter with a syntax of its own: ``dir``, ``save``, ``bind``,
  ``notify-keyspace-events``, ``client-output-buffer-limit``,
  ``oom-score-adj-values``, ``replicaof``, ``latency-tracking-info-percentiles``.

Flags, as Valkey's: ``mutable`` is False for immutable parameters (CONFIG SET
refuses them); ``protected`` ones need ``enable-protected-configs``; ``hidden``
ones are only found by their exact name (no CONFIG GET pattern lists them);
``multi_arg`` ones take several words; ``debug``, ``sensitive``, ``deny_loading``
and ``volatile`` are recorded for completeness (nothing here loads data or logs
commands). ``apply`` names a run-time effect CONFIG SET performs after parsing,
which may refuse the change (``values.apply_check``). ``clamp`` caps a number after
a successful parse.

Most parameters change nothing in this server (replication, persistence, TLS,
cluster...): they are kept, reported and rewritten exactly as Valkey does.

Invariants: names and aliases are lower case and unique across the table; the
table keeps Valkey's order; this module imports nothing of the server.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

INT_MIN = -(2**31)
INT_MAX = 2**31 - 1
UINT_MAX = 2**32 - 1
LONG_MAX = 2**63 - 1
ULONG_MAX = 2**64 - 1
ULLONG_MAX = 2**64 - 1

# The C types whose bounds are compared as unsigned numbers.
UNSIGNED_CTYPES = frozenset({"uint", "ulong", "ullong", "size_t"})
# Bits of each C type (what a stored number wraps to).
CTYPE_BITS = {
    "int": 32, "uint": 32, "long": 64, "ulong": 64, "llong": 64, "ullong": 64,
    "size_t": 64, "ssize_t": 64, "time_t": 64, "off_t": 64,
}  # fmt: skip


@dataclass(frozen=True)
class Param:
    name: str
    kind: str
    default: object
    mutable: bool = True
    protected: bool = False
    hidden: bool = False
    debug: bool = False
    sensitive: bool = False
    multi_arg: bool = False
    deny_loading: bool = False
    volatile: bool = False
    minimum: int = 0
    maximum: int = LONG_MAX
    ctype: str = "llong"
    unit: str = ""
    clamp: tuple[int, int] | None = None
    choices: tuple[str, ...] = ()
    choice_values: tuple[int, ...] = ()
    aliases: tuple[str, ...] = ()
    empty_is_null: bool = False
    check: str = ""
    apply: str = ""

    @property
    def unsigned(self) -> bool:
        return self.ctype in UNSIGNED_CTYPES


Choices = tuple[tuple[str, int], ...]


class _Flags(TypedDict):
    mutable: bool
    protected: bool
    hidden: bool
    debug: bool
    sensitive: bool
    multi_arg: bool
    deny_loading: bool
    volatile: bool


def _flags(flags: str) -> _Flags:
    words = flags.split()
    known = {"immutable", "protected", "hidden", "debug", "sensitive", "multi"}
    known |= {"deny_loading", "volatile"}
    unknown = set(words) - known
    if unknown:
        raise ValueError(f"unknown parameter flags {sorted(unknown)}")
    return {
        "mutable": "immutable" not in words,
        "protected": "protected" in words,
        "hidden": "hidden" in words,
        "debug": "debug" in words,
        "sensitive": "sensitive" in words,
        "multi_arg": "multi" in words,
        "deny_loading": "deny_loading" in words,
        "volatile": "volatile" in words,
    }


def _aliases(alias: str | None) -> tuple[str, ...]:
    return (alias,) if alias else ()


def _bool(
    name: str, default: bool, alias: str | None = None, flags: str = "", apply: str = ""
) -> Param:
    return Param(name, "bool", default, aliases=_aliases(alias), apply=apply, **_flags(flags))


def _string(
    name: str,
    default: str,
    null: bool = False,
    alias: str | None = None,
    flags: str = "",
    check: str = "",
    apply: str = "",
) -> Param:
    return Param(
        name,
        "string",
        default,
        empty_is_null=null,
        aliases=_aliases(alias),
        check=check,
        apply=apply,
        **_flags(flags),
    )


def _enum(
    name: str, choices: Choices, default: str, alias: str | None = None, flags: str = ""
) -> Param:
    return Param(
        name,
        "enum",
        default,
        choices=tuple(choice for choice, _ in choices),
        choice_values=tuple(value for _, value in choices),
        aliases=_aliases(alias),
        **_flags(flags),
    )


def _number(
    name: str,
    ctype: str,
    minimum: int,
    maximum: int,
    default: int,
    unit: str = "",
    alias: str | None = None,
    flags: str = "",
    clamp: tuple[int, int] | None = None,
    apply: str = "",
) -> Param:
    return Param(
        name,
        "int",
        default,
        minimum=minimum,
        maximum=maximum,
        ctype=ctype,
        unit=unit,
        clamp=clamp,
        aliases=_aliases(alias),
        apply=apply,
        **_flags(flags),
    )


def _special(name: str, default: object, alias: str | None = None, flags: str = "") -> Param:
    return Param(name, name, default, aliases=_aliases(alias), **_flags(flags))


def _plain(*names: str) -> Choices:
    return tuple((name, value) for value, name in enumerate(names))


EVICTION_POLICIES = _plain(
    "volatile-lru",
    "volatile-lfu",
    "volatile-random",
    "volatile-ttl",
    "allkeys-lru",
    "allkeys-lfu",
    "allkeys-random",
    "noeviction",
)
_SYSLOG_FACILITIES = _plain("user", *(f"local{n}" for n in range(8)))
_LOGLEVELS = _plain("debug", "verbose", "notice", "warning", "nothing")
_SUPERVISED = _plain("upstart", "systemd", "auto", "no")
_FSYNC = _plain("everysec", "always", "no")
# Bit flags: several may be given together.
_SHUTDOWN_ON_SIGNAL = (("default", 0), ("save", 1), ("nosave", 2), ("now", 4), ("force", 8))
_DISKLESS_LOAD = _plain("disabled", "on-empty-db", "swapdb")
_TLS_AUTH_CLIENTS = _plain("no", "yes", "optional")
# "yes" and "relative" are the same setting.
_OOM_SCORE_ADJ = (("no", 0), ("yes", 1), ("relative", 1), ("absolute", 2))
_ACL_PUBSUB = (("allchannels", 1), ("resetchannels", 0))
_SANITIZE = _plain("no", "yes", "clients")
_PROTECTED_ACTION = _plain("no", "yes", "local")
_ENDPOINT_TYPES = _plain("ip", "hostname", "unknown-endpoint")
_PROPAGATION_ERRORS = _plain("ignore", "panic", "panic-on-replicas")

# client-output-buffer-limit: (class, hard bytes, soft bytes, soft seconds) per class.
OBUF_CLASSES = ("normal", "slave", "pubsub")
OBUF_DEFAULTS = ((0, 0, 0), (256 * 1024**2, 64 * 1024**2, 60), (32 * 1024**2, 8 * 1024**2, 60))

# Valkey 8.0.1's table, in its order.
PARAMS: tuple[Param, ...] = (
    # -- yes/no parameters
    _bool('rdbchecksum', True, flags='immutable'),
    _bool('daemonize', False, flags='immutable'),
    _bool('io-threads-do-reads', True, flags='immutable debug'),
    _bool('always-show-logo', False, flags='immutable'),
    _bool('protected-mode', True),
    _bool('rdbcompression', True),
    _bool('rdb-del-sync-files', False),
    _bool('activerehashing', True),
    _bool('stop-writes-on-bgsave-error', True),
    _bool('set-proc-title', True, flags='immutable'),
    _bool('dynamic-hz', True),
    _bool('lazyfree-lazy-eviction', True, flags='debug'),
    _bool('lazyfree-lazy-expire', True, flags='debug'),
    _bool('lazyfree-lazy-server-del', True, flags='debug'),
    _bool('lazyfree-lazy-user-del', True, flags='debug'),
    _bool('lazyfree-lazy-user-flush', True, flags='debug'),
    _bool('repl-disable-tcp-nodelay', False),
    _bool('repl-diskless-sync', True, flags='debug'),
    _bool('dual-channel-replication-enabled', False, flags='debug'),
    _bool('aof-rewrite-incremental-fsync', True),
    _bool('no-appendfsync-on-rewrite', False),
    _bool('cluster-require-full-coverage', True),
    _bool('rdb-save-incremental-fsync', True),
    _bool('aof-load-truncated', True),
    _bool('aof-use-rdb-preamble', True),
    _bool('aof-timestamp-enabled', False),
    _bool('cluster-replica-no-failover', False, alias='cluster-slave-no-failover'),
    _bool('replica-lazy-flush', True, alias='slave-lazy-flush'),
    _bool('replica-serve-stale-data', True, alias='slave-serve-stale-data'),
    _bool('replica-read-only', True, alias='slave-read-only', flags='debug'),
    _bool('replica-ignore-maxmemory', True, alias='slave-ignore-maxmemory'),
    _bool('jemalloc-bg-thread', True),
    _bool('activedefrag', False, flags='debug'),
    _bool('syslog-enabled', False, flags='immutable'),
    _bool('cluster-enabled', False, flags='immutable'),
    _bool('appendonly', False, flags='deny_loading'),
    _bool('cluster-allow-reads-when-down', False),
    _bool('cluster-allow-pubsubshard-when-down', True),
    _bool('crash-log-enabled', True),
    _bool('crash-memcheck-enabled', True),
    _bool('use-exit-on-panic', False, flags='hidden'),
    _bool('disable-thp', True, flags='immutable'),
    _bool('cluster-allow-replica-migration', True),
    _bool('replica-announced', True),
    _bool('latency-tracking', True),
    _bool('aof-disable-auto-gc', False, flags='hidden'),
    _bool('replica-ignore-disk-write-errors', False),
    _bool('extended-redis-compatibility', False),
    _bool('enable-debug-assert', False, flags='immutable hidden'),
    _bool('cluster-slot-stats-enabled', False),
    _bool('hide-user-data-from-log', True),
    # -- strings ('null': an empty value means unset, and CONFIG REWRITE leaves it out)
    _string('aclfile', '', flags='immutable'),
    _string('unixsocket', '', null=True, flags='immutable'),
    _string('unixsocketgroup', '', null=True, flags='immutable'),
    _string('pidfile', '', null=True, flags='immutable'),
    _string('replica-announce-ip', '', null=True, alias='slave-announce-ip'),
    _string('primaryuser', '', null=True, alias='masteruser', flags='sensitive'),
    _string('cluster-announce-ip', '', null=True),
    _string('cluster-announce-client-ipv4', '', null=True, check='ipv4'),
    _string('cluster-announce-client-ipv6', '', null=True, check='ipv6'),
    _string('cluster-config-file', 'nodes.conf', flags='immutable', check='nonempty'),
    _string('cluster-announce-hostname', '', null=True, check='hostname'),
    _string('cluster-announce-human-nodename', '', null=True, check='nodename'),
    _string('syslog-ident', 'valkey', flags='immutable'),
    _string('dbfilename', 'dump.rdb', flags='protected', check='filename'),
    _string('appendfilename', 'appendonly.aof', flags='immutable', check='filename'),
    _string('appenddirname', 'appendonlydir', flags='immutable', check='dirname'),
    _string('server-cpulist', '', null=True, alias='server_cpulist', flags='immutable'),
    _string('bio-cpulist', '', null=True, alias='bio_cpulist', flags='immutable'),
    _string('aof-rewrite-cpulist', '', null=True, alias='aof_rewrite_cpulist', flags='immutable'),
    _string('bgsave-cpulist', '', null=True, alias='bgsave_cpulist', flags='immutable'),
    _string('ignore-warnings', ''),
    _string('proc-title-template', '{title} {listen-addr} {server-mode}', check='proc-title'),
    _string('bind-source-addr', '', null=True),
    _string('logfile', '', flags='immutable'),
    _string('locale-collate', '', apply='locale'),
    _string('debug-context', '', flags='hidden debug'),
    _string('primaryauth', '', null=True, alias='masterauth', flags='sensitive'),
    _string('requirepass', '', null=True, flags='sensitive'),
    _string('availability-zone', ''),
    # -- choices
    _enum('supervised', _SUPERVISED, 'no', flags='immutable'),
    _enum('syslog-facility', _SYSLOG_FACILITIES, 'local0', flags='immutable'),
    _enum('repl-diskless-load', _DISKLESS_LOAD, 'disabled', flags='debug deny_loading'),
    _enum('loglevel', _LOGLEVELS, 'notice'),
    _enum('maxmemory-policy', EVICTION_POLICIES, 'noeviction'),
    _enum('appendfsync', _FSYNC, 'everysec'),
    _enum('oom-score-adj', _OOM_SCORE_ADJ, 'no'),
    _enum('acl-pubsub-default', _ACL_PUBSUB, 'resetchannels'),
    _enum('sanitize-dump-payload', _SANITIZE, 'no', flags='debug'),
    _enum('enable-protected-configs', _PROTECTED_ACTION, 'no', flags='immutable'),
    _enum('enable-debug-command', _PROTECTED_ACTION, 'no', flags='immutable'),
    _enum('enable-module-command', _PROTECTED_ACTION, 'no', flags='immutable'),
    _enum('cluster-preferred-endpoint-type', _ENDPOINT_TYPES, 'ip'),
    _enum('propagation-error-behavior', _PROPAGATION_ERRORS, 'ignore'),
    _enum('shutdown-on-sigint', _SHUTDOWN_ON_SIGNAL, 'default', flags='multi'),
    _enum('shutdown-on-sigterm', _SHUTDOWN_ON_SIGNAL, 'default', flags='multi'),
    # -- numbers, with the C type Valkey keeps them in
    _number('databases', 'int', 1, INT_MAX, 16, flags='immutable'),
    _number('port', 'int', 0, 65535, 6379),
    _number('io-threads', 'int', 1, 128, 1, flags='immutable debug'),
    _number('events-per-io-thread', 'int', 0, INT_MAX, 2),
    _number('prefetch-batch-max-size', 'int', 0, 128, 16),
    _number('auto-aof-rewrite-percentage', 'int', 0, INT_MAX, 100),
    _number('cluster-replica-validity-factor',
        'int', 0, INT_MAX, 10, alias='cluster-slave-validity-factor'),
    _number('list-max-listpack-size', 'int', INT_MIN, INT_MAX, -2, alias='list-max-ziplist-size'),
    _number('tcp-keepalive', 'int', 0, INT_MAX, 300),
    _number('cluster-migration-barrier', 'int', 0, INT_MAX, 1),
    _number('active-defrag-cycle-min', 'int', 1, 99, 1),
    _number('active-defrag-cycle-max', 'int', 1, 99, 25),
    _number('active-defrag-threshold-lower', 'int', 0, 1000, 10),
    _number('active-defrag-threshold-upper', 'int', 0, 1000, 100),
    _number('lfu-log-factor', 'int', 0, INT_MAX, 10),
    _number('lfu-decay-time', 'int', 0, INT_MAX, 1),
    _number('replica-priority', 'int', 0, INT_MAX, 100, alias='slave-priority'),
    _number('repl-diskless-sync-delay', 'int', 0, INT_MAX, 5),
    _number('maxmemory-samples', 'int', 1, 64, 5),
    _number('maxmemory-eviction-tenacity', 'int', 0, 100, 10),
    _number('timeout', 'int', 0, INT_MAX, 0),
    _number('replica-announce-port', 'int', 0, 65535, 0, alias='slave-announce-port'),
    _number('tcp-backlog', 'int', 0, INT_MAX, 511, flags='immutable'),
    _number('cluster-port', 'int', 0, 65535, 0, flags='immutable'),
    _number('cluster-announce-bus-port', 'int', 0, 65535, 0),
    _number('cluster-announce-port', 'int', 0, 65535, 0),
    _number('cluster-announce-tls-port', 'int', 0, 65535, 0),
    _number('repl-timeout', 'int', 1, INT_MAX, 60),
    _number('repl-ping-replica-period', 'int', 1, INT_MAX, 10, alias='repl-ping-slave-period'),
    _number('list-compress-depth', 'int', 0, INT_MAX, 0, flags='debug'),
    _number('rdb-key-save-delay', 'int', INT_MIN, INT_MAX, 0, flags='hidden'),
    _number('key-load-delay', 'int', INT_MIN, INT_MAX, 0, flags='hidden'),
    _number('active-expire-effort', 'int', 1, 10, 1),
    # Any hz is accepted and then capped to 1..500, as Valkey does.
    _number('hz', 'int', 0, INT_MAX, 10, clamp=(1, 500)),
    _number('min-replicas-to-write', 'int', 0, INT_MAX, 0, alias='min-slaves-to-write'),
    _number('min-replicas-max-lag', 'int', 0, INT_MAX, 10, alias='min-slaves-max-lag'),
    _number('watchdog-period', 'int', 0, INT_MAX, 0, flags='hidden'),
    _number('shutdown-timeout', 'int', 0, INT_MAX, 10),
    _number('repl-diskless-sync-max-replicas', 'int', 0, INT_MAX, 0),
    _number('maxclients', 'uint', 1, UINT_MAX, 10000, apply='open-files'),
    _number('unixsocketperm', 'uint', 0, 0o777, 0, unit='octal', flags='immutable'),
    _number('socket-mark-id', 'uint', 0, UINT_MAX, 0, flags='immutable'),
    _number('max-new-connections-per-cycle', 'uint', 1, 1000, 10),
    _number('max-new-tls-connections-per-cycle', 'uint', 1, 1000, 1),
    _number('active-defrag-max-scan-fields', 'ulong', 1, LONG_MAX, 1000),
    _number('slowlog-max-len', 'ulong', 0, LONG_MAX, 128),
    _number('acllog-max-len', 'ulong', 0, LONG_MAX, 128),
    _number('cluster-blacklist-ttl', 'ulong', 0, ULONG_MAX, 60),
    _number('busy-reply-threshold', 'llong', 0, LONG_MAX, 5000, alias='lua-time-limit'),
    _number('cluster-node-timeout', 'llong', 0, LONG_MAX, 15000),
    _number('cluster-ping-interval', 'llong', 0, LONG_MAX, 0, flags='hidden'),
    _number('slowlog-log-slower-than', 'llong', -1, LONG_MAX, 10000),
    _number('latency-monitor-threshold', 'llong', 0, LONG_MAX, 0),
    _number('proto-max-bulk-len',
        'llong', 1024 * 1024, LONG_MAX, 512 * 1024 * 1024, unit='memory', flags='debug'),
    _number('stream-node-max-entries', 'llong', 0, LONG_MAX, 100),
    # A backlog is at least 16kb: smaller sizes are raised to that, as Valkey does.
    _number('repl-backlog-size', 'llong', 1, LONG_MAX, 10 * 1024 * 1024, unit='memory',
            clamp=(16384, LONG_MAX)),
    _number('maxmemory', 'ullong', 0, ULLONG_MAX, 0, unit='memory'),
    _number('cluster-link-sendbuf-limit', 'ullong', 0, ULLONG_MAX, 0, unit='memory'),
    _number('hash-max-listpack-entries',
        'size_t', 0, LONG_MAX, 512, alias='hash-max-ziplist-entries'),
    _number('set-max-intset-entries', 'size_t', 0, LONG_MAX, 512),
    _number('set-max-listpack-entries', 'size_t', 0, LONG_MAX, 128),
    _number('set-max-listpack-value', 'size_t', 0, LONG_MAX, 64),
    _number('zset-max-listpack-entries',
        'size_t', 0, LONG_MAX, 128, alias='zset-max-ziplist-entries'),
    _number('active-defrag-ignore-bytes', 'size_t', 1, LONG_MAX, 100 << 20, unit='memory'),
    _number('hash-max-listpack-value',
        'size_t', 0, LONG_MAX, 64, unit='memory', alias='hash-max-ziplist-value'),
    _number('stream-node-max-bytes', 'size_t', 0, LONG_MAX, 4096, unit='memory'),
    _number('zset-max-listpack-value',
        'size_t', 0, LONG_MAX, 64, unit='memory', alias='zset-max-ziplist-value'),
    _number('hll-sparse-max-bytes', 'size_t', 0, LONG_MAX, 3000, unit='memory'),
    _number('tracking-table-max-keys', 'size_t', 0, LONG_MAX, 1000000),
    _number('client-query-buffer-limit',
        'size_t', 1024 * 1024, LONG_MAX, 1024 * 1024 * 1024, unit='memory', flags='debug'),
    _number('maxmemory-clients', 'ssize_t', -100, LONG_MAX, 0, unit='memory percent'),
    _number('repl-backlog-ttl', 'time_t', 0, LONG_MAX, 60 * 60),
    _number('auto-aof-rewrite-min-size', 'off_t', 0, LONG_MAX, 64 * 1024 * 1024, unit='memory'),
    _number('loading-process-events-interval-bytes',
        'off_t', 1024, INT_MAX, 1024 * 1024 * 2, flags='hidden'),
    # -- TLS (this server has no TLS)
    # No TLS here: a TLS listener or TLS links cannot be turned on.
    _number('tls-port', 'int', 0, 65535, 0, apply='tls'),
    _number('tls-session-cache-size', 'int', 0, INT_MAX, 20 * 1024),
    _number('tls-session-cache-timeout', 'int', 0, INT_MAX, 300),
    _bool('tls-cluster', False, apply='tls'),
    _bool('tls-replication', False, apply='tls'),
    _enum('tls-auth-clients', _TLS_AUTH_CLIENTS, 'yes'),
    _bool('tls-prefer-server-ciphers', False),
    _bool('tls-session-caching', True),
    _string('tls-cert-file', '', null=True, flags='volatile'),
    _string('tls-key-file', '', null=True, flags='volatile'),
    _string('tls-key-file-pass', '', null=True, flags='sensitive'),
    _string('tls-client-cert-file', '', null=True, flags='volatile'),
    _string('tls-client-key-file', '', null=True, flags='volatile'),
    _string('tls-client-key-file-pass', '', null=True, flags='sensitive'),
    _string('tls-dh-params-file', '', null=True, flags='volatile'),
    _string('tls-ca-cert-file', '', null=True, flags='volatile'),
    _string('tls-ca-cert-dir', '', null=True, flags='volatile'),
    _string('tls-protocols', '', null=True),
    _string('tls-ciphers', '', null=True),
    _string('tls-ciphersuites', '', null=True),
    # -- parameters with a syntax of their own
    _special('dir', '.', flags='protected deny_loading'),
    # Nothing is ever saved here, so the default save policy is empty.
    _special('save', '', flags='multi'),
    _special('client-output-buffer-limit', OBUF_DEFAULTS, flags='multi'),
    _special('oom-score-adj-values', '0 200 800', flags='multi'),
    _special('notify-keyspace-events', 0),
    # Valkey listens on "* -::*" by default; an embedded test server stays on loopback.
    _special('bind', '127.0.0.1', flags='multi'),
    _special('replicaof', '', alias='slaveof', flags='immutable multi'),
    _special('latency-tracking-info-percentiles', '50 99 99.9', flags='multi'),
)

BY_NAME: dict[str, Param] = {}
"""Every parameter under its name and under each alias (lower case)."""
for _param in PARAMS:
    for _name in (_param.name, *_param.aliases):
        if _name in BY_NAME:
            raise ValueError(f"configuration parameter {_name} listed twice")
        BY_NAME[_name] = _param

# Directives a config file may hold that are no parameters: Valkey's own ones (this
# server reads them and does nothing: no users, modules, renames or sentinel), and
# the retired ones Valkey still tolerates with one argument.
FILE_ONLY_DIRECTIVES = frozenset({"include", "rename-command", "user", "loadmodule", "sentinel"})
RETIRED_DIRECTIVES = frozenset(
    {"list-max-ziplist-entries", "list-max-ziplist-value", "lua-replicate-commands"}
)


def find_param(name: str) -> Param | None:
    """The parameter called ``name`` (or one of its aliases), in any case."""
    return BY_NAME.get(name.lower())
