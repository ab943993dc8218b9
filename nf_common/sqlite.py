"""The SQLite parts every store of ours shares: durability, transactions, the outbox.

Durability: WAL journal with ``synchronous=FULL``, so a transaction is on disk when
``commit`` returns and what was acknowledged survives a crash of the process or of the
machine.

Connections and writers: a database keeps its connections open and lends each to one
thread at a time (``_Connections``): opening one costs three PRAGMAs, and closing the
last one checkpoints the WAL, both on every request otherwise. Writers of one process
take turns (``_Writer``) instead of racing SQLite's busy handler, which sleeps and
retries (1, 2, 5 ... 100 ms) rather than waking when the lock is free. Writers that queue
while one writes commit together, in one transaction and one fsync (group commit), each
in a savepoint of its own, and each ``commit`` returns once that transaction is on disk.
Between processes, the writer that opens a batch first takes a lock on a file beside the
database (``_FileLock``), which the kernel hands to the next process as soon as the
batch is committed; SQLite's lock, still taken by ``BEGIN IMMEDIATE``, is what keeps
writers apart, the file lock only makes them queue instead of sleep.
"""

from __future__ import annotations

import errno
import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Generic, Self, TypeVar, cast

from nf_common.ports import OutboxItem, StoreBusy
from nf_common.sql import Connection, dialect_of

BUSY_TIMEOUT_S = 30.0
# How long a readiness probe waits for the write lock: probes have timeouts of a few
# seconds, and a store locked for longer than this is not taking writes.
PROBE_TIMEOUT_S = 1.0
_IDLE_CONNECTIONS = 8  # kept open per database; more threads open and close their own
_PURGE_BATCH = 500  # rows forgotten per call: bounded work in the caller's transaction
RepositoryT = TypeVar("RepositoryT")


def connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: we issue BEGIN/COMMIT ourselves, as the sqlite3 module's
    # implicit transactions would not take the write lock up front.
    # check_same_thread=False: a pooled connection serves one thread at a time, not
    # always the same one (the server's thread pool).
    connection = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
    )
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("PRAGMA foreign_keys=ON")
    return connection


def _open(path: Path, migrate: Callable[[sqlite3.Connection], object]) -> None:
    """Create the file (and its folder) if need be and bring it to the newest schema."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = connect(path)
    try:
        migrate(connection)
    finally:
        connection.close()


def _empty(path: Path, kept: tuple[str, ...]) -> None:
    """Empty every table but ``kept`` in one transaction; the schema and its version stay."""
    connection = connect(path)
    try:
        connection.execute("BEGIN IMMEDIATE")
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        for table in tables:
            if table not in kept:
                connection.execute(f'DELETE FROM "{table}"')
        connection.execute("COMMIT")
    finally:
        connection.close()


class _Batch:
    """One SQLite transaction that several units of work of a process commit in."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        self.members = 0  # units of work that committed into it
        self.done = threading.Event()
        self.error: BaseException | None = None


