"""What an operator's gauges show, read from the store when they are scraped.

Counts of policies, reservations, held offers and notifications, and per area the
current slot's reservations against its limit and the degradations in force, all read
in one read-only unit of work: whichever process is scraped, and however many workers
write, the figures are those of the shared store, never a process's own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from pcf_server.policy.decision import Planner
from pcf_server.policy.network import Rates
from pcf_server.service.ports import StoreCounts, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class AreaNow:
    area_id: str
    reserved: Rates  # bit/s reserved in the current slot (committed and live holds)
    limit: Rates  # what BDT may use in it: capacity x ceiling x degradation - load
    degradations: dict[str, int]  # in force now, by source ('operator', 'nwdaf')


@dataclass(frozen=True, slots=True)
class StoreStatus:
    counts: StoreCounts
    areas: list[AreaNow]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Status:
    def __init__(
        self,
        unit_of_work: UnitOfWorkFactory,
        planner: Planner,
        *,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._uow = unit_of_work
        self._planner = planner
        self._clock = clock

    def now(self) -> StoreStatus:
        network = self._planner.network
        now = self._clock()
        slot = network.slot_of(now)
        areas = []
        with self._uow(write=False) as uow:
            counts = uow.census.counts(now.timestamp())
            in_force = [d for d in uow.capacity.degradations(slot) if d.first_slot <= slot]
            for area_id in network.areas:
                reserved = uow.capacity.reserved(area_id, slot, slot + 1).get(slot, Rates(0, 0))
                (limit,) = self._planner.limits(area_id, slot, slot + 1, uow.capacity)
                sources: dict[str, int] = {}
                for degradation in in_force:
                    if degradation.area_id == area_id:
                        sources[degradation.source] = sources.get(degradation.source, 0) + 1
                areas.append(AreaNow(area_id, reserved, limit, sources))
        return StoreStatus(counts, areas)
