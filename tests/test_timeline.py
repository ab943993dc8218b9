"""An area's timeline (the operator's picture) from the use cases, in process.

Expected values come from the test configuration (tests/bdt_config.py: town 1 Gbps down,
100 Mbps up, ceiling 0.8, load 0.2 at night) and from what the PCF offered, never from
the timeline itself.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from pcf_server.policy.model import TimeWindow
from pcf_server.policy.network import Rates
from pcf_server.service import PolicyPatch
from pcf_server.service.errors import UnknownArea
from pcf_server.service.network_events import NetworkEvents
from pcf_server.wire.bdt import create_command
from tests.test_capacity import NIGHT, night_request
from tests.test_engine import hours

SLOT = timedelta(minutes=15)
START = NIGHT[0] - hours(2)  # 22:00 (load 0.3), then midnight (0.2) and 06:00 (0.5)
N = 12 * 4  # twelve hours of slots


@pytest.fixture
def events(store, engine, clock) -> NetworkEvents:
    return NetworkEvents(store.unit_of_work, engine, engine, clock=clock)


def _slots_of(window: TimeWindow) -> range:
    first = int((window.start - START) / SLOT)
    return range(first, -int(-(window.stop - START) // SLOT))


def _per_slot(policy, only: int | None = None, uplink: bool = False) -> list[float]:
    """What each slot of the range carries for a policy's transfer policies."""
    values = [0.0] * N
    for tp in policy.transfer_policies:
        if only is not None and tp.transfer_policy_id != only:
            continue
        for index in _slots_of(tp.window):
            if 0 <= index < N:
                values[index] += (tp.max_bitrate_ul if uplink else tp.max_bitrate_dl) or 0.0
    return values


def test_limit_load_committed_and_held_per_asp(service, events) -> None:
    chosen = service.create(create_command(night_request("asp-a", 200)))
    service.update(chosen.policy_id, PolicyPatch(selected_id=2))
    other = service.create(create_command(night_request("asp-a", 50)))
    service.update(other.policy_id, PolicyPatch(selected_id=1))
    # Both directions: the uplink gets its share too.
    both = {**night_request("asp-b", 100), "volPerUe": {"totalVolume": 10**11}}
    offered = service.create(create_command(both))

    timeline, degradations = events.timeline("town", START, START + hours(12))

    assert degradations == []
    assert timeline.slots[0] == START and len(timeline.slots) == N
    assert timeline.stop == START + hours(12)
    assert timeline.capacity == Rates(1e9, 1e8)
    load = [0.3] * 8 + [0.2] * 24 + [0.5] * 16  # 22:00, midnight, 06:00 (tests/bdt_config)
    assert timeline.downlink.limit == [0.8e9] * N
    assert timeline.uplink.limit == pytest.approx([0.8e8] * N)
    assert timeline.downlink.expected == pytest.approx([f * 1e9 for f in load])
    assert timeline.uplink.expected == pytest.approx([f * 1e8 for f in load])
    a = [x + y for x, y in zip(_per_slot(chosen, 2), _per_slot(other, 1), strict=True)]
    assert timeline.downlink.committed == {"asp-a": pytest.approx(a)}
    assert timeline.downlink.held == {"asp-b": pytest.approx(_per_slot(offered))}
    assert max(a) > 0 and max(_per_slot(offered)) > 0
    up = [
        x + y
        for x, y in zip(
            _per_slot(chosen, 2, uplink=True), _per_slot(other, 1, uplink=True), strict=True
        )
    ]
    assert timeline.uplink.committed == {"asp-a": pytest.approx(up)}
    assert timeline.uplink.held == {"asp-b": pytest.approx(_per_slot(offered, uplink=True))}
    assert max(_per_slot(offered, uplink=True)) > 0
    assert (timeline.area_id, timeline.slot_seconds, timeline.utilisation_ceiling) == (
        "town",
        900,
        0.8,
    )


def test_expired_holds_are_not_drawn(service, events, engine, clock) -> None:
    service.create(create_command(night_request("asp-b", 100)))
    assert events.timeline("town", START, START + hours(12))[0].downlink.held.keys() == {"asp-b"}
    clock.now += engine.network.hold + timedelta(seconds=1)
    assert events.timeline("town", START, START + hours(12))[0].downlink.held == {}


def test_degradation_and_override_make_the_limit(service, events) -> None:
    events.set_capacity("town", Rates(2e9, 2e8))
    degraded = TimeWindow(NIGHT[0] + hours(1), NIGHT[0] + hours(2))
    events.degrade("town", degraded, 0.25)
    timeline, degradations = events.timeline("town", START, START + hours(12))
    inside = _slots_of(degraded)
    assert timeline.capacity == Rates(2e9, 2e8)
    assert timeline.downlink.limit == [2e9 * 0.8 * (0.25 if i in inside else 1.0) for i in range(N)]
    assert [(d.area_id, d.window, d.factor, d.source) for d in degradations] == [
        ("town", degraded, 0.25, "operator")
    ]
    # Another area, or a range that ends before the degradation, shows none of it.
    assert events.timeline("village", START, START + hours(12))[1] == []
    assert events.timeline("town", START, degraded.start)[1] == []
    assert events.timeline("town", degraded.stop, degraded.stop + hours(1))[1] == []


def test_a_range_clips_reservations_and_an_unknown_area_is_refused(service, events) -> None:
    policy = service.create(create_command(night_request("asp-a", 200)))
    service.update(policy.policy_id, PolicyPatch(selected_id=1))
    whole = _per_slot(policy, 1)
    middle = NIGHT[0] + hours(2)
    timeline, _ = events.timeline("town", middle, middle + hours(1))
    first = int((middle - START) / SLOT)
    assert timeline.downlink.committed == {"asp-a": pytest.approx(whole[first : first + 4])}
    with pytest.raises(UnknownArea):
        events.timeline("nowhere", START, START + hours(1))
