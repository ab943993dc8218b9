"""Creates per second through 1, 2 and 3 PCF instances on PostgreSQL, and one on SQLite.

Each configuration gets a fresh store (a new database on the PostgreSQL server, a new
SQLite file) and its own ``pcf-bdt serve`` processes (``--workers`` each); one asyncio
client sends ``--requests`` Creates of unique policies (each its own aspId, so none is
a 303), ``--concurrency`` at a time over h2c, spread round-robin over the instances,
after a warm-up; the configurations take turns for ``--rounds`` rounds. Prints the
median req/s, p50 and p99 per configuration, and the ratios to the
single PostgreSQL instance and to SQLite, all measured in this run on this machine.
The load generator shares the machine's cores with the servers: the numbers are
comparisons, not capacities.

    .venv/bin/python benchmarks/stores.py [--requests 1500] [--concurrency 24] [--rounds 3]
        [--workers 1] [--pg postgresql://postgres@127.0.0.1:5432]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from _servers import postgres_database

from nef_client.testing import free_ports

BIN = Path(sys.executable).parent
API = "/npcf-bdtpolicycontrol/v1"


def bench_config(folder: Path) -> Path:
    """The shipped configuration, with room for every unselected offer of the run.

    One consumer makes them all: without tokens, every request is the same consumer.
    """
    shipped = (Path(__file__).parent.parent / "pcf_server/config/default.yaml").read_text()
    text = shipped.replace("held_offers_per_consumer: 100 ", "held_offers_per_consumer: 10000000 ")
    assert text != shipped, "default.yaml no longer sets held_offers_per_consumer: 100"
    path = folder / "bench.yaml"
    path.write_text(text)
    return path


@contextmanager
def serving(db: str, workers: int, log: Path) -> Iterator[str]:
    """One PCF instance on ``db``; its API base URL once it answers."""
    port, admin = free_ports(2)
    process = subprocess.Popen(
        [BIN / "pcf-bdt", "serve", "--port", str(port), "--db", db, "--workers", str(workers),
         "--admin-listen", f"127.0.0.1:{admin}",
         "--config", str(bench_config(log.parent))],
        stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}{API}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"pcf-bdt exited with {process.returncode}: see {log}")
            try:
                if httpx.get(f"{base}/bdtpolicies/probe", timeout=1).status_code == 404:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"pcf-bdt did not answer: see {log}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()


def document() -> dict[str, object]:
    """A small night transfer: capacity never runs out, every Create is a 201."""
    start = datetime.now(UTC).replace(hour=1, minute=0, second=0, microsecond=0)
    start += timedelta(days=2)
    return {
        "aspId": uuid.uuid4().hex,
        "desTimeInt": {
            "startTime": start.isoformat().replace("+00:00", "Z"),
            "stopTime": (start + timedelta(hours=4)).isoformat().replace("+00:00", "Z"),
        },
        "numOfUes": 1,
        "volPerUe": {"downlinkVolume": 1000},
    }


async def load(bases: list[str], requests: int, concurrency: int) -> tuple[float, list[float]]:
    """(seconds for all, latency of each in seconds); raises on any answer but 201."""
    clients = [httpx.AsyncClient(http1=False, http2=True, timeout=60) for _ in bases]
    counter = iter(range(requests))
    latencies: list[float] = []

    async def worker() -> None:
        for n in counter:
            client, base = clients[n % len(bases)], bases[n % len(bases)]
            began = time.perf_counter()
            response = await client.post(f"{base}/bdtpolicies", json=document())
            latencies.append(time.perf_counter() - began)
            if response.status_code != 201:
                raise SystemExit(f"{response.status_code}: {response.text}")

    try:
        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - began, latencies
    finally:
        for client in clients:
            await client.aclose()


def measure(bases: list[str], requests: int, concurrency: int) -> tuple[float, float, float]:
    asyncio.run(load(bases, max(50, requests // 10), concurrency))  # warm-up
    seconds, latencies = asyncio.run(load(bases, requests, concurrency))
    cuts = statistics.quantiles(latencies, n=100)
    return requests / seconds, cuts[49] * 1e3, cuts[98] * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--concurrency", type=int, default=24)
    parser.add_argument("--rounds", type=int, default=3, help="medians over this many rounds")
    parser.add_argument("--workers", type=int, default=1, help="worker processes per instance")
    parser.add_argument(
        "--pg",
        default=os.environ.get("PCF_BENCH_PG", "postgresql://postgres@127.0.0.1:5432"),
        help="PostgreSQL server URI, without a database (one is made and dropped per run)",
    )
    args = parser.parse_args()
    names = [f"PostgreSQL, {n} instance(s)" for n in (1, 2, 3)] + ["SQLite, 1 instance"]
    results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in names}
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        # Every configuration runs all along, and the rounds take turns: a change in the
        # machine's other load during the run touches them all alike.
        configurations: dict[str, list[str]] = {}
        for count in (1, 2, 3):
            url = stack.enter_context(postgres_database(args.pg))
            configurations[names[count - 1]] = [
                stack.enter_context(serving(url, args.workers, Path(folder) / f"pg{count}{n}.log"))
                for n in range(count)
            ]
        db = str(Path(folder) / "pcf.db")
        configurations[names[3]] = [
            stack.enter_context(serving(db, args.workers, Path(folder) / "s.log"))
        ]
        for _ in range(args.rounds):
            for name, bases in configurations.items():
                results[name].append(measure(bases, args.requests, args.concurrency))
    rows = [
        (
            name,
            statistics.median(r[0] for r in results[name]),
            statistics.median(r[1] for r in results[name]),
            statistics.median(r[2] for r in results[name]),
        )
        for name in names
    ]
    pg_one, sqlite = rows[0][1], rows[-1][1]
    print(
        f"{args.requests} Creates, {args.concurrency} at a time, h2c, medians of"
        f" {args.rounds} rounds, {args.workers} worker(s) per instance, {os.cpu_count()} cores"
    )
    print(f"{'store':<28} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'/ PG x1':>8} {'/ SQLite':>9}")
    for name, rate, p50, p99 in rows:
        print(
            f"{name:<28} {rate:>8.0f} {p50:>8.1f} {p99:>8.1f}"
            f" {rate / pg_one:>8.2f} {rate / sqlite:>9.2f}"
        )


if __name__ == "__main__":
    main()
