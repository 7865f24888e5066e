"""CLIENT PAUSE and CLIENT UNPAUSE: holding back clients' commands (``pause.py``).

Invariants:
* PAUSE checks its mode before its timeout, as Valkey does; a timeout of 0 sets no
  deadline (it changes only the mode of a pause in force, which keeps the more
  restrictive one).
* Neither changes anything but the pause state; releasing the held clients is the
  pause's business.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import errors
from ..errors import CommandError
from ..replies import OK
from .args import INT64_MAX, option, parse_int
from .client import CLIENT
from .table import subcommand

if TYPE_CHECKING:
    from ..session import Client

PAUSE_MODE = "ERR CLIENT PAUSE mode must be WRITE or ALL"
TIMEOUT_NOT_INTEGER = "ERR timeout is not an integer or out of range"

_FLAGS = "admin noscript loading stale sentinel"


@subcommand(
    CLIENT,
    "pause",
    -3,
    _FLAGS,
    since="3.0.0",
    summary="Holds back every client's commands, or only writes, for a number of milliseconds.",
)
def client_pause(client: Client, argv: list[bytes]) -> Any:
    if len(argv) > 4:
        raise CommandError(errors.subcommand_syntax_error(argv))
    everything = True
    if len(argv) == 4:
        mode = option(argv[3])
        if mode == b"write":
            everything = False
        elif mode != b"all":
            raise CommandError(PAUSE_MODE)
    timeout = parse_int(argv[2], TIMEOUT_NOT_INTEGER)
    if timeout < 0:
        raise CommandError(errors.TIMEOUT_NEGATIVE)
    if timeout > INT64_MAX - client.core.keyspace.now_ms:
        raise CommandError(errors.TIMEOUT_OUT_OF_RANGE)
    client.core.pause.pause(timeout, everything)
    return OK


@subcommand(
    CLIENT,
    "unpause",
    2,
    _FLAGS,
    since="6.2.0",
    summary="Ends a pause begun by CLIENT PAUSE; the held commands run.",
    complexity="O(N) Where N is the number of paused clients",
)
def client_unpause(client: Client, argv: list[bytes]) -> Any:
    client.core.pause.unpause()
    return OK
