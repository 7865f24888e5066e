"""Server configuration parameters: the ones Valkey has that this server honours.

Each ``Param`` knows its kind (bool, int, memory, enum, string), its default, its
bounds and whether CONFIG SET may change it. Values are stored already parsed
(``int`` for int and memory, ``bool`` for bool, ``str`` otherwise) and printed
back by ``Config.render`` the way CONFIG GET prints them.

Invariants: every name in ``Config.values`` is a canonical parameter name from
``PARAMS``; aliases resolve to canonical names before lookup; an invalid value
raises ``ConfigError`` and leaves the configuration unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .glob import glob_match


class ConfigError(Exception):
    """A value Valkey would refuse; the text is Valkey's reason (without prefix)."""


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # "bool", "int", "memory", "enum", "string"
    default: object
    mutable: bool = True
    minimum: int = 0
    maximum: int = 2**63 - 1
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


_MEMORY_UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1024,
    "m": 1000**2,
    "mb": 1024**2,
    "g": 1000**3,
    "gb": 1024**3,
}


def parse_memory(text: str) -> int | None:
    """Valkey's memtoull: a number with an optional unit (k, kb, m, mb, g, gb)."""
    lowered = text.lower()
    digits = lowered.rstrip("kmgb")
    unit = lowered[len(digits) :]
    if unit not in _MEMORY_UNITS or not digits.lstrip("-").isdigit():
        return None
    return int(digits) * _MEMORY_UNITS[unit]


def _parse_int(text: str) -> int | None:
    body = text[1:] if text[:1] == "-" else text
    if not body.isdigit():
        return None
    return int(text)


PARAMS: tuple[Param, ...] = (
    Param("port", "int", 6379, maximum=65535),
    Param("bind", "string", "127.0.0.1", mutable=True),
    Param("unixsocket", "string", "", mutable=False),
    Param("unixsocketperm", "int", 0, mutable=False, maximum=0o777),
    Param("requirepass", "string", ""),
    Param("databases", "int", 16, mutable=False, minimum=1, maximum=2**31 - 1),
    Param("maxclients", "int", 10000, minimum=1, maximum=2**32 - 1),
    Param("loglevel", "enum", "notice", choices=("debug", "verbose", "notice", "warning", "nothing")),
    Param("logfile", "string", "", mutable=False),
    Param("timeout", "int", 0, maximum=2**31 - 1),
    Param("tcp-keepalive", "int", 300, maximum=2**31 - 1),
    Param("tcp-backlog", "int", 511, mutable=False, maximum=2**31 - 1),
    Param("protected-mode", "bool", True),
    Param("daemonize", "bool", False, mutable=False),
    Param("pidfile", "string", "", mutable=False),
    Param("dir", "string", ".", mutable=False),
    Param("dbfilename", "string", "dump.rdb", mutable=False),
    Param("save", "string", ""),
    Param("appendonly", "bool", False),
    Param("hz", "int", 10, minimum=1, maximum=500),
    Param("maxmemory", "memory", 0),
    Param(
        "maxmemory-policy",
        "enum",
        "noeviction",
        choices=(
            "volatile-lru",
            "volatile-lfu",
            "volatile-random",
            "volatile-ttl",
            "allkeys-lru",
            "allkeys-lfu",
            "allkeys-random",
            "noeviction",
        ),
    ),
    Param("proto-max-bulk-len", "memory", 512 * 1024**2, minimum=1024 * 1024),
    Param("client-query-buffer-limit", "memory", 1024**3, minimum=1024 * 1024),
    Param("stream-node-max-bytes", "memory", 4096),
    Param("stream-node-max-entries", "int", 100, maximum=2**63 - 1),
    Param("notify-keyspace-events", "string", ""),
    Param("lazyfree-lazy-user-flush", "bool", False),
    Param("lazyfree-lazy-user-del", "bool", False),
    Param("lazyfree-lazy-expire", "bool", False),
    Param("active-expire-effort", "int", 1, minimum=1, maximum=10),
    Param("enable-debug-command", "enum", "no", mutable=False, choices=("no", "yes", "local")),
    Param("io-threads", "int", 1, mutable=False, minimum=1, maximum=128),
)

