"""Use cases driven by the network rather than by a NEF: capacity changes and degradations.

A degradation (an NWDAF network-performance report, or the operator's command) runs the
BDT warning procedure of TS 23.502 4.16.7.3 in one transaction: record the degraded
capacity; among the policies in force whose committed reservation overlaps it in time and
area, find those *affected* (step 5): whose reservation no longer fits under the degraded
limit in some degraded slot, counting everyone else's reservations but not its own. A
policy that still fits is untouched: its transfer is still feasible, and invalidating it
would only make the NEF choose again among offers that may well be the same. The
policies are checked oldest first, each against the reservations left by those moved
before it, so that a slot over its new limit moves as few transfers as needed.

For each affected policy whose requester enabled warnings, new candidates are decided
under the degraded capacity, not counting the policy's own reservation. When nothing
fits, the policy is kept and nobody is told (step 6). Otherwise its reservation is
released, its new candidates are held, it is marked invalid and a Notification is written
to the outbox (steps 7-9). The outbox row commits with the rest, so a notification is
never sent for a change that was rolled back nor lost for one that was committed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pcf_server.policy.decision import Decider, NoTransferWindow, Planner
from pcf_server.policy.degradation import NetworkPerformance, capacity_factor
from pcf_server.policy.model import BdtPolicy, TimeWindow
from pcf_server.policy.network import Rates
from pcf_server.policy.warning import WarningNotification, warnings_enabled
from pcf_server.service.capacity import CapacityBook
from pcf_server.service.conflicts import retrying
from pcf_server.service.errors import (
    DegradationNotFound,
    DegradationTooLong,
    UnknownArea,
    UnknownSubscription,
)
from pcf_server.service.observer import Observer, Unobserved
from pcf_server.service.ports import (
    AnalyticsSubscriptions,
    StoredDegradation,
    StoredReservation,
    UnitOfWork,
    UnitOfWorkFactory,
)
from pcf_server.service.timeline import AreaTimeline, area_timeline, degradations_in

# How long a report without a period is taken to last.
_OPEN_REPORT = timedelta(hours=1)
# bit/s: the per-slot aggregates drift a little after many += and -= (as in the store).
_EPSILON = 1e-3


@dataclass(frozen=True, slots=True)
class DegradationOutcome:
    """The degradations recorded, the policies they affected and those warned."""

    affected: list[str] = field(default_factory=list)
    notified: list[str] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)

    def extend(self, other: DegradationOutcome) -> None:
        """Add what another degradation (another area or report) did."""
        self.ids.extend(other.ids)
        self.affected.extend(p for p in other.affected if p not in self.affected)
        self.notified.extend(p for p in other.notified if p not in self.notified)


@dataclass(frozen=True, slots=True)
class DegradationRecord:
    """A degradation in force, as the operator sees it."""

    degradation_id: int
    area_id: str
    window: TimeWindow
    factor: float
    source: str


@dataclass(frozen=True, slots=True)
class AreaSettings:
    area_id: str
    capacity: Rates
    configured: Rates
    overridden: bool
    utilisation_ceiling: float
    degradations: list[tuple[TimeWindow, float]]
    nw_area_info: Mapping[str, Any]


class _WithoutOwn:
    """A LoadView that does not count one policy's own reservations.

    Re-deciding for a degraded policy must not see its current window as taken by
    someone else, or it could never be offered again.
    """

    def __init__(self, view: Any, own: list[StoredReservation]) -> None:
        self._view = view
        self._own = own

    def reserved(self, area_id: str, first_slot: int, stop_slot: int) -> Mapping[int, Rates]:
        taken = dict(self._view.reserved(area_id, first_slot, stop_slot))
        for item in self._own:
            if item.area_id != area_id:
                continue
            for slot in range(max(item.first_slot, first_slot), min(item.stop_slot, stop_slot)):
                if slot in taken:
                    was = taken[slot]
                    taken[slot] = Rates(
                        max(0.0, was.downlink - item.rates.downlink),
                        max(0.0, was.uplink - item.rates.uplink),
                    )
        return taken

    def capacity_override(self, area_id: str) -> Rates | None:
        result: Rates | None = self._view.capacity_override(area_id)
        return result

    def degradation(self, area_id: str, first_slot: int, stop_slot: int) -> Mapping[int, float]:
        result: Mapping[int, float] = self._view.degradation(area_id, first_slot, stop_slot)
        return result


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _nothing() -> None:
    return None


class _AnySubscription:
    def is_known(self, subscription_id: str) -> bool:
        return True


class ConfiguredSubscriptions:
    """The subscription ids the operator configured (``pcf-bdt serve --nwdaf-subscription``)."""

    def __init__(self, subscription_ids: Iterable[str]) -> None:
        self._ids = frozenset(subscription_ids)

    def is_known(self, subscription_id: str) -> bool:
        return subscription_id in self._ids


class NetworkEvents:
    def __init__(
        self,
        unit_of_work: UnitOfWorkFactory,
        decider: Decider,
        planner: Planner,
        *,
        clock: Callable[[], datetime] = _utc_now,
        outbox_written: Callable[[], None] = _nothing,
        subscriptions: AnalyticsSubscriptions | None = None,
        observer: Observer | None = None,
    ) -> None:
        """``subscriptions`` None: notifications of any subscription are taken (labs)."""
        self._uow = unit_of_work
        self._observer: Observer = observer or Unobserved()
        self._subscriptions = subscriptions or _AnySubscription()
        self._decider = decider
        self._planner = planner
        self._network = planner.network
        self._capacity = CapacityBook(planner)
        self._clock = clock
        self._outbox_written = outbox_written

    def _area(self, area_id: str) -> None:
        if area_id not in self._network.areas:
            raise UnknownArea(area_id)

    def check_area(self, area_id: str) -> None:
        """Raise ``UnknownArea`` unless the operator configured ``area_id``."""
        self._area(area_id)

    # -- operator settings ------------------------------------------------------------

    def areas(self) -> list[AreaSettings]:
        with self._uow(write=False) as uow:
            return [self._settings(uow, area_id) for area_id in self._network.areas]

    def set_capacity(self, area_id: str, capacity: Rates | None) -> AreaSettings:
        """Override an area's capacity (flat, every slot); ``None`` goes back to the file."""
        self._area(area_id)
        with self._uow() as uow:
            if capacity is None:
                uow.capacity.reset_capacity(area_id)
            else:
                uow.capacity.set_capacity(area_id, capacity)
            uow.commit()
        with self._uow(write=False) as uow:
            return self._settings(uow, area_id)

    def _settings(self, uow: UnitOfWork, area_id: str) -> AreaSettings:
        net = self._network
        area = net.areas[area_id]
        override = uow.capacity.capacity_override(area_id)
        now = net.slot_of(self._clock())
        horizon = net.slot_after(self._clock() + net.search_horizon)
        factors = uow.capacity.degradation(area_id, now, horizon)
        periods: list[tuple[TimeWindow, float]] = []
        for slot in sorted(factors):  # merge consecutive slots with the same factor
            if (
                periods
                and periods[-1][0].stop == net.slot_start(slot)
                and (periods[-1][1] == factors[slot])
            ):
                periods[-1] = (
                    TimeWindow(periods[-1][0].start, net.slot_start(slot + 1)),
                    factors[slot],
                )
            else:
                periods.append(
                    (TimeWindow(net.slot_start(slot), net.slot_start(slot + 1)), factors[slot])
                )
        return AreaSettings(
            area_id,
            override or area.capacity,
            area.capacity,
            override is not None,
            net.utilisation_ceiling,
            periods,
            area.nw_area_info,
        )

    def timeline(
        self, area_id: str, start: datetime, stop: datetime
    ) -> tuple[AreaTimeline, list[DegradationRecord]]:
        """Per slot of [start, stop): limit, expected load, reservations; degradations.

        See ``pcf_server.service.timeline``.
        """
        self._area(area_id)
        net = self._network
        with self._uow(write=False) as uow:
            timeline = area_timeline(uow, net, area_id, start, stop, self._clock())
            stored = degradations_in(uow, net, area_id, start, stop)
        return timeline, [self._record(item) for item in stored]

    def now(self) -> datetime:
        """The time of this service's clock (the picture's default range starts there)."""
        return self._clock()

    # -- degradations -----------------------------------------------------------------

    @property
    def longest_degradation(self) -> timedelta:
        """The longest period a degradation may have (the operator's bound)."""
        return self._network.longest_degradation

    def degrade(
        self, area_id: str, window: TimeWindow, factor: float, *, source: str = "operator"
    ) -> DegradationOutcome:
        """Degrade one area for ``window``; ``DegradationTooLong`` beyond the bound."""
        self._area(area_id)
        self._refuse_too_long(window)
        outcome = retrying(
            lambda: self._degrade_all([(area_id, window, factor)], source),
            f"degradation of {area_id}",
        )
        self._tell([(area_id, window, factor)], outcome, source)
        return outcome

    def _tell(
        self, items: list[tuple[str, TimeWindow, float]], outcome: DegradationOutcome, source: str
    ) -> None:
        """Wake the sender for what was written, and tell the observer (one id per item)."""
        if outcome.notified:
            self._outbox_written()
        for (area_id, _, factor), degradation_id in zip(items, outcome.ids, strict=False):
            self._observer.degraded(area_id, factor, source, degradation_id)
        if outcome.notified:
            areas = list(dict.fromkeys(area_id for area_id, _, _ in items))
            self._observer.warned(list(outcome.notified), areas, source)

    def _refuse_too_long(self, window: TimeWindow) -> None:
        longest = self._network.longest_degradation
        if window.stop - window.start > longest:
            raise DegradationTooLong(
                f"a degradation may last at most {_hours(longest)} (operator setting "
                f"longest_degradation_hours), not {_hours(window.stop - window.start)}"
            )

    def _degrade_all(
        self, items: list[tuple[str, TimeWindow, float]], source: str
    ) -> DegradationOutcome:
        """Record several degradations and run the warning procedure, in one transaction."""
        outcome = DegradationOutcome()
        with self._uow() as uow:
            now = self._clock()
            self._capacity.housekeeping(uow, now)
            for area_id, window, factor in items:
                outcome.extend(self._degrade(uow, area_id, window, factor, source, now))
            uow.commit()
        return outcome

    def _degrade(
        self,
        uow: UnitOfWork,
        area_id: str,
        window: TimeWindow,
        factor: float,
        source: str,
        now: datetime,
    ) -> DegradationOutcome:
        first, stop = self._network.slot_of(window.start), self._network.slot_after(window.stop)
        degradation_id = uow.capacity.add_degradation(
            area_id, first, stop, factor, period=(window.start, window.stop), source=source
        )
        outcome = DegradationOutcome(ids=[degradation_id])
        for policy_id in uow.capacity.committed_overlapping(area_id, first, stop):
            if policy_id in outcome.affected or self._still_fits(uow, policy_id, first, stop):
                continue
            outcome.affected.append(policy_id)
            policy = uow.policies.get(policy_id)
            if policy is None or not warnings_enabled(policy):
                continue
            if self._warn(uow, policy, area_id, window, now):
                outcome.notified.append(policy_id)
        return outcome

    def degradations(self) -> list[DegradationRecord]:
        """The degradations that have not ended, oldest first."""
        with self._uow(write=False) as uow:
            stored = uow.capacity.degradations(self._network.slot_of(self._clock()))
        return [self._record(item) for item in stored]

    def remove_degradation(self, degradation_id: int) -> DegradationRecord:
        """Forget a degradation: its area has the capacity it would have without it.

        Policies it affected stay as they are: a warning sent cannot be taken back, and
        a policy moved to another window keeps it (the NEF has chosen, or will choose,
        among the candidates it was sent).
        """

        def remove() -> DegradationRecord:
            with self._uow() as uow:
                removed = uow.capacity.remove_degradation(degradation_id)
                if removed is None:
                    raise DegradationNotFound(degradation_id)
                uow.commit()
            return self._record(removed)

        return retrying(remove, f"removal of degradation {degradation_id}")

    def _record(self, item: StoredDegradation) -> DegradationRecord:
        net = self._network
        start = item.start or net.slot_start(item.first_slot)
        stop = item.stop or net.slot_start(item.stop_slot)
        return DegradationRecord(
            item.degradation_id, item.area_id, TimeWindow(start, stop), item.factor, item.source
        )

    def _still_fits(self, uow: UnitOfWork, policy_id: str, first: int, stop: int) -> bool:
        """Whether the policy's commitment still fits the degraded limits of [first, stop).

        Its own rate must fit the headroom left by the others: ``own <= M - (R - own)``,
        that is ``R <= M`` with ``R`` the aggregate, own reservation included. Only the
        directions it uses count: an uplink overload is no concern of a download.
        """
        for item in uow.capacity.reservations_of(policy_id):
            low, high = max(item.first_slot, first), min(item.stop_slot, stop)
            if item.state != "committed" or low >= high:
                continue
            limits = self._planner.limits(item.area_id, low, high, uow.capacity)
            reserved = uow.capacity.reserved(item.area_id, low, high)
            for slot, limit in zip(range(low, high), limits, strict=True):
                taken = reserved.get(slot, item.rates)
                if item.rates.downlink > 0 and taken.downlink > limit.downlink + _EPSILON:
                    return False
                if item.rates.uplink > 0 and taken.uplink > limit.uplink + _EPSILON:
                    return False
        return True

    def _warn(
        self, uow: UnitOfWork, policy: BdtPolicy, area_id: str, window: TimeWindow, now: datetime
    ) -> bool:
        own = uow.capacity.reservations_of(policy.policy_id)
        try:
            decision = self._decider.decide(policy.request, _WithoutOwn(uow.capacity, own), now)
        except NoTransferWindow:
            return False  # step 6: keep the policy, say nothing
        decision = decision.numbered_after(max(policy.offered_ids))
        uow.capacity.release(policy.policy_id)
        policy.invalidate(decision.offers, now)
        self._capacity.take(uow, policy, decision, now)
        uow.policies.save(policy)
        assert policy.request.notif_uri is not None  # warnings_enabled checked it
        notification = WarningNotification(
            policy.policy_id,
            policy.request.notif_uri,
            policy.bdt_ref_id,
            decision.offers,
            self._network.areas[area_id].nw_area_info,
            window,
        )
        uow.outbox.add(notification, now.timestamp())
        return True

    def analytics_notified(
        self, subscription_ids: Sequence[str], reports: list[NetworkPerformance]
    ) -> DegradationOutcome:
        """NWDAF notifications: acted upon only if every one is of a known subscription.

        A forged or stray notification must not degrade capacity (and warn NEFs); a body
        with one unknown subscription is refused whole, so that nothing of it is applied.
        """
        unknown = [s for s in subscription_ids if not self._subscriptions.is_known(s)]
        if unknown:
            raise UnknownSubscription(unknown)
        return self.network_performance(reports)

    def network_performance(self, reports: list[NetworkPerformance]) -> DegradationOutcome:
        """Act on NWDAF reports (TS 23.502 4.16.7.3 step 2), all in one transaction.

        Each capacity-relevant one degrades the configured areas it names, for its
        period (one hour from now if it has none); the same degradation reported twice
        counts once. A report longer than the operator's bound refuses them all
        (``DegradationTooLong``), before anything is recorded.
        """
        items: list[tuple[str, TimeWindow, float]] = []
        now = self._clock()
        for report in reports:
            factor = capacity_factor(report)
            if factor is None:
                continue
            window = report.window or TimeWindow(now, now + _OPEN_REPORT)
            self._refuse_too_long(window)
            for area_id in self._network.known_areas(report.area_keys):
                if (area_id, window, factor) not in items:
                    items.append((area_id, window, factor))
        if not items:
            return DegradationOutcome()
        outcome = retrying(lambda: self._degrade_all(items, "nwdaf"), "NWDAF report")
        self._tell(items, outcome, "nwdaf")
        return outcome


def _hours(length: timedelta) -> str:
    return f"{length.total_seconds() / 3600:.6g} hours"
