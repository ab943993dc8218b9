"""Issue 8's abuse bounds inside the PCF: costs that must not grow, transactions that must
not multiply, work that must leave the event loop, rows that must not pile up.

Costs are counted, not timed: SQLite's virtual machine steps (a progress handler) are the
same on any machine and any day.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from pcf_server.api import validation
from pcf_server.api.validation import ProblemDetailsBodyValidator
from pcf_server.connections import SilentConnectionCloser
from pcf_server.policy.degradation import NetworkPerformance
from pcf_server.policy.model import TimeWindow
from pcf_server.service import BdtPolicyControl, DegradationNotFound
from pcf_server.service.network_events import NetworkEvents
from pcf_server.storage import SqliteStore
from pcf_server.storage import sqlite as sqlite_module
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
    connect = sqlite_module._connect

    def counting(path: Path) -> sqlite3.Connection:
        connection = connect(path)

        def step() -> int:
            counted[0] += 1
            return 0

        connection.set_progress_handler(step, 100)
        return connection

    with monkeypatch.context() as patch:
        patch.setattr(sqlite_module, "_connect", counting)
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
        store = SqliteStore(tmp_path / f"{count}.db")
        degrade_slots(store, engine, count)
        service = BdtPolicyControl(store.unit_of_work, engine, planner=engine, clock=clock)
        with vm_steps(monkeypatch) as steps:
            service.create(create_command(night_request(f"asp-{count}", 50)))
        costs.append(steps[0])
    few, many = costs
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


def test_removing_a_degradation_gives_back_what_the_others_leave(store, engine, events) -> None:
    night = TimeWindow(*NIGHT)
    deep = events.degrade("town", night, 0.2).ids[0]
    events.degrade("town", TimeWindow(NIGHT[0], NIGHT[0] + hours(2)), 0.6)
    first = engine.network.slot_of(NIGHT[0])
    with store.unit_of_work(write=False) as uow:
        assert set(uow.capacity.degradation("town", first, first + 24).values()) == {0.2}
    removed = events.remove_degradation(deep)
    assert (removed.area_id, removed.factor, removed.window) == ("town", 0.2, night)
    with store.unit_of_work(write=False) as uow:
        factors = uow.capacity.degradation("town", first, first + 24)
    assert factors == {slot: 0.6 for slot in range(first, first + 8)}
    assert [d.factor for d in events.degradations()] == [0.6]
    with pytest.raises(DegradationNotFound):
        events.remove_degradation(deep)


def test_passed_degradations_and_dead_notifications_are_purged(
    store, engine, events, clock
) -> None:
    events.degrade("town", TimeWindow(*NIGHT), 0.5)
    with closing(sqlite3.connect(store.path)) as db, db:
        db.execute(
            "INSERT INTO outbox (policy_id, uri, body, next_attempt_at, created_at, state)"
            " VALUES ('p', 'http://nef.example/n', '{}', 0, ?, 'dead')",
            (clock.now.timestamp(),),
        )
    clock.now = NIGHT[1] + timedelta(days=8)
    events.degrade("village", TimeWindow(clock.now, clock.now + hours(1)), 0.5)  # a write
    assert [d.area_id for d in events.degradations()] == ["village"]
    with closing(sqlite3.connect(store.path)) as db:
        assert db.execute("SELECT count(*) FROM outbox").fetchone() == (0,)
        rows = db.execute("SELECT DISTINCT area_id FROM degraded_slot").fetchall()
        assert rows == [("village",)]


def test_large_bodies_are_read_and_checked_off_the_event_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    threads: list[int] = []
    parse = validation.parse_json

    def recording(raw: bytes) -> Any:
        threads.append(threading.get_ident())
        return parse(raw)

    monkeypatch.setattr(validation, "parse_json", recording)
    schema = {"type": "object", "properties": {"a": {"type": "string"}}}

    async def validate(body: bytes) -> int:
        validator = ProblemDetailsBodyValidator(
            schema=schema, required=True, encoding="utf-8", strict_validation=False
        )
        scope = {"type": "http", "headers": [(b"content-length", str(len(body)).encode())]}

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        await validator.wrap_receive(receive, scope=scope)
        return threading.get_ident()

    loop_thread = asyncio.run(validate(b'{"a": "small"}'))
    assert threads == [loop_thread]
    big = json.dumps({"a": "x", "b": [{"k": "x" * 90} for _ in range(900)]}).encode()
    assert len(big) > validation.OFF_LOOP_BYTES
    loop_thread = asyncio.run(validate(big))
    assert threads[-1] != loop_thread


def test_silent_connections_accepted_here_are_shut_down() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        silent = socket.create_connection(("127.0.0.1", port))
        talking = socket.create_connection(("127.0.0.1", port))
        talking.sendall(b"GET /npcf-bdtpolicycontrol/v1/x HTTP/1.1\r\n")
        accepted = [listener.accept()[0] for _ in range(2)]
        try:
            closer = SilentConnectionCloser(timeout=0)
            if not closer.supported():
                pytest.skip("needs Linux (TCP_INFO, /proc/self/fd)")
            assert closer.sweep() == 1  # not our own client sockets, nor the talking one
            silent.settimeout(5)
            assert silent.recv(10) == b""  # the server side shut it down
            talking.setblocking(False)
            with pytest.raises(BlockingIOError):
                talking.recv(10)  # still open
            assert SilentConnectionCloser(timeout=3600).sweep() == 0
        finally:
            for sock in (silent, talking, *accepted):
                sock.close()
