"""Warnings reach the AF (TS 23.502 4.16.7.3 steps 9-12) through the NEF gateway.

End to end with three real processes: the PCF (``pcf-bdt serve``), the gateway
(``nef-bdt gateway``) and an AF receiver (``tests/notif_receiver.py``). Delivery itself
(retries, redirects, dead rows, the bound per destination) is driven round by round
in-process, on a clock the test moves.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from nef_client.testing import start_nef_gateway
from nef_gateway.notify import AF_DELIVERY
from nef_gateway.storage import SqliteStore
from nf_common.delivery import NotificationSender
from nf_common.destinations import LABS
from tests.asgi import read_body
from tests.bdt_config import TOWN_TAI, write_config
from tests.dates import future_day, window
from tests.notif_receiver import received, running_receiver
from tests.polling import wait_for
from tests.server_process import free_port, running_pcf

NIGHT = future_day() + timedelta(days=1)
MERGE_PATCH = {"content-type": "application/merge-patch+json"}
MBPS = 1e6


@pytest.mark.slow
def test_a_degradation_reaches_the_af_which_selects_a_new_window(tmp_path: Path) -> None:
    config = write_config(tmp_path / "c.yaml")
    out = tmp_path / "af.jsonl"
    af_port = free_port()
    desired = window(NIGHT, NIGHT + timedelta(hours=6))
    with (
        running_pcf(tmp_path / "pcf.db", extra_args=["--config", str(config)]) as (pcf_url, pcf),
        start_nef_gateway(pcf_url, tmp_path) as gateway,
        running_receiver(af_port, out) as af,
    ):
        # 1. The AF negotiates through 3gpp-bdt: 300 Mbps for 6 hours fits the town at night.
        body = {
            "volumePerUE": {"downlinkVolume": int(300 * MBPS * 6 * 3600 / 8)},
            "numberOfUEs": 1,
            "desiredTimeWindow": desired,
            "locationArea5G": {"nwAreaInfo": {"tais": [TOWN_TAI]}},
            "notificationDestination": f"{af}/old",  # answers 307 to /bdt
            "warnNotifEnabled": True,
        }
        created = httpx.post(gateway.subscriptions_url("af-1"), json=body, timeout=30)
        assert created.status_code == 201, created.text
        location = created.headers["location"]
        offers = created.json()["transferPolicies"]
        shortest = min(offers, key=lambda o: _hours(o["timeWindow"]))
        selected = httpx.patch(location, json={"selectedPolicy": shortest["bdtPolicyId"]},
                               headers=MERGE_PATCH)  # fmt: skip
        assert selected.status_code == 200, selected.text

        # 2. The network degrades exactly there (the operator API of the PCF).
        broken = shortest["timeWindow"]
        outcome = httpx.post(
            f"{pcf.admin_root}/pcf-bdt-admin/v1/degradations",
            json={"areaId": "town", "timeWindow": broken, "factor": 0.1},
        )
        assert outcome.status_code == 200, outcome.text  # fmt: skip
        assert len(outcome.json()["notified"]) == 1

        # 3. The AF receives the TS 29.122 warning with the new candidates.
        (note,) = wait_for(lambda: received(out))
        warning = note["body"]
        assert note["path"] == "/bdt"  # the 307 was followed
        assert warning["bdtRefId"] == created.json()["referenceId"]
        assert warning["timeWindow"] == broken
        assert warning["locationArea5G"] == {"nwAreaInfo": {"tais": [TOWN_TAI]}}
        candidates = warning["candPolicies"]
        assert candidates
        for candidate in candidates:
            assert set(candidate) <= {"bdtPolicyId", "timeWindow", "ratingGroup",
                                      "maxDownlinkBandwidth", "maxUplinkBandwidth"}  # fmt: skip
            assert isinstance(candidate["maxDownlinkBandwidth"], int)
            spoiled = candidate["timeWindow"]
            assert spoiled["stopTime"] <= broken["startTime"] or (
                spoiled["startTime"] >= broken["stopTime"]
            )
        # The gateway stored the PCF's notification and shows the subscription invalid:
        # the new candidates, nothing selected.
        with SqliteStore(gateway.db).unit_of_work(write=False) as uow:
            subscription_id = location.rsplit("/", 1)[1]
            (stored,) = uow.notifications.of(subscription_id)
        assert stored.body["bdtRefId"] == warning["bdtRefId"]
        assert len(stored.body["candPolicies"]) == len(candidates)
        now = httpx.get(location).json()
        assert "selectedPolicy" not in now
        assert [c["bdtPolicyId"] for c in now["transferPolicies"]] == [
            c["bdtPolicyId"] for c in candidates
        ]

        # 4. The AF selects a new candidate through 3gpp-bdt; the PCF has it selected.
        choice = candidates[0]["bdtPolicyId"]
        again = httpx.patch(location, json={"selectedPolicy": choice}, headers=MERGE_PATCH)
        assert again.status_code == 200, again.text
        assert again.json()["selectedPolicy"] == choice
        with SqliteStore(gateway.db).unit_of_work(write=False) as uow:
            row = uow.subscriptions.get(subscription_id)
        assert row is not None and row.valid
        policy = httpx.get(f"{pcf_url}/bdtpolicies/{row.policy_id}").json()
        assert policy["bdtPolData"]["selTransPolicyId"] == choice
        assert gateway.outbox() == []  # delivered, so gone


def _hours(window_doc: dict[str, str]) -> float:
    start = datetime.fromisoformat(window_doc["startTime"])
    stop = datetime.fromisoformat(window_doc["stopTime"])
    return (stop - start).total_seconds() / 3600


def test_warnings_to_an_af_that_did_not_ask_are_stored_not_sent(
    nef_gateway: Any, pcf_stub: Any, tmp_path: Path
) -> None:
    pcf_stub.set_capacity("metro", downlink="10 Gbps", uplink="1 Gbps")
    start = future_day() + timedelta(hours=1)
    body = {
        "volumePerUE": {"downlinkVolume": 50_000_000},
        "numberOfUEs": 100,
        "desiredTimeWindow": window(start, start + timedelta(hours=6)),
        "notificationDestination": "http://127.0.0.1:9/never",
    }
    created = httpx.post(nef_gateway.subscriptions_url("af-1"), json=body, timeout=30)
    assert created.status_code == 201, created.text
    location = created.headers["location"]
    offers = created.json()["transferPolicies"]
    first = offers[0]
    assert httpx.patch(location, json={"selectedPolicy": first["bdtPolicyId"]},
                       headers=MERGE_PATCH).status_code == 200  # fmt: skip
    start_time = datetime.fromisoformat(first["timeWindow"]["startTime"])
    stop_time = datetime.fromisoformat(first["timeWindow"]["stopTime"])
    outcome = pcf_stub.degrade("metro", start_time, stop_time, factor=0.01)
    # warnNotifReq was not asked for: the PCF keeps the policy and sends nothing either.
    assert outcome["notified"] == []
    assert nef_gateway.outbox() == []


# -- delivery, round by round -----------------------------------------------------------


class AfApp:
    """An AF's notification endpoint whose answers a test scripts, recording what came."""

    def __init__(self) -> None:
        self.statuses: dict[str, list[int]] = {}
        self.bodies: list[tuple[str, Any]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        # Hold requests until this many have overlapped once (or 5 s have passed).
        self.hold_until_in_flight = 0
        self._lock = threading.Lock()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = await read_body(receive)
        path = scope["path"]
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            deadline = time.monotonic() + 5
            while self.max_in_flight < self.hold_until_in_flight and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            if self.hold_until_in_flight:
                await asyncio.sleep(0.05)  # a window in which more requests could overlap
            if path == "/moved":
                status, headers = 308, [(b"location", b"/af")]
            else:
                scripted = self.statuses.get(path, [])
                status, headers = (scripted.pop(0) if scripted else 204), []
                if status == 503:
                    headers = [(b"retry-after", b"7")]
            if status == 204:
                self.bodies.append((path, json.loads(body)))
        finally:
            with self._lock:
                self.in_flight -= 1
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b""})


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def _outbox(store: SqliteStore, uris: list[str], clock: Clock) -> None:
    with store.unit_of_work() as uow:
        for number, uri in enumerate(uris):
            uow.outbox.add(f"s{number}", uri, {"bdtRefId": f"ref-{number}"}, clock())
        uow.commit()


