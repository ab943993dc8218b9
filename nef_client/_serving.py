"""Run an ASGI app in this process on granian (HTTP/1.1 and h2c on one port, or TLS).

A NEF that has no server of its own runs the notification receiver with it; tests run
small servers (an NRF token endpoint, a TLS endpoint) with it. granian's embedded server
takes the app object itself, so callbacks stay in this process.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any


def _server(
    app: Any,
    host: str,
    port: int,
    *,
    ssl_cert: Path | None = None,
    ssl_key: Path | None = None,
    ssl_ca: Path | None = None,
    client_verify: bool = False,
    log: bool = False,
) -> Any:
    try:
        from granian.constants import HTTPModes, Interfaces
        from granian.server.embed import Server
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError("serving needs granian: pip install 'npcf-bdt[receiver]'") from exc
    return Server(
        app,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        http=HTTPModes.auto,
        log_enabled=log,
        ssl_cert=ssl_cert,
        ssl_key=ssl_key,
        ssl_ca=ssl_ca,
        ssl_client_verify=client_verify,
    )


def serve(app: Any, host: str = "127.0.0.1", port: int = 8090, **tls: Any) -> None:
    """Serve ``app`` until interrupted (Ctrl-C)."""
    server = _server(app, host, port, **tls)  # granian logs to stdout: keep it for output
    with suppress(KeyboardInterrupt):
        asyncio.run(server.serve())


def _wait_listening(host: str, port: int, thread: threading.Thread, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError(f"the server on {host}:{port} stopped while starting")
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"nothing listens on {host}:{port} after {timeout}s")


@contextmanager
def background(
    app: Any, host: str = "127.0.0.1", port: int = 0, timeout: float = 10.0, **tls: Any
) -> Iterator[str]:
    """Serve ``app`` from a thread for the duration of the block; yield its base URL."""
    if port == 0:
        with socket.socket() as sock:
            sock.bind((host, 0))
            port = int(sock.getsockname()[1])
    server = _server(app, host, port, **tls)
    loop = asyncio.new_event_loop()
    failure: list[BaseException] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(server.serve())
        except BaseException as exc:  # reported to the caller below
            failure.append(exc)
        finally:
            loop.close()

    thread = threading.Thread(target=run, name=f"asgi-{port}", daemon=True)
    thread.start()
    try:
        _wait_listening(host, port, thread, timeout)
    except RuntimeError as exc:
        if failure:
            raise RuntimeError(f"{exc}: {failure[0]!r}") from failure[0]
        raise
    scheme = "https" if tls.get("ssl_cert") else "http"
    try:
        yield f"{scheme}://{host}:{port}"
    finally:
        loop.call_soon_threadsafe(server.stop)
        thread.join(timeout=10)
