"""Whether a policy's requester gets BDT warning notifications (TS 29.554 4.2.4)."""

from __future__ import annotations

from pcf_server.policy.model import BdtPolicy


def warnings_enabled(policy: BdtPolicy) -> bool:
    """True when the NEF asked for warnings and said where to send them.

    TS 29.554 also requires the BdtNotification_5G feature to be negotiated; feature
    negotiation is being added separately, and that check belongs here (one line) once
    it lands, e.g. ``and policy.supports("BdtNotification_5G")``.
    """
    return policy.request.warn_notif_req and policy.request.notif_uri is not None
