"""What the differential fuzzers share: sequences, their bounds, comparing, shrinking, reports.

A fuzzer draws a ``Sequence`` per seed (its ``setup`` steps are never removed when
shrinking; its ``commands`` are), runs it on both servers through a ``Pair`` (one
call that answers both servers' replies to the same steps, already adjusted the same
way on both sides), and ``fuzz`` reports the failing seeds, each shrunk to the
shortest failing sequence found by removing commands while it still fails, with both
replies to the first differing command.

Bounds come from the environment: ``MINIVALKEY_FUZZ_SEQUENCES`` (how many sequences;
each fuzzer has its own default) and ``MINIVALKEY_FUZZ_SEED`` (the first seed).
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from collections.abc import Sequence as Items
from dataclasses import dataclass

from known_differences import FuzzView, Reference
from replay import Step, replay_until_lost

REPORTED = 3  # failing seeds shrunk and shown in full


def sequences(default: int) -> int:
    """How many sequences to run: ``MINIVALKEY_FUZZ_SEQUENCES``, else ``default``."""
    return int(os.environ.get("MINIVALKEY_FUZZ_SEQUENCES", default))


def first_seed() -> int:
    return int(os.environ.get("MINIVALKEY_FUZZ_SEED", "0"))


def mutate(rng: random.Random, command: Step, junk: Items[str], rate: float) -> Step:
    """With probability ``rate``, one argument (never the command name) replaced by one
    of ``junk``, dropped, or repeated: error paths and the order in which a command
    checks its arguments."""
    if rng.random() >= rate or len(command.argv) < 2:
        return command
    argv = list(command.argv)
    index = rng.randrange(1, len(argv))
    roll = rng.random()
    if roll < 0.6:
        argv[index] = rng.choice(junk).encode()
    elif roll < 0.8:
        del argv[index]
    else:
        argv.insert(index, argv[index])
    return Step(tuple(argv), command.normalise)


@dataclass(frozen=True)
class Sequence:
    seed: int
    protocol: int
    setup: tuple[Step, ...]  # flush and limits: never removed when shrinking
    commands: tuple[Step, ...]

    def steps(self, commands: tuple[Step, ...] | None = None) -> list[Step]:
        return [*self.setup, *(self.commands if commands is None else commands)]


# -- comparing and shrinking --------------------------------------------------------------

Runner = Callable[[list[Step], int], list[bytes]]
# Both servers' replies to the same steps: (reference, minivalkey).
Pair = Callable[[list[Step], int], tuple[list[bytes], list[bytes]]]


def pair(reference: Runner, subject: Runner) -> Pair:
    """Two independent runners as a pair: the reference first, then minivalkey."""

    def run(steps: list[Step], protocol: int) -> tuple[list[bytes], list[bytes]]:
        return reference(steps, protocol), subject(steps, protocol)

    return run


@dataclass(frozen=True)
class Mismatch:
    commands: tuple[Step, ...]
    differing: tuple[tuple[int, bytes, bytes], ...]  # command index, reference, minivalkey


def compare(sequence: Sequence, commands: tuple[Step, ...], run: Pair) -> Mismatch | None:
    """The differing replies of ``commands`` (cut after the first difference), or None."""
    steps = sequence.steps(commands)
    expected, actual = run(steps, sequence.protocol)
    offset = len(sequence.setup)
    differing = [
        (index - offset, want, got)
        for index, (want, got) in enumerate(zip(expected, actual, strict=True))
        if want != got
    ]
    if not differing:
        return None
    first = differing[0][0]
    if first < 0:
        raise AssertionError(f"seed {sequence.seed}: the setup itself differs: {differing[0]!r}")
    return Mismatch(commands[: first + 1], ((first, differing[0][1], differing[0][2]),))


def shrink(found: Mismatch, fails: Callable[[tuple[Step, ...]], Mismatch | None]) -> Mismatch:
    """Remove commands one at a time (last first) while the sequence still fails,
    until no single removal keeps it failing."""
    current = found
    changed = True
    while changed:
        changed = False
        index = len(current.commands) - 1
        while index >= 0:
            candidate = current.commands[:index] + current.commands[index + 1 :]
            result = fails(candidate) if candidate else None
            if result is not None:
                current = result
                changed = True
                index = min(index, len(current.commands)) - 1
            else:
                index -= 1
    return current


def describe(sequence: Sequence, mismatch: Mismatch, ref: Reference) -> str:
    lines = [
        f"seed {sequence.seed} (RESP{sequence.protocol}) differs from {ref.server} {ref.version};"
        f" shortest failing sequence ({len(mismatch.commands)} commands; the whole one again:"
        f" MINIVALKEY_FUZZ_SEED={sequence.seed} MINIVALKEY_FUZZ_SEQUENCES=1):"
    ]
    lines += [f"  {step_.text}" for step_ in sequence.setup[1:]]
    differing = {index for index, _, _ in mismatch.differing}
    for index, step_ in enumerate(mismatch.commands):
        lines.append(f"{'>' if index in differing else ' '} {step_.text}")
    for index, want, got in mismatch.differing:
        lines.append(f"command {index}: {mismatch.commands[index].text}")
        lines.append(f"  reference:  {want[:600]!r}")
        lines.append(f"  minivalkey: {got[:600]!r}")
    return "\n".join(lines)


def runner(host: str, port: int, view: FuzzView) -> Runner:
    """Replays steps on one server as ``view`` sends them: each step's reply is the
    concatenated replies of the steps sent in its place (empty when it is left out)."""

    def run(steps: list[Step], protocol: int) -> list[bytes]:
        groups = view.send(steps)
        sent = [sent_step for group in groups for sent_step in group]
        replies = iter(replay_until_lost(host, port, sent, protocol))
        return [
            view.compared(step_, [(sent_step, next(replies)) for sent_step in group])
            for step_, group in zip(steps, groups, strict=True)
        ]

    return run


def fuzz(
    seeds: range, generate: Callable[[int], Sequence], run: Pair, ref: Reference
) -> tuple[int, list[str]]:
    """Run every seed's sequence; the failing count and the shrunk reports of the first few."""
    failing = 0
    reports: list[str] = []
    for seed in seeds:
        sequence = generate(seed)
        found = compare(sequence, sequence.commands, run)
        if found is None:
            continue
        failing += 1
        if len(reports) < REPORTED:

            def fails(commands: tuple[Step, ...], sequence: Sequence = sequence) -> Mismatch | None:
                return compare(sequence, commands, run)

            reports.append(describe(sequence, shrink(found, fails), ref))
    return failing, reports


def verdict(failing: int, seeds: range, ref: Reference, reports: list[str]) -> str:
    """The assertion message of a fuzz run."""
    return (
        f"{failing} of {len(seeds)} random sequences (seeds {seeds.start}..{seeds.stop - 1}) "
        f"differ from {ref.server} {ref.version}:\n\n" + "\n\n".join(reports)
    )
