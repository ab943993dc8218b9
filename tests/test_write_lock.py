"""The writers' turn of a process (``nf_common.sqlite``), and what a Create does under it.

One writer of a process at a time has the turn; what runs under it caps the Creates of
all workers together. The decision and the lookup of an equivalent policy (303) need no
turn; the capacity guard and the retry keep the books. Writers that queue meanwhile
commit together.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest

import nf_common.sqlite as sqlite_module
from nf_common.ports import StoreBusy
from nf_common.sqlite import _writer
from pcf_server.policy.decision import Decision, LoadView
from pcf_server.policy.engine import LoadAwareDecider
from pcf_server.policy.model import BdtRequest
from pcf_server.service import BdtPolicyControl, EquivalentPolicyExists
from pcf_server.storage import SqliteStore
from pcf_server.storage.migrate import migrations
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


# -- between processes: the file lock beside the database ----------------------------------

_HOLDER = """
import sys
from pathlib import Path
from nf_common.ports import StoreBusy
from nf_common.sqlite import _writer
lock = _writer(Path(sys.argv[1])).lock
assert lock is not None and lock.acquire(30)
print("held", flush=True)
sys.stdin.readline()
lock.release()
print("released", flush=True)
sys.stdin.readline()
"""


class Holder:
    """Another process holding the writers' file lock of ``path`` until ``release``."""

    def __init__(self, path: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", _HOLDER, str(path)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self._said() == "held"

    def _said(self) -> str:
        assert self.process.stdout is not None
        return self.process.stdout.readline().strip()

    def release(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        assert self._said() == "released"

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(30)


def _until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 30
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.005)
    assert condition()


def _store_with_items(tmp_path: Path) -> SqliteStore:
    store = SqliteStore(tmp_path / "a.db")
    with store.unit_of_work() as uow:
        uow.connection.execute("CREATE TABLE item (n INTEGER)")
        uow.commit()
    return store


def test_a_writer_queues_behind_another_process_s_batch_and_goes_on_after_it(
    tmp_path: Path,
) -> None:
    store = _store_with_items(tmp_path)
    lock = _writer(store.path).lock
    assert lock is not None
    holder = Holder(store.path)
    try:
        done = threading.Event()

        def write() -> None:
            with store.unit_of_work() as uow:
                uow.connection.execute("INSERT INTO item VALUES (1)")
                uow.commit()
            done.set()

        thread = threading.Thread(target=write)
        thread.start()
        _until(lambda: lock._taking)  # waiting in the kernel for the other process
        assert not done.is_set()
        holder.release()
        thread.join(30)
        assert done.is_set()
    finally:
        holder.close()
    with closing(sqlite3.connect(store.path)) as db:
        assert db.execute("SELECT n FROM item").fetchall() == [(1,)]


def test_a_writer_that_gives_up_leaves_the_lock_to_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """StoreBusy after the busy timeout, as with SQLite's lock; nothing stays held."""
    store = _store_with_items(tmp_path)
    monkeypatch.setattr(sqlite_module, "BUSY_TIMEOUT_S", 0.2)
    holder = Holder(store.path)
    try:
        with pytest.raises(StoreBusy), store.unit_of_work() as uow:
            uow.connection.execute("INSERT INTO item VALUES (1)")
            uow.commit()
        holder.release()
    finally:
        holder.close()
    Holder(store.path).close()  # another process takes it: the waiter gone let it go
    with store.unit_of_work() as uow:
        uow.connection.execute("INSERT INTO item VALUES (2)")
        uow.commit()
    with closing(sqlite3.connect(store.path)) as db:
        assert db.execute("SELECT n FROM item").fetchall() == [(2,)]


def test_a_forked_child_does_not_hold_its_parent_s_lock(tmp_path: Path) -> None:
    store = _store_with_items(tmp_path)
    lock = _writer(store.path).lock
    assert lock is not None and lock.acquire(5)
    try:
        child = os.fork()
        if child == 0:  # pragma: no cover - the child's exit status is the result
            mine = _writer(store.path).lock
            os._exit(0 if mine is not None and mine is not lock and not mine.acquire(0.2) else 1)
        _, status = os.waitpid(child, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        lock.release()


def test_the_readiness_probe_queues_for_the_lock_and_gives_up_after_its_timeout(
    tmp_path: Path,
) -> None:
    store = _store_with_items(tmp_path)
    schema = migrations()[-1][0]
    lock = _writer(store.path).lock
    assert lock is not None and lock.acquire(5)  # this process's batch, under way
    answers: list[list[str]] = []
    probe = threading.Thread(target=lambda: answers.append(store.unready(schema)))
    probe.start()
    _until(lambda: lock._waiting == 1)
    lock.release()
    probe.join(30)
    assert answers == [[]]  # writable: it waited for the batch, not failed on it
    holder = Holder(store.path)
    try:
        started = time.monotonic()
        (reason,) = store.unready(schema)
        assert "not writable" in reason and "locked" in reason
        assert time.monotonic() - started < 10  # the probe's timeout, not the writers'
    finally:
        holder.close()


def test_no_descriptor_of_the_lock_file_is_kept_between_batches(tmp_path: Path) -> None:
    """A process keeps none per database it wrote to (a test run writes to thousands)."""
    store = _store_with_items(tmp_path)
    sidecar = store.path.with_name(store.path.name + "-writer")
    assert sidecar.exists()

    def open_on_it() -> list[str]:
        links = []
        for fd in os.listdir("/proc/self/fd"):
            try:
                links.append(os.readlink(f"/proc/self/fd/{fd}"))
            except FileNotFoundError:  # the listing's own descriptor, closed since
                continue
        return [link for link in links if link == str(sidecar)]

    lock = _writer(store.path).lock
    assert lock.acquire(5)
    assert open_on_it() == [str(sidecar)]
    lock.release()
    assert open_on_it() == []
