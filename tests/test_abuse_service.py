"""Issue 8's abuse bounds inside the PCF: costs that must not grow with what is stored,
transactions that must not multiply with what a request carries.

Costs are counted, not timed: SQLite's virtual machine steps (a progress handler) are the
same on any machine and any day.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from nf_common import sqlite as sqlite_module
from pcf_server.policy.degradation import NetworkPerformance
from pcf_server.policy.model import TimeWindow
from pcf_server.service import BdtPolicyControl
from pcf_server.service.network_events import NetworkEvents
from pcf_server.storage import SqliteStore
from pcf_server.wire.bdt import create_command
from tests.test_capacity import NIGHT, night_request
from tests.test_engine import hours


@pytest.fixture
def events(store, engine, clock) -> NetworkEvents:
    return NetworkEvents(store.unit_of_work, engine, engine, clock=clock)


@contextmanager
def vm_steps(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Count SQLite virtual machine steps (in hundreds) of every connection opened."""
    counted = [0]
    connect = sqlite_module.connect

    def counting(path: Path) -> sqlite3.Connection:
        connection = connect(path)

        def step() -> int:
            counted[0] += 1
            return 0

        connection.set_progress_handler(step, 100)
        return connection

    with monkeypatch.context() as patch:
        patch.setattr(sqlite_module, "connect", counting)
        yield counted


def degrade_slots(store: SqliteStore, engine, count: int) -> None:
    """``count`` one-slot degradations spread over the night the requests want."""
    first = engine.network.slot_of(NIGHT[0])
    slots = engine.network.slot_after(NIGHT[1]) - first
    with store.unit_of_work() as uow:
        for index in range(count):
            slot = first + index % slots
            uow.capacity.add_degradation("town", slot, slot + 1, 0.5 + (index % 40) / 100)
        uow.commit()


def test_twelve_thousand_degradations_do_not_make_a_create_dearer(
    tmp_path: Path, engine, clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """12k stored degradations once made every Create 15 times slower."""
    costs = []
    for count in (1, 12_000):
        degrade_slots(SqliteStore(tmp_path / f"{count}.db"), engine, count)
        # A store with no connection open yet: the counter sees every one the create uses.
        store = SqliteStore(tmp_path / f"{count}.db")
        service = BdtPolicyControl(store.unit_of_work, engine, planner=engine, clock=clock)
        with vm_steps(monkeypatch) as steps:
            service.create(create_command(night_request(f"asp-{count}", 50)))
        costs.append(steps[0])
    few, many = costs
    assert few > 0, costs
    assert many <= 1.2 * few + 20, costs


def test_an_nwdaf_notification_is_one_transaction(store, engine, clock) -> None:
    """A body of many reports once took the write lock report by report, for 12-20 s."""
    opened: list[bool] = []

    def unit_of_work(*, write: bool = True) -> Any:
        opened.append(write)
        return store.unit_of_work(write=write)

    events = NetworkEvents(unit_of_work, engine, engine, clock=clock)
    nowhere = frozenset({"no-such-cell"})  # identifiers of no area: nothing to degrade
    reports = [
        NetworkPerformance(
            area, TimeWindow(NIGHT[0] + hours(i % 5), NIGHT[1]), "GNB_ACTIVE_RATIO", 50
        )
        for i in range(100)
        for area in (_keys(engine, "town"), _keys(engine, "village"), nowhere)
    ]
    outcome = events.network_performance(reports)
    assert opened == [True]
    assert len(outcome.ids) == 10  # 5 periods x 2 known areas; repeats count once


def _keys(engine, area_id: str) -> frozenset[str]:
    return engine.network.areas[area_id].identifiers
