"""``pcf-bdt serve`` as a process: its port, its workers, and how it stops.

Real processes throughout: the server in a session of its own (cleaned up with its
whole process group whatever a test does), real sockets, real signals.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from datetime import timedelta
from pathlib import Path

import httpx

from tests.dates import TUESDAY, future_day, window
from tests.ports import port_outside_ephemeral_range
from tests.server_process import BASE_PATH, free_ports, running_pcf

PCF_BDT = str(Path(sys.executable).with_name("pcf-bdt"))
DAY = future_day(TUESDAY)


def answers(port: int) -> bool:
    """Whether anything accepts a connection on the port."""
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_until(condition: object, seconds: float) -> float:
    """Seconds it took for ``condition()`` to hold; AssertionError after ``seconds``."""
    start = time.monotonic()
    while not condition():  # type: ignore[operator]
        assert time.monotonic() - start < seconds, f"not within {seconds}s"
        time.sleep(0.05)
    return time.monotonic() - start


@contextmanager
def started(tmp_path: Path, *more: str) -> Iterator[tuple[subprocess.Popen[bytes], int, Path]]:
    """``pcf-bdt serve --port 0 ...``; yields the process, its announced port and its log.

    The operator listener's port is outside the ephemeral range: one from there, freed
    before the server starts, could be the port the kernel gives ``--port 0``.
    """
    log = tmp_path / "serve.log"
    admin = port_outside_ephemeral_range()
    command = [PCF_BDT, "serve", "--port", "0", "--db", str(tmp_path / "pcf.db"),
               "--admin-listen", f"127.0.0.1:{admin}", *more]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        found: list[int] = []

        def announced() -> bool:
            assert process.poll() is None, log.read_text()
            match = re.search(r"3GPP API[\w ]* on http://127\.0\.0\.1:(\d+)", log.read_text())
            if match:
                found.append(int(match.group(1)))
            return bool(match)

        wait_until(announced, 30)
        port = found[0]
        url = f"http://127.0.0.1:{port}{BASE_PATH}/bdtpolicies/probe"

        def up() -> bool:
            assert process.poll() is None, log.read_text()
            with suppress(httpx.TransportError):
                return httpx.get(url, timeout=1).status_code == 404
            return False

        wait_until(up, 30)
        yield process, port, log
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def policy_request(asp: str = "a") -> dict[str, object]:
    desired = window(DAY, DAY + timedelta(hours=1))
    return {"aspId": asp, "desTimeInt": desired, "numOfUes": 1, "volPerUe": {"totalVolume": 1}}


def test_port_0_reports_the_port_it_listens_on(tmp_path: Path) -> None:
    with started(tmp_path) as (_, port, _log):
        assert port != 0
        response = httpx.post(f"http://127.0.0.1:{port}{BASE_PATH}/bdtpolicies",
                              json=policy_request())  # fmt: skip
        assert response.status_code == 201


def test_a_second_server_on_a_port_in_use_is_refused(tmp_path: Path) -> None:
    """granian shares ports (SO_REUSEPORT): a second PCF would split the first's traffic."""
    port, admin, other_admin = free_ports(3)
    with running_pcf(tmp_path / "one.db", port=port, admin_port=admin) as (url, _):
        second = subprocess.run(
            [PCF_BDT, "serve", "--port", str(port), "--db", str(tmp_path / "two.db"),
             "--admin-listen", f"127.0.0.1:{other_admin}"],
            capture_output=True, text=True, timeout=60, start_new_session=True,
        )  # fmt: skip
        assert second.returncode == 2
        assert second.stderr == (
            f"pcf-bdt: error: --host/--port: cannot listen on 127.0.0.1:{port}: the port is"
            " already in use (another server listens on it)\n"
        )
        # every connection still reaches the first server and its store
        requests = [policy_request(f"asp-{n}") for n in range(6)]
        created = [httpx.post(f"{url}/bdtpolicies", json=body) for body in requests]
        assert [r.status_code for r in created] == [201] * 6
        for response in created:
            assert httpx.get(response.headers["location"]).status_code == 200


def _worker_pids(server: int) -> list[int]:
    children = Path(f"/proc/{server}/task/{server}/children").read_text().split()
    return [int(pid) for pid in children]


