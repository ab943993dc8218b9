"""One NEF cannot hold up the PCF's warnings to the others, nor take its memory.

Real processes on loopback: a PCF (``pcf-bdt serve``), an honest NEF (granian, h2c) and
hostile NEFs (``tests.hostile_nef``: one trickling its answer a byte every 2 s, one
never answering, one answering 200 with a 400 MB body). Each attack once worked: a
trickling NEF delayed an honest NEF's warning by 135 s (the sender waited for a whole
round before starting the next), and a 400 MB answer took a worker from 68 MB to 889 MB.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from nef_client._serving import background
from nf_common.delivery import DeliveryPolicy, NotificationSender
from nf_common.destinations import LABS
from pcf_server.settings import ADMIN_BASE_PATH as ADMIN
from pcf_server.storage import SqliteStore
from tests.bdt_config import VILLAGE_TAI, write_config
from tests.conftest import REPO
from tests.notif_receiver import received, running_receiver
from tests.polling import wait_for
from tests.server_process import free_port, free_ports, running_pcf
from tests.test_delivery import Nef, add, rows
from tests.test_delivery_connections import Running
from tests.test_network_e2e import night, night_request

pytestmark = pytest.mark.slow


def events(out: Path) -> list[dict[str, Any]]:
    if not out.exists():
        return []
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


@contextmanager
def hostile_nefs(out: Path, *modes: str) -> Iterator[dict[str, str]]:
    """Each mode's NEF on a port of its own; yields mode -> base URL."""
    ports = dict(zip(modes, free_ports(len(modes)), strict=True))
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.hostile_nef", str(out),
         *(f"{mode}:{port}" for mode, port in ports.items())],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for(lambda: any(e["event"] == "listening" for e in events(out)), timeout=20)
        yield {mode: f"http://127.0.0.1:{port}" for mode, port in ports.items()}
    finally:
        process.kill()
        process.wait()


def rss_kib(session: int, field: str) -> int:
    """The largest ``field`` (VmRSS, VmHWM) among the processes of a session, in KiB."""
    largest = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getsid(int(entry.name)) != session:
                continue
            status = (entry / "status").read_text()
        except (OSError, ProcessLookupError):
            continue
        for line in status.splitlines():
            if line.startswith(f"{field}:"):
                largest = max(largest, int(line.split()[1]))
    return largest


@pytest.mark.parametrize(
    "modes",
    [("trickle", "hang", "huge"), ("huge",)],
    ids=["trickling-hanging-and-huge", "huge-alone"],  # alone: the memory, nothing else
)
def test_hostile_nefs_delay_no_honest_warning_and_take_no_memory(
    tmp_path: Path, modes: tuple[str, ...]
) -> None:
    config = write_config(tmp_path / "c.yaml")
    db = tmp_path / "pcf.db"
    log = tmp_path / "hostile.jsonl"
    honest_out = tmp_path / "honest.jsonl"
    with (
        hostile_nefs(log, *modes) as nefs,
        running_receiver(free_port(), honest_out) as honest,
        # --stub: one process, whose one sender delivers every row (a PCF's operator
        # process has one too, which would take the honest row while the other is busy).
        running_pcf(db, extra_args=["--stub", "--config", str(config)]) as (url, pcf),
    ):
        for mode, nef in nefs.items():
            request = night_request(
                f"asp-{mode}", 150, notifUri=f"{nef}/bdt", warnNotifReq=True, suppFeat="1"
            )
            created = httpx.post(f"{url}/bdtpolicies", json=request)
            assert created.status_code == 201, created.text
            selected = httpx.patch(
                created.headers["location"],
                json={"bdtPolData": {"selTransPolicyId": 1}},
                headers={"content-type": "application/merge-patch+json"},
            )
            assert selected.status_code == 200, selected.text
        honest_policy = httpx.post(f"{url}/bdtpolicies", json=night_request(
            "asp-honest", 30, notifUri=f"{honest}/bdt", warnNotifReq=True, suppFeat="1",
            nwAreaInfo={"tais": [VILLAGE_TAI]}))  # fmt: skip
        assert honest_policy.status_code == 201, honest_policy.text
        baseline = rss_kib(pcf.pid, "VmHWM")
        assert baseline > 0

        # The hostile NEFs are warned first, and are busy with the sender's POSTs...
        town = httpx.post(f"{pcf.admin_root}{ADMIN}/degradations", json={
            "areaId": "town", "timeWindow": night(), "factor": 0.1}).json()  # fmt: skip
        assert len(town["notified"]) == len(modes), town

        def hit(mode: str) -> bool:
            return any(e.get("mode") == mode and e["event"] == "request" for e in events(log))

        wait_for(lambda: all(map(hit, modes)), timeout=20)
        # ... when the honest NEF's warning is decided: it arrives within seconds.
        started = time.monotonic()
        village = httpx.post(f"{pcf.admin_root}{ADMIN}/degradations", json={
            "areaId": "village", "timeWindow": night(), "factor": 0.3}).json()  # fmt: skip
        assert len(village["notified"]) == 1
        wait_for(lambda: received(honest_out), timeout=5)
        waited = time.monotonic() - started
        assert (
            received(honest_out)[0]["body"]["bdtRefId"]
            == (honest_policy.json()["bdtPolData"]["bdtRefId"])
        )

        # The huge answer was left unread: the NEF could send a few MB (what the kernel
        # buffers), not 400, and no process of the PCF grew by more than 50 MB.
        def huge_closed() -> list[dict[str, Any]]:
            return [e for e in events(log) if e.get("mode") == "huge" and e["event"] == "closed"]

        wait_for(huge_closed, timeout=20)
        peak = rss_kib(pcf.pid, "VmHWM")
        print(f"honest warning after {waited:.2f} s; peak RSS {baseline} -> {peak} KiB")
        assert peak - baseline < 50 * 1024, (baseline, peak)
        sent = max(e["sent"] for e in huge_closed())
        assert sent < 64 * 1024 * 1024, sent


