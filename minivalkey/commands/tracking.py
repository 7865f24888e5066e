"""CLIENT TRACKING, CLIENT CACHING, CLIENT GETREDIR and CLIENT TRACKINGINFO.

Client-side caching's commands; the table, the prefixes and the delivery of
invalidations are ``minivalkey.tracking``.

Invariants:
* CLIENT TRACKING reads its options first, in order, each failing on its own terms
  (a second REDIRECT, a redirect id that is no integer or names no connected client,
  an unknown word); only then ON / OFF, and for ON the checks of Valkey's order:
  PREFIX without BCAST, a BCAST switch while tracking, OPTIN / OPTOUT with BCAST,
  both OPTIN and OPTOUT, an OPTIN / OPTOUT switch while tracking, prefixes that
  overlap the client's own or each other. A failing check changes nothing, with one
  exception that is Valkey's: two of the given prefixes overlapping, the first of
  them not the first given, answers the error and then still turns tracking on,
  answering ``+OK`` too (both replies are written, and the call counts as failed).
* OFF never fails on its options (they are read, not checked against each other).
* CLIENT CACHING's choice lasts for the next command (or the next transaction),
  cleared by the dispatcher's tracking step after any command but a CLIENT one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import errors
from ..errors import CommandError
from ..replies import OK, Map, RawReply, Set
from .args import option, parse_int
from .client import CLIENT
from .table import subcommand

if TYPE_CHECKING:
    from ..session import Client

REDIRECT_ONCE = "ERR A client can only redirect to a single other client"
REDIRECT_MISSING = "ERR The client ID you want redirect to does not exist"
PREFIX_NEEDS_BCAST = "ERR PREFIX option requires BCAST mode to be enabled"
BCAST_SWITCH = (
    "ERR You can't switch BCAST mode on/off before disabling tracking for this client, "
    "and then re-enabling it with a different mode."
)
OPT_WITH_BCAST = "ERR OPTIN and OPTOUT are not compatible with BCAST"
OPTIN_AND_OPTOUT = "ERR You can't specify both OPTIN mode and OPTOUT mode"
OPT_SWITCH = (
    "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, "
    "and then re-enabling it with a different mode."
)
CACHING_NOT_TRACKING = (
    "ERR CLIENT CACHING can be called only when the client is in tracking mode with "
    "OPTIN or OPTOUT mode enabled"
)
CACHING_YES_NEEDS_OPTIN = (
    "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode."
)
CACHING_NO_NEEDS_OPTOUT = (
    "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode."
)

_FLAGS = "noscript loading stale sentinel"


def _shown(prefix: bytes) -> str:
    """A prefix as Valkey's error text prints it: a C string, CR and LF as spaces."""
    text = prefix.split(b"\0", 1)[0].replace(b"\r", b" ").replace(b"\n", b" ")
    return errors.as_text(text)


def _overlap(first: bytes, second: bytes) -> bool:
    """Two prefixes overlap when one starts the other (Valkey compares the shorter length)."""
    return first.startswith(second) or second.startswith(first)


def _prefix_collision(client: Client, prefixes: list[bytes]) -> tuple[str, bool] | None:
    """Valkey's checkPrefixCollisionsOrReply: the error for the first overlap, and whether
    Valkey still goes on (an overlap among the given prefixes, past the first one)."""
    state = client.tracking
    existing = sorted(state.prefixes) if state is not None and state.prefixes else []
    for index, prefix in enumerate(prefixes):
        for held in existing:
            if _overlap(held, prefix):
                return (
                    f"ERR Prefix '{_shown(prefix)}' overlaps with an existing prefix "
                    f"'{_shown(held)}'. Prefixes for a single client must not overlap.",
                    False,
                )
        for other in prefixes[index + 1 :]:
            if _overlap(prefix, other):
                return (
                    f"ERR Prefix '{_shown(prefix)}' overlaps with another provided prefix "
                    f"'{_shown(other)}'. Prefixes for a single client must not overlap.",
                    index > 0,
                )
    return None


