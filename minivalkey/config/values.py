"""Parameter values: parsing them from text as Valkey does, and printing them back.

A value arrives as a list of words: CONFIG SET splits a multi-word parameter's
value on every single space (``"a  b"`` is three words, ``""`` none); a config
file line gives its own words (see ``Config.load``). ``parse_words`` turns the
words into the stored value or raises ``ConfigError`` with Valkey's reason.

Stored values, by kind: ``bool`` for bool; ``int`` for numbers (as the C type
holds them read back as a signed 64-bit number, except memory and octal numbers,
kept unsigned; a percentage is stored negative, as Valkey does); the canonical
spelling ``str`` for enums (bit-flag enums: their names joined by spaces);
``int`` event flags for notify-keyspace-events; a tuple of three (hard, soft,
seconds) triples for client-output-buffer-limit; ``str`` for everything else
(``save`` and ``bind`` in canonical form, ``replicaof`` as "host port" or "").

Invariant: parsing changes nothing; a refused value raises before anything is
stored (``Config`` stores only what parsed).
"""

from __future__ import annotations

import locale
import os
import re
import resource
import socket
import threading
from collections.abc import Mapping

from ..events import ALL as EVENTS_ALL
from ..events import CLASS_LETTERS
from .params import CTYPE_BITS, LONG_MAX, OBUF_CLASSES, ULLONG_MAX, Param


class ConfigError(Exception):
    """A value Valkey would refuse; the text is Valkey's reason (without prefix)."""


# -- C-like number parsing -----------------------------------------------------------------

_MEMORY_UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1024,
    "m": 1000**2,
    "mb": 1024**2,
    "g": 1000**3,
    "gb": 1024**3,
}


def parse_memory(text: str) -> int | None:
    """Valkey's memtoull: digits and an optional unit, as an unsigned 64-bit number.

    Its quirks are kept: no digits at all reads as 0, an overflowing number
    saturates at 2**64-1, and the multiplication by the unit wraps around.
    """
    if text.startswith("-"):
        return None
    end = 0
    while end < len(text) and text[end] in "0123456789":
        end += 1
    digits, unit = text[:end], text[end:].lower()
    if unit not in _MEMORY_UNITS or len(digits) >= 128:
        return None
    value = min(int(digits), ULLONG_MAX) if digits else 0
    return (value * _MEMORY_UNITS[unit]) % 2**64


def string2ll(text: str) -> int | None:
    """Valkey's strict string-to-integer conversion (signed 64 bits)."""
    if not text or len(text) > 20:
        return None
    body = text[1:] if text[0] == "-" else text
    if not body or any(c not in "0123456789" for c in body):
        return None
    if body[0] == "0" and (len(body) > 1 or text[0] == "-"):
        return None
    value = int(text)
    return value if -(2**63) <= value <= LONG_MAX else None


_C_SPACES = " \t\n\v\f\r"
_OCTAL = re.compile(r"[ \t\n\v\f\r]*[+-]?[0-7]+\Z")
_DECIMAL = re.compile(r"[ \t\n\v\f\r]*[+-]?[0-9]+\Z")


def strtoll_whole(text: str, base: int = 10, saturate: bool = True) -> int | None:
    """C's strtoll when the whole string must be consumed (an empty string reads as 0).

    An overflow saturates (``saturate``) or, as a caller checking errno sees it,
    fails (``None``).
    """
    if text == "":
        return 0
    if not (_OCTAL if base == 8 else _DECIMAL).match(text):
        return None
    value = int(text.lstrip(_C_SPACES), base)
    if not -(2**63) <= value <= LONG_MAX and not saturate:
        return None
    return max(-(2**63), min(LONG_MAX, value))


def wrap(value: int, bits: int, signed: bool = True) -> int:
    """``value`` converted to a C integer of ``bits`` bits."""
    value %= 2**bits
    if signed and value >= 2 ** (bits - 1):
        value -= 2**bits
    return value


def split_set_words(param: Param, text: str) -> list[str]:
    """CONFIG SET's words for ``param``: a multi-word value splits on every space."""
    if not param.multi_arg:
        return [text]
    return text.split(" ") if text else []


# -- parsing ---------------------------------------------------------------------------------


def parse_value(param: Param, text: str, current: object = None) -> object:
    """Parse a CONFIG SET value for ``param`` or raise ``ConfigError``."""
    return parse_words(param, split_set_words(param, text), current)


