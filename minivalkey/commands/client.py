"""CLIENT and its subcommands: naming, reply mode, listing and killing connections.

Invariants:
* CLIENT subcommands change only connection state (name, library attributes, reply
  mode, eviction and touch flags); the one that reaches other connections is
  CLIENT KILL, which closes them. The tracking ones (TRACKING, CACHING, GETREDIR,
  TRACKINGINFO) live in ``commands/tracking.py``.
* Closing goes through ``client.connection``: ``close_after_reply()`` for the
  calling client (killing oneself: the reply still leaves first) and
  ``close_now()`` for another client, which also leaves ``core.clients`` at once
  so that no later command sees it.
* CLIENT LIST / CLIENT INFO print Valkey 8.0.1's fields in Valkey's order. The
  fields that describe state (id, addresses, fd, name, age, idle, flags, db,
  multi, watch, argv-mem, multi-mem, cmd, redir, resp, lib-name, lib-ver, net and
  command totals, sub, psub, ssub, and omem: the bytes waiting for the peer, on which
  the output buffer limits are checked) are real; buffer and memory sizes follow
  Valkey's arithmetic with the sizes its structures have on 64-bit builds.
* CLIENT KILL's filter form checks every option before closing anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .. import errors
from ..blocking import UNBLOCKED_ERROR
from ..errors import CommandError
from ..pubsub import PubSub
from ..replies import OK, RawReply, Verbatim
from ..tracking import tracking_prefix_bytes, tracking_redirect
from .args import INT64_MAX, option, parse_int, parse_int_or_none
from .connection import DEFAULT_USER, close_after_reply, printable, validate_client_name
from .help import help_reply
from .table import container, subcommand

if TYPE_CHECKING:
    from ..session import Client

# CLIENT REPLY SKIP answers nothing at all, not even an empty bulk string.
NO_REPLY = RawReply(b"")


# -- CLIENT: names and attributes -------------------------------------------------------

CLIENT = container(
    "client",
    group="connection",
    since="2.4.0",
    summary="Groups the subcommands that inspect and manage client connections.",
    flags="sentinel",
)

_CLIENT_FLAGS = "noscript loading stale sentinel"


@subcommand(
    CLIENT,
    "id",
    2,
    _CLIENT_FLAGS,
    since="5.0.0",
    summary="Answers the connection's unique numeric id.",
)
def client_id(client: Client, argv: list[bytes]) -> Any:
    return client.id


@subcommand(
    CLIENT,
    "setname",
    3,
    _CLIENT_FLAGS,
    since="2.6.9",
    summary="Names the connection; an empty name removes it.",
    tips="request_policy:all_nodes response_policy:all_succeeded",
)
def client_setname(client: Client, argv: list[bytes]) -> Any:
    validate_client_name(argv[2])
    client.name = argv[2]
    return OK


@subcommand(
    CLIENT,
    "getname",
    2,
    _CLIENT_FLAGS,
    since="2.6.9",
    summary="Answers the connection's name, or null when it has none.",
)
def client_getname(client: Client, argv: list[bytes]) -> Any:
    return client.name or None


@subcommand(
    CLIENT,
    "setinfo",
    4,
    _CLIENT_FLAGS,
    since="7.2.0",
    summary="Records the client library's name or version for CLIENT LIST.",
    tips="request_policy:all_nodes response_policy:all_succeeded",
)
def client_setinfo(client: Client, argv: list[bytes]) -> Any:
    attribute, value = argv[2], argv[3]
    field = option(attribute)
    if field not in (b"lib-name", b"lib-ver"):
        raise CommandError(errors.unrecognized_option(attribute))
    if not printable(value):
        raise CommandError(errors.invalid_client_attribute(attribute))
    if field == b"lib-name":
        client.lib_name = value
    else:
        client.lib_ver = value
    return OK


@subcommand(
    CLIENT,
    "capa",
    -3,
    "noscript loading stale",
    since="8.0.0",
    summary="Declares client capabilities; unknown ones are ignored.",
)
def client_capa(client: Client, argv: list[bytes]) -> Any:
    # The only capability Valkey knows (REDIRECT) concerns replica failover
    # redirections, which a server without replication never sends.
    return OK


# -- CLIENT: reply mode and eviction/touch flags -------------------------------------------


def _on_off(raw: bytes) -> bool:
    switch = option(raw)
    if switch == b"on":
        return True
    if switch == b"off":
        return False
    raise CommandError(errors.SYNTAX)


@subcommand(
    CLIENT,
    "reply",
    3,
    _CLIENT_FLAGS,
    since="3.2.0",
    summary="Turns the connection's replies on or off, or skips the next one.",
)
def client_reply(client: Client, argv: list[bytes]) -> Any:
    mode = option(argv[2])
    if mode == b"on":
        client.reply_off = False
        client.skip_next_reply = False
        client.skip_current_reply = False  # so this +OK reaches the client after a SKIP
        return OK
    if mode == b"off":
        client.reply_off = True
        return NO_REPLY
    if mode == b"skip":
        if not client.reply_off:
            client.skip_next_reply = True
        return NO_REPLY
    raise CommandError(errors.SYNTAX)


@subcommand(
    CLIENT,
    "no-evict",
    3,
    "admin noscript loading stale sentinel",
    since="7.0.0",
    summary="Exempts the connection from client eviction, or makes it eligible again.",
)
def client_no_evict(client: Client, argv: list[bytes]) -> Any:
    client.no_evict = _on_off(argv[2])
    return OK


@subcommand(
    CLIENT,
    "no-touch",
    3,
    "noscript loading stale",
    since="7.2.0",
    summary="Stops, or resumes, updating key access times for this connection's commands.",
)
def client_no_touch(client: Client, argv: list[bytes]) -> Any:
    client.no_touch = _on_off(argv[2])
    return OK


@subcommand(
    CLIENT,
    "unblock",
    -3,
    "admin noscript loading stale sentinel",
    since="5.0.0",
    summary="Releases a client blocked in a blocking command, as by timeout or error.",
    complexity="O(log N) where N is the number of client connections",
)
def client_unblock(client: Client, argv: list[bytes]) -> Any:
    if len(argv) > 4:
        raise CommandError(errors.subcommand_syntax_error(argv))
    if len(argv) == 4 and option(argv[3]) not in (b"timeout", b"error"):
        raise CommandError(errors.UNBLOCK_REASON)
    target_id = parse_int(argv[2])
    registry = client.core.blocking
    waiter = registry.by_client.get(target_id)
    from ..pause import Postponed  # pause.py reaches the dispatcher, which loads this

    if waiter is None or isinstance(waiter, Postponed):
        # Unknown, or not blocked; or held by CLIENT PAUSE, which only the pause's end
        # releases (Valkey 8.0.1 aborts on such an UNBLOCK). WAIT waits on no key too.
        return 0
    if len(argv) == 4 and option(argv[3]) == b"error":
        registry.fail(waiter, UNBLOCKED_ERROR)
    else:
        registry.time_out(waiter)
    return 1


# -- CLIENT: listing -------------------------------------------------------------------------

# Client types as CLIENT LIST / CLIENT KILL TYPE name them (several spellings, one type).
_TYPE_NAMES = {
    b"normal": "normal",
    b"slave": "replica",
    b"replica": "replica",
    b"pubsub": "pubsub",
    b"master": "primary",
    b"primary": "primary",
}

# Sizes of Valkey's structures on 64-bit builds, for the memory fields of CLIENT LIST.
_CLIENT_STRUCT_BYTES = 896
_REPLY_BUFFER_BYTES = 16 * 1024
_POINTER_BYTES = 8
_WATCHED_KEY_BYTES = 80  # list node + watched-key record
_QUEUED_COMMAND_BYTES = 24


def _client_type(client: Client) -> str:
    # Without replication, a connection is a pub/sub client while it has subscriptions.
    return "pubsub" if client.subscriber else "normal"


def _parse_client_type(raw: bytes) -> str:
    kind = _TYPE_NAMES.get(option(raw))
    if kind is None:
        raise CommandError(errors.unknown_client_type(raw))
    return kind


def _argv_bytes(argv: list[bytes]) -> int:
    """Valkey's per-command memory figure: argument lengths plus one pointer each."""
    return sum(len(arg) for arg in argv) + _POINTER_BYTES * len(argv)


