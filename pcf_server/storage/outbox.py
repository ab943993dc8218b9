"""The notification outbox on SQLite: rows claimed with a lease, so one sender sends each."""

from __future__ import annotations

import json
import sqlite3

from pcf_server.policy.warning import WarningNotification
from pcf_server.service.ports import OutboxItem
from pcf_server.wire.bdt import notification_document

_PURGE_BATCH = 500  # bounded work per call, as for the ledger's purge


class SqliteOutbox:
    """Notifications waiting for delivery, each kept as the body it will be POSTed with."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def add(self, notification: WarningNotification, now: float) -> None:
        body = json.dumps(notification_document(notification), separators=(",", ":"))
        self._db.execute(
            "INSERT INTO outbox (policy_id, uri, body, next_attempt_at, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (notification.policy_id, notification.uri, body, now, now),
        )

    def claim_due(self, now: float, lease_seconds: float, limit: int) -> list[OutboxItem]:
        rows = self._db.execute(
            "SELECT id, uri, body, attempts, created_at FROM outbox"
            " WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?",
            (now, limit),
        ).fetchall()
        self._db.executemany(
            "UPDATE outbox SET next_attempt_at = ? WHERE id = ?",
            [(now + lease_seconds, row[0]) for row in rows],
        )
        return [OutboxItem(*row) for row in rows]

    def delivered(self, item_id: int) -> None:
        self._db.execute("DELETE FROM outbox WHERE id = ?", (item_id,))

    def failed(self, item_id: int, error: str, retry_at: float | None) -> None:
        """Record a failed attempt; ``retry_at`` None gives up (the row stays, 'dead')."""
        self._db.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?,"
            " next_attempt_at = coalesce(?, next_attempt_at),"
            " state = CASE WHEN ? IS NULL THEN 'dead' ELSE 'pending' END WHERE id = ?",
            (error[:500], retry_at, retry_at, item_id),
        )

    def next_due(self) -> float | None:
        row = self._db.execute(
            "SELECT min(next_attempt_at) FROM outbox WHERE state = 'pending'"
        ).fetchone()
        return float(row[0]) if row and row[0] is not None else None

    def purge_dead(self, written_before: float) -> None:
        self._db.execute(
            "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox"
            " WHERE state = 'dead' AND created_at < ? LIMIT ?)",
            (written_before, _PURGE_BATCH),
        )
