"""The writers' turn of a process (``nf_common.sqlite``), and what a Create does under it.

One writer of a process at a time has the turn; what runs under it caps the Creates of
all workers together. The decision and the lookup of an equivalent policy (303) need no
turn; the capacity guard and the retry keep the books. Writers that queue meanwhile
commit together.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest

import nf_common.sqlite as sqlite_module
from nf_common.sqlite import _writer
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
        self._lock = _writer(store.path).turn
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
    lock = _writer(store.path).turn
    assert lock.acquire(timeout=5)  # as another writer of this process would hold it
    try:
        with pytest.raises(EquivalentPolicyExists) as found:
            service.create(create_command(night_request("asp-a", 100)))
    finally:
        lock.release()
    assert found.value.policy_id == created.policy_id


def test_writers_that_queue_meanwhile_commit_in_one_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Group commit: one fsync for the writers that queued; one that fails costs no other."""
    commits: list[str] = []
    connect = sqlite_module.connect

    def tracing(path: Path) -> sqlite3.Connection:
        connection = connect(path)
        connection.set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT" else None)
        return connection

    monkeypatch.setattr(sqlite_module, "connect", tracing)
    store = SqliteStore(tmp_path / "a.db")
    with store.unit_of_work() as uow:
        uow.connection.execute("CREATE TABLE item (n INTEGER)")
        uow.commit()
    commits.clear()
    holding, go_on = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def write(n: int) -> None:
        try:
            with store.unit_of_work() as uow:
                uow.connection.execute("INSERT INTO item VALUES (?)", (n,))
                if n == 0:  # holds the turn until the others queue behind it
                    holding.set()
                    go_on.wait(30)
                if n == 3:
                    raise ValueError("this one fails")
                uow.commit()
        except ValueError:
            pass
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    threads[0].start()
    assert holding.wait(30)
    for thread in threads[1:]:
        thread.start()
    writer = _writer(store.path)
    deadline = time.monotonic() + 30
    while writer.waiting < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert writer.waiting == 5
    go_on.set()
    for thread in threads:
        thread.join(30)
    assert failures == []
    assert commits == ["COMMIT"]
    with closing(sqlite3.connect(store.path)) as db:
        assert sorted(n for (n,) in db.execute("SELECT n FROM item")) == [0, 1, 2, 4, 5]
