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
    # Imported here: the commands package imports this module while it loads.
    from .commands.args import c_bytes

    cut = c_bytes(raw)
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
DECR_OVERFLOW = "ERR decrement would overflow"
SAME_OBJECT = "ERR source and destination objects are the same"
INVALID_CURSOR = "ERR invalid cursor"
EXPIRE_NX_CONFLICT = "ERR NX and XX, GT or LT options at the same time are not compatible"
EXPIRE_GT_LT_CONFLICT = "ERR GT and LT options at the same time are not compatible"
UNSUPPORTED_OPTION = "ERR Unsupported option {option}"
UNKNOWN_TYPE_NAME = "ERR unknown type name '{name}'"
NOVALUES_ONLY_HSCAN = "ERR NOVALUES option can only be used in HSCAN"
NOSCORES_ONLY_ZSCAN = "ERR NOSCORES option can only be used in ZSCAN"


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


# -- connection commands (PING ... HELLO, RESET, CLIENT) ------------------------------

PROTOVER_NOT_INTEGER = "ERR Protocol version is not an integer or out of range"
HELLO_NOAUTH = (
    "NOAUTH HELLO must be called with the client already authenticated, otherwise the "
    "HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and "
    "select the RESP protocol version at the same time"
)
INVALID_CLIENT_NAME = "ERR Client names cannot contain spaces, newlines or special characters."
NO_SUCH_CLIENT = "ERR No such client"
INVALID_CLIENT_ID = "ERR Invalid client ID"
CLIENT_ID_NOT_POSITIVE = "ERR client-id should be greater than 0"
MAXAGE_NOT_INTEGER = "ERR maxage is not an integer or out of range"
MAXAGE_NOT_POSITIVE = "ERR maxage should be greater than 0"
UNBLOCK_REASON = "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"


def value_out_of_range(minimum: int, maximum: int) -> str:
    """An integer that parsed but lies outside the range the command accepts."""
    return f"ERR value is out of range, value must between {minimum} and {maximum}"


def subcommand_syntax_error(argv: list[bytes]) -> str:
    """A known subcommand used with an argument count its handler does not take."""
    container = as_text(argv[0]).upper()
    return no_newlines(
        f"ERR unknown subcommand or wrong number of arguments for '{c_string(argv[1], 128)}'. "
        f"Try {container} HELP."
    )


def hello_syntax(option: bytes) -> str:
    return no_newlines(f"ERR Syntax error in HELLO option '{c_string(option)}'")


def unknown_client_type(name: bytes) -> str:
    return no_newlines(f"ERR Unknown client type '{c_string(name)}'")


def no_such_user(name: bytes) -> str:
    return no_newlines(f"ERR No such user '{c_string(name)}'")


def unrecognized_option(option: bytes) -> str:
    return no_newlines(f"ERR Unrecognized option '{c_string(option)}'")


def invalid_client_attribute(attribute: bytes) -> str:
    """CLIENT SETINFO: the attribute name is echoed as the client spelled it."""
    return no_newlines(
        f"ERR {c_string(attribute)} cannot contain spaces, newlines or special characters."
    )


# -- server commands (INFO, COMMAND, CONFIG, SWAPDB, SHUTDOWN) ---------------------------

INVALID_COMMAND_SPECIFIED = "ERR Invalid command specified"
COMMAND_HAS_NO_KEYS = "ERR The command has no key arguments"
INVALID_COMMAND_ARITY = "ERR Invalid number of arguments specified for command"
INVALID_COMMAND_ARGUMENTS = "ERR Invalid arguments specified for command"
NO_CONFIG_FILE = "ERR The server is running without a config file"
INVALID_FIRST_DB_INDEX = "ERR invalid first DB index"
INVALID_SECOND_DB_INDEX = "ERR invalid second DB index"
NO_SHUTDOWN_IN_PROGRESS = "ERR No shutdown in progress."


def config_set_unknown(name: bytes) -> str:
    return no_newlines(
        f"ERR Unknown option or number of arguments for CONFIG SET - '{c_string(name)}'"
    )