def parse_words(
    param: Param, words: list[str], current: object = None, appending: bool = False
) -> object:
    """The value ``words`` give ``param`` (``current`` is its value now).

    ``appending``: a config file's second and later ``save`` lines add to the first.
    """
    kind = param.kind
    if not param.multi_arg and len(words) != 1:
        raise ConfigError("wrong number of arguments")
    if kind == "bool":
        lowered = words[0].lower()
        if lowered not in ("yes", "no"):
            raise ConfigError("argument must be 'yes' or 'no'")
        return lowered == "yes"
    if kind == "int":
        return _parse_number(param, words[0])
    if kind == "enum":
        return _parse_enum(param, words)
    if kind == "string":
        check_string(param, words[0])
        return words[0]
    if kind == "save" and appending:
        earlier, added = str(current), _parse_save(words)
        return f"{earlier} {added}" if earlier and added else earlier or added
    if kind == "client-output-buffer-limit":
        return _parse_obuf(words, current)
    return _SPECIAL_PARSERS[kind](words)


def _parse_number(param: Param, text: str) -> int:
    unit = param.unit
    value: int | None = None
    if "memory" in unit:
        memory = parse_memory(text)
        if memory is not None:
            value = wrap(memory, 64)
    if value is None and "percent" in unit and len(text) > 1 and text.endswith("%"):
        percent = string2ll(text[:-1])
        if percent is not None and percent >= 0:
            value = -percent  # Valkey stores a percentage as a negative number
    if value is None and unit == "octal":
        value = strtoll_whole(text, 8, saturate=False)
    if value is None and not unit:
        value = string2ll(text)
    if value is None:
        if unit == "memory percent":
            raise ConfigError("argument must be a memory or percent value")
        if unit == "memory":
            raise ConfigError("argument must be a memory value")
        if unit == "octal":
            raise ConfigError("argument couldn't be parsed as an octal number")
        raise ConfigError("argument couldn't be parsed into an integer")
    if param.unsigned:
        low, high = param.minimum % 2**64, param.maximum % 2**64
        if not low <= value % 2**64 <= high:
            spell = "o" if unit == "octal" else "d"
            raise ConfigError(
                f"argument must be between {low:{spell}} and {high:{spell}} inclusive"
            )
    elif "percent" in unit and value < 0:
        if value < param.minimum:
            raise ConfigError(f"percentage argument must be less or equal to {-param.minimum}")
    elif not param.minimum <= value <= param.maximum:
        raise ConfigError(
            f"argument must be between {param.minimum} and {param.maximum} inclusive"
        )
    # Stored in the parameter's C type, then read back as a long long.
    bits = CTYPE_BITS[param.ctype]
    value = wrap(wrap(value, bits, signed=not param.unsigned), 64)
    if unit in ("memory", "octal"):
        value %= 2**64
    if param.clamp is not None:
        value = min(max(value, param.clamp[0]), param.clamp[1])
    return value


def _parse_enum(param: Param, words: list[str]) -> str:
    flags = 0
    for word in words or [""]:
        lowered = word.lower()
        pairs = zip(param.choices, param.choice_values, strict=True)
        matches = [value for choice, value in pairs if choice == lowered]
        if not matches:
            text = "argument(s) must be one of the following: " + ", ".join(param.choices)
            raise ConfigError(text[:255])
        flags |= matches[0]
    if param.multi_arg and flags & 1 and flags & 2:  # shutdown-on-sig*: SAVE and NOSAVE
        raise ConfigError("shutdown options SAVE and NOSAVE can't be used simultaneously")
    return enum_name(param, flags)


def enum_name(param: Param, value: int) -> str:
    """Valkey's configEnumGetName: the first exact name, else (bit flags) the parts."""
    names: list[str] = []
    unmatched = value
    for choice, bits in zip(param.choices, param.choice_values, strict=True):
        if value == bits:
            return choice
        if param.multi_arg and bits and bits == unmatched & bits:
            names.append(choice)
            unmatched &= ~bits
    return " ".join(names) if names and not unmatched else "unknown"


def enum_value(param: Param, name: str) -> int:
    """The number a stored enum spelling stands for (bit flags: the union)."""
    total = 0
    for word in name.split(" "):
        total |= param.choice_values[param.choices.index(word)]
    return total


# -- strings ---------------------------------------------------------------------------------

_HOSTNAME_CHARS = re.compile(r"[A-Za-z0-9.-]*\Z")
_AUX_INVALID = set("!#$%&()*+;<>?@[]^{|}~")


def check_string(param: Param, value: str) -> None:
    """The validation rule ``param.check`` names (Valkey's is_valid functions)."""
    rule = param.check
    if not rule:
        return
    if rule in ("nonempty", "filename", "dirname") and value == "":
        raise ConfigError(f"{param.name} can't be empty")
    if rule in ("filename", "dirname") and os.path.basename(value) != value:
        what = "filename" if rule == "filename" else "dirname"
        raise ConfigError(f"{param.name} can't be a path, just a {what}")
    if rule in ("ipv4", "ipv6") and value:
        family = socket.AF_INET if rule == "ipv4" else socket.AF_INET6
        try:
            socket.inet_pton(family, value)
        except (OSError, ValueError):
            text = "Invalid IPv4 address" if rule == "ipv4" else "Invalid IPv6 address"
            raise ConfigError(text) from None
    if rule == "hostname":
        if len(value.encode("utf-8", "surrogateescape")) >= 256:
            raise ConfigError("Hostnames must be less than 256 characters")
        if not _HOSTNAME_CHARS.match(value):
            raise ConfigError(
                "Hostnames may only contain alphanumeric characters, hyphens or dots"
            )
    if rule == "nodename" and any(char in _AUX_INVALID for char in value):
        raise ConfigError("Announced human node name contained invalid character")
    if rule == "proc-title" and not _valid_proc_title(value):
        raise ConfigError("template format is invalid or contains unknown variables")


