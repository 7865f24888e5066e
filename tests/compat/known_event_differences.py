"""Where redis-server 7.0 (CI's reference) notifies differently from Valkey 8.0.1.

The differential check of keyspace notifications (``test_differential_events``)
sends every step to both servers; against a Redis 7.x reference the notifications of
the steps matched here are not compared (those steps still run on both, so the state
every later step sees is the same). Against Valkey everything is compared. The
replies' differences are ``known_differences``'s; each entry here says why.
"""

from __future__ import annotations

from known_differences import KnownDifference, Reference

_PAST_EXPIRY = (
    "7.0 stores a key SET with an EXAT / PXAT in the past, publishing set and expire (and "
    "expired when it meets it again); 8.0 deletes an existing key (del) or stores nothing"
)
_CONSUMER_CREATED = (
    "7.0 creates the consumer of XREADGROUP only when it reads something, and that of "
    "XCLAIM / XAUTOCLAIM only when it claims something, publishing xgroup-createconsumer "
    "then; 8.0 creates it (and publishes) up front. The fuzzer creates consumers first "
    "against 7.x (known_differences), so only the replayed scripts differ"
)
_XSETID_BELOW_DELETED = (
    "7.0 lets XSETID go below max_deleted_entry_id (a reply difference too): it publishes "
    "xsetid where 8.0 refuses"
)

REDIS_7_EVENT_DIFFERENCES: tuple[KnownDifference, ...] = (
    KnownDifference(("SET", "past", "v", "EXAT", "1"), _PAST_EXPIRY, exact=True,
                    scripts=("expiry",)),
    KnownDifference(("SET", "gone", "v", "PXAT", "1"), _PAST_EXPIRY, exact=True,
                    scripts=("expiry",)),
    KnownDifference(("XREADGROUP",), _CONSUMER_CREATED, scripts=("readgroup", "claim")),
    KnownDifference(("XCLAIM",), _CONSUMER_CREATED, scripts=("readgroup", "claim")),
    KnownDifference(("XAUTOCLAIM",), _CONSUMER_CREATED, scripts=("readgroup", "claim")),
    KnownDifference(("XSETID", "s", "1-0"), _XSETID_BELOW_DELETED, exact=True,
                    scripts=("stream_groups",)),
)  # fmt: skip


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
