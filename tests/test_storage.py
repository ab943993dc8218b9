from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from pcf_server.policy.model import BdtPolicy, TimeWindow, TransferPolicy
from pcf_server.service.ports import ConcurrentUpdate, DuplicateRequest
from pcf_server.storage import SqliteStore
from pcf_server.storage.migrate import migrations
from pcf_server.wire import request_from_document
from tests.dates import future_day, window

START = future_day() + timedelta(hours=1)
REQUEST = {
    "aspId": "asp",
    "desTimeInt": window(START, START + timedelta(hours=2)),
    "numOfUes": 1,
    "volPerUe": {"totalVolume": 100},
}


def make_policy(policy_id: str = "p1") -> BdtPolicy:
    start = START
    return BdtPolicy(
        policy_id=policy_id,
        bdt_ref_id=f"ref-{policy_id}",
        request=request_from_document(REQUEST),
        request_document=REQUEST,
        transfer_policies=(
            TransferPolicy(1, TimeWindow(start, start + timedelta(hours=1)), 1),
            TransferPolicy(2, TimeWindow(start, start + timedelta(hours=2)), 1),
        ),
    )


def database_at(path: Path, version: int) -> sqlite3.Connection:
    """A database file of schema ``version``, as an older PCF left it (autocommit)."""
    connection = sqlite3.connect(path, isolation_level=None)
    for _, _, sql in migrations()[:version]:
        connection.executescript(sql)
    connection.execute(f"PRAGMA user_version = {version}")
    return connection


def insert_policy_of(
    connection: sqlite3.Connection, policy_id: str, ref: str, consumer: str
) -> None:
    """A bdt_policy row of ``consumer`` as schema 5 to 8 stored it (no fingerprint)."""
    from pcf_server.wire.bdt import policy_data_to_document

    policy = make_policy("old")
    connection.execute(
        "INSERT INTO bdt_policy (policy_id, bdt_ref_id, asp_id, request_document,"
        " policy_data, version, created_at, window_stop, valid, consumer)"
        " VALUES (?, ?, 'asp', ?, ?, 0, '', 0, 1, ?)",
        (
            policy_id,
            ref,
            json.dumps(policy.request_document),
            json.dumps(policy_data_to_document(policy)),
            consumer,
        ),
    )


def test_policies_survive_reopening_the_file(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "a.db")
    with store.unit_of_work() as uow:
        uow.policies.add(make_policy())
        uow.commit()
    reopened = SqliteStore(tmp_path / "a.db")
    with reopened.unit_of_work(write=False) as uow:
        assert uow.policies.get("p1") == make_policy()


def test_uncommitted_work_is_rolled_back(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "a.db")
    with store.unit_of_work() as uow:
        uow.policies.add(make_policy())
    with store.unit_of_work() as uow:
        assert uow.policies.get("p1") is None


def test_stale_version_is_refused(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "a.db")
    with store.unit_of_work() as uow:
        uow.policies.add(make_policy())
        uow.commit()
    with store.unit_of_work() as uow:
        first = uow.policies.get("p1")
        assert first is not None
        stale = make_policy()
        first.select(1)
        uow.policies.save(first)
        assert first.version == 1
        stale.select(2)
        with pytest.raises(ConcurrentUpdate):
            uow.policies.save(stale)


def test_wal_and_schema_version(tmp_path: Path) -> None:
    SqliteStore(tmp_path / "a.db")
    connection = sqlite3.connect(tmp_path / "a.db")
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA user_version").fetchone()[0] == len(migrations())


def test_migrating_twice_is_harmless_and_a_newer_schema_is_refused(tmp_path: Path) -> None:
    SqliteStore(tmp_path / "a.db")
    SqliteStore(tmp_path / "a.db")
    connection = sqlite3.connect(tmp_path / "a.db")
    connection.execute(f"PRAGMA user_version = {len(migrations()) + 1}")
    connection.close()
    with pytest.raises(RuntimeError, match="newer"):
        SqliteStore(tmp_path / "a.db")


def test_one_policy_per_fingerprint_whatever_the_caller(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "a.db")
    with store.unit_of_work() as uow:
        uow.policies.add(make_policy("p1"), fingerprint="f")
        uow.policies.add(make_policy("p2"))  # no fingerprint: never a duplicate
        uow.policies.add(make_policy("p3"))
        uow.commit()
    with store.unit_of_work() as uow:
        with pytest.raises(DuplicateRequest) as caught:
            uow.policies.add(make_policy("p4"), fingerprint="f")
        assert caught.value.policy_id == "p1"
        assert uow.policies.find_by_fingerprint("f", consumer="") == "p1"
        uow.policies.remove("p1")
        assert uow.policies.find_by_fingerprint("f", consumer="") is None
        uow.policies.add(make_policy("p4"), fingerprint="f")  # free again once removed
        uow.commit()