def _round(sender: NotificationSender) -> int:
    async def once() -> int:
        async with sender.connected():
            return await sender.deliver_due()

    return asyncio.run(once())


@pytest.fixture
def af() -> Any:
    from nef_client._serving import background

    app = AfApp()
    with background(app) as url:
        yield app, url


def test_delivery_retries_follows_redirects_and_gives_up(af: Any, tmp_path: Path) -> None:
    app, url = af
    store = SqliteStore(tmp_path / "gw.db")
    clock = Clock()
    sender = NotificationSender(
        store.unit_of_work, replace(AF_DELIVERY, give_up_after=3600), clock, destinations=LABS
    )
    app.statuses = {"/busy": [503], "/gone": [404]}
    _outbox(store, [f"{url}/busy", f"{url}/moved", f"{url}/gone", "http://[::1/broken"], clock)

    assert _round(sender) == 4
    assert app.bodies == [("/af", {"bdtRefId": "ref-1"})]  # the 308 was followed
    with store.unit_of_work(write=False) as uow:
        rows = {row["uri"].rsplit("/", 1)[-1]: row for row in uow.outbox.rows()}
    assert rows["busy"]["state"] == "pending" and rows["busy"]["lastError"] == "HTTP 503"
    assert rows["gone"]["state"] == "dead" and rows["gone"]["lastError"] == "HTTP 404"
    assert rows["broken"]["state"] == "dead"
    assert "moved" not in rows  # delivered: deleted

    assert _round(sender) == 0  # Retry-After: 7 s, and the clock has not moved
    clock.now += 7
    assert _round(sender) == 1
    assert ("/busy", {"bdtRefId": "ref-0"}) in app.bodies
    with store.unit_of_work(write=False) as uow:
        assert {row["state"] for row in uow.outbox.rows()} == {"dead"}


