"""The PCF among other NFs, at the service layer, on a clock the tests move.

The NWDAF subscriptions kept per area in use (service.analytics) against a recording
NWDAF port, and the removal of policies whose warning stays unanswered (service.
unanswered, TS 23.502 4.16.7.3 NOTE 3).
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import timedelta

import pytest

from pcf_server.policy.degradation import AnalyticsRequest
from pcf_server.policy.model import TimeWindow
from pcf_server.policy.network import PerformanceThreshold
from pcf_server.service import PolicyPatch
from pcf_server.service.analytics import HeldSubscriptions, SubscriptionKeeper
from pcf_server.service.network_events import NetworkEvents
from pcf_server.service.ports import AnalyticsUnavailable
from pcf_server.service.unanswered import UnansweredWarnings
from pcf_server.telemetry import Telemetry
from pcf_server.wire.bdt import create_command
from tests.bdt_config import TOWN_TAI
from tests.dates import iso
from tests.test_capacity import NIGHT, night_request, reservations
from tests.test_engine import DAY, hours
from tests.test_warnings import outbox, warned

CALLBACK = "http://pcf.example/pcf-bdt-callbacks/v1/nwdaf-notifications"


class RecordingNwdaf:
    """The AnalyticsProvider port: records calls, forgets on ``restart``, fails on demand."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.held: dict[str, AnalyticsRequest] = {}
        self.down = False
        self._next = 0

    def _check(self) -> None:
        if self.down:
            raise AnalyticsUnavailable("connection refused")

    def subscribe(self, request: AnalyticsRequest) -> tuple[str, str]:
        self._check()
        self._next += 1
        subscription_id = f"s{self._next}"
        self.held[subscription_id] = request
        self.calls.append(("subscribe", subscription_id))
        return subscription_id, f"http://nwdaf.example/subscriptions/{subscription_id}"

    def update(self, resource_uri: str, request: AnalyticsRequest) -> bool:
        self._check()
        subscription_id = resource_uri.rsplit("/", 1)[1]
        self.calls.append(("update", subscription_id))
        if subscription_id not in self.held:
            return False
        self.held[subscription_id] = request
        return True

    def unsubscribe(self, resource_uri: str) -> None:
        self._check()
        subscription_id = resource_uri.rsplit("/", 1)[1]
        self.calls.append(("unsubscribe", subscription_id))
        self.held.pop(subscription_id, None)

    def restart(self) -> None:
        self.held.clear()


def committed(service, document: dict):
    """A policy in force: created, and its first offer selected when it had several."""
    policy = service.create(create_command(document))
    if policy.selected is None:
        policy = service.update(policy.policy_id, PolicyPatch(selected_id=1))
    assert policy.selected is not None
    return policy


@pytest.fixture
def nwdaf() -> RecordingNwdaf:
    return RecordingNwdaf()


@pytest.fixture
def keeper(store, engine, clock, nwdaf) -> SubscriptionKeeper:
    return SubscriptionKeeper(
        store.unit_of_work, engine.network, nwdaf, CALLBACK, "pcf-1", clock=clock
    )


def test_an_area_with_policies_in_force_gets_one_subscription_covering_them(
    service, keeper, nwdaf, store
) -> None:
    assert keeper.reconcile() and nwdaf.calls == []  # no policy: nothing to subscribe to
    first = committed(service, night_request("asp-a", 100))
    keeper.reconcile()
    assert nwdaf.calls == [("subscribe", "s1")]
    request = nwdaf.held["s1"]
    assert request.area_id == "town"
    assert request.nw_area_info == {"tais": [TOWN_TAI]}
    assert request.window == first.selected.window == TimeWindow(*NIGHT)
    assert request.notification_uri == CALLBACK
    assert request.thresholds == (
        PerformanceThreshold("GNB_ACTIVE_RATIO", 90),
        PerformanceThreshold("GNB_RSC_USAGE_OVERALL_TRAFFIC", 80),
    )
    assert HeldSubscriptions(store.unit_of_work).is_known("s1")
    assert not HeldSubscriptions(store.unit_of_work).is_known("s2")

    keeper.reconcile()  # nothing changed, nothing due
    assert nwdaf.calls == [("subscribe", "s1")]

    next_night = {"startTime": iso(DAY + hours(24)), "stopTime": iso(DAY + hours(30))}
    later = {**night_request("asp-b", 100), "desTimeInt": next_night}
    second = committed(service, later)
    keeper.reconcile()
    assert nwdaf.calls[-1] == ("update", "s1")  # the union grew: one subscription, updated
    assert nwdaf.held["s1"].window == TimeWindow(DAY, DAY + hours(30))

    for policy in (first, second):  # their windows passed, or their NEFs declined them
        with store.unit_of_work() as uow:
            uow.capacity.release(policy.policy_id)
            uow.policies.remove(policy.policy_id)
            uow.commit()
    keeper.reconcile()
    assert nwdaf.calls[-1] == ("unsubscribe", "s1")
    assert not HeldSubscriptions(store.unit_of_work).is_known("s1")


def test_a_subscription_the_nwdaf_forgot_is_created_again_at_the_next_refresh(
    service, keeper, nwdaf, clock, engine, store
) -> None:
    committed(service, night_request("asp-a", 100))
    keeper.reconcile()
    nwdaf.restart()
    clock.now += engine.network.nwdaf_refresh - timedelta(seconds=1)
    keeper.reconcile()
    assert nwdaf.calls == [("subscribe", "s1")]  # not due yet
    clock.now += timedelta(seconds=1)
    keeper.reconcile()
    assert nwdaf.calls == [("subscribe", "s1"), ("update", "s1"), ("subscribe", "s2")]
    held = HeldSubscriptions(store.unit_of_work)
    assert held.is_known("s2") and not held.is_known("s1")


