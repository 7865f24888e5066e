"""Consistency of the command table: rules that hold for any correct entry.

The table grows as command families are added, so nothing here names a
particular command: every test walks whatever ``COMMANDS`` holds and checks the
rules Valkey's own command table obeys (arity, flags, key positions and key
specs, ACL categories, tips, names), plus that the COMMAND command reports
exactly the table.
"""

from __future__ import annotations

import re

import hiredis
import pytest

import minivalkey.commands  # noqa: F401  (fills the table)
from minivalkey.commands.table import (
    ACL_CATEGORY_ORDER,
    ADMIN,
    COMMANDS,
    FAST,
    INFO_FLAG_ORDER,
    KEY_FLAG_ORDER,
    KNOWN_FLAGS,
    MAY_REPLICATE,
    MOVABLEKEYS,
    READONLY,
    WRITE,
    BeginIndex,
    BeginKeyword,
    CommandSpec,
    FindRange,
    FindUnknown,
    KeySpec,
)
from minivalkey.core import ServerCore
from minivalkey.dispatcher import execute
from minivalkey.session import Client

GROUPS = {
    "generic",
    "string",
    "list",
    "set",
    "sorted-set",
    "hash",
    "pubsub",
    "transactions",
    "connection",
    "server",
    "scripting",
    "hyperloglog",
    "cluster",
    "sentinel",
    "geo",
    "stream",
    "bitmap",
}
TIPS = {
    "nondeterministic_output",
    "nondeterministic_output_order",
    *(f"request_policy:{p}" for p in ("all_nodes", "all_shards", "multi_shard", "special")),
    *(
        f"response_policy:{p}"
        for p in (
            "one_succeeded",
            "all_succeeded",
            "agg_logical_and",
            "agg_logical_or",
            "agg_min",
            "agg_max",
            "agg_sum",
            "special",
        )
    ),
}
ACCESS_TYPES = {"RO", "RW", "OW", "RM"}
DATA_GROUPS = {
    "generic",
    "string",
    "list",
    "set",
    "sorted-set",
    "hash",
    "stream",
    "bitmap",
    "hyperloglog",
    "geo",
}


def top_level() -> list[CommandSpec]:
    return list(COMMANDS.values())


def every_spec() -> list[CommandSpec]:
    return [spec for top in COMMANDS.values() for spec in top.all_specs()]


def spec_ids(specs: list[CommandSpec]) -> list[str]:
    return [spec.fullname for spec in specs]


ALL = every_spec()
ALL_IDS = spec_ids(ALL)
TOP = top_level()
TOP_IDS = spec_ids(TOP)


def test_the_table_is_filled() -> None:
    names = {spec.name for spec in TOP}
    assert {"command", "config", "info", "dbsize", "ping"} <= names


# -- handlers and names -------------------------------------------------------------------


@pytest.mark.parametrize("spec", TOP, ids=TOP_IDS)
def test_every_command_has_a_handler_or_subcommands(spec: CommandSpec) -> None:
    assert spec.handler is not None or spec.subcommands
    if spec.handler is not None:
        assert callable(spec.handler)


@pytest.mark.parametrize("spec", TOP, ids=TOP_IDS)
def test_subcommands_have_handlers_and_point_at_their_container(spec: CommandSpec) -> None:
    for key, sub in spec.subcommands.items():
        assert sub.handler is not None and callable(sub.handler), sub.fullname
        assert sub.parent is spec
        assert key == sub.name.encode()
        assert not sub.subcommands, "Valkey has one level of subcommands"


@pytest.mark.parametrize("spec", ALL, ids=ALL_IDS)
def test_names_and_fullnames(spec: CommandSpec) -> None:
    assert re.fullmatch(r"[a-z][a-z0-9_-]*", spec.name), spec.name
    if spec.parent is None:
        assert COMMANDS[spec.name.encode()] is spec
        assert spec.fullname == spec.name
    else:
        assert spec.fullname == f"{spec.parent.name}|{spec.name}"
        assert spec.group == spec.parent.group


@pytest.mark.parametrize("spec", ALL, ids=ALL_IDS)
def test_documentation_fields(spec: CommandSpec) -> None:
    assert spec.group in GROUPS
    assert re.fullmatch(r"\d+\.\d+\.\d+", spec.since), spec.since
    assert spec.summary and spec.summary == spec.summary.strip()
    assert spec.complexity
    for text in (spec.summary, spec.complexity):
        assert "\r" not in text and "\n" not in text


