"""Schema migrations of a SQLite store: numbered SQL files, applied once, in order.

A store's migrations are the ``NNNN_*.sql`` files of one folder (a package of its own,
so that they ship in the wheel), applied in order; ``PRAGMA user_version`` records the
last one applied. The standard library is enough for this, and it keeps the stores free
of an ORM the rest of the code would not use.
"""

from __future__ import annotations

import re
import sqlite3
from importlib.resources.abc import Traversable

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def migrations(folder: Traversable) -> list[tuple[int, str, str]]:
    """(number, file name, SQL) of every migration, in order; numbers must be 1..n."""
    found = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [number for number, _, _ in found]
    if numbers != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migration numbers must run 1..n without gaps, found {numbers}")
    return found


def migrate(connection: sqlite3.Connection, folder: Traversable, owner: str) -> int:
    """Bring the database to the newest schema; safe to call from several processes.

    ``owner`` names the program in the error for a database newer than it knows.
    """
    # BEGIN IMMEDIATE takes the write lock first, so two workers starting together
    # cannot both apply the same migration.
    connection.execute("BEGIN IMMEDIATE")
    try:
        current = connection.execute("PRAGMA user_version").fetchone()[0]
        available = migrations(folder)
        if current > len(available):
            raise RuntimeError(
                f"database schema version {current} is newer than this {owner} knows "
                f"({len(available)}); refusing to run an older {owner} against it"
            )
        for number, _name, sql in available[current:]:
            for statement in _statements(sql):
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {number}")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return len(available)


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
