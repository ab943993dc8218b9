"""Create, read and update Individual BDT policies (TS 29.554 clause 4.2)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from pcf_server.policy.commands import CreatePolicy, PolicyPatch
from pcf_server.policy.decision import Decider, Decision, NoTransferWindow, Planner
from pcf_server.policy.equivalence import fingerprint
from pcf_server.policy.model import (
    NO_TOKEN_CONSUMER,
    BdtPolicy,
    BdtRequest,
    UnknownTransferPolicy,
)
from pcf_server.service.capacity import CapacityBook
from pcf_server.service.conflicts import retrying
from pcf_server.service.errors import (
    EquivalentPolicyExists,
    InvalidSelection,
    LimitReached,
    NoCapacity,
    PolicyNotFound,
    WindowEnded,
)
from pcf_server.service.observer import FALLBACK, OFFERED, REFUSED, Observer, Unobserved
from pcf_server.service.ports import DuplicateRequest, UnitOfWork, UnitOfWorkFactory

# The cause a Create refused for want of capacity is answered with (403).
CAPACITY_UNAVAILABLE = "BDT_CAPACITY_UNAVAILABLE"


def _new_id() -> str:
    return uuid.uuid4().hex


def _utc_now() -> datetime:
    return datetime.now(UTC)


class BdtPolicyControl:
    def __init__(
        self,
        unit_of_work: UnitOfWorkFactory,
        decider: Decider,
        new_id: Callable[[], str] = _new_id,
        *,
        planner: Planner | None = None,
        clock: Callable[[], datetime] = _utc_now,
        observer: Observer | None = None,
    ) -> None:
        self._uow = unit_of_work
        self._observer: Observer = observer or Unobserved()
        self._decider = decider
        self._new_id = new_id
        self._capacity = CapacityBook(planner)
        self._network = None if planner is None else planner.network
        self._clock = clock

    def create(self, command: CreatePolicy, *, equivalence_checked: bool = False) -> BdtPolicy:
        """Decide transfer policies for a request and store the result.

        Raises ``EquivalentPolicyExists`` instead when the request is equivalent to a
        stored policy of the same consumer (``policy.equivalence``); nothing is decided
        or stored then. Another consumer's policies never count: a 303 would tell one NEF
        the id of a policy it may not see. ``equivalence_checked``: the caller has just
        called ``refuse_equivalent``, so the stored policies are looked at again only
        under the write lock (which is what guarantees one policy per request).
        """
        if equivalence_checked:
            key = fingerprint(command.document, command.request.desired_window)
        else:
            key = self._refuse_equivalent_to_stored(command)
        took: list[float] = []  # the engine's time, per decision
        first = [True]  # the first attempt decides on a snapshot (``_create``)

        def attempt() -> BdtPolicy:
            on_snapshot, first[0] = first[0], False
            return self._create(command, key, on_snapshot, took)

        try:
            policy = retrying(attempt, "create")
        except NoCapacity as exc:
            self._observer.decided(REFUSED, took[-1] if took else 0.0)
            self._observer.refused(command.consumer, CAPACITY_UNAVAILABLE, exc.reason)
            raise
        except LimitReached as exc:
            self._observer.refused(command.consumer, exc.cause, exc.reason)
            raise
        self._observer.decided(_outcome(policy), took[-1] if took else 0.0)
        self._observer.created(policy)
        return policy

    def refuse_equivalent(self, command: CreatePolicy) -> None:
        """The part of ``create`` that only reads: ``EquivalentPolicyExists`` if it applies.

        Also ``WindowEnded``, which ``create`` checks first. A caller that can read
        without blocking (the HTTP layer on SQLite) answers a repeated Create (303) with
        this, as cheaply as a GET, before it hands the rest of the Create to a thread.
        """
        self._refuse_equivalent_to_stored(command)

    def _refuse_equivalent_to_stored(self, command: CreatePolicy) -> str:
        """Refuse an ended window or a stored equivalent; the request's fingerprint else."""
        self._refuse_ended(command.request)
        key = fingerprint(command.document, command.request.desired_window)
        # Without the write lock: a 303 costs what a GET does.
        with self._uow(write=False) as uow:
            self._refuse_equivalent(uow, command.consumer, key)
        return key

    def _create(
        self, command: CreatePolicy, key: str, on_snapshot: bool, took: list[float]
    ) -> BdtPolicy:
        """Decide on a read snapshot, then write under the lock what still fits.

        The decision is most of a Create's time and needs no lock: the capacity guard of
        ``take`` refuses what another writer took meanwhile (``ReservationConflict``,
        and ``retrying`` decides again). The snapshot still counts holds that have
        expired: when the write's housekeeping gives such capacity back, or when the
        snapshot found no room at all, the decision is made again after it, under the
        lock, so that expired holds never make an offer worse. After a conflict
        (``on_snapshot`` False) the decision is made under the lock only: where writers
        are serialised, as on SQLite, it cannot conflict again, so that contention for
        scarce capacity ends in 201 or 403, not in 503.
        """
        now = self._clock()
        decision: Decision | None = None
        held_checked = False  # the limit on held offers, checked on the snapshot
        if on_snapshot:
            with self._uow(write=False) as uow:
                try:
                    decision = self._timed_decide(uow, command.request, now, took)
                except NoCapacity:
                    decision = None
                if decision is not None and len(decision.offers) > 1:
                    # The limit on policies first, as under the lock, when both are reached.
                    self._refuse_over_policy_limit(uow, command.consumer)
                    self._refuse_over_held_offer_limit(uow, command.consumer, now)
                    held_checked = True
        with self._uow() as uow:
            self._refuse_equivalent(uow, command.consumer, key)
            freed = self._capacity.housekeeping(uow, now)
            self._refuse_over_policy_limit(uow, command.consumer)
            if decision is None or freed:
                decision = self._timed_decide(uow, command.request, now, took)
            if len(decision.offers) > 1 and not held_checked:  # they will be held
                self._refuse_over_held_offer_limit(uow, command.consumer, now)
            features = command.features
            policy = BdtPolicy(
                policy_id=self._new_id(),
                bdt_ref_id=self._new_id(),
                request=command.request,
                request_document=command.document,
                transfer_policies=decision.offers,
                supported_features=None if features is None else features.encode(),
                consumer=command.consumer,
            )
            try:
                uow.policies.add(policy, fingerprint=key)
            except DuplicateRequest as exc:
                # Unreachable while units of work serialise writers; kept so that the
                # UNIQUE column, not the locking, is what guarantees one policy.
                raise EquivalentPolicyExists(exc.policy_id) from exc
            self._capacity.take(uow, policy, decision, now)
            uow.commit()
        return policy

    def _refuse_ended(self, request: BdtRequest) -> None:
        """A desired window that has already ended is refused (400), not re-planned.

        TS 29.554 names no error for it, but the window is what the ASP asked for, and
        none of it can be met any more: windows from now on, which the engine would
        otherwise offer as a fallback, answer a question the ASP did not ask, and a
        clock or time-zone mistake on the NEF side is better reported than hidden.
        """
        if request.desired_window.stop <= self._clock():
            raise WindowEnded("the desired window has already ended")

    def _refuse_over_policy_limit(self, uow: UnitOfWork, consumer: str) -> None:
        """One consumer may keep at most ``policies_per_consumer`` policies (403 beyond).

        Each policy is stored with its request document and counted by every later
        decision of its areas; without a bound one NEF could fill the store for all.
        """
        if self._network is None:
            return
        limit = self._network.policies_per_consumer
        if uow.policies.count_of(consumer, at_most=limit) >= limit:
            raise LimitReached(
                LimitReached.POLICIES,
                f"this consumer already has {limit} policies, the most the operator allows; "
                "new ones are accepted as its windows pass or it declines offers "
                "(selTransPolicyId 0)",
            )

    def _refuse_over_held_offer_limit(self, uow: UnitOfWork, consumer: str, now: datetime) -> None:
        """One consumer may leave at most ``held_offers_per_consumer`` offers unselected.

        Unselected candidates hold capacity for ``hold_seconds``; 51 offers left unselected
        once made every other ASP's Create fail. The limit bounds that abuse; it need not be
        exact, and ``_create`` checks it on the read snapshot, outside the write turn: a
        consumer's Creates in flight together may all pass it, so it can be exceeded by as
        many as the server runs at once (its threads, workers and instances), never more,
        and a hold counts until the second in which it expires (``storage.holds``). The
        capacity itself is still taken under the guard, so this never overbooks.
        """
        if self._network is None:
            return
        limit = self._network.held_offers_per_consumer
        if uow.policies.held_offers_of(consumer, now.timestamp(), at_most=limit) >= limit:
            raise LimitReached(
                LimitReached.HELD_OFFERS,
                f"this consumer already has {limit} policies whose offers are unselected "
                "and hold capacity, the most the operator allows; select or decline "
                "(selTransPolicyId 0) some of them, or wait for their holds to expire",
            )

    @staticmethod
    def _refuse_equivalent(uow: UnitOfWork, consumer: str, key: str) -> None:
        existing = uow.policies.find_by_fingerprint(key, consumer=consumer)
        if existing is not None:
            raise EquivalentPolicyExists(existing)

    def _timed_decide(
        self, uow: UnitOfWork, request: BdtRequest, now: datetime, took: list[float]
    ) -> Decision:
        started = time.perf_counter()
        try:
            return self._decide(uow, request, now)
        finally:
            took.append(time.perf_counter() - started)

    def _decide(self, uow: UnitOfWork, request: BdtRequest, now: datetime) -> Decision:
        try:
            return self._decider.decide(request, uow.capacity, now)
        except NoTransferWindow as exc:
            raise NoCapacity(str(exc)) from exc

    def get(self, policy_id: str, *, consumer: str = NO_TOKEN_CONSUMER) -> BdtPolicy:
        """The policy, if ``consumer`` created it; ``PolicyNotFound`` otherwise.

        Another consumer's policy is not found, exactly as one that does not exist: the
        answer must not tell a NEF which ids other NEFs hold.
        """
        with self._uow(write=False) as uow:
            policy = uow.policies.get(policy_id, consumer=consumer)
        if policy is None:
            raise PolicyNotFound(policy_id)
        return policy

    def update(
        self, policy_id: str, patch: PolicyPatch, *, consumer: str = NO_TOKEN_CONSUMER
    ) -> BdtPolicy | None:
        """Apply an Update; ``None`` when it removed the policy ("none acceptable").

        Only ``consumer``'s own policies can be updated (as ``get``). A merge patch says
        what the policy is to become, not what it was: after a conflict it is applied
        again to the policy as the other writer left it.
        """
        policy = retrying(
            lambda: self._update(policy_id, patch, consumer), f"update of {policy_id}"
        )
        if policy is None:
            self._observer.removed(
                policy_id, consumer, "all candidates declined (selTransPolicyId 0)"
            )
        elif patch.selected_id is not None:
            self._observer.selected(policy, patch.selected_id)
        return policy

    def _update(self, policy_id: str, patch: PolicyPatch, consumer: str) -> BdtPolicy | None:
        with self._uow() as uow:
            self._capacity.housekeeping(uow, self._clock())
            policy = uow.policies.get(policy_id, consumer=consumer)
            if policy is None:
                raise PolicyNotFound(policy_id)
            if patch.selected_id is not None and policy.declines(patch.selected_id):
                self._withdraw(uow, policy)
                uow.commit()
                return None
            if patch.selected_id is not None:
                try:
                    policy.select(patch.selected_id)
                except UnknownTransferPolicy as exc:
                    raise InvalidSelection(patch.selection_pointer, str(exc)) from exc
                self._capacity.select(uow, policy)
            if patch.warn_notif_req is not None:
                policy.set_warnings(patch.warn_notif_req)
            uow.policies.save(policy)
            uow.commit()
        return policy

    def _withdraw(self, uow: UnitOfWork, policy: BdtPolicy) -> None:
        """Remove a policy whose candidates the NEF all refused (selTransPolicyId 0).

        TS 23.502 4.16.7.3 steps 13-15 and TS 29.554 clause 4.2.3.2: the PCF deletes the
        policy (from the UDR; here from its own store) and its capacity is given back.
        """
        self._capacity.withdraw(uow, policy.policy_id)
        uow.policies.remove(policy.policy_id)


def _outcome(policy: BdtPolicy) -> str:
    """``FALLBACK`` when no window offered starts before the desired window ends."""
    stop = policy.request.desired_window.stop
    if all(offer.window.start >= stop for offer in policy.transfer_policies):
        return FALLBACK
    return OFFERED
