"""Metrics of a real ``pcf-bdt serve --workers 2`` after real traffic (issue 14, point 2).

The requests go to whichever worker the kernel picks; the scrape of the operator
listener must add up both workers (prometheus_client's multi-process mode, in a
directory the command makes per run and removes at exit) and read the store's gauges.
Every expected number is what the client saw in its answers.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from nf_common.bitrate import parse_bitrate
from pcf_server.settings import METRICS_DIR_VARIABLE
from pcf_server.telemetry import forget_dead_processes
from tests.bdt_config import write_config
from tests.conftest import REPO
from tests.dates import WEDNESDAY, future_day, window
from tests.server_process import running_pcf

pytestmark = pytest.mark.slow
DAY = future_day(WEDNESDAY)
MERGE_PATCH = {"content-type": "application/merge-patch+json"}
ADMIN = "/pcf-bdt-admin/v1"
# tests/bdt_config.py: town's downlink headroom by time of day, in bit/s.
TOWN_LIMITS = {600e6, 300e6, 100e6, 500e6}


def request(asp: str, **changes: Any) -> dict[str, Any]:
    return {
        "aspId": asp,
        "desTimeInt": window(DAY, DAY + timedelta(hours=4)),
        "numOfUes": 5,
        "volPerUe": {"totalVolume": 1_000_000},
        "suppFeat": "1",  # BdtNotification_5G: selTransPolicyId 0 declines the offers
        "notifUri": "http://127.0.0.1:9/bdt",  # never called: no policy here is warned
        **changes,
    }


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
SLOT_SECONDS = 15 * 60  # tests/bdt_config.py


def _slot_end(moment: datetime) -> datetime:
    return datetime.fromtimestamp((moment.timestamp() // SLOT_SECONDS + 1) * SLOT_SECONDS, UTC)


def _well_inside_a_slot(margin: float = 30.0) -> datetime:
    """Now, to the second, at least ``margin`` seconds before the slot ends.

    A transfer asked from now for exactly the shortest window fits only if the PCF
    decides in the slot it was asked in: past the slot's end the window's first slot has
    gone and what is left is shorter than the shortest window. Near the end of a slot
    this waits (polling the clock) for the next one to begin.
    """
    while True:
        now = datetime.now(UTC)
        left = (_slot_end(now) - now).total_seconds()
        if left >= margin:
            return now.replace(microsecond=0)
        time.sleep(left + 0.05)


def scrape(admin_root: str) -> Samples:
    response = httpx.get(f"{admin_root}/metrics", timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    openmetrics = "application/openmetrics-text"
    asked = httpx.get(f"{admin_root}/metrics", headers={"accept": openmetrics}, timeout=10)
    assert asked.headers["content-type"].startswith(openmetrics)
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_metrics_add_up_both_workers_and_match_the_traffic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setenv("TMPDIR", str(temporary))  # where the server makes its metrics dir
    # Left by runs killed with -9: removed at start when their server is gone.
    gone = subprocess.Popen(["true"])
    gone.wait()
    stale = temporary / f"pcf-bdt-metrics-{gone.pid}-x"
    running_elsewhere = temporary / f"pcf-bdt-metrics-{os.getpid()}-y"
    for folder in (stale, running_elsewhere):
        folder.mkdir()
        (folder / "counter_1.db").write_bytes(b"")
    config = write_config(tmp_path / "bdt.yaml")
    seen: Counter[tuple[str, int]] = Counter()
    offers: dict[str, int] = {}  # policy id -> candidates offered (held until selected)
    args = ["--workers", "2", "--config", str(config)]
    with running_pcf(tmp_path / "pcf.db", extra_args=args) as (url, process):
        assert not stale.exists() and running_elsewhere.exists()
        assert len(list(temporary.glob("pcf-bdt-metrics-*"))) == 2
        before = scrape(process.admin_root)  # the helper's own probes until the PCF answered
        with httpx.Client(timeout=30) as client:
            for _ in range(8):
                created = client.post(f"{url}/bdtpolicies", json=request(uuid.uuid4().hex))
                seen["CreateBDTPolicy", created.status_code] += 1
                assert created.status_code == 201, created.text
                policy_id = created.headers["location"].rsplit("/", 1)[1]
                offers[policy_id] = len(created.json()["bdtPolData"]["transfPolicies"])
            selected = list(offers)[:3]
            for policy_id in selected:
                patched = client.patch(
                    f"{url}/bdtpolicies/{policy_id}",
                    json={"bdtPolData": {"selTransPolicyId": 1}},
                    headers=MERGE_PATCH,
                )
                seen["UpdateBDTPolicy", patched.status_code] += 1
            declined = list(offers)[3]
            patched = client.patch(
                f"{url}/bdtpolicies/{declined}",
                json={"bdtPolData": {"selTransPolicyId": 0}},
                headers=MERGE_PATCH,
            )
            seen["UpdateBDTPolicy", patched.status_code] += 1
            assert patched.status_code == 204, patched.text
            for _ in range(5):
                missing = client.get(f"{url}/bdtpolicies/{uuid.uuid4().hex}")
                seen["GetBDTPolicy", missing.status_code] += 1
            too_much = request("asp-huge", numOfUes=1_000_000)
            too_much["volPerUe"] = {"totalVolume": 10**15}
            refused = client.post(f"{url}/bdtpolicies", json=too_much)
            seen["CreateBDTPolicy", refused.status_code] += 1
            assert refused.json()["cause"] == "BDT_CAPACITY_UNAVAILABLE", refused.text
            # One transfer now, in the default area: what the current slot has reserved.
            now = _well_inside_a_slot()
            running = client.post(
                f"{url}/bdtpolicies",
                json=request("asp-now", desTimeInt=window(now, now + timedelta(hours=1))),
            )
            seen["CreateBDTPolicy", running.status_code] += 1
            assert running.status_code == 201, running.text
            (offer,) = running.json()["bdtPolData"]["transfPolicies"]  # one window: committed
            degraded = client.post(
                f"{process.admin_root}{ADMIN}/degradations",
                json={
                    "areaId": "village",
                    "timeWindow": window(now - timedelta(minutes=1), now + timedelta(hours=1)),
                    "factor": 0.5,
                },
            )
            assert degraded.status_code in (200, 201), degraded.text
        samples = scrape(process.admin_root)
        assert datetime.now(UTC) < _slot_end(now), "the scrape came after the slot's end"
    assert list(temporary.glob("pcf-bdt-metrics-*")) == [running_elsewhere]  # its own removed

    def sent(name: str, **labels: str) -> float:
        return value(samples, name, **labels) - value(before, name, **labels)

    for (operation, status), count in seen.items():
        labels = {"operation": operation, "status": str(status)}
        assert sent("pcf_bdt_requests_total", **labels) == count, (labels, count)
    assert sent("pcf_bdt_requests_total", operation="GetBDTPolicy", status="404") == 5
    creates = sum(n for (op, _), n in seen.items() if op == "CreateBDTPolicy")
    assert creates == 10
    assert sent("pcf_bdt_request_duration_seconds_count", operation="CreateBDTPolicy") == creates
    # Decisions: 9 Creates decided with windows (offered, or after the desired window), 1 not.
    decided = value(samples, "pcf_bdt_decisions_total", outcome="offered") + value(
        samples, "pcf_bdt_decisions_total", outcome="fallback"
    )
    assert decided == 9
    assert value(samples, "pcf_bdt_decisions_total", outcome="refused") == 1
    assert value(samples, "pcf_bdt_decision_duration_seconds_count") == 10
    events = {
        event: value(samples, "pcf_bdt_policy_events_total", event=event, cause="")
        for event in ("created", "selected", "removed")
    }
    assert events == {"created": 9, "selected": 3, "removed": 1}
    cause = {"event": "refused", "cause": "BDT_CAPACITY_UNAVAILABLE"}
    assert value(samples, "pcf_bdt_policy_events_total", **cause) == 1
    # The store's gauges: what the answers above left in it.
    assert value(samples, "pcf_bdt_policies") == 9 - 1
    held = [p for p in offers if p not in selected and p != declined and offers[p] > 1]
    assert value(samples, "pcf_bdt_held_offers") == len(held)
    assert value(samples, "pcf_bdt_reservations", state="held") == sum(offers[p] for p in held)
    singles = [p for p in offers if p not in selected and p != declined and offers[p] == 1]
    committed = len(selected) + len(singles) + 1  # and the transfer now
    assert value(samples, "pcf_bdt_reservations", state="committed") == committed
    reserved = value(samples, "pcf_bdt_area_reserved_bps", area="town", direction="downlink")
    assert reserved == pytest.approx(parse_bitrate(offer["maxBitRateDl"]), rel=1e-3)
    limit = value(samples, "pcf_bdt_area_limit_bps", area="town", direction="downlink")
    assert any(limit == pytest.approx(expected) for expected in TOWN_LIMITS), limit
    assert value(samples, "pcf_bdt_degradations_in_force", area="village", source="operator") == 1
    assert value(samples, "pcf_bdt_degradations_in_force", area="town", source="operator") == 0
    assert value(samples, "pcf_bdt_outbox_rows", state="pending") == 0
    assert value(samples, "pcf_bdt_processes") == 3  # two workers, the operator listener


def test_a_process_that_died_without_stopping_leaves_the_live_gauges(tmp_path: Path) -> None:
    """A worker killed with -9 cannot take itself out; the next scrape does."""
    script = "import os; from pcf_server import telemetry; telemetry.process_started(); os._exit(0)"
    env = {**os.environ, METRICS_DIR_VARIABLE: str(tmp_path)}
    for _ in range(2):
        subprocess.run([sys.executable, "-c", script], check=True, env=env, cwd=REPO)
    assert len(list(tmp_path.glob("gauge_livesum_*.db"))) == 2

    def processes() -> float:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, str(tmp_path))
        return registry.get_sample_value("pcf_bdt_processes") or 0.0

    assert processes() == 2  # as they left it
    forget_dead_processes(tmp_path)
    assert processes() == 0
    assert list(tmp_path.glob("gauge_livesum_*.db")) == []
