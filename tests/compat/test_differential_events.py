"""Differential check of keyspace notifications: what a subscriber receives from
minivalkey and from a reference, step by step, byte for byte.

The steps are the other differential tests' (every script of ``scripts``, the
data-type fuzzer's and the stream fuzzer's random sequences) and the scripts of
``scripts_events`` (the commands those do not draw, and each class alone), run with
``notify-keyspace-events`` set (the scripts: ``KEAnm``; each random sequence: classes
drawn from ``SEQUENCE_CLASSES`` by its seed). ``notifications`` reads what a
``PSUBSCRIBE __key*__:*`` subscriber gets for each step, as pushed (RESP2 or RESP3, the
sequence's protocol); the replies themselves are the other tests' business.

Against Redis 7.x the steps are sent as the other tests send them (their
``known_differences`` views), and ``known_event_differences`` names the steps whose
notifications 7.0 publishes differently from Valkey 8.0.1: those steps' notifications
are not compared (they are still sent to both). Against Valkey everything is compared.
The data-type sequences also get what the data-type fuzzer sends to both sides alike
(``shared``), so that a random SPOP leaves the same sets behind.

Bounds: ``DEFAULT_SEQUENCES`` random sequences of each fuzzer (``MINIVALKEY_FUZZ_SEQUENCES``
and ``MINIVALKEY_FUZZ_SEED`` as for the fuzzers). Skipped without
``MINIVALKEY_REFERENCE_URL``; the harness's own tests always run.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

import fuzzing
import pytest
import test_differential_fuzz as stream_fuzz
import typedraw
from fuzzing import Pair, Sequence, fuzz, verdict
from known_differences import FuzzView, Reference, fuzz_view, types_view
from known_event_differences import event_difference
from notifications import classes_step, compared, event_runner, notifications, switch_off
from replay import Step, step
from scripts import SCRIPTS
from scripts_events import EVENT_SCRIPTS
from scripts_events import PROLOGUE as EVENTS_PROLOGUE
from test_differential import script_steps
from unordered import treatment

from minivalkey import Server
from minivalkey.clock import ManualClock
from minivalkey.commands.table import COMMANDS

DEFAULT_SEQUENCES = 300
SEQUENCES = fuzzing.sequences(DEFAULT_SEQUENCES)
FIRST_SEED = fuzzing.first_seed()
SHOWN = 8  # differing steps printed per script

# The classes a random sequence listens to: mostly everything, sometimes a few.
SEQUENCE_CLASSES = ("KEAnm",) * 6 + ("KA", "EA", "Kgn", "E$lsm", "Khzxt", "KEg", "Em", "Kn")
TYPES_MENU = typedraw.Menu.of(frozenset(name.decode() for name in COMMANDS))


@pytest.fixture(scope="module")
def subject() -> Iterator[Server]:
    # A clock that stands still: nothing compared depends on time, and no key set to
    # expire in a sequence expires during it.
    with Server(clock=ManualClock(1_700_000_000_000)) as server:
        yield server
        switch_off("127.0.0.1", server.port)


def with_classes(sequence: Sequence) -> Sequence:
    """``sequence`` listening to the classes its seed draws (a step of its setup)."""
    classes = random.Random(sequence.seed).choice(SEQUENCE_CLASSES)
    return Sequence(
        sequence.seed,
        sequence.protocol,
        (*sequence.setup, classes_step(classes)),
        sequence.commands,
    )


def shared(view: FuzzView) -> FuzzView:
    """``view`` sending around each step what the data-type fuzzer sends to both sides
    alike (``unordered.treatment``): after an SPOP that picks at random its key is
    deleted, so the two servers' sets stay the same; errno is cleared before SORT."""

    def send(steps: list[Step]) -> list[list[Step]]:
        sent: list[list[Step]] = []
        for group in view.send(steps):
            around: list[Step] = []
            for step_ in group:
                plan = treatment(step_.argv, 512)
                around += [Step(argv) for argv in plan.shared_before]
                around.append(step_)
                around += [Step(argv) for argv in plan.shared_after]
            sent.append(around)
        return sent

    return FuzzView(send, view.reply, view.combine)


def masked(view: FuzzView, ref: Reference) -> FuzzView:
    """``view`` comparing events, not replies: a step's frames are those of the steps sent
    in its place, nothing for a known event difference (which is still sent)."""

    def combine(step_: Step, sent: list[tuple[Step, bytes]]) -> bytes:
        if event_difference(step_.argv, ref) is not None:
            return b""
        return b"".join(data for _, data in sent)

    return FuzzView(view.send, view.reply, combine)


def _pair(reference: tuple[str, int, Reference], port: int, view: FuzzView) -> Pair:
    host, ref_port, ref = reference
    events_view = masked(view, ref)
    return fuzzing.pair(
        event_runner(host, ref_port, events_view), event_runner("127.0.0.1", port, events_view)
    )


