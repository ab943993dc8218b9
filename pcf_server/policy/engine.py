"""The load-aware decision: which transfer windows an operator can afford to offer.

Model (per area ``a``, slot ``t``, direction ``d``):

- capacity ``C`` (configured, or the operator's override), times a degradation factor
  ``g(t)`` that NWDAF reports or the operator set (1 when none);
- expected ordinary load ``L(t) = p(t) * C`` from the area's weekly profile ``p``;
- the limit background transfers may use, ``M(t) = max(0, u * C * g(t) - L(t))`` with
  the utilisation ceiling ``u``;
- the BDT reservations already made ``R(t)`` (committed policies and live holds of
  offered candidates), read through a ``LoadView``: the engine never sees the store;
- headroom ``H(t) = max(0, M(t) - R(t))``.

A window ``W`` inside the desired window starts and ends on slot boundaries, except that
the first slot may be entered late, at the desired start or at ``now`` (rounded up to
the whole second), and the last left early, at the desired stop. It needs the flat rate
``b = 8 * D / |W|`` per direction, ``D`` being the bytes of all UEs in that direction. It
is feasible when ``b <= H(t)`` in every slot of ``W``, in every area of the request and
in each direction separately. Its cost is the price of the dearest tariff tier it touches
(that tier's rating group is what the operator charges) plus ``congestion_penalty``
times the mean utilisation ``(L + R + b) / (u * C * g)`` over its slots. The cheapest
feasible windows are offered, ids 1..k, each one checked against the headroom left by
those chosen before it, since all candidates hold capacity until one is selected; no two
candidates share more than half of the longer one, so the NEF gets a real choice.

When nothing fits in the desired window, windows of at most the desired length after it
are offered instead: from the desired stop (or ``now``, when that is later) up to
``search_horizon`` beyond it. The fallback is anchored on the desired window, not on
``now``, so that a request for a window weeks ahead gets the same treatment as one for
tomorrow. When nothing fits there either the engine raises ``NoTransferWindow``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pcf_server.policy.decision import Decision, LoadView, NoTransferWindow, Reservation
from pcf_server.policy.model import BdtRequest, TimeWindow, TransferPolicy, Volume
from pcf_server.policy.network import Area, Network, Rates

_EPSILON = 1e-6  # bit/s; absorbs float rounding in feasibility checks
_SECOND = timedelta(seconds=1)
# Searches never look past this (a slot boundary whose slots are all representable):
# RFC 3339 lets a NEF ask for 9999-12-31, and the horizon must not overflow there.
_END_OF_TIME = datetime(9999, 12, 30, tzinfo=UTC)


def _plus(moment: datetime, delta: timedelta) -> datetime:
    return moment + delta if _END_OF_TIME - moment > delta else _END_OF_TIME


def _whole_second_up(moment: datetime) -> datetime:
    """A window start a NEF can read: ``now`` has microseconds, offers should not."""
    if moment.microsecond == 0:
        return moment
    return moment.replace(microsecond=0) + _SECOND


def demand_bytes(volume: Volume, ues: int, downlink_share: float) -> tuple[int, int]:
    """Bytes to move in each direction, all UEs together.

    Per-direction volumes win when given. With only ``totalVolume``, it is split by the
    operator's ``downlink_share`` (0.9 by default: background transfers are mostly
    downloads). With a total and one direction, the other gets the rest of the total.
    """
    dl, ul, total = volume.downlink, volume.uplink, volume.total
    if dl is None and ul is None:
        total = total or 0
        dl = round(total * downlink_share)
        ul = total - dl
    elif dl is None:
        dl = max(0, (total or 0) - (ul or 0))
    elif ul is None:
        ul = max(0, (total or 0) - dl)
    assert dl is not None and ul is not None
    return dl * ues, ul * ues


@dataclass(slots=True)
class _Slots:
    """Per-slot figures of a slot range, combined over the request's areas."""

    first: int
    head_dl: list[float]
    head_ul: list[float]
    base_dl: list[float]  # utilisation before this request
    base_ul: list[float]
    inv_dl: list[float]  # 1 / usable capacity, to turn a rate into utilisation
    inv_ul: list[float]
    price: list[float]
    rating_group: list[int]


@dataclass(slots=True)
class _Window:
    first: int  # slot index
    stop: int
    window: TimeWindow
    rates: Rates
    rating_group: int


# A window the search found, before it is chosen: (cost, start, -length in seconds, first
# slot, stop slot, end, length in seconds, rate dl, rate ul, rating group). Times are
# microseconds since the epoch, so that the search makes no datetime; the first three
# fields are the order of preference (cheapest, earliest, longest), and no two windows
# share both a start and a length, so the later fields never decide it.
_Found = tuple[float, int, float, int, int, int, float, float, float, int]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_PER_SECOND = 1_000_000
_NOTHING_RESERVED = Rates(0.0, 0.0)


