"""Guarantees that only hold if the store enforces them: several workers, crashes."""

from __future__ import annotations

import json
import random
import sqlite3
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from pcf_server import wire
from pcf_server.config import load_network
from pcf_server.policy.engine import LoadAwareDecider
from pcf_server.storage import SqliteStore
from tests.bdt_config import write_config
from tests.dates import WEDNESDAY, future_day, window
from tests.server_process import kill_hard, running_pcf
from tests.test_capacity import assert_within_limits

DAY = future_day(WEDNESDAY)

pytestmark = pytest.mark.slow
MERGE_PATCH = {"content-type": "application/merge-patch+json"}


def request(asp: str, **changes: Any) -> dict[str, Any]:
    return {
        "aspId": asp,
        "desTimeInt": window(DAY, DAY + timedelta(hours=4)),
        "numOfUes": 5,
        "volPerUe": {"totalVolume": 1_000_000},
        **changes,
    }


def test_identical_concurrent_posts_create_one_policy(tmp_path: Path) -> None:
    db = tmp_path / "pcf.db"
    rounds, senders = 5, 16
    with running_pcf(db, extra_args=["--workers", "2"]) as (url, _):
        for round_ in range(rounds):
            doc = request(f"asp-race-{round_}")
            barrier = threading.Barrier(senders)

            def send(doc: dict[str, Any] = doc, barrier: threading.Barrier = barrier) -> Any:
                with httpx.Client(timeout=30) as client:
                    barrier.wait()
                    return client.post(f"{url}/bdtpolicies", json=doc)

            with ThreadPoolExecutor(senders) as pool:
                responses = list(pool.map(lambda _: send(), range(senders)))
            statuses = sorted(r.status_code for r in responses)
            assert statuses == [201] + [303] * (senders - 1), statuses
            assert len({r.headers["location"] for r in responses}) == 1
    with sqlite3.connect(db) as connection:
        counts = connection.execute(
            "SELECT asp_id, count(*) FROM bdt_policy GROUP BY asp_id"
        ).fetchall()
    assert sorted(counts) == [(f"asp-race-{n}", 1) for n in range(rounds)]


def _load(url: str, stop: threading.Event, acknowledged: dict[str, Any], seed: int) -> None:
    """Create and select until stopped; record only what the PCF acknowledged."""
    rng = random.Random(seed)
    with httpx.Client(timeout=5) as client:
        while not stop.is_set():
            try:
                created = client.post(f"{url}/bdtpolicies", json=request(uuid.uuid4().hex))
                if created.status_code != 201:
                    continue
                policy_id = created.headers["location"].rsplit("/", 1)[1]
                acknowledged[policy_id] = None
                offered = [
                    tp["transPolicyId"] for tp in created.json()["bdtPolData"]["transfPolicies"]
                ]
                choice = rng.choice(offered)
                selected = client.patch(
                    f"{url}/bdtpolicies/{policy_id}",
                    json={"bdtPolData": {"selTransPolicyId": choice}},
                    headers=MERGE_PATCH,
                )
                if selected.status_code == 200:
                    acknowledged[policy_id] = choice
            except httpx.TransportError:
                return  # the server is gone


def test_acknowledged_writes_survive_kill_9(tmp_path: Path) -> None:
    db = tmp_path / "pcf.db"
    acknowledged: dict[str, Any] = {}
    stop = threading.Event()
    with running_pcf(db, extra_args=["--workers", "2"]) as (url, process):
        threads = [
            threading.Thread(target=_load, args=(url, stop, acknowledged, seed))
            for seed in range(8)
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 20
        while len(acknowledged) < 150 and time.monotonic() < deadline:
            time.sleep(0.05)
        kill_hard(process)  # mid-load: requests are in flight
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert len(acknowledged) >= 50, "the load never got going"

    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = connection.execute(
            "SELECT policy_id, request_document, policy_data, version FROM bdt_policy"
        ).fetchall()
    for policy_id, request_doc, data, version in rows:  # nothing half-written
        wire.policy_from_documents(policy_id, json.loads(request_doc), json.loads(data), version)

    with running_pcf(db) as (url, _), httpx.Client(timeout=10) as client:
        for policy_id, choice in acknowledged.items():
            response = client.get(f"{url}/bdtpolicies/{policy_id}")
            assert response.status_code == 200, policy_id
            if choice is not None:
                assert response.json()["bdtPolData"]["selTransPolicyId"] == choice


def test_concurrent_selections_of_one_policy_store_exactly_one(tmp_path: Path) -> None:
    """20 PATCHes at once, each selecting one of the offers (or one never offered).

    Whatever the interleaving over two workers: no 5xx, and one selection in force,
    with exactly its capacity committed and no candidate left holding any.
    """
    config = write_config(tmp_path / "c.yaml")
    db = tmp_path / "pcf.db"
    day = DAY + timedelta(days=1)  # a night in the test configuration: several offers
    doc = {
        "aspId": "asp-select",
        "desTimeInt": window(day, day + timedelta(hours=6)),
        "numOfUes": 1,
        "volPerUe": {"downlinkVolume": int(100e6 * 6 * 3600 / 8)},  # 100 Mbit/s all night
    }
    senders = 20
    args = ["--workers", "2", "--config", str(config)]
    with running_pcf(db, extra_args=args) as (url, _):
        created = httpx.post(f"{url}/bdtpolicies", json=doc, timeout=30)
        assert created.status_code == 201, created.text
        location = created.headers["location"]
        offered = [tp["transPolicyId"] for tp in created.json()["bdtPolData"]["transfPolicies"]]
        assert len(offered) >= 2
        choices = [*offered, max(offered) + 1]  # one never offered: 400
        barrier = threading.Barrier(senders)

        def select(index: int) -> httpx.Response:
            with httpx.Client(http1=False, http2=True, timeout=60) as client:
                barrier.wait()
                return client.patch(
                    location,
                    json={"bdtPolData": {"selTransPolicyId": choices[index % len(choices)]}},
                    headers=MERGE_PATCH,
                )

        with ThreadPoolExecutor(senders) as pool:
            responses = list(pool.map(select, range(senders)))
        final = httpx.get(location, timeout=30).json()["bdtPolData"]
    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {200, 400, 403}, [(r.status_code, r.text) for r in responses]
    assert 200 in statuses and 400 in statuses
    selected = final["selTransPolicyId"]
    assert selected in offered
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT trans_policy_id, state FROM reservation WHERE policy_id = ?",
            (location.rsplit("/", 1)[1],),
        ).fetchall()
    assert rows == [(selected, "committed")]
    assert_within_limits(SqliteStore(db), LoadAwareDecider(load_network(config)))
