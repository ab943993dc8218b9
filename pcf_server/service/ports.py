"""What the use cases need from storage: repository, ledger, outbox, unit of work.

These are the service layer's ports (cosmicpython's abstract repository and unit of
work), with the data classes and errors that cross them; ``pcf_server.storage`` provides
them on SQLite. Nothing here knows the storage engine. The unit of work and the outbox
extend the shared ones (``nf_common.ports``), so that the notification sender the NEF
gateway uses too sends the PCF's outbox.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from nf_common.ports import DeliveryQueue
from nf_common.ports import StoreBusy as StoreBusy
from nf_common.ports import StoreUnavailable as StoreUnavailable
from nf_common.ports import TransactionConflict as TransactionConflict
from nf_common.ports import UnitOfWork as SharedUnitOfWork
from pcf_server.policy.decision import Reservation
from pcf_server.policy.degradation import AnalyticsRequest
from pcf_server.policy.model import BdtPolicy
from pcf_server.policy.network import Rates
from pcf_server.policy.warning import WarningNotification

# Per area, the BDT limit of each slot of a reservation, from its first slot on.
Limits = Mapping[str, Sequence[Rates]]


class ConcurrentUpdate(Exception):
    """Someone else changed the policy between our read and our write (optimistic lock)."""


class DuplicateRequest(Exception):
    """A policy with the same request fingerprint is already stored (UNIQUE column)."""

    def __init__(self, policy_id: str) -> None:
        super().__init__(f"an equivalent policy is stored: {policy_id!r}")
        self.policy_id = policy_id


@dataclass(frozen=True, slots=True)
class StoredReservation:
    """What one transfer policy takes in one area: ``held`` (a candidate) or ``committed``."""

    transfer_policy_id: int
    area_id: str
    first_slot: int
    stop_slot: int
    rates: Rates
    state: str


@dataclass(frozen=True, slots=True)
class AreaReservation:
    """A live reservation of an area as the operator's picture shows it, with its ASP."""

    asp_id: str
    first_slot: int
    stop_slot: int
    rates: Rates
    state: str  # "held" (an offered candidate) or "committed"


@dataclass(frozen=True, slots=True)
class StoredDegradation:
    """A degradation as recorded: its slots, and its period as reported when known."""

    degradation_id: int
    area_id: str
    first_slot: int
    stop_slot: int
    factor: float
    source: str
    start: datetime | None
    stop: datetime | None


class PolicyRepository(Protocol):
    def add(self, policy: BdtPolicy, *, fingerprint: str | None = None) -> None:
        """Store a new policy; ``DuplicateRequest`` if its consumer has ``fingerprint``."""
        ...

    def count_of(self, consumer: str, *, at_most: int) -> int:
        """How many stored policies ``consumer`` has, counting no further than ``at_most``."""
        ...

    def held_offers_of(self, consumer: str, now: float, *, at_most: int) -> int:
        """How many of ``consumer``'s policies hold offered candidates (holds not expired)."""
        ...

    def find_by_fingerprint(self, fingerprint: str, *, consumer: str) -> str | None:
        """Id of ``consumer``'s stored policy created by an equivalent request, if any."""
        ...

    def get(self, policy_id: str, *, consumer: str | None = None) -> BdtPolicy | None:
        """The policy; with ``consumer``, only if that consumer owns it."""
        ...

    def save(self, policy: BdtPolicy) -> None:
        """Write back a changed policy; raises ``ConcurrentUpdate`` if it changed meanwhile."""
        ...

    def remove(self, policy_id: str) -> None: ...

    def note_notified(self, now: float) -> None:
        """Mark invalidated policies whose warning left the outbox (sent or given up)."""
        ...

    def unanswered(self, notified_before: float, limit: int) -> list[str]:
        """Invalidated policies still unanswered, whose warning left before that time."""
        ...


