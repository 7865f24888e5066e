"""Server logging in Valkey's line format: ``pid:M 22 Nov 2026 03:19:31.143 * message``.

Valkey's levels map onto Python's: debug (``.``), verbose (``-``), notice (``*``, a
level of its own between INFO and WARNING) and warning (``#``); ``nothing`` silences
the log. Invariant: the ``minivalkey`` logger's level always follows the
``loglevel`` parameter, also when CONFIG SET changes it. Lines about a received
signal take the form Valkey's signal handler gives them:
``pid:signal-handler (unix time) message``.
"""

from __future__ import annotations

import logging
import time

NOTICE = 25
logging.addLevelName(NOTICE, "NOTICE")

LEVELS = {
    "debug": logging.DEBUG,
    "verbose": logging.INFO,
    "notice": NOTICE,
    "warning": logging.WARNING,
    "nothing": logging.CRITICAL + 1,
}
_MARKERS = {logging.DEBUG: ".", logging.INFO: "-", NOTICE: "*"}

log = logging.getLogger("minivalkey")


class ValkeyFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        if getattr(record, "signal_handler", False):
            return f"{record.process}:signal-handler ({int(record.created)}) {record.getMessage()}"
        stamp = time.strftime("%d %b %Y %H:%M:%S", time.localtime(record.created))
        marker = _MARKERS.get(record.levelno, "#")
        line = f"{record.process}:M {stamp}.{int(record.msecs):03d} {marker} {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def configure(level: str) -> None:
    """Send the server log to stderr at ``level`` (a ``loglevel`` value)."""
    handler = logging.StreamHandler()
    handler.setFormatter(ValkeyFormatter())
    log.handlers[:] = [handler]
    log.propagate = False
    set_level(level)


def set_level(level: str) -> None:
    log.setLevel(LEVELS.get(level, NOTICE))


def follow_config(name: str, value: object) -> None:
    """A Config listener: CONFIG SET loglevel takes effect at once."""
    if name == "loglevel":
        set_level(str(value))


def notice(message: str, *args: object) -> None:
    log.log(NOTICE, message, *args)


def from_signal_handler(message: str) -> None:
    """A warning about a received signal, in the signal handler's line format."""
    log.warning(message, extra={"signal_handler": True})
