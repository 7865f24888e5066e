"""Server configuration parameters: the ones Valkey has that this server honours.

Each ``Param`` knows its kind, its default, its bounds, whether CONFIG SET may
change it (``mutable``: Valkey's immutable configs may not) and whether it is
protected (Valkey's protected configs: settable only when
``enable-protected-configs`` allows it). Kinds, with Valkey's parsing rules:

* ``bool``: ``yes`` / ``no``, any case.
* ``int``: a strict decimal integer (no sign ``+``, no leading zeros, no spaces).
* ``memory``: digits with an optional unit (``k``, ``kb``, ``m``, ``mb``, ``g``, ``gb``).
* ``octal``: an octal number, printed back in octal.
* ``enum``: one of ``choices``, any case, stored in its canonical spelling.
* ``string``, ``filename``, ``dir``: text (``filename`` refuses paths, ``dir`` is
  printed as an absolute path).
* ``save``: ``seconds changes`` pairs; ``bind``: space-separated addresses;
  ``events``: notify-keyspace-events class letters, stored normalised.

Numbers are checked as the C type Valkey stores them in: ``unsigned`` parameters
compare in unsigned 64-bit arithmetic, so ``-1`` is a huge number there and the
bounds are what the error reports. ``clamp`` is applied after a successful parse
(Valkey accepts any ``hz`` and caps it to 1..500).

Invariants: every name in ``Config.values`` is a canonical parameter name from
``PARAMS``; values are stored parsed (``int`` for numeric kinds, ``bool`` for
bool, ``str`` otherwise); an invalid value raises ``ConfigError`` and leaves the
configuration unchanged.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .events import ALL as ALL_EVENTS
from .events import CLASS_LETTERS
from .glob import glob_match

INT_MAX = 2**31 - 1
UINT_MAX = 2**32 - 1
LONG_MAX = 2**63 - 1
ULLONG_MAX = 2**64 - 1


class ConfigError(Exception):
    """A value Valkey would refuse; the text is Valkey's reason (without prefix)."""


@dataclass(frozen=True)
class Param:
    name: str
    kind: str
    default: object
    mutable: bool = True
    protected: bool = False
    minimum: int = 0
    maximum: int = LONG_MAX
    unsigned: bool = False
    clamp: tuple[int, int] | None = None
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
    """Valkey's memtoull: digits and an optional unit, as an unsigned 64-bit number.

    Its quirks are kept: no digits at all reads as 0, an overflowing number
    saturates at 2**64-1, and the multiplication by the unit wraps around.
    """
    if text.startswith("-"):
        return None
    end = 0
    while end < len(text) and text[end] in "0123456789":
        end += 1
    digits, unit = text[:end], text[end:].lower()
    if unit not in _MEMORY_UNITS or len(digits) >= 128:
        return None
    value = min(int(digits), ULLONG_MAX) if digits else 0
    return (value * _MEMORY_UNITS[unit]) % 2**64


def _string2ll(text: str) -> int | None:
    """Valkey's strict string-to-integer conversion (signed 64 bits)."""
    if not text or len(text) > 20:
        return None
    body = text[1:] if text[0] == "-" else text
    if not body or any(c not in "0123456789" for c in body):
        return None
    if body[0] == "0" and (len(body) > 1 or text[0] == "-"):
        return None
    value = int(text)
    return value if -(2**63) <= value <= LONG_MAX else None


_C_SPACES = " \t\n\v\f\r"
_OCTAL = re.compile(r"[ \t\n\v\f\r]*[+-]?[0-7]+\Z")
_DECIMAL = re.compile(r"[ \t\n\v\f\r]*[+-]?[0-9]+\Z")


def _strtoll_whole(text: str, pattern: re.Pattern[str], base: int) -> int | None:
    """C's strtoll when the whole string must be consumed (an empty string reads as 0)."""
    if text == "":
        return 0
    if not pattern.match(text):
        return None
    value = int(text.lstrip(_C_SPACES), base)
    return max(-(2**63), min(LONG_MAX, value))


def _wrap(value: int, bits: int) -> int:
    """``value`` converted to a signed C integer of ``bits`` bits."""
    value %= 2**bits
    return value - 2**bits if value >= 2 ** (bits - 1) else value


_LOGLEVELS = ("debug", "verbose", "notice", "warning", "nothing")
_PROTECTED_ACTION = ("no", "yes", "local")
_EVICTION_POLICIES = (
    "volatile-lru",
    "volatile-lfu",
    "volatile-random",
    "volatile-ttl",
    "allkeys-lru",
    "allkeys-lfu",
    "allkeys-random",
    "noeviction",
)