def test_a_fingerprint_is_unique_per_consumer_and_a_policy_is_its_consumers(
    tmp_path: Path,
) -> None:
    store = SqliteStore(tmp_path / "a.db")
    with store.unit_of_work() as uow:
        uow.policies.add(replace(make_policy("a1"), consumer="nef-a"), fingerprint="f")
        uow.policies.add(replace(make_policy("b1"), consumer="nef-b"), fingerprint="f")
        uow.commit()
    with store.unit_of_work() as uow:
        assert uow.policies.find_by_fingerprint("f", consumer="nef-a") == "a1"
        assert uow.policies.find_by_fingerprint("f", consumer="nef-b") == "b1"
        assert uow.policies.find_by_fingerprint("f", consumer="") is None
        assert uow.policies.get("a1", consumer="nef-b") is None
        owned = uow.policies.get("a1", consumer="nef-a")
        assert owned is not None and owned.consumer == "nef-a"
        anyone = uow.policies.get("a1")  # unscoped: the network's own use (degradations)
        assert anyone is not None and anyone.consumer == "nef-a"


def test_reset_empties_every_table_and_keeps_the_schema(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "a.db")
    with store.unit_of_work() as uow:
        uow.policies.add(make_policy())
        uow.commit()
    store.reset()
    connection = sqlite3.connect(tmp_path / "a.db")
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    assert "bdt_policy" in tables
    for table in tables:
        assert connection.execute(f'SELECT count(*) FROM "{table}"').fetchone() == (0,), table
    assert connection.execute("PRAGMA user_version").fetchone()[0] == len(migrations())


def test_the_schema_keeps_only_what_queries_read(tmp_path: Path) -> None:
    """Migration 0004 drops the columns nothing read (and the index on one of them)."""
    SqliteStore(tmp_path / "a.db")
    connection = sqlite3.connect(tmp_path / "a.db")

    def columns(table: str) -> set[str]:
        return {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}

    assert columns("bdt_policy") == {
        "policy_id", "bdt_ref_id", "asp_id", "request_document", "policy_data", "version",
        "created_at", "fingerprint", "window_stop", "valid", "consumer",
        "invalidated_at", "notified_at",  # read by service.unanswered (migration 0006)
    }  # fmt: skip
    assert columns("slot_load") == {"area_id", "slot", "reserved_dl", "reserved_ul"}
    # The operator's list of degradations (migration 0007) reads the period and source.
    assert columns("degradation") == {
        "id", "area_id", "first_slot", "stop_slot", "factor", "start_time", "stop_time", "source",
    }  # fmt: skip
    assert columns("area_capacity") == {"area_id", "downlink", "uplink"}
    indexes = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert "bdt_policy_desired_stop" not in indexes


def test_a_database_of_the_previous_schema_is_migrated_with_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    connection = database_at(path, 3)
    connection.execute(
        "INSERT INTO degradation (area_id, first_slot, stop_slot, factor, source, created_at)"
        " VALUES ('town', 1, 2, 0.5, 'nwdaf', ?)",
        (future_day().isoformat(),),
    )
    connection.close()
    SqliteStore(path)
    connection = sqlite3.connect(path)
    assert connection.execute("SELECT area_id, factor FROM degradation").fetchall() == [
        ("town", 0.5)
    ]
    # and decisions still see it, through the per-slot factors (migration 0007)
    assert connection.execute("SELECT area_id, slot, factor FROM degraded_slot").fetchall() == [
        ("town", 1, 0.5)
    ]


def test_policies_stored_before_consumers_belong_to_the_no_token_consumer(tmp_path: Path) -> None:
    from pcf_server.wire.bdt import policy_data_to_document

    path = tmp_path / "old.db"
    connection = database_at(path, 4)
    policy = make_policy("old")
    connection.execute(
        "INSERT INTO bdt_policy (policy_id, bdt_ref_id, asp_id, request_document, policy_data,"
        " version, created_at, fingerprint, window_stop, valid)"
        " VALUES ('old', 'ref', 'asp', ?, ?, 0, '', 'f', 0, 1)",
        (json.dumps(policy.request_document), json.dumps(policy_data_to_document(policy))),
    )
    connection.close()
    store = SqliteStore(path)
    with store.unit_of_work() as uow:
        kept = uow.policies.get("old", consumer="")
        assert kept is not None and kept.consumer == ""
        assert uow.policies.get("old", consumer="6f1c7d2e-0000-4000-8000-000000000001") is None
        assert uow.policies.find_by_fingerprint("f", consumer="") == "old"
        assert uow.policies.find_by_fingerprint("f", consumer="other") is None


