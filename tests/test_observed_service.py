"""What the use cases tell their observer, and the store's status an operator scrapes.

In process, on the test configuration (tests/bdt_config.py: town's downlink headroom is
600 Mbps at night, 300 by day, 100 in the evening, 500 late) and the service's clock.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from pcf_server.policy.model import BdtPolicy, TimeWindow
from pcf_server.policy.network import Rates
from pcf_server.service import BdtPolicyControl, LimitReached, NoCapacity
from pcf_server.service.network_events import NetworkEvents
from pcf_server.service.observer import FALLBACK, OFFERED, REFUSED
from pcf_server.service.status import Status
from pcf_server.wire.bdt import create_command
from pcf_server.wire.updates import update_from_document
from tests.bdt_config import config
from tests.dates import window
from tests.test_engine import DAY, NOW


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def decided(self, outcome: str, seconds: float) -> None:
        assert 0 <= seconds < 5
        self.calls.append(("decided", outcome))

    def created(self, policy: BdtPolicy) -> None:
        self.calls.append(("created", policy.policy_id))

    def refused(self, consumer: str, cause: str, reason: str) -> None:
        assert reason
        self.calls.append(("refused", consumer, cause))

    def selected(self, policy: BdtPolicy, transfer_policy_id: int) -> None:
        self.calls.append(("selected", policy.policy_id, transfer_policy_id))

    def removed(self, policy_id: str, consumer: str, why: str) -> None:
        self.calls.append(("removed", policy_id, why))

    def warned(self, policy_ids: list[str], area_ids: list[str], source: str) -> None:
        self.calls.append(("warned", tuple(policy_ids), tuple(area_ids), source))

    def degraded(self, area_id: str, factor: float, source: str, degradation_id: int) -> None:
        self.calls.append(("degraded", area_id, factor, source))


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def observed(store, engine, clock, recorder) -> BdtPolicyControl:
    return BdtPolicyControl(
        store.unit_of_work, engine, planner=engine, clock=clock, observer=recorder
    )


def document(start_hour: float, hours: float, downlink_bytes: int, **extra: Any) -> dict[str, Any]:
    start = DAY + timedelta(hours=start_hour)
    return {
        "aspId": "asp",
        "desTimeInt": window(start, start + timedelta(hours=hours)),
        "numOfUes": 1,
        "volPerUe": {"downlinkVolume": downlink_bytes, "uplinkVolume": 0},
        **extra,
    }


def megabits_for(hours: float, mbps: float) -> int:
    return int(mbps * 1e6 * hours * 3600 / 8)


def test_a_create_is_offered_fallback_or_refused(observed, recorder) -> None:
    inside = observed.create(create_command(document(1, 2, megabits_for(2, 50))))
    # 200 Mbps for two evening hours: over the evening's 100, fits after 22:00 (500).
    after = observed.create(create_command(document(18, 2, megabits_for(2, 200))))
    assert all(offer.window.start >= DAY + timedelta(hours=20) for offer in after.transfer_policies)
    with pytest.raises(NoCapacity):
        observed.create(create_command(document(1, 2, megabits_for(2, 10_000))))
    assert recorder.calls == [
        ("decided", OFFERED),
        ("created", inside.policy_id),
        ("decided", FALLBACK),
        ("created", after.policy_id),
        ("decided", REFUSED),
        ("refused", "", "BDT_CAPACITY_UNAVAILABLE"),
    ]


def test_a_create_over_a_consumers_limit_is_refused_with_its_cause(
    store, engine, clock, recorder
) -> None:
    from pcf_server.config import network_from_document
    from pcf_server.policy.engine import LoadAwareDecider

    strict = LoadAwareDecider(network_from_document(config(policies_per_consumer=1)))
    service = BdtPolicyControl(
        store.unit_of_work, strict, planner=strict, clock=clock, observer=recorder
    )
    service.create(create_command(document(1, 2, megabits_for(2, 10))))
    with pytest.raises(LimitReached):
        service.create(create_command(document(3, 2, megabits_for(2, 10))))
    assert recorder.calls[-1] == ("refused", "", "BDT_POLICY_LIMIT_REACHED")
    assert [c[0] for c in recorder.calls].count("decided") == 1  # no decision was made


def test_selections_and_declines_are_told(observed, recorder) -> None:
    features = {"suppFeat": "1", "notifUri": "http://nef.example/n"}
    chosen = observed.create(create_command(document(1, 4, megabits_for(1, 10), **features)))
    dropped = observed.create(create_command(document(1, 4, megabits_for(1, 11), **features)))
    recorder.calls.clear()
    select = {"bdtPolData": {"selTransPolicyId": 2}}
    observed.update(chosen.policy_id, update_from_document(select))
    decline = {"bdtPolData": {"selTransPolicyId": 0}}
    assert observed.update(dropped.policy_id, update_from_document(decline)) is None
    assert recorder.calls == [
        ("selected", chosen.policy_id, 2),
        ("removed", dropped.policy_id, "all candidates declined (selTransPolicyId 0)"),
    ]


def test_degradations_and_warnings_are_told_once(store, engine, clock, recorder, observed):
    features = {"suppFeat": "1", "notifUri": "http://nef.example/n", "warnNotifReq": True}
    policy = observed.create(create_command(document(1, 4, megabits_for(1, 10), **features)))
    observed.update(policy.policy_id, update_from_document({"bdtPolData": {"selTransPolicyId": 1}}))
    events = NetworkEvents(store.unit_of_work, engine, engine, clock=clock, observer=recorder)
    recorder.calls.clear()
    selected = policy.transfer_policies[0].window
    events.degrade("town", TimeWindow(selected.start, selected.stop), 0.0)
    events.degrade("village", TimeWindow(selected.start, selected.stop), 0.5)
    assert recorder.calls == [
        ("degraded", "town", 0.0, "operator"),
        ("warned", (policy.policy_id,), ("town",), "operator"),
        ("degraded", "village", 0.5, "operator"),
    ]


def test_the_status_counts_what_the_store_holds(store, engine, clock, observed) -> None:
    status = Status(store.unit_of_work, engine, clock=clock)
    empty = status.now()
    assert empty.counts.policies == 0 and empty.counts.held_offers == 0
    assert dict(empty.counts.reservations) == {"held": 0, "committed": 0}
    assert dict(empty.counts.outbox) == {"pending": 0, "dead": 0}
    town = {area.area_id: area for area in empty.areas}["town"]
    assert town.reserved == Rates(0, 0)
    # NOW is noon of the day before: town's day headroom, 300 Mbps down, 30 up.
    assert town.limit.downlink == pytest.approx(300e6) and town.limit.uplink == pytest.approx(30e6)

    start = NOW.replace(minute=0)  # a window under way: the current slot is taken
    now_doc = {
        "aspId": "asp-now",
        "desTimeInt": window(start, start + timedelta(hours=1)),
        "numOfUes": 1,
        "volPerUe": {"downlinkVolume": megabits_for(1, 40), "uplinkVolume": 0},
    }
    running = observed.create(create_command(now_doc))
    (offer,) = running.transfer_policies
    held = observed.create(create_command(document(1, 4, megabits_for(1, 10))))
    assert len(held.transfer_policies) > 1
    events = NetworkEvents(store.unit_of_work, engine, engine, clock=clock)
    events.degrade("town", TimeWindow(NOW - timedelta(minutes=5), NOW + timedelta(hours=1)), 0.9)
    events.degrade("town", TimeWindow(NOW + timedelta(hours=3), NOW + timedelta(hours=4)), 0.9)

    now = status.now()
    assert now.counts.policies == 2 and now.counts.held_offers == 1
    assert dict(now.counts.reservations) == {
        "held": len(held.transfer_policies),
        "committed": 1,
    }
    town = {area.area_id: area for area in now.areas}["town"]
    assert town.reserved.downlink == pytest.approx(offer.max_bitrate_dl)
    assert town.limit.downlink == pytest.approx((0.8 * 0.9 - 0.5) * 1e9)
    assert town.degradations == {"operator": 1}  # the later one is not in force yet
    village = {area.area_id: area for area in now.areas}["village"]
    assert village.degradations == {} and village.reserved == Rates(0, 0)

    clock.now += timedelta(seconds=engine.network.hold.total_seconds() + 1)
    assert status.now().counts.held_offers == 0  # an expired hold holds nothing
