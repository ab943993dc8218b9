"""A real PCF to test a NEF against: ``pcf-bdt serve --stub`` in a child process.

The pytest plugin (``nef_client.pytest_plugin``, loaded automatically once npcf-bdt is
installed) gives tests a ``pcf_stub`` fixture built on this module; other harnesses
(benchmarks, unittest) can call ``start_pcf_stub`` directly. Starting it needs the
``server`` extra (``pip install 'npcf-bdt[server]'``); importing this module does not.
"""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

API_PATH = "/npcf-bdtpolicycontrol/v1"
ADMIN_PATH = "/pcf-bdt-admin/v1"

__all__ = [
    "NotificationSink",
    "PcfStub",
    "PcfStubError",
    "RecordedRequest",
    "notification_sink",
    "start_pcf_stub",
]


class PcfStubError(RuntimeError):
    """The stub PCF could not be started or did not do what a test asked."""


@dataclass(frozen=True)
class RecordedRequest:
    """One request the PCF received on the 3GPP API, as it arrived."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: Any
    """The JSON body parsed, text if it was not JSON, None if empty."""
    status: int | None
    """The status the PCF (or an injected fault) answered."""
    http_version: str | None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _isoformat(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("times need a time zone")
    return value.isoformat()


class PcfStub:
    """Handle on a running stub PCF: its URLs and the admin calls a test needs."""

    def __init__(self, root: str) -> None:
        self.root = root.rstrip("/")
        self._admin = httpx.Client(base_url=self.root + ADMIN_PATH, timeout=10)

    @property
    def url(self) -> str:
        """The API's base URL (``.../npcf-bdtpolicycontrol/v1``), for the NEF under test."""
        return self.root + API_PATH

    def _call(self, method: str, path: str, json: Any = None) -> httpx.Response:
        response = self._admin.request(method, path, json=json)
        if response.status_code >= 400:
            raise PcfStubError(f"{method} {path}: {response.status_code} {response.text}")
        return response

    def reset(self) -> None:
        """Empty the PCF's store, the request journal and pending faults."""
        self._call("POST", "/reset")

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 503,
        cause: str | None = "NF_CONGESTION",
        retry_after: int | None = None,
        location: str | None = None,
        method: str | None = None,
    ) -> None:
        """Make the next ``count`` API requests (of ``method``, if given) get ``status``.

        4xx/5xx come with a ProblemDetails carrying ``cause``; ``retry_after`` adds a
        Retry-After header; 3xx need a ``location`` (e.g. 303 to an existing policy,
        307/308 to another PCF).
        """
        self._call(
            "POST",
            "/faults",
            {
                "count": count,
                "status": status,
                "cause": cause,
                "retryAfter": retry_after,
                "location": location,
                "method": method,
            },
        )

    def requests(self) -> list[RecordedRequest]:
        """The API requests received since the last reset/clear, oldest first."""
        return [
            RecordedRequest(
                method=entry["method"],
                path=entry["path"],
                query=entry["query"],
                headers=entry["headers"],
                body=entry["body"],
                status=entry["status"],
                http_version=entry.get("httpVersion"),
            )
            for entry in self._call("GET", "/requests").json()
        ]

    def clear_requests(self) -> None:
        self._call("DELETE", "/requests")

    # The operator API of the load-aware engine (the same one `pcf-bdt degrade` uses).

    def set_capacity(self, area_id: str, *, downlink: str, uplink: str) -> None:
        """Set an area's capacity, as BitRate strings (``"1 Gbps"``)."""
        self._call("PUT", f"/areas/{area_id}/capacity", {"downlink": downlink, "uplink": uplink})

    def areas(self) -> Any:
        """The areas the PCF models, as its admin API reports them."""
        return self._call("GET", "/areas").json()

    def degrade(
        self, area_id: str, start: datetime, stop: datetime, factor: float
    ) -> dict[str, Any]:
        """Report a network degradation; the PCF sends warning notifications.

        Returns ``{"affected": [...], "notified": [...]}`` as the PCF reports it.
        """
        response = self._call(
            "POST",
            "/degradations",
            {
                "areaId": area_id,
                "timeWindow": {"startTime": _isoformat(start), "stopTime": _isoformat(stop)},
                "factor": factor,
            },
        )
        result: dict[str, Any] = response.json()
        return result

    def close(self) -> None:
        self._admin.close()


def _check_server_installed() -> None:
    missing = [name for name in ("connexion", "granian") if importlib.util.find_spec(name) is None]
    if missing:
        raise PcfStubError(
            f"the PCF stub needs {', '.join(missing)}: pip install 'npcf-bdt[server]'"
        )


@contextmanager
def start_pcf_stub(
    workdir: Path | None = None, *, port: int | None = None, timeout: float = 30.0
) -> Iterator[PcfStub]:
    """Run ``pcf-bdt serve --stub`` on a free port until the block ends."""
    _check_server_installed()
    with tempfile.TemporaryDirectory(prefix="pcf-stub-") as scratch:
        folder = Path(workdir or scratch)
        port = port or _free_port()
        log_path = folder / f"pcf-stub-{port}.log"
        command = [sys.executable, "-m", "pcf_server", "serve", "--stub"]
        command += ["--port", str(port), "--db", str(folder / f"pcf-stub-{port}.db")]
        with log_path.open("wb") as log:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
            stub = PcfStub(f"http://127.0.0.1:{port}")
            try:
                _wait_ready(stub, process, log_path, timeout)
                yield stub
            finally:
                stub.close()
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def _wait_ready(stub: PcfStub, process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            raise PcfStubError(f"the PCF stub exited with {process.returncode}:\n{tail}")
        try:
            stub.requests()
            return
        except (httpx.TransportError, PcfStubError):
            pass
        if time.monotonic() > deadline:
            raise PcfStubError(f"the PCF stub did not answer within {timeout}s")
        time.sleep(0.05)


class NotificationSink:
    """Warning notifications received by a test's receiver, in arrival order."""

    def __init__(self) -> None:
        import threading

        self.url = ""
        """The receiver's URL: give it (plus any path) as ``notification_uri``."""
        self.received: list[Any] = []
        self._arrived = threading.Condition()

    def __call__(self, notification: Any) -> None:
        with self._arrived:
            self.received.append(notification)
            self._arrived.notify_all()

    def wait(self, count: int = 1, timeout: float = 10.0) -> list[Any]:
        """Block until ``count`` notifications arrived; raise TimeoutError otherwise."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.received) >= count, timeout):
                raise TimeoutError(f"{len(self.received)} of {count} notifications arrived")
            return list(self.received)


@contextmanager
def notification_sink() -> Iterator[NotificationSink]:
    """Run a notification receiver in this process that collects what it gets."""
    from nef_client.receiver import receiver_in_background

    sink = NotificationSink()
    with receiver_in_background(sink) as url:
        sink.url = url
        yield sink
