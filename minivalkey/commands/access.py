"""Access control as a single-user server has it: ACL introspection and the DEBUG gate.

minivalkey has one user, ``default``: it has no password unless ``requirepass`` sets
one, and may run every command. The ACL subcommands that describe users answer for
that user as Valkey does; the ones that create, change or persist users are not
offered (they answer Valkey's unknown-subcommand error).

DEBUG is a protected command: the dispatcher refuses it unless
``enable-debug-command`` is ``yes``, or ``local`` and the client is on a loopback
address or a unix socket (Valkey's rule, checked after arity and before NOAUTH).
When allowed, SLEEP and SET-ACTIVE-EXPIRE work; every other DEBUG subcommand
answers the subcommand syntax error.

Invariant: nothing here changes data; DEBUG SET-ACTIVE-EXPIRE only switches the
cron's active expiry (lazy expiry on access always stays on).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from typing import TYPE_CHECKING, Any

from .. import errors
from ..errors import CommandError
from ..replies import OK
from .args import parse_int
from .help import help_reply
from .table import command, container, subcommand

if TYPE_CHECKING:
    from ..session import Client

DEFAULT_USER = b"default"
GENPASS_MAX_BITS = 4096

ACL = container(
    "acl",
    group="server",
    since="6.0.0",
    summary="Groups the subcommands that describe users and their permissions.",
    flags="sentinel",
)

_ACL_FLAGS = "noscript loading stale sentinel"
_ACL_ADMIN_FLAGS = "admin noscript loading stale sentinel"


@subcommand(
    ACL,
    "whoami",
    2,
    _ACL_FLAGS,
    summary="Answers the name of the user the connection is logged in as.",
)
def acl_whoami(client: Client, argv: list[bytes]) -> Any:
    return DEFAULT_USER


@subcommand(ACL, "users", 2, _ACL_ADMIN_FLAGS, summary="Lists the names of all users.")
def acl_users(client: Client, argv: list[bytes]) -> Any:
    return [DEFAULT_USER]


@subcommand(
    ACL,
    "list",
    2,
    _ACL_ADMIN_FLAGS,
    summary="Lists every user's rules as an ACL file would hold them.",
    complexity="O(N). Where N is the number of configured users.",
)
def acl_list(client: Client, argv: list[bytes]) -> Any:
    return [default_user_rules(client)]


def default_user_rules(client: Client) -> bytes:
    """The ``default`` user in ACL file form: its password as a SHA-256 digest."""
    password = client.core.config.get_str("requirepass")
    if not password:
        return b"user default on nopass sanitize-payload ~* &* +@all"
    digest = hashlib.sha256(password.encode("utf-8", "surrogateescape")).hexdigest()
    return f"user default on sanitize-payload #{digest} ~* &* +@all".encode()


@subcommand(
    ACL,
    "genpass",
    -2,
    _ACL_FLAGS,
    summary="Answers a random password of the given number of bits (256 by default).",
)
def acl_genpass(client: Client, argv: list[bytes]) -> Any:
    if len(argv) > 3:
        raise CommandError(errors.subcommand_syntax_error(argv))
    bits = parse_int(argv[2]) if len(argv) == 3 else 256
    if bits <= 0 or bits > GENPASS_MAX_BITS:
        raise CommandError(errors.ACL_GENPASS_BITS)
    characters = (bits + 3) // 4
    return secrets.token_hex((characters + 1) // 2)[:characters].encode()


_ACL_HELP = (
    "CAT [<category>]",
    "    Lists the command categories, or, given a category, the commands",
    "    that belong to it.",
    "DELUSER <username> [<username> ...]",
    "    Deletes users.",
    "DRYRUN <username> <command> [<arg> ...]",
    "    Tells whether a user could run a command, without running it.",
    "GETUSER <username>",
    "    Describes a user.",
    "GENPASS [<bits>]",
    "    Answers a random password of 256 bits, or of the number of bits given;",
    "    the password is in hexadecimal.",
    "LIST",
    "    Lists the users as rules in the ACL file format.",
    "LOAD",
    "    Loads the users from the ACL file again.",
    "LOG [<count> | RESET]",
    "    Shows or clears the log of refused commands and logins.",
    "SAVE",
    "    Writes the users to the ACL file.",
    "SETUSER <username> <attribute> [<attribute> ...]",
    "    Creates a user or changes its attributes.",
    "USERS",
    "    Lists the user names.",
    "WHOAMI",
    "    Answers the name of the connection's user.",
)


@subcommand(ACL, "help", 2, "loading stale sentinel", summary="Describes the ACL subcommands.")
def acl_help(client: Client, argv: list[bytes]) -> Any:
    return help_reply(argv, _ACL_HELP)


# -- DEBUG ------------------------------------------------------------------------------

_LEADING_FLOAT = re.compile(rb"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def _strtod(raw: bytes) -> float:
    """C's strtod as DEBUG SLEEP uses it: the longest leading number, else 0."""
    match = _LEADING_FLOAT.match(raw)
    return float(match.group(0)) if match else 0.0


@command(
    "debug",
    -2,
    "admin noscript loading stale protected",
    group="server",
    since="1.0.0",
    summary="Runs a debugging action (only when enable-debug-command allows it).",
    complexity="Depends on subcommand.",
)
def debug(client: Client, argv: list[bytes]) -> Any:
    action = argv[1].lower()
    if action == b"sleep" and len(argv) == 3:
        seconds = _strtod(argv[2])
        if seconds > 0:
            time.sleep(seconds)  # the whole server waits, as Valkey's does
        return OK
    if action == b"set-active-expire" and len(argv) == 3:
        digits = re.match(rb"\s*[-+]?\d+", argv[2])
        client.core.active_expire_enabled = bool(int(digits.group(0))) if digits else False
        return OK
    raise CommandError(errors.subcommand_syntax_error(argv))
