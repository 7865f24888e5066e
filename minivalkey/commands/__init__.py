"""Command handlers, one module per family; importing this package fills the table.

Invariant: every module listed here registers its commands in ``table.COMMANDS`` at
import time, and nothing else registers commands.
"""

from . import (  # noqa: F401
    access,
    bitfield,
    bitops,
    client,
    connection,
    counters,
    dump,
    expiry,
    groups,
    hashes,
    hrandfield,
    introspection,
    keys,
    listblock,
    lists,
    objects,
    pubsub,
    server,
    setalgebra,
    sets,
    sort,
    streamread,
    streams,
    stringranges,
    strings,
    transactions,
    xinfo,
    zsetalgebra,
    zsetblocking,
    zsetranges,
    zsets,
)
