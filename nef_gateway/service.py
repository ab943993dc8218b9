"""Use cases of the NEF's BDT subscriptions (TS 29.122 3gpp-bdt over TS 29.554 N30).

Each use case takes domain values (never HTTP or JSON bodies), talks to the PCF through
``PolicyControl`` and keeps the subscription in the store. A PCF call never runs inside a
store transaction: the state is read, the PCF called, and the answer written in a second
transaction that reads the row again. When the row changed meanwhile (a warning arrived
during the call), the PCF's answer may be older than the warning, so the PCF is asked
once more and its latest state wins.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from nef_gateway.domain import (
    NONE_ACCEPTABLE,
    Change,
    PolicyState,
    Subscription,
    TransferRequest,
    ex_notification,
    transfer_policies,
)
from nef_gateway.pcf import PcfRefused, PcfUnavailable, PolicyControl, PolicyGone
from nef_gateway.storage import SqliteUnitOfWork


class SubscriptionNotFound(LookupError):
    """No such subscription for this AF (another AF's subscriptions are not found either)."""


class NotAuthorized(PermissionError):
    """The scsAsId is not one this NEF serves."""


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, write: bool = True) -> SqliteUnitOfWork: ...


def new_subscription_id() -> str:
    return uuid.uuid4().hex


class BdtSubscriptions:
    """The subscriptions of every AF, carried out at one PCF.

    Args:
        unit_of_work: the store's unit of work factory.
        pcf: the hop to the PCF.
        notification_uri: the NEF's own notifUri for a subscription id (given to the PCF).
        allowed_afs: the scsAsIds this NEF serves; None serves any.
        outbox_written: called after a notification for an AF was stored (wakes the sender).

    """

    def __init__(
        self,
        unit_of_work: UnitOfWorkFactory,
        pcf: PolicyControl,
        notification_uri: Callable[[str], str],
        *,
        allowed_afs: frozenset[str] | None = None,
        outbox_written: Callable[[], None] = lambda: None,
        new_id: Callable[[], str] = new_subscription_id,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._uow = unit_of_work
        self._pcf = pcf
        self._notification_uri = notification_uri
        self._allowed = allowed_afs
        self._outbox_written = outbox_written
        self._new_id = new_id
        self._clock = clock

    def authorize(self, scs_as_id: str) -> None:
        if self._allowed is not None and scs_as_id not in self._allowed:
            raise NotAuthorized(f"this NEF does not serve the AF {scs_as_id!r}")

    # -- reads ----------------------------------------------------------------------

    def stored(self, scs_as_id: str, subscription_id: str) -> Subscription:
        """The subscription as the store has it (no PCF call)."""
        self.authorize(scs_as_id)
        with self._uow(write=False) as uow:
            subscription = uow.subscriptions.get(subscription_id)
        if subscription is None or subscription.scs_as_id != scs_as_id:
            raise SubscriptionNotFound(f"no BDT subscription {subscription_id!r} for this AF")
        return subscription

    def exists(self, subscription_id: str) -> bool:
        with self._uow(write=False) as uow:
            return uow.subscriptions.get(subscription_id) is not None

    def list(self, scs_as_id: str) -> list[Subscription]:
        self.authorize(scs_as_id)
        with self._uow(write=False) as uow:
            return uow.subscriptions.of_af(scs_as_id)

    def get(self, scs_as_id: str, subscription_id: str) -> Subscription:
        """The subscription, with what the PCF now holds for it (the store's if unreachable).

        A policy the PCF no longer has ends the subscription: it is removed and not found.
        """
        subscription = self.stored(scs_as_id, subscription_id)
        try:
            state = self._pcf.get(subscription.policy_id)
        except PolicyGone:
            self._forget(subscription_id)
            raise SubscriptionNotFound(
                f"BDT subscription {subscription_id!r} ended: the PCF no longer has its policy"
            ) from None
        except (PcfUnavailable, PcfRefused):
            return subscription
        if (state.selected, transfer_policies(state.candidates)) == (
            subscription.selected,
            subscription.transfer_policies,
        ):
            return subscription
        return self._write(subscription, lambda s: s.apply(state))

    # -- writes ---------------------------------------------------------------------

    def create(self, scs_as_id: str, request: TransferRequest) -> Subscription:
        """Npcf_BDTPolicyControl_Create for the AF's request; the subscription is stored."""
        self.authorize(scs_as_id)
        subscription_id = self._new_id()
        state = self._pcf.create(request, self._notification_uri(subscription_id))
        subscription = Subscription(
            subscription_id=subscription_id,
            scs_as_id=scs_as_id,
            request=request.document,
            policy_id=state.policy_id,
            bdt_ref_id=state.bdt_ref_id,
            transfer_policies=transfer_policies(state.candidates),
            selected=state.selected,
            notification_destination=request.notification_destination,
            warnings=request.warnings,
            removable=state.removable,
        )
        with self._uow() as uow:
            uow.subscriptions.add(subscription)
            uow.commit()
        return subscription

    def change(self, scs_as_id: str, subscription_id: str, change: Change) -> Subscription | None:
        """Select and/or switch warnings (Npcf_BDTPolicyControl_Update); None if it ended.

        ``selected`` 0 ("none acceptable") removes the policy at the PCF when it allows it
        (BdtNotification_5G negotiated), and with it the subscription.
        """
        subscription = self.stored(scs_as_id, subscription_id)
        state: PolicyState | None = None
        try:
            if change.selected is not None:
                if change.selected == NONE_ACCEPTABLE and subscription.removable:
                    self._pcf.select(subscription.policy_id, NONE_ACCEPTABLE)
                    self._forget(subscription_id)
                    return None
                state = self._pcf.select(subscription.policy_id, change.selected)
            if change.warnings is not None and change.warnings != bool(subscription.warnings):
                state = self._pcf.switch_warnings(subscription.policy_id, change.warnings)
        except PolicyGone:
            self._forget(subscription_id)
            raise SubscriptionNotFound(
                f"BDT subscription {subscription_id!r} ended: the PCF no longer has its policy"
            ) from None

        def apply(current: Subscription) -> None:
            if state is not None:
                current.apply(state, valid=True if change.selected is not None else None)
            if change.warnings is not None:
                current.warnings = change.warnings
            if change.notification_destination is not None:
                current.notification_destination = change.notification_destination
            elif change.clear_destination:
                current.notification_destination = None

        return self._write(subscription, apply)

    def delete(self, scs_as_id: str, subscription_id: str) -> None:
        """End the subscription: its policy is removed at the PCF where that is possible.

        Without BdtNotification_5G, N30 has no way to remove a policy: it ends here only,
        and the PCF keeps it until its windows have passed.
        """
        subscription = self.stored(scs_as_id, subscription_id)
        if subscription.removable:
            # Already gone at the PCF: ending it here is all that is left to do.
            with contextlib.suppress(PolicyGone):
                self._pcf.select(subscription.policy_id, NONE_ACCEPTABLE)
        self._forget(subscription_id)

    def pcf_notification(self, subscription_id: str, notification: Mapping[str, Any]) -> bool:
        """A BDT warning from the PCF (TS 23.502 4.16.7.3 steps 9-10); False if unknown.

        The notification is stored and the subscription invalidated with the new
        candidates; when the AF asked for warnings, its ExNotification is queued for
        delivery in the same transaction.
        """
        with self._uow() as uow:
            subscription = uow.subscriptions.get(subscription_id)
            if subscription is None:
                return False
            uow.notifications.add(subscription_id, dict(notification))
            subscription.invalidate(notification.get("candPolicies") or ())
            uow.subscriptions.save(subscription)
            queued = subscription.wants_warnings
            if queued:
                assert subscription.notification_destination is not None
                uow.outbox.add(
                    subscription_id,
                    subscription.notification_destination,
                    ex_notification(notification),
                    self._clock(),
                )
            uow.commit()
        if queued:
            self._outbox_written()
        return True

    # -- inside -----------------------------------------------------------------------

    def _forget(self, subscription_id: str) -> None:
        with self._uow() as uow:
            uow.subscriptions.remove(subscription_id)
            uow.commit()

    def _write(self, read: Subscription, apply: Callable[[Subscription], None]) -> Subscription:
        """Apply a change to the stored row; see the module docstring for a changed row."""
        with self._uow() as uow:
            current = uow.subscriptions.get(read.subscription_id)
            if current is None:
                raise SubscriptionNotFound(f"no BDT subscription {read.subscription_id!r}")
            if current.version == read.version:
                apply(current)
                uow.subscriptions.save(current)
                uow.commit()
                return current
        try:
            state = self._pcf.get(read.policy_id)
        except (PolicyGone, PcfUnavailable, PcfRefused):
            return self.stored(read.scs_as_id, read.subscription_id)
        with self._uow() as uow:
            current = uow.subscriptions.get(read.subscription_id)
            if current is None:
                raise SubscriptionNotFound(f"no BDT subscription {read.subscription_id!r}")
            # A warning that arrived meanwhile left the row invalid: it stays so unless
            # the PCF now reports a selection, i.e. the selection came after the warning.
            was_valid = current.valid
            apply(current)
            current.apply(state, valid=state.selected is not None or was_valid)
            uow.subscriptions.save(current)
            uow.commit()
            return current
