"""Reservations under pressure: a refused guard, a hold that lapsed, a race on a request.

The service decides on what the store shows and then reserves through a guarded UPDATE
(``storage/ledger.py``). Another PCF instance sharing the database may take the
capacity in between; these tests stand in for it with a decider that reads a stale view,
and check the invariant operators rely on: a policy is never stored without the
reservations of what it offers, and never over the limit.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from typing import Any

import pytest

from pcf_server.policy.decision import Decision, LoadView
from pcf_server.policy.engine import LoadAwareDecider
from pcf_server.policy.model import BdtRequest
from pcf_server.policy.network import Rates
from pcf_server.service import (
    BdtPolicyControl,
    Contention,
    EquivalentPolicyExists,
    NoCapacity,
    PolicyPatch,
)
from pcf_server.service.conflicts import ReservationConflict
from pcf_server.service.network_events import NetworkEvents
from pcf_server.service.ports import DuplicateRequest
from pcf_server.storage import SqliteStore
from tests.bdt_config import VILLAGE_TAI
from tests.service_calls import create
from tests.test_capacity import NIGHT, assert_within_limits, night_request, reservations
from tests.test_engine import MBPS, FakeLoad, bytes_for, hours, request


class StaleDecider:
    """Decides on an empty network for its first ``stale`` calls, as an instance that read
    the store before another one committed; then on the real view."""

    def __init__(self, engine: LoadAwareDecider, stale: int) -> None:
        self._engine = engine
        self.stale = stale
        self.calls = 0

    def decide(self, request: BdtRequest, load: LoadView, now: datetime) -> Decision:
        self.calls += 1
        view = FakeLoad() if self.calls <= self.stale else load
        return self._engine.decide(request, view, now)


def policies(store: SqliteStore) -> list[str]:
    db = sqlite3.connect(store.path)
    return [row[0] for row in db.execute("SELECT policy_id FROM bdt_policy ORDER BY 1")]


def stale_service(store, engine, clock, stale: int) -> tuple[BdtPolicyControl, StaleDecider]:
    decider = StaleDecider(engine, stale)
    return BdtPolicyControl(store.unit_of_work, decider, planner=engine, clock=clock), decider


def test_a_refused_guard_decides_again_and_stores_the_policy_with_its_reservations(
    service, store, engine, clock
) -> None:
    first = create(service, night_request("asp-a", 400))  # the night, committed
    other, decider = stale_service(store, engine, clock, stale=1)
    second = create(other, night_request("asp-b", 400))  # planned on a stale, empty night
    assert decider.calls == 2  # the guard refused the first plan
    assert all(tp.window.start >= NIGHT[1] for tp in second.transfer_policies)
    held = [r for r in reservations(store) if r[0] == second.policy_id]
    assert [r[1] for r in held] == [tp.transfer_policy_id for tp in second.transfer_policies]
    assert policies(store) == sorted([first.policy_id, second.policy_id])
    assert_within_limits(store, engine)


def test_a_guard_that_keeps_refusing_leaves_nothing_behind(service, store, engine, clock) -> None:
    first = create(service, night_request("asp-a", 400))
    before = reservations(store)
    other, decider = stale_service(store, engine, clock, stale=10)
    with pytest.raises(Contention) as caught:  # 503 NF_CONGESTION, not 500
        create(other, night_request("asp-b", 400))
    assert isinstance(caught.value.__cause__, ReservationConflict)
    assert decider.calls == 3  # three plans, three refusals
    assert policies(store) == [first.policy_id]  # no policy without its reservation
    assert reservations(store) == before
    assert_within_limits(store, engine)


def test_a_candidate_selected_while_held_is_committed_as_promised(
    service, store, engine, clock
) -> None:
    """The operator lowers the capacity after the offer: the hold was the promise."""
    policy = create(service, night_request("asp-a", 200))
    assert len(policy.transfer_policies) == 3
    events = NetworkEvents(store.unit_of_work, engine, engine, clock=clock)
    events.set_capacity("town", Rates(400 * MBPS, 100 * MBPS))  # 0.6 x 400: 240 Mbps
    clock.now += engine.network.hold - timedelta(seconds=1)
    second_half = policy.transfer_policies[2].transfer_policy_id  # 400 Mbps, 03-06
    chosen = service.update(policy.policy_id, PolicyPatch(selected_id=second_half))
    assert chosen is not None and chosen.selected_id == second_half
    assert reservations(store) == [(policy.policy_id, second_half, "committed")]


def test_a_late_selection_that_no_longer_fits_says_why(service, store, engine, clock) -> None:
    policy = create(service, night_request("asp-a", 200))
    clock.now += engine.network.hold + timedelta(seconds=1)
    create(service, night_request("asp-b", 500))  # takes the night meanwhile
    with pytest.raises(NoCapacity) as caught:
        service.update(policy.policy_id, PolicyPatch(selected_id=1))
    assert caught.value.reason == (
        "the hold on transfer policy 1 expired and its window no longer has the headroom;"
        " create the policy again for new offers"
    )


def ledger_rows(store: SqliteStore, policy_id: str) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(store.path)
    return db.execute(
        "SELECT trans_policy_id, area_id, rate_dl, rate_ul, state FROM reservation"
        " WHERE policy_id = ?",
        (policy_id,),
    ).fetchall()


def test_a_late_selection_is_reserved_again_where_and_as_it_was_offered(
    service, store, engine, clock
) -> None:
    """An upload in the village whose holds lapsed: reserved again in the village, with
    its uplink rate and nothing down."""
    doc = request(*NIGHT, 1, uplinkVolume=bytes_for(1 * MBPS, hours(6)))
    doc["nwAreaInfo"] = {"tais": [VILLAGE_TAI]}
    policy = create(service, doc)
    assert len(policy.transfer_policies) > 1
    offered = {row[0]: row for row in ledger_rows(store, policy.policy_id)}
    assert {row[1] for row in offered.values()} == {"village"}
    clock.now += engine.network.hold + timedelta(seconds=1)
    chosen = policy.transfer_policies[1]
    service.update(policy.policy_id, PolicyPatch(selected_id=chosen.transfer_policy_id))
    ((tp, area, rate_dl, rate_ul, state),) = ledger_rows(store, policy.policy_id)
    assert (tp, area, state) == (chosen.transfer_policy_id, "village", "committed")
    assert rate_dl == 0.0
    assert rate_ul == pytest.approx(chosen.max_bitrate_ul)


class RacingUnitOfWork:
    """The unit of work of an instance whose check for an equivalent policy ran before
    another instance committed one: the check finds nothing, the UNIQUE column does."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __enter__(self) -> Any:
        self._inner.__enter__()
        repository = self._inner.policies
        real = repository.find_by_fingerprint
        checks: list[str] = []

        def find_by_fingerprint(key: str, *, consumer: str) -> str | None:
            checks.append(key)
            # the first look is too early
            return None if len(checks) == 1 else real(key, consumer=consumer)

        repository.find_by_fingerprint = find_by_fingerprint
        return self

    def __exit__(self, *exc: Any) -> None:
        self._inner.__exit__(*exc)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def test_a_race_on_the_same_request_ends_in_303_naming_the_stored_policy(
    service, store, engine, clock
) -> None:
    first = create(service, night_request("asp-a", 100))

    def racing_uow(*, write: bool = True) -> Any:
        return RacingUnitOfWork(store.unit_of_work(write=write))

    racing = BdtPolicyControl(racing_uow, engine, planner=engine, clock=clock)
    with pytest.raises(EquivalentPolicyExists) as caught:
        create(racing, night_request("asp-a", 100))
    assert caught.value.policy_id == first.policy_id
    assert isinstance(caught.value.__cause__, DuplicateRequest)  # the UNIQUE column's word
    assert policies(store) == [first.policy_id]
    assert [r[0] for r in reservations(store)] == [first.policy_id] * 3


def test_a_late_download_is_reserved_again_without_uplink(service, store, engine, clock) -> None:
    policy = create(service, night_request("asp-a", 100))
    assert len(policy.transfer_policies) > 1
    clock.now += engine.network.hold + timedelta(seconds=1)
    chosen = policy.transfer_policies[0]
    service.update(policy.policy_id, PolicyPatch(selected_id=chosen.transfer_policy_id))
    ((_, area, rate_dl, rate_ul, state),) = ledger_rows(store, policy.policy_id)
    assert (area, state, rate_ul) == ("town", "committed", 0.0)
    assert rate_dl == pytest.approx(chosen.max_bitrate_dl)
    assert_within_limits(store, engine)
