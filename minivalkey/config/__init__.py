"""Server configuration: every parameter Valkey 8.0.1 has, parsed and printed as it does.

* ``params``: the parameter table (``PARAMS``, ``Param``, ``find_param``);
* ``values``: parsing a value from its words, printing it back, the checks CONFIG
  SET makes before a change takes effect;
* ``store``: the live ``Config`` (CONFIG GET's selection, config file directives);
* ``rewrite``: CONFIG REWRITE.

The public names are importable from here. Invariant: this package imports nothing
of the server but leaf modules (events, glob, resp).
"""

from __future__ import annotations

from ..events import ALL as EVENTS_ALL
from .params import (
    EVICTION_POLICIES,
    INT_MAX,
    LONG_MAX,
    PARAMS,
    UINT_MAX,
    ULLONG_MAX,
    Param,
    find_param,
)
from .rewrite import REWRITE_SIGNATURE, config_lines, rewrite_config_file
from .store import Config, is_ignored_directive
from .values import (
    ConfigError,
    apply_check,
    events_to_string,
    parse_memory,
    parse_value,
    parse_words,
    render,
)

__all__ = [
    "EVENTS_ALL",
    "EVICTION_POLICIES",
    "INT_MAX",
    "LONG_MAX",
    "PARAMS",
    "REWRITE_SIGNATURE",
    "UINT_MAX",
    "ULLONG_MAX",
    "Config",
    "ConfigError",
    "Param",
    "apply_check",
    "config_lines",
    "events_to_string",
    "find_param",
    "is_ignored_directive",
    "parse_memory",
    "parse_value",
    "parse_words",
    "render",
    "rewrite_config_file",
]
