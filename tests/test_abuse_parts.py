"""The parts behind issue 8's abuse bounds: degradations removed and purged, dead
notifications purged, large bodies checked off the event loop, silent connections shut.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sqlite3
import threading
from contextlib import closing
from datetime import datetime, timedelta
from typing import Any

import pytest

from nf_common import validation
from nf_common.validation import ProblemDetailsBodyValidator
from pcf_server.connections import SilentConnectionCloser
from pcf_server.policy.model import TimeWindow
from pcf_server.service import DegradationNotFound
from pcf_server.service.capacity import DEAD_NOTIFICATIONS_KEPT
from pcf_server.service.network_events import NetworkEvents
from tests.test_capacity import NIGHT
from tests.test_engine import hours


@pytest.fixture
def events(store, engine, clock) -> NetworkEvents:
    return NetworkEvents(store.unit_of_work, engine, engine, clock=clock)


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


def test_a_dead_notification_is_kept_a_week_for_the_operator(store, events, clock) -> None:
    written = clock.now
    with closing(sqlite3.connect(store.path)) as db, db:
        db.execute(
            "INSERT INTO outbox (policy_id, uri, body, next_attempt_at, created_at, state)"
            " VALUES ('p', 'http://nef.example/n', '{}', 0, ?, 'dead')",
            (written.timestamp(),),
        )

    def dead_rows_after_a_write_at(moment: datetime) -> int:
        clock.now = moment
        events.degrade("village", TimeWindow(moment, moment + hours(1)), 0.9)
        with closing(sqlite3.connect(store.path)) as db:
            return int(db.execute("SELECT count(*) FROM outbox").fetchone()[0])

    assert dead_rows_after_a_write_at(written + DEAD_NOTIFICATIONS_KEPT - timedelta(seconds=1)) == 1
    assert dead_rows_after_a_write_at(written + DEAD_NOTIFICATIONS_KEPT + timedelta(seconds=1)) == 0
    assert timedelta(days=7) == DEAD_NOTIFICATIONS_KEPT  # what the README promises


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