@dataclass(frozen=True)
class LoadAwareDecider:
    network: Network

    # -- what the service also needs -------------------------------------------------

    def limits(self, area_id: str, first_slot: int, stop_slot: int, load: LoadView) -> list[Rates]:
        """``M(t)``: what BDT may use per slot; the store's guard checks against it."""
        area = self.network.areas[area_id]
        capacity = load.capacity_override(area_id) or area.capacity
        degraded = load.degradation(area_id, first_slot, stop_slot)
        # A factor of 1 multiplies exactly: undegraded slots are the network's plain limits.
        out = self.network.plain_limits(area_id, capacity, first_slot, stop_slot)
        if degraded:
            ceiling = self.network.utilisation_ceiling
            expected_loads = self.network.expected_loads(area_id, first_slot, stop_slot)
            for k, slot in enumerate(range(first_slot, stop_slot)):
                factor = degraded.get(slot)
                if factor is not None:
                    spare = ceiling * factor - expected_loads[k]
                    out[k] = Rates(
                        max(0.0, spare * capacity.downlink), max(0.0, spare * capacity.uplink)
                    )
        return out

    def reservation_for(self, request: BdtRequest, offer: TransferPolicy) -> Reservation:
        """The capacity an already decided transfer policy takes (to re-reserve it)."""
        return Reservation(
            offer.transfer_policy_id,
            self.network.resolve(request.area_keys),
            self.network.slot_of(offer.window.start),
            self.network.slot_after(offer.window.stop),
            Rates(offer.max_bitrate_dl or 0.0, offer.max_bitrate_ul or 0.0),
        )

    # -- the decision ----------------------------------------------------------------

    def decide(self, request: BdtRequest, load: LoadView, now: datetime) -> Decision:
        net = self.network
        areas = net.resolve(request.area_keys)
        demand = demand_bytes(request.volume_per_ue, request.number_of_ues, net.downlink_share)
        desired = request.desired_window
        start = _whole_second_up(max(desired.start, now))
        stop = min(desired.stop, _plus(max(start, desired.start), net.search_horizon))
        chosen: list[_Window] = []
        if stop > start:
            shortest = min(net.min_window, stop - start)
            chosen = self._search(areas, demand, load, start, stop, shortest, stop - start)
        later = _whole_second_up(max(desired.stop, now))
        horizon_end = _plus(later, net.search_horizon)
        if not chosen:
            length = max(desired.duration, net.min_window)
            shortest = min(net.min_window, desired.duration)
            chosen = self._search(areas, demand, load, later, horizon_end, shortest, length)
        if not chosen:
            raise NoTransferWindow(
                f"no window of the request's areas ({', '.join(areas)}) has the headroom "
                f"for it, in the desired window or up to {horizon_end:%Y-%m-%dT%H:%MZ}"
            )
        offers, reservations = [], []
        for index, found in enumerate(chosen, start=1):
            offers.append(
                TransferPolicy(
                    transfer_policy_id=index,
                    window=found.window,
                    rating_group=found.rating_group,
                    max_bitrate_dl=found.rates.downlink if demand[0] else None,
                    max_bitrate_ul=found.rates.uplink if demand[1] else None,
                )
            )
            reservations.append(Reservation(index, areas, found.first, found.stop, found.rates))
        return Decision(tuple(offers), tuple(reservations))

    def _search(
        self,
        areas: Sequence[str],
        demand: tuple[int, int],
        load: LoadView,
        start: datetime,
        stop: datetime,
        shortest: timedelta,
        longest: timedelta,
    ) -> list[_Window]:
        net = self.network
        first, last = net.slot_of(start), net.slot_after(stop)
        slots = self._slots(areas, first, last, load)
        bits_dl, bits_ul = 8.0 * demand[0], 8.0 * demand[1]
        min_s, max_s = shortest.total_seconds(), longest.total_seconds()
        # Times in microseconds since the epoch, exactly (a timestamp's float would round
        # them; slot_seconds is an int). A window's seconds are then (end - begin) / 10^6,
        # which is what timedelta.total_seconds() computes: the datetimes' very floats.
        start_us = (start - _EPOCH) // _MICROSECOND
        stop_us = (stop - _EPOCH) // _MICROSECOND
        step = net.slot_seconds * _PER_SECOND
        # Where a window from each slot begins and one up to its end ends (as TimeWindow).
        begins = [max(start_us, slot * step) for slot in range(first, last)]
        ends = [min(stop_us, (slot + 1) * step) for slot in range(first, last)]
        # One row per slot, unpacked at once: the loop below runs ~n^2/2 times a search.
        rows = [
            (
                slots.head_dl[k],
                slots.head_ul[k],
                slots.base_dl[k],
                slots.base_ul[k],
                slots.inv_dl[k],
                slots.inv_ul[k],
                slots.price[k],
                slots.rating_group[k],
                ends[k],
            )
            for k in range(last - first)
        ]
        penalty = net.congestion_penalty
        found: list[_Found] = []
        for i, begin in enumerate(begins):
            head_dl = head_ul = math.inf
            sum_base_dl = sum_base_ul = sum_inv_dl = sum_inv_ul = 0.0
            price, rating_group = -math.inf, 0
            n = 0
            for slot_dl, slot_ul, base_dl, base_ul, inv_dl, inv_ul, tier, group, end in rows[i:]:
                # min(head, slot) without the call: the same float, the first of equals
                if slot_dl < head_dl:
                    head_dl = slot_dl
                if slot_ul < head_ul:
                    head_ul = slot_ul
                if (bits_dl and head_dl <= 0) or (bits_ul and head_ul <= 0):
                    break  # a full slot: no longer window from i can pass it
                sum_base_dl += base_dl
                sum_base_ul += base_ul
                sum_inv_dl += inv_dl
                sum_inv_ul += inv_ul
                n += 1
                if tier > price:
                    price, rating_group = tier, group
                seconds = (end - begin) / _PER_SECOND
                if seconds > max_s + 1e-9:
                    break
                if seconds < min_s - 1e-9:
                    continue
                rate_dl, rate_ul = bits_dl / seconds, bits_ul / seconds
                if rate_dl > head_dl + _EPSILON or rate_ul > head_ul + _EPSILON:
                    continue
                utilisation = (sum_base_dl + rate_dl * sum_inv_dl) / n if bits_dl else 0.0
                busier = (sum_base_ul + rate_ul * sum_inv_ul) / n if bits_ul else 0.0
                if busier > utilisation:  # max() without the call
                    utilisation = busier
                found.append(
                    (
                        price + penalty * utilisation,
                        begin,
                        -seconds,
                        first + i,
                        first + i + n,
                        end,
                        seconds,
                        rate_dl,
                        rate_ul,
                        rating_group,
                    )
                )
        found.sort()
        return [
            _Window(
                i,
                j,
                TimeWindow(max(start, net.slot_start(i)), min(stop, net.slot_start(j))),
                Rates(rate_dl, rate_ul),
                rating_group,
            )
            for _, _, _, i, j, _, _, rate_dl, rate_ul, rating_group in self._pick(found, slots)
        ]

    def _pick(self, found: list[_Found], slots: _Slots) -> list[_Found]:
        """Cheapest first, each fitting what the ones before it left, none near-duplicate."""
        chosen: list[_Found] = []
        head_dl, head_ul = list(slots.head_dl), list(slots.head_ul)
        wanted = self.network.candidates
        for candidate in found:
            if len(chosen) == wanted:
                break
            if _too_close(candidate, chosen):
                continue
            span = range(candidate[3] - slots.first, candidate[4] - slots.first)
            rate_dl, rate_ul = candidate[7], candidate[8]
            if any(
                rate_dl > head_dl[k] + _EPSILON or rate_ul > head_ul[k] + _EPSILON for k in span
            ):
                continue
            for k in span:
                head_dl[k] -= rate_dl
                head_ul[k] -= rate_ul
            chosen.append(candidate)
        return chosen

    def _slots(self, areas: Sequence[str], first: int, last: int, load: LoadView) -> _Slots:
        net = self.network
        tiers = net.tiers(first, last)
        combined = _Slots(
            first,
            head_dl=[math.inf for _ in tiers],
            head_ul=[math.inf for _ in tiers],
            base_dl=[0.0 for _ in tiers],
            base_ul=[0.0 for _ in tiers],
            inv_dl=[0.0 for _ in tiers],
            inv_ul=[0.0 for _ in tiers],
            price=[tier.price for tier in tiers],
            rating_group=[tier.rating_group for tier in tiers],
        )
        ceiling = net.utilisation_ceiling
        head_dl, head_ul = combined.head_dl, combined.head_ul
        base_dl, base_ul = combined.base_dl, combined.base_ul
        inv_dl, inv_ul = combined.inv_dl, combined.inv_ul
        for area_id in areas:
            area: Area = net.areas[area_id]
            capacity = load.capacity_override(area_id) or area.capacity
            degraded = load.degradation(area_id, first, last)
            reserved = load.reserved(area_id, first, last)
            expected_loads = net.expected_loads(area_id, first, last)
            for k, slot in enumerate(range(first, last)):
                usable = ceiling * degraded.get(slot, 1.0)
                expected = expected_loads[k]
                taken = reserved.get(slot, _NOTHING_RESERVED)
                for cap, used, heads, bases, invs in (
                    (capacity.downlink, taken.downlink, head_dl, base_dl, inv_dl),
                    (capacity.uplink, taken.uplink, head_ul, base_ul, inv_ul),
                ):
                    usable_bps = usable * cap
                    heads[k] = min(heads[k], max(0.0, usable_bps - expected * cap - used))
                    if usable_bps > 0:  # else no headroom: no window crosses the slot
                        bases[k] = max(bases[k], (expected * cap + used) / usable_bps)
                        invs[k] = max(invs[k], 1.0 / usable_bps)
        return combined


def _too_close(candidate: _Found, chosen: list[_Found]) -> bool:
    """More than half of the longer window shared with one chosen (seconds as timedelta)."""
    begin, end = candidate[1], candidate[5]
    for other in chosen:
        overlap = (min(end, other[5]) - max(begin, other[1])) / _PER_SECOND
        longer = max(end - begin, other[5] - other[1]) / _PER_SECOND
        if overlap > longer / 2:
            return True
    return False
