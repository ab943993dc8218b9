"""SQLite repositories and unit of work of the NEF gateway."""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from nef_gateway.domain import Subscription
from nf_common import migrations

_BUSY_TIMEOUT_S = 30.0
_MIGRATIONS = "nef_gateway.storage.migrations"


class ConcurrentUpdate(Exception):
    """The subscription changed (or went) since it was read."""


def _connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: BEGIN/COMMIT are ours, so writers take the lock up front.
    connection = sqlite3.connect(path, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    return connection


def _dumps(document: Any) -> str:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


_COLUMNS = (
    "subscription_id, scs_as_id, request_document, policy_id, bdt_ref_id, transfer_policies,"
    " selected_policy, notification_destination, warnings, removable, valid, version"
)


def _row_to_subscription(row: tuple[Any, ...]) -> Subscription:
    return Subscription(
        subscription_id=row[0],
        scs_as_id=row[1],
        request=json.loads(row[2]),
        policy_id=row[3],
        bdt_ref_id=row[4],
        transfer_policies=tuple(json.loads(row[5])),
        selected=row[6],
        notification_destination=row[7],
        warnings=None if row[8] is None else bool(row[8]),
        removable=bool(row[9]),
        valid=bool(row[10]),
        version=row[11],
    )


class SqliteSubscriptions:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def add(self, subscription: Subscription) -> None:
        now = time.time()
        self._db.execute(
            f"INSERT INTO subscription ({_COLUMNS}, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*self._values(subscription), subscription.version, now, now),
        )

    @staticmethod
    def _values(s: Subscription) -> tuple[Any, ...]:
        return (
            s.subscription_id,
            s.scs_as_id,
            _dumps(s.request),
            s.policy_id,
            s.bdt_ref_id,
            _dumps(list(s.transfer_policies)),
            s.selected,
            s.notification_destination,
            None if s.warnings is None else int(s.warnings),
            int(s.removable),
            int(s.valid),
        )

    def get(self, subscription_id: str) -> Subscription | None:
        row = self._db.execute(
            f"SELECT {_COLUMNS} FROM subscription WHERE subscription_id = ?", (subscription_id,)
        ).fetchone()
        return None if row is None else _row_to_subscription(row)

    def of_af(self, scs_as_id: str) -> list[Subscription]:
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM subscription WHERE scs_as_id = ? ORDER BY created_at",
            (scs_as_id,),
        ).fetchall()
        return [_row_to_subscription(row) for row in rows]

    def all(self) -> list[Subscription]:
        rows = self._db.execute(
            f"SELECT {_COLUMNS} FROM subscription ORDER BY created_at"
        ).fetchall()
        return [_row_to_subscription(row) for row in rows]

    def save(self, subscription: Subscription) -> None:
        """Write the subscription back, if nobody changed it since it was read."""
        cursor = self._db.execute(
            "UPDATE subscription SET request_document = ?, bdt_ref_id = ?, transfer_policies = ?,"
            " selected_policy = ?, notification_destination = ?, warnings = ?, removable = ?,"
            " valid = ?, version = version + 1, updated_at = ?"
            " WHERE subscription_id = ? AND version = ?",
            (
                _dumps(subscription.request),
                subscription.bdt_ref_id,
                _dumps(list(subscription.transfer_policies)),
                subscription.selected,
                subscription.notification_destination,
                None if subscription.warnings is None else int(subscription.warnings),
                int(subscription.removable),
                int(subscription.valid),
                time.time(),
                subscription.subscription_id,
                subscription.version,
            ),
        )
        if cursor.rowcount != 1:
            raise ConcurrentUpdate(subscription.subscription_id)
        subscription.version += 1

    def remove(self, subscription_id: str) -> None:
        self._db.execute("DELETE FROM subscription WHERE subscription_id = ?", (subscription_id,))


@dataclass(frozen=True)
class StoredNotification:
    subscription_id: str
    body: dict[str, Any]
    received_at: float


