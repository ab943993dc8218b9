"""The count of each consumer's held offers, kept as holds come and go (either engine).

The limit on held offers (``BdtPolicyControl``) is checked on every Create that offers
candidates, so what it reads must not grow with the holds: it sums the consumer's rows
of ``held_offer_count``, one per whole second in which some of its holds expire, at most
one per second of the hold time, whatever the number of holds (migration 0009).

``held_offer`` has one row per policy with held reservations, saying in which second
its last hold expires; ``held_offer_count`` counts those rows per consumer and second.
The ledger calls ``recount`` for a policy after each change of its reservations that can
start, move or end its holds, and ``forget`` when policies are deleted; both are
idempotent, and run in the transaction of the change. A hold that merely expires needs
nothing: its second is then in the past, which the count does not read, and ``purge``
forgets such rows in bounded batches.

Exactness: a policy counts from its hold until the start of the second in which the
hold expires, so up to one second less than the hold itself; the limit is a bound on
abuse (a consumer leaving its offers unselected to keep capacity from others), which a
consumer's holds of the last second do not change.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from nf_common.sql import Connection


def held_offers_of(db: Connection, consumer: str, now: float, *, at_most: int) -> int:
    """How many of ``consumer``'s policies have holds that expire after ``now``'s second."""
    row = db.execute(
        "SELECT coalesce(sum(n), 0) FROM held_offer_count WHERE consumer = ? AND expiry > ?",
        (consumer, math.floor(now)),
    ).fetchone()
    return min(int(row[0]), at_most)


def recount(db: Connection, policy_id: str) -> None:
    """Bring ``policy_id``'s row and its consumer's count in line with its held rows."""
    row = db.execute(
        "SELECT max(expires_at) FROM reservation WHERE policy_id = ? AND state = 'held'",
        (policy_id,),
    ).fetchone()
    expiry = None if row is None or row[0] is None else math.floor(row[0])
    kept = db.execute(
        "SELECT consumer, expiry FROM held_offer WHERE policy_id = ?", (policy_id,)
    ).fetchone()
    if kept is not None and kept[1] == expiry:
        return
    if kept is not None:
        db.execute("DELETE FROM held_offer WHERE policy_id = ?", (policy_id,))
        _take_one(db, kept[0], kept[1])
    if expiry is None:
        return
    owner = db.execute(
        "SELECT consumer FROM bdt_policy WHERE policy_id = ?", (policy_id,)
    ).fetchone()
    if owner is None:  # reservations of no stored policy hold nothing of a consumer's
        return
    db.execute(
        "INSERT INTO held_offer (policy_id, consumer, expiry) VALUES (?, ?, ?)",
        (policy_id, owner[0], expiry),
    )
    db.execute(
        "INSERT INTO held_offer_count (consumer, expiry, n) VALUES (?, ?, 1)"
        " ON CONFLICT (consumer, expiry) DO UPDATE SET n = held_offer_count.n + 1",
        (owner[0], expiry),
    )


def forget(db: Connection, policy_ids: Iterable[str]) -> None:
    """Take deleted policies' holds off their consumers' counts."""
    for policy_id in policy_ids:
        rows = db.execute(
            "DELETE FROM held_offer WHERE policy_id = ? RETURNING consumer, expiry", (policy_id,)
        ).fetchall()
        for consumer, expiry in rows:
            _take_one(db, consumer, expiry)


def purge(db: Connection, now: float, batch: int) -> None:
    """Forget rows of holds expired before ``now``'s second (at most ``batch`` of each)."""
    second = math.floor(now)
    db.execute(
        "DELETE FROM held_offer WHERE policy_id IN"
        " (SELECT policy_id FROM held_offer WHERE expiry <= ? LIMIT ?)",
        (second, batch),
    )
    db.execute(
        "DELETE FROM held_offer_count WHERE (consumer, expiry) IN"
        " (SELECT consumer, expiry FROM held_offer_count WHERE expiry <= ? LIMIT ?)",
        (second, batch),
    )


def _take_one(db: Connection, consumer: str, expiry: int) -> None:
    cursor = db.execute(
        "DELETE FROM held_offer_count WHERE consumer = ? AND expiry = ? AND n = 1",
        (consumer, expiry),
    )
    if cursor.rowcount == 0:
        db.execute(
            "UPDATE held_offer_count SET n = n - 1 WHERE consumer = ? AND expiry = ?",
            (consumer, expiry),
        )