def test_an_af_that_never_answers_is_given_up_after_the_limit(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "gw.db")
    clock = Clock()
    port = free_port()  # nothing listens there
    sender = NotificationSender(
        store.unit_of_work, replace(AF_DELIVERY, give_up_after=60), clock, destinations=LABS
    )
    _outbox(store, [f"http://127.0.0.1:{port}/af"], clock)
    rounds = 0
    while True:
        with store.unit_of_work(write=False) as uow:
            (row,) = uow.outbox.rows()
        if row["state"] == "dead":
            break
        clock.now += 61 if rounds else 0
        _round(sender)
        rounds += 1
        assert rounds < 5
    assert row["attempts"] >= 1 and "ConnectError" in row["lastError"]


def test_deliveries_are_bounded_per_destination(af: Any, tmp_path: Path) -> None:
    app, url = af
    store = SqliteStore(tmp_path / "gw.db")
    clock = Clock()
    sender = NotificationSender(
        store.unit_of_work, replace(AF_DELIVERY, per_destination=2), clock, destinations=LABS
    )
    app.hold_until_in_flight = 2
    _outbox(store, [f"{url}/af"] * 6, clock)
    assert _round(sender) == 6
    assert len(app.bodies) == 6
    # The first requests waited until two overlapped; never did more than two.
    assert app.max_in_flight == 2


def test_a_notification_for_an_unknown_subscription_is_404_to_the_pcf(
    nef_gateway: Any,
) -> None:
    callback = f"{nef_gateway.root}/nef-bdt-callbacks/v1/pcf-notifications/nope"
    response = httpx.post(callback, json={"bdtRefId": "r"})
    assert response.status_code == 404
    assert response.json()["cause"] == "SUBSCRIPTION_NOT_FOUND"


def test_a_notification_that_is_not_one_is_400_to_the_pcf(nef_gateway: Any) -> None:
    start = future_day() + timedelta(hours=1)
    body = {"volumePerUE": {"downlinkVolume": 1000}, "numberOfUEs": 1,
            "desiredTimeWindow": window(start, start + timedelta(hours=2))}  # fmt: skip
    location = httpx.post(nef_gateway.subscriptions_url("af-1"), json=body).headers["location"]
    callback = (
        f"{nef_gateway.root}/nef-bdt-callbacks/v1/pcf-notifications/{location.rsplit('/', 1)[1]}"
    )
    response = httpx.post(callback, json={"candPolicies": []})
    assert response.status_code == 400
    assert response.json()["cause"] == "MANDATORY_IE_MISSING"
    assert httpx.get(location).status_code == 200  # nothing changed
