"""M6 events and both ways of asking, on the NEF gateway's side: 3gpp-bdt and its store."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from nef_client.m6 import (
    BackgroundTransfers,
    BdtEventEmitter,
    ErrorReason,
    Event,
    ManualClock,
    NefNegotiator,
    NegotiationRefused,
    Opportunity,
    TransferError,
)
from nef_client.testing import NefGateway, PcfStub
from nef_gateway.events import StoreEvents
from nef_gateway.storage import SqliteStore
from tests.dates import SATURDAY, future_day, window
from tests.polling import wait_for
from tests.test_m6_events import _lines

NIGHT = future_day(SATURDAY)
MERGE_PATCH = {"content-type": "application/merge-patch+json"}
NEF_BDT = [str(Path(sys.executable).with_name("nef-bdt"))]


def recorder(emitter: BdtEventEmitter) -> list[Event]:
    seen: list[Event] = []
    emitter.subscribe(seen.append)
    return seen


def test_both_ways_of_asking_through_3gpp_bdt(nef_gateway: NefGateway, pcf_stub: PcfStub) -> None:
    clock = ManualClock(NIGHT)
    negotiator = NefNegotiator(nef_gateway.url, "media-af", number_of_ues=10)
    transfers = BackgroundTransfers(negotiator, BdtEventEmitter(clock))
    seen = recorder(transfers.emitter)

    by_range = transfers.request_window(
        "movie-1", NIGHT + timedelta(hours=1), NIGHT + timedelta(hours=5), volume=10**8
    )
    assert by_range.windows and by_range.bdt_ref_id
    chosen = transfers.select("movie-1", by_range.windows[-1].window_id)
    stored = httpx.get(f"{nef_gateway.subscriptions_url('media-af')}/{by_range.handle}").json()
    assert stored["selectedPolicy"] == chosen.window_id
    assert stored["volumePerUE"] == {"totalVolume": 10**8}
    clock.set(chosen.start)
    (opened,) = transfers.emitter.poll()
    assert isinstance(opened, Opportunity)
    assert (opened.session_id, opened.volume_quota) == ("movie-1", 10**8)
    assert opened.max_downlink_bps == chosen.max_downlink_bps and chosen.max_downlink_bps

    by_volume = transfers.request_volume(
        "movie-2", volume=10**8, duration=timedelta(hours=2), horizon=timedelta(hours=12),
        earliest=NIGHT,
    )  # fmt: skip
    assert all(w.duration_seconds >= 7200 for w in by_volume.windows)
    stored = httpx.get(f"{nef_gateway.subscriptions_url('media-af')}/{by_volume.handle}").json()
    assert stored["volumePerUE"] == {"totalVolume": 10**8, "duration": 7200}

    negotiator.release(by_volume.handle)
    listed = httpx.get(nef_gateway.subscriptions_url("media-af")).json()
    assert [s["self"].rsplit("/", 1)[1] for s in listed] == [by_range.handle]

    pcf_stub.fail_next(1, status=403, cause="BDT_CAPACITY_UNAVAILABLE", method="PATCH")
    third = transfers.request_window(
        "movie-3", NIGHT + timedelta(hours=1), NIGHT + timedelta(hours=5), volume=10**6
    )
    with pytest.raises(NegotiationRefused) as refused:
        transfers.select("movie-3", third.windows[0].window_id)
    assert (refused.value.status, refused.value.cause) == (403, "BDT_CAPACITY_UNAVAILABLE")
    error = seen[-1]
    assert isinstance(error, TransferError) and error.reason is ErrorReason.REFUSED
    negotiator.close()


def test_events_from_the_gateways_store(nef_gateway: NefGateway, pcf_stub: PcfStub) -> None:
    """Selection, warning, new selection and deletion, as the store records them."""
    clock = ManualClock(NIGHT)
    emitter = BdtEventEmitter(clock)
    seen = recorder(emitter)
    source = StoreEvents(nef_gateway.db, emitter)
    pcf_stub.set_capacity("metro", downlink="10 Gbps", uplink="1 Gbps")
    body = {
        "volumePerUE": {"downlinkVolume": 50_000_000},
        "numberOfUEs": 100,
        "desiredTimeWindow": window(NIGHT + timedelta(hours=1), NIGHT + timedelta(hours=7)),
        "notificationDestination": "http://127.0.0.1:9/unreachable",
        "warnNotifEnabled": True,
    }
    created = httpx.post(nef_gateway.subscriptions_url("af-1"), json=body, timeout=30)
    location = created.headers["location"]
    subscription_id = location.rsplit("/", 1)[1]
    offers = created.json()["transferPolicies"]
    source.refresh()
    assert emitter.sessions() == {subscription_id: None}  # offered, nothing selected yet

    shortest = min(offers, key=lambda o: _t(o["timeWindow"]["stopTime"]) - _t(
        o["timeWindow"]["startTime"]))  # fmt: skip
    httpx.patch(location, json={"selectedPolicy": shortest["bdtPolicyId"]}, headers=MERGE_PATCH)
    source.refresh()
    start = _t(shortest["timeWindow"]["startTime"])
    stop = _t(shortest["timeWindow"]["stopTime"])
    clock.set(start)
    (opened,) = emitter.poll()
    assert isinstance(opened, Opportunity) and opened.session_id == subscription_id
    assert opened.volume_quota == 50_000_000

    pcf_stub.degrade("metro", start, stop, factor=0.01)
    wait_for(lambda: _invalid(nef_gateway.db, subscription_id))
    source.refresh()
    error = seen[-1]
    assert isinstance(error, TransferError) and error.reason is ErrorReason.NETWORK_DEGRADED
    assert error.window is not None and error.window.start == start
    assert error.candidates

    renewed = error.candidates[0]
    httpx.patch(location, json={"selectedPolicy": renewed.window_id}, headers=MERGE_PATCH)
    source.refresh()
    clock.set(max(renewed.start, clock.now()))
    (reopened,) = emitter.poll()
    assert isinstance(reopened, Opportunity) and reopened.start == renewed.start

    assert httpx.delete(location).status_code == 204
    source.refresh()
    removed = seen[-1]
    assert isinstance(removed, TransferError) and removed.reason is ErrorReason.REMOVED
    assert emitter.sessions() == {}


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _invalid(db: Path, subscription_id: str) -> bool:
    with SqliteStore(db).unit_of_work(write=False) as uow:
        subscription = uow.subscriptions.get(subscription_id)
    return subscription is not None and not subscription.valid


def test_nef_bdt_events_watches_a_gateway_store(nef_gateway: NefGateway) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    body = {
        "volumePerUE": {"totalVolume": 1_000_000},
        "numberOfUEs": 1,
        # Begun and shorter than the shortest window: one final offer that opens now.
        "desiredTimeWindow": window(now - timedelta(minutes=1), now + timedelta(minutes=30)),
    }
    created = httpx.post(nef_gateway.subscriptions_url("af-1"), json=body, timeout=30)
    assert created.status_code == 201, created.text
    (only,) = created.json()["transferPolicies"]
    subscription_id = created.headers["location"].rsplit("/", 1)[1]
    process = subprocess.Popen(
        [*NEF_BDT, "--json", "events", "--gateway-db", str(nef_gateway.db), "--refresh", "0.2s"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        lines = _lines(process)
        opened = json.loads(lines.get(timeout=30))
        assert opened["event"] == "BACKGROUND_DATA_TRANSFER_OPPORTUNITY"
        assert opened["mediaDeliverySessionId"] == subscription_id
        assert opened["windowStart"] == only["timeWindow"]["startTime"]
        assert opened["maxDownlinkBitRate"] == only["maxDownlinkBandwidth"]
        assert httpx.delete(created.headers["location"]).status_code == 204
        removed = json.loads(lines.get(timeout=30))
        assert removed["event"] == "ERROR_BACKGROUND_DATA_TRANSFER"
        assert removed["errorReason"] == "REMOVED"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_nef_bdt_events_needs_one_source() -> None:
    both = subprocess.run([*NEF_BDT, "events", "p1", "--gateway-db", "x.db"],
                          capture_output=True, text=True)  # fmt: skip
    assert both.returncode == 2 and "not both" in both.stderr
    missing = subprocess.run([*NEF_BDT, "events", "--gateway-db", "/nonexistent/x.db"],
                             capture_output=True, text=True)  # fmt: skip
    assert missing.returncode == 2 and "no gateway database" in missing.stderr
