"""Decision time against 10^2, 10^4 and 10^6 stored policies, measured in one run.

For each size, a fresh SQLite database (in a temporary folder) is bulk-loaded with that
many committed policies, their reservations and the per-slot aggregates they add up to,
spread over the next two weeks of the shipped default configuration. Then the real use
case, reading the request document and ``BdtPolicyControl.create`` (purge, read of the
load, decision, holds, commit, with ``synchronous=FULL``), is timed for the same
sequence of requests at every size, in rounds that take the sizes in turn. The script
prints the median and 90th percentile per size and the ratio of the largest to
the smallest median; the design goal is a ratio of at most 1.5, since a decision reads
only the aggregate rows of the slots it looks at.

Run: ``.venv/bin/python scripts/bench_decision.py`` (add ``--quick`` for 10^2/10^3/10^4).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import random
import sqlite3
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pcf_server.config import default_network
from pcf_server.policy.engine import LoadAwareDecider
from pcf_server.service import BdtPolicyControl, NoCapacity
from pcf_server.storage import SqliteStore
from pcf_server.wire.bdt import create_command

_RATE_BPS = 50_000.0  # each stored policy's flat rate: small enough to leave headroom
_DAYS = 14
_WARMUP = 10  # decisions per size and round before timing: the connection's caches warm


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def bulk_load(path: Path, count: int, now: datetime, network_slot: int, area: str) -> None:
    """Insert ``count`` committed policies straight into the tables (no decisions)."""
    SqliteStore(path)  # migrate
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous=OFF")
    db.execute("BEGIN")
    rng = random.Random(count)
    first_slot = int(now.timestamp() // network_slot) + 1
    slots_total = _DAYS * 86400 // network_slot
    aggregate: dict[int, float] = defaultdict(float)
    batch_policies: list[tuple[Any, ...]] = []
    batch_reservations: list[tuple[Any, ...]] = []

    def flush() -> None:
        db.executemany(
            "INSERT INTO bdt_policy (policy_id, bdt_ref_id, asp_id, request_document,"
            " policy_data, version, created_at, window_stop, valid)"
            " VALUES (?, ?, ?, ?, ?, 0, ?, ?, 1)",
            batch_policies,
        )
        db.executemany(
            "INSERT INTO reservation (policy_id, trans_policy_id, area_id, first_slot,"
            " stop_slot, rate_dl, rate_ul, state, expires_at)"
            " VALUES (?, 1, ?, ?, ?, ?, 0, 'committed', NULL)",
            batch_reservations,
        )
        batch_policies.clear()
        batch_reservations.clear()

    for n in range(count):
        start_slot = first_slot + rng.randrange(slots_total)
        length = rng.choice((4, 8, 16))
        start = datetime.fromtimestamp(start_slot * network_slot, UTC)
        stop = start + timedelta(seconds=length * network_slot)
        window = {"startTime": _iso(start), "stopTime": _iso(stop)}
        request = {"aspId": f"asp{n % 97}", "desTimeInt": window, "numOfUes": 1,
                   "volPerUe": {"downlinkVolume": 10**6}}  # fmt: skip
        data = {"bdtRefId": f"ref{n}", "transfPolicies": [
            {"transPolicyId": 1, "recTimeInt": window, "ratingGroup": 1001}]}  # fmt: skip
        batch_policies.append(
            (f"p{n}", f"ref{n}", request["aspId"], json.dumps(request), json.dumps(data),
             _iso(now), stop.timestamp())
        )  # fmt: skip
        batch_reservations.append((f"p{n}", area, start_slot, start_slot + length, _RATE_BPS))
        for slot in range(start_slot, start_slot + length):
            aggregate[slot] += _RATE_BPS
        if len(batch_policies) >= 20_000:
            flush()
    flush()
    db.executemany(
        "INSERT INTO slot_load (area_id, slot, reserved_dl, reserved_ul) VALUES (?, ?, ?, 0)",
        [(area, slot, rate) for slot, rate in aggregate.items()],
    )
    # Kept by the repository on every insert; the rows here bypass it (consumer '').
    db.execute("INSERT INTO policy_count (consumer, n) VALUES ('', ?)", (count,))
    db.execute("COMMIT")
    db.execute("ANALYZE")
    db.close()
    # Loaded without fsync: its writeback must not land in the timed commits.
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def requests(now: datetime, count: int) -> list[dict[str, Any]]:
    rng = random.Random(7)
    out = []
    for _ in range(count):
        start = now + timedelta(hours=rng.randrange(2, 40))
        out.append({
            "aspId": "bench",
            "desTimeInt": {"startTime": _iso(start), "stopTime": _iso(start + timedelta(hours=6))},
            "numOfUes": rng.randrange(10, 1000),
            "volPerUe": {"downlinkVolume": rng.randrange(10**7, 10**9),
                         "uplinkVolume": rng.randrange(10**6, 10**8)},
        })  # fmt: skip
    return out


def measure(path: Path, now: datetime, docs: list[dict[str, Any]], warmup: int) -> list[float]:
    # One consumer makes every request here: its limits on policies and held offers would
    # soon refuse them all, and the cost measured is that of deciding.
    network = dataclasses.replace(
        default_network(), policies_per_consumer=10**9, held_offers_per_consumer=10**9
    )
    engine = LoadAwareDecider(network)
    service = BdtPolicyControl(
        SqliteStore(path).unit_of_work, engine, planner=engine, clock=lambda: now
    )
    times = []
    for index, doc in enumerate(docs):
        began = time.perf_counter()
        with contextlib.suppress(NoCapacity):  # a refusal is a decision too
            service.create(create_command(doc))
        if index >= warmup:
            times.append(time.perf_counter() - began)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10^2, 10^3, 10^4 only")
    parser.add_argument("--decisions", type=int, default=200, help="timed decisions per size")
    parser.add_argument(
        "--rounds", type=int, default=3, help="interleaved rounds the decisions are split into"
    )
    parser.add_argument(
        "--max-ratio",
        type=float,
        default=1.5,
        help="exit 1 when the ratio of medians exceeds this (the design goal)",
    )
    args = parser.parse_args(argv)
    sizes = (10**2, 10**3, 10**4) if args.quick else (10**2, 10**4, 10**6)
    network = default_network()
    now = datetime.now(UTC).replace(microsecond=0)
    per_round = -(-args.decisions // args.rounds)
    # Fresh requests each round (the same for every size): a request made twice is a 303.
    docs = requests(now, args.rounds * (per_round + _WARMUP))
    rounds = [
        docs[index * (per_round + _WARMUP) : (index + 1) * (per_round + _WARMUP)]
        for index in range(args.rounds)
    ]
    times: dict[int, list[float]] = {size: [] for size in sizes}
    print(f"{'stored policies':>16} {'load s':>8} {'median ms':>10} {'p90 ms':>8}")
    with tempfile.TemporaryDirectory() as folder:
        paths = {size: Path(folder) / f"bench-{size}.db" for size in sizes}
        loaded = {}
        for size in sizes:
            began = time.perf_counter()
            bulk_load(paths[size], size, now, network.slot_seconds, network.default_area)
            loaded[size] = time.perf_counter() - began
        # Rounds interleave the sizes, so that a busy moment of a shared machine falls on
        # all of them rather than on whichever size was being measured then.
        for batch in rounds:
            for size in sizes:
                times[size] += measure(paths[size], now, batch, warmup=_WARMUP)
    medians = []
    for size in sizes:
        median = statistics.median(times[size])
        p90 = statistics.quantiles(times[size], n=10)[-1]
        medians.append(median)
        print(f"{size:>16,} {loaded[size]:>8.1f} {median * 1e3:>10.2f} {p90 * 1e3:>8.2f}")
    ratio = medians[-1] / medians[0]
    print(f"ratio of medians, {sizes[-1]:,} vs {sizes[0]:,} stored policies: {ratio:.2f}")
    if ratio > args.max_ratio:
        print(f"FAIL: above the goal of {args.max_ratio}")
        return 1
    print(f"ok: at most {args.max_ratio}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
