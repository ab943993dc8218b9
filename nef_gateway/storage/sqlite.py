"""SQLite repositories and unit of work of the NEF gateway."""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from nef_gateway.domain import Subscription
from nf_common import migrations
from nf_common.sqlite import SqliteDatabase, SqliteTransaction
from nf_common.sqlite import SqliteOutbox as SqliteDeliveryQueue

_MIGRATIONS = "nef_gateway.storage.migrations"


class ConcurrentUpdate(Exception):
    """The subscription changed (or went) since it was read."""


def migrate(connection: sqlite3.Connection) -> int:
    """Bring the gateway's database to the newest schema (``nf_common.migrations``)."""
    return migrations.migrate(connection, resources.files(_MIGRATIONS), "gateway")


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


class SqliteOutbox(SqliteDeliveryQueue):
    """Notifications to deliver to AFs; claimed with a lease so one sender has each."""

    def add(self, subscription_id: str, uri: str, body: dict[str, Any], now: float) -> None:
        self._db.execute(
            "INSERT INTO outbox (subscription_id, uri, body, next_attempt_at, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (subscription_id, uri, _dumps(body), now, now),
        )

    def rows(self) -> list[dict[str, Any]]:
        """Every row, for the operator and for tests."""
        rows = self._db.execute(
            "SELECT id, subscription_id, uri, attempts, state, last_error FROM outbox ORDER BY id"
        ).fetchall()
        keys = ("id", "subscriptionId", "uri", "attempts", "state", "lastError")
        return [dict(zip(keys, row, strict=True)) for row in rows]


class SqliteUnitOfWork(SqliteTransaction):
    """One transaction: BEGIN IMMEDIATE for writers, so read-then-write is not interleaved."""

    @property
    def subscriptions(self) -> SqliteSubscriptions:
        return self.one(SqliteSubscriptions)

    @property
    def notifications(self) -> SqliteNotifications:
        return self.one(SqliteNotifications)

    @property
    def outbox(self) -> SqliteOutbox:
        return self.one(SqliteOutbox)


class SqliteStore(SqliteDatabase[SqliteUnitOfWork]):
    """The gateway's database file, migrated on open (see ``SqliteDatabase``)."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(path, migrate, SqliteUnitOfWork)