_PROC_TITLE_VARIABLES = frozenset(
    {"title", "listen-addr", "server-mode", "config-file", "port", "tls-port", "unixsocket"}
)


def _valid_proc_title(template: str) -> bool:
    """Valkey's template check: known {variables}, "{{" for a brace, a non-blank result.

    Variables are expanded to placeholders: only the blank case needs their text,
    and of those only {title} (empty while checking) and {server-mode} (empty
    outside cluster and sentinel mode) may be blank.
    """
    out: list[str] = []
    position = 0
    while position < len(template):
        start = template.find("{", position)
        if start < 0:
            out.append(template[position:])
            break
        out.append(template[position:start])
        if start + 1 >= len(template):
            return False
        if template[start + 1] == "{":
            out.append("{")
            position = start + 2
            continue
        end = template.find("}", start + 1)
        if end < 0:
            return False
        name = template[start + 1 : end]
        if name not in _PROC_TITLE_VARIABLES:
            return False
        out.append("" if name in ("title", "server-mode") else "x")
        position = end + 1
    return "".join(out).strip(" ") != ""


# -- kinds with a syntax of their own ------------------------------------------------------


def _parse_dir(words: list[str]) -> str:
    text = words[0]
    if text == "":
        raise ConfigError("dir can't be empty")
    if not os.path.isdir(text):
        # Valkey reports why chdir() failed.
        code = 2 if not os.path.exists(text) else 20  # ENOENT, ENOTDIR
        raise ConfigError(os.strerror(code))
    return text


def _parse_save(words: list[str]) -> str:
    if words == [""]:
        words = []
    if len(words) % 2:
        raise ConfigError("Invalid save parameters")
    numbers = []
    for position, word in enumerate(words):
        value = strtoll_whole(word)
        if value is None or value < (1 if position % 2 == 0 else 0):
            raise ConfigError("Invalid save parameters")
        numbers.append(value)
    # Seconds are a time_t, changes an int: printed back the same way.
    pairs = [f"{numbers[i]} {wrap(numbers[i + 1], 32)}" for i in range(0, len(numbers), 2)]
    return " ".join(pairs)


Obuf = tuple[tuple[int, int, int], ...]


def _parse_obuf(words: list[str], current: object) -> Obuf:
    if len(words) % 4:
        raise ConfigError("Wrong number of arguments in buffer limit configuration.")
    limits = list(current) if isinstance(current, tuple) else []
    for start in range(0, len(words), 4):
        name = words[start].lower()
        index = {"normal": 0, "slave": 1, "replica": 1, "pubsub": 2}.get(name)
        if index is None:
            raise ConfigError("Invalid client class specified in buffer limit configuration.")
        hard, soft = parse_memory(words[start + 1]), parse_memory(words[start + 2])
        seconds = strtoll_whole(words[start + 3])
        if seconds is not None:
            seconds = wrap(seconds, 32)
        if hard is None or soft is None or seconds is None or seconds < 0:
            raise ConfigError(
                "Error in hard, soft or soft_seconds setting in buffer limit configuration."
            )
        limits[index] = (hard, soft, seconds)
    return tuple(limits)


def _parse_oom_values(words: list[str]) -> str:
    if len(words) != 3:
        raise ConfigError("wrong number of arguments")
    values = []
    for word in words:
        value = strtoll_whole(word)
        if value is None or not -2000 <= value <= 2000:
            raise ConfigError(
                "Invalid oom-score-adj-values, elements must be between -2000 and 2000."
            )
        values.append(str(value))
    return " ".join(values)


def _parse_events(words: list[str]) -> int:
    flags = 0
    # Valkey reads the classes as a C string: they end at a NUL byte.
    for char in words[0].partition("\0")[0]:
        if char == "A":
            flags |= EVENTS_ALL
        elif char in CLASS_LETTERS:
            flags |= CLASS_LETTERS[char]
        else:
            raise ConfigError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
    return flags