class _FileLock:
    """The writers' lock between processes: a POSIX lock on ``<database>-writer``.

    Taken around each batch before ``BEGIN IMMEDIATE`` and let go once it is committed,
    so that a process waiting for it is woken by the kernel when another's batch ends,
    where SQLite's busy handler would sleep up to 100 ms between tries. A waiter that
    gives up after its timeout leaves as SQLite's would; the kernel's wait has no timeout,
    so it happens on a thread of the lock's own (``_take``), whose result goes to whoever
    still waits. POSIX locks belong to the process: threads of it take turns here
    (``_held``), and a forked child holds none of its parent's. The file is opened for
    each taking and closed with the release, so that a process keeps no descriptor per
    database it ever wrote to; where it cannot be opened (a read-only folder), SQLite's
    lock is the only one, as before.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._fd: int | None = None  # while held, or being taken
        self._state = threading.Condition()
        self._held = False  # by a thread of this process
        self._granted = False  # the taker got it, for a waiter to pick up
        self._taking = False  # the taker waits for it in the kernel
        self._waiting = 0
        self._taker: threading.Thread | None = None

    def acquire(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._state:
            self._waiting += 1
            try:
                while True:
                    if not self._held:
                        if self._granted:
                            self._granted, self._held = False, True
                            return True
                        if not self._taking:
                            if self._try():
                                self._held = True
                                return True
                            self._taking = True
                            self._wake_taker()
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        return False
                    self._state.wait(remaining)
            finally:
                self._waiting -= 1
                if self._granted and not self._waiting:  # got for a waiter gone since
                    self._granted = False
                    self._let_go()

    def release(self) -> None:
        with self._state:
            self._held = False
            self._let_go()
            self._state.notify_all()

    def _try(self) -> bool:
        """Take it at once if free (or do without it); False: the taker must wait."""
        try:
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError:
            return True  # no file lock: SQLite's busy handler alone, as before
        try:
            fcntl.lockf(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EAGAIN):
                return False
            self._let_go()
            raise
        return True

    def _let_go(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # which releases the lock

    def _wake_taker(self) -> None:
        if self._taker is None:
            self._taker = threading.Thread(
                target=self._take, name="sqlite-writer-lock", daemon=True
            )
            self._taker.start()
        else:
            self._state.notify_all()

    def _take(self) -> None:
        while True:
            with self._state:
                if not self._taking and not self._state.wait_for(lambda: self._taking, 10):
                    self._taker = None  # idle: a new one starts when needed
                    return
                fd = self._fd
            assert fd is not None
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX)  # without the GIL, until it is free
            except OSError:  # EDEADLK, ENOLCK: the waiters try again, or time out
                time.sleep(0.001)
                with self._state:
                    self._taking = False
                    self._let_go()
                    self._state.notify_all()
                continue
            with self._state:
                self._taking = False
                if self._waiting:
                    self._granted = True
                    self._state.notify_all()
                else:
                    self._let_go()


class _Writer:
    """The writers of one process to one file: one at a time, committing together.

    A writer takes the turn (``turn``) and works in a savepoint of the open batch's
    transaction (``BEGIN IMMEDIATE`` by its first member, after the file lock). When it
    is done, it hands the turn to the next writer waiting, if any, or commits the batch;
    its ``commit`` returns only once the batch is committed, so what it acknowledges is
    on disk as before, while one fsync serves all the writers that queued meanwhile.
    """

    def __init__(self, path: Path) -> None:
        self.turn = threading.Lock()
        self.guard = threading.Lock()  # for ``waiting`` and ``batch``
        self.waiting = 0
        self.batch: _Batch | None = None
        self.lock = _FileLock(path.with_name(path.name + "-writer"))


_MAX_BATCH = 64  # units of work per commit at most: a bound on the first one's wait
_writers: dict[tuple[int, Path], _Writer] = {}
_writers_guard = threading.Lock()
_resolved: dict[Path, Path] = {}  # realpath costs a system call per component


def _writer(path: Path) -> _Writer:
    """The writers of this process to ``path``.

    One per file, not per database object, so that two objects on one file still write
    one at a time; per process id, so that a turn held in the parent at a fork is not
    inherited held.
    """
    absolute = path if path.is_absolute() else Path(os.getcwd(), path)
    resolved = _resolved.get(absolute)
    if resolved is None:
        resolved = _resolved[absolute] = absolute.resolve()
    key = (os.getpid(), resolved)
    with _writers_guard:
        found = _writers.get(key)
        if found is None:
            found = _writers[key] = _Writer(resolved)
        return found


class _Connections:
    """Open connections to one file, each lent to one thread at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._idle: list[sqlite3.Connection] = []
        self._guard = threading.Lock()
        self._pid = os.getpid()

    def take(self) -> sqlite3.Connection:
        with self._guard:
            if self._pid != os.getpid():  # a forked child must not use the parent's
                self._idle, self._pid = [], os.getpid()
            if self._idle:
                return self._idle.pop()
        return connect(self.path)

    def give_back(self, connection: sqlite3.Connection) -> None:
        with self._guard:
            if self._pid == os.getpid() and len(self._idle) < _IDLE_CONNECTIONS:
                self._idle.append(connection)
                return
        connection.close()


