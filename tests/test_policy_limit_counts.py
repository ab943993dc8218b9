"""What the per-consumer limits read: a kept count of policies and the live holds.

Both limits are checked on every Create; they read one counter row and the live holds,
so their cost does not grow with the policies stored (``scripts/bench_decision.py``).
These tests use only the store's ports and run again on PostgreSQL
(``tests/test_postgres_store.py``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from pcf_server.policy.decision import Reservation
from pcf_server.policy.model import BdtPolicy
from pcf_server.policy.network import Rates
from pcf_server.service.ports import DuplicateRequest
from tests.test_storage import START, make_policy

BIG = 10**9
NEF_A = "nef-a"
NEF_B = "nef-b"


def _policy(policy_id: str, consumer: str) -> BdtPolicy:
    policy = make_policy(policy_id)
    policy.consumer = consumer
    return policy


def _add(store: Any, *policies: BdtPolicy) -> None:
    with store.unit_of_work() as uow:
        for policy in policies:
            uow.policies.add(policy, fingerprint=f"f-{policy.policy_id}")
        uow.commit()


def _counts(store: Any, at_most: int = BIG) -> tuple[int, int, int]:
    with store.unit_of_work(write=False) as uow:
        return tuple(uow.policies.count_of(c, at_most=at_most) for c in (NEF_A, NEF_B, ""))


def test_the_count_follows_creates_and_removals_per_consumer(store: Any) -> None:
    assert _counts(store) == (0, 0, 0)
    _add(store, _policy("a1", NEF_A), _policy("a2", NEF_A), _policy("b1", NEF_B))
    _add(store, _policy("a3", NEF_A))
    assert _counts(store) == (3, 1, 0)
    assert _counts(store, at_most=2) == (2, 1, 0)  # counted no further than asked
    with store.unit_of_work() as uow:
        uow.policies.remove("a2")
        uow.policies.remove("b1")
        uow.policies.remove("gone")  # no such policy: no count changes
        uow.commit()
    assert _counts(store) == (2, 0, 0)


def test_a_rolled_back_create_or_a_duplicate_is_not_counted(store: Any) -> None:
    _add(store, _policy("a1", NEF_A))
    with store.unit_of_work() as uow:
        uow.policies.add(_policy("a2", NEF_A))  # not committed
    with store.unit_of_work() as uow:
        duplicate = replace(_policy("a3", NEF_A), bdt_ref_id="ref-a3")
        with pytest.raises(DuplicateRequest):
            uow.policies.add(duplicate, fingerprint="f-a1")
        uow.policies.add(_policy("a4", NEF_A))
        uow.commit()
    assert _counts(store) == (2, 0, 0)


def test_purged_policies_leave_the_count(store: Any) -> None:
    ended = _policy("old", NEF_A)  # its window stops at START + 2 h
    _add(store, ended, _policy("b1", NEF_B))
    with store.unit_of_work() as uow:
        uow.capacity.purge(START - timedelta(hours=1), 900)  # not ended yet
        uow.commit()
    assert _counts(store) == (1, 1, 0)
    with store.unit_of_work() as uow:
        uow.capacity.purge(START + timedelta(hours=3), 900)
        uow.commit()
    assert _counts(store) == (0, 0, 0)
    _add(store, _policy("new", NEF_A))
    assert _counts(store) == (1, 0, 0)


def test_a_reset_store_counts_nothing(store: Any) -> None:
    _add(store, _policy("a1", NEF_A), _policy("a2", NEF_A))
    store.reset()
    assert _counts(store) == (0, 0, 0)
    _add(store, _policy("a1", NEF_A))
    assert _counts(store) == (1, 0, 0)


def _hold(store: Any, policy_id: str, until: float | None, transfer: int = 1) -> None:
    slot = int(START.timestamp() // 900)
    reservation = Reservation(transfer, ("area",), slot, slot + 2, Rates(1.0, 0.0))
    with store.unit_of_work() as uow:
        limits = {"area": [Rates(BIG, BIG)] * 2}
        assert uow.capacity.reserve(policy_id, reservation, limits, until)
        uow.commit()


def test_held_offers_count_live_holds_per_consumer_and_policy(store: Any) -> None:
    now = START.timestamp()
    _add(store, _policy("a1", NEF_A), _policy("a2", NEF_A), _policy("a3", NEF_A))
    _add(store, _policy("b1", NEF_B))
    _hold(store, "a1", now + 60)
    _hold(store, "a1", now + 60, transfer=2)  # two candidates, one policy
    _hold(store, "a2", now - 1)  # expired, not yet purged
    _hold(store, "a3", None)  # committed
    _hold(store, "b1", now + 60)
    with store.unit_of_work(write=False) as uow:
        assert uow.policies.held_offers_of(NEF_A, now, at_most=BIG) == 1
        assert uow.policies.held_offers_of(NEF_B, now, at_most=BIG) == 1
        assert uow.policies.held_offers_of("", now, at_most=BIG) == 0
        assert uow.policies.held_offers_of(NEF_A, now + 60, at_most=BIG) == 0
    _hold(store, "a2", now + 60)
    with store.unit_of_work(write=False) as uow:
        assert uow.policies.held_offers_of(NEF_A, now, at_most=BIG) == 2
        assert uow.policies.held_offers_of(NEF_A, now, at_most=1) == 1


def _live_holds(store: Any, consumer: str, now: float) -> int:
    """The definition, walking every hold: policies of ``consumer`` with a live hold."""
    with store.unit_of_work(write=False) as uow:
        row = uow.connection.execute(
            "SELECT count(DISTINCT r.policy_id) FROM reservation AS r"
            " JOIN bdt_policy AS p ON p.policy_id = r.policy_id"
            " WHERE r.state = 'held' AND r.expires_at > ? AND p.consumer = ?",
            (now, consumer),
        ).fetchone()
    return int(row[0])


def _held(store: Any, now: float) -> tuple[int, int]:
    """The kept counts of both consumers, checked against the definition."""
    with store.unit_of_work(write=False) as uow:
        counted = tuple(uow.policies.held_offers_of(c, now, at_most=BIG) for c in (NEF_A, NEF_B))
    assert counted == (_live_holds(store, NEF_A, now), _live_holds(store, NEF_B, now))
    return counted


def test_the_held_offer_count_follows_expiry_selection_and_deletion(store: Any) -> None:
    now = START.timestamp()  # a whole second: the count's seconds are exact here
    later = now + 120
    _add(store, *(_policy(f"a{n}", NEF_A) for n in range(1, 6)), _policy("b1", NEF_B))
    for policy_id, until in (("a1", now + 60), ("a2", now + 60), ("a3", later), ("b1", now + 60)):
        _hold(store, policy_id, until)
        _hold(store, policy_id, until, transfer=2)
    _hold(store, "a4", later)
    _hold(store, "a5", None)  # a single offer: committed, never held
    assert _held(store, now) == (4, 1)
    assert _held(store, now + 59) == (4, 1)
    assert _held(store, now + 60) == (2, 0)  # expired, not purged: counted no more
    assert _held(store, later) == (0, 0)
    with store.unit_of_work() as uow:  # rolled back: nothing changes
        uow.capacity.release("a1")
        uow.policies.remove("a3")
    assert _held(store, now) == (4, 1)

    with store.unit_of_work() as uow:  # the selection of a1's first candidate
        uow.capacity.release("a1", keep=1)
        assert uow.policies.held_offers_of(NEF_A, now, at_most=BIG) == 4  # still one held
        assert uow.capacity.commit_hold("a1", 1)
        uow.commit()
    assert _held(store, now) == (3, 1)
    with store.unit_of_work() as uow:  # a2's candidates all declined: withdrawn
        uow.capacity.release("a2")
        uow.policies.remove("a2")
        uow.commit()
    assert _held(store, now) == (2, 1)
    with store.unit_of_work() as uow:  # a3 deleted with its holds still in the ledger
        uow.policies.remove("a3")
        uow.commit()
    assert _held(store, now) == (1, 1)

    with store.unit_of_work() as uow:  # b1's hold expired and purged; a4's goes on
        uow.capacity.purge(START + timedelta(seconds=61), 900)
        uow.commit()
    assert _held(store, now + 61) == (1, 0)
    _hold(store, "a4", now + 300)  # held again, later (new candidates after a warning)
    assert _held(store, later) == (1, 0)
    assert _held(store, now + 300) == (0, 0)
    with store.unit_of_work() as uow:  # windows passed: policies and holds purged
        uow.capacity.purge(START + timedelta(hours=3), 900)
        uow.commit()
    assert _held(store, now) == (0, 0)
    with store.unit_of_work(write=False) as uow:
        left = uow.connection.execute(
            "SELECT (SELECT count(*) FROM held_offer), (SELECT count(*) FROM held_offer_count)"
        ).fetchone()
    assert tuple(left) == (0, 0)  # nothing left behind to read


def test_a_hold_counts_until_the_second_it_expires_in(store: Any) -> None:
    """The count is kept per whole second: a hold counts no more from its last second."""
    now = START.timestamp()
    _add(store, _policy("a1", NEF_A))
    _hold(store, "a1", now + 10.5)
    with store.unit_of_work(write=False) as uow:
        assert uow.policies.held_offers_of(NEF_A, now + 9.9, at_most=BIG) == 1
        assert uow.policies.held_offers_of(NEF_A, now + 10.0, at_most=BIG) == 0
