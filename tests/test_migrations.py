"""Numbered migrations: gaps, broken scripts and failures never leave a half-built schema.

The migrations folder is swapped for a temporary one (``importlib.resources`` reads the
package's folder), so each test ships the migrations it needs.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pcf_server.storage import migrate as migrate_module
from pcf_server.storage.migrate import migrate, migrations


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shipped = tmp_path / "migrations"
    shipped.mkdir()
    (shipped / "__init__.py").write_text("")
    monkeypatch.setattr(migrate_module.resources, "files", lambda package: shipped)
    return shipped


def version(db: Path) -> int:
    connection = sqlite3.connect(db)
    try:
        return int(connection.execute("PRAGMA user_version").fetchone()[0])
    finally:
        connection.close()


def tables(db: Path) -> list[str]:
    connection = sqlite3.connect(db)
    try:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return sorted(row[0] for row in rows)
    finally:
        connection.close()


def run(db: Path) -> int:
    connection = sqlite3.connect(db, isolation_level=None)
    try:
        return migrate(connection)
    finally:
        connection.close()


def test_a_gap_in_the_numbers_is_refused_before_anything_runs(folder: Path, tmp_path) -> None:
    (folder / "0001_first.sql").write_text("CREATE TABLE a (x INTEGER);\n")
    (folder / "0003_third.sql").write_text("CREATE TABLE c (x INTEGER);\n")
    (folder / "notes.txt").write_text("not a migration")
    with pytest.raises(RuntimeError, match=r"without gaps, found \[1, 3\]"):
        migrations()
    db = tmp_path / "gap.db"
    with pytest.raises(RuntimeError, match="without gaps"):
        run(db)
    assert version(db) == 0 and tables(db) == []


def test_migrations_apply_in_order_and_only_once(folder: Path, tmp_path) -> None:
    (folder / "0001_first.sql").write_text("-- a table\nCREATE TABLE a (x INTEGER);\n")
    (folder / "0002_second.sql").write_text(
        "ALTER TABLE a ADD COLUMN y TEXT;\nCREATE TABLE b (x INTEGER); -- and another\n"
    )
    db = tmp_path / "ok.db"
    assert run(db) == 2
    assert version(db) == 2 and tables(db) == ["a", "b"]
    assert run(db) == 2  # nothing left to do


@pytest.mark.parametrize(
    ("second", "error", "match"),
    [
        # an unfinished statement is refused before anything runs
        ("CREATE TABLE b (x INTEGER);\nINSERT INTO b\n", RuntimeError, "incomplete SQL statement"),
        # a failing migration rolls back with the ones before it
        ("ALTER TABLE missing ADD COLUMN y TEXT;\n", sqlite3.OperationalError, "missing"),
    ],
    ids=["unfinished", "failing"],
)
def test_a_bad_migration_leaves_the_database_untouched(
    folder: Path, tmp_path, second: str, error: type[Exception], match: str
) -> None:
    (folder / "0001_first.sql").write_text("CREATE TABLE a (x INTEGER);\n")
    (folder / "0002_second.sql").write_text(second)
    db = tmp_path / "bad.db"
    with pytest.raises(error, match=match):
        run(db)
    assert version(db) == 0 and tables(db) == []
