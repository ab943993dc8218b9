"""Schema migrations of a store: numbered SQL files, applied once, in order.

A store's migrations are the ``NNNN_*.sql`` files of one folder (a package of its own,
so that they ship in the wheel), applied in order. A file serves every engine unless an
engine has its own for that number, ``NNNN_*.<engine>.sql`` (``sqlite`` or
``postgresql``), written only where the DDL differs. An engine supported from some
version on has a ``NNNN_baseline.<engine>.sql``: a new database of that engine is
created at that version by it, and the numbers below it are not that engine's. SQLite
records the last migration applied in ``PRAGMA user_version`` (``migrate``),
PostgreSQL in a table (``nf_common.postgres.migrate``). The standard library is enough
for this, and it keeps the stores free of an ORM the rest of the code would not use.
"""

from __future__ import annotations

import re
import sqlite3
from importlib.resources.abc import Traversable

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+?)(?:\.(sqlite|postgresql))?\.sql$")
Migration = tuple[int, str, str]


def migrations(folder: Traversable, engine: str = "sqlite") -> list[Migration]:
    """(number, file name, SQL) of every migration of ``engine``, in order, without gaps."""
    shared: dict[int, Migration] = {}
    own: dict[int, Migration] = {}
    baseline = 0
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if not match or match.group(3) not in (None, engine):
            continue
        number = int(match.group(1))
        found = (number, entry.name, entry.read_text(encoding="utf-8"))
        if match.group(3) is None:
            shared[number] = found
        else:
            own[number] = found
            if match.group(2) == "baseline":
                baseline = max(baseline, number)
    chosen = sorted(({**shared, **own}).items())
    result = [migration for number, migration in chosen if number >= baseline]
    numbers = [number for number, _, _ in result]
    first = baseline or 1
    if numbers != list(range(first, first + len(result))):
        raise RuntimeError(f"migration numbers must run {first}..n without gaps, found {numbers}")
    return result


def refuse_newer(current: int, newest: int, owner: str) -> None:
    """Raise for a database whose schema is newer than ``owner`` knows."""
    if current > newest:
        raise RuntimeError(
            f"database schema version {current} is newer than this {owner} knows "
            f"({newest}); refusing to run an older {owner} against it"
        )


def pending(available: list[Migration], current: int) -> list[Migration]:
    """The migrations a database at version ``current`` still needs."""
    if available and 0 < current < available[0][0] - 1:
        raise RuntimeError(
            f"database schema version {current} predates the first migration of its "
            f"engine ({available[0][0]}); it cannot be brought up to date"
        )
    return [migration for migration in available if migration[0] > current]


def migrate(connection: sqlite3.Connection, folder: Traversable, owner: str) -> int:
    """Bring the database to the newest schema; safe to call from several processes.

    ``owner`` names the program in the error for a database newer than it knows.
    """
    # BEGIN IMMEDIATE takes the write lock first, so two workers starting together
    # cannot both apply the same migration.
    connection.execute("BEGIN IMMEDIATE")
    try:
        current = connection.execute("PRAGMA user_version").fetchone()[0]
        available = migrations(folder, "sqlite")
        newest = available[-1][0] if available else 0
        refuse_newer(current, newest, owner)
        for number, _name, sql in pending(available, current):
            for statement in _statements(sql):
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {number}")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return newest


def _statements(sql: str) -> list[str]:
    """Split a script into statements: executescript() would COMMIT our transaction."""
    statements, buffer = [], ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip() and not all(
        part.strip().startswith("--") or not part.strip() for part in buffer.splitlines()
    ):
        raise RuntimeError(f"incomplete SQL statement at the end of a migration: {buffer!r}")
    return statements
