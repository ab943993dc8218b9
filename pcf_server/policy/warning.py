"""BDT warning notifications (TS 29.554 4.2.4): who gets them, and what they say."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pcf_server.policy.model import BdtPolicy, TimeWindow, TransferPolicy


def warnings_enabled(policy: BdtPolicy) -> bool:
    """True when the NEF asked for warnings, said where to send them, and negotiated them.

    TS 29.554 4.2.2.2: notifUri and warnNotifReq only count when BdtNotification_5G is
    supported by both sides (the domain request already has both unset otherwise; the
    explicit check keeps this rule readable here).
    """
    return (
        policy.notifications_negotiated
        and policy.request.warn_notif_req
        and policy.request.notif_uri is not None
    )


@dataclass(frozen=True, slots=True)
class WarningNotification:
    """A warning for one policy: its new candidates, the degraded area and period."""

    policy_id: str
    uri: str
    bdt_ref_id: str
    candidates: tuple[TransferPolicy, ...]
    nw_area_info: Mapping[str, Any] | None
    window: TimeWindow | None