class CapacityLedger(Protocol):
    """Reservations per area and slot, with the operator's overrides; also a LoadView."""

    def reserved(self, area_id: str, first_slot: int, stop_slot: int) -> Mapping[int, Rates]: ...

    def capacity_override(self, area_id: str) -> Rates | None: ...

    def degradation(self, area_id: str, first_slot: int, stop_slot: int) -> Mapping[int, float]: ...

    def reserve(
        self, policy_id: str, reservation: Reservation, limits: Limits, held_until: float | None
    ) -> bool:
        """All or nothing; False when some slot would exceed its limit.

        ``limits[area]`` is the per-slot limit from ``first_slot``; ``held_until`` (Unix
        seconds) makes it a hold of an offered candidate, ``None`` a commitment.
        """
        ...

    def commit_hold(self, policy_id: str, transfer_policy_id: int) -> bool: ...

    def reservations_of(self, policy_id: str) -> list[StoredReservation]: ...

    def release(self, policy_id: str, *, keep: int | None = None) -> None: ...

    def committed_overlapping(self, area_id: str, first_slot: int, stop_slot: int) -> list[str]: ...

    def reservations_in(
        self, area_id: str, first_slot: int, stop_slot: int, now: float
    ) -> list[AreaReservation]:
        """Committed reservations and holds not expired at ``now`` touching the slots."""
        ...

    def purge(self, now: datetime, slot_seconds: int) -> bool:
        """Free expired holds, forget what has passed; True when holds gave capacity back."""
        ...

    def purge_slots(self, area_ids: Sequence[str], now: datetime, slot_seconds: int) -> None: ...

    def set_capacity(self, area_id: str, capacity: Rates) -> None: ...

    def reset_capacity(self, area_id: str) -> None: ...

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
        """Record that the area's capacity is multiplied by ``factor`` in those slots.

        ``period`` is the period as reported (the slots cover it); returns the new id.
        """
        ...

    def degradations(self, from_slot: int) -> list[StoredDegradation]:
        """The degradations that have not ended before ``from_slot``, oldest first."""
        ...

    def remove_degradation(self, degradation_id: int) -> StoredDegradation | None:
        """Forget a degradation, and give its slots back the factors of the others."""
        ...


class Outbox(DeliveryQueue, Protocol):
    """Notifications to deliver, written in the transaction that decided to send them.

    The rest of it is what the shared sender (``nf_common.delivery``) needs.
    """

    def add(self, notification: WarningNotification, now: float) -> None: ...

    def purge_dead(self, written_before: float) -> None:
        """Forget dead notifications written before then (bounded work per call)."""
        ...


@dataclass(frozen=True, slots=True)
class StoreCounts:
    """What the store holds now, for an operator's gauges."""

    policies: int
    # 'held' (offered candidates whose hold has not expired) and 'committed' rows.
    reservations: Mapping[str, int]
    held_offers: int  # policies with at least one live hold
    outbox: Mapping[str, int]  # 'pending' and 'dead' notifications


class Census(Protocol):
    def counts(self, now: float) -> StoreCounts: ...


class UnitOfWork(SharedUnitOfWork, Protocol):
    """One atomic transaction over the PCF's repositories (``commit`` makes it stick)."""

    @property
    def policies(self) -> PolicyRepository: ...

    @property
    def capacity(self) -> CapacityLedger: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def analytics(self) -> AnalyticsRecords: ...

    @property
    def census(self) -> Census: ...


class AnalyticsSubscriptions(Protocol):
    """The NWDAF subscriptions whose notifications the PCF takes (TS 29.520 subscriptionId).

    Those the operator configured, and those the PCF created itself (``pcf-bdt serve
    --nwdaf``; ``service.analytics.HeldSubscriptions``).
    """

    def is_known(self, subscription_id: str) -> bool: ...


@dataclass(frozen=True)
class HeldSubscription:
    """A subscription the NWDAF accepted, as the PCF keeps it."""

    subscription_id: str
    resource_uri: str
    request: AnalyticsRequest
    refreshed_at: float


class AnalyticsRecords(Protocol):
    """The store's side of the NWDAF subscriptions (one per area)."""

    def areas_in_force(self, current_slot: int) -> dict[str, tuple[int, int]]:
        """Per area, the first and stop slot of the committed reservations not yet over."""
        ...

    def held(self) -> list[HeldSubscription]: ...

    def holds(self, subscription_id: str) -> bool: ...

    def record(self, subscription: HeldSubscription) -> None:
        """Keep ``subscription`` as its area's (replacing the one it had)."""
        ...

    def forget(self, area_id: str) -> None: ...

    def claim_keeper(self, holder: str, now: float, until: float) -> bool:
        """Become (or stay) the one instance keeping the subscriptions, until ``until``.

        False when another holder's claim has not expired.
        """
        ...


class AnalyticsUnavailable(Exception):
    """The NWDAF could not be reached or failed; the PCF tries again later."""


class AnalyticsProvider(Protocol):
    """The NWDAF's Nnwdaf_EventsSubscription service, as the PCF consumes it."""

    def subscribe(self, request: AnalyticsRequest) -> tuple[str, str]:
        """Create a subscription; its (subscriptionId, resource URI)."""
        ...

    def update(self, resource_uri: str, request: AnalyticsRequest) -> bool:
        """Replace a subscription; False when the NWDAF does not know it (404)."""
        ...

    def unsubscribe(self, resource_uri: str) -> None:
        """Delete a subscription; one the NWDAF does not know is gone already."""
        ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, write: bool = True) -> UnitOfWork:
        """Open a unit of work; ``write=False`` promises not to write and takes no lock."""
        ...
