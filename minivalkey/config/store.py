"""The live configuration: the values, how they change, and CONFIG GET's selection.

Invariants: every name in ``Config.values`` is a canonical parameter name from
``PARAMS`` and every parameter has a value; values are stored parsed (see
``values``); a refused value raises ``ConfigError`` and leaves the configuration
unchanged; listeners hear of every stored change, after all the values of one
change are in place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..glob import glob_match
from .params import (
    BY_NAME,
    FILE_ONLY_DIRECTIVES,
    PARAMS,
    RETIRED_DIRECTIVES,
    Param,
    find_param,
)
from .values import ConfigError, parse_value, parse_words, render


def is_ignored_directive(name: str) -> bool:
    """A config file directive that is no parameter and that this server skips."""
    lowered = name.lower()
    return lowered in FILE_ONLY_DIRECTIVES or lowered in RETIRED_DIRECTIVES


class Config:
    """The live configuration; ``listeners`` hear of every successful change.

    ``config_file`` is the absolute path of the file the server was started
    with ("" when none): INFO shows it and CONFIG REWRITE needs it.
    """

    def __init__(self, overrides: dict[str, str] | None = None) -> None:
        self.values: dict[str, object] = {param.name: param.default for param in PARAMS}
        self.listeners: list[Callable[[str, object], None]] = []
        self.config_file = ""
        self._save_loaded = False  # a config file's first save line replaces, later ones add
        for name, text in (overrides or {}).items():
            self.set(name, text)

    def __getitem__(self, name: str) -> object:
        return self.values[name]

    def get_int(self, name: str) -> int:
        value = self.values[name]
        assert isinstance(value, int)
        return value

    def get_str(self, name: str) -> str:
        return str(self.values[name])

    def get_bool(self, name: str) -> bool:
        return bool(self.values[name])

    def render(self, name: str) -> str:
        """The value of parameter ``name`` as CONFIG GET prints it."""
        param = BY_NAME[name]
        return render(param, self.values[param.name])

    def parse(self, param: Param, text: str) -> object:
        """``text`` as a CONFIG SET value of ``param`` (nothing is stored)."""
        return parse_value(param, text, self.values[param.name])

    def set(self, name: str, text: str) -> None:
        """Set one parameter from its CONFIG SET text (no mutability check: start-up path)."""
        param = find_param(name)
        if param is None:
            raise ConfigError(f"Bad directive or wrong number of arguments '{name}'")
        self.apply([(param, self.parse(param, text))])

    def load(self, name: str, words: list[str]) -> None:
        """One config file (or command line) directive, as Valkey reads it at start-up.

        A multi-word parameter given one non-empty word splits it as a config line
        (quotes count); a one-word parameter needs exactly one word. Directives that
        are no parameters (``include``, ``rename-command``, ``user``, ``loadmodule``,
        and the retired ones Valkey tolerates) are skipped.
        """
        lowered = name.lower()
        param = find_param(lowered)
        if param is None:
            if lowered in RETIRED_DIRECTIVES and len(words) == 1:
                return
            if lowered == "sentinel" and words:
                raise ConfigError("sentinel directive while not in sentinel mode")
            arity_ok = {
                "include": len(words) == 1,
                "rename-command": len(words) == 2,
                "user": len(words) >= 1,
                "loadmodule": len(words) >= 1,
                "sentinel": True,
            }
            if arity_ok.get(lowered, False):
                return
            raise ConfigError("Bad directive or wrong number of arguments")
        if param.multi_arg and len(words) == 1 and words[0]:
            from ..resp import split_inline_args  # resp does not import the configuration

            split = split_inline_args(words[0].encode("utf-8", "surrogateescape"))
            words = [word.decode("utf-8", "surrogateescape") for word in split or []]
        appending = param.kind == "save" and self._save_loaded
        value = parse_words(param, words, self.values[param.name], appending)
        if param.kind == "save":
            self._save_loaded = True
        self.apply([(param, value)])

    def apply(self, changes: list[tuple[Param, object]]) -> None:
        """Store already parsed values together, then tell the listeners (CONFIG SET)."""
        for param, value in changes:
            self.values[param.name] = value
        for param, _ in changes:
            for listener in self.listeners:
                listener(param.name, self.values[param.name])

    def matching(self, patterns: Iterable[str]) -> dict[str, str]:
        """CONFIG GET: the parameters the arguments name or match, rendered.

        An argument without glob characters names one parameter (or alias) and is
        echoed back as spelled; a pattern matches every name and alias, in any case,
        except hidden parameters'. Each reply name appears once (compared without
        case): an alias and its parameter both appear when both are selected.
        """
        chosen: dict[str, tuple[str, str]] = {}  # lower-case reply name -> (name, value)
        for pattern in patterns:
            if not any(char in pattern for char in "[*?"):
                param = find_param(pattern)
                if param is not None and pattern.lower() not in chosen:
                    chosen[pattern.lower()] = (pattern, self.render(param.name))
                continue
            raw = pattern.encode("utf-8", "surrogateescape")
            for name, param in BY_NAME.items():
                if param.hidden or name in chosen:
                    continue
                if glob_match(raw, name.encode(), nocase=True):
                    chosen[name] = (name, self.render(param.name))
        return dict(chosen.values())
