"""What each NWDAF network-performance report does to an area's capacity, and to whom.

Reports go through the same parsing as the NWDAF endpoint
(``wire.network_performance_from_notifications``) into ``NetworkEvents``; what is
checked is what the operator API shows afterwards (the degradations per area) and
which policies are affected.
"""

from __future__ import annotations

import json

import pytest

from pcf_server.policy.model import TimeWindow
from pcf_server.service import PolicyPatch
from pcf_server.service.network_events import NetworkEvents
from pcf_server.wire import network_performance_from_notifications
from tests.bdt_config import TOWN_TAI
from tests.dates import window
from tests.service_calls import create
from tests.test_capacity import NIGHT, night_request
from tests.test_engine import DAY, MBPS, bytes_for, hours, request
from tests.test_warnings import outbox, warned

PERIOD = TimeWindow(DAY + hours(1), DAY + hours(3))


@pytest.fixture
def events(store, engine, clock) -> NetworkEvents:
    return NetworkEvents(store.unit_of_work, engine, engine, clock=clock)


def report(perf_type: str, ratio: int | None = None, **extra: object) -> list[dict]:
    perf: dict[str, object] = {"networkArea": {"tais": [TOWN_TAI]}, "nwPerfType": perf_type}
    if ratio is not None:
        perf["relativeRatio"] = ratio
    perf.update(extra)
    return [{
        "subscriptionId": "s1",
        "eventNotifications": [{"event": "NETWORK_PERFORMANCE", "nwPerfs": [perf]}],
    }]  # fmt: skip


def degradations(events: NetworkEvents) -> list[tuple[TimeWindow, float]]:
    (town,) = [area for area in events.areas() if area.area_id == "town"]
    return town.degradations


def receive(events: NetworkEvents, notifications: list[dict]):
    return events.network_performance(network_performance_from_notifications(notifications))


@pytest.mark.parametrize(
    ("perf_type", "ratio", "factor"),
    [
        # r % of the gNBs are active: about r % of the capacity is left.
        ("GNB_ACTIVE_RATIO", 30, 0.3),
        ("GNB_ACTIVE_RATIO", 1, 0.01),
        ("GNB_ACTIVE_RATIO", 99, 0.99),
        # r % of the radio resources are used by other traffic: 100 - r % is left.
        ("GNB_RSC_USAGE_OVERALL_TRAFFIC", 70, 0.3),
        ("GNB_RSC_USAGE_OVERALL_TRAFFIC", 100, 0.0),
        ("GNB_RSC_USAGE_GBR_TRAFFIC", 25, 0.75),
        ("GNB_RSC_USAGE_GBR_TRAFFIC", 1, 0.99),
    ],
)
def test_each_capacity_report_type_gives_its_factor(events, perf_type, ratio, factor) -> None:
    receive(events, report(perf_type, ratio, anaPeriod=window(PERIOD.start, PERIOD.stop)))
    assert degradations(events) == [(PERIOD, pytest.approx(factor))]


@pytest.mark.parametrize(
    ("perf_type", "ratio"),
    [
        ("GNB_ACTIVE_RATIO", 100),  # every gNB up: nothing lost
        ("NUM_OF_UE", 40),  # says nothing about capacity
        ("SESS_SUCC_RATIO", 20),
        ("HO_SUCC_RATIO", 10),
        ("GNB_RSC_USAGE_OVERALL_TRAFFIC", None),  # an absolute number only
        ("GNB_ACTIVE_RATIO", None),
    ],
)
def test_reports_that_say_nothing_about_capacity_degrade_nothing(events, perf_type, ratio) -> None:
    extra = {} if ratio is not None else {"absoluteNum": 12}
    outcome = receive(
        events, report(perf_type, ratio, anaPeriod=window(PERIOD.start, PERIOD.stop), **extra)
    )
    assert degradations(events) == []
    assert outcome.affected == outcome.notified == []


def test_a_report_without_a_period_lasts_an_hour_from_now(events, clock) -> None:
    receive(events, report("GNB_ACTIVE_RATIO", 40))
    assert degradations(events) == [(TimeWindow(clock.now, clock.now + hours(1)), 0.4)]


def test_a_report_without_a_period_affects_what_is_under_way_now(
    service, events, clock, store
) -> None:
    policy = create(service, warned("asp-a", 300))  # the night, committed
    clock.now = DAY + hours(2)  # mid-transfer
    outcome = receive(events, report("GNB_ACTIVE_RATIO", 30))
    assert outcome.affected == outcome.notified == [policy.policy_id]
    (row,) = outbox(store)
    assert json.loads(row[2])["timeWindow"] == window(clock.now, clock.now + hours(1))


def test_an_uplink_overload_affects_the_upload_and_not_the_download_beside_it(
    service, events, store
) -> None:
    """Tonight: 40 Mbps up (of 60) and 100 Mbps down (of 600), both committed. With
    0.6 of the capacity, ``0.48 - 0.2`` of it is left: 28 Mbps up, 280 Mbps down."""
    upload = create(
        service,
        {
            **request(*NIGHT, 1, uplinkVolume=bytes_for(40 * MBPS, hours(6))),
            "aspId": "uploader",
            "notifUri": "http://nef.example/up",
            "warnNotifReq": True,
            "suppFeat": "1",
        },
    )
    download = create(service, night_request("downloader", 100))
    service.update(download.policy_id, PolicyPatch(selected_id=1))
    assert upload.selected is not None  # a single offer, committed at once
    outcome = events.degrade("town", TimeWindow(*NIGHT), 0.6)
    assert outcome.affected == outcome.notified == [upload.policy_id]
    assert service.get(download.policy_id).valid
    assert not service.get(upload.policy_id).valid
    (row,) = outbox(store)
    assert row[0] == upload.policy_id


def test_a_degradation_after_the_transfer_leaves_it_alone(service, events) -> None:
    policy = create(service, warned("asp-a", 300))
    later = TimeWindow(NIGHT[1], NIGHT[1] + hours(1))
    assert events.degrade("town", later, 0.01).affected == []
    assert service.get(policy.policy_id).valid


def test_reports_start_and_expiry_give_the_period_when_ana_period_is_absent(events) -> None:
    notifications = report("GNB_ACTIVE_RATIO", 50)
    event = notifications[0]["eventNotifications"][0]
    event["start"], event["expiry"] = window(PERIOD.start, PERIOD.stop).values()
    receive(events, notifications)
    assert degradations(events) == [(PERIOD, 0.5)]