_BY_NAME: dict[str, Param] = {}
for _param in PARAMS:
    _BY_NAME[_param.name] = _param
    for _alias in _param.aliases:
        _BY_NAME[_alias] = _param


# Directives Valkey knows that change nothing here (persistence, replication, cluster,
# TLS, encodings...): a redis.conf that sets them still loads.
_IGNORED_DIRECTIVES = frozenset(
    """
    acl-pubsub-default aclfile acllog-max-len active-defrag-cycle-max active-defrag-cycle-
    min active-defrag-ignore-bytes active-defrag-max-scan-fields active-defrag-threshold-
    lower active-defrag-threshold-upper active-expire-effort activedefrag activerehashing
    always-show-logo aof-disable-auto-gc aof-load-truncated aof-rewrite-cpulist aof-rewrite-
    incremental-fsync aof-timestamp-enabled aof-use-rdb-preamble appenddirname
    appendfilename appendfsync appendonly auto-aof-rewrite-percentage availability-zone
    bgsave-cpulist bind bind-source-addr bio-cpulist busy-reply-threshold client-default-
    resp client-output-buffer-limit client-query-buffer-limit cluster-allow-pubsubshard-
    when-down cluster-allow-reads-when-down cluster-allow-replica-migration cluster-
    announce-bus-port cluster-announce-client-ipv4 cluster-announce-client-ipv6 cluster-
    announce-hostname cluster-announce-human-nodename cluster-announce-ip cluster-announce-
    port cluster-announce-tls-port cluster-blacklist-ttl cluster-config-file cluster-enabled
    cluster-link-sendbuf-limit cluster-migration-barrier cluster-node-timeout cluster-ping-
    interval cluster-port cluster-preferred-endpoint-type cluster-replica-no-failover
    cluster-replica-validity-factor cluster-require-full-coverage cluster-slot-stats-enabled
    crash-log-enabled crash-memcheck-enabled daemonize databases dbfilename debug-context
    dir disable-thp dual-channel-replication-enabled dynamic-hz enable-debug-assert enable-
    debug-command enable-module-command enable-protected-configs events-per-io-thread
    extended-redis-compatibility hash-max-listpack-entries hash-max-listpack-value hash-max-
    ziplist-entries hash-max-ziplist-value hide-user-data-from-log hll-sparse-max-bytes hz
    ignore-warnings include io-threads io-threads-do-reads jemalloc-bg-thread key-load-delay
    latency-monitor-threshold latency-tracking latency-tracking-info-percentiles lazyfree-
    lazy-eviction lazyfree-lazy-expire lazyfree-lazy-server-del lazyfree-lazy-user-del
    lazyfree-lazy-user-flush lfu-decay-time lfu-log-factor list-compress-depth list-max-
    listpack-size list-max-ziplist-size loadmodule locale-collate logfile loglevel lua-time-
    limit masterauth masteruser max-new-connections-per-cycle max-new-tls-connections-per-
    cycle maxclients maxmemory maxmemory-clients maxmemory-eviction-tenacity maxmemory-
    policy maxmemory-samples min-replicas-max-lag min-replicas-to-write min-slaves-max-lag
    min-slaves-to-write no-appendfsync-on-rewrite notify-keyspace-events oom-score-adj oom-
    score-adj-values pidfile port prefetch-batch-max-size primaryauth primaryuser proc-
    title-template propagation-error-behavior protected-mode proto-max-bulk-len rdb-del-
    sync-files rdb-key-save-delay rdb-save-incremental-fsync rdbchecksum rdbcompression
    rename-command repl-backlog-size repl-backlog-ttl repl-disable-tcp-nodelay repl-
    diskless-load repl-diskless-sync repl-diskless-sync-delay repl-diskless-sync-max-
    replicas repl-ping-replica-period repl-ping-slave-period repl-timeout replica-announce-
    ip replica-announce-port replica-announced replica-ignore-disk-write-errors replica-
    ignore-maxmemory replica-lazy-flush replica-priority replica-read-only replica-serve-
    stale-data replicaof req-res-logfile requirepass sanitize-dump-payload save server-
    cpulist set-max-intset-entries set-max-listpack-entries set-max-listpack-value set-proc-
    title shutdown-on-sigint shutdown-on-sigterm shutdown-timeout slave-announce-ip slave-
    announce-port slave-ignore-maxmemory slave-lazy-flush slave-priority slave-read-only
    slave-serve-stale-data slaveof slowlog-log-slower-than slowlog-max-len socket-mark-id
    stop-writes-on-bgsave-error stream-node-max-bytes stream-node-max-entries supervised
    syslog-enabled syslog-facility syslog-ident tcp-backlog tcp-keepalive timeout tls-auth-
    clients tls-ca-cert-dir tls-ca-cert-file tls-cert-file tls-ciphers tls-ciphersuites tls-
    client-cert-file tls-client-key-file tls-client-key-file-pass tls-cluster tls-dh-params-
    file tls-key-file tls-key-file-pass tls-port tls-prefer-server-ciphers tls-protocols
    tls-replication tls-session-cache-size tls-session-cache-timeout tls-session-caching
    tracking-table-max-keys unixsocket unixsocketgroup unixsocketperm use-exit-on-panic user
    watchdog-period zset-max-listpack-entries zset-max-listpack-value zset-max-ziplist-
    entries zset-max-ziplist-value
    """.split()
)