def _fuzz(
    reference: tuple[str, int, Reference],
    subject: Server,
    generate: Callable[[int], Sequence],
    view: FuzzView,
) -> None:
    host, port, ref = reference
    seeds = range(FIRST_SEED, FIRST_SEED + SEQUENCES)
    try:
        failing, reports = fuzz(
            seeds,
            lambda seed: with_classes(generate(seed)),
            _pair(reference, subject.port, view),
            ref,
        )
    finally:
        switch_off(host, port)
        switch_off("127.0.0.1", subject.port)
    assert failing == 0, verdict(failing, seeds, ref, reports)


def test_random_typed_sequences_notify_as_reference(
    reference: tuple[str, int, Reference], subject: Server
) -> None:
    view = shared(types_view(reference[2]))
    _fuzz(reference, subject, lambda seed: typedraw.generate(seed, TYPES_MENU), view)


def test_random_stream_sequences_notify_as_reference(
    reference: tuple[str, int, Reference], subject: Server
) -> None:
    _fuzz(reference, subject, stream_fuzz.generate, fuzz_view(reference[2]))


def _frames(host: str, port: int, steps: list[Step], protocol: int) -> list[bytes]:
    got = notifications(host, port, steps, protocol)
    return [compared(step_, frames) for step_, frames in zip(steps, got, strict=True)]


def _compare_script(
    name: str, steps: list[Step], protocol: int, reference: tuple[str, int, Reference], port: int
) -> None:
    host, ref_port, ref = reference
    expected = _frames(host, ref_port, steps, protocol)
    actual = _frames("127.0.0.1", port, steps, protocol)
    switch_off(host, ref_port)
    switch_off("127.0.0.1", port)
    mismatches = [
        f"step {index} {step_.text[:120]}\n"
        f"  reference:  {want[:600]!r}\n  minivalkey: {got[:600]!r}"
        for index, (step_, want, got) in enumerate(zip(steps, expected, actual, strict=True))
        if want != got and event_difference(step_.argv, ref, name) is None
    ]
    assert not mismatches, (
        f"{name}: {len(mismatches)} of {len(steps)} steps notify otherwise than "
        f"{ref.server} {ref.version} (RESP{protocol}):\n" + "\n".join(mismatches[:SHOWN])
    )


@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
@pytest.mark.parametrize("name", list(EVENT_SCRIPTS))
def test_event_script_notifies_as_reference(
    name: str, protocol: int, reference: tuple[str, int, Reference], subject: Server
) -> None:
    steps = EVENTS_PROLOGUE + EVENT_SCRIPTS[name]
    _compare_script(name, steps, protocol, reference, subject.port)


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_reply_script_notifies_as_reference(
    name: str, reference: tuple[str, int, Reference], subject: Server
) -> None:
    steps = [classes_step("KEAnm"), *script_steps(name, reference[2])]
    _compare_script(name, steps, 2, reference, subject.port)


# -- the harness itself (no reference needed) -------------------------------------------------


def test_sequences_listen_to_classes_drawn_by_their_seed() -> None:
    sequence = with_classes(typedraw.generate(5, TYPES_MENU))
    assert sequence.setup[-1].argv[:3] == (b"CONFIG", b"SET", b"notify-keyspace-events")
    assert sequence == with_classes(typedraw.generate(5, TYPES_MENU))
    drawn = {with_classes(stream_fuzz.generate(seed)).setup[-1].argv[3] for seed in range(200)}
    assert drawn == {classes.encode() for classes in SEQUENCE_CLASSES}


def test_every_script_command_exists_in_minivalkey() -> None:
    for steps in EVENT_SCRIPTS.values():
        for step_ in steps:
            assert step_.argv[0].lower() in COMMANDS or step_.argv[0] == b"NOSUCHCOMMAND", step_


def test_notifications_split_by_step(subject: Server) -> None:
    """Against minivalkey itself: each step's frames, with KEA (keyspace then keyevent)."""
    steps = [
        classes_step("KEA"),
        step("SET", "a", "1"),
        step("GET", "a"),
        step("MULTI"),
        step("LPUSH", "l", "x"),
        step("DEL", "a", "l"),
        step("EXEC"),
    ]
    frames = [b"".join(f) for f in notifications("127.0.0.1", subject.port, steps, 2)]
    switch_off("127.0.0.1", subject.port)

    def message(channel: bytes, payload: bytes) -> bytes:
        parts = (b"pmessage", b"__key*__:*", channel, payload)
        return b"*4\r\n" + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts)

    assert frames == [
        b"",
        message(b"__keyspace@0__:a", b"set") + message(b"__keyevent@0__:set", b"a"),
        b"",
        b"",
        message(b"__keyspace@0__:l", b"lpush") + message(b"__keyevent@0__:lpush", b"l"),
        message(b"__keyspace@0__:a", b"del")
        + message(b"__keyevent@0__:del", b"a")
        + message(b"__keyspace@0__:l", b"del")
        + message(b"__keyevent@0__:del", b"l"),
        b"",
    ]
