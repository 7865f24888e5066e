"""The channel registry: who listens to which channel, and delivering published messages.

This is Valkey's pubsub.c without the I/O, beside the blocking registry. Three kinds of
subscription share one code path (Valkey's ``pubsubtype``): channels (SUBSCRIBE /
PUBLISH), patterns (PSUBSCRIBE, matched against PUBLISH's channel) and shard channels
(SSUBSCRIBE / SPUBLISH). A ``Kind`` names one of them: its index, the words of its
confirmations and messages, and how its subscription count is taken.

Invariants:
* For each kind, ``PubSub.maps[kind.index]`` maps a name to the dict of its subscribers
  (``{client: its connection's send}``, in subscription order), and each client's
  ``client.subscriptions[kind.index]`` holds the names it listens to (in subscription
  order). The two mirror each other exactly; a name left without subscribers is removed,
  so ``PUBSUB CHANNELS`` and INFO's counts never see empty entries.
* ``client.subscriber`` (Valkey's flag.pubsub) is True from a first subscription until
  an unsubscribe leaves none of any kind (or RESET, or the client leaves); ``clients``
  counts such clients (INFO ``pubsub_clients``). While it is True the client's
  ``output_class`` is ``OBUF_PUBSUB``. ``client.subscribed_context`` is True exactly
  while the client is a subscriber speaking RESP2 (only (P|S)SUBSCRIBE,
  (P|S)UNSUBSCRIBE, PING, QUIT and RESET are allowed then); every change to either
  term goes through ``_refresh`` (which calls ``client.update_fast``), a change of
  protocol through ``protocol_changed``.
* ``publish`` delivers to the channel's subscribers, then, for every pattern that
  matches the channel (in the order the patterns were first subscribed), to that
  pattern's subscribers; ``publish_shard`` to shard subscribers only. The receivers
  count every delivery (a client subscribed to the channel and to two matching patterns
  counts three times). Each message is encoded at most once per protocol however many
  subscribers receive it, then handed to each subscriber's ``client.send``.
* Confirmations (subscribe, unsubscribe ...) are built here as the bytes the client's
  protocol wants: a RESP3 push, or in RESP2 a three-element array, as Valkey sends both.
  The subscription count they carry is the client's channels plus patterns for those two
  kinds, its shard channels for shard channels.
* Matching is Valkey's stringmatchlen (``glob.py``), which matches an empty channel
  only with an empty pattern.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .glob import glob_match
from .session import OBUF_NORMAL, OBUF_PUBSUB

if TYPE_CHECKING:
    from .commands.table import CommandSpec
    from .session import Client

Send = Callable[[bytes], None]
Subscribers = dict["Client", Send]  # each subscriber with what delivers to it


def _bulk(data: bytes) -> bytes:
    return b"$%d\r\n%b\r\n" % (len(data), data)


class Kind:
    """One kind of subscription (Valkey's pubsubtype)."""

    __slots__ = ("index", "name", "subscribe", "unsubscribe", "message", "shard")

    def __init__(self, index: int, name: str, prefix: str, message: bytes, shard: bool) -> None:
        self.index = index
        self.name = name
        # The words of the confirmations and messages, encoded once as bulk strings.
        self.subscribe = _bulk(prefix.encode() + b"subscribe")
        self.unsubscribe = _bulk(prefix.encode() + b"unsubscribe")
        self.message = message
        self.shard = shard

    def __repr__(self) -> str:
        return f"Kind({self.name})"


CHANNELS = Kind(0, "channels", "", b"message", shard=False)
PATTERNS = Kind(1, "patterns", "p", b"pmessage", shard=False)
SHARD_CHANNELS = Kind(2, "shard channels", "s", b"smessage", shard=True)
KINDS = (CHANNELS, PATTERNS, SHARD_CHANNELS)

_MESSAGE = b"3\r\n$7\r\nmessage\r\n"  # after the aggregate's type byte
_SMESSAGE = b"3\r\n$8\r\nsmessage\r\n"
_PMESSAGE = b"4\r\n$8\r\npmessage\r\n"
_HEADER = {2: b"*", 3: b">"}  # a push is an array in RESP2
_NULL = {2: b"$-1\r\n", 3: b"_\r\n"}


def matches(pattern: bytes, channel: bytes) -> bool:
    """Valkey's stringmatchlen on a pattern and a channel (an empty channel: only ``""``)."""
    if not channel:
        return not pattern
    return glob_match(pattern, channel)


def subscription_count(client: Client, kind: Kind) -> int:
    """The count a confirmation carries: channels plus patterns, or shard channels."""
    subscriptions = client.subscriptions
    if kind.shard:
        return len(subscriptions[2])
    return len(subscriptions[0]) + len(subscriptions[1])


def confirmation(client: Client, word: bytes, name: bytes | None, count: int) -> bytes:
    """One subscribe / unsubscribe confirmation in the client's protocol."""
    protocol = client.protocol
    head = _HEADER.get(protocol, b">")
    named = _NULL.get(protocol, b"_\r\n") if name is None else _bulk(name)
    return b"%b3\r\n%b%b:%d\r\n" % (head, word, named, count)


def _deliver(subscribers: Subscribers, body: bytes) -> None:
    """Send one message to each subscriber, encoded at most once per protocol."""
    resp2 = resp3 = b""
    for client, send in subscribers.items():
        if client.protocol == 2:
            if not resp2:
                resp2 = b"*" + body
            send(resp2)
        else:
            if not resp3:
                resp3 = b">" + body
            send(resp3)


def _sender(client: Client) -> Send:
    """What delivers to ``client``: its connection's ``send`` itself when it has one
    (one call less per message than ``Client.send``)."""
    connection = client.connection
    return connection.send if connection is not None else client.send


class PubSub:
    """Every subscription of one server (Valkey's server.pubsub_* tables)."""

    def __init__(self) -> None:
        self.channels: dict[bytes, Subscribers] = {}
        self.patterns: dict[bytes, Subscribers] = {}
        self.shard_channels: dict[bytes, Subscribers] = {}
        self.maps = (self.channels, self.patterns, self.shard_channels)
        self.clients = 0  # clients with any subscription (INFO pubsub_clients)

    # -- publishing ---------------------------------------------------------------------

    def publish(self, channel: bytes, message: bytes) -> int:
        """PUBLISH: deliver to the channel's subscribers, then to matching patterns'.

        Returns the number of deliveries (Valkey's receivers).
        """
        receivers = 0
        subscribers = self.channels.get(channel)
        if subscribers:
            receivers = len(subscribers)
            _deliver(
                subscribers,
                b"%b$%d\r\n%b\r\n$%d\r\n%b\r\n"
                % (_MESSAGE, len(channel), channel, len(message), message),
            )
        if self.patterns:
            receivers += self._publish_to_patterns(channel, message)
        return receivers

    def _publish_to_patterns(self, channel: bytes, message: bytes) -> int:
        receivers = 0
        tail = b"$%d\r\n%b\r\n$%d\r\n%b\r\n" % (len(channel), channel, len(message), message)
        # A send never changes the tables: a client closed for its output buffer leaves
        # them on a later loop turn (see ``Connection.send``).
        for pattern, subscribers in self.patterns.items():
            if not matches(pattern, channel):
                continue
            receivers += len(subscribers)
            _deliver(subscribers, b"%b$%d\r\n%b\r\n%b" % (_PMESSAGE, len(pattern), pattern, tail))
        return receivers

    def publish_shard(self, channel: bytes, message: bytes) -> int:
        """SPUBLISH: deliver to the shard channel's subscribers (patterns never match)."""
        subscribers = self.shard_channels.get(channel)
        if not subscribers:
            return 0
        receivers = len(subscribers)
        _deliver(
            subscribers,
            b"%b$%d\r\n%b\r\n$%d\r\n%b\r\n"
            % (_SMESSAGE, len(channel), channel, len(message), message),
        )
        return receivers

    # -- subscribing --------------------------------------------------------------------

    def subscribe(self, client: Client, kind: Kind, names: list[bytes]) -> bytes:
        """Subscribe ``client`` to each name in order; one confirmation per name.

        A name the client already has is confirmed again with the same count.
        """
        mine = client.subscriptions[kind.index]
        table = self.maps[kind.index]
        out = []
        for name in names:
            if name not in mine:
                mine[name] = None
                subscribers = table.get(name)
                if subscribers is None:
                    subscribers = table[name] = {}
                subscribers[client] = _sender(client)
            out.append(confirmation(client, kind.subscribe, name, subscription_count(client, kind)))
        if names and not client.subscriber:
            client.subscriber = True
            self.clients += 1
            self._refresh(client)
        return b"".join(out)

    def unsubscribe(self, client: Client, kind: Kind, names: list[bytes]) -> bytes:
        """Unsubscribe from each name (none given: from every name of this kind).

        One confirmation per name, subscribed or not; with no names and nothing to
        leave, one confirmation with a null name. The client stops being a subscriber
        when no subscription of any kind is left.
        """
        mine = client.subscriptions[kind.index]
        out = []
        if names:
            for name in names:
                self._leave(client, kind, name)
                out.append(
                    confirmation(client, kind.unsubscribe, name, subscription_count(client, kind))
                )
        elif mine:
            for name in list(mine):
                self._leave(client, kind, name)
                out.append(
                    confirmation(client, kind.unsubscribe, name, subscription_count(client, kind))
                )
        else:
            out.append(
                confirmation(client, kind.unsubscribe, None, subscription_count(client, kind))
            )
        self._unmark_if_done(client)
        return b"".join(out)

    def _leave(self, client: Client, kind: Kind, name: bytes) -> bool:
        mine = client.subscriptions[kind.index]
        if name not in mine:
            return False
        del mine[name]
        table = self.maps[kind.index]
        subscribers = table[name]
        del subscribers[client]
        if not subscribers:
            del table[name]
        return True

    def _unmark_if_done(self, client: Client) -> None:
        if client.subscriber and not any(client.subscriptions):
            client.subscriber = False
            self.clients -= 1
            self._refresh(client)

    def forget_client(self, client: Client) -> None:
        """Drop every subscription of ``client`` silently (RESET, disconnection)."""
        for kind in KINDS:
            for name in list(client.subscriptions[kind.index]):
                self._leave(client, kind, name)
        self._unmark_if_done(client)

    def protocol_changed(self, client: Client) -> None:
        """The client switched protocol (HELLO): the RESP2 restrictions may start or end."""
        if client.subscriber:
            self._refresh(client)

    @staticmethod
    def _refresh(client: Client) -> None:
        client.output_class = OBUF_PUBSUB if client.subscriber else OBUF_NORMAL
        client.subscribed_context = client.subscriber and client.protocol == 2
        client.update_fast()

    # -- introspection (PUBSUB, INFO, CLIENT LIST) -------------------------------------

    def names(self, kind: Kind, pattern: bytes | None = None) -> list[bytes]:
        """The active names of a kind, those matching ``pattern`` when one is given."""
        table = self.maps[kind.index]
        if pattern is None:
            return list(table)
        return [name for name in table if matches(pattern, name)]

    @staticmethod
    def memory_overhead(client: Client) -> int:
        """What Valkey's CLIENT LIST ``tot-mem`` adds for a client's subscriptions (its
        pubsubMemOverhead): per dict, 24 bytes an entry and 8 a bucket (4 buckets at
        least, a power of two at least the entries)."""
        total = 0
        for names in client.subscriptions:
            count = len(names)
            if count:
                total += 24 * count + 8 * max(4, 1 << (count - 1).bit_length())
        return total

    def subscriber_count(self, kind: Kind, name: bytes) -> int:
        """How many clients listen to ``name`` (PUBSUB NUMSUB / SHARDNUMSUB)."""
        subscribers = self.maps[kind.index].get(name)
        return len(subscribers) if subscribers else 0


# -- subscribed mode (the dispatcher's slow path asks) ----------------------------------

# What a RESP2 subscriber may run (Valkey's list in processCommand).
_ALLOWED_WHILE_SUBSCRIBED = frozenset(
    {
        "ping",
        "subscribe",
        "ssubscribe",
        "unsubscribe",
        "sunsubscribe",
        "psubscribe",
        "punsubscribe",
        "quit",
        "reset",
    }
)
_UNSUBSCRIBES = frozenset({"unsubscribe", "sunsubscribe", "punsubscribe"})


def refusal(client: Client, spec: CommandSpec) -> str | None:
    """The error refusing ``spec`` to ``client`` because of subscribed mode, or None."""
    top_level = spec.parent is None
    if client.subscribed_context and not (top_level and spec.name in _ALLOWED_WHILE_SUBSCRIBED):
        return (
            f"ERR Can't execute '{spec.fullname}': only (P|S)SUBSCRIBE / "
            "(P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
        )
    if not client.subscriber and top_level and spec.name in _UNSUBSCRIBES:
        return f"NOSUB '{spec.fullname}' command executed not in subscribed mode"
    return None
