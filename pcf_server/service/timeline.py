"""An area over time, as the operator's picture draws it: limit, load, reservations.

Per slot of the range and per direction, in bit/s:

- ``limit``: capacity x utilisation ceiling x degradation factor, the most the area may
  carry (the capacity is the operator's override when there is one);
- ``expected``: the expected ordinary load (load profile x capacity);
- ``committed`` and ``held``: the reservations, summed per ASP; held ones are offered
  candidates not selected yet, whose hold has not expired.

BDT decisions keep expected + committed + held under the limit in every slot (their
headroom is the limit minus the expected load), so stacking the last three under the
limit shows how full each slot is and why a window was or was not offered.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from pcf_server.policy.network import Network, Rates
from pcf_server.service.ports import StoredDegradation, UnitOfWork

# The longest range one picture covers: 7 days is 672 slots of 15 minutes.
LONGEST_RANGE = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class DirectionTimeline:
    """One direction's series, one value per slot (bit/s)."""

    limit: list[float]
    expected: list[float]
    committed: dict[str, list[float]]
    held: dict[str, list[float]]


@dataclass(frozen=True, slots=True)
class AreaTimeline:
    area_id: str
    slot_seconds: int
    slots: list[datetime]  # the start of each slot
    stop: datetime  # the end of the last slot
    capacity: Rates
    utilisation_ceiling: float
    downlink: DirectionTimeline
    uplink: DirectionTimeline


def area_timeline(
    uow: UnitOfWork, network: Network, area_id: str, start: datetime, stop: datetime, now: datetime
) -> AreaTimeline:
    """The slots of ``area_id`` that [start, stop) touches (``area_id`` must exist)."""
    area = network.areas[area_id]
    first, last = network.slot_of(start), network.slot_after(stop)
    slots = range(first, last)
    capacity = uow.capacity.capacity_override(area_id) or area.capacity
    factors = uow.capacity.degradation(area_id, first, last)
    ceiling = network.utilisation_ceiling
    usable = [ceiling * factors.get(slot, 1.0) for slot in slots]
    expected = [network.expected_load(area, slot) for slot in slots]

    sums: dict[tuple[str, str], list[list[float]]] = defaultdict(
        lambda: [[0.0] * len(slots), [0.0] * len(slots)]
    )
    for item in uow.capacity.reservations_in(area_id, first, last, now.timestamp()):
        dl, ul = sums[item.state, item.asp_id]
        for slot in range(max(first, item.first_slot), min(last, item.stop_slot)):
            dl[slot - first] += item.rates.downlink
            ul[slot - first] += item.rates.uplink

    def direction(index: int, rate: float) -> DirectionTimeline:
        def per_asp(state: str) -> dict[str, list[float]]:
            return {
                asp: series[index] for (kind, asp), series in sorted(sums.items()) if kind == state
            }

        return DirectionTimeline(
            limit=[u * rate for u in usable],
            expected=[e * rate for e in expected],
            committed=per_asp("committed"),
            held=per_asp("held"),
        )

    return AreaTimeline(
        area_id=area_id,
        slot_seconds=network.slot_seconds,
        slots=[network.slot_start(slot) for slot in slots],
        stop=network.slot_start(last),
        capacity=capacity,
        utilisation_ceiling=ceiling,
        downlink=direction(0, capacity.downlink),
        uplink=direction(1, capacity.uplink),
    )


def degradations_in(
    uow: UnitOfWork, network: Network, area_id: str, start: datetime, stop: datetime
) -> list[StoredDegradation]:
    """The degradations of ``area_id`` that touch the slots of [start, stop)."""
    first, last = network.slot_of(start), network.slot_after(stop)
    # The ledger gives those that have not ended before ``first``.
    stored = uow.capacity.degradations(first)
    return [d for d in stored if d.area_id == area_id and d.first_slot < last]