@subcommand(
    CLIENT,
    "tracking",
    -3,
    _FLAGS,
    since="6.0.0",
    summary="Turns server-assisted client-side caching on or off for the connection.",
    complexity="O(1). Some options may introduce additional complexity.",
)
def client_tracking(client: Client, argv: list[bytes]) -> Any:
    redirect = 0
    bcast = optin = optout = noloop = False
    prefixes: list[bytes] = []
    position = 3
    while position < len(argv):
        word = option(argv[position])
        more = position < len(argv) - 1
        if word == b"redirect" and more:
            position += 1
            if redirect != 0:
                raise CommandError(REDIRECT_ONCE)
            redirect = parse_int(argv[position])
            if redirect not in client.core.clients:
                raise CommandError(REDIRECT_MISSING)
        elif word == b"bcast":
            bcast = True
        elif word == b"optin":
            optin = True
        elif word == b"optout":
            optout = True
        elif word == b"noloop":
            noloop = True
        elif word == b"prefix" and more:
            position += 1
            prefixes.append(argv[position])
        else:
            raise CommandError(errors.SYNTAX)
        position += 1
    mode = option(argv[2])
    tracking = client.core.tracking
    if mode == b"off":
        tracking.disable(client)
        return OK
    if mode != b"on":
        raise CommandError(errors.SYNTAX)
    if prefixes and not bcast:
        raise CommandError(PREFIX_NEEDS_BCAST)
    state = client.tracking
    if state is not None and state.on and state.bcast != bcast:
        raise CommandError(BCAST_SWITCH)
    if bcast and (optin or optout):
        raise CommandError(OPT_WITH_BCAST)
    if optin and optout:
        raise CommandError(OPTIN_AND_OPTOUT)
    if state is not None and ((optin and state.optout) or (optout and state.optin)):
        raise CommandError(OPT_SWITCH)
    if bcast:
        collision = _prefix_collision(client, prefixes)
        if collision is not None:
            text, goes_on = collision
            if not goes_on:
                raise CommandError(text)
            return _error_then_ok(client, text, redirect, noloop, prefixes)
    tracking.enable(client, redirect, bcast, optin, optout, noloop, prefixes)
    return OK


def _error_then_ok(
    client: Client, text: str, redirect: int, noloop: bool, prefixes: list[bytes]
) -> Any:
    """Valkey's answer to overlapping prefixes past the first one given: the error
    (counted as an error reply, the call as failed), then tracking on and ``+OK``."""
    core = client.core
    core.stats.count_error(text)
    if client.last_spec is not None:
        core.command_stats_of(client.last_spec).failed_calls += 1
    core.tracking.enable(client, redirect, True, False, False, noloop, prefixes)
    return RawReply(b"-" + text.encode("utf-8", "surrogateescape") + b"\r\n+OK\r\n")


@subcommand(
    CLIENT,
    "caching",
    3,
    _FLAGS,
    since="6.0.0",
    summary="Tells the server whether the next command's keys are tracked (OPTIN / OPTOUT).",
)
def client_caching(client: Client, argv: list[bytes]) -> Any:
    state = client.tracking
    if state is None or not state.on:
        raise CommandError(CACHING_NOT_TRACKING)
    choice = option(argv[2])
    if choice == b"yes":
        if not state.optin:
            raise CommandError(CACHING_YES_NEEDS_OPTIN)
    elif choice == b"no":
        if not state.optout:
            raise CommandError(CACHING_NO_NEEDS_OPTOUT)
    else:
        raise CommandError(errors.SYNTAX)
    state.caching = True
    return OK


@subcommand(
    CLIENT,
    "getredir",
    2,
    _FLAGS,
    since="6.0.0",
    summary="Answers the id tracking notifications go to: 0 for none, -1 when not tracking.",
)
def client_getredir(client: Client, argv: list[bytes]) -> Any:
    state = client.tracking
    return state.redirect if state is not None and state.on else -1


@subcommand(
    CLIENT,
    "trackinginfo",
    2,
    _FLAGS,
    since="6.2.0",
    summary="Describes the connection's client-side caching (tracking) state.",
)
def client_trackinginfo(client: Client, argv: list[bytes]) -> Any:
    state = client.tracking
    if state is None:
        return Map({b"flags": Set([b"off"]), b"redirect": -1, b"prefixes": []})
    flags = [b"on" if state.on else b"off"]
    if state.bcast:
        flags.append(b"bcast")
    if state.optin:
        flags.append(b"optin")
        if state.caching:
            flags.append(b"caching-yes")
    if state.optout:
        flags.append(b"optout")
        if state.caching:
            flags.append(b"caching-no")
    if state.noloop:
        flags.append(b"noloop")
    if state.broken:
        flags.append(b"broken_redirect")
    redirect = state.redirect if state.on else -1
    prefixes = sorted(state.prefixes) if state.prefixes is not None else []
    return Map({b"flags": Set(flags), b"redirect": redirect, b"prefixes": prefixes})
