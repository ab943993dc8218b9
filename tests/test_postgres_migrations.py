"""Migrations on PostgreSQL, and which files each engine takes from the shared folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from nf_common import migrations as runner
from pcf_server.storage.migrate import migrations as sqlite_migrations
from tests import postgres


def _folder(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, sql in files.items():
        (tmp_path / name).write_text(sql)
    return tmp_path


def _shipped_up_to(tmp_path: Path, version: int) -> Path:
    """The shipped migrations up to ``version``, as an older PCF had them."""
    from importlib import resources

    shipped = resources.files("pcf_server.storage.migrations")
    return _folder(
        tmp_path,
        {
            entry.name: entry.read_text(encoding="utf-8")
            for entry in shipped.iterdir()
            if entry.name.endswith(".sql") and int(entry.name[:4]) <= version
        },
    )


def _insert_policy_of(connection: Any, policy_id: str, ref: str, consumer: str) -> None:
    """A bdt_policy row of ``consumer``, with only the columns a count reads."""
    connection.execute(
        "INSERT INTO bdt_policy (policy_id, bdt_ref_id, asp_id, request_document,"
        " policy_data, version, created_at, valid, consumer)"
        " VALUES (%s, %s, 'asp', '{}', '{}', 0, '', 1, %s)",
        (policy_id, ref, consumer),
    )


def test_an_engine_takes_its_own_file_for_a_number_and_starts_at_its_baseline(
    tmp_path: Path,
) -> None:
    folder = _folder(
        tmp_path,
        {
            "0001_a.sql": "-- 1 both",
            "0002_b.sql": "-- 2 both",
            "0002_baseline.postgresql.sql": "-- 2 pg",
            "0003_c.sql": "-- 3 both",
            "0003_c.sqlite.sql": "-- 3 sqlite",
        },
    )
    sqlite = [(n, sql) for n, _, sql in runner.migrations(folder, "sqlite")]
    assert sqlite == [(1, "-- 1 both"), (2, "-- 2 both"), (3, "-- 3 sqlite")]
    pg = [(n, sql) for n, _, sql in runner.migrations(folder, "postgresql")]
    assert pg == [(2, "-- 2 pg"), (3, "-- 3 both")]
    assert [m[0] for m in runner.pending(runner.migrations(folder, "postgresql"), 0)] == [2, 3]


def test_the_pcf_s_postgresql_schema_starts_where_sqlite_s_is_now() -> None:
    from importlib import resources

    pg = runner.migrations(resources.files("pcf_server.storage.migrations"), "postgresql")
    assert pg[-1][0] == sqlite_migrations()[-1][0]


def _schema_version(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as connection:
        row = connection.execute("SELECT max(version) FROM schema_version").fetchone()
    assert row is not None
    return int(row[0])


def test_a_new_database_is_created_at_the_newest_version_and_opened_again(tmp_path: Path) -> None:
    from pcf_server.storage.postgres import PostgresStore

    with postgres.database() as url:
        PostgresStore(url).close()
        assert _schema_version(url) == sqlite_migrations()[-1][0]
        store = PostgresStore(url)  # a second open applies nothing and keeps the rows
        store.bind({"slot_minutes": "15"})
        store.close()
        store = PostgresStore(url)
        store.bind({"slot_minutes": "15"})
        store.close()


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    import psycopg

    from pcf_server.storage.postgres import PostgresStore

    with postgres.database() as url:
        PostgresStore(url).close()
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("UPDATE schema_version SET version = 99")
        with pytest.raises(RuntimeError, match="version 99 is newer than this PCF knows"):
            PostgresStore(url)


def test_serve_on_an_unreachable_server_says_so_in_one_line_without_the_password(
    tmp_path: Path,
) -> None:
    postgres.server()  # psycopg installed
    result = subprocess.run(
        [sys.executable, "-m", "pcf_server", "serve", "--port", "1",
         "--db", "postgresql://nef:s3cret-word@127.0.0.1:1/pcf"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("pcf-bdt: error: cannot use postgresql://nef@127.0.0.1:1/pcf:"), (
        lines
    )
    assert "s3cret" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_the_sqlite_default_and_the_pytest_plugin_never_load_the_postgresql_driver(
    tmp_path: Path,
) -> None:
    """The quick start and NEF test suites need no database server, nor psycopg."""
    code = (
        "import sys, pathlib\n"
        "import nef_client.pytest_plugin\n"
        "from pcf_server.bootstrap import create_app\n"
        "from pcf_server.settings import Settings\n"
        f"create_app(Settings(db_path=pathlib.Path({str(tmp_path / 'pcf.db')!r})))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('psycopg', 'psycopg_pool')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
    assert (tmp_path / "pcf.db").exists()


def test_a_store_of_version_7_is_migrated_with_its_policy_counts(tmp_path: Path) -> None:
    """Migration 0008 counts the policies a PostgreSQL store already holds, per consumer."""

    import psycopg

    from nf_common.postgres import migrate
    from pcf_server.storage.postgres import PostgresStore

    older = _shipped_up_to(tmp_path, 7)
    with postgres.database() as url:
        with psycopg.connect(url, autocommit=True) as connection:
            assert migrate(connection, older, "PCF") == 7
            for n, consumer in enumerate(("nef-a", "nef-a", "nef-b")):
                _insert_policy_of(connection, f"p{n}", f"ref{n}", consumer)
        store = PostgresStore(url)
        try:
            assert _schema_version(url) == sqlite_migrations()[-1][0]
            with store.unit_of_work(write=False) as uow:
                counts = [uow.policies.count_of(c, at_most=10) for c in ("nef-a", "nef-b", "")]
            assert counts == [2, 1, 0]
        finally:
            store.close()


def test_a_store_of_version_8_is_migrated_with_its_held_offers(tmp_path: Path) -> None:
    """Migration 0009 counts the holds a PostgreSQL store already has, per consumer."""

    import psycopg

    from nf_common.postgres import migrate
    from pcf_server.storage.postgres import PostgresStore

    older = _shipped_up_to(tmp_path, 8)
    now = 2_000_000_000.0
    holds = {"p0": ("nef-a", now + 60), "p1": ("nef-a", now + 90.5), "p2": ("nef-b", now - 5)}
    with postgres.database() as url:
        with psycopg.connect(url, autocommit=True) as connection:
            assert migrate(connection, older, "PCF") == 8
            for n, (policy_id, (consumer, until)) in enumerate(holds.items()):
                _insert_policy_of(connection, policy_id, f"ref{n}", consumer)
                for transfer in (1, 2):
                    connection.execute(
                        "INSERT INTO reservation (policy_id, trans_policy_id, area_id,"
                        " first_slot, stop_slot, rate_dl, rate_ul, state, expires_at)"
                        " VALUES (%s, %s, 'area', 1, 2, 1.0, 0.0, 'held', %s)",
                        (policy_id, transfer, until),
                    )
        store = PostgresStore(url)
        try:
            assert _schema_version(url) == sqlite_migrations()[-1][0]
            with store.unit_of_work(write=False) as uow:
                held = [uow.policies.held_offers_of(c, now, at_most=10) for c in ("nef-a", "nef-b")]
                assert held == [2, 0]
                assert uow.policies.held_offers_of("nef-a", now + 60, at_most=10) == 1
                assert uow.policies.held_offers_of("nef-a", now + 90, at_most=10) == 0
        finally:
            store.close()