class SqliteTransaction:
    """A unit of work's transaction; a store's unit of work adds its repositories.

    ``connections``: where to borrow the connection from (``SqliteDatabase``'s); without
    it the transaction opens one of its own and closes it. A writing one works in a
    savepoint of its process's current batch (``_Writer``).
    """

    def __init__(
        self, path: Path, write: bool = True, connections: _Connections | None = None
    ) -> None:
        self._path = path
        self._write = write
        self._connections = connections
        self._connection: sqlite3.Connection | None = None
        self._writer: _Writer | None = None  # set while this one has the turn
        self._repositories: dict[object, object] = {}

    @property
    def connection(self) -> sqlite3.Connection:
        assert self._connection is not None, "use the unit of work in a with block"
        return self._connection

    def one(self, kind: Callable[[sqlite3.Connection], RepositoryT]) -> RepositoryT:
        """The repository of ``kind`` on this transaction: the same object every time."""
        found = self._repositories.get(kind)
        if found is None:
            found = self._repositories[kind] = kind(self.connection)
        return cast(RepositoryT, found)

    def _busy(self) -> StoreBusy:
        return StoreBusy(f"{self._path} stayed locked for {BUSY_TIMEOUT_S:.0f} s")

    def __enter__(self) -> Self:
        if not self._write:
            connection = self._take()
            try:
                connection.execute("BEGIN DEFERRED")
            except BaseException as exc:
                connection.close()
                raise self._translated(exc) from exc
            self._connection = connection
            return self
        writer = _writer(self._path)
        with writer.guard:
            writer.waiting += 1
        got = writer.turn.acquire(timeout=BUSY_TIMEOUT_S)
        with writer.guard:
            writer.waiting -= 1
        if not got:
            raise self._busy()
        self._writer = writer
        try:
            if writer.batch is None:
                writer.batch = self._begin_batch(writer.lock)
            writer.batch.connection.execute("SAVEPOINT unit_of_work")
        except BaseException as exc:
            self._writer = None
            writer.turn.release()
            raise self._translated(exc) from exc
        self._connection = writer.batch.connection
        return self

    def _begin_batch(self, lock: _FileLock) -> _Batch:
        if not lock.acquire(BUSY_TIMEOUT_S):
            raise self._busy()
        try:
            connection = self._take()
            try:
                # IMMEDIATE: take SQLite's write lock now, so read-decide-write
                # sequences of processes are serialised, not interleaved.
                connection.execute("BEGIN IMMEDIATE")
            except BaseException:
                connection.close()
                raise
        except BaseException:
            lock.release()
            raise
        return _Batch(connection)

    def _translated(self, exc: BaseException) -> BaseException:
        if isinstance(exc, sqlite3.OperationalError) and exc.sqlite_errorcode in (
            sqlite3.SQLITE_BUSY,
            sqlite3.SQLITE_LOCKED,
        ):
            return self._busy()
        return exc

    def _take(self) -> sqlite3.Connection:
        return connect(self._path) if self._connections is None else self._connections.take()

    def _give_back(self, connection: sqlite3.Connection) -> None:
        if self._connections is None:
            connection.close()
        else:
            self._connections.give_back(connection)

    def __exit__(self, *exc_info: object) -> None:
        """Roll back what was not committed, and give the connection (or the turn) back."""
        connection = self._connection
        assert connection is not None or self._writer is None
        self._connection = None
        self._repositories.clear()
        if self._writer is not None:  # a writer that did not commit
            assert connection is not None
            batch = self._writer.batch
            assert batch is not None
            try:
                connection.execute("ROLLBACK TO unit_of_work")
                connection.execute("RELEASE unit_of_work")
            except BaseException as exc:
                # The transaction itself failed (SQLite rolled it back): the batch's
                # members that committed into it learn it, and the next one starts anew.
                self._abandon(batch, exc)
                raise
            self._end_turn(batch)
            return
        if connection is None:  # a writer that committed
            return
        try:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
        except BaseException:
            connection.close()
            raise
        self._give_back(connection)

    def commit(self) -> None:
        """Commit this unit of work; returns once it is on disk (with its batch)."""
        writer = self._writer
        connection = self.connection
        if writer is None:  # a reading one
            connection.execute("COMMIT")
            return
        batch = writer.batch
        assert batch is not None
        try:
            connection.execute("RELEASE unit_of_work")
        except BaseException as exc:
            self._abandon(batch, exc)
            raise
        batch.members += 1
        # From here on the connection may serve the next writer: this one is done with it.
        self._connection = None
        self._repositories.clear()
        self._end_turn(batch)
        while not batch.done.wait(0.05):
            # The writer handed the turn to may have given up waiting for it (a timeout):
            # whoever finds the turn free and the batch still open commits it.
            if writer.turn.acquire(blocking=False):
                if writer.batch is not None:
                    self._writer = writer
                    self._commit_batch(writer.batch)
                else:
                    writer.turn.release()
        if batch.error is not None:
            raise batch.error

    def _end_turn(self, batch: _Batch) -> None:
        """Hand the turn to a waiting writer, or commit the batch (holding the turn)."""
        writer = self._writer
        assert writer is not None
        with writer.guard:
            hand_over = writer.waiting > 0 and batch.members < _MAX_BATCH
        if hand_over:
            self._writer = None
            writer.turn.release()
        else:
            self._commit_batch(batch)

    def _commit_batch(self, batch: _Batch) -> None:
        writer = self._writer
        assert writer is not None
        writer.batch = None
        try:
            try:
                batch.connection.execute("COMMIT" if batch.members else "ROLLBACK")
            except BaseException as exc:
                batch.error = exc
                if batch.connection.in_transaction:
                    batch.connection.execute("ROLLBACK")
        finally:
            writer.lock.release()
            self._give_back(batch.connection)
            batch.done.set()
            self._writer = None
            writer.turn.release()

    def _abandon(self, batch: _Batch, exc: BaseException) -> None:
        """The batch's transaction failed: none of its members is committed."""
        writer = self._writer
        assert writer is not None
        writer.batch = None
        batch.error = exc
        self._connection = None
        try:
            if batch.connection.in_transaction:
                batch.connection.execute("ROLLBACK")
        finally:
            batch.connection.close()
            writer.lock.release()
            batch.done.set()
            self._writer = None
            writer.turn.release()


