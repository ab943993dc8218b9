"""Ports for test servers that the kernel never hands out meanwhile."""

from __future__ import annotations

import random
import socket
from contextlib import suppress
from pathlib import Path


def port_outside_ephemeral_range() -> int:
    """A free loopback port that the kernel gives no ``bind(0)`` and no outgoing connection.

    A port of the ephemeral range, once freed by the test that found it, can be handed
    to anything on the machine before the server it was meant for binds it: to the local
    end of a client connection (such as the PCF's own attempts to reach a PostgreSQL that
    a test keeps down), or to the other listener of a server started with ``--port 0``.
    """
    low, high = 32768, 60999  # Linux's default, where the kernel does not say
    with suppress(OSError, ValueError):
        text = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text()
        low, high = (int(part) for part in text.split())
    candidates = [port for port in range(20000, 65536) if not low <= port <= high]
    for port in random.sample(candidates, min(200, len(candidates))):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port from 20000 outside the ephemeral range {low}-{high}")