def events_to_string(flags: int) -> str:
    """The canonical spelling of notify-keyspace-events flags (CONFIG GET's)."""
    if flags & EVENTS_ALL == EVENTS_ALL:
        # Valkey prints "A" alone here, even when "n" is also set.
        text = "A"
    else:
        text = "".join(c for c in "g$lshzxetdn" if flags & CLASS_LETTERS[c])
    return text + "".join(c for c in "KEm" if flags & CLASS_LETTERS[c])


def _parse_bind(words: list[str]) -> str:
    # More than 16 addresses is refused before "" is read as "no address".
    if len(words) > 16:
        raise ConfigError("Too many bind addresses specified.")
    return " ".join(words) if words != [""] else ""


def _parse_replicaof(words: list[str]) -> str:
    if len(words) != 2:
        raise ConfigError("wrong number of arguments")
    host, port = words
    if host.lower() == "no" and port.lower() == "one":
        return ""
    number = strtoll_whole(port)
    if number is None or not 0 <= number <= 65535:
        raise ConfigError("Invalid primary port")
    return f"{host} {number}"


def _parse_percentiles(words: list[str]) -> str:
    if words == [""]:
        return ""
    shown = []
    for word in words:
        value = _string2d(word)
        if value is None:
            raise ConfigError("Invalid latency-tracking-info-percentiles parameters")
        if not 0.0 <= value <= 100.0:
            raise ConfigError(
                "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"
            )
        text = f"{value:f}"
        shown.append(text.rstrip("0").rstrip(".") if "." in text else text)
    return " ".join(shown)


def _string2d(text: str) -> float | None:
    """Valkey's string2d: strtod over the whole text, no leading space, no NaN."""
    if not text or text[0] in _C_SPACES or "_" in text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return None if value != value else value


_SPECIAL_PARSERS = {
    "dir": _parse_dir,
    "save": _parse_save,
    "oom-score-adj-values": _parse_oom_values,
    "notify-keyspace-events": _parse_events,
    "bind": _parse_bind,
    "replicaof": _parse_replicaof,
    "latency-tracking-info-percentiles": _parse_percentiles,
}


# -- printing --------------------------------------------------------------------------------


def render(param: Param, value: object) -> str:
    """A value as CONFIG GET prints it."""
    kind = param.kind
    if kind == "bool":
        return "yes" if value else "no"
    if kind == "int":
        assert isinstance(value, int)
        if "percent" in param.unit and value < 0:
            return f"{-value}%"
        if param.unit == "octal":
            return format(value % 2**64, "o")
        return str(value)
    if kind == "notify-keyspace-events":
        assert isinstance(value, int)
        return events_to_string(value)
    if kind == "dir":
        return os.path.abspath(str(value))
    if kind == "client-output-buffer-limit":
        assert isinstance(value, tuple)
        return " ".join(
            f"{name} {hard} {soft} {seconds}"
            for name, (hard, soft, seconds) in zip(OBUF_CLASSES, value, strict=True)
        )
    return str(value)


# -- effects checked by CONFIG SET ---------------------------------------------------------

_RESERVED_FDS = 32  # Valkey's CONFIG_MIN_RESERVED_FDS
_locale_lock = threading.Lock()


def apply_check(param: Param, value: object, values: Mapping[str, object]) -> str | None:
    """Perform ``param.apply`` for a new ``value``; Valkey's error text if it fails.

    ``values`` is the configuration as it will be (for checks spanning parameters).
    """
    rule = param.apply
    if rule == "open-files":
        assert isinstance(value, int)
        return _raise_open_files_limit(value)
    if rule == "tls":
        if values.get("tls-port") or values.get("tls-cluster") or values.get("tls-replication"):
            return "Unable to update TLS configuration. Check server logs."
    if rule == "locale" and not _locale_exists(str(value)):
        return "Invalid locale name"
    return None


def _raise_open_files_limit(maxclients: int) -> str | None:
    """Valkey's adjustOpenFilesLimit: room for ``maxclients`` descriptors, or the
    error naming the most clients the limit allows."""
    wanted = maxclients + _RESERVED_FDS
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (OSError, ValueError):
        return None
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return None
    best = wanted
    if hard != resource.RLIM_INFINITY and wanted > hard:
        # Valkey steps down 16 descriptors at a time from the wanted number.
        best = wanted - 16 * -(-(wanted - hard) // 16)
    if best > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (best, hard))
        except (OSError, ValueError):
            best = soft
    best = max(best, soft)
    if best < wanted:
        return (
            "The operating system is not able to handle the specified number of clients, "
            f"try with {best - _RESERVED_FDS}"
        )
    return None


def _locale_exists(name: str) -> bool:
    """Whether setlocale(LC_COLLATE, name) would succeed (the process's is left alone)."""
    with _locale_lock:
        previous = locale.setlocale(locale.LC_COLLATE)
        try:
            locale.setlocale(locale.LC_COLLATE, name)
        except locale.Error:
            return False
        finally:
            locale.setlocale(locale.LC_COLLATE, previous)
    return True