def test_units_of_work_borrow_one_open_connection_in_turn(tmp_path: Path) -> None:
    """Opening a connection (PRAGMAs) and closing it (a WAL checkpoint) is per request no more."""
    store = SqliteStore(tmp_path / "a.db")
    with store.unit_of_work() as first:
        used = first.connection
    with store.unit_of_work(write=False) as second:
        assert second.connection is used
        assert second.connection.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL


def test_writers_of_many_threads_queue_and_none_is_lost(tmp_path: Path) -> None:
    """Read-modify-write in 8 threads at once: every increment lands, none fails busy."""
    from concurrent.futures import ThreadPoolExecutor

    store = SqliteStore(tmp_path / "a.db")
    with store.unit_of_work() as uow:
        uow.connection.execute("CREATE TABLE counter (n INTEGER)")
        uow.connection.execute("INSERT INTO counter VALUES (0)")
        uow.commit()

    def increment(_: int) -> None:
        with store.unit_of_work() as uow:
            (n,) = uow.connection.execute("SELECT n FROM counter").fetchone()
            uow.connection.execute("UPDATE counter SET n = ?", (n + 1,))
            uow.commit()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(increment, range(200)))
    with store.unit_of_work(write=False) as uow:
        assert uow.connection.execute("SELECT n FROM counter").fetchone() == (200,)


def test_a_store_with_policies_is_migrated_with_its_counts_per_consumer(tmp_path: Path) -> None:
    """Migration 0008 counts the policies already stored, so the limit holds at once."""
    path = tmp_path / "old.db"
    connection = database_at(path, 7)
    for n, consumer in enumerate(("nef-a", "nef-a", "nef-b", "")):
        insert_policy_of(connection, f"p{n}", f"ref{n}", consumer)
    connection.close()
    store = SqliteStore(path)
    with store.unit_of_work() as uow:
        counts = [uow.policies.count_of(c, at_most=10) for c in ("nef-a", "nef-b", "", "x")]
        assert counts == [2, 1, 1, 0]
        uow.policies.remove("p0")
        assert uow.policies.count_of("nef-a", at_most=10) == 1


def test_a_store_with_held_offers_is_migrated_with_their_counts(tmp_path: Path) -> None:
    """Migration 0009 counts the holds already stored, so the limit holds at once."""
    path = tmp_path / "old.db"
    connection = database_at(path, 8)
    now = START.timestamp()
    holds = {"p0": ("nef-a", now + 60), "p1": ("nef-a", now + 90), "p2": ("nef-b", now - 5)}
    for n, (policy_id, (consumer, until)) in enumerate(holds.items()):
        insert_policy_of(connection, policy_id, f"ref{n}", consumer)
        for transfer in (1, 2):
            connection.execute(
                "INSERT INTO reservation (policy_id, trans_policy_id, area_id, first_slot,"
                " stop_slot, rate_dl, rate_ul, state, expires_at)"
                " VALUES (?, ?, 'area', 1, 2, 1.0, 0.0, 'held', ?)",
                (policy_id, transfer, until),
            )
    connection.close()
    store = SqliteStore(path)
    with store.unit_of_work() as uow:
        counts = [uow.policies.held_offers_of(c, now, at_most=10) for c in ("nef-a", "nef-b")]
        assert counts == [2, 0]
        assert uow.policies.held_offers_of("nef-a", now + 60, at_most=10) == 1
        uow.capacity.release("p0")
        assert uow.policies.held_offers_of("nef-a", now, at_most=10) == 1


def test_the_limit_checks_read_no_policy_and_no_hold(tmp_path: Path) -> None:
    """The query plans: a counter row by key, the consumer's counts per second of expiry.

    Neither plan may read bdt_policy or reservation, which is what keeps a Create's
    cost from growing with the policies stored or the offers held.
    """
    from pcf_server.storage.policies import PolicyRepository

    SqliteStore(tmp_path / "a.db")
    connection = sqlite3.connect(tmp_path / "a.db")
    plans: list[str] = []

    class Explaining:
        def execute(self, sql: str, parameters: Any = ()) -> sqlite3.Cursor:
            rows = connection.execute("EXPLAIN QUERY PLAN " + sql, parameters).fetchall()
            plans.extend(row[3] for row in rows)
            return connection.execute(sql, parameters)

    repository = PolicyRepository(Explaining())  # type: ignore[arg-type]
    repository.count_of("nef", at_most=5)
    repository.held_offers_of("nef", 0.0, at_most=5)
    searched = [plan for plan in plans if plan.startswith(("SEARCH", "SCAN"))]
    assert searched == [
        "SEARCH policy_count USING INDEX sqlite_autoindex_policy_count_1 (consumer=?)",
        "SEARCH held_offer_count USING PRIMARY KEY (consumer=? AND expiry>?)",
    ], plans


