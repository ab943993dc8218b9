"""The PCF's NWDAF subscriptions (TS 23.502 4.16.7.3 step 1, TS 29.520).

The PCF subscribes to NETWORK_PERFORMANCE analytics for the area and time of its BDT
policies, with reporting thresholds from the operator's configuration. The keeper holds
one subscription per area that has policies in force (a committed reservation not yet
over), covering the span of their windows, and reconciles what it holds with what is
needed, every ``nwdaf_check`` seconds:

- an area newly in use gets a subscription (create);
- one whose span, thresholds or callback changed has it replaced (update: TS 29.520
  5.2.2.2.3, PUT of the whole NnwdafEventsSubscription);
- one no policy needs any more has it deleted;
- every ``nwdaf_refresh`` seconds a subscription is sent again unchanged: Nnwdaf has no
  read operation, and an NWDAF that restarted answers the update with 404, upon which
  the subscription is created anew (its new id replaces the old one).

Subscriptions live in the store, so that a restarted PCF keeps them and the NWDAF
callback (``HeldSubscriptions``) takes notifications of exactly those. Instances sharing
a database take turns through a lease in the store: one keeper at a time, and when it
goes away another takes over (its callback URI then replaces the old one's by update).
The NWDAF calls are made outside any transaction: a slow NWDAF never holds the store's
write lock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from pcf_server.policy.degradation import AnalyticsRequest
from pcf_server.policy.model import TimeWindow
from pcf_server.policy.network import Network
from pcf_server.service.ports import (
    AnalyticsProvider,
    AnalyticsSubscriptions,
    AnalyticsUnavailable,
    HeldSubscription,
    UnitOfWorkFactory,
)

log = logging.getLogger(__name__)

# A keeper's lease lasts this many check intervals: one missed round is not a handover.
_LEASE_ROUNDS = 3


def _utc_now() -> datetime:
    return datetime.now(UTC)


class HeldSubscriptions:
    """The subscriptions the PCF created: whose NWDAF notifications it takes."""

    def __init__(self, unit_of_work: UnitOfWorkFactory) -> None:
        self._uow = unit_of_work

    def is_known(self, subscription_id: str) -> bool:
        with self._uow(write=False) as uow:
            return uow.analytics.holds(subscription_id)


class EitherSubscriptions:
    """Known to any of several sources (the configured ids, the held ones)."""

    def __init__(self, *sources: AnalyticsSubscriptions) -> None:
        self._sources = sources

    def is_known(self, subscription_id: str) -> bool:
        return any(source.is_known(subscription_id) for source in self._sources)


class SubscriptionKeeper:
    def __init__(
        self,
        unit_of_work: UnitOfWorkFactory,
        network: Network,
        nwdaf: AnalyticsProvider,
        notification_uri: str,
        holder: str,
        *,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        """``holder`` names this instance in the keeper's lease (its NF instance id)."""
        self._uow = unit_of_work
        self._network = network
        self._nwdaf = nwdaf
        self._notification_uri = notification_uri
        self._holder = holder
        self._clock = clock

    def needed(self, in_force: dict[str, tuple[int, int]]) -> dict[str, AnalyticsRequest]:
        """The subscription each area in use needs."""
        network = self._network
        wanted = {}
        for area_id, (first, stop) in in_force.items():
            area = network.areas.get(area_id)
            if area is None or not area.nw_area_info:
                # An area of an older configuration, or one with no identifier an NWDAF
                # could report on: nothing to subscribe to.
                continue
            wanted[area_id] = AnalyticsRequest(
                area_id,
                area.nw_area_info,
                TimeWindow(network.slot_start(first), network.slot_start(stop)),
                network.nwdaf_thresholds,
                self._notification_uri,
            )
        return wanted

    def reconcile(self) -> bool:
        """One round; False when another instance keeps the subscriptions."""
        now = self._clock()
        lease = self._network.nwdaf_check * _LEASE_ROUNDS
        with self._uow() as uow:
            if not uow.analytics.claim_keeper(
                self._holder, now.timestamp(), (now + lease).timestamp()
            ):
                uow.commit()
                return False
            in_force = uow.analytics.areas_in_force(self._network.slot_of(now))
            held = {h.request.area_id: h for h in uow.analytics.held()}
            uow.commit()
        wanted = self.needed(in_force)
        refresh_before = (now - self._network.nwdaf_refresh).timestamp()
        for area_id, request in wanted.items():
            current = held.get(area_id)
            try:
                if current is None:
                    self._create(request, now)
                elif current.request != request or current.refreshed_at <= refresh_before:
                    self._update(current, request, now)
            except AnalyticsUnavailable as exc:
                log.warning("NWDAF subscription for area %s: %s; trying again later", area_id, exc)
        for area_id in held.keys() - wanted.keys():
            try:
                self._nwdaf.unsubscribe(held[area_id].resource_uri)
            except AnalyticsUnavailable as exc:
                log.warning("deleting the NWDAF subscription of area %s: %s", area_id, exc)
                continue
            self._write(lambda uow, area=area_id: uow.analytics.forget(area))
            log.info("NWDAF subscription of area %s deleted: no policy needs it", area_id)
        return True

    def _create(self, request: AnalyticsRequest, now: datetime) -> None:
        subscription_id, uri = self._nwdaf.subscribe(request)
        held = HeldSubscription(subscription_id, uri, request, now.timestamp())
        self._write(lambda uow: uow.analytics.record(held))
        log.info(
            "NWDAF subscription %s for area %s, %s to %s",
            subscription_id,
            request.area_id,
            request.window.start.isoformat(),
            request.window.stop.isoformat(),
        )

    def _update(self, current: HeldSubscription, request: AnalyticsRequest, now: datetime) -> None:
        if not self._nwdaf.update(current.resource_uri, request):
            log.warning(
                "the NWDAF no longer knows subscription %s (area %s): subscribing again",
                current.subscription_id,
                request.area_id,
            )
            self._create(request, now)
            return
        held = HeldSubscription(
            current.subscription_id, current.resource_uri, request, now.timestamp()
        )
        self._write(lambda uow: uow.analytics.record(held))

    def _write(self, change: Callable[..., None]) -> None:
        with self._uow() as uow:
            change(uow)
            uow.commit()
