"""``minivalkey-server``: command-line flags in redis-server's style.

Usage: ``minivalkey-server [config-file] [--directive value ...]``. A config file
is read like redis.conf: one directive per line, ``#`` comments, quoted values.
Flags given on the command line are applied after the file, so they win. A
directive that is not a configuration parameter stops start-up with an error
that names the line, as redis-server does.

Invariant: the process exits 0 after a clean stop (SHUTDOWN, SIGINT, SIGTERM)
and 1 on a configuration error or a second SIGINT during the stop. A stop logs
Valkey's lines: the signal's ("Received SIGTERM scheduling shutdown..."), "User
requested shutdown..." and, once every connection is closed, "Valkey is now
ready to exit, bye bye...".
"""

from __future__ import annotations

import asyncio
import os
import platform
import signal
import sys
from collections.abc import Sequence

from . import __version__, logs
from .config import Config, ConfigError
from .core import VALKEY_VERSION, ServerCore
from .resp import split_inline_args
from .shell import Shell, new_event_loop

USAGE = """Usage: minivalkey-server [/path/to/valkey.conf] [options]
       minivalkey-server - (read config from stdin)
       minivalkey-server -v or --version
       minivalkey-server -h or --help

Examples:
       minivalkey-server (run the server with default config)
       minivalkey-server /etc/valkey/6379.conf
       minivalkey-server --port 7777
       minivalkey-server --port 7777 --requirepass secret --loglevel verbose
       minivalkey-server /etc/myvalkey.conf --loglevel verbose
"""


class FatalConfigError(Exception):
    pass


def version_line() -> str:
    bits = 64 if sys.maxsize > 2**32 else 32
    return (
        f"Valkey server v={VALKEY_VERSION} sha=00000000:0 malloc=libc bits={bits} "
        f"build=minivalkey-{__version__}"
    )


def config_lines_from_argv(args: Sequence[str]) -> list[tuple[str, list[str]]]:
    """``--name v1 v2 --other v`` as (name, values) pairs, in order."""
    pairs: list[tuple[str, list[str]]] = []
    for arg in args:
        if arg.startswith("--") and len(arg) > 2:
            pairs.append((arg[2:].lower(), []))
        elif pairs:
            pairs[-1][1].append(arg)
        else:
            raise FatalConfigError(f"Invalid argument '{arg}'")
    return pairs


def config_lines_from_text(text: str) -> list[tuple[int, str, list[str]]]:
    """A redis.conf file's directives as (line number, name, values)."""
    result = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        words = split_inline_args(stripped.encode())
        if words is None:
            raise FatalConfigError(_fatal(number, line, "Unbalanced quotes in configuration line"))
        if words:
            result.append((number, words[0].decode().lower(), [w.decode() for w in words[1:]]))
    return result


def _fatal(number: int, line: str, reason: str) -> str:
    return (
        f"\n*** FATAL CONFIG FILE ERROR (Version {VALKEY_VERSION}) ***\n"
        f"Reading the configuration file, at line {number}\n>>> '{line.strip()}'\n{reason}"
    )


def apply_directive(config: Config, name: str, values: list[str]) -> None:
    config.load(name, values)


def build_config(argv: Sequence[str]) -> Config:
    config = Config()
    args = list(argv)
    if args and not args[0].startswith("--"):
        path = args.pop(0)
        text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()
        if path != "-":
            config.config_file = os.path.abspath(path)  # for CONFIG REWRITE and INFO
        for number, name, values in config_lines_from_text(text):
            try:
                apply_directive(config, name, values)
            except ConfigError as error:
                line = " ".join([name, *values])
                raise FatalConfigError(_fatal(number, line, str(error))) from None
    for position, (name, values) in enumerate(config_lines_from_argv(args), start=1):
        try:
            apply_directive(config, name, values)
        except ConfigError as error:
            line = " ".join([name, *values])
            raise FatalConfigError(_fatal(position, line, str(error))) from None
    return config


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-v", "--version"):
        print(version_line())
        return 0
    if args and args[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    try:
        config = build_config(args)
    except FatalConfigError as error:
        print(error, file=sys.stderr)
        return 1
    except OSError as error:
        print(f"Fatal error, can't open config file '{args[0]}': {error.strerror}", file=sys.stderr)
        return 1
    logs.configure(config.get_str("loglevel"))
    config.listeners.append(logs.follow_config)
    loop = new_event_loop()
    try:
        return loop.run_until_complete(_serve(config))
    finally:
        loop.close()


async def _serve(config: Config) -> int:
    core = ServerCore(config)
    shell = Shell(core)
    hosts = config.get_str("bind").split() or ["127.0.0.1"]
    hosts = [host.lstrip("-") for host in hosts]
    try:
        port = config.get_int("port")
        unixsocket = config.get_str("unixsocket") or None
        # As with redis-server, port 0 means no TCP listener at all.
        await shell.start(hosts, port, unixsocket, tcp=port != 0)
    except OSError as error:
        print(f"Warning: Could not create server TCP listening socket: {error}", file=sys.stderr)
        return 1
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, _on_signal, shell, signum)
    logs.notice(
        "minivalkey %s (Valkey %s compatible) on %s, pid %s",
        __version__,
        VALKEY_VERSION,
        platform.python_implementation(),
        core.process_id,
    )
    if shell.ports:
        logs.notice("Ready to accept connections tcp port=%s", shell.ports[0])
    if unixsocket:
        logs.notice("Ready to accept connections unix %s", unixsocket)
    await shell.stopped.wait()
    logs.notice("User requested shutdown...")
    await shell.stop()
    logs.log.warning("Valkey is now ready to exit, bye bye...")
    return 0


_SIGNAL_LINES: dict[int, str] = {
    signal.SIGINT: "Received SIGINT scheduling shutdown...",
    signal.SIGTERM: "Received SIGTERM scheduling shutdown...",
}


def _on_signal(shell: Shell, signum: int) -> None:
    """SIGINT or SIGTERM: stop; a second SIGINT while stopping exits at once (status 1)."""
    if signum == signal.SIGINT and shell.stopped.is_set():
        logs.from_signal_handler("You insist... exiting now.")
        os._exit(1)
    line = _SIGNAL_LINES.get(signum, "Received shutdown signal, scheduling shutdown...")
    logs.from_signal_handler(line)
    shell.request_stop()
