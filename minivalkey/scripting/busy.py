"""Busy scripts: what the server does while a script runs past busy-reply-threshold.

Placeholder until the busy-script machinery lands: a script is never declared busy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..core import ServerCore
    from .run import ScriptRun

BUSY_EVAL = (
    "BUSY Valkey is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
)
BUSY_FUNCTION = (
    "BUSY Valkey is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
)


def tick(core: ServerCore, run: ScriptRun) -> bool:
    """Called by the count hook: True when the script must stop (SCRIPT KILL)."""
    return run.killed


def leave(core: ServerCore, run: ScriptRun) -> None:
    """The busy script returned."""


def kill(core: ServerCore, eval_mode: bool) -> object:
    """SCRIPT KILL (``eval_mode``) or FUNCTION KILL: Valkey's scriptKill."""
    from ..errors import CommandError
    from ..replies import OK

    run = core.script_run
    if run is None:
        raise CommandError("NOTBUSY No scripts in execution right now.")
    if run.write_dirty:
        raise CommandError(
            "UNKILLABLE Sorry the script already executed write commands against the "
            "dataset. You can either wait the script termination or kill the server in a "
            "hard way using the SHUTDOWN NOSAVE command."
        )
    if eval_mode and not run.eval_mode:
        raise CommandError(BUSY_FUNCTION)
    if not eval_mode and run.eval_mode:
        raise CommandError(BUSY_EVAL)
    run.killed = True
    return OK