def is_ignored_directive(name: str) -> bool:
    lowered = name.lower()
    return lowered in _IGNORED_DIRECTIVES and lowered not in _BY_NAME


def find_param(name: str) -> Param | None:
    return _BY_NAME.get(name.lower())


def parse_value(param: Param, text: str) -> object:
    """Parse ``text`` for ``param`` or raise ``ConfigError`` with Valkey's reason."""
    if param.kind == "bool":
        lowered = text.lower()
        if lowered not in ("yes", "no"):
            raise ConfigError("argument must be 'yes' or 'no'")
        return lowered == "yes"
    if param.kind in ("int", "memory"):
        value = parse_memory(text) if param.kind == "memory" else _parse_int(text)
        if value is None:
            reason = "argument must be a memory value" if param.kind == "memory" else (
                "argument couldn't be parsed into an integer"
            )
            raise ConfigError(reason)
        if not param.minimum <= value <= param.maximum:
            raise ConfigError(
                f"argument must be between {param.minimum} and {param.maximum} inclusive"
            )
        return value
    if param.kind == "enum":
        lowered = text.lower()
        if lowered not in param.choices:
            raise ConfigError(f"argument(s) must be one of the following: {', '.join(param.choices)}")
        return lowered
    return text


def render(param: Param, value: object) -> str:
    if param.kind == "bool":
        return "yes" if value else "no"
    return str(value)


class Config:
    """The live configuration; ``listeners`` hear of every successful change."""

    def __init__(self, overrides: dict[str, str] | None = None) -> None:
        self.values: dict[str, object] = {param.name: param.default for param in PARAMS}
        self.listeners: list[Callable[[str, object], None]] = []
        for name, text in (overrides or {}).items():
            self.set(name, text)

    def __getitem__(self, name: str) -> object:
        return self.values[name]

    def get_int(self, name: str) -> int:
        value = self.values[name]
        assert isinstance(value, int)
        return value

    def get_str(self, name: str) -> str:
        return str(self.values[name])

    def set(self, name: str, text: str) -> None:
        """Set one parameter from its text form (no mutability check: start-up path)."""
        param = find_param(name)
        if param is None:
            raise ConfigError(f"Bad directive or wrong number of arguments '{name}'")
        self.values[param.name] = parse_value(param, text)
        for listener in self.listeners:
            listener(param.name, self.values[param.name])

    def matching(self, patterns: Iterable[str]) -> dict[str, str]:
        """CONFIG GET: every parameter (or alias) matching any glob pattern, rendered."""
        result: dict[str, str] = {}
        for pattern in patterns:
            for name, param in _BY_NAME.items():
                if name not in result and glob_match(pattern.encode(), name.encode(), nocase=True):
                    result[name] = render(param, self.values[param.name])
        return result
