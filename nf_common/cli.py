"""What ``pcf-bdt`` and ``nef-bdt`` share: one-line errors, exit statuses, help, tables.

Both commands keep argparse (standard library): a subclass gives every usage mistake
one line (``PROG: error: ...``, status 2) instead of argparse's usage block, and
``run_command`` turns what goes wrong while a command runs into one line and status 1,
never a traceback (``NPCF_BDT_TRACEBACK=1`` shows it, for bug reports). click or typer
would have meant rewriting both parsers, and their own usage errors are several lines
too. Tables go through rich when stdout is a terminal and stay plain, aligned text
when it is a pipe or a file, which scripts read.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, TextIO
from urllib.parse import urlsplit

TRACEBACK_VARIABLE = "NPCF_BDT_TRACEBACK"


class UsageError(Exception):
    """A mistake on the command line found after parsing: one line, exit status 2."""


class CommandFailed(Exception):
    """The command could not do its work: one line, exit status 1."""


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("npcf-bdt")
    except PackageNotFoundError:  # a checkout on the path without an install
        return "unknown"


def say_error(root: str, message: str) -> None:
    """``ROOT: error: MESSAGE`` as exactly one line on stderr."""
    line = " ".join(str(message).split())
    print(f"{root}: error: {line}", file=sys.stderr, flush=True)


class DefaultsFormatter(argparse.HelpFormatter):
    """Help that shows each option's default, unless it has none or says it already."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        if (
            not action.option_strings
            or default in (None, False, argparse.SUPPRESS, [], ())
            or "default" in text.lower()
        ):
            return text
        shown = ":".join(map(str, default)) if isinstance(default, tuple) else default
        return f"{text} (default: {str(shown).replace('%', '%%')})"


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line named after the command."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", DefaultsFormatter)
        super().__init__(*args, **kwargs)

    @property
    def root(self) -> str:
        return self.prog.split()[0]

    def error(self, message: str) -> NoReturn:
        say_error(self.root, f"{message} (see {self.prog} --help)")
        raise SystemExit(2)

    def add_version(self) -> None:
        self.add_argument("--version", action="version", version=f"{self.prog} {package_version()}")


def run_command(root: str, command: Callable[[], int]) -> int:
    """Run a parsed command; what goes wrong becomes one line and an exit status."""
    try:
        status = command()
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit
        return status
    except UsageError as exc:
        say_error(root, str(exc))
        return 2
    except CommandFailed as exc:
        say_error(root, str(exc))
        return 1
    except BrokenPipeError:
        # `... | head`: the reader left. Point stdout at /dev/null so that the
        # interpreter's last flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        say_error(root, "the output was closed before all of it was written (broken pipe)")
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if os.environ.get(TRACEBACK_VARIABLE):
            raise
        say_error(root, f"{describe(exc)} ({TRACEBACK_VARIABLE}=1 shows the traceback)")
        return 1


def describe(exc: BaseException) -> str:
    """An exception as a user reads it: the file it is about, the type, the message."""
    if isinstance(exc, OSError) and exc.strerror:
        about = exc.filename if exc.filename is not None else None
        return f"{about}: {exc.strerror}" if about else exc.strerror
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# -- argument types shared by both commands ---------------------------------------------


def http_url(text: str) -> str:
    """An apiRoot: an absolute http(s) URL (without the trailing slash)."""
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme not in ("http", "https") or not parts.hostname or port == -1:
        raise argparse.ArgumentTypeError(f"{text!r} is not an http:// or https:// URL")
    return text.rstrip("/")


def port_number(text: str) -> int:
    """A TCP port; 0 asks the system for a free one."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port number (0-65535)")
    return value


def at_least(low: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, not {value}")
        return value

    parse.__name__ = "number"
    return parse


def seconds(low: float, high: float) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low:g} and {high:g} seconds")
        return value

    parse.__name__ = "seconds"
    return parse


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# -- tables ------------------------------------------------------------------------------


def print_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], out: TextIO, title: str | None = None
) -> None:
    """Rows under a header: rich on a terminal, plain aligned columns otherwise."""
    if out.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(*header, title=title)
        for row in rows:
            table.add_row(*row)
        Console(file=out).print(table)
        return
    if title:
        print(title, file=out)
    print(plain_table(header, rows), file=out)


def plain_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Aligned text columns with a rule under the header."""
    lines = [list(header), *map(list, rows)]
    widths = [max(len(row[i]) for row in lines) for i in range(len(header))]
    text = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in lines]
    text.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in text)


# -- listening ---------------------------------------------------------------------------


def probe_listen(host: str, port: int, option: str = "--host/--port") -> int:
    """Check that this process could listen on ``host:port``; the port (0 gets a free one).

    Binds without SO_REUSEPORT, so a port that another server holds (even one that
    shares it with SO_REUSEPORT, as granian does) is refused here, in one line, instead
    of being shared or failing later inside a server.
    """
    import errno
    import socket

    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError) as exc:
        raise UsageError(f"{option}: cannot listen on {where}: {host!r} is not known") from exc
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(1)
        return int(sock.getsockname()[1])
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if exc.errno == errno.EADDRNOTAVAIL:
            reason = f"{host} is not an address of this machine"
        elif exc.errno == errno.EADDRINUSE:
            reason = "the port is already in use (another server listens on it)"
        raise UsageError(f"{option}: cannot listen on {where}: {reason}") from exc
    finally:
        sock.close()


def reserve_port(host: str, port: int) -> Any:
    """A socket bound to ``host:port`` with SO_REUSEPORT, not listening; keep it open.

    It takes no connections, but keeps the port (found free by ``probe_listen``, perhaps
    chosen by the system for port 0) out of other programs' reach until granian, which
    binds with SO_REUSEPORT too, listens on it. None where SO_REUSEPORT does not exist.
    """
    import socket

    if not hasattr(socket, "SO_REUSEPORT"):
        return None
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise CommandFailed(f"cannot keep port {port} for the server: {describe(exc)}") from None
    return sock