def config_set_failed(name: str, reason: str) -> str:
    """``name`` is the parameter as Valkey names it in this error (spelled or canonical)."""
    return no_newlines(f"ERR CONFIG SET failed (possibly related to argument '{name}') - {reason}")


def config_rewrite_failed(reason: str) -> str:
    return no_newlines(f"ERR Rewriting config file: {reason}")


# -- stream consumer groups (XINFO CONSUMERS, XGROUP SETID/CREATECONSUMER/DELCONSUMER) ----


def no_such_consumer_group(group: bytes, key: bytes) -> str:
    """A named group is missing on an existing stream key (names printed as C strings)."""
    return no_newlines(
        f"NOGROUP No such consumer group '{c_string(group)}' for key name '{c_string(key)}'"
    )


# -- blocking timeouts (XREAD / XREADGROUP BLOCK) --------------------------------------

TIMEOUT_NEGATIVE = "ERR timeout is negative"
TIMEOUT_OUT_OF_RANGE = "ERR timeout is out of range"


# -- stream reads and consumer groups (XREADGROUP, XPENDING, XCLAIM, XAUTOCLAIM) ---------


def no_such_key_or_group(key: bytes, group: bytes, suffix: str = "") -> str:
    """The key or the group is missing; XREADGROUP adds a suffix naming its GROUP option."""
    return no_newlines(
        f"NOGROUP No such key '{c_string(key)}' or consumer group '{c_string(group)}'{suffix}"
    )


# -- stream writes (XADD, XTRIM, XSETID) -----------------------------------------------

XADD_ID_ZERO = "ERR The ID specified in XADD must be greater than 0-0"
MAXLEN_NEGATIVE = "ERR The MAXLEN argument must be >= 0."
LIMIT_NEGATIVE = "ERR The LIMIT argument must be >= 0."
TRIM_STRATEGY_CONFLICT = (
    "ERR syntax error, MAXLEN and MINID options at the same time are not compatible"
)
LIMIT_WITHOUT_STRATEGY = (
    "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"
)
XTRIM_WITHOUT_STRATEGY = "ERR syntax error, XTRIM must be called with a trimming strategy"
LIMIT_WITHOUT_APPROX = "ERR syntax error, LIMIT cannot be used without the special ~ option"
XSETID_ENTRIES_ADDED_NEGATIVE = "ERR entries_added must be positive"
XSETID_BELOW_GIVEN_MAX_DELETED = (
    "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id"
)
XSETID_BELOW_MAX_DELETED = (
    "ERR The ID specified in XSETID is smaller than current max_deleted_entry_id"
)
XSETID_BELOW_TOP_ITEM = "ERR The ID specified in XSETID is smaller than the target stream top item"
XSETID_ENTRIES_ADDED_TOO_SMALL = (
    "ERR The entries_added specified in XSETID is smaller than the target stream length"
)


# -- stream IDs and XADD ------------------------------------------------------------------

INVALID_STREAM_ID = "ERR Invalid stream ID specified as stream command argument"
INVALID_START_ID = "ERR invalid start ID for the interval"
INVALID_END_ID = "ERR invalid end ID for the interval"
STREAM_EXHAUSTED = "ERR The stream has exhausted the last possible ID, unable to add more items"
XADD_ID_NOT_GREATER = (
    "ERR The ID specified in XADD is equal or smaller than the target stream top item"
)
ELEMENTS_TOO_LARGE = "ERR Elements are too large to be stored"


# -- XREAD / XREADGROUP -------------------------------------------------------------------

XREAD_GROUP_OPTION = (
    "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead."
)
XREAD_NOACK_OPTION = (
    "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead."
)
XREADGROUP_MISSING_GROUP = "ERR Missing GROUP option for XREADGROUP"
XREAD_GT_WITHOUT_GROUP = (
    "ERR The > ID can be specified only when calling XREADGROUP using the GROUP "
    "<group> <consumer> option."
)
XREAD_LAST_ID_IS_ZERO = "ERR the stream last element ID is 0-0"
XREADGROUP_NOGROUP_SUFFIX = " in XREADGROUP with GROUP option"