class SqliteNotifications:
    """The PCF's warnings, as received."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def add(self, subscription_id: str, body: dict[str, Any]) -> None:
        self._db.execute(
            "INSERT INTO pcf_notification (subscription_id, body, received_at) VALUES (?, ?, ?)",
            (subscription_id, _dumps(body), time.time()),
        )

    def of(self, subscription_id: str) -> list[StoredNotification]:
        rows = self._db.execute(
            "SELECT subscription_id, body, received_at FROM pcf_notification"
            " WHERE subscription_id = ? ORDER BY id",
            (subscription_id,),
        ).fetchall()
        return [StoredNotification(row[0], json.loads(row[1]), row[2]) for row in rows]


@dataclass(frozen=True)
class OutboxItem:
    item_id: int
    subscription_id: str
    uri: str
    body: bytes
    attempts: int
    created_at: float


class SqliteOutbox:
    """Notifications to deliver to AFs; claimed with a lease so one sender has each."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def add(self, subscription_id: str, uri: str, body: dict[str, Any], now: float) -> None:
        self._db.execute(
            "INSERT INTO outbox (subscription_id, uri, body, next_attempt_at, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (subscription_id, uri, _dumps(body), now, now),
        )

    def claim_due(self, now: float, lease_seconds: float, limit: int) -> list[OutboxItem]:
        rows = self._db.execute(
            "SELECT id, subscription_id, uri, body, attempts, created_at FROM outbox"
            " WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?",
            (now, limit),
        ).fetchall()
        for row in rows:
            self._db.execute(
                "UPDATE outbox SET next_attempt_at = ? WHERE id = ?", (now + lease_seconds, row[0])
            )
        return [OutboxItem(r[0], r[1], r[2], r[3].encode(), r[4], r[5]) for r in rows]

    def next_due(self) -> float | None:
        row = self._db.execute(
            "SELECT MIN(next_attempt_at) FROM outbox WHERE state = 'pending'"
        ).fetchone()
        return None if row is None or row[0] is None else float(row[0])

    def delivered(self, item_id: int) -> None:
        self._db.execute("DELETE FROM outbox WHERE id = ?", (item_id,))

    def failed(self, item_id: int, error: str, retry_at: float | None) -> None:
        """Record a failed attempt: retry at ``retry_at``, or dead when it is None."""
        if retry_at is None:
            self._db.execute(
                "UPDATE outbox SET state = 'dead', attempts = attempts + 1, last_error = ?"
                " WHERE id = ?",
                (error, item_id),
            )
        else:
            self._db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?"
                " WHERE id = ?",
                (error, retry_at, item_id),
            )

    def rows(self) -> list[dict[str, Any]]:
        """Every row, for the operator and for tests."""
        rows = self._db.execute(
            "SELECT id, subscription_id, uri, attempts, state, last_error FROM outbox ORDER BY id"
        ).fetchall()
        keys = ("id", "subscriptionId", "uri", "attempts", "state", "lastError")
        return [dict(zip(keys, row, strict=True)) for row in rows]


class SqliteUnitOfWork:
    """One transaction: BEGIN IMMEDIATE for writers, so read-then-write is not interleaved."""

    def __init__(self, path: Path, write: bool = True) -> None:
        self._path = path
        self._write = write
        self._connection: sqlite3.Connection | None = None

    def _db(self) -> sqlite3.Connection:
        assert self._connection is not None, "use the unit of work in a with block"
        return self._connection

    @property
    def subscriptions(self) -> SqliteSubscriptions:
        return SqliteSubscriptions(self._db())

    @property
    def notifications(self) -> SqliteNotifications:
        return SqliteNotifications(self._db())

    @property
    def outbox(self) -> SqliteOutbox:
        return SqliteOutbox(self._db())

    def __enter__(self) -> Self:
        self._connection = _connect(self._path)
        self._connection.execute("BEGIN IMMEDIATE" if self._write else "BEGIN DEFERRED")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection = self._db()
        try:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
        finally:
            connection.close()
            self._connection = None

    def commit(self) -> None:
        self._db().execute("COMMIT")


class SqliteStore:
    """A database file: migrated on open, and a factory of units of work on it."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = _connect(self.path)
        try:
            migrations.migrate(connection, resources.files(_MIGRATIONS), "gateway")
        finally:
            connection.close()

    def unit_of_work(self, *, write: bool = True) -> SqliteUnitOfWork:
        return SqliteUnitOfWork(self.path, write)
