"""Microseconds per Create, GET, repeated Create (303) and PATCH in one PCF process.

The HTTP benchmark (``pcf_throughput.py``) measures a server and a load generator sharing
the machine's cores; this one calls the SBI application (``pcf_server.bootstrap``'s, as
``pcf-bdt serve`` builds it, on a fresh SQLite file with durable commits) directly as
ASGI, with prebuilt scopes and bodies, one request at a time, so that what it reports is
the application's own cost per request: the whole call (wall time, and the CPU time of
all the process's threads, which other load on the machine disturbs less), and the part
spent inside the service (``BdtPolicyControl``), which leaves what connexion, starlette
and our middleware cost around it. ``--profile OPERATION`` prints a cProfile of one.

``--source DIR`` imports the project from another checkout (a baseline, e.g. ``git
archive main | tar -x -C /tmp/base``) so that two versions can be measured in turn on
the same machine, under the same load::

    .venv/bin/python benchmarks/pcf_hotpath.py
    .venv/bin/python benchmarks/pcf_hotpath.py --source /tmp/base
    .venv/bin/python benchmarks/pcf_hotpath.py --profile create
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OPERATIONS = ("create", "get", "repeat", "patch")  # repeat: each Create again, a 303
BASE = "/npcf-bdtpolicycontrol/v1"


class ServiceClock:
    """Seconds (wall, CPU) in the service's use cases, whichever thread ran them."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.cpu = 0.0

    def wrap(self, method: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            began, cpu = time.perf_counter(), time.thread_time()
            try:
                return method(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - began
                self.cpu += time.thread_time() - cpu

        return timed


class Client:
    """One ASGI request at a time to ``app``, as granian would hand it over (h2c)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def call(
        self, method: str, path: str, body: bytes = b"", content_type: str | None = None
    ) -> tuple[int, dict[bytes, bytes], bytes]:
        headers = [(b"host", b"127.0.0.1:8080"), (b"accept", b"application/json")]
        if content_type is not None:
            headers.append((b"content-type", content_type.encode()))
        if body:
            headers.append((b"content-length", str(len(body)).encode()))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "2",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8080),
            "extensions": {},
        }
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.Event().wait()  # a disconnect never comes
            raise AssertionError

        status = 0
        answer_headers: dict[bytes, bytes] = {}
        chunks: list[bytes] = []

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                answer_headers.update(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, answer_headers, b"".join(chunks)


async def _lifespan(app: Any) -> tuple[asyncio.Task[None], asyncio.Queue[dict[str, Any]]]:
    """Start the application's lifespan (its background tasks), as a server would."""
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    await inbox.put({"type": "lifespan.startup"})
    task = asyncio.create_task(app({"type": "lifespan"}, inbox.get, outbox.put))
    started = await outbox.get()
    if started["type"] != "lifespan.startup.complete":
        raise SystemExit(f"the application did not start: {started}")
    return task, inbox


async def measure(
    requests: int, rounds: int, profile: str | None
) -> tuple[dict[str, list[float]], dict[str, list[float]], dict[str, list[float]], str]:
    """Per round and operation: us per request (wall), inside the service, CPU outside it."""
    from pcf_throughput import bench_config, create_body

    from pcf_server import bootstrap
    from pcf_server.service import BdtPolicyControl
    from pcf_server.settings import Settings

    clock = ServiceClock()
    for name in ("create", "get", "update", "refuse_equivalent"):
        if hasattr(BdtPolicyControl, name):  # a --source from before refuse_equivalent
            setattr(BdtPolicyControl, name, clock.wrap(getattr(BdtPolicyControl, name)))
    total: dict[str, list[float]] = {op: [] for op in OPERATIONS}
    inside: dict[str, list[float]] = {op: [] for op in OPERATIONS}
    cpu_time: dict[str, list[float]] = {op: [] for op in OPERATIONS}
    report = ""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        settings = Settings(db_path=folder / "pcf.db", config_path=bench_config(folder))
        app = bootstrap.create_app(settings)
        task, inbox = await _lifespan(app)
        client = Client(app)
        profiler = cProfile.Profile()
        serial = 0
        for _ in range(rounds):
            bodies = []
            for _ in range(requests):
                serial += 1
                bodies.append(json.dumps(create_body(serial)).encode())
            locations: list[str] = []

            async def create(body: bytes, locations: list[str] = locations) -> None:
                status, headers, _ = await client.call(
                    "POST", f"{BASE}/bdtpolicies", body, "application/json"
                )
                assert status == 201, status
                location = headers[b"location"].decode()
                locations.append(location[location.index(BASE) :])

            async def get(path: str) -> None:
                status, _, _ = await client.call("GET", path)
                assert status == 200, status

            async def repeat(body: bytes) -> None:
                status, _, _ = await client.call(
                    "POST", f"{BASE}/bdtpolicies", body, "application/json"
                )
                assert status == 303, status

            async def patch(path: str) -> None:
                status, _, _ = await client.call(
                    "PATCH", path, b'{"selTransPolicyId":1}', "application/merge-patch+json"
                )
                assert status == 200, status

            steps: list[tuple[str, Callable[[Any], Awaitable[None]], list[Any]]] = [
                ("create", create, bodies),
                ("get", get, locations),
                ("repeat", repeat, bodies),
                ("patch", patch, locations),
            ]
            for op, call, items in steps:
                clock.seconds = clock.cpu = 0.0
                if op == profile:
                    profiler.enable()
                began, cpu = time.perf_counter(), time.process_time()
                for item in items:
                    await call(item)
                elapsed = time.perf_counter() - began
                cpu = time.process_time() - cpu
                if op == profile:
                    profiler.disable()
                total[op].append(elapsed / len(items) * 1e6)
                cpu_time[op].append((cpu - clock.cpu) / len(items) * 1e6)
                inside[op].append(clock.seconds / len(items) * 1e6)
        await inbox.put({"type": "lifespan.shutdown"})
        await task
        if profile is not None:
            text = io.StringIO()
            stats = pstats.Stats(profiler, stream=text).strip_dirs()
            stats.sort_stats("tottime").print_stats(35)
            stats.sort_stats("cumulative").print_stats(60)
            report = text.getvalue()
    return total, inside, cpu_time, report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="per operation and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", choices=OPERATIONS, help="print a cProfile of it")
    parser.add_argument("--source", type=Path, help="import the project from this checkout")
    args = parser.parse_args(argv)
    if args.source is not None:
        sys.path.insert(0, str(args.source.resolve()))
    sys.path.insert(0, str(HERE))
    total, inside, cpu, report = asyncio.run(measure(args.requests, args.rounds, args.profile))
    print(report, end="")
    import pcf_server

    print(f"source: {Path(pcf_server.__file__).parent.parent}")
    print(
        "| operation | us per request | in the service | around it | around / whole"
        " | CPU us around it |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for op in OPERATIONS:
        whole = statistics.median(total[op])
        service = statistics.median(inside[op])
        around = whole - service
        print(
            f"| {op} | {whole:,.0f} | {service:,.0f} | {around:,.0f} | {around / whole:.2f}"
            f" | {statistics.median(cpu[op]):,.0f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
