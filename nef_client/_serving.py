"""Run an ASGI app in this process on hypercorn (HTTP/1.1 and h2c on one port, or TLS).

A NEF that has no server of its own runs the notification receiver with it; tests run
small servers (an NRF token endpoint, a TLS endpoint) with it. The app object itself is
served, so callbacks stay in this process.

hypercorn rather than granian (which the PCF runs on): it is pure Python on asyncio, so
a server in a background thread stops with its event loop. granian's embedded server
keeps native runtime threads that may call into Python while the interpreter shuts down,
which aborted test runs now and then ("panic in a function that cannot unwind").
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

# hypercorn closes a connection after this many requests (default 1000); a NEF keeps one
# HTTP/2 connection to the PCF for as long as it runs.
_MAX_REQUESTS_PER_CONNECTION = 2**31


def _config(
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
        from hypercorn.config import Config
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError("serving needs hypercorn: pip install 'npcf-bdt[receiver]'") from exc
    config = Config()
    config.bind = [f"{host}:{port}"]
    config.keep_alive_max_requests = _MAX_REQUESTS_PER_CONNECTION
    config.accesslog = "-" if log else None
    config.errorlog = "-" if log else None
    if ssl_cert is not None:
        config.certfile = str(ssl_cert)
        config.keyfile = None if ssl_key is None else str(ssl_key)
    if ssl_ca is not None:
        config.ca_certs = str(ssl_ca)
    if client_verify:
        config.verify_mode = ssl.CERT_REQUIRED
    return config


def serve(app: Any, host: str = "127.0.0.1", port: int = 8090, **tls: Any) -> None:
    """Serve ``app`` until interrupted (Ctrl-C)."""
    from hypercorn.asyncio import serve as hypercorn_serve

    config = _config(host, port, log=True, **tls)
    with suppress(KeyboardInterrupt):
        asyncio.run(hypercorn_serve(app, config))


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
    from hypercorn.asyncio import serve as hypercorn_serve

    if port == 0:
        with socket.socket() as sock:
            sock.bind((host, 0))
            port = int(sock.getsockname()[1])
    config = _config(host, port, **tls)
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    failure: list[BaseException] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(hypercorn_serve(app, config, shutdown_trigger=stop.wait))
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
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=10)
