"""Entities and value objects of a BDT negotiation (TS 23.502 4.16.7, TS 29.554 5.6)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from pcf_server.policy.features import Feature, FeatureSet

# With BdtNotification_5G, "selTransPolicyId: 0" says that no candidate is acceptable
# (TS 29.554 clause 4.2.3.2), which is why the PCF never offers id 0.
NONE_SELECTED = 0
# The consumer of every request when the PCF asks for no access token (and the owner of
# the policies stored before consumers were told apart): one NEF, as far as it can tell.
NO_TOKEN_CONSUMER = ""


class UnknownTransferPolicy(ValueError):
    """The NEF selected a transfer policy id that this BDT policy never offered."""

    def __init__(self, transfer_policy_id: int, offered: tuple[int, ...]) -> None:
        super().__init__(
            f"transfer policy {transfer_policy_id} was not offered (offered: "
            f"{', '.join(map(str, offered))})"
        )
        self.transfer_policy_id = transfer_policy_id
        self.offered = offered


@dataclass(frozen=True, slots=True)
class TimeWindow:
    start: datetime
    stop: datetime

    def __post_init__(self) -> None:
        # A window that ends before it starts cannot be negotiated; the HTTP layer
        # rejects it first with a precise error, this is the last line of defence.
        if self.stop <= self.start:
            raise ValueError("stop must be after start")

    @property
    def duration(self) -> timedelta:
        return self.stop - self.start


@dataclass(frozen=True, slots=True)
class Volume:
    """Expected volume per UE, in bytes; 3GPP lets the NEF give any subset of these."""

    total: int | None = None
    downlink: int | None = None
    uplink: int | None = None


@dataclass(frozen=True, slots=True)
class TransferPolicy:
    """One offer: a recommended window, its charging rate and advisory bit rates (bit/s)."""

    transfer_policy_id: int
    window: TimeWindow
    rating_group: int
    max_bitrate_dl: float | None = None
    max_bitrate_ul: float | None = None


@dataclass(frozen=True, slots=True)
class BdtRequest:
    """What the NEF asked for, as far as the decision needs it.

    The complete request document is kept beside it in ``BdtPolicy.request_document``
    so that the PCF can echo every attribute back, including those it does not use.
    """

    asp_id: str
    desired_window: TimeWindow
    number_of_ues: int
    volume_per_ue: Volume
    warn_notif_req: bool = False
    notif_uri: str | None = None
    # Canonical keys of the nwAreaInfo elements (pcf_server.policy.areas); None: absent.
    area_keys: frozenset[str] | None = None


@dataclass(slots=True)
class BdtPolicy:
    """An Individual BDT policy: the request, the PCF's offers and the NEF's choice."""

    policy_id: str
    bdt_ref_id: str
    request: BdtRequest
    request_document: dict[str, Any]
    transfer_policies: tuple[TransferPolicy, ...]
    selected_id: int | None = None
    supported_features: str | None = None
    version: int = 0
    # False between a warning notification and the NEF's answer (TS 23.502 4.16.7.3),
    # which began at ``invalidated_at``.
    valid: bool = True
    invalidated_at: datetime | None = None
    # The NF that created it (its access token's sub): the only one that may read or
    # change it.
    consumer: str = NO_TOKEN_CONSUMER

    @property
    def features(self) -> FeatureSet:
        """Features negotiated at creation (empty when the NEF sent no suppFeat)."""
        return FeatureSet.parse(self.supported_features or "")

    @property
    def notifications_negotiated(self) -> bool:
        return Feature.BDT_NOTIFICATION_5G in self.features

    def declines(self, transfer_policy_id: int) -> bool:
        """True when a selection means "none acceptable": the policy is to be removed.

        Only with BdtNotification_5G; without it 0 is an ordinary id, never offered.
        """
        return transfer_policy_id == NONE_SELECTED and self.notifications_negotiated

    @property
    def offered_ids(self) -> tuple[int, ...]:
        return tuple(tp.transfer_policy_id for tp in self.transfer_policies)

    @property
    def selected(self) -> TransferPolicy | None:
        """The policy in force: the chosen one, or the only one offered (TS 29.554 4.2.2.2).

        An invalidated policy has none until the NEF picks a new candidate, even when the
        warning offered a single one.
        """
        if not self.valid:
            return None
        if self.selected_id is not None:
            return next(
                tp for tp in self.transfer_policies if tp.transfer_policy_id == self.selected_id
            )
        if len(self.transfer_policies) == 1:
            return self.transfer_policies[0]
        return None

    def select(self, transfer_policy_id: int) -> None:
        if transfer_policy_id not in self.offered_ids:
            raise UnknownTransferPolicy(transfer_policy_id, self.offered_ids)
        self.selected_id = transfer_policy_id
        self.valid = True
        self.invalidated_at = None

    @property
    def window_stop(self) -> datetime:
        """When every window this policy offers or holds has passed: it may be purged."""
        return max(tp.window.stop for tp in self.transfer_policies)

    def invalidate(self, candidates: tuple[TransferPolicy, ...], now: datetime) -> None:
        """The network degraded: the policy in force is replaced by new candidates."""
        self.transfer_policies = candidates
        self.selected_id = None
        self.valid = False
        self.invalidated_at = now

    def set_warnings(self, enabled: bool) -> bool:
        """Switch warning notifications; returns False, changing nothing, if not negotiated.

        Without BdtNotification_5G the switch does not exist for this policy (TS 29.554
        clause 4.2.3.3 applies only with the feature), and TS 29.500 clause 6.6 has a
        receiver ignore what belongs to a feature that was not negotiated: the Update
        succeeds and the switch stays off.
        """
        if not self.notifications_negotiated:
            return False
        self.request = replace(self.request, warn_notif_req=enabled)
        self.request_document = {**self.request_document, "warnNotifReq": enabled}
        return True
