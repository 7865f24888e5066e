"""The cheapest Python RESP server we can write: the ceiling for any Python server here.

Usage: ``python benchmarks/null_server.py --port N [--bind 127.0.0.1]``

It parses requests with ``hiredis.Reader`` on a uvloop event loop and answers with
constants, doing no other work: ``+PONG`` for PING, one fixed bulk ID for XADD and
an empty array for everything else. Whatever a real Python server does on top of
this (dispatch, argument checks, data structures, reply encoding) costs throughput,
so ``bench.py`` reports minivalkey's rate as a fraction of this one.

Invariants: exactly one reply per parsed request, in order; all replies produced by
one ``data_received`` call leave in one ``transport.write``. A request that is not
valid RESP closes the connection (benchmark clients never send one).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from typing import cast

import hiredis

PONG = b"+PONG\r\n"
XADD_ID = b"$15\r\n1700000000000-0\r\n"
EMPTY = b"*0\r\n"


def reply_for(request: object) -> bytes:
    """The constant reply to one parsed request (a list of bulk strings)."""
    if isinstance(request, list) and request:
        name = request[0]
        if isinstance(name, bytes):
            # Compare case-insensitively without allocating for the usual upper-case names.
            if name == b"PING" or name.upper() == b"PING":
                return PONG
            if name == b"XADD" or name.upper() == b"XADD":
                return XADD_ID
    return EMPTY


class NullProtocol(asyncio.Protocol):
    """One connection: feed bytes to hiredis, answer every complete request."""

    def __init__(self) -> None:
        self.reader = hiredis.Reader()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not subclass asyncio.Transport, hence a cast, not a check.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        reader = self.reader
        reader.feed(data)
        out: list[bytes] = []
        try:
            while (request := reader.gets()) is not False:
                out.append(reply_for(request))
        except hiredis.ProtocolError:
            assert self.transport is not None
            self.transport.close()
            return
        if out:
            assert self.transport is not None
            self.transport.write(b"".join(out))


async def serve(host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    stop = loop.create_future()

    def request_stop() -> None:
        if not stop.done():
            stop.set_result(None)

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, request_stop)
    server = await loop.create_server(NullProtocol, host, port, reuse_address=True)
    try:
        await stop
    finally:
        server.close()
        await server.wait_closed()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--bind", default="127.0.0.1")
    args = parser.parse_args()
    try:
        import uvloop
    except ImportError:  # still runs, but is then no longer the ceiling it claims to be
        asyncio.run(serve(args.bind, args.port))
    else:
        uvloop.run(serve(args.bind, args.port))


if __name__ == "__main__":
    main()