def test_the_held_offer_limit_reads_as_much_for_many_holds_as_for_two(tmp_path: Path) -> None:
    """Counted in SQLite's VM steps, not time: the same with 2 or 2,002 of one's holds.

    The consumer's holds expire in two seconds; 2,000 more of its own, in those seconds,
    and 2,000 of another consumer's, spread over other seconds, change nothing it reads.
    """
    from pcf_server.policy.decision import Reservation
    from pcf_server.policy.network import Rates

    store = SqliteStore(tmp_path / "a.db")
    now = START.timestamp()
    slot = int(now // 900)
    limits = {"area": [Rates(1e12, 1e12)] * 2}

    def hold(uow: Any, policy_id: str, consumer: str, until: float) -> None:
        policy = replace(make_policy(policy_id), bdt_ref_id=f"ref-{policy_id}")
        policy.consumer = consumer
        uow.policies.add(policy)
        reservation = Reservation(1, ("area",), slot, slot + 2, Rates(1.0, 0.0))
        assert uow.capacity.reserve(policy_id, reservation, limits, until)

    def steps() -> tuple[int, int]:
        counted = [0]

        def step() -> int:
            counted[0] += 1
            return 0

        with store.unit_of_work(write=False) as uow:
            uow.connection.set_progress_handler(step, 1)
            held = uow.policies.held_offers_of("nef", now, at_most=10**9)
            uow.connection.set_progress_handler(None, 1)
        return held, counted[0]

    with store.unit_of_work() as uow:
        hold(uow, "first", "nef", now + 60.2)
        hold(uow, "second", "nef", now + 61.7)
        hold(uow, "neighbour", "other", now + 30)  # the rows after its own, as below
        uow.commit()
    few = steps()
    with store.unit_of_work() as uow:
        for n in range(2000):
            hold(uow, f"own{n}", "nef", now + 60 + n % 2 + n / 4000)
            hold(uow, f"other{n}", "other", now + 1 + n / 10)
        uow.commit()
    many = steps()
    assert few[0] == 2 and many[0] == 2002
    assert many[1] == few[1], (few, many)


def test_purging_reads_reservations_by_index_only(tmp_path: Path) -> None:
    """With the planner's statistics of a big store (ANALYZE), no purge query scans them.

    A scan of the reservations on every write made a Create 10 times slower at 10^6
    stored policies (``scripts/bench_decision.py``).
    """
    from datetime import UTC, datetime

    from pcf_server.storage.ledger import CapacityLedger

    SqliteStore(tmp_path / "a.db")
    connection = sqlite3.connect(tmp_path / "a.db", isolation_level=None)
    connection.executemany(
        "INSERT INTO reservation (policy_id, trans_policy_id, area_id, first_slot, stop_slot,"
        " rate_dl, rate_ul, state, expires_at) VALUES (?, 1, 'area', ?, ?, 1.0, 0.0, ?, ?)",
        [
            (f"p{n}", 10**6 + n, 10**6 + n + 4, "held" if n % 100 == 0 else "committed", None)
            for n in range(5000)
        ],
    )
    connection.execute("ANALYZE")
    plans: list[str] = []

    class Explaining:
        def execute(self, sql: str, parameters: Any = ()) -> sqlite3.Cursor:
            rows = connection.execute("EXPLAIN QUERY PLAN " + sql, parameters).fetchall()
            plans.extend(row[3] for row in rows)
            return connection.execute(sql, parameters)

        def executemany(self, sql: str, parameters: Any) -> sqlite3.Cursor:
            return connection.executemany(sql, parameters)

    CapacityLedger(Explaining()).purge(datetime.fromtimestamp(10**9, UTC), 900)  # type: ignore[arg-type]
    assert any("reservation" in plan for plan in plans)
    assert [plan for plan in plans if plan.startswith("SCAN reservation")] == [], plans


def test_purging_rows_inserted_past_the_counter_keeps_it_at_zero(tmp_path: Path) -> None:
    from pcf_server.wire.bdt import policy_data_to_document

    store = SqliteStore(tmp_path / "a.db")
    policy = make_policy("bulk")
    connection = sqlite3.connect(tmp_path / "a.db", isolation_level=None)
    connection.execute(
        "INSERT INTO bdt_policy (policy_id, bdt_ref_id, asp_id, request_document, policy_data,"
        " version, created_at, window_stop, valid)"
        " VALUES ('bulk', 'ref', 'asp', ?, ?, 0, '', 0, 1)",
        (json.dumps(policy.request_document), json.dumps(policy_data_to_document(policy))),
    )
    connection.close()
    with store.unit_of_work() as uow:
        uow.policies.add(make_policy("counted"))
        uow.commit()
    with store.unit_of_work() as uow:
        uow.policies.remove("counted")
        uow.capacity.purge(START, 900)  # deletes 'bulk', which was never counted
        uow.commit()
    with store.unit_of_work(write=False) as uow:
        assert uow.policies.get("bulk") is None
        assert uow.policies.count_of("", at_most=10) == 0
