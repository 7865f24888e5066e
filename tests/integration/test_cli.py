"""The ``minivalkey-server`` command: flags, config files, signals, SHUTDOWN, real clients."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from helpers import accepts, free_port, wait_until

SERVER = [sys.executable, "-m", "minivalkey"]


@contextmanager
def running(*args: str) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        [*SERVER, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)


def test_version_line() -> None:
    result = subprocess.run([*SERVER, "--version"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0
    assert result.stdout.startswith("Valkey server v=8.0.1 sha=00000000:0 malloc=libc bits=")
    assert "build=minivalkey-" in result.stdout


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).with_name("minivalkey-server")
    result = subprocess.run([str(script), "-v"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and "v=8.0.1" in result.stdout


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serves_then_stops_cleanly_on_signal(signum: int) -> None:
    port = free_port()
    with running("--port", str(port)) as process:
        wait_until(lambda: accepts(port), timeout=20, message="server accepting")
        client = redis.Redis(port=port)
        assert client.ping() is True
        assert client.config_get("port") == {"port": str(port)}
        client.close()
        process.send_signal(signum)
        assert process.wait(timeout=20) == 0
    assert not accepts(port)


def test_shutdown_command_stops_the_process() -> None:
    port = free_port()
    with running("--port", str(port)) as process:
        wait_until(lambda: accepts(port), timeout=20)
        client = redis.Redis(port=port)
        client.shutdown(nosave=True)  # redis-py raises unless the connection closes
        assert process.wait(timeout=20) == 0
        assert not accepts(port)


@pytest.mark.skipif(shutil.which("redis-cli") is None, reason="redis-cli is not installed")
def test_redis_cli_talks_to_the_server() -> None:
    port = free_port()
    with running("--port", str(port)):
        wait_until(lambda: accepts(port), timeout=20)
        cli = ["redis-cli", "-p", str(port)]
        assert subprocess.run([*cli, "ping"], capture_output=True, text=True).stdout == "PONG\n"
        subprocess.run([*cli, "set", "greeting", "hello world"], check=True, capture_output=True)
        got = subprocess.run([*cli, "get", "greeting"], capture_output=True, text=True)
        assert got.stdout == "hello world\n"
        resp3 = subprocess.run([*cli, "-3", "hello", "3"], capture_output=True, text=True)
        assert "valkey" in resp3.stdout and "8.0.1" in resp3.stdout


def test_config_file_and_flags() -> None:
    port = free_port()
    with tempfile.TemporaryDirectory() as directory:
        conf = Path(directory, "minivalkey.conf")
        conf.write_text(
            "# a redis.conf-style file\n"
            f"port {port + 1}\n"
            'requirepass "s3cret"\n'
            "appendfsync everysec\n"  # a Valkey directive that changes nothing here
            "databases 4\n"
        )
        with running(str(conf), "--port", str(port)):
            wait_until(lambda: accepts(port), timeout=20)  # the flag wins over the file
            client = redis.Redis(port=port, password="s3cret")
            assert client.config_get("databases") == {"databases": "4"}
            with pytest.raises(redis.ResponseError, match="DB index is out of range"):
                client.execute_command("SELECT", "4")
            client.close()


def test_unknown_directive_names_the_line() -> None:
    with tempfile.TemporaryDirectory() as directory:
        conf = Path(directory, "bad.conf")
        conf.write_text("port 0\n\nbogus-directive 1\n")
        result = subprocess.run([*SERVER, str(conf)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert "*** FATAL CONFIG FILE ERROR" in result.stderr
    assert "at line 3" in result.stderr
    assert ">>> 'bogus-directive 1'" in result.stderr
    assert "Bad directive or wrong number of arguments" in result.stderr


def test_bad_flag_value_is_reported() -> None:
    result = subprocess.run(
        [*SERVER, "--port", "not-a-number"], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 1
    assert "argument couldn't be parsed into an integer" in result.stderr


def test_unix_socket_flag() -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "mv.sock")
        with running("--port", "0", "--unixsocket", path) as process:
            wait_until(lambda: os.path.exists(path), timeout=20)
            client = redis.Redis(unix_socket_path=path)
            assert client.ping() is True
            client.close()
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=20) == 0