# -- arity --------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", ALL, ids=ALL_IDS)
def test_arity_sign_rules(spec: CommandSpec) -> None:
    arity = spec.arity
    assert arity != 0
    if spec.parent is not None:
        # The container's name and the subcommand's name are both counted.
        assert abs(arity) >= 2
    if spec.subcommands:
        # A container needs a subcommand (-2), unless it also runs alone (-1, COMMAND).
        assert arity == (-1 if spec.handler is not None else -2)


# -- flags --------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", ALL, ids=ALL_IDS)
def test_flags_come_from_the_known_set(spec: CommandSpec) -> None:
    assert set(spec.flags) <= KNOWN_FLAGS, set(spec.flags) - KNOWN_FLAGS
    assert len(set(spec.flags)) == len(spec.flags), "a flag is repeated"
    assert MOVABLEKEYS not in spec.flags, "movablekeys is derived from the key specs"
    assert not (WRITE in spec.flags and READONLY in spec.flags)
    assert set(spec.info_flags) <= set(INFO_FLAG_ORDER)


@pytest.mark.parametrize("spec", ALL, ids=ALL_IDS)
def test_write_and_readonly_agree_with_group_and_keys(spec: CommandSpec) -> None:
    if spec.group in ("connection", "transactions"):
        assert WRITE not in spec.flags, "connection and transaction commands write no data"
    key_specs = [key_spec for key_spec in spec.key_specs if "not_key" not in key_spec.flags]
    if key_specs and spec.group in DATA_GROUPS:
        # A data command that names keys either reads them or writes them.
        assert (WRITE in spec.flags) != (READONLY in spec.flags)
    # Scripts declare the keys they may write without being write commands, and
    # may_replicate commands (PFCOUNT) may write while read-only; both are exempt.
    if spec.group == "scripting" or MAY_REPLICATE in spec.flags:
        return
    for key_spec in key_specs:
        if READONLY in spec.flags:
            assert "RO" in key_spec.flags, f"read-only {spec.fullname} changes a key"
        if {"RW", "OW", "RM"} & set(key_spec.flags):
            assert WRITE in spec.flags, f"{spec.fullname} changes keys but is not write"


# -- key positions and key specs ------------------------------------------------------------


@pytest.mark.parametrize("spec", ALL, ids=ALL_IDS)
def test_key_positions_within_arity(spec: CommandSpec) -> None:
    first, last, step = spec.first_key, spec.last_key, spec.key_step
    if first == 0:
        assert (last, step) == (0, 0)
        return
    assert first > 0 and step >= 1
    assert last < 0 or last >= first
    minimum_args = abs(spec.arity)
    # The first key (and a fixed last key) must exist in the shortest valid call,
    # unless the keys are "all the remaining arguments", which may be none.
    if not (spec.arity < 0 and last < 0):
        assert first < minimum_args
    if last > 0:
        assert last < minimum_args
    if spec.arity > 0 and last < 0:
        assert spec.arity + last >= first


def legacy_triple(spec: CommandSpec) -> tuple[int, int, int]:
    """Valkey's (first, last, step) derived from key specs (populateCommandLegacyRangeSpec)."""
    specs = spec.key_specs
    if not specs:
        return (0, 0, 0)

    def plain(key_spec: KeySpec) -> bool:
        begin, find = key_spec.begin_search, key_spec.find_keys
        return isinstance(begin, BeginIndex) and isinstance(find, FindRange)

    if len(specs) == 1 and plain(specs[0]):
        begin, find = specs[0].begin_search, specs[0].find_keys
        assert isinstance(begin, BeginIndex) and isinstance(find, FindRange)
        last = find.lastkey + begin.index if find.lastkey >= 0 else find.lastkey
        return (begin.index, last, find.keystep)
    first, last, previous = 2**31, 0, 0
    for key_spec in specs:
        if not plain(key_spec):
            continue
        begin, find = key_spec.begin_search, key_spec.find_keys
        assert isinstance(begin, BeginIndex) and isinstance(find, FindRange)
        if find.keystep != 1 or (previous and previous != begin.index - 1):
            continue
        first = min(first, begin.index)
        absolute = find.lastkey + begin.index if find.lastkey >= 0 else find.lastkey
        last = max(last % 2**32, absolute % 2**32)
        last = last - 2**32 if last >= 2**31 else last
        previous = last
    if first == 2**31:
        return (0, 0, 0)
    return (first, last, 1)


