"""The service layer's ports (``pcf_server.service.ports``) on SQLite or PostgreSQL.

One storage layer, two engines. The repositories (``policies``, ``ledger``,
``outbox``, ``analytics``) are written once, in SQL both engines accept, against the
thin dialect seam of ``nf_common.sql``: a connection with ``execute``/``executemany``
and ``?`` placeholders (sqlite3's own, or psycopg's behind a placeholder translation),
plus the one clause that cannot be said the same way (``FOR UPDATE SKIP LOCKED`` for
outbox claims). Each engine supplies only its transactions (``nf_common.sqlite``,
``nf_common.postgres``: locking, isolation, error translation) and the DDL where it
differs (``migrations/NNNN_*.<engine>.sql``; see ``nf_common.migrations``).

Why this rather than SQLAlchemy Core with Alembic: the queries are few (about forty),
hand-tuned (guarded per-slot UPDATEs, bounded purges, partial indexes) and already
written in portable SQL; what differs between the engines is transaction behaviour,
which an expression language does not hide anyway. SQLAlchemy would add a large
dependency and a second way of writing every query to the hot path of the embedded
default, and Alembic a second migration history beside the numbered SQL files that
existing SQLite stores are already versioned by (``PRAGMA user_version``), which they
keep migrating in place. The cost is discipline: new SQL must run on both engines,
which the test suite checks by running the store's tests on both.

``open_store`` picks the engine from the ``--db`` value: a libpq URI
(``postgresql://...``) or a file path. PostgreSQL needs the optional extra
``postgres`` (psycopg 3 and its pool); nothing else imports it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from nf_common.sql import is_postgres_url
from pcf_server.storage.sqlite import SqliteStore
from pcf_server.storage.store import SettingsMismatch

if TYPE_CHECKING:
    from pcf_server.storage.postgres import PostgresStore

    Store = SqliteStore | PostgresStore

__all__ = ["SettingsMismatch", "SqliteStore", "open_database"]


def open_database(location: str | Path) -> Store:
    """The PCF's store at ``location`` (a file path or a libpq URI), migrated.

    Raises ``StoreUnavailable`` for a PostgreSQL server that cannot be reached, and
    ``ModuleNotFoundError`` when the extra ``postgres`` is not installed.
    """
    if is_postgres_url(location):
        from pcf_server.storage.postgres import PostgresStore

        return PostgresStore(str(location))
    return SqliteStore(location)
