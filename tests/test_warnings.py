"""The BDT warning procedure (TS 23.502 4.16.7.3) at the service layer."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

import pytest

from pcf_server.policy.model import TimeWindow
from pcf_server.policy.network import Rates
from pcf_server.service import InvalidSelection, PolicyPatch, UnknownArea
from pcf_server.service.network_events import NetworkEvents
from pcf_server.wire import DocumentError, network_performance_from_notifications
from pcf_server.wire.bdt import create_command
from tests.bdt_config import TOWN_TAI
from tests.dates import iso, window
from tests.test_capacity import NIGHT, night_request, reservations
from tests.test_engine import DAY, hours

NOTIF_URI = "http://nef.example/bdt-warnings"


@pytest.fixture
def events(store, engine, clock) -> NetworkEvents:
    return NetworkEvents(store.unit_of_work, engine, engine, clock=clock)


def warned(asp: str, rate: float) -> dict:
    # BdtNotification_5G (feature 1) must be negotiated for warnings to apply.
    return {
        **night_request(asp, rate),
        "notifUri": NOTIF_URI,
        "warnNotifReq": True,
        "suppFeat": "1",
    }


def outbox(store) -> list[tuple]:
    db = sqlite3.connect(store.path)
    return db.execute("SELECT policy_id, uri, body FROM outbox ORDER BY id").fetchall()


def test_degradation_invalidates_and_queues_a_notification(service, events, store) -> None:
    policy = service.create(create_command(warned("asp-a", 300)))  # single offer: committed
    quiet = service.create(create_command(night_request("asp-b", 100)))  # no warnings asked
    service.update(quiet.policy_id, PolicyPatch(selected_id=1))
    outcome = events.degrade("town", TimeWindow(*NIGHT), 0.3)
    assert outcome.affected == [policy.policy_id, quiet.policy_id]
    assert outcome.notified == [policy.policy_id]

    stored = service.get(policy.policy_id)
    assert not stored.valid and stored.selected is None
    (row,) = outbox(store)
    assert row[:2] == (policy.policy_id, NOTIF_URI)
    body = json.loads(row[2])
    assert body["bdtRefId"] == policy.bdt_ref_id
    assert body["timeWindow"] == window(DAY, DAY + hours(6))
    assert body["nwAreaInfo"] == {"tais": [TOWN_TAI]}
    candidates = body["candPolicies"]
    # The policy offered id 1: the new candidates continue from there.
    assert [c["transPolicyId"] for c in candidates] == list(range(2, len(candidates) + 2))
    # Computed under the degraded capacity: 300 Mbps no longer fit tonight.
    assert all(c["recTimeInt"]["startTime"] >= iso(DAY + hours(6)) for c in candidates)
    assert {r[2] for r in reservations(store) if r[0] == policy.policy_id} == {"held"}

    # Selecting a candidate makes the policy valid again with the new window.
    chosen = service.update(
        policy.policy_id, PolicyPatch(selected_id=candidates[-1]["transPolicyId"])
    )
    assert chosen is not None and chosen.valid
    assert chosen.selected.window.start.isoformat().startswith(
        candidates[-1]["recTimeInt"]["startTime"][:19]
    )


def test_no_new_candidate_keeps_the_policy_and_says_nothing(service, events, store, engine) -> None:
    policy = service.create(create_command(warned("asp-a", 300)))
    # Degrade the desired window and the whole fallback horizon after it: nothing fits
    # anywhere any more.
    everything = TimeWindow(DAY - hours(24), NIGHT[1] + engine.network.search_horizon)
    outcome = events.degrade("town", everything, 0.2)
    assert outcome.affected == [policy.policy_id] and outcome.notified == []
    assert service.get(policy.policy_id).valid
    assert outbox(store) == []
    assert reservations(store) == [(policy.policy_id, 1, "committed")]


def test_refusing_the_candidates_removes_the_policy(service, events, store) -> None:
    policy = service.create(create_command(warned("asp-a", 300)))
    events.degrade("town", TimeWindow(*NIGHT), 0.3)
    assert service.update(policy.policy_id, PolicyPatch(selected_id=0)) is None
    assert reservations(store) == []


def test_other_areas_and_periods_are_not_affected(service, events) -> None:
    service.create(create_command(warned("asp-a", 300)))
    assert events.degrade("village", TimeWindow(*NIGHT), 0.3).affected == []
    later = TimeWindow(NIGHT[1], NIGHT[1] + hours(2))
    assert events.degrade("town", later, 0.3).affected == []
    with pytest.raises(UnknownArea):
        events.degrade("atlantis", later, 0.3)


def test_nwdaf_report_degrades_the_areas_it_names(service, events) -> None:
    policy = service.create(create_command(warned("asp-a", 300)))
    report = [{
        "subscriptionId": "s1",
        "eventNotifications": [{
            "event": "NETWORK_PERFORMANCE",
            "nwPerfs": [
                {"networkArea": {"tais": [TOWN_TAI]}, "nwPerfType": "GNB_ACTIVE_RATIO",
                 "relativeRatio": 30, "anaPeriod": window(DAY + hours(1), DAY + hours(3))},
                {"networkArea": {"tais": [TOWN_TAI]}, "nwPerfType": "HO_SUCC_RATIO",
                 "relativeRatio": 10},
            ],
        }, {"event": "NF_LOAD"}],
    }]  # fmt: skip
    outcome = events.network_performance(network_performance_from_notifications(report))
    assert outcome.notified == [policy.policy_id]


def test_capacity_override_and_reset(events) -> None:
    settings = events.set_capacity("village", Rates(1e9, 1e8))
    assert settings.overridden and settings.capacity == Rates(1e9, 1e8)
    assert settings.configured == Rates(1e8, 1e7)
    assert not events.set_capacity("village", None).overridden


def overlaps(window: dict, period: TimeWindow) -> bool:
    start = datetime.fromisoformat(window["startTime"])
    stop = datetime.fromisoformat(window["stopTime"])
    return start < period.stop and period.start < stop


def test_a_mild_degradation_that_still_fits_changes_nothing(service, events, store) -> None:
    """A degradation that leaves room for the transfer in force does not touch it."""
    policy = service.create(create_command(warned("asp-a", 300)))  # single offer: committed
    assert policy.selected is not None
    # 0.8 x 0.8 - 0.2 of 1 Gbps = 440 Mbps may still be used tonight: 300 fit.
    outcome = events.degrade("town", TimeWindow(*NIGHT), 0.8)
    assert outcome.affected == [] and outcome.notified == []
    stored = service.get(policy.policy_id)
    assert stored.valid and stored.selected == policy.selected
    assert stored.transfer_policies == policy.transfer_policies
    assert reservations(store) == [(policy.policy_id, 1, "committed")]
    assert outbox(store) == []
    # The degradation itself is recorded all the same.
    (town,) = [a for a in events.areas() if a.area_id == "town"]
    assert town.degradations == [(TimeWindow(*NIGHT), 0.8)]


def test_a_broken_selection_gets_candidates_elsewhere_in_its_window(service, events, store) -> None:
    policy = service.create(create_command(warned("asp-a", 100)))  # the night, its first half, ...
    assert len(policy.transfer_policies) == 3
    first_half = next(
        tp for tp in policy.transfer_policies if tp.window == TimeWindow(DAY, DAY + hours(3))
    )
    service.update(policy.policy_id, PolicyPatch(selected_id=first_half.transfer_policy_id))
    # Exactly the selected window, heavily: the transfer no longer fits there.
    broken = first_half.window
    outcome = events.degrade("town", broken, 0.01)
    assert outcome.affected == outcome.notified == [policy.policy_id]
    (row,) = outbox(store)
    candidates = json.loads(row[2])["candPolicies"]
    assert candidates
    assert not any(overlaps(c["recTimeInt"], broken) for c in candidates), candidates
    # The rest of the desired window, the second half of the night, is offered.
    assert window(DAY + hours(3), DAY + hours(6)) in [c["recTimeInt"] for c in candidates]


def test_only_policies_that_no_longer_fit_are_affected(service, events, store) -> None:
    """Oldest first, each against what those moved before it left."""
    first = service.create(create_command(warned("asp-a", 300)))  # committed, warnings on
    second = service.create(create_command(warned("asp-b", 100)))
    second = service.update(second.policy_id, PolicyPatch(selected_id=1))  # the whole night
    assert second is not None and second.selected.window == TimeWindow(*NIGHT)
    assert reservations(store) == sorted(
        [(first.policy_id, 1, "committed"), (second.policy_id, 1, "committed")]
    )
    # (0.8 x 0.6875 - 0.2) of 1 Gbps = 350 Mbps tonight: not both (400), either alone.
    outcome = events.degrade("town", TimeWindow(*NIGHT), 0.6875)
    assert outcome.affected == outcome.notified == [first.policy_id]
    assert not service.get(first.policy_id).valid
    kept = service.get(second.policy_id)
    assert kept.valid and kept.selected == second.selected
    (row,) = outbox(store)
    assert row[0] == first.policy_id
    candidates = json.loads(row[2])["candPolicies"]
    assert not any(overlaps(c["recTimeInt"], TimeWindow(*NIGHT)) for c in candidates)


def test_a_row_written_under_older_rules_is_read_updated_and_degraded(
    service, events, store
) -> None:
    """Stored rows are trusted: a rule tightened later applies to new requests only.

    The row gets a notifUri that today's Create refuses (longer than 2048 characters),
    as a PCF with an older rule would have stored it.
    """
    long_uri = "http://nef.example/" + "a" * 3000
    with pytest.raises(DocumentError):
        create_command({**warned("asp-x", 300), "notifUri": long_uri})
    policy = service.create(create_command(warned("asp-a", 300)))  # single offer: committed
    db = sqlite3.connect(store.path)
    with db:
        (document,) = db.execute(
            "SELECT request_document FROM bdt_policy WHERE policy_id = ?", (policy.policy_id,)
        ).fetchone()
        db.execute(
            "UPDATE bdt_policy SET request_document = ? WHERE policy_id = ?",
            (json.dumps({**json.loads(document), "notifUri": long_uri}), policy.policy_id),
        )
    db.close()

    read = service.get(policy.policy_id)
    assert read.request.notif_uri == long_uri
    updated = service.update(policy.policy_id, PolicyPatch(warn_notif_req=True))
    assert updated is not None and updated.request_document["notifUri"] == long_uri
    outcome = events.degrade("town", TimeWindow(*NIGHT), 0.3)
    assert outcome.affected == outcome.notified == [policy.policy_id]
    ((policy_id, uri, _),) = outbox(store)
    assert (policy_id, uri) == (policy.policy_id, long_uri)
    assert not service.get(policy.policy_id).valid


def test_candidate_ids_after_warnings_continue_the_numbering(service, events, store) -> None:
    """An id names one window for the policy's whole life (TS 29.554 5.6.2.3)."""
    policy = service.create(create_command(warned("asp-a", 100)))
    seen = {tp.transfer_policy_id: tp.window for tp in policy.transfer_policies}
    assert sorted(seen) == [1, 2, 3]
    chosen = min(policy.transfer_policies, key=lambda tp: tp.window.duration)
    for _ in range(2):  # the selected window breaks, twice
        service.update(policy.policy_id, PolicyPatch(selected_id=chosen.transfer_policy_id))
        outcome = events.degrade("town", chosen.window, 0.01)
        assert outcome.notified == [policy.policy_id]
        warned_policy = service.get(policy.policy_id)
        new = {tp.transfer_policy_id: tp.window for tp in warned_policy.transfer_policies}
        assert min(new) == max(seen) + 1, (sorted(seen), sorted(new))
        assert sorted(new) == list(range(min(new), min(new) + len(new)))
        seen.update(new)
        chosen = warned_policy.transfer_policies[0]
    body = json.loads(outbox(store)[-1][2])
    assert [c["transPolicyId"] for c in body["candPolicies"]] == sorted(new)
    with pytest.raises(InvalidSelection):  # an id of an earlier offer names nothing now
        service.update(policy.policy_id, PolicyPatch(selected_id=1))
