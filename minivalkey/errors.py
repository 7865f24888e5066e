"""Command errors and the exact texts Valkey 8 answers with.

Handlers raise ``CommandError`` with the full text, prefix included; the dispatcher
is the one place that turns it into an error reply and counts it in INFO
errorstats under its prefix (the first word). Texts are kept here as constants so
that one wording is never typed twice.
"""

from __future__ import annotations


class CommandError(Exception):
    """An error reply: ``str(error)`` is the full text, e.g. ``ERR syntax error``."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    @property
    def prefix(self) -> str:
        return self.text.split(" ", 1)[0]


def as_text(raw: bytes) -> str:
    """Client bytes as str, losslessly (undecodable bytes survive the round trip)."""
    return raw.decode("utf-8", "surrogateescape")


def c_string(raw: bytes, limit: int | None = None) -> str:
    """What C's ``%.Ns`` prints of a client argument: up to the first NUL, at most N bytes."""
    cut = raw.split(b"\0", 1)[0]
    if limit is not None:
        cut = cut[:limit]
    return as_text(cut)


SYNTAX = "ERR syntax error"
NOT_INTEGER = "ERR value is not an integer or out of range"
NOT_FLOAT = "ERR value is not a valid float"
WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
NO_SUCH_KEY = "ERR no such key"
INCR_OVERFLOW = "ERR increment or decrement would overflow"
DB_INDEX_OUT_OF_RANGE = "ERR DB index is out of range"
INVALID_DB_INDEX = "ERR invalid DB index"
NOAUTH = "NOAUTH Authentication required."
WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled."
AUTH_NOT_CONFIGURED = (
    "ERR AUTH <password> called without any password configured for the default user. "
    "Are you sure your configuration is correct?"
)
MULTI_NESTED = "ERR MULTI calls can not be nested"
EXEC_WITHOUT_MULTI = "ERR EXEC without MULTI"
DISCARD_WITHOUT_MULTI = "ERR DISCARD without MULTI"
WATCH_IN_MULTI = "ERR WATCH inside MULTI is not allowed"
EXECABORT = "EXECABORT Transaction discarded because of previous errors."
NOT_ALLOWED_IN_MULTI = "ERR Command not allowed inside a transaction"
MAX_CLIENTS = "ERR max number of clients reached"
NOPROTO = "NOPROTO unsupported protocol version"
INVALID_EXPIRE_TIME = "ERR invalid expire time in '{command}' command"
TIMEOUT_NOT_INTEGER = "ERR timeout is not an integer or out of range"


def wrong_arity(fullname: str) -> str:
    return f"ERR wrong number of arguments for '{fullname}' command"


def unknown_command(argv: list[bytes]) -> str:
    args = ""
    for arg in argv[1:]:
        if len(args.encode("utf-8", "surrogateescape")) >= 128:
            break
        room = 128 - len(args.encode("utf-8", "surrogateescape"))
        args += f"'{c_string(arg, room)}' "
    text = f"ERR unknown command '{c_string(argv[0], 128)}', with args beginning with: {args}"
    return no_newlines(text)


def unknown_subcommand(argv: list[bytes]) -> str:
    container = as_text(argv[0]).upper()
    return no_newlines(f"ERR unknown subcommand '{c_string(argv[1], 128)}'. Try {container} HELP.")


def no_newlines(text: str) -> str:
    """Valkey maps CR and LF in error texts to spaces so the reply stays one line."""
    return text.replace("\r", " ").replace("\n", " ")
