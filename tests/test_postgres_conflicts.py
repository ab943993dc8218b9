"""Serialisation failures and deadlocks on PostgreSQL: run again, never a 500.

The failures are PostgreSQL's own: a real deadlock between two transactions, and
errors raised by the server with the SQLSTATEs it uses for them (40001, 40P01) in the
middle of a use case's unit of work.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any, Self

import httpx
import pytest

from nf_common.ports import TransactionConflict
from pcf_server.api.app import create_sbi_app
from pcf_server.service import BdtPolicyControl, PolicyPatch
from pcf_server.service.network_events import NetworkEvents
from pcf_server.settings import BASE_PATH, Settings
from pcf_server.wire.bdt import create_command
from tests import postgres
from tests.test_capacity import night_request

SERIALIZATION_FAILURE, DEADLOCK_DETECTED = "40001", "40P01"


@pytest.fixture(scope="module")
def _database() -> Iterator[Any]:
    with postgres.store() as opened:
        yield opened


@pytest.fixture
def store(_database: Any) -> Any:
    _database.reset()
    return _database


class _Aborted:
    """A unit of work whose transaction the server aborts once the use case has read."""

    def __init__(self, inner: Any, sqlstate: str) -> None:
        self._inner = inner
        self._sqlstate = sqlstate

    def __enter__(self) -> Self:
        self._inner.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._inner.__exit__(*exc_info)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    @property
    def capacity(self) -> Any:
        self._inner.connection.execute(
            "DO $$ BEGIN RAISE EXCEPTION 'aborted by the test'"
            f" USING ERRCODE = '{self._sqlstate}'; END $$"
        )
        raise AssertionError("the server did not abort the transaction")


class Aborting:
    """A unit-of-work factory whose next ``times`` write units of work are aborted."""

    def __init__(self, store: Any, sqlstate: str, times: int) -> None:
        self._store = store
        self._sqlstate = sqlstate
        self.left = times

    def __call__(self, *, write: bool = True) -> Any:
        inner = self._store.unit_of_work(write=write)
        if write and self.left > 0:
            self.left -= 1
            return _Aborted(inner, self._sqlstate)
        return inner


def _count(store: Any) -> int:
    with store.unit_of_work(write=False) as uow:
        return int(uow.connection.execute("SELECT count(*) FROM bdt_policy").fetchone()[0])


@pytest.mark.parametrize("sqlstate", [SERIALIZATION_FAILURE, DEADLOCK_DETECTED])
def test_a_create_is_run_again_after_the_server_aborts_its_transaction(
    store: Any, engine: Any, clock: Any, sqlstate: str
) -> None:
    aborting = Aborting(store, sqlstate, 1)
    service = BdtPolicyControl(aborting, engine, planner=engine, clock=clock)
    policy = service.create(create_command(night_request("asp-a", 100)))
    assert aborting.left == 0
    assert service.get(policy.policy_id) == policy
    assert _count(store) == 1


def test_an_update_is_run_again_after_a_deadlock(store: Any, engine: Any, clock: Any) -> None:
    plain = BdtPolicyControl(store.unit_of_work, engine, planner=engine, clock=clock)
    policy = plain.create(create_command(night_request("asp-a", 100)))
    aborting = Aborting(store, DEADLOCK_DETECTED, 1)
    service = BdtPolicyControl(aborting, engine, planner=engine, clock=clock)
    updated = service.update(policy.policy_id, PolicyPatch(selected_id=1))
    assert aborting.left == 0
    assert updated is not None and updated.selected_id == 1


def test_a_create_aborted_every_time_is_503_with_retry_after_not_500(
    store: Any, engine: Any, clock: Any
) -> None:
    service = BdtPolicyControl(
        Aborting(store, SERIALIZATION_FAILURE, 1_000), engine, planner=engine, clock=clock
    )
    events = NetworkEvents(store.unit_of_work, engine, engine, clock=clock)
    app = create_sbi_app(service, events, Settings())

    async def create() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://pcf") as client:
            return await client.post(f"{BASE_PATH}/bdtpolicies", json=night_request("asp-b", 100))

    response = asyncio.run(create())
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "1"
    assert response.json()["cause"] == "NF_CONGESTION"
    assert _count(store) == 0


def test_a_real_deadlock_is_a_transaction_conflict_for_one_and_a_commit_for_the_other(
    store: Any,
) -> None:
    with store.unit_of_work() as uow:
        for n in (1, 2):
            uow.connection.execute(
                "INSERT INTO outbox (id, policy_id, uri, body, next_attempt_at, created_at)"
                " VALUES (?, 'p', 'http://nef', '{}', 0, 0)",
                (n,),
            )
        uow.commit()
    both_hold_one = threading.Barrier(2)
    outcomes: dict[int, str] = {}

    def lock_in_turn(first: int, second: int) -> None:
        try:
            # The sender's units of work take no write lock: only row locks order them.
            with store.queue_unit_of_work() as uow:
                bump = "UPDATE outbox SET attempts = attempts + 1 WHERE id = ?"
                uow.connection.execute(bump, (first,))
                both_hold_one.wait(timeout=10)
                uow.connection.execute(bump, (second,))
                uow.commit()
            outcomes[first] = "committed"
        except TransactionConflict:
            outcomes[first] = "conflict"

    threads = [threading.Thread(target=lock_in_turn, args=pair) for pair in ((1, 2), (2, 1))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["committed", "conflict"]
