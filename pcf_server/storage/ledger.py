"""The capacity ledger: reservations, operator overrides, degradations (either engine).

The ledger is also the ``LoadView`` the decision engine reads, on the connection of the
unit of work that will write the outcome: a decision and the reservation it leads to see
one state. Writes to the per-slot aggregates are guarded UPDATEs,
``... WHERE reserved + x <= limit``; a reservation that does not fit in every slot is
rolled back to a savepoint and reported, never half-applied. Both stores serialise
writers (SQLite's ``BEGIN IMMEDIATE``, PostgreSQL's advisory write lock), so the guard
never fires in practice; it is what still keeps the invariant should a writer run
without that lock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from nf_common.sql import Connection
from pcf_server.policy.decision import Reservation
from pcf_server.policy.network import Rates
from pcf_server.service.ports import (
    AreaReservation,
    Limits,
    StoredDegradation,
    StoredReservation,
)
from pcf_server.storage import holds
from pcf_server.storage.policies import uncount

_EPSILON = 1e-3  # bit/s: float sums drift a little after many += and -=
_PURGE_BATCH = 500  # bounded work per call, so that one request never pays for a backlog


class CapacityLedger:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    # -- LoadView ---------------------------------------------------------------------

    def reserved(self, area_id: str, first_slot: int, stop_slot: int) -> Mapping[int, Rates]:
        rows = self._db.execute(
            "SELECT slot, reserved_dl, reserved_ul FROM slot_load"
            " WHERE area_id = ? AND slot >= ? AND slot < ?",
            (area_id, first_slot, stop_slot),
        )
        return {slot: Rates(dl, ul) for slot, dl, ul in rows}

    def capacity_override(self, area_id: str) -> Rates | None:
        row = self._db.execute(
            "SELECT downlink, uplink FROM area_capacity WHERE area_id = ?", (area_id,)
        ).fetchone()
        return Rates(row[0], row[1]) if row else None

    def degradation(self, area_id: str, first_slot: int, stop_slot: int) -> Mapping[int, float]:
        rows = self._db.execute(
            "SELECT slot, factor FROM degraded_slot WHERE area_id = ? AND slot >= ? AND slot < ?",
            (area_id, first_slot, stop_slot),
        )
        return dict(rows.fetchall())

    # -- reservations -----------------------------------------------------------------

    def reserve(
        self,
        policy_id: str,
        reservation: Reservation,
        limits: Limits,
        held_until: float | None,
    ) -> bool:
        """Take the capacity of one transfer policy in all its areas, or nothing."""
        rates = reservation.rates
        slots = range(reservation.first_slot, reservation.stop_slot)
        self._db.execute("SAVEPOINT reserve")
        try:
            for area_id in reservation.areas:
                self._db.executemany(
                    "INSERT INTO slot_load (area_id, slot) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    [(area_id, slot) for slot in slots],
                )
                cursor = self._db.executemany(
                    "UPDATE slot_load SET reserved_dl = reserved_dl + ?,"
                    " reserved_ul = reserved_ul + ?"
                    " WHERE area_id = ? AND slot = ?"
                    " AND (? <= 0 OR reserved_dl + ? <= ?)"
                    " AND (? <= 0 OR reserved_ul + ? <= ?)",
                    [
                        (
                            rates.downlink,
                            rates.uplink,
                            area_id,
                            slot,
                            rates.downlink,
                            rates.downlink,
                            limit.downlink + _EPSILON,
                            rates.uplink,
                            rates.uplink,
                            limit.uplink + _EPSILON,
                        )
                        for slot, limit in zip(slots, limits[area_id], strict=True)
                    ],
                )
                if cursor.rowcount != len(slots):
                    self._db.execute("ROLLBACK TO SAVEPOINT reserve")
                    return False
                self._db.execute(
                    "INSERT INTO reservation (policy_id, trans_policy_id, area_id,"
                    " first_slot, stop_slot, rate_dl, rate_ul, state, expires_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (policy_id, trans_policy_id, area_id) DO UPDATE SET"
                    " first_slot = excluded.first_slot, stop_slot = excluded.stop_slot,"
                    " rate_dl = excluded.rate_dl, rate_ul = excluded.rate_ul,"
                    " state = excluded.state, expires_at = excluded.expires_at",
                    (
                        policy_id,
                        reservation.transfer_policy_id,
                        area_id,
                        reservation.first_slot,
                        reservation.stop_slot,
                        rates.downlink,
                        rates.uplink,
                        "held" if held_until is not None else "committed",
                        held_until,
                    ),
                )
            holds.recount(self._db, policy_id)
            return True
        finally:
            self._db.execute("RELEASE SAVEPOINT reserve")

    def commit_hold(self, policy_id: str, transfer_policy_id: int) -> bool:
        """Turn a live hold into a commitment; False when there is no such hold (expired)."""
        cursor = self._db.execute(
            "UPDATE reservation SET state = 'committed', expires_at = NULL"
            " WHERE policy_id = ? AND trans_policy_id = ?",
            (policy_id, transfer_policy_id),
        )
        if cursor.rowcount == 0:
            return False
        holds.recount(self._db, policy_id)
        return True

    def reservations_of(self, policy_id: str) -> list[StoredReservation]:
        rows = self._db.execute(
            "SELECT trans_policy_id, area_id, first_slot, stop_slot, rate_dl, rate_ul, state"
            " FROM reservation WHERE policy_id = ?",
            (policy_id,),
        )
        return [StoredReservation(t, a, f, s, Rates(dl, ul), st) for t, a, f, s, dl, ul, st in rows]

    def release(self, policy_id: str, *, keep: int | None = None) -> None:
        """Give back what a policy holds or has committed, except transfer policy ``keep``."""
        given_back = [
            item for item in self.reservations_of(policy_id) if item.transfer_policy_id != keep
        ]
        for item in given_back:
            self._give_back(policy_id, item)
        if any(item.state == "held" for item in given_back):
            holds.recount(self._db, policy_id)

    def _give_back(self, policy_id: str, item: StoredReservation) -> None:
        self._db.execute(
            "UPDATE slot_load"
            " SET reserved_dl = CASE WHEN reserved_dl > ? THEN reserved_dl - ? ELSE 0 END,"
            " reserved_ul = CASE WHEN reserved_ul > ? THEN reserved_ul - ? ELSE 0 END"
            " WHERE area_id = ? AND slot >= ? AND slot < ?",
            (
                item.rates.downlink,
                item.rates.downlink,
                item.rates.uplink,
                item.rates.uplink,
                item.area_id,
                item.first_slot,
                item.stop_slot,
            ),
        )
        self._db.execute(
            "DELETE FROM reservation WHERE policy_id = ? AND trans_policy_id = ? AND area_id = ?",
            (policy_id, item.transfer_policy_id, item.area_id),
        )

    def committed_overlapping(self, area_id: str, first_slot: int, stop_slot: int) -> list[str]:
        """Policies in force whose window touches [first_slot, stop_slot) in the area."""
        rows = self._db.execute(
            "SELECT r.policy_id FROM reservation AS r"
            " JOIN bdt_policy AS p ON p.policy_id = r.policy_id"
            " WHERE r.area_id = ? AND r.stop_slot > ? AND r.first_slot < ?"
            " AND r.state = 'committed' GROUP BY r.policy_id, p.created_at"
            " ORDER BY p.created_at, r.policy_id",
            (area_id, first_slot, stop_slot),
        )
        return [row[0] for row in rows]

    def reservations_in(
        self, area_id: str, first_slot: int, stop_slot: int, now: float
    ) -> list[AreaReservation]:
        rows = self._db.execute(
            "SELECT p.asp_id, r.first_slot, r.stop_slot, r.rate_dl, r.rate_ul, r.state"
            " FROM reservation AS r JOIN bdt_policy AS p ON p.policy_id = r.policy_id"
            " WHERE r.area_id = ? AND r.stop_slot > ? AND r.first_slot < ?"
            " AND (r.state = 'committed' OR r.expires_at > ?)",
            (area_id, first_slot, stop_slot, now),
        )
        return [AreaReservation(a, f, s, Rates(dl, ul), st) for a, f, s, dl, ul, st in rows]

    def purge(self, now: datetime, slot_seconds: int) -> bool:
        """Free what expired holds keep, forget what has passed; bounded work per call.

        True when expired holds gave capacity back: a decision made before saw less room.
        """
        expired = self._db.execute(
            "SELECT policy_id, trans_policy_id, area_id, first_slot, stop_slot, rate_dl,"
            " rate_ul, state FROM reservation WHERE state = 'held' AND expires_at <= ?"
            " LIMIT ?",
            (now.timestamp(), _PURGE_BATCH),
        ).fetchall()
        for policy_id, tp, area, first, stop, dl, ul, state in expired:
            self._give_back(
                policy_id, StoredReservation(tp, area, first, stop, Rates(dl, ul), state)
            )
        # Expired holds count no more (``holds``): their rows are forgotten, not recounted.
        holds.purge(self._db, now.timestamp(), _PURGE_BATCH)
        current = int(now.timestamp() // slot_seconds)
        # Holds on windows that have passed are let go with them, whether expired or not.
        # (Made distinct here: SELECT DISTINCT led SQLite's planner to scan the table.)
        passed_holds = {
            row[0]
            for row in self._db.execute(
                "SELECT policy_id FROM reservation WHERE stop_slot <= ? AND state = 'held'",
                (current,),
            )
        }
        self._db.execute("DELETE FROM reservation WHERE stop_slot <= ?", (current,))
        for policy_id in sorted(passed_holds):
            holds.recount(self._db, policy_id)
        self._db.execute(
            "DELETE FROM degradation WHERE id IN (SELECT id FROM degradation"
            " WHERE stop_slot <= ? LIMIT ?)",
            (current, _PURGE_BATCH),
        )
        ended = self._db.execute(
            "DELETE FROM bdt_policy WHERE policy_id IN (SELECT policy_id FROM bdt_policy"
            " WHERE window_stop < ? LIMIT ?) RETURNING consumer, policy_id",
            (now.timestamp(), _PURGE_BATCH),
        ).fetchall()
        uncount(self._db, (row[0] for row in ended))
        holds.forget(self._db, (row[1] for row in ended))
        return bool(expired)

    def purge_slots(self, area_ids: Sequence[str], now: datetime, slot_seconds: int) -> None:
        """Drop aggregate rows of slots that have passed (per area: uses the primary key)."""
        current = int(now.timestamp() // slot_seconds)
        for area_id in area_ids:
            for table in ("slot_load", "degraded_slot"):
                self._db.execute(
                    f"DELETE FROM {table} WHERE area_id = ? AND slot < ?",
                    (area_id, current),
                )

    # -- operator overrides and degradations --------------------------------------------

    def set_capacity(self, area_id: str, capacity: Rates) -> None:
        self._db.execute(
            "INSERT INTO area_capacity (area_id, downlink, uplink) VALUES (?, ?, ?)"
            " ON CONFLICT (area_id) DO UPDATE SET"
            " downlink = excluded.downlink, uplink = excluded.uplink",
            (area_id, capacity.downlink, capacity.uplink),
        )

    def reset_capacity(self, area_id: str) -> None:
        self._db.execute("DELETE FROM area_capacity WHERE area_id = ?", (area_id,))

    def add_degradation(
        self,
        area_id: str,
        first_slot: int,
        stop_slot: int,
        factor: float,
        *,
        period: tuple[datetime, datetime] | None = None,
        source: str = "operator",
    ) -> int:
        start, stop = (None, None) if period is None else (t.timestamp() for t in period)
        row = self._db.execute(
            "INSERT INTO degradation (area_id, first_slot, stop_slot, factor, start_time,"
            " stop_time, source) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (area_id, first_slot, stop_slot, factor, start, stop, source),
        ).fetchone()
        self._db.executemany(
            "INSERT INTO degraded_slot (area_id, slot, factor) VALUES (?, ?, ?)"
            " ON CONFLICT (area_id, slot) DO UPDATE SET factor = CASE"
            " WHEN excluded.factor < degraded_slot.factor THEN excluded.factor"
            " ELSE degraded_slot.factor END",
            [(area_id, slot, factor) for slot in range(first_slot, stop_slot)],
        )
        return int(row[0])

    def degradations(self, from_slot: int) -> list[StoredDegradation]:
        rows = self._db.execute(
            "SELECT id, area_id, first_slot, stop_slot, factor, source, start_time, stop_time"
            " FROM degradation WHERE stop_slot > ? ORDER BY id",
            (from_slot,),
        )
        return [_degradation(row) for row in rows]

    def remove_degradation(self, degradation_id: int) -> StoredDegradation | None:
        row = self._db.execute(
            "DELETE FROM degradation WHERE id = ? RETURNING id, area_id, first_slot, stop_slot,"
            " factor, source, start_time, stop_time",
            (degradation_id,),
        ).fetchone()
        if row is None:
            return None
        removed = _degradation(row)
        area, first, stop = removed.area_id, removed.first_slot, removed.stop_slot
        # The slots it covered get the lowest factor of the degradations left there.
        factors: dict[int, float] = {}
        others = self._db.execute(
            "SELECT first_slot, stop_slot, factor FROM degradation"
            " WHERE area_id = ? AND stop_slot > ? AND first_slot < ?",
            (area, first, stop),
        )
        for other_first, other_stop, factor in others:
            for slot in range(max(other_first, first), min(other_stop, stop)):
                factors[slot] = min(factor, factors.get(slot, 1.0))
        self._db.execute(
            "DELETE FROM degraded_slot WHERE area_id = ? AND slot >= ? AND slot < ?",
            (area, first, stop),
        )
        self._db.executemany(
            "INSERT INTO degraded_slot (area_id, slot, factor) VALUES (?, ?, ?)",
            [(area, slot, factor) for slot, factor in factors.items()],
        )
        return removed


def _degradation(row: tuple[Any, ...]) -> StoredDegradation:
    degradation_id, area_id, first, stop, factor, source, start_time, stop_time = row
    return StoredDegradation(
        degradation_id,
        area_id,
        first,
        stop,
        factor,
        source,
        None if start_time is None else datetime.fromtimestamp(start_time, UTC),
        None if stop_time is None else datetime.fromtimestamp(stop_time, UTC),
    )
