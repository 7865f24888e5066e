"""Test helpers: a raw RESP client for byte-exact assertions, and polling with a deadline.

Invariant: nothing here sleeps to wait for a state; ``wait_until`` polls a condition
until a deadline and fails loudly when it passes.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


class RawClient:
    """A socket that sends raw bytes and reads whole RESP replies as raw bytes."""

    def __init__(self, port: int, host: str = "127.0.0.1", timeout: float = 5.0) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buffer = b""

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> RawClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def command(self, *args: bytes | str | int) -> bytes:
        """Send one command as a multibulk request and return its raw reply."""
        self.send(encode_command(*args))
        return self.read_reply()

    def _fill(self) -> None:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("connection closed by the server")
        self.buffer += data

    def _line(self, start: int) -> int:
        """Index just past the CRLF that ends the line starting at ``start``."""
        while True:
            end = self.buffer.find(b"\r\n", start)
            if end >= 0:
                return end + 2
            self._fill()

    def _reply_end(self, start: int) -> int:
        while len(self.buffer) <= start:
            self._fill()
        kind = self.buffer[start : start + 1]
        line_end = self._line(start)
        header = self.buffer[start + 1 : line_end - 2]
        if kind in (b"$", b"=", b"!"):
            length = int(header)
            if length < 0:
                return line_end
            while len(self.buffer) < line_end + length + 2:
                self._fill()
            return line_end + length + 2
        if kind in (b"*", b"~", b">", b"%", b"|"):
            count = int(header)
            if kind in (b"%", b"|"):
                count *= 2
            position = line_end
            for _ in range(max(count, 0)):
                position = self._reply_end(position)
            return position
        return line_end

    def read_reply(self) -> bytes:
        end = self._reply_end(0)
        reply, self.buffer = self.buffer[:end], self.buffer[end:]
        return reply

    def read_until_closed(self) -> bytes:
        """Everything the server sends until it closes the connection."""
        while True:
            try:
                data = self.sock.recv(65536)
            except ConnectionResetError:
                break
            if not data:
                break
            self.buffer += data
        data, self.buffer = self.buffer, b""
        return data

    def is_closed(self) -> bool:
        """True when the server has closed this connection (reads EOF)."""
        self.sock.settimeout(2.0)
        try:
            data = self.sock.recv(65536)
        except ConnectionResetError:
            return True
        self.buffer += data
        return not data


def encode_command(*args: bytes | str | int) -> bytes:
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        raw = arg if isinstance(arg, bytes) else str(arg).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(raw), raw))
    return b"".join(parts)


def wait_until(condition: Callable[[], Any], timeout: float = 5.0, message: str = "") -> Any:
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s: {message or condition}")
        time.sleep(0.005)  # a polling interval, not a wait for a state


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def accepts(port: int, timeout: float = 0.5) -> bool:
    """Whether something on 127.0.0.1 accepts a connection on ``port``."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=timeout).close()
        return True
    except OSError:
        return False


def exec_aborted_by(watcher: RawClient, writer: RawClient, key: str, *command: str) -> bool:
    """Whether ``command``, run by ``writer`` while ``watcher`` WATCHes ``key``, makes
    the watcher's next EXEC fail (Valkey's signalModifiedKey reached the key)."""
    assert watcher.command("WATCH", key) == b"+OK\r\n"
    writer.command(*command)
    assert watcher.command("MULTI") == b"+OK\r\n"
    assert watcher.command("PING") == b"+QUEUED\r\n"
    reply = watcher.command("EXEC")
    assert reply in (b"*-1\r\n", b"*1\r\n+PONG\r\n"), reply
    return reply == b"*-1\r\n"


def keyspace_stats(client: RawClient) -> tuple[int, int]:
    """INFO stats' ``keyspace_hits`` and ``keyspace_misses``."""
    text = client.command("INFO", "stats").decode()
    fields = dict(line.split(":", 1) for line in text.split("\r\n") if ":" in line)
    return int(fields["keyspace_hits"]), int(fields["keyspace_misses"])


@contextmanager
def raw_clients(port: int, protocol: int = 2) -> Iterator[Callable[..., RawClient]]:
    """A function opening ``RawClient``s on ``port``, each in ``protocol`` unless told
    otherwise (a RESP3 one says HELLO 3 first); all of them close when the block ends."""
    opened: list[RawClient] = []

    def open_client(protocol: int = protocol) -> RawClient:
        client = RawClient(port)
        opened.append(client)
        if protocol == 3:
            assert client.command("HELLO", "3").startswith(b"%7\r\n")
        return client

    try:
        yield open_client
    finally:
        for client in opened:
            client.close()


class SendRecorder:
    """A stand-in for a client's connection that keeps what is sent to the client
    outside its replies (``Client.send``), for registry tests without an event loop."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []

    def close_after_reply(self) -> None:  # pragma: no cover - not used by these tests
        pass

    def close_now(self) -> None:  # pragma: no cover - not used by these tests
        pass

    def deliver(self, reply: object) -> None:  # pragma: no cover - not used by these tests
        pass

    def send(self, data: bytes) -> None:
        self.sent.append(data)

    def output_buffer_size(self) -> int:  # pragma: no cover - not used by these tests
        return 0
