"""The BDT policies: one repository for both engines (``nf_common.sql``)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from nf_common.sql import INTEGRITY_ERRORS, Connection
from pcf_server.policy.model import BdtPolicy
from pcf_server.service.ports import ConcurrentUpdate, DuplicateRequest
from pcf_server.storage import holds
from pcf_server.wire.bdt import policy_data_to_document, policy_from_documents


def _dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


class PolicyRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(self, policy: BdtPolicy, *, fingerprint: str | None = None) -> None:
        # A savepoint: on PostgreSQL a failed statement spoils the transaction, and the
        # duplicate is looked up in it.
        self._db.execute("SAVEPOINT add_policy")
        try:
            self._insert(policy, fingerprint)
        except INTEGRITY_ERRORS as exc:
            self._db.execute("ROLLBACK TO SAVEPOINT add_policy")
            self._db.execute("RELEASE SAVEPOINT add_policy")
            existing = (
                None
                if fingerprint is None
                else self.find_by_fingerprint(fingerprint, consumer=policy.consumer)
            )
            if existing is None:
                raise
            raise DuplicateRequest(existing) from exc
        self._db.execute(
            "INSERT INTO policy_count (consumer, n) VALUES (?, 1)"
            " ON CONFLICT (consumer) DO UPDATE SET n = policy_count.n + 1",
            (policy.consumer,),
        )
        self._db.execute("RELEASE SAVEPOINT add_policy")

    def count_of(self, consumer: str, *, at_most: int) -> int:
        # One row of the counter kept with every insert and delete (``policy_count``).
        row = self._db.execute(
            "SELECT n FROM policy_count WHERE consumer = ?", (consumer,)
        ).fetchone()
        return 0 if row is None else min(int(row[0]), at_most)

    def held_offers_of(self, consumer: str, now: float, *, at_most: int) -> int:
        # The consumer's rows of the counts kept as holds come and go (``holds``).
        return holds.held_offers_of(self._db, consumer, now, at_most=at_most)

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
            " notified_at = CASE WHEN invalidated_at IS NOT DISTINCT FROM"
            " CAST(? AS DOUBLE PRECISION) THEN notified_at END,"
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
        rows = self._db.execute(
            "DELETE FROM bdt_policy WHERE policy_id = ? RETURNING consumer", (policy_id,)
        ).fetchall()
        uncount(self._db, (row[0] for row in rows))
        holds.forget(self._db, [policy_id] if rows else [])

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


def uncount(db: Connection, consumers: Iterable[str]) -> None:
    """Take deleted policies off their consumers' counts (``policy_count``).

    Every delete of ``bdt_policy`` rows calls it in the same transaction, with the
    consumer of each row deleted (``DELETE ... RETURNING consumer``).
    """
    counts = Counter(consumers)
    if counts:
        db.executemany(
            # Never below 0, should rows have been inserted past the repository (a bulk
            # load): deleting them must not fail the purge, and with it every Create.
            "UPDATE policy_count SET n = CASE WHEN n > ? THEN n - ? ELSE 0 END WHERE consumer = ?",
            [(n, n, consumer) for consumer, n in counts.items()],
        )
