"""SQLite implementation of the repository and unit of work.

Durability and transactions are those of every store of ours (``nf_common.sqlite``):
an acknowledged create or update survives a crash of the process or of the machine.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nf_common.sqlite import SqliteDatabase, SqliteTransaction, connect
from pcf_server.policy.model import BdtPolicy
from pcf_server.service.ports import ConcurrentUpdate, DuplicateRequest, StoreCounts
from pcf_server.storage.analytics import SqliteAnalyticsRecords
from pcf_server.storage.ledger import SqliteCapacityLedger
from pcf_server.storage.migrate import migrate, migrations
from pcf_server.storage.outbox import SqliteOutbox
from pcf_server.wire.bdt import policy_data_to_document, policy_from_documents


def _dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


class SqlitePolicyRepository:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def add(self, policy: BdtPolicy, *, fingerprint: str | None = None) -> None:
        try:
            self._insert(policy, fingerprint)
        except sqlite3.IntegrityError as exc:
            existing = (
                None
                if fingerprint is None
                else self.find_by_fingerprint(fingerprint, consumer=policy.consumer)
            )
            if existing is None:
                raise
            raise DuplicateRequest(existing) from exc

    def count_of(self, consumer: str, *, at_most: int) -> int:
        # Bounded by at_most: the limit being checked, never the number of policies stored.
        row = self._db.execute(
            "SELECT count(*) FROM (SELECT 1 FROM bdt_policy WHERE consumer = ? LIMIT ?)",
            (consumer, at_most),
        ).fetchone()
        return int(row[0])

    def held_offers_of(self, consumer: str, now: float, *, at_most: int) -> int:
        row = self._db.execute(
            "SELECT count(*) FROM (SELECT DISTINCT r.policy_id FROM reservation AS r"
            " JOIN bdt_policy AS p ON p.policy_id = r.policy_id"
            " WHERE r.state = 'held' AND r.expires_at > ? AND p.consumer = ? LIMIT ?)",
            (now, consumer, at_most),
        ).fetchone()
        return int(row[0])

    def _insert(self, policy: BdtPolicy, fingerprint: str | None) -> None:
        self._db.execute(
            "INSERT INTO bdt_policy (policy_id, bdt_ref_id, asp_id, request_document,"
            " policy_data, version, created_at, fingerprint, window_stop, valid, consumer)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                policy.policy_id,
                policy.bdt_ref_id,
                policy.request.asp_id,
                _dumps(policy.request_document),
                _dumps(policy_data_to_document(policy)),
                policy.version,
                datetime.now(UTC).isoformat(),
                fingerprint,
                policy.window_stop.timestamp(),
                int(policy.valid),
                policy.consumer,
            ),
        )

    def find_by_fingerprint(self, fingerprint: str, *, consumer: str) -> str | None:
        row = self._db.execute(
            "SELECT policy_id FROM bdt_policy WHERE consumer = ? AND fingerprint = ?",
            (consumer, fingerprint),
        ).fetchone()
        return None if row is None else str(row[0])

    def get(self, policy_id: str, *, consumer: str | None = None) -> BdtPolicy | None:
        row = self._db.execute(
            "SELECT policy_id, request_document, policy_data, version, valid, consumer,"
            " invalidated_at FROM bdt_policy WHERE policy_id = ?",
            (policy_id,),
        ).fetchone()
        if row is None or (consumer is not None and row[5] != consumer):
            return None
        # Trusted as written: no rule of today is applied again to a row of yesterday.
        policy = policy_from_documents(
            row[0], json.loads(row[1]), json.loads(row[2]), row[3], valid=bool(row[4])
        )
        policy.consumer = row[5]
        policy.invalidated_at = None if row[6] is None else datetime.fromtimestamp(row[6], UTC)
        return policy

    def save(self, policy: BdtPolicy) -> None:
        invalidated_at = policy.invalidated_at and policy.invalidated_at.timestamp()
        cursor = self._db.execute(
            "UPDATE bdt_policy SET request_document = ?, policy_data = ?, version = ?,"
            " window_stop = ?, valid = ?,"
            # A new invalidation (or none) starts the wait for the NEF's answer afresh.
            " notified_at = CASE WHEN invalidated_at IS ? THEN notified_at END,"
            " invalidated_at = ? WHERE policy_id = ? AND version = ?",
            (
                _dumps(policy.request_document),
                _dumps(policy_data_to_document(policy)),
                policy.version + 1,
                policy.window_stop.timestamp(),
                int(policy.valid),
                invalidated_at,
                invalidated_at,
                policy.policy_id,
                policy.version,
            ),
        )
        if cursor.rowcount != 1:
            raise ConcurrentUpdate(policy.policy_id)
        policy.version += 1

    def remove(self, policy_id: str) -> None:
        self._db.execute("DELETE FROM bdt_policy WHERE policy_id = ?", (policy_id,))

    def note_notified(self, now: float) -> None:
        self._db.execute(
            "UPDATE bdt_policy SET notified_at = ? WHERE valid = 0 AND notified_at IS NULL"
            " AND invalidated_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM outbox AS o"
            " WHERE o.policy_id = bdt_policy.policy_id AND o.state = 'pending')",
            (now,),
        )

    def unanswered(self, notified_before: float, limit: int) -> list[str]:
        rows = self._db.execute(
            "SELECT policy_id FROM bdt_policy WHERE valid = 0 AND notified_at <= ?"
            " ORDER BY notified_at LIMIT ?",
            (notified_before, limit),
        )
        return [row[0] for row in rows]


class SqliteCensus:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def counts(self, now: float) -> StoreCounts:
        policies = self._db.execute("SELECT count(*) FROM bdt_policy").fetchone()[0]
        reservations = dict.fromkeys(("held", "committed"), 0) | dict(
            self._db.execute(
                "SELECT state, count(*) FROM reservation"
                " WHERE state = 'committed' OR expires_at > ? GROUP BY state",
                (now,),
            ).fetchall()
        )
        held = self._db.execute(
            "SELECT count(DISTINCT policy_id) FROM reservation"
            " WHERE state = 'held' AND expires_at > ?",
            (now,),
        ).fetchone()[0]
        outbox = dict.fromkeys(("pending", "dead"), 0) | dict(
            self._db.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall()
        )
        return StoreCounts(int(policies), reservations, int(held), outbox)


class SqliteUnitOfWork(SqliteTransaction):
    @property
    def policies(self) -> SqlitePolicyRepository:
        return self.one(SqlitePolicyRepository)

    @property
    def capacity(self) -> SqliteCapacityLedger:
        return self.one(SqliteCapacityLedger)

    @property
    def outbox(self) -> SqliteOutbox:
        return self.one(SqliteOutbox)

    @property
    def analytics(self) -> SqliteAnalyticsRecords:
        return self.one(SqliteAnalyticsRecords)

    @property
    def census(self) -> SqliteCensus:
        return self.one(SqliteCensus)


class SettingsMismatch(Exception):
    """The store was made under other settings than those given (``SqliteStore.bind``)."""

    def __init__(self, name: str, recorded: str, given: str | None) -> None:
        super().__init__(f"{name}: recorded {recorded!r}, given {given!r}")
        self.name = name
        self.recorded = recorded
        self.given = given


class SqliteStore(SqliteDatabase[SqliteUnitOfWork]):
    """The PCF's database file, migrated on open (see ``SqliteDatabase``)."""

    # What the rows would mean stays the same across a reset.
    kept_on_reset = ("store_setting",)

    def __init__(self, path: Path | str) -> None:
        super().__init__(path, migrate, SqliteUnitOfWork)

    def unready_reasons(self) -> list[str]:
        """Why the store cannot serve now (``SqliteDatabase.unready``) at this schema."""
        return self.unready(len(migrations()))

    def bind(self, settings: Mapping[str, str]) -> None:
        """Check ``settings`` against those the store was made under, recording new ones.

        Stored rows mean something only under the settings they were written with (slot
        numbers under one slot length, areas by their ids); two servers configured
        differently on one store would purge each other's rows and overbook. A recorded
        setting that ``settings`` lacks or gives otherwise raises ``SettingsMismatch``;
        a setting not recorded yet (a new area) is recorded. All in one transaction, so
        servers starting together agree.
        """
        connection = connect(self.path)
        try:
            connection.execute("BEGIN IMMEDIATE")
            recorded = dict(connection.execute("SELECT name, value FROM store_setting"))
            for name in sorted(recorded):
                if settings.get(name) != recorded[name]:
                    raise SettingsMismatch(name, recorded[name], settings.get(name))
            connection.executemany(
                "INSERT INTO store_setting (name, value) VALUES (?, ?)",
                [(name, value) for name, value in settings.items() if name not in recorded],
            )
            connection.execute("COMMIT")
        finally:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            connection.close()

    def nf_instance_id(self, api_root: str, chosen: str | None = None) -> str:
        """The NF instance id of the PCF at ``api_root``: ``chosen``, else the one kept.

        A new one (a UUID, TS 29.571 NfInstanceId) is made and kept the first time, so
        that a restarted PCF registers as the same instance.
        """
        connection = connect(self.path)
        try:
            connection.execute("BEGIN IMMEDIATE")
            if chosen is not None:
                connection.execute("DELETE FROM nf_instance WHERE nf_instance_id = ?", (chosen,))
                connection.execute(
                    "INSERT OR REPLACE INTO nf_instance (api_root, nf_instance_id) VALUES (?, ?)",
                    (api_root, chosen),
                )
            else:
                connection.execute(
                    "INSERT OR IGNORE INTO nf_instance (api_root, nf_instance_id) VALUES (?, ?)",
                    (api_root, str(uuid.uuid4())),
                )
            row = connection.execute(
                "SELECT nf_instance_id FROM nf_instance WHERE api_root = ?", (api_root,)
            ).fetchone()
            connection.execute("COMMIT")
        finally:
            connection.close()
        return str(row[0])
