"""Closing connections that never say anything: what granian's own timeouts do not cover.

granian closes an HTTP/1.1 connection whose header section does not arrive within its
header-read timeout (slowloris), including one left idle between requests. A connection
that sends nothing at all, though, or only the start of the HTTP/2 preface, stays open
for ever: serving HTTP/1.1 and h2c on one port, granian first waits for the 24 bytes
that tell the two apart (``PRI * HTTP/2.0...``), with no timeout. Each such connection
holds one of the worker's connection slots (``--max-connections``), so 1,200 of them,
never sending a byte, made the PCF unreachable.

``SilentConnectionCloser`` is a thread in each worker process that looks, every so often,
at the TCP connections accepted on this process's listening sockets. One that has
received fewer than 24 bytes and nothing for ``timeout`` seconds is shut down (both
ways): granian then sees the end of the stream, closes it and frees its slot. The
kernel's own figures (``TCP_INFO``: bytes received, time since data last arrived) say
which connections are silent, so no byte of any connection is read here, and the
connections themselves stay granian's: this thread only ever calls ``shutdown`` on them,
through a duplicate of the descriptor, and closes nothing but its duplicates.

Linux only (``TCP_INFO`` and ``/proc/self/fd``); elsewhere it says so once and does
nothing.
"""

from __future__ import annotations

import logging
import os
import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import suppress

_LOG = logging.getLogger(__name__)
# The HTTP/2 connection preface (RFC 9113 3.4): fewer bytes than this do not even say
# which protocol the client speaks, and every request the PCF answers is longer.
PREFACE_BYTES = 24
_TCP_ESTABLISHED, _TCP_LISTEN = 1, 10
# Offsets in struct tcp_info (linux/tcp.h; the layout only ever grows at its end).
_LAST_DATA_RECV_MS = 52
_BYTES_RECEIVED = 128
_TCP_INFO_LENGTH = 136


class SilentConnectionCloser:
    """Shuts down accepted connections silent for ``timeout`` seconds; see the module."""

    def __init__(self, timeout: float, *, fd_dir: str = "/proc/self/fd") -> None:
        self.timeout = timeout
        self._fd_dir = fd_dir
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @staticmethod
    def supported() -> bool:
        return hasattr(socket, "TCP_INFO") and os.path.isdir("/proc/self/fd")

    def start(self) -> None:
        if not self.supported():
            _LOG.warning("silent connections are not closed: needs Linux (TCP_INFO)")
            return
        interval = min(5.0, max(0.2, self.timeout / 4))
        self._thread = threading.Thread(
            target=self._run, args=(interval,), name="silent-connection-closer", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                self.sweep()
            except Exception:  # a sweep must never end the thread
                _LOG.exception("looking for silent connections failed")

    def sweep(self) -> int:
        """Shut down the silent connections of this process now; how many there were."""
        listening: set[int] = set()
        silent: list[tuple[socket.socket, int]] = []
        duplicates = list(self._tcp_sockets())
        try:
            for sock, info in duplicates:
                port = sock.getsockname()[1]
                if info[0] == _TCP_LISTEN:
                    listening.add(port)
                elif info[0] == _TCP_ESTABLISHED and self._is_silent(info):
                    silent.append((sock, port))
            closed = 0
            for sock, port in silent:
                if port in listening:  # accepted here, not one of our own client sockets
                    with suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)
                        closed += 1
            return closed
        finally:
            for sock, _ in duplicates:
                sock.close()

    def _is_silent(self, info: bytes) -> bool:
        (last_data_ms,) = struct.unpack_from("I", info, _LAST_DATA_RECV_MS)
        (received,) = struct.unpack_from("Q", info, _BYTES_RECEIVED)
        return bool(received < PREFACE_BYTES and last_data_ms >= self.timeout * 1000)

    def _tcp_sockets(self) -> Iterator[tuple[socket.socket, bytes]]:
        """A duplicate of each TCP socket of the process, with its ``TCP_INFO``.

        The duplicate refers to the same socket as granian's descriptor, so what is
        checked is what is shut down, even if granian closes its descriptor meanwhile.
        """
        for name in os.listdir(self._fd_dir):
            try:
                if not os.readlink(f"{self._fd_dir}/{name}").startswith("socket:"):
                    continue
                sock = socket.socket(fileno=os.dup(int(name)))
            except (OSError, ValueError):
                continue  # closed meanwhile, or not a socket we can look at
            try:
                if sock.type == socket.SOCK_STREAM and sock.family in (
                    socket.AF_INET,
                    socket.AF_INET6,
                ):
                    info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, _TCP_INFO_LENGTH)
                    if len(info) >= _TCP_INFO_LENGTH:
                        yield sock, info
                        continue
            except OSError:
                pass
            sock.close()