def test_an_unreachable_nwdaf_is_tried_again_next_round(service, keeper, nwdaf) -> None:
    committed(service, night_request("asp-a", 100))
    nwdaf.down = True
    keeper.reconcile()  # logged, not raised
    nwdaf.down = False
    keeper.reconcile()
    assert nwdaf.calls == [("subscribe", "s1")]


def test_one_keeper_at_a_time_among_instances_sharing_the_store(
    service, keeper, nwdaf, store, engine, clock
) -> None:
    other_nwdaf = RecordingNwdaf()
    other_callback = CALLBACK.replace("pcf.example", "pcf2.example")
    other = SubscriptionKeeper(
        store.unit_of_work, engine.network, other_nwdaf, other_callback, "pcf-2", clock=clock
    )
    committed(service, night_request("asp-a", 100))
    assert keeper.reconcile()
    assert not other.reconcile()  # the lease is pcf-1's
    assert other_nwdaf.calls == []
    clock.now += engine.network.nwdaf_check * 3  # pcf-1 stopped renewing: lease over
    other_nwdaf.held = dict(nwdaf.held)  # the same NWDAF, seen through another client
    assert other.reconcile()
    # The new keeper points the subscription at its own callback.
    assert other_nwdaf.calls == [("update", "s1")]
    assert other_nwdaf.held["s1"].notification_uri == other_callback


def test_areas_without_identifiers_are_not_subscribed(store, engine, clock, nwdaf, service) -> None:
    areas = dict(engine.network.areas)
    areas["town"] = replace(areas["town"], nw_area_info={})
    network = replace(engine.network, areas=areas)
    keeper = SubscriptionKeeper(store.unit_of_work, network, nwdaf, CALLBACK, "p", clock=clock)
    committed(service, night_request("asp-a", 100))
    keeper.reconcile()
    assert nwdaf.calls == []


# -- unanswered warnings (TS 23.502 4.16.7.3 NOTE 3) -------------------------------------


@pytest.fixture
def events(store, engine, clock) -> NetworkEvents:
    return NetworkEvents(store.unit_of_work, engine, engine, clock=clock)


@pytest.fixture
def unanswered(store, engine, clock) -> UnansweredWarnings:
    return UnansweredWarnings(store.unit_of_work, engine.network, clock=clock, observer=Telemetry())


def _deliver_all(store) -> None:
    db = sqlite3.connect(store.path)
    with db:
        db.execute("DELETE FROM outbox")  # what the sender does on a 2xx
    db.close()


def _invalidate(service, events):
    policy = service.create(create_command(warned("asp-a", 300)))
    outcome = events.degrade("town", TimeWindow(*NIGHT), 0.3)
    assert outcome.notified == [policy.policy_id]
    return policy


def test_a_warning_unanswered_for_the_configured_time_removes_the_policy(
    service, events, unanswered, store, clock, engine, caplog
) -> None:
    policy = _invalidate(service, events)
    assert {r[0] for r in reservations(store)} == {policy.policy_id}  # candidates held
    limit = engine.network.unanswered_warning

    clock.now += limit * 2
    assert unanswered.remove_expired() == []  # still in the outbox: the NEF was not told yet
    _deliver_all(store)
    assert unanswered.remove_expired() == []  # told now: its time starts
    clock.now += limit - timedelta(seconds=1)
    assert unanswered.remove_expired() == []
    clock.now += timedelta(seconds=1)
    with caplog.at_level("WARNING", logger="pcf_server.events"):
        assert unanswered.remove_expired() == [policy.policy_id]
    assert "4.16.7.3 NOTE 3" in caplog.text and policy.policy_id in caplog.text
    assert reservations(store) == []  # its holds are free
    with store.unit_of_work(write=False) as uow:
        assert uow.policies.get(policy.policy_id) is None


def test_an_answered_warning_keeps_the_policy(
    service, events, unanswered, store, clock, engine
) -> None:
    policy = _invalidate(service, events)
    _deliver_all(store)
    unanswered.remove_expired()
    candidate = service.get(policy.policy_id).offered_ids[0]
    service.update(policy.policy_id, PolicyPatch(selected_id=candidate))
    clock.now += engine.network.unanswered_warning * 2
    assert unanswered.remove_expired() == []
    assert service.get(policy.policy_id).valid


def test_a_new_warning_starts_the_wait_again(
    service, events, unanswered, store, clock, engine
) -> None:
    policy = _invalidate(service, events)
    _deliver_all(store)
    unanswered.remove_expired()
    limit = engine.network.unanswered_warning
    clock.now += limit / 2
    candidate = service.get(policy.policy_id).offered_ids[0]
    service.update(policy.policy_id, PolicyPatch(selected_id=candidate))
    selected = service.get(policy.policy_id).selected
    assert selected is not None
    outcome = events.degrade("town", selected.window, 0.3)
    assert outcome.notified == [policy.policy_id]
    assert len(outbox(store)) == 1
    _deliver_all(store)
    unanswered.remove_expired()
    clock.now += limit / 2 + timedelta(seconds=1)
    assert unanswered.remove_expired() == []  # a full period from the second warning
    clock.now += limit / 2
    assert unanswered.remove_expired() == [policy.policy_id]
