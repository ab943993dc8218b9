"""Keeping the books of capacity around decisions: holds, commitments, releases, purges.

Rules (TS 23.502 4.16.7.2 leaves them to the operator):

- a policy offered with a single transfer policy commits it at once (it is final);
- several offered candidates are each *held* for ``hold_seconds`` (operator setting):
  they count against headroom, so that two NEFs asking at once are not both promised the
  same capacity, but an unanswered offer cannot block the network for longer than that;
- selecting a candidate commits its hold and releases the others; if the hold has
  expired meanwhile, the capacity is reserved again through the same guard, and the
  selection is refused (``NoCapacity``) when it no longer fits;
- expired holds, passed windows and degradations, and notifications dead for a week
  are purged at the start of every writing use case, with bounded work per call.

Everything runs in the caller's unit of work, so a decision and its bookkeeping commit
(or roll back) together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pcf_server.policy.decision import Decision, Planner, Reservation
from pcf_server.policy.model import BdtPolicy
from pcf_server.service.conflicts import ReservationConflict
from pcf_server.service.errors import NoCapacity
from pcf_server.service.ports import UnitOfWork

# A notification that could not be delivered stays, with its last error, for the
# operator to see; after this long it is purged, so that dead rows cannot pile up.
DEAD_NOTIFICATIONS_KEPT = timedelta(days=7)


@dataclass(frozen=True)
class CapacityBook:
    planner: Planner | None

    def housekeeping(self, uow: UnitOfWork, now: datetime) -> bool:
        """Purge; True when expired holds gave capacity back (earlier decisions are stale)."""
        uow.outbox.purge_dead((now - DEAD_NOTIFICATIONS_KEPT).timestamp())
        if self.planner is None:
            return False
        network = self.planner.network
        freed = uow.capacity.purge(now, network.slot_seconds)
        uow.capacity.purge_slots(tuple(network.areas), now, network.slot_seconds)
        return freed

    def _reserve(
        self, uow: UnitOfWork, policy_id: str, reservation: Reservation, held_until: float | None
    ) -> bool:
        assert self.planner is not None
        limits = {
            area: self.planner.limits(
                area, reservation.first_slot, reservation.stop_slot, uow.capacity
            )
            for area in reservation.areas
        }
        return uow.capacity.reserve(policy_id, reservation, limits, held_until=held_until)

    def take(self, uow: UnitOfWork, policy: BdtPolicy, decision: Decision, now: datetime) -> None:
        """Hold the offered candidates, or commit the only one if it is final."""
        if self.planner is None:
            return
        final = policy.selected is not None
        held_until = None if final else now.timestamp() + self.planner.network.hold.total_seconds()
        for reservation in decision.reservations:
            if not self._reserve(uow, policy.policy_id, reservation, held_until):
                raise ReservationConflict(policy.policy_id)

    def select(self, uow: UnitOfWork, policy: BdtPolicy) -> None:
        """Commit the selected transfer policy; release the other candidates."""
        selected = policy.selected
        if self.planner is None or selected is None:
            return
        tp_id = selected.transfer_policy_id
        uow.capacity.release(policy.policy_id, keep=tp_id)
        if uow.capacity.commit_hold(policy.policy_id, tp_id):
            return
        reservation = self.planner.reservation_for(policy.request, selected)
        if not self._reserve(uow, policy.policy_id, reservation, None):
            raise NoCapacity(
                f"the hold on transfer policy {tp_id} expired and its window no longer has "
                "the headroom; create the policy again for new offers"
            )

    def withdraw(self, uow: UnitOfWork, policy_id: str) -> None:
        if self.planner is not None:
            uow.capacity.release(policy_id)
