"""Where redis-server 7.0 (CI's reference) notifies differently from Valkey 8.0.1.

The differential check of keyspace notifications (``test_differential_events``)
sends every step to both servers; against a Redis 7.x reference the notifications of
the steps matched here are not compared (those steps still run on both, so the state
every later step sees is the same). Against Valkey everything is compared. The
replies' differences are ``known_differences``'s; each entry here says why.
"""

from __future__ import annotations

from known_differences import KnownDifference, Reference

REDIS_7_EVENT_DIFFERENCES: tuple[KnownDifference, ...] = ()


def event_difference(
    argv: tuple[bytes, ...], reference: Reference, script: str = ""
) -> KnownDifference | None:
    """The known difference that leaves this step's notifications uncompared, if any."""
    if not reference.is_redis_7:
        return None
    for difference in REDIS_7_EVENT_DIFFERENCES:
        if difference.matches(script, argv):
            return difference
    return None