def _queued_commands_allocated(count: int) -> int:
    """Slots Valkey has allocated for ``count`` queued commands (2, then doubling)."""
    if count == 0:
        return 0
    slots = 2
    while slots < count:
        slots *= 2
    return slots


def _c_text(value: bytes) -> bytes:
    """What C's ``%s`` prints of a stored value: everything before the first NUL."""
    return value.split(b"\0", 1)[0]


def client_info_line(subject: Client, caller: Client, argv: list[bytes]) -> bytes:
    """One CLIENT LIST line for ``subject`` (no newline), as seen by ``caller`` running ``argv``."""
    now_s = caller.core.keyspace.now_ms // 1000
    # Only the running client holds a parsed command, and one whose command CLIENT
    # PAUSE holds (its waiter keeps it); everyone else is between commands.
    current = argv if subject is caller else getattr(subject.blocked, "argv", [])
    argv_mem = sum(len(arg) for arg in current)
    queued = subject.multi if subject.multi is not None else []
    multi_mem = sum(_argv_bytes(args) for args in queued)
    qbuf = subject.query_buffer_len
    # The bytes waiting for the peer (what client-output-buffer-limit is checked on).
    omem = subject.connection.output_buffer_size() if subject.connection is not None else 0
    total_mem = (
        omem
        + _CLIENT_STRUCT_BYTES
        + _REPLY_BUFFER_BYTES
        + qbuf
        + _argv_bytes(current)
        + multi_mem
        + _WATCHED_KEY_BYTES * len(subject.watched)
        + _QUEUED_COMMAND_BYTES * _queued_commands_allocated(len(queued))
        + tracking_prefix_bytes(subject)
        + PubSub.memory_overhead(subject)
    )
    fields: list[tuple[str, object]] = [
        ("id", subject.id),
        ("addr", subject.addr),
        ("laddr", subject.laddr),
        ("fd", subject.fd),
        ("name", _c_text(subject.name)),
        ("age", now_s - subject.created_ms // 1000),
        ("idle", now_s - subject.last_interaction_ms // 1000),
        ("flags", subject.flag_letters()),
        ("db", subject.db_index),
        ("sub", len(subject.subscriptions[0])),
        ("psub", len(subject.subscriptions[1])),
        ("ssub", len(subject.subscriptions[2])),
        ("multi", len(queued) if subject.multi is not None else -1),
        ("watch", len(subject.watched)),
        ("qbuf", qbuf),
        ("qbuf-free", 0),
        ("argv-mem", argv_mem),
        ("multi-mem", multi_mem),
        ("rbs", _REPLY_BUFFER_BYTES),
        ("rbp", _REPLY_BUFFER_BYTES),
        ("obl", 0),
        ("oll", 0),
        ("omem", omem),
        ("tot-mem", total_mem),
        ("events", "r"),
        ("cmd", subject.last_command),
        ("user", "default"),
        ("redir", tracking_redirect(subject)),
        ("resp", subject.protocol),
        ("lib-name", _c_text(subject.lib_name)),
        ("lib-ver", _c_text(subject.lib_ver)),
        ("tot-net-in", subject.net_input_bytes),
        ("tot-net-out", subject.net_output_bytes),
        ("tot-cmds", subject.commands_processed),
    ]
    return b" ".join(key.encode() + b"=" + _field_bytes(value) for key, value in fields)


def _field_bytes(value: object) -> bytes:
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8", "surrogateescape")


@subcommand(
    CLIENT,
    "info",
    2,
    _CLIENT_FLAGS,
    since="6.2.0",
    summary="Describes the calling connection in CLIENT LIST's format.",
    tips="nondeterministic_output",
)
def client_info(client: Client, argv: list[bytes]) -> Any:
    return Verbatim(client_info_line(client, client, argv) + b"\n")


@subcommand(
    CLIENT,
    "list",
    -2,
    "admin noscript loading stale sentinel",
    summary="Describes the open connections, one line each, optionally filtered.",
    complexity="O(N) where N is the number of client connections",
    tips="nondeterministic_output",
)
def client_list(client: Client, argv: list[bytes]) -> Any:
    clients = client.core.clients
    if len(argv) == 4 and option(argv[2]) == b"type":
        kind = _parse_client_type(argv[3])
        chosen = [other for other in clients.values() if _client_type(other) == kind]
    elif len(argv) > 3 and option(argv[2]) == b"id":
        chosen = []
        for raw in argv[3:]:
            wanted = parse_int(raw, errors.INVALID_CLIENT_ID)
            other = clients.get(wanted)
            if other is not None:
                chosen.append(other)  # in argument order, repeats included
    elif len(argv) != 2:
        raise CommandError(errors.SYNTAX)
    else:
        chosen = list(clients.values())
    text = b"".join(client_info_line(other, client, argv) + b"\n" for other in chosen)
    return Verbatim(text)


# -- CLIENT KILL -----------------------------------------------------------------------------


class _KillFilter:
    """The conditions of one CLIENT KILL; a client must meet all that are set."""

    def __init__(self) -> None:
        self.addr: bytes | None = None
        self.laddr: bytes | None = None
        self.kind: str | None = None
        self.id = 0  # 0: any
        self.max_age = 0  # 0: any
        self.skip_me = True

    def matches(self, other: Client, caller: Client) -> bool:
        if self.addr is not None and other.addr.encode() != self.addr:
            return False
        if self.laddr is not None and other.laddr.encode() != self.laddr:
            return False
        if self.kind is not None and _client_type(other) != self.kind:
            return False
        if self.id and other.id != self.id:
            return False
        if other is caller and self.skip_me:
            return False
        if self.max_age:
            age = caller.core.keyspace.now_ms // 1000 - other.created_ms // 1000
            if age < self.max_age:
                return False
        return True


def _parse_kill_options(argv: list[bytes]) -> _KillFilter:
    """The filter form: ``option value`` pairs, each checked as it is read."""
    kill = _KillFilter()
    position = 2
    while position < len(argv):
        name = option(argv[position])
        if position + 1 >= len(argv):
            raise CommandError(errors.SYNTAX)
        value = argv[position + 1]
        if name == b"id":
            wanted = parse_int_or_none(value)
            if wanted is None or not 1 <= wanted <= INT64_MAX:
                raise CommandError(errors.CLIENT_ID_NOT_POSITIVE)
            kill.id = wanted
        elif name == b"maxage":
            max_age = parse_int(value, errors.MAXAGE_NOT_INTEGER)
            if max_age <= 0:
                raise CommandError(errors.MAXAGE_NOT_POSITIVE)
            kill.max_age = max_age
        elif name == b"type":
            kill.kind = _parse_client_type(value)
        elif name == b"addr":
            kill.addr = _c_text(value)
        elif name == b"laddr":
            kill.laddr = _c_text(value)
        elif name == b"user":
            if value != DEFAULT_USER:
                raise CommandError(errors.no_such_user(value))
            # Every connection is the default user's, logged in or not.
        elif name == b"skipme":
            choice = option(value)
            if choice not in (b"yes", b"no"):
                raise CommandError(errors.SYNTAX)
            kill.skip_me = choice == b"yes"
        else:
            raise CommandError(errors.SYNTAX)
        position += 2
    return kill


def _matching_clients(kill: _KillFilter, caller: Client) -> Iterator[Client]:
    for other in list(caller.core.clients.values()):
        if kill.matches(other, caller):
            yield other


def _disconnect(other: Client) -> None:
    """Close another client's connection now and forget it, as Valkey's freeClient does."""
    if other.connection is not None:
        other.connection.close_now()
    other.closing = True
    other.core.remove_client(other)


@subcommand(
    CLIENT,
    "kill",
    -3,
    "admin noscript loading stale sentinel",
    summary="Closes the connections from one address, or those matching filters.",
    complexity="O(N) where N is the number of client connections",
)
def client_kill(client: Client, argv: list[bytes]) -> Any:
    old_form = len(argv) == 3
    if old_form:
        kill = _KillFilter()
        kill.addr = _c_text(argv[2])
        kill.skip_me = False  # the old form may close the caller's own connection
    else:
        kill = _parse_kill_options(argv)
    killed = 0
    for other in _matching_clients(kill, client):
        if other is client:
            close_after_reply(client)  # the reply below still goes out first
        else:
            _disconnect(other)
        killed += 1
    if old_form:
        if not killed:
            raise CommandError(errors.NO_SUCH_CLIENT)
        return OK
    return killed


# -- CLIENT HELP ---------------------------------------------------------------------------

# The entries of Valkey's CLIENT HELP (same subcommands, same number of lines each),
# described in this project's words.
_CLIENT_HELP = (
    "CACHING (YES|NO)",
    "    In OPTIN/OPTOUT tracking, decide whether the next command's keys are tracked.",
    "CAPA <option> [options...]",
    "    Declare capabilities of this client. Known options:",
    "    * REDIRECT",
    "      The client follows redirections sent during a primary/replica failover.",
    "GETREDIR",
    "    Answer the id of the client receiving this connection's tracking messages.",
    "GETNAME",
    "    Answer the name of this connection.",
    "ID",
    "    Answer the id of this connection.",
    "INFO",
    "    Describe this connection, in the format of CLIENT LIST.",
    "KILL <ip:port>",
    "    Close the connection coming from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Close every connection matching all the filters given. Filters:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      The connection's remote address.",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      The local address the connection reached.",
    "    * TYPE (NORMAL|PRIMARY|REPLICA|PUBSUB)",
    "      The kind of connection.",
    "    * USER <username>",
    "      The user the connection is logged in as.",
    "    * SKIPME (YES|NO)",
    "      Whether to spare the calling connection (default: yes).",
    "    * ID <client-id>",
    "      The connection's id.",
    "    * MAXAGE <maxage>",
    "      Connections open for at least <maxage> seconds.",
    "LIST [options ...]",
    "    Describe the open connections, one line each. Options:",
    "    * TYPE (NORMAL|PRIMARY|REPLICA|PUBSUB)",
    "      Only connections of this kind.",
    "UNPAUSE",
    "    End a pause started by CLIENT PAUSE.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Hold back all clients, or only their writes, for <timeout> milliseconds.",
    "REPLY (ON|OFF|SKIP)",
    "    Turn replies to this connection on or off, or drop the next one.",
    "SETNAME <name>",
    "    Give this connection the name <name>.",
    "SETINFO <option> <value>",
    "    Record a fact about the client library. Options:",
    "    * LIB-NAME: the library's name.",
    "    * LIB-VER: the library's version.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    Release a blocked client, as if it timed out or failed.",
    "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
    "         [OPTIN] [OPTOUT] [NOLOOP]",
    "    Turn server-assisted client-side caching on or off.",
    "TRACKINGINFO",
    "    Describe this connection's client-side caching state.",
    "NO-EVICT (ON|OFF)",
    "    Exempt this connection from client eviction, or not.",
    "NO-TOUCH (ON|OFF)",
    "    Leave key access times (LRU/LFU) untouched by this connection's commands, or not.",
)


@subcommand(
    CLIENT,
    "help",
    2,
    "loading stale sentinel",
    since="5.0.0",
    summary="Lists the CLIENT subcommands with a short description of each.",
)
def client_help(client: Client, argv: list[bytes]) -> Any:
    return help_reply(argv, _CLIENT_HELP)
