"""The PostgreSQL parts a store of ours shares: the pool, transactions, migrations.

psycopg 3 with ``psycopg_pool``'s *synchronous* pool: connexion runs our (sync) handlers
in a thread pool (starlette's ``run_in_threadpool``), the sender and the periodic tasks
call the store through ``asyncio.to_thread``, so every store call happens on a worker
thread and blocking there is what the rest of the code already expects; an async pool
would need the whole service layer async for no gain. One pool per process: server
workers are separate processes, and a pool must not cross a ``fork``.

Transactions mirror ``nf_common.sqlite`` so that one set of repositories and use cases
is correct on both engines:

- a write unit of work takes one transaction-scoped advisory lock first, as SQLite's
  ``BEGIN IMMEDIATE`` takes the database's write lock: the read-decide-write sequences
  of every instance on the database are serialised, and each statement (READ
  COMMITTED) sees everything committed before. The guarded per-slot UPDATEs keep the
  capacity invariant even without it;
- a unit of work that only claims and settles outbox rows (``serialised=False``) does
  not take that lock: its claims are ``FOR UPDATE SKIP LOCKED``, so senders of several
  instances never wait for each other nor for the use cases;
- a read unit of work is one REPEATABLE READ READ ONLY snapshot and takes no lock;
- a serialisation failure or deadlock raises ``TransactionConflict`` (the service
  layer runs the unit of work again); a server that cannot be reached raises
  ``StoreUnavailable`` (503 with Retry-After). Starting a transaction on a pooled
  connection that turns out dead (the server restarted) is retried on a fresh one.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Sequence
from importlib.resources.abc import Traversable
from typing import Any, Generic, Self, TypeVar, cast

import psycopg
import psycopg.errors
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool, PoolTimeout

from nf_common import migrations as runner
from nf_common.ports import StoreUnavailable, TransactionConflict
from nf_common.sql import POSTGRESQL, Connection, ConstraintViolation

log = logging.getLogger(__name__)

# Any 64-bit number the database's users agree on: the write lock of a store.
_WRITE_LOCK = 0x5043465F42445401
_MIGRATION_LOCK = _WRITE_LOCK + 1
WAIT_FOR_CONNECTION_S = 2.0  # how long a request waits for a connection before its 503
PROBE_TIMEOUT_S = 1.0  # how long a readiness probe waits for one
_BEGIN_ATTEMPTS = 3
_CONFLICTS = (psycopg.errors.SerializationFailure, psycopg.errors.DeadlockDetected)
RepositoryT = TypeVar("RepositoryT")


def redacted(url: str) -> str:
    """``url`` without its password, to show in messages and logs."""
    try:
        params = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "postgresql://(unparsable URI)"
    params.pop("password", None)
    host, port, dbname = params.get("host", ""), params.get("port", ""), params.get("dbname", "")
    user = params.get("user")
    return f"postgresql://{f'{user}@' if user else ''}{host}{f':{port}' if port else ''}/{dbname}"


@functools.lru_cache(maxsize=512)
def _translated(sql: str) -> str:
    # The repositories' SQL has no '%' nor '?' in literals; psycopg wants %s.
    return sql.replace("%", "%%").replace("?", "%s")


def _raise_translated(exc: psycopg.Error) -> None:
    if isinstance(exc, psycopg.IntegrityError):
        raise ConstraintViolation(str(exc)) from exc
    if isinstance(exc, _CONFLICTS):
        raise TransactionConflict(str(exc)) from exc
    if isinstance(exc, psycopg.OperationalError):
        raise StoreUnavailable(f"the database cannot be reached: {exc}") from exc


class PostgresConnection:
    """A psycopg connection seen as ``nf_common.sql.Connection`` (``?`` placeholders)."""

    dialect = POSTGRESQL

    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self.raw = connection

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> psycopg.Cursor[Any]:
        try:
            return self.raw.execute(_translated(sql), parameters or None)
        except psycopg.Error as exc:
            _raise_translated(exc)
            raise

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> psycopg.Cursor[Any]:
        cursor = self.raw.cursor()
        try:
            cursor.executemany(_translated(sql), list(parameters))
        except psycopg.Error as exc:
            _raise_translated(exc)
            raise
        return cursor


class PostgresTransaction:
    """A unit of work's transaction; a store's unit of work adds its repositories."""

    def __init__(
        self, pool: ConnectionPool[Any], write: bool = True, serialised: bool = True
    ) -> None:
        self._pool = pool
        self._write = write
        self._serialised = serialised
        self._raw: psycopg.Connection[Any] | None = None
        self._connection: PostgresConnection | None = None
        self._repositories: dict[object, object] = {}

    @property
    def connection(self) -> Connection:
        assert self._connection is not None, "use the unit of work in a with block"
        return self._connection

    def one(self, kind: Callable[[Connection], RepositoryT]) -> RepositoryT:
        """The repository of ``kind`` on this transaction: the same object every time."""
        found = self._repositories.get(kind)
        if found is None:
            found = self._repositories[kind] = kind(self.connection)
        return cast(RepositoryT, found)

    def __enter__(self) -> Self:
        for attempt in range(_BEGIN_ATTEMPTS):
            try:
                raw = self._pool.getconn(timeout=WAIT_FOR_CONNECTION_S)
            except PoolTimeout as exc:
                raise StoreUnavailable(f"no database connection within {exc}") from exc
            try:
                self._begin(raw)
            except psycopg.OperationalError as exc:
                # A pooled connection the server closed (a restart): the pool drops it.
                self._pool.putconn(raw)
                if attempt + 1 == _BEGIN_ATTEMPTS:
                    raise StoreUnavailable(f"the database cannot be reached: {exc}") from exc
                continue
            except BaseException:
                self._pool.putconn(raw)
                raise
            self._raw = raw
            self._connection = PostgresConnection(raw)
            return self
        raise AssertionError("unreachable")

    def _begin(self, raw: psycopg.Connection[Any]) -> None:
        if not self._write:
            raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            return
        raw.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
        if self._serialised:
            raw.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITE_LOCK,))

    def __exit__(self, *exc_info: object) -> None:
        """Roll back what was not committed, and give the connection back."""
        raw = self._raw
        assert raw is not None
        try:
            if not raw.closed and raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                raw.execute("ROLLBACK")
        except psycopg.Error:
            log.debug("rollback failed; the pool drops the connection", exc_info=True)
        finally:
            self._pool.putconn(raw)
            self._raw = self._connection = None
            self._repositories.clear()

    def commit(self) -> None:
        assert self._raw is not None
        try:
            self._raw.execute("COMMIT")
        except psycopg.Error as exc:
            _raise_translated(exc)
            raise


UnitOfWorkT = TypeVar("UnitOfWorkT", bound=PostgresTransaction)


class PostgresDatabase(Generic[UnitOfWorkT]):
    """A PostgreSQL database: migrated on open, and a factory of units of work on it."""

    kept_on_reset: tuple[str, ...] = ()

    def __init__(
        self,
        url: str,
        migrations: Traversable,
        owner: str,
        unit_of_work: type[UnitOfWorkT],
        *,
        pool_size: int = 8,
    ) -> None:
        self.url = url
        self.location = redacted(url)
        self._unit_of_work = unit_of_work
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=10) as connection:
                migrate(connection, migrations, owner)
        except psycopg.OperationalError as exc:
            reason = " ".join(str(exc).split())  # one line; libpq never includes the password
            raise StoreUnavailable(f"cannot use {self.location}: {reason}") from None
        self.pool: ConnectionPool[Any] = ConnectionPool(
            url,
            min_size=1,
            max_size=pool_size,
            kwargs={"autocommit": True},
            open=True,
            name="store",
        )

    def unit_of_work(self, *, write: bool = True) -> UnitOfWorkT:
        return self._unit_of_work(self.pool, write)

    def queue_unit_of_work(self, *, write: bool = True) -> UnitOfWorkT:
        """A unit of work for claiming and settling outbox rows only: no write lock."""
        return self._unit_of_work(self.pool, write, False)

    def reset(self) -> None:
        """Empty every table but ``kept_on_reset``; the schema and its version stay."""
        with self.unit_of_work() as uow:
            rows = uow.connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            ).fetchall()
            tables = [row[0] for row in rows if row[0] not in (*self.kept_on_reset, _VERSIONS)]
            if tables:
                uow.connection.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables))
            uow.commit()

    def unready(self, schema_version: int) -> list[str]:
        """Why the store cannot serve now: unreachable, read-only, or another schema."""
        try:
            raw = self.pool.getconn(timeout=PROBE_TIMEOUT_S)
        except PoolTimeout:
            return [f"store {self.location} cannot be reached"]
        try:
            row = raw.execute(
                f"SELECT (SELECT max(version) FROM {_VERSIONS}), pg_is_in_recovery(),"
                " current_setting('transaction_read_only')"
            ).fetchone()
        except psycopg.Error as exc:
            return [f"store {self.location} cannot be used: {' '.join(str(exc).split())}"]
        finally:
            self.pool.putconn(raw)
        assert row is not None
        version, standby, read_only = row
        if version != schema_version:
            return [f"store schema is version {version}, this server needs {schema_version}"]
        if standby or read_only == "on":
            return [f"store {self.location} is read-only (a standby?)"]
        return []

    def close(self) -> None:
        self.pool.close()


_VERSIONS = "schema_version"


def migrate(connection: psycopg.Connection[Any], folder: Traversable, owner: str) -> int:
    """Bring the database to the newest schema in one transaction; safe from many processes.

    The version is a row of ``schema_version``; a database newer than ``owner`` knows is
    refused. PostgreSQL's DDL is transactional: a failing migration leaves nothing.
    """
    available = runner.migrations(folder, "postgresql")
    newest = available[-1][0] if available else 0
    with connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        connection.execute(f"CREATE TABLE IF NOT EXISTS {_VERSIONS} (version INTEGER NOT NULL)")
        row = connection.execute(f"SELECT max(version) FROM {_VERSIONS}").fetchone()
        current = 0 if row is None or row[0] is None else int(row[0])
        runner.refuse_newer(current, newest, owner)
        for number, _name, sql in runner.pending(available, current):
            connection.execute(cast(Any, sql))
            connection.execute(f"DELETE FROM {_VERSIONS}")
            connection.execute(f"INSERT INTO {_VERSIONS} (version) VALUES (%s)", (number,))
    return newest
