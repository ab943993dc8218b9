"""Reservations through the service and the SQLite store: holds, commits, purges."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from pcf_server.policy.engine import LoadAwareDecider
from pcf_server.policy.model import TimeWindow
from pcf_server.service import NoCapacity, PolicyNotFound, PolicyPatch
from pcf_server.storage import SqliteStore
from pcf_server.wire.bdt import create_command
from tests.test_engine import DAY, MBPS, bytes_for, hours, request

NIGHT = (DAY, DAY + hours(6))


def night_request(asp: str, rate_mbps: float) -> dict:
    return {
        **request(*NIGHT, 1, downlinkVolume=bytes_for(rate_mbps * MBPS, hours(6))),
        "aspId": asp,
    }


def reservations(store: SqliteStore) -> list[tuple]:
    db = sqlite3.connect(store.path)
    return db.execute(
        "SELECT policy_id, trans_policy_id, state FROM reservation ORDER BY 1, 2"
    ).fetchall()


def assert_within_limits(store: SqliteStore, engine: LoadAwareDecider) -> None:
    """The invariant: per area and slot, reservations never exceed the BDT limit, and the
    aggregate row equals the sum of the reservations it stands for."""
    db = sqlite3.connect(store.path)
    rows = db.execute("SELECT area_id, slot, reserved_dl, reserved_ul FROM slot_load").fetchall()
    with store.unit_of_work(write=False) as uow:
        for area, slot, dl, ul in rows:
            limit = engine.limits(area, slot, slot + 1, uow.capacity)[0]
            assert dl <= limit.downlink + 1 and ul <= limit.uplink + 1, (area, slot)
            sums = db.execute(
                "SELECT coalesce(sum(rate_dl), 0), coalesce(sum(rate_ul), 0) FROM reservation"
                " WHERE area_id = ? AND first_slot <= ? AND stop_slot > ?",
                (area, slot, slot),
            ).fetchone()
            assert dl == pytest.approx(sums[0], abs=1) and ul == pytest.approx(sums[1], abs=1)


def test_two_asps_asking_for_the_same_quiet_night(service, store, engine) -> None:
    first = service.create(create_command(night_request("asp-a", 200)))  # full night + both halves
    assert first.transfer_policies[0].window == TimeWindow(*NIGHT)
    second = service.create(create_command(night_request("asp-b", 200)))
    # The night's 600 Mbps are held by the first ASP's candidates: the second is offered
    # other windows, none of them tonight.
    assert {tp.window for tp in second.transfer_policies}.isdisjoint(
        {tp.window for tp in first.transfer_policies}
    )
    assert all(tp.window.start >= NIGHT[1] for tp in second.transfer_policies)
    assert_within_limits(store, engine)


def test_selection_commits_and_frees_the_other_candidates(service, store, engine) -> None:
    first = service.create(create_command(night_request("asp-a", 200)))
    assert len(first.transfer_policies) == 3
    assert {r[2] for r in reservations(store)} == {"held"}
    service.update(first.policy_id, PolicyPatch(selected_id=1))  # the whole night, 200 Mbps
    assert reservations(store) == [(first.policy_id, 1, "committed")]
    # 400 Mbps are left tonight: a second ASP now gets the night, thinner than before.
    second = service.create(create_command(night_request("asp-b", 200)))
    assert second.transfer_policies[0].window.start == NIGHT[0]
    assert_within_limits(store, engine)


def test_a_single_offer_is_committed_at_once(service, store) -> None:
    policy = service.create(
        create_command(night_request("asp-a", 400))
    )  # halves would need 800 Mbps
    assert len(policy.transfer_policies) == 1 and policy.selected is not None
    assert reservations(store) == [(policy.policy_id, 1, "committed")]


def test_holds_expire_and_selection_rechecks(service, store, clock, engine) -> None:
    first = service.create(create_command(night_request("asp-a", 200)))
    clock.now += engine.network.hold + timedelta(seconds=1)
    # The holds have lapsed: a second ASP can take the whole night.
    second = service.create(create_command(night_request("asp-b", 500)))
    assert second.transfer_policies[0].window.start == NIGHT[0]
    assert [r for r in reservations(store) if r[0] == first.policy_id] == []
    # The first ASP selects late: its window no longer fits, and it is told so.
    with pytest.raises(NoCapacity):
        service.update(first.policy_id, PolicyPatch(selected_id=1))
    assert_within_limits(store, engine)


def test_late_selection_that_still_fits_is_reserved_again(service, store, clock, engine) -> None:
    first = service.create(create_command(night_request("asp-a", 100)))
    clock.now += engine.network.hold + timedelta(seconds=1)
    service.update(first.policy_id, PolicyPatch(selected_id=2))
    assert reservations(store) == [(first.policy_id, 2, "committed")]


def test_refusing_every_candidate_removes_the_policy(service, store) -> None:
    # selTransPolicyId 0 means "none acceptable" only with BdtNotification_5G.
    document = {**night_request("asp-a", 200), "suppFeat": "1", "notifUri": "http://nef/n"}
    policy = service.create(create_command(document))
    assert service.update(policy.policy_id, PolicyPatch(selected_id=0)) is None
    assert reservations(store) == []
    with pytest.raises(PolicyNotFound):
        service.get(policy.policy_id)


def test_passed_policies_are_purged_and_their_capacity_freed(service, store, clock) -> None:
    policy = service.create(create_command(night_request("asp-a", 400)))
    clock.now = NIGHT[1] + timedelta(hours=30)
    service.create(
        create_command(request(clock.now + hours(1), clock.now + hours(2), 1, downlinkVolume=1))
    )
    with pytest.raises(PolicyNotFound):
        service.get(policy.policy_id)
    db = sqlite3.connect(store.path)
    assert db.execute(
        "SELECT count(*) FROM reservation WHERE policy_id = ?", (policy.policy_id,)
    ).fetchone() == (0,)
    current = int(clock.now.timestamp() // 900)
    assert db.execute("SELECT count(*) FROM slot_load WHERE slot < ?", (current,)).fetchone() == (
        0,
    )


def test_rejection_when_nothing_fits(service) -> None:
    with pytest.raises(NoCapacity, match="headroom"):
        service.create(create_command(night_request("asp-a", 5000)))


def test_guard_refuses_what_exceeds_the_limit(store, engine) -> None:
    """The store, not only the engine, enforces the limit (for instances sharing a DB)."""
    from pcf_server.policy.decision import Reservation
    from pcf_server.policy.network import Rates

    net = engine.network
    first, stop = net.slot_of(NIGHT[0]), net.slot_of(NIGHT[1])
    too_much = Reservation(1, ("town",), first, stop, Rates(601 * MBPS, 0))
    fits = Reservation(1, ("town",), first, stop, Rates(600 * MBPS, 0))
    with store.unit_of_work() as uow:
        limits = {"town": engine.limits("town", first, stop, uow.capacity)}
        assert not uow.capacity.reserve("p", too_much, limits, held_until=None)
        assert all(
            r == Rates(0.0, 0.0) for r in uow.capacity.reserved("town", first, stop).values()
        )
        assert uow.capacity.reservations_of("p") == []
        assert uow.capacity.reserve("p", fits, limits, held_until=None)
        one_more = Reservation(1, ("town",), first, first + 1, Rates(1 * MBPS, 0))
        one_limit = {"town": limits["town"][:1]}
        assert not uow.capacity.reserve("q", one_more, one_limit, held_until=None)
        assert uow.capacity.reservations_of("q") == []
