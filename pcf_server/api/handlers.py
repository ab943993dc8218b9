"""Operation handlers: translate HTTP to service calls and back, nothing more.

connexion has validated the body against the specification before a handler runs; the
handlers map the result of the service to a status, headers and a body, and let the
error handlers of ``app.py`` turn service errors into ProblemDetails.
"""

from __future__ import annotations

from typing import Any

from connexion import request

from pcf_server import wire
from pcf_server.service import BdtPolicyControl, PolicyPatch
from pcf_server.settings import BASE_PATH

_JSON = {"Content-Type": "application/json"}
Reply = tuple[dict[str, Any] | None, int, dict[str, str]]


class BdtPolicyHandlers:
    """One method per operationId of the specification."""

    def __init__(self, service: BdtPolicyControl, api_root: str | None) -> None:
        self._service = service
        self._api_root = api_root.rstrip("/") if api_root else None

    def _location(self, policy_id: str) -> str:
        root = self._api_root
        if root is None:
            url = request.url
            root = f"{url.scheme}://{url.netloc}"
        return f"{root}{BASE_PATH}/bdtpolicies/{policy_id}"

    def create_bdt_policy(self, body: dict[str, Any]) -> Reply:
        policy = self._service.create(body)
        headers = {**_JSON, "Location": self._location(policy.policy_id)}
        return wire.policy_to_document(policy), 201, headers

    def get_bdt_policy(self, bdt_policy_id: str) -> Reply:
        return wire.policy_to_document(self._service.get(bdt_policy_id)), 200, _JSON

    def update_bdt_policy(self, bdt_policy_id: str, body: dict[str, Any]) -> Reply:
        selection = body.get("bdtPolData") or {}
        switches = body.get("bdtReqData") or {}
        patch = PolicyPatch(
            selected_id=selection.get("selTransPolicyId"),
            warn_notif_req=switches.get("warnNotifReq"),
        )
        policy = self._service.update(bdt_policy_id, patch)
        if policy is None:  # selTransPolicyId 0: the policy was removed
            return None, 204, {}
        return wire.policy_to_document(policy), 200, _JSON

    def operations(self) -> dict[str, Any]:
        """OperationId -> handler, for connexion's resolver."""
        return {
            "CreateBDTPolicy": self.create_bdt_policy,
            "GetBDTPolicy": self.get_bdt_policy,
            "UpdateBDTPolicy": self.update_bdt_policy,
        }