class SqliteOutbox:
    """The ``DeliveryQueue`` on a table ``outbox``, rows claimed with a lease (either engine).

    The table needs the columns ``id`` (INTEGER PRIMARY KEY), ``uri``, ``body`` (the
    JSON text to POST), ``attempts``, ``next_attempt_at``, ``state`` ('pending' or
    'dead'), ``last_error`` and ``created_at``; each store's migrations create it,
    beside whatever says whose notification a row is. Stores add their ``add``.
    """

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def claim_due(self, now: float, lease_seconds: float, limit: int) -> list[OutboxItem]:
        rows = self._db.execute(
            "SELECT id, uri, body, attempts, created_at FROM outbox"
            " WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?"
            + dialect_of(self._db).skip_locked,
            (now, limit),
        ).fetchall()
        self._db.executemany(
            "UPDATE outbox SET next_attempt_at = ? WHERE id = ?",
            [(now + lease_seconds, row[0]) for row in rows],
        )
        return [OutboxItem(*row) for row in rows]

    def delivered(self, item_id: int) -> None:
        self._db.execute("DELETE FROM outbox WHERE id = ?", (item_id,))

    def postpone(self, item_id: int, until: float) -> None:
        self._db.execute(
            "UPDATE outbox SET next_attempt_at = ? WHERE id = ? AND state = 'pending'",
            (until, item_id),
        )

    def failed(self, item_id: int, error: str, retry_at: float | None) -> None:
        """Record a failed attempt; ``retry_at`` None gives up (the row stays, 'dead')."""
        self._db.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?,"
            " next_attempt_at = coalesce(CAST(? AS DOUBLE PRECISION), next_attempt_at),"
            " state = CASE WHEN CAST(? AS DOUBLE PRECISION) IS NULL THEN 'dead'"
            " ELSE 'pending' END WHERE id = ?",
            (error[:500], retry_at, retry_at, item_id),
        )

    def next_due(self) -> float | None:
        row = self._db.execute(
            "SELECT min(next_attempt_at) FROM outbox WHERE state = 'pending'"
        ).fetchone()
        return float(row[0]) if row and row[0] is not None else None

    def purge_dead(self, written_before: float) -> None:
        """Forget dead notifications written before then (bounded work per call)."""
        self._db.execute(
            "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox"
            " WHERE state = 'dead' AND created_at < ? LIMIT ?)",
            (written_before, _PURGE_BATCH),
        )


UnitOfWorkT = TypeVar("UnitOfWorkT", bound=SqliteTransaction)


