"""Connection abuse (issue 8 point 7) against the real PCF process.

1,200 idle TCP connections that never sent a byte once made the PCF unreachable, and
1,100 slowloris connections made requests take 9.5 s. Here a PCF allowed 20 connections
gets three times as many silent, slowloris and half-preface connections; a normal
request is still answered, and every abusive connection is closed by the server within
the configured timeout plus a generous margin. Nothing is timed against a speed: the
bounds are what the configuration promises.
"""

from __future__ import annotations

import socket
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from tests.server_process import running_pcf

pytestmark = pytest.mark.slow

LIMIT = 20
TIMEOUT = 2.0  # --header-read-timeout
# Connections beyond the limit wait in the backlog and get their TIMEOUT once accepted,
# a batch of LIMIT at a time: (3 batches + the request) x TIMEOUT, and room to spare.
MARGIN = 30.0


def closed_by_server(sock: socket.socket, deadline: float) -> bool:
    """Whether the server ends the connection before ``deadline`` (monotonic)."""
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data = sock.recv(4096)
        except TimeoutError:
            return False
        except ConnectionResetError:
            return True
        if not data:
            return True
    return False


def test_silent_and_slowloris_connections_do_not_lock_out_a_request(tmp_path: Path) -> None:
    args = ["--max-connections", str(LIMIT), "--header-read-timeout", str(TIMEOUT)]
    with running_pcf(tmp_path / "pcf.db", extra_args=args) as (url, _), ExitStack() as stack:
        host, port = "127.0.0.1", int(url.split(":")[2].split("/")[0])
        abusive: list[socket.socket] = []
        for index in range(3 * LIMIT):
            sock = stack.enter_context(socket.create_connection((host, port)))
            kind = index % 3
            if kind == 1:  # slowloris: a request line and part of a header, then nothing
                sock.sendall(b"GET /npcf-bdtpolicycontrol/v1/bdtpolicies/x HTTP/1.1\r\nHo")
            elif kind == 2:  # the start of the HTTP/2 preface, then nothing
                sock.sendall(b"PRI * HTTP/2")
            abusive.append(sock)  # kind 0: never a byte
        trickling = stack.enter_context(socket.create_connection((host, port)))
        trickling.sendall(b"GET /npcf-bdtpolicycontrol/v1/bdtpolicies/x HTTP/1.1\r\n")
        stop = threading.Event()

        def trickle() -> None:  # a header byte every 0.2 s: never a whole header section
            while not stop.wait(0.2):
                try:
                    trickling.sendall(b"X")
                except OSError:
                    return

        feeder = threading.Thread(target=trickle)
        feeder.start()
        started = time.monotonic()
        try:
            answer = httpx.get(f"{url}/bdtpolicies/x", timeout=MARGIN)
            assert answer.status_code == 404
            assert answer.json()["cause"] == "BDT_POLICY_NOT_FOUND"
            deadline = started + MARGIN
            still_open = [i for i, s in enumerate(abusive) if not closed_by_server(s, deadline)]
            assert still_open == []
            assert closed_by_server(trickling, deadline)
        finally:
            stop.set()
            feeder.join()
        # and the server serves on
        assert httpx.get(f"{url}/bdtpolicies/x", timeout=MARGIN).status_code == 404


def test_a_body_that_does_not_arrive_gets_408(tmp_path: Path) -> None:
    """Headers in, then a body trickled or withheld: the request is answered all the same."""
    args = ["--body-read-timeout", "1"]
    with running_pcf(tmp_path / "pcf.db", extra_args=args) as (url, _):
        port = int(url.split(":")[2].split("/")[0])
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(
                b"POST /npcf-bdtpolicycontrol/v1/bdtpolicies HTTP/1.1\r\nHost: pcf\r\n"
                b'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"aspId"'
            )
            sock.settimeout(MARGIN)
            answer = b""
            while b"\r\n\r\n" not in answer:
                chunk = sock.recv(4096)
                assert chunk, "closed without an answer"
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 408 ")
        assert b"application/problem+json" in answer.lower()
