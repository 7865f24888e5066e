"""Pub/Sub commands: (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PUBLISH, SPUBLISH and PUBSUB.

Invariants:
* The registry (``minivalkey/pubsub.py``, ``core.pubsub``) holds every subscription;
  these handlers only read their arguments and hand them over.
* A (un)subscribe command answers one confirmation per channel: several replies for one
  command, already encoded by the registry in the client's protocol (a push in RESP3).
  Like Valkey's ``pushing`` flag, confirmations ignore CLIENT REPLY OFF / SKIP: while
  replies are silenced they still reach the client, through ``client.send`` (right
  after the command's empty reply, so in the same place).
* Inside EXEC a confirmation is part of the EXEC reply, where it is counted as one
  entry however many channels it confirms (Valkey's reply has the same shape).
* The refusals that depend on subscribed mode (the RESP2 subscribed context, and NOSUB
  for an unsubscribe outside subscribed mode) are the dispatcher's, at queue time as
  in Valkey's processCommand; ``checked`` sends the three unsubscribes there even
  from the fast path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import errors
from ..errors import CommandError
from ..pubsub import CHANNELS, PATTERNS, SHARD_CHANNELS, Kind
from ..replies import RawReply
from .help import help_reply
from .table import COMMANDS, BeginIndex, FindRange, command, container, key_spec, subcommand

if TYPE_CHECKING:
    from ..session import Client

_FLAGS = "pubsub noscript loading stale"
_SHARD_KEYS = (key_spec("not_key", BeginIndex(1), FindRange(-1, 1, 0)),)

SSUBSCRIBE_DENIED = "ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client"


def _answer(client: Client, confirmations: bytes) -> Any:
    if client.reply_off or client.skip_current_reply:
        client.send(confirmations)  # confirmations are never silenced
        return _NO_REPLY
    return RawReply(confirmations)


_NO_REPLY = RawReply(b"")


def _subscribe(client: Client, kind: Kind, argv: list[bytes]) -> Any:
    return _answer(client, client.core.pubsub.subscribe(client, kind, argv[1:]))


def _unsubscribe(client: Client, kind: Kind, argv: list[bytes]) -> Any:
    return _answer(client, client.core.pubsub.unsubscribe(client, kind, argv[1:]))


# -- channels and patterns -------------------------------------------------------------


@command(
    "subscribe",
    -2,
    _FLAGS + " sentinel",
    group="pubsub",
    since="2.0.0",
    summary="Starts listening to messages published on the given channels.",
    complexity="O(N) where N is the number of channels to subscribe to.",
)
def subscribe(client: Client, argv: list[bytes]) -> Any:
    # Valkey refuses SUBSCRIBE to a deny-blocking client outside a transaction: only
    # scripts are such clients, and this command is not allowed in scripts.
    return _subscribe(client, CHANNELS, argv)


@command(
    "unsubscribe",
    -1,
    _FLAGS + " sentinel",
    group="pubsub",
    since="2.0.0",
    summary="Stops listening to the given channels, or to every channel.",
    complexity="O(N) where N is the number of channels to unsubscribe.",
)
def unsubscribe(client: Client, argv: list[bytes]) -> Any:
    return _unsubscribe(client, CHANNELS, argv)


@command(
    "psubscribe",
    -2,
    _FLAGS + " sentinel",
    group="pubsub",
    since="2.0.0",
    summary="Starts listening to messages published on channels matching the patterns.",
    complexity="O(N) where N is the number of patterns to subscribe to.",
)
def psubscribe(client: Client, argv: list[bytes]) -> Any:
    return _subscribe(client, PATTERNS, argv)


@command(
    "punsubscribe",
    -1,
    _FLAGS + " sentinel",
    group="pubsub",
    since="2.0.0",
    summary="Stops listening to the given patterns, or to every pattern.",
    complexity="O(N) where N is the number of patterns to unsubscribe.",
)
def punsubscribe(client: Client, argv: list[bytes]) -> Any:
    return _unsubscribe(client, PATTERNS, argv)


@command(
    "publish",
    3,
    "pubsub loading stale fast may_replicate sentinel",
    group="pubsub",
    since="2.0.0",
    summary="Posts a message on a channel; answers how many subscribers received it.",
    complexity="O(N+M) where N is the number of clients subscribed to the receiving "
    "channel and M is the total number of subscribed patterns (by any client).",
)
def publish(client: Client, argv: list[bytes]) -> Any:
    return client.core.pubsub.publish(argv[1], argv[2])


# -- shard channels --------------------------------------------------------------------


@command(
    "ssubscribe",
    -2,
    _FLAGS,
    keys=(1, -1, 1),
    key_specs=_SHARD_KEYS,
    group="pubsub",
    since="7.0.0",
    summary="Starts listening to messages published on the given shard channels.",
    complexity="O(N) where N is the number of shard channels to subscribe to.",
)
def ssubscribe(client: Client, argv: list[bytes]) -> Any:
    if client.deny_blocking:  # inside EXEC (Valkey makes no exception for MULTI here)
        raise CommandError(SSUBSCRIBE_DENIED)
    return _subscribe(client, SHARD_CHANNELS, argv)


@command(
    "sunsubscribe",
    -1,
    _FLAGS,
    keys=(1, -1, 1),
    key_specs=_SHARD_KEYS,
    group="pubsub",
    since="7.0.0",
    summary="Stops listening to the given shard channels, or to every shard channel.",
    complexity="O(N) where N is the number of shard channels to unsubscribe.",
)
def sunsubscribe(client: Client, argv: list[bytes]) -> Any:
    return _unsubscribe(client, SHARD_CHANNELS, argv)


@command(
    "spublish",
    3,
    "pubsub loading stale fast may_replicate",
    keys=(1, 1, 1),
    key_specs=(key_spec("not_key", BeginIndex(1), FindRange(0, 1, 0)),),
    group="pubsub",
    since="7.0.0",
    summary="Posts a message on a shard channel; answers how many subscribers received it.",
    complexity="O(N) where N is the number of clients subscribed to the receiving shard channel.",
)
def spublish(client: Client, argv: list[bytes]) -> Any:
    return client.core.pubsub.publish_shard(argv[1], argv[2])


# The unsubscribes are refused outside subscribed mode, a check the dispatcher makes.
for _name in (b"unsubscribe", b"punsubscribe", b"sunsubscribe"):
    COMMANDS[_name].checked = True


# -- PUBSUB ----------------------------------------------------------------------------

PUBSUB = container(
    "pubsub",
    group="pubsub",
    since="2.8.0",
    summary="Groups the subcommands that describe channels and their subscribers.",
)

_PUBSUB_FLAGS = "pubsub loading stale"


def _names(client: Client, kind: Kind, argv: list[bytes]) -> Any:
    if len(argv) > 3:
        raise CommandError(errors.subcommand_syntax_error(argv))
    return client.core.pubsub.names(kind, argv[2] if len(argv) == 3 else None)


def _counts(client: Client, kind: Kind, argv: list[bytes]) -> Any:
    registry = client.core.pubsub
    reply: list[Any] = []
    for name in argv[2:]:
        reply += (name, registry.subscriber_count(kind, name))
    return reply


@subcommand(
    PUBSUB,
    "channels",
    -2,
    _PUBSUB_FLAGS,
    summary="Lists the channels that have subscribers, optionally those matching a pattern.",
    complexity="O(N) where N is the number of active channels, and assuming constant time "
    "pattern matching (relatively short channels and patterns)",
)
def pubsub_channels(client: Client, argv: list[bytes]) -> Any:
    return _names(client, CHANNELS, argv)


@subcommand(
    PUBSUB,
    "numsub",
    -2,
    _PUBSUB_FLAGS,
    summary="Answers each channel with its number of subscribers (patterns not counted).",
    complexity="O(N) for the NUMSUB subcommand, where N is the number of requested channels",
)
def pubsub_numsub(client: Client, argv: list[bytes]) -> Any:
    return _counts(client, CHANNELS, argv)


@subcommand(
    PUBSUB,
    "numpat",
    2,
    _PUBSUB_FLAGS,
    summary="Answers how many distinct patterns have subscribers.",
)
def pubsub_numpat(client: Client, argv: list[bytes]) -> Any:
    return len(client.core.pubsub.patterns)


@subcommand(
    PUBSUB,
    "shardchannels",
    -2,
    _PUBSUB_FLAGS,
    since="7.0.0",
    summary="Lists the shard channels that have subscribers, optionally those matching a pattern.",
    complexity="O(N) where N is the number of active shard channels, and assuming constant "
    "time pattern matching (relatively short shard channels).",
)
def pubsub_shardchannels(client: Client, argv: list[bytes]) -> Any:
    return _names(client, SHARD_CHANNELS, argv)


@subcommand(
    PUBSUB,
    "shardnumsub",
    -2,
    _PUBSUB_FLAGS,
    since="7.0.0",
    summary="Answers each shard channel with its number of subscribers.",
    complexity="O(N) for the SHARDNUMSUB subcommand, where N is the number of requested "
    "shard channels",
)
def pubsub_shardnumsub(client: Client, argv: list[bytes]) -> Any:
    return _counts(client, SHARD_CHANNELS, argv)


# The entries of Valkey's PUBSUB HELP (same subcommands, same number of lines each).
_PUBSUB_HELP = (
    "CHANNELS [<pattern>]",
    "    List the channels with subscribers, those matching <pattern> if given (default: '*').",
    "NUMPAT",
    "    Count the distinct patterns that have subscribers.",
    "NUMSUB [<channel> ...]",
    "    Give each channel named with its number of subscribers, not counting",
    "    pattern subscriptions (default: no channels).",
    "SHARDCHANNELS [<pattern>]",
    "    List the shard channels with subscribers, those matching <pattern> if given.",
    "SHARDNUMSUB [<shardchannel> ...]",
    "    Give each shard channel named with its number of subscribers.",
)


@subcommand(
    PUBSUB,
    "help",
    2,
    "loading stale",
    since="6.2.0",
    summary="Lists the PUBSUB subcommands with a short description of each.",
)
def pubsub_help(client: Client, argv: list[bytes]) -> Any:
    return help_reply(argv, _PUBSUB_HELP)