class SqliteDatabase(Generic[UnitOfWorkT]):
    """A database file: migrated on open, and a factory of units of work on it."""

    # Tables that ``reset`` leaves as they are.
    kept_on_reset: tuple[str, ...] = ()

    def __init__(
        self,
        path: Path | str,
        migrate: Callable[[sqlite3.Connection], object],
        unit_of_work: type[UnitOfWorkT],
    ) -> None:
        self.path = Path(path)
        self._unit_of_work = unit_of_work
        _open(self.path, migrate)
        self._connections = _Connections(self.path)

    def unit_of_work(self, *, write: bool = True) -> UnitOfWorkT:
        return self._unit_of_work(self.path, write, self._connections)

    def reset(self) -> None:
        """Empty every table but ``kept_on_reset``; the schema and its version stay."""
        _empty(self.path, self.kept_on_reset)

    def unready(self, schema_version: int) -> list[str]:
        """Why the store cannot serve now: unreachable, not writable, or another schema.

        Writable is tried, not assumed: the write lock is taken and the header's
        ``user_version`` written (its own value) and rolled back, which a read-only file,
        a full or read-only file system, or a writer holding the lock refuses. The file
        is first asked whether it may be opened for writing: SQLite lends a new
        connection a file descriptor that a closed one of this process opened for
        writing while the units of work keep theirs open, and through it a file made
        read-only since would still take the write. The probe queues for the write lock
        as writers do (``_FileLock``), within ``PROBE_TIMEOUT_S`` in all: writers that
        hand the lock over at once would otherwise leave SQLite's busy handler, which
        sleeps between tries, few moments to find it free.
        """
        if self.path.exists() and not os.access(self.path, os.W_OK):
            return [f"store {self.path} is not writable: the file or its file system is readonly"]
        deadline = time.monotonic() + PROBE_TIMEOUT_S
        lock = _writer(self.path).lock
        if not lock.acquire(PROBE_TIMEOUT_S):
            return [f"store {self.path} is not writable: database is locked"]
        try:
            return self._try_writing(schema_version, max(deadline - time.monotonic(), 0.0))
        finally:
            lock.release()

    def _try_writing(self, schema_version: int, timeout: float) -> list[str]:
        try:
            connection = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except sqlite3.Error as exc:
            return [f"store {self.path} cannot be opened: {exc}"]
        try:
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            if version != schema_version:
                return [f"store schema is version {version}, this server needs {schema_version}"]
            connection.execute("BEGIN IMMEDIATE")
            connection.execute(f"PRAGMA user_version = {int(version)}")
            connection.execute("ROLLBACK")
        except sqlite3.Error as exc:
            return [f"store {self.path} is not writable: {exc}"]
        finally:
            connection.close()
        return []


_SQLITE_HEADER = b"SQLite format 3\x00"


class UnusableStore(Exception):
    """The file given as a store is not one this program can use; the message says why."""


def check_store_file(path: Path, marker_table: str, owner: str) -> None:
    """Refuse, in one line, a file that cannot be this program's store, before serving.

    A directory, a file that is not SQLite, a corrupt one (``PRAGMA quick_check``) or
    one that another program made (tables, but not ``marker_table``) raise
    ``UnusableStore``; a missing file is made, in a directory that must exist (a typo
    in the path is refused rather than made into a new, empty store).
    """
    if path.is_dir():
        raise UnusableStore(f"{path} is a directory, not a database file")
    if not path.exists():
        if not path.parent.is_dir():
            why = "is not a directory" if path.parent.exists() else "does not exist"
            raise UnusableStore(f"{path}: the directory {path.parent} {why}")
        return
    try:
        with path.open("rb") as file:
            header = file.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise UnusableStore(f"{path}: {exc.strerror}") from None
    if not header:
        return  # an empty file: SQLite makes a database of it
    if header != _SQLITE_HEADER:
        raise UnusableStore(f"{path} is not an SQLite database")
    try:
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error as exc:
        raise UnusableStore(f"{path}: {exc}") from None
    try:
        problems = [row[0] for row in connection.execute("PRAGMA quick_check")]
        tables = {
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
    except sqlite3.DatabaseError as exc:
        raise UnusableStore(f"{path} is damaged: {exc}") from None
    finally:
        connection.close()
    if problems != ["ok"]:
        raise UnusableStore(
            f"{path} is damaged (PRAGMA quick_check: {problems[0]}); restore it from a"
            " backup or use another --db"
        )
    if tables and marker_table not in tables:
        raise UnusableStore(f"{path} is a database of another program, not a {owner} store")
