"""The PCF process with several workers, the operator API, NWDAF reports and
notification delivery to a NEF process that comes and goes."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing
from datetime import timedelta

import httpx
import pytest

from pcf_server.config import load_network
from pcf_server.policy.engine import LoadAwareDecider
from pcf_server.settings import ADMIN_BASE_PATH as ADMIN
from pcf_server.storage import SqliteStore
from tests.bdt_config import TOWN_TAI, VILLAGE_TAI, write_config
from tests.dates import future_day, iso
from tests.notif_receiver import received, running_receiver
from tests.polling import wait_for
from tests.server_process import free_port, running_pcf
from tests.test_capacity import assert_within_limits

pytestmark = pytest.mark.slow

MBPS = 1e6
TOMORROW = future_day(days_ahead=1)


def night(days: int = 0) -> dict[str, str]:
    start = TOMORROW + timedelta(days=days)
    return {"startTime": iso(start), "stopTime": iso(start + timedelta(hours=6))}


def night_request(asp: str, rate_mbps: float, **extra: object) -> dict:
    return {
        "aspId": asp,
        "desTimeInt": night(),
        "numOfUes": 1,
        "volPerUe": {"downlinkVolume": int(rate_mbps * MBPS * 6 * 3600 / 8)},
        **extra,
    }


def root(url: str) -> str:
    return url.rsplit("/npcf-bdtpolicycontrol", 1)[0]


def outbox(db) -> dict[str, tuple[str, int, str | None]]:
    """(state, attempts, last error) of each policy's notification still in the outbox."""
    with closing(sqlite3.connect(db)) as connection:
        rows = connection.execute("SELECT policy_id, state, attempts, last_error FROM outbox")
        return {policy_id: (state, tries, error) for policy_id, state, tries, error in rows}


def attempts(db, policy_id: str) -> int:
    return outbox(db).get(policy_id, ("", 0, None))[1]