def xreadgroup_meaningless_id(symbol: str) -> str:
    """XREADGROUP given ``$`` or ``+`` as an ID."""
    return (
        f"ERR The {symbol} ID is meaningless in the context of XREADGROUP: you want to "
        "read the history of this consumer by specifying a proper ID, or use the > ID "
        f"to get new messages. The {symbol} ID would just return an empty result set."
    )


def unbalanced_streams(command_name: str, symbol: str) -> str:
    """XREAD / XREADGROUP with an odd number of arguments after STREAMS."""
    return (
        f"ERR Unbalanced '{command_name}' list of streams: for each stream key an ID "
        f"or '{symbol}' must be specified."
    )


# -- consumer groups (XGROUP, XCLAIM, XAUTOCLAIM) -----------------------------------------

BUSYGROUP = "BUSYGROUP Consumer Group name already exists"
XGROUP_KEY_REQUIRED = (
    "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may "
    "want to use the MKSTREAM option to create an empty stream automatically."
)
ENTRIESREAD_INVALID = "ERR value for ENTRIESREAD must be positive or -1"
XCLAIM_MIN_IDLE = "ERR Invalid min-idle-time argument for XCLAIM"
XCLAIM_IDLE = "ERR Invalid IDLE option argument for XCLAIM"
XCLAIM_TIME = "ERR Invalid TIME option argument for XCLAIM"
XCLAIM_RETRYCOUNT = "ERR Invalid RETRYCOUNT option argument for XCLAIM"
XAUTOCLAIM_MIN_IDLE = "ERR Invalid min-idle-time argument for XAUTOCLAIM"
XAUTOCLAIM_COUNT = "ERR COUNT must be > 0"


def unrecognized_xclaim_option(raw: bytes) -> str:
    return no_newlines(f"ERR Unrecognized XCLAIM option '{c_string(raw)}'")


# -- access (ACL, DEBUG, protected mode) -----------------------------------------------

ACL_GENPASS_BITS = (
    "ERR ACL GENPASS argument must be the number of bits for the output password, "
    "a positive number up to 4096"
)


def protected_command(name: str, setting: str) -> str:
    """A protected command (DEBUG) that ``setting`` does not allow for this client."""
    return (
        f"ERR {name} command not allowed. If the {setting} option is set to \"local\", "
        "you can run it from a local connection, otherwise you need to set this option in "
        "the configuration file, and then restart the server."
    )


# Sent to a client from a non-loopback address, then the connection closes.
PROTECTED_MODE_DENIED = (
    "DENIED Running in protected mode because protected mode is enabled and no password "
    "is set for the default user. In this mode connections are only accepted from the "
    "loopback interface. If you want to connect from external computers, you may adopt "
    "one of the following solutions: 1) Just disable protected mode sending the command "
    "'CONFIG SET protected-mode no' from the loopback interface by connecting from the "
    "same host the server is running, however MAKE SURE it's not publicly accessible from "
    "internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) "
    "Alternatively you can just disable the protected mode by editing the configuration "
    "file, and setting the protected mode option to 'no', and then restarting the server. "
    "3) If you started the server manually just for testing, restart it with the "
    "'--protected-mode no' option. 4) Set up an authentication password for the default "
    "user. NOTE: You only need to do one of the above things in order for the server to "
    "start accepting connections from the outside."
)


# Answered for a command whose handler (or a blocked read's re-run) failed unexpectedly;
# the traceback goes to the log once, and the connection stays usable.
INTERNAL_ERROR = "ERR internal error while running the command"


# -- sets ---------------------------------------------------------------------------------

# getPositiveLongFromObjectOrReply without a message of its own (SPOP's count; the
# list pops' count answers the same text).
VALUE_MUST_BE_POSITIVE = "ERR value is out of range, must be positive"


# -- keyspace

OOM = "OOM command not allowed when used memory > 'maxmemory'."
NOREPLICAS = "NOREPLICAS Not enough good replicas to write."
# An EXEC refused before it runs: the reason follows.
EXECABORT_BECAUSE = "EXECABORT Transaction discarded because of: "