@pytest.mark.parametrize("spec", ALL, ids=ALL_IDS)
def test_key_specs_agree_with_the_legacy_triple(spec: CommandSpec) -> None:
    assert (spec.first_key, spec.last_key, spec.key_step) == legacy_triple(spec)


@pytest.mark.parametrize("spec", ALL, ids=ALL_IDS)
def test_key_spec_flags(spec: CommandSpec) -> None:
    for key_spec in spec.key_specs:
        assert set(key_spec.flags) <= set(KEY_FLAG_ORDER)
        # Valkey's rule: every key spec says exactly how its keys are accessed,
        # except specs of arguments that are not really keys (shard channels).
        access = ACCESS_TYPES & set(key_spec.flags)
        assert len(access) == (0 if "not_key" in key_spec.flags else 1), key_spec.flags
        begin, find = key_spec.begin_search, key_spec.find_keys
        if isinstance(begin, BeginIndex):
            assert begin.index >= 1
        elif isinstance(begin, BeginKeyword):
            assert begin.keyword and begin.startfrom != 0
        else:
            # An unknown start has unknown keys, found only by the command's key finder.
            assert isinstance(find, FindUnknown) and spec.getkeys is not None
        if isinstance(find, FindRange):
            assert find.keystep >= 1 and find.limit >= 0
            assert find.limit == 0 or find.lastkey == -1


# -- ACL categories and tips -------------------------------------------------------------------


@pytest.mark.parametrize("spec", ALL, ids=ALL_IDS)
def test_acl_categories(spec: CommandSpec) -> None:
    categories = spec.categories
    assert set(categories) <= set(ACL_CATEGORY_ORDER)
    assert categories == sorted(categories, key=ACL_CATEGORY_ORDER.index)
    assert ("@fast" in categories) != ("@slow" in categories)
    assert ("@fast" in categories) == (FAST in spec.flags)
    if WRITE in spec.flags:
        assert "@write" in categories
    if READONLY in spec.flags:  # Valkey leaves scripting commands out of @read (EVAL_RO)
        assert ("@read" in categories) == ("@scripting" not in categories)
    if ADMIN in spec.flags:
        assert {"@admin", "@dangerous"} <= set(categories)


@pytest.mark.parametrize("spec", ALL, ids=ALL_IDS)
def test_tips_are_known(spec: CommandSpec) -> None:
    assert set(spec.tips) <= TIPS, set(spec.tips) - TIPS


# -- the COMMAND command reports the table ----------------------------------------------------


def run(core: ServerCore, *argv: bytes, protocol: int = 2) -> bytes:
    client = Client(core)
    client.protocol = protocol
    return execute(client, list(argv))


def parse(reply: bytes) -> object:
    """Decode a RESP2 reply into Python values."""
    reader = hiredis.Reader()
    reader.feed(reply)
    return reader.gets()


def test_command_count_equals_the_table_size() -> None:
    core = ServerCore()
    assert run(core, b"COMMAND", b"COUNT") == b":%d\r\n" % len(COMMANDS)
    listed = parse(run(core, b"COMMAND"))
    assert isinstance(listed, list) and len(listed) == len(COMMANDS)
    assert [entry[0].decode() for entry in listed] == [spec.name for spec in TOP]


def test_command_list_names_every_command_and_subcommand() -> None:
    core = ServerCore()
    listed = parse(run(core, b"COMMAND", b"LIST"))
    assert listed == [spec.fullname.encode() for spec in ALL]


@pytest.mark.parametrize("protocol", [2, 3])
def test_command_info_and_docs_encode_for_every_entry(protocol: int) -> None:
    core = ServerCore()
    for spec in ALL:
        info = run(core, b"COMMAND", b"INFO", spec.fullname.encode(), protocol=protocol)
        assert info.startswith(b"*1\r\n*10\r\n")
        name = spec.fullname.encode()
        assert info[len(b"*1\r\n*10\r\n") :].startswith(b"$%d\r\n%s\r\n" % (len(name), name))
        docs = run(core, b"COMMAND", b"DOCS", spec.fullname.encode(), protocol=protocol)
        assert docs.startswith(b"%1\r\n" if protocol == 3 else b"*2\r\n")
