"""What the clients return: the generated models, with the parts a NEF needs lifted out."""

from __future__ import annotations

from dataclasses import dataclass

from npcf_bdt_client.models import BdtPolicy, TransferPolicy
from npcf_bdt_client.types import Unset


@dataclass(frozen=True)
class PolicyResult:
    """An Individual BDT policy as the PCF holds it after a call."""

    policy_id: str
    """The bdtPolicyId, the last segment of ``location``; pass it to get/select."""
    location: str
    """The resource URI the PCF gave (Location header), or the one the client built."""
    bdt_ref_id: str
    """The BDT reference id to hand to the AF (TS 29.122 referenceId)."""
    candidates: tuple[TransferPolicy, ...]
    """The transfer policies the PCF offers (transfPolicies), in the PCF's order."""
    selected_id: int | None
    """The selected transPolicyId, once one is selected."""
    existing: bool
    """True when a create found an equivalent policy (303): nothing new was created."""
    policy: BdtPolicy
    """The whole BdtPolicy as received, for fields not lifted out here."""

    @property
    def selected(self) -> TransferPolicy | None:
        """The selected transfer policy, if the PCF reports one among the candidates."""
        for candidate in self.candidates:
            if candidate.trans_policy_id == self.selected_id:
                return candidate
        return None

    @property
    def warnings_requested(self) -> bool | None:
        """The warnNotifReq the PCF holds for this policy (None when it does not say)."""
        request = self.policy.bdt_req_data
        if isinstance(request, Unset) or isinstance(request.warn_notif_req, Unset):
            return None
        return request.warn_notif_req


@dataclass(frozen=True)
class PolicyRemoved:
    """The PCF removed the policy: its answer to selecting 0, "none acceptable".

    With BdtNotification_5G negotiated, ``select(policy_id, 0)`` tells the PCF that no
    candidate of a warning is acceptable, and the PCF removes the Individual BDT policy.
    """

    policy_id: str
    location: str
    """The resource URI the policy had."""
