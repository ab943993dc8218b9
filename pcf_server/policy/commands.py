"""What the use cases are asked to do: commands, parsed and checked at the edge.

The HTTP layer turns a request body into one of these (``pcf_server.wire``); the service
layer acts on it and never sees JSON it has to check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pcf_server.policy.features import FeatureSet
from pcf_server.policy.model import NO_TOKEN_CONSUMER, BdtRequest


@dataclass(frozen=True, slots=True)
class CreatePolicy:
    """Create an Individual BDT policy (TS 29.554 4.2.2).

    ``document`` is the BdtReqData as received: the PCF echoes it and the equivalence
    rule (``policy.equivalence``) reads it. ``features`` are those negotiated, ``None``
    when the NEF sent no suppFeat. ``consumer`` is the NF asking (its access token's
    sub), which will own the policy and whose limits on policies and held offers the
    request counts against.
    """

    request: BdtRequest
    document: dict[str, Any]
    features: FeatureSet | None
    consumer: str = NO_TOKEN_CONSUMER


@dataclass(frozen=True, slots=True)
class PolicyPatch:
    """Update a policy (TS 29.554 4.2.3); ``None`` means "leave as it is" (merge patch).

    ``selection_pointer`` is where the selection sat in the Update body, whichever
    release's shape it came in, so that an error about it names the attribute sent.
    """

    selected_id: int | None = None
    warn_notif_req: bool | None = None
    selection_pointer: str = "/bdtPolData/selTransPolicyId"