def test_a_trickling_nrf_gets_a_total_deadline_not_one_per_read(tmp_path: Path) -> None:
    """The PCF's calls to the NRF and the NWDAF end within their timeout, however slow."""
    from pcf_server.consumer._http import SbiClient

    log = tmp_path / "nrf.jsonl"
    outcome: list[BaseException | float] = []

    def call(url: str) -> None:
        client = SbiClient(timeout=3.0)  # a byte every 2 s never trips a 3 s read timeout
        started = time.monotonic()
        try:
            client.request("GET", f"{url}/nnrf-nfm/v1/nf-instances")
        except httpx.TransportError:
            outcome.append(time.monotonic() - started)
        except BaseException as exc:
            outcome.append(exc)
        finally:
            client.close()

    with hostile_nefs(log, "trickle") as nefs:
        caller = threading.Thread(target=call, args=(nefs["trickle"],), daemon=True)
        caller.start()
        caller.join(timeout=10)  # the deadline, and the read it cut short, with room
        assert not caller.is_alive(), "the request outlived its deadline"
    assert any(e.get("event") == "request" for e in events(log))
    (took,) = outcome
    assert isinstance(took, float) and took < 3.0 + 2.5, took


def test_a_hanging_destination_gets_its_share_of_requests_and_no_more(tmp_path: Path) -> None:
    """per_destination bounds the requests to one NEF; the rest wait in the outbox."""
    store = SqliteStore(tmp_path / "outbox.db")
    policy = DeliveryPolicy(timeout=3.0, per_destination=2, poll=0.2)
    sender = NotificationSender(store.unit_of_work, policy, destinations=LABS)
    honest = Nef()
    log = tmp_path / "hang.jsonl"

    def attempted() -> int:
        return sum(1 for row in rows(store) if "hang" in row[0] and row[2] >= 1)

    with hostile_nefs(log, "hang") as nefs, background(honest) as honest_url, Running(sender):
        for _ in range(6):
            add(store, f"{nefs['hang']}/hang", at=time.time())
        sender.wake()
        wait_for(attempted, timeout=10)  # the first deadline passed
        assert attempted() <= 2
        add(store, f"{honest_url}/bdt", at=time.time())
        sender.wake()
        started = time.monotonic()
        wait_for(lambda: honest.received, timeout=2)
        waited = time.monotonic() - started
    print(f"honest warning after {waited:.2f} s beside a hanging NEF")