def test_committed_reservations_never_exceed_headroom_with_several_workers(tmp_path) -> None:
    config = write_config(tmp_path / "c.yaml")
    db = tmp_path / "pcf.db"
    outcomes: list[int] = []
    selections: list[tuple[int, str]] = []
    lock = threading.Lock()

    def client(seed: int, url: str) -> None:
        rng = random.Random(seed)
        with httpx.Client(http1=False, http2=True, timeout=60) as http:
            for n in range(8):
                start = TOMORROW + timedelta(minutes=15 * rng.randrange(0, 20))
                body = {
                    "aspId": f"asp-{seed}-{n}",
                    "desTimeInt": {"startTime": iso(start),
                                   "stopTime": iso(start + timedelta(hours=rng.choice([1, 2, 4])))},
                    "numOfUes": rng.randrange(1, 150),
                    "volPerUe": {"downlinkVolume": rng.randrange(10**8, 3 * 10**9),
                                 "uplinkVolume": rng.randrange(10**7, 3 * 10**8)},
                }  # fmt: skip
                created = http.post(f"{url}/bdtpolicies", json=body)
                status = created.status_code
                if status == 201:
                    offers = created.json()["bdtPolData"]["transfPolicies"]
                    if len(offers) > 1:
                        # Selected at once, concurrently with the other clients' work.
                        pick = rng.choice(offers)["transPolicyId"]
                        selected = http.patch(
                            created.headers["location"],
                            json={"bdtPolData": {"selTransPolicyId": pick}},
                            headers={"content-type": "application/merge-patch+json"},
                        )
                        with lock:
                            selections.append((selected.status_code, selected.text))
                else:
                    assert status == 403, created.text
                    assert created.json()["cause"] == "BDT_CAPACITY_UNAVAILABLE"
                with lock:
                    outcomes.append(status)

    args = ["--workers", "3", "--config", str(config)]
    with running_pcf(db, extra_args=args) as (url, _):
        threads = [threading.Thread(target=client, args=(seed, url)) for seed in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(outcomes) == 64 and selections
    # A held candidate keeps its capacity until selected (holds outlive this test).
    assert {status for status, _ in selections} == {200}, selections
    assert 201 in outcomes and 403 in outcomes  # there was contention for the capacity
    assert_within_limits(SqliteStore(db), LoadAwareDecider(load_network(config)))


def test_operator_api_cli_and_nwdaf_endpoint(tmp_path) -> None:
    config = write_config(tmp_path / "c.yaml")
    with running_pcf(tmp_path / "pcf.db", extra_args=["--config", str(config)]) as (url, pcf):
        base = pcf.admin_root
        areas = httpx.get(f"{base}{ADMIN}/areas").json()
        assert {a["areaId"] for a in areas} == {"town", "village"}
        town = next(a for a in areas if a["areaId"] == "town")
        assert town["capacity"] == {"downlink": "1 Gbps", "uplink": "100 Mbps"}
        assert town["nwAreaInfo"] == {"tais": [TOWN_TAI]}

        changed = httpx.put(
            f"{base}{ADMIN}/areas/village/capacity",
            json={"downlink": "2 Gbps", "uplink": "200 Mbps"},
        )
        assert changed.status_code == 200
        assert changed.json()["capacity"] == {"downlink": "2 Gbps", "uplink": "200 Mbps"}
        assert changed.json()["overridden"] is True
        missing = httpx.put(
            f"{base}{ADMIN}/areas/atlantis/capacity",
            json={"downlink": "1 Gbps", "uplink": "1 Gbps"},
        )
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"
        bad = httpx.post(f"{base}{ADMIN}/degradations", json={"areaId": "town", "factor": 2,
                                                              "timeWindow": night()})  # fmt: skip
        assert bad.status_code == 400 and bad.headers["content-type"] == "application/problem+json"

        # The village now has 2 Gbps: a 500 Mbps transfer fits there, not in the town.
        village = night_request("asp-v", 500, nwAreaInfo={"tais": [VILLAGE_TAI]})
        assert httpx.post(f"{url}/bdtpolicies", json=village).status_code == 201
        too_big = httpx.post(f"{url}/bdtpolicies", json=night_request("asp-t", 5000))
        assert too_big.status_code == 403
        assert too_big.json()["cause"] == "BDT_CAPACITY_UNAVAILABLE"

        policy = httpx.post(f"{url}/bdtpolicies", json=night_request("asp-t", 300))
        policy_id = policy.headers["location"].rsplit("/", 1)[1]
        cli = subprocess.run(
            [sys.executable, "-m", "pcf_server", "degrade", "--area", "town",
             "--from", night()["startTime"], "--to", night()["stopTime"], "--factor", "0.3",
             "--url", base],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert cli.returncode == 0, cli.stderr
        assert policy_id in cli.stdout  # affected (no warnings asked, so not notified)

        report = [{"subscriptionId": "sub-1", "eventNotifications": [{
            "event": "NETWORK_PERFORMANCE",
            "nwPerfs": [{"networkArea": {"tais": [TOWN_TAI]}, "nwPerfType": "GNB_ACTIVE_RATIO",
                         "relativeRatio": 50, "anaPeriod": night(1)}]}]}]  # fmt: skip
        nwdaf = httpx.post(f"{root(url)}/pcf-bdt-callbacks/v1/nwdaf-notifications", json=report)
        assert nwdaf.status_code == 204, nwdaf.text
        areas = httpx.get(f"{base}{ADMIN}/areas").json()
        town = next(a for a in areas if a["areaId"] == "town")
        assert {d["factor"] for d in town["degradations"]} == {0.3, 0.5}
        invalid = httpx.post(f"{root(url)}/pcf-bdt-callbacks/v1/nwdaf-notifications", json=[{}])
        assert invalid.status_code == 400


def test_notifications_survive_a_nef_outage_and_a_pcf_restart(tmp_path) -> None:
    config = write_config(tmp_path / "c.yaml")
    db = tmp_path / "pcf.db"
    out = tmp_path / "received.jsonl"
    nef_port = free_port()
    nef = f"http://127.0.0.1:{nef_port}"
    args = ["--config", str(config)]

    # 1. The NEF is down; the PCF decides to warn, then restarts before it could deliver.
    with running_pcf(db, extra_args=args) as (url, pcf):
        base = pcf.admin_root
        first = httpx.post(f"{url}/bdtpolicies", json=night_request(
            "asp-1", 300, notifUri=f"{nef}/old", warnNotifReq=True,
            suppFeat="1"))  # fmt: skip
        assert first.status_code == 201
        outcome = httpx.post(f"{base}{ADMIN}/degradations", json={
            "areaId": "town", "timeWindow": night(), "factor": 0.3}).json()  # fmt: skip
        first_id = first.headers["location"].rsplit("/", 1)[1]
        assert (outcome["affected"], outcome["notified"]) == ([first_id], [first_id])
        wait_for(lambda: attempts(db, first_id) >= 2)  # refused connections, retried
    # The PCF stopped with the warning still to deliver.
    assert outbox(db)[first_id][:1] == ("pending",)

    with running_receiver(nef_port, out), running_pcf(db, extra_args=args) as (url, _):
        wait_for(lambda: len(received(out)) == 1)
        (note,) = received(out)
        assert note["http_version"] == "2"  # h2c, and the 307 from /old was followed
        assert note["path"] == "/bdt"
        assert note["body"]["bdtRefId"] == first.json()["bdtPolData"]["bdtRefId"]
        assert note["body"]["timeWindow"] == night()
        candidates = note["body"]["candPolicies"]
        # 300 Mbps no longer fit tonight: the new candidates avoid the degraded night.
        assert candidates
        for candidate in candidates:
            window = candidate["recTimeInt"]
            assert window["stopTime"] <= night()["startTime"] or (
                window["startTime"] >= night()["stopTime"]
            ), window
        # 2. The NEF selects a candidate: the policy is valid again with the new window.
        selected = httpx.patch(
            f"{url}/bdtpolicies/{first_id}",
            json={"bdtPolData": {"selTransPolicyId": candidates[0]["transPolicyId"]}},
            headers={"content-type": "application/merge-patch+json"},
        )
        assert selected.status_code == 200
        assert selected.json()["bdtPolData"]["transfPolicies"] == candidates

        village = night_request("asp-2", 30, notifUri=f"{nef}/bdt", warnNotifReq=True, suppFeat="1",
                                nwAreaInfo={"tais": [VILLAGE_TAI]})  # fmt: skip
        second = httpx.post(f"{url}/bdtpolicies", json=village)
        assert second.status_code == 201

    # 3. The NEF goes down while the PCF runs, and comes back a little later.
    with running_pcf(db, extra_args=args) as (url, pcf):
        outcome = httpx.post(f"{pcf.admin_root}{ADMIN}/degradations", json={
            "areaId": "village", "timeWindow": night(), "factor": 0.3}).json()  # fmt: skip
        (second_id,) = outcome["notified"]
        wait_for(lambda: attempts(db, second_id) >= 1)  # the NEF is down: a failed attempt
        with running_receiver(nef_port, out):
            wait_for(lambda: len(received(out)) == 2)
            wait_for(lambda: second_id not in outbox(db))  # deleted once acknowledged
    assert received(out)[1]["body"]["bdtRefId"] == second.json()["bdtPolData"]["bdtRefId"]


def test_concurrent_patches_keep_their_path_parameter(tmp_path) -> None:
    """Concurrent PATCHes over h2c reach their handler with their path parameter.

    The SBI guard (nf_common/guard.py) hands every body on with an exact Content-Length,
    which connexion needs to read it under concurrency.
    """
    failures: list[int] = []
    with running_pcf(tmp_path / "pcf.db") as (url, _):

        def client(number: int) -> None:
            with httpx.Client(http1=False, http2=True, timeout=30) as http:
                for index in range(10):
                    # Distinct ASPs: every POST creates its own policy (no 303).
                    body = {"aspId": f"a-{number}-{index}", "desTimeInt": night(),
                            "numOfUes": 1, "volPerUe": {"downlinkVolume": 1000}}  # fmt: skip
                    created = http.post(f"{url}/bdtpolicies", json=body)
                    if created.status_code != 201:
                        failures.append(created.status_code)
                        continue
                    location = created.headers["location"]
                    patched = http.patch(
                        location, json={"bdtPolData": {"selTransPolicyId": 1}},
                        headers={"content-type": "application/merge-patch+json"},
                    )  # fmt: skip
                    if patched.status_code != 200:
                        failures.append(patched.status_code)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []
