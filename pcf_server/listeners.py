"""The PCF's listeners besides granian's: the operator listener, and mutual TLS.

**Operator listener.** The operator API (and, with ``--stub``, the test stub's) is served
on an address of its own, loopback by default, so that reaching the 3GPP port gives no
way to degrade capacity or wipe the store. It is little used, so hypercorn (pure Python,
HTTP/1.1 and h2c) serves it: in a process of its own (``run_admin_process``), or inside
the stub's single worker (``serve_in_this_loop``), whose memory holds the faults and the
journal that both listeners use.

**Mutual TLS.** With ``--tls-client-ca`` the PCF must know which NF is at the other end
of each connection, to check that an access token is used by the NF it was issued to.
granian (2.8) verifies client certificates (``--ssl-client-verify``) but does not pass
the certificate to the application: its scope has no ASGI TLS extension (granian issue
788, checked with a client certificate in this repository's tests). hypercorn neither
(its issue 62), but it is pure Python and its connection object has the ``ssl_object``:
``_TlsTcpServer`` puts the peer certificate into each request's scope as the ASGI TLS
extension (``scope["extensions"]["tls"]["client_cert_chain"]``, the spec's shape), so the
application reads it as it will from any server that implements the extension. hypercorn
then serves the 3GPP API on that listener (HTTP/2 by ALPN, as TS 29.500 wants),
``--workers`` processes of it. Terminating TLS in a proxy that forwards the verified
certificate (RFC 9440 ``Client-Cert``) was the alternative; it moves the check out of
the PCF, and a header is only as trustworthy as the network path behind the proxy.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import ssl
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing import get_context
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

# hypercorn closes a connection after this many requests (default 1000); an NF keeps one
# HTTP/2 connection to the PCF for as long as it runs.
_MAX_REQUESTS_PER_CONNECTION = 2**31
_TLS_VERSIONS = {"TLSv1.2": 0x0303, "TLSv1.3": 0x0304}


def _config(host: str, port: int) -> Any:
    from hypercorn.config import Config

    config = Config()
    config.bind = [_bind(host, port)]
    config.keep_alive_max_requests = _MAX_REQUESTS_PER_CONNECTION
    config.accesslog = None
    # Our logger, configured by pcf_server.logs: hypercorn's lines in the PCF's format.
    config.errorlog = logging.getLogger("hypercorn.error")
    return config


def _bind(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def bound_socket(host: str, port: int) -> socket.socket:
    """A listening socket on the address, or OSError if another listener has it.

    No SO_REUSEPORT: a second PCF on the same operator port fails instead of sharing it.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def check_free(host: str, port: int) -> None:
    """OSError now, with one clear line, rather than from a server process later."""
    bound_socket(host, port).close()


async def serve_in_this_loop(app: Any, host: str, port: int) -> None:
    """Serve ``app`` on ``host:port`` from the running event loop until cancelled."""
    from hypercorn.asyncio import serve

    sock = bound_socket(host, port)
    config = _config(host, port)
    config.bind = [f"fd://{sock.fileno()}"]
    stop = asyncio.Event()
    server = asyncio.create_task(serve(app, config, shutdown_trigger=stop.wait))
    try:
        await asyncio.shield(server)
    except asyncio.CancelledError:  # the owner stops: a graceful shutdown, not an error
        stop.set()
        await server
        raise
    finally:
        sock.close()


# -- the operator listener's process -------------------------------------------------


def _admin_main(host: str, port: int, parent: int) -> None:
    """Entry point of the operator listener's process (settings in the environment).

    It ends with ``pcf-bdt serve`` as the workers do (``nf_common.workers``); where the
    kernel cannot be asked, ``orphaned`` stops it gracefully.
    """
    from hypercorn.asyncio import serve

    from nf_common.workers import die_with_parent
    from pcf_server.bootstrap import admin_app_from_environment

    die_with_parent()
    app = admin_app_from_environment()
    stop = asyncio.Event()

    async def orphaned() -> None:
        """Stop when the ``pcf-bdt serve`` process that started us is gone."""
        while os.getppid() == parent:
            await asyncio.sleep(1)
        stop.set()

    async def main() -> None:
        loop = asyncio.get_running_loop()
        for name in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(name, stop.set)
        watch = asyncio.create_task(orphaned())
        try:
            await serve(app, _config(host, port), shutdown_trigger=stop.wait)
        finally:
            watch.cancel()

    asyncio.run(main())


def start_admin_process(host: str, port: int) -> BaseProcess:
    """The operator listener in a process of its own; it inherits the environment."""
    process = get_context("spawn").Process(
        target=_admin_main, args=(host, port, os.getpid()), name="pcf-bdt-admin"
    )
    process.start()
    return process


@contextlib.contextmanager
def supervised(
    process: BaseProcess | None, on_death: Callable[[], None], stop_seconds: float = 10.0
) -> Iterator[None]:
    """Call ``on_death`` if ``process`` ends while the block runs; stop it afterwards.

    Stopping sends SIGTERM and kills the process if it is still there ``stop_seconds``
    later.
    """
    import threading

    done = threading.Event()

    def watch() -> None:
        assert process is not None
        process.join()
        if not done.is_set():
            on_death()

    if process is not None:
        threading.Thread(target=watch, name="admin-watch", daemon=True).start()
    try:
        yield
    finally:
        done.set()
        if process is not None and process.is_alive():
            process.terminate()
            process.join(stop_seconds)
            if process.is_alive():
                process.kill()
                process.join()


# -- the 3GPP API over mutual TLS ----------------------------------------------------


def tls_extension(ssl_object: ssl.SSLObject) -> dict[str, Any]:
    """The ASGI TLS extension (spec 0.2) of a connection: the client certificate, mainly.

    Python's ssl module gives the leaf of the client's chain only (before 3.13), which
    is all the PCF reads; the keys it cannot fill are None, as the spec allows.
    """
    der = ssl_object.getpeercert(binary_form=True)
    return {
        "server_cert": None,
        "client_cert_chain": [] if der is None else [ssl.DER_cert_to_PEM_cert(der)],
        "client_cert_name": None,
        "client_cert_error": None,
        "tls_version": _TLS_VERSIONS.get(ssl_object.version() or ""),
        "cipher_suite": None,
    }


class _WithTls:
    """hypercorn's application wrapper, adding a connection's TLS extension to each scope."""

    def __init__(self, app: Any, tls: dict[str, Any]) -> None:
        self.app = app
        self.tls = tls

    async def __call__(
        self, scope: Any, receive: Any, send: Any, sync_spawn: Any, call_soon: Any
    ) -> None:
        scope["extensions"] = {**scope.get("extensions", {}), "tls": self.tls}
        await self.app(scope, receive, send, sync_spawn, call_soon)


def _install_tls_extension() -> None:
    """Make hypercorn's asyncio worker use ``_TlsTcpServer`` for its connections.

    hypercorn's worker looks its connection class up by name when it serves; nothing
    else in it changes. A hypercorn whose worker has no such name is refused loudly, not
    served without the certificate (every token would then be refused).
    """
    import hypercorn.asyncio.run as worker
    from hypercorn.asyncio.tcp_server import TCPServer

    current = getattr(worker, "TCPServer", None)
    if getattr(current, "pcf_bdt_tls", False):
        return
    if current is not TCPServer:
        raise RuntimeError("this hypercorn version is not one the PCF's mTLS listener knows")

    class _TlsTcpServer(TCPServer):
        pcf_bdt_tls = True

        async def run(self) -> None:
            ssl_object = self.writer.get_extra_info("ssl_object")
            if ssl_object is not None:
                self.app = _WithTls(self.app, tls_extension(ssl_object))
            await super().run()

    setattr(worker, "TCPServer", _TlsTcpServer)  # noqa: B010 - not an exported name


def mtls_app() -> Any:
    """Factory of the mTLS listener's workers (hypercorn loads it in each process)."""
    from pcf_server.bootstrap import app_from_environment

    _install_tls_extension()
    return app_from_environment()


@dataclass(frozen=True)
class MutualTls:
    certificate: Path
    key: Path
    client_ca: Path


def serve_mutual_tls(
    host: str,
    port: int,
    workers: int,
    tls: MutualTls,
    access_log: bool,
    *,
    idle_timeout: float = 5.0,
    backlog: int = 100,
    shutdown_timeout: float = 10.0,
) -> int:
    """Serve the SBI application over TLS that requires client certificates; blocks.

    hypercorn's bounds on connections: a TLS handshake, and a connection with no request
    in progress, get ``idle_timeout`` seconds (``--header-read-timeout``); it has no
    connection limit of its own (``--max-connections`` is granian's).
    """
    from hypercorn.run import run

    config = _config(host, port)
    config.keep_alive_timeout = idle_timeout
    config.ssl_handshake_timeout = idle_timeout
    config.backlog = backlog
    config.graceful_timeout = shutdown_timeout
    config.application_path = "pcf_server.listeners:mtls_app()"
    config.workers = workers
    config.certfile = str(tls.certificate)
    config.keyfile = str(tls.key)
    config.ca_certs = str(tls.client_ca)
    config.verify_mode = ssl.CERT_REQUIRED
    config.accesslog = "-" if access_log else None
    return int(run(config))


def interrupt_self() -> None:
    """Ask this process's server to stop as on Ctrl-C or a supervisor's SIGTERM."""
    print("pcf-bdt: the operator listener stopped; stopping the PCF", file=sys.stderr)
    os.kill(os.getpid(), signal.SIGTERM)
