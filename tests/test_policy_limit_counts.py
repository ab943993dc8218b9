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