# Kinds, bounds and defaults follow Valkey 8.0.1's config table. Where this server
# differs on purpose it says why.
PARAMS: tuple[Param, ...] = (
    Param("port", "int", 6379, maximum=65535),
    # Valkey listens on "* -::*" by default; an embedded test server stays on loopback.
    Param("bind", "bind", "127.0.0.1"),
    Param("unixsocket", "string", "", mutable=False),
    Param("unixsocketperm", "octal", 0, mutable=False, maximum=0o777, unsigned=True),
    Param("requirepass", "string", ""),
    Param("databases", "int", 16, mutable=False, minimum=1, maximum=INT_MAX),
    Param("maxclients", "int", 10000, minimum=1, maximum=UINT_MAX, unsigned=True),
    Param("loglevel", "enum", "notice", choices=_LOGLEVELS),
    Param("logfile", "string", "", mutable=False),
    Param("timeout", "int", 0, maximum=INT_MAX),
    Param("tcp-keepalive", "int", 300, maximum=INT_MAX),
    Param("tcp-backlog", "int", 511, mutable=False, maximum=INT_MAX),
    Param("protected-mode", "bool", True),
    Param("daemonize", "bool", False, mutable=False),
    Param("pidfile", "string", "", mutable=False),
    Param("dir", "dir", ".", protected=True),
    Param("dbfilename", "filename", "dump.rdb", protected=True),
    # Nothing is ever saved here, so the default save policy is empty.
    Param("save", "save", ""),
    Param("appendonly", "bool", False),
    Param("hz", "int", 10, maximum=INT_MAX, clamp=(1, 500)),
    Param("maxmemory", "memory", 0, maximum=ULLONG_MAX, unsigned=True),
    Param("maxmemory-policy", "enum", "noeviction", choices=_EVICTION_POLICIES),
    Param("proto-max-bulk-len", "memory", 512 * 1024**2, minimum=1024**2),
    Param("client-query-buffer-limit", "memory", 1024**3, minimum=1024**2, unsigned=True),
    Param("stream-node-max-bytes", "memory", 4096, unsigned=True),
    # The encodings' thresholds (OBJECT ENCODING and the conversions follow them).
    Param("hash-max-listpack-entries", "int", 512, unsigned=True,
          aliases=("hash-max-ziplist-entries",)),
    Param("hash-max-listpack-value", "memory", 64, unsigned=True,
          aliases=("hash-max-ziplist-value",)),
    Param("list-max-listpack-size", "int", -2, minimum=-(2**31), maximum=INT_MAX,
          aliases=("list-max-ziplist-size",)),
    Param("list-compress-depth", "int", 0, maximum=INT_MAX),
    Param("set-max-intset-entries", "int", 512, unsigned=True),
    Param("set-max-listpack-entries", "int", 128, unsigned=True),
    Param("set-max-listpack-value", "int", 64, unsigned=True),
    Param("zset-max-listpack-entries", "int", 128, unsigned=True,
          aliases=("zset-max-ziplist-entries",)),
    Param("zset-max-listpack-value", "memory", 64, unsigned=True,
          aliases=("zset-max-ziplist-value",)),
    Param("stream-node-max-entries", "int", 100),
    Param("notify-keyspace-events", "events", 0),
    Param("lazyfree-lazy-user-flush", "bool", True),
    Param("lazyfree-lazy-user-del", "bool", True),
    Param("lazyfree-lazy-expire", "bool", True),
    Param("active-expire-effort", "int", 1, minimum=1, maximum=10),
    Param("enable-debug-command", "enum", "no", mutable=False, choices=_PROTECTED_ACTION),
    Param("enable-protected-configs", "enum", "no", mutable=False, choices=_PROTECTED_ACTION),
    Param("enable-module-command", "enum", "no", mutable=False, choices=_PROTECTED_ACTION),
    Param("io-threads", "int", 1, mutable=False, minimum=1, maximum=128),
    # Makes INFO say redis_mode (and HELLO say redis) instead of Valkey's names.
    Param("extended-redis-compatibility", "bool", False),
    Param("availability-zone", "string", ""),
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


# -- parsing -----------------------------------------------------------------------------


def parse_value(param: Param, text: str) -> object:
    """Parse ``text`` for ``param`` or raise ``ConfigError`` with Valkey's reason."""
    kind = param.kind
    if kind == "bool":
        lowered = text.lower()
        if lowered not in ("yes", "no"):
            raise ConfigError("argument must be 'yes' or 'no'")
        return lowered == "yes"
    if kind in ("int", "memory", "octal"):
        return _parse_number(param, text)
    if kind == "enum":
        lowered = text.lower()
        if lowered not in param.choices:
            raise ConfigError(
                f"argument(s) must be one of the following: {', '.join(param.choices)}"
            )
        return lowered
    if kind == "save":
        return _parse_save(text)
    if kind == "bind":
        # More than 16 addresses is refused before "" is read as "no address".
        if len(_split_args(text)) > 16:
            raise ConfigError("Too many bind addresses specified.")
        return text
    if kind == "events":
        return _parse_events(text)
    if kind == "dir":
        return _parse_dir(text)
    if kind == "filename":
        if text == "":
            raise ConfigError(f"{param.name} can't be empty")
        if "/" in text:
            raise ConfigError(f"{param.name} can't be a path, just a filename")
        return text
    return text


def _parse_number(param: Param, text: str) -> int:
    value: int | None
    if param.kind == "memory":
        value = parse_memory(text)
        reason = "argument must be a memory value"
    elif param.kind == "octal":
        value = _strtoll_whole(text, _OCTAL, 8)
        reason = "argument couldn't be parsed as an octal number"
    else:
        value = _string2ll(text)
        reason = "argument couldn't be parsed into an integer"
    if value is None:
        raise ConfigError(reason)
    # The parsed number passes through a C long long before the bounds check.
    value = _wrap(value, 64)
    if param.unsigned:
        value %= 2**64
        if not param.minimum <= value <= param.maximum:
            spell = "o" if param.kind == "octal" else "d"
            low, high = format(param.minimum, spell), format(param.maximum, spell)
            raise ConfigError(f"argument must be between {low} and {high} inclusive")
    elif not param.minimum <= value <= param.maximum:
        raise ConfigError(f"argument must be between {param.minimum} and {param.maximum} inclusive")
    if param.clamp is not None:
        value = min(max(value, param.clamp[0]), param.clamp[1])
    return value


def _split_args(text: str) -> list[str]:
    """How Valkey splits a multi-argument value: on every single space; "" is no argument."""
    return text.split(" ") if text else []


def _parse_save(text: str) -> str:
    parts = _split_args(text)
    if parts == [""]:
        parts = []
    if len(parts) % 2:
        raise ConfigError("Invalid save parameters")
    numbers = []
    for position, part in enumerate(parts):
        value = _strtoll_whole(part, _DECIMAL, 10)
        if value is None or value < (1 if position % 2 == 0 else 0):
            raise ConfigError("Invalid save parameters")
        numbers.append(value)
    # Seconds are a time_t, changes an int: printed back the same way.
    pairs = [f"{numbers[i]} {_wrap(numbers[i + 1], 32)}" for i in range(0, len(numbers), 2)]
    return " ".join(pairs)


_EVENT_FLAGS = CLASS_LETTERS
EVENTS_ALL = ALL_EVENTS  # "A"; m and n are not in it


def _parse_events(text: str) -> int:
    flags = 0
    for char in text:
        if char == "A":
            flags |= EVENTS_ALL
        elif char in _EVENT_FLAGS:
            flags |= _EVENT_FLAGS[char]
        else:
            raise ConfigError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
    return flags


def events_to_string(flags: int) -> str:
    """The canonical spelling of notify-keyspace-events flags (CONFIG GET's)."""
    if flags & EVENTS_ALL == EVENTS_ALL:
        # Valkey prints "A" alone here, even when "n" is also set.
        text = "A"
    else:
        text = "".join(c for c in "g$lshzxetdn" if flags & _EVENT_FLAGS[c])
    return text + "".join(c for c in "KEm" if flags & _EVENT_FLAGS[c])


def _parse_dir(text: str) -> str:
    if text == "":
        raise ConfigError("dir can't be empty")
    if not os.path.isdir(text):
        # Valkey reports why chdir() failed.
        code = 2 if not os.path.exists(text) else 20  # ENOENT, ENOTDIR
        raise ConfigError(os.strerror(code))
    return text


def render(param: Param, value: object) -> str:
    """A value as CONFIG GET prints it."""
    kind = param.kind
    if kind == "bool":
        return "yes" if value else "no"
    if kind == "octal":
        assert isinstance(value, int)
        return format(value, "o")
    if kind == "events":
        assert isinstance(value, int)
        return events_to_string(value)
    if kind == "dir":
        return os.path.abspath(str(value))
    return str(value)


class Config:
    """The live configuration; ``listeners`` hear of every successful change.

    ``config_file`` is the absolute path of the file the server was started
    with ("" when none): INFO shows it and CONFIG REWRITE needs it.
    """

    def __init__(self, overrides: dict[str, str] | None = None) -> None:
        self.values: dict[str, object] = {param.name: param.default for param in PARAMS}
        self.listeners: list[Callable[[str, object], None]] = []
        self.config_file = ""
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

    def get_bool(self, name: str) -> bool:
        return bool(self.values[name])

    def render(self, name: str) -> str:
        """The value of parameter ``name`` as CONFIG GET prints it."""
        param = _BY_NAME[name]
        return render(param, self.values[param.name])

    def set(self, name: str, text: str) -> None:
        """Set one parameter from its text form (no mutability check: start-up path)."""
        param = find_param(name)
        if param is None:
            raise ConfigError(f"Bad directive or wrong number of arguments '{name}'")
        self.apply([(param, parse_value(param, text))])

    def apply(self, changes: list[tuple[Param, object]]) -> None:
        """Store already parsed values together, then tell the listeners (CONFIG SET)."""
        for param, value in changes:
            self.values[param.name] = value
        for param, value in changes:
            for listener in self.listeners:
                listener(param.name, value)

    def matching(self, patterns: Iterable[str]) -> dict[str, str]:
        """CONFIG GET: the parameters the arguments name or match, rendered.

        An argument without glob characters names one parameter and is echoed
        back as spelled; a pattern matches names case-insensitively. A parameter
        is listed once, under the first spelling that selected it.
        """
        chosen: dict[str, tuple[str, str]] = {}  # canonical name -> (reply name, value)
        for pattern in patterns:
            if not any(char in pattern for char in "[*?"):
                param = find_param(pattern)
                if param is not None and param.name not in chosen:
                    chosen[param.name] = (pattern, self.render(param.name))
                continue
            raw = pattern.encode("utf-8", "surrogateescape")
            for name, param in _BY_NAME.items():
                if param.name in chosen:
                    continue
                if glob_match(raw, name.encode(), nocase=True):
                    chosen[param.name] = (name, self.render(param.name))
        return dict(chosen.values())


# -- CONFIG REWRITE -----------------------------------------------------------------------

REWRITE_SIGNATURE = "# Generated by CONFIG REWRITE"


def _quoted(text: str) -> str:
    """A value quoted the way Valkey writes strings into a config file."""
    out = ['"']
    escapes = {
        0x5C: "\\\\",
        0x22: '\\"',
        0x0A: "\\n",
        0x0D: "\\r",
        0x09: "\\t",
        0x07: "\\a",
        0x08: "\\b",
    }
    for byte in text.encode("utf-8", "surrogateescape"):
        if byte in escapes:
            out.append(escapes[byte])
        elif 0x20 <= byte < 0x7F:
            out.append(chr(byte))
        else:
            out.append(f"\\x{byte:02x}")
    out.append('"')
    return "".join(out)


def _memory_text(value: int) -> str:
    for unit, size in (("gb", 1024**3), ("mb", 1024**2), ("kb", 1024)):
        if value and value % size == 0:
            return f"{value // size}{unit}"
    return str(value)


def config_line(param: Param, value: object) -> str:
    """The config file line that sets ``param`` to ``value``."""
    kind = param.kind
    if kind in ("string", "filename", "dir", "events"):
        text = _quoted(render(param, value))
    elif kind == "memory":
        assert isinstance(value, int)
        text = _memory_text(value)
    elif kind in ("save", "bind"):
        text = str(value) or '""'
    else:
        text = render(param, value)
    return f"{param.name} {text}"


def rewrite_config_file(config: Config) -> None:
    """CONFIG REWRITE: bring the config file in line with the live configuration.

    As Valkey does: comments, blank lines and directives this server does not
    handle are kept; the first line of each handled parameter is replaced by its
    current value and its other lines are blanked (runs of empty lines then
    shrink to one); parameters absent from the
    file are appended (after the rewrite signature) only when they differ from
    their default. ``dir`` is always written. The new file replaces the old one
    atomically. Raises ``OSError`` when the file cannot be read or written.
    """
    path = config.config_file
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as file:
            lines = file.read().splitlines()
    except FileNotFoundError:
        lines = []
    has_tail = REWRITE_SIGNATURE in lines
    where: dict[str, list[int]] = {}
    for number, line in enumerate(lines):
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        param = find_param(words[0])
        if param is not None:
            where.setdefault(param.name, []).append(number)
    for param in PARAMS:
        value = config.values[param.name]
        line = config_line(param, value)
        numbers = where.get(param.name, [])
        if numbers:
            lines[numbers[0]] = line
            for number in numbers[1:]:
                lines[number] = ""
        elif value != param.default or param.kind == "dir":
            if not has_tail:
                lines.append(REWRITE_SIGNATURE)
                has_tail = True
            lines.append(line)
    kept = [line for i, line in enumerate(lines) if line or i == 0 or lines[i - 1]]
    text = "".join(line + "\n" for line in kept)
    temporary = f"{path}.tmp-{os.getpid()}"
    try:
        with open(temporary, "w", encoding="utf-8", errors="surrogateescape") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
