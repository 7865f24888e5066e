"""Which codec serializes which value class, and which loader reads which RDB type.

A value type's codec is registered here by the type's module in this package
(``rdb/hashes.py`` for ``engine.hashes.Hash`` ...), keyed by the value's class, as
``engine.types`` keys the TypeSpec: the engine never imports this package, and a
class without a codec is the one thing DUMP cannot serialize (a test checks that
every registered value type has one).

Invariants: one ``Codec`` per value class; one loader per RDB object type; loaders
raise ``RdbError`` for anything they refuse and never return an empty collection.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .io import Reader, Writer

# RDB object types (rdb.h).
TYPE_STRING = 0
TYPE_LIST = 1
TYPE_SET = 2
TYPE_ZSET = 3
TYPE_HASH = 4
TYPE_ZSET_2 = 5
TYPE_MODULE_PRE_GA = 6
TYPE_MODULE_2 = 7
TYPE_HASH_ZIPMAP = 9
TYPE_LIST_ZIPLIST = 10
TYPE_SET_INTSET = 11
TYPE_ZSET_ZIPLIST = 12
TYPE_HASH_ZIPLIST = 13
TYPE_LIST_QUICKLIST = 14
TYPE_STREAM_LISTPACKS = 15
TYPE_HASH_LISTPACK = 16
TYPE_ZSET_LISTPACK = 17
TYPE_LIST_QUICKLIST_2 = 18
TYPE_STREAM_LISTPACKS_2 = 19
TYPE_SET_LISTPACK = 20
TYPE_STREAM_LISTPACKS_3 = 21


def is_object_type(rdb_type: int) -> bool:
    """Valkey's rdbIsObjectType."""
    return 0 <= rdb_type <= 7 or 9 <= rdb_type <= 21


@dataclass(frozen=True)
class LoadContext:
    """What a loader needs from the server: the configuration (the encoding
    thresholds, by their canonical names) and whether to sanitize deeply."""

    config: Mapping[str, Any]
    deep: bool = False

    def limit(self, name: str) -> int:
        value: int = self.config[name]
        return value


Saver = Callable[[Writer, Any], int]  # writes the value's body, answers its RDB type
Loader = Callable[[Reader, LoadContext, int], Any]  # reads a body of the given RDB type


@dataclass(frozen=True)
class Codec:
    kind: type
    save: Saver


CODECS: dict[type, Codec] = {}
LOADERS: dict[int, Loader] = {}


def register(kind: type, save: Saver, loaders: Mapping[int, Loader]) -> None:
    if kind in CODECS:
        raise ValueError(f"codec for {kind.__name__} registered twice")
    CODECS[kind] = Codec(kind, save)
    for rdb_type, loader in loaders.items():
        if rdb_type in LOADERS:
            raise ValueError(f"RDB type {rdb_type} has two loaders")
        LOADERS[rdb_type] = loader
