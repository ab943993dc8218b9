"""Whether a policy's requester gets BDT warning notifications (TS 29.554 4.2.4)."""

from __future__ import annotations

from pcf_server.policy.model import BdtPolicy


def warnings_enabled(policy: BdtPolicy) -> bool:
    """True when the NEF asked for warnings, said where to send them, and negotiated them.

    TS 29.554 4.2.2.2: notifUri and warnNotifReq only count when BdtNotification_5G is
    supported by both sides (``wire.request_from_document`` already leaves both unset in
    the domain request otherwise; the explicit check keeps this rule readable here).
    """
    return (
        policy.notifications_negotiated
        and policy.request.warn_notif_req
        and policy.request.notif_uri is not None
    )