def test_workers_end_when_the_server_process_is_killed(tmp_path: Path) -> None:
    with started(tmp_path, "--workers", "2") as (process, port, _log):
        workers = _worker_pids(process.pid)
        assert len(workers) >= 3  # two granian workers and the operator listener
        os.kill(process.pid, signal.SIGKILL)  # the server process only, not its group
        process.wait()
        took = wait_until(lambda: not answers(port), 5)
        assert wait_until(lambda: not any(_alive(pid) for pid in workers), 5) < 5
    print(f"port closed {took:.2f}s after kill -9 of the server process")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _load(port: int, seconds: float) -> int:
    """Creates and reads from 8 threads for ``seconds``; the number of answers."""
    url = f"http://127.0.0.1:{port}{BASE_PATH}/bdtpolicies"
    deadline = time.monotonic() + seconds

    def client() -> int:
        done = 0
        with httpx.Client(http1=False, http2=True, timeout=10) as h2:
            while time.monotonic() < deadline:
                created = h2.post(url, json=policy_request())
                assert created.status_code in (201, 303), created.text
                assert h2.get(created.headers["location"]).status_code == 200
                done += 2
        return done

    with ThreadPoolExecutor(8) as pool:
        return sum(pool.map(lambda _: client(), range(8)))


def test_sigterm_and_sigint_right_after_a_load_run_stop_within_the_bound(tmp_path: Path) -> None:
    """The bound: --shutdown-timeout for the workers, then as long for the operator listener."""
    bound = 3
    for number, stop in enumerate((signal.SIGTERM, signal.SIGINT)):
        folder = tmp_path / str(number)
        folder.mkdir()
        with started(folder, "--shutdown-timeout", str(bound)) as (process, port, log):
            assert _load(port, 3) > 50
            if stop == signal.SIGINT:  # Ctrl-C in a terminal: the whole process group
                os.killpg(process.pid, stop)
            else:  # a supervisor: the server process
                process.send_signal(stop)
            start = time.monotonic()
            process.wait(timeout=2 * bound + 10)
            took = time.monotonic() - start
            assert not answers(port)
        assert took < 2 * bound + 5, (stop, took, log.read_text()[-2000:])
        print(f"{stop.name} after load: exited in {took:.2f}s (bound {2 * bound}s)")


def test_a_worker_that_does_not_stop_is_killed_after_the_shutdown_timeout(
    tmp_path: Path,
) -> None:
    """A worker stuck at exit (seen: waiting on an idle thread) does not hold the stop."""
    bound = 2
    with started(tmp_path, "--shutdown-timeout", str(bound), "--workers", "1") as (
        process,
        port,
        _log,
    ):
        workers = [
            pid
            for pid in _worker_pids(process.pid)
            if b"worker-" in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]
        assert len(workers) == 1
        os.kill(workers[0], signal.SIGSTOP)  # it can take no signal but SIGKILL now
        process.send_signal(signal.SIGTERM)
        start = time.monotonic()
        process.wait(timeout=2 * bound + 10)
        took = time.monotonic() - start
        assert not _alive(workers[0]) and not answers(port)
    assert bound - 0.5 < took < 2 * bound + 5, took


def test_a_request_in_flight_at_sigterm_is_answered(tmp_path: Path) -> None:
    """Half a body is in when the stop begins; the rest comes after, and gets its 201."""
    with started(tmp_path) as (process, port, log):
        body = json.dumps(policy_request()).encode()
        head = (
            f"POST {BASE_PATH}/bdtpolicies HTTP/1.1\r\nHost: pcf\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            "Expect: 100-continue\r\n\r\n"
        )
        with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
            # a first request answered: the connection is the server's, not the backlog's
            sock.sendall(f"GET {BASE_PATH}/bdtpolicies/x HTTP/1.1\r\nHost: pcf\r\n\r\n".encode())
            assert _response(sock).startswith(b"HTTP/1.1 404 ")
            sock.sendall(head.encode())
            # 100 Continue: the application is reading this request's body
            assert sock.recv(100).startswith(b"HTTP/1.1 100 Continue")
            sock.sendall(body[:10])
            process.send_signal(signal.SIGTERM)
            wait_until(lambda: "Shutting down" in log.read_text(), 10)
            sock.sendall(body[10:])
            answer = _response(sock)
        assert answer.startswith(b"HTTP/1.1 201 "), answer
        assert process.wait(timeout=30) == 0


def _response(sock: socket.socket) -> bytes:
    """One whole HTTP/1.1 response (status line, headers, Content-Length body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        assert chunk, data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = re.search(rb"(?i)content-length: *(\d+)", head)
    while length is not None and len(body) < int(length.group(1)):
        chunk = sock.recv(4096)
        assert chunk, data
        body += chunk
    return head + b"\r\n\r\n" + body
