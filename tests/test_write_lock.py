"""What a Create does while it holds the process's write lock, and what it does without.

The write lock (``nf_common.sqlite``) lets one writer of a process at a time; what runs
under it caps the Creates of all workers together. The decision and the lookup of an
equivalent policy (303) need no lock; the capacity guard and the retry keep the books.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from nf_common.sqlite import _writer_lock
from pcf_server.policy.decision import Decision, LoadView
from pcf_server.policy.engine import LoadAwareDecider
from pcf_server.policy.model import BdtRequest
from pcf_server.service import BdtPolicyControl, EquivalentPolicyExists
from pcf_server.storage import SqliteStore
from pcf_server.wire.bdt import create_command
from tests.test_capacity import night_request


class WatchingDecider:
    """The engine, noting whether the write lock was held when it was asked."""

    def __init__(self, engine: LoadAwareDecider, store: SqliteStore) -> None:
        self._engine = engine
        self._lock = _writer_lock(store.path)
        self.locked: list[bool] = []

    def decide(self, request: BdtRequest, load: LoadView, now: datetime) -> Decision:
        self.locked.append(self._lock.locked())
        return self._engine.decide(request, load, now)


def test_a_create_decides_without_the_write_lock(store, engine, clock) -> None:
    decider = WatchingDecider(engine, store)
    service = BdtPolicyControl(store.unit_of_work, decider, planner=engine, clock=clock)
    service.create(create_command(night_request("asp-a", 100)))
    assert decider.locked == [False]


def test_an_equivalent_create_is_answered_without_the_write_lock(service, store) -> None:
    created = service.create(create_command(night_request("asp-a", 100)))
    lock = _writer_lock(store.path)
    assert lock.acquire(timeout=5)  # as another writer of this process would hold it
    try:
        with pytest.raises(EquivalentPolicyExists) as found:
            service.create(create_command(night_request("asp-a", 100)))
    finally:
        lock.release()
    assert found.value.policy_id == created.policy_id
