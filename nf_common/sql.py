"""The dialect seam: what a repository's SQL may assume of the engine under it.

Repositories are written once, in the SQL that SQLite 3.35+ and PostgreSQL 15 both
accept (``?`` placeholders, ``ON CONFLICT``, ``RETURNING``, ``CASE`` rather than the
engines' different ``max``/``greatest``), against ``Connection``: a ``sqlite3``
connection as it is, or ``nf_common.postgres.PostgresConnection``, which translates the
placeholders. The few things that cannot be said the same way are attributes of
``Dialect`` (``dialect_of``), so a query that needs one still exists once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """The part of a DB-API connection repositories use."""

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Cursor: ...

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> Cursor: ...


@dataclass(frozen=True)
class Dialect:
    name: str
    # Appended to a SELECT that claims rows: other transactions skip them, not wait.
    skip_locked: str


SQLITE = Dialect("sqlite", "")
POSTGRESQL = Dialect("postgresql", " FOR UPDATE SKIP LOCKED")


def is_postgres_url(location: object) -> bool:
    """Whether a ``--db`` value is a libpq URI rather than a SQLite file path."""
    return isinstance(location, str) and location.startswith(("postgresql://", "postgres://"))


def dialect_of(connection: Connection) -> Dialect:
    """A sqlite3 connection is used bare (no wrapper on its hot path); others say theirs."""
    found: Dialect = getattr(connection, "dialect", SQLITE)
    return found


class ConstraintViolation(Exception):
    """A constraint refused a write, raised by connections other than sqlite3's."""


# A constraint (UNIQUE, CHECK, foreign key) refused a write, whatever the engine.
INTEGRITY_ERRORS: tuple[type[Exception], ...] = (sqlite3.IntegrityError, ConstraintViolation)
