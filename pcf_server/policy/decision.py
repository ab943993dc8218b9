"""How the PCF turns a request into transfer policies.

The decision is behind the small ``Decider`` protocol so that the service layer and the
HTTP layer never change when the decision logic does. A decider sees the network's
current state only through a ``LoadView`` that the service fills from the store, so no
decider ever imports storage. ``pcf_server.policy.engine.LoadAwareDecider`` is the one
the PCF runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from pcf_server.policy.model import BdtRequest, TransferPolicy
from pcf_server.policy.network import Network, Rates


class LoadView(Protocol):
    """What the engine needs to know about the current state of the network.

    The service fills it from the store inside the transaction that will write the
    outcome, so that the decision and the reservation it leads to see the same state.
    """

    def reserved(self, area_id: str, first_slot: int, stop_slot: int) -> Mapping[int, Rates]:
        """Sum of reserved rates per slot in [first_slot, stop_slot); absent slots are 0."""
        ...

    def capacity_override(self, area_id: str) -> Rates | None: ...

    def degradation(self, area_id: str, first_slot: int, stop_slot: int) -> Mapping[int, float]:
        """Capacity factor per degraded slot; absent slots are not degraded (factor 1)."""
        ...


class NoTransferWindow(Exception):
    """Nothing fits in the desired window nor later within the search horizon."""


@dataclass(frozen=True, slots=True)
class Reservation:
    """The capacity one transfer policy takes: a flat rate over whole slots of areas."""

    transfer_policy_id: int
    areas: tuple[str, ...]
    first_slot: int
    stop_slot: int
    rates: Rates


@dataclass(frozen=True, slots=True)
class Decision:
    offers: tuple[TransferPolicy, ...]
    reservations: tuple[Reservation, ...] = ()

    def numbered_after(self, last_used: int) -> Decision:
        """The same decision with ids from ``last_used + 1`` on, in the same order.

        A policy's transfer policy ids name one window each for the whole life of the
        policy: candidates offered after a warning continue the numbering, so that an id
        the NEF saw before never comes back naming another window.
        """
        new = {
            offer.transfer_policy_id: last_used + index
            for index, offer in enumerate(self.offers, start=1)
        }
        return Decision(
            tuple(replace(o, transfer_policy_id=new[o.transfer_policy_id]) for o in self.offers),
            tuple(
                replace(r, transfer_policy_id=new[r.transfer_policy_id]) for r in self.reservations
            ),
        )


class Decider(Protocol):
    def decide(self, request: BdtRequest, load: LoadView, now: datetime) -> Decision:
        """Return the transfer policies to offer, with ids 1..k (0 is reserved)."""
        ...


class Planner(Protocol):
    """What keeping the books of capacity needs from a load-aware decider."""

    @property
    def network(self) -> Network: ...

    def limits(
        self, area_id: str, first_slot: int, stop_slot: int, load: LoadView
    ) -> list[Rates]: ...

    def reservation_for(self, request: BdtRequest, offer: TransferPolicy) -> Reservation: ...
