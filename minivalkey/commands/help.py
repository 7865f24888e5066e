"""The HELP subcommand's reply, shared by every container command.

Invariants:
* A HELP reply is a list of simple strings: one heading naming the container as
  it was sent (upper-cased), the container's own entries, then the entry for HELP
  itself, which every container has and so never lists.
* Each container keeps its entries next to its subcommands, in Valkey's order and
  with as many lines per entry as Valkey prints, worded in this project's words.
"""

from __future__ import annotations

from .. import errors
from ..replies import SimpleString


def help_reply(argv: list[bytes], entries: tuple[str, ...]) -> list[SimpleString]:
    """A container's HELP reply: a heading, the entries, and the HELP entry itself."""
    name = errors.as_text(argv[0]).upper()
    heading = f"{name} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    lines = [heading, *entries, "HELP", "    Print this help."]
    return [SimpleString(line) for line in lines]
